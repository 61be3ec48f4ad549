/* sources: kernel/dev/tty.c lib/string.c */
/* test_tty.c: the console's line discipline (kernel/dev/tty.c) with its
 * surroundings played by this file: bytes come from a script through
 * input_get, the echo is collected from console_write, and the Ctrl-C hook
 * says whether a foreground process was there to end. Editing, the end of
 * input, Ctrl-C with and without a foreground process, history, escape
 * sequences, and the bounds (a full line, a full queue). */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "../../kernel/dev/dev.h"

static const char *script;
static size_t script_len, script_pos;
static void (*notify)(void);
static char echoed[8192];
static size_t echoed_len;
static bool have_foreground;
static unsigned interrupts, lines_ready;

int input_get(void)
{
	return script_pos < script_len ? (unsigned char)script[script_pos++] : -1;
}

void input_set_notify(void (*hook)(void))
{
	notify = hook;
}

void console_write(const char *s, size_t n)
{
	if (echoed_len + n <= sizeof echoed) {
		memcpy(echoed + echoed_len, s, n);
		echoed_len += n;
	}
}

static bool interrupt(void)
{
	interrupts++;
	return have_foreground;
}

static void ready(void)
{
	lines_ready++;
}

/* the bytes arrive (as an interrupt would bring them) */
static void type(const char *bytes, size_t n)
{
	script = bytes;
	script_len = n;
	script_pos = 0;
	notify();
}
#define TYPE(s) type(s, sizeof(s) - 1)

/* everything a reader gets now, in one string ("" when nothing is ready) */
static const char *read_all(void)
{
	static char out[4096];
	size_t n = 0;
	int got;

	while (n < sizeof out - 1 && (got = tty_read(out + n, (uint32_t)(sizeof out - 1 - n))) > 0)
		n += (size_t)got;
	out[n] = '\0';
	return out;
}

static void drain_queue(void)
{
	while (tty_read((char[64]){ 0 }, 64) >= 0)
		;
}

static void reset(void)
{
	drain_queue();
	echoed_len = 0;
	have_foreground = false;
	interrupts = lines_ready = 0;
}

static void test_a_line_with_its_echo(void)
{
	reset();
	TYPE("ls /BIN");
	CHECK_EQ_INT(tty_read((char[8]){ 0 }, 8), -1); /* no Enter yet: nothing to read */
	TYPE("\n");
	CHECK_EQ_STR(read_all(), "ls /BIN\n");
	CHECK_EQ_MEM(echoed, "ls /BIN\n", 8);
	CHECK_EQ_UINT(lines_ready, 1);
}

static void test_backspace_and_ctrl_u(void)
{
	reset();
	TYPE("abx\b\x7f"
	     "c\n");
	CHECK_EQ_STR(read_all(), "ac\n");
	TYPE("\b\bq\n"); /* Backspace on an empty line erases nothing */
	CHECK_EQ_STR(read_all(), "q\n");
	TYPE("wrong\x15right\n");
	CHECK_EQ_STR(read_all(), "right\n");
	CHECK(memmem(echoed, echoed_len, "\b \b\b \b\b \b\b \b\b \b", 15) != NULL);
}

static void test_a_line_read_in_pieces(void)
{
	char buf[4];

	reset();
	TYPE("hello\nworld\n");
	CHECK_EQ_INT(tty_read(buf, 4), 4);
	CHECK_EQ_MEM(buf, "hell", 4);
	CHECK_EQ_INT(tty_read(buf, 4), 2); /* the rest of the first line, not into the second */
	CHECK_EQ_MEM(buf, "o\n", 2);
	CHECK_EQ_STR(read_all(), "world\n");
}

static void test_ctrl_d(void)
{
	char buf[16];

	reset();
	TYPE("\x04");
	CHECK_EQ_INT(tty_read(buf, 16), 0); /* the end of input */
	CHECK_EQ_INT(tty_read(buf, 16), -1);
	TYPE("part\x04");
	CHECK_EQ_INT(tty_read(buf, 16), 4); /* mid-line: the line so far, no '\n' */
	CHECK_EQ_MEM(buf, "part", 4);
}

static void test_ctrl_c(void)
{
	reset();
	have_foreground = true;
	TYPE("half a li\x03");
	CHECK_EQ_UINT(interrupts, 1);
	CHECK_EQ_INT(tty_read((char[8]){ 0 }, 8), -1); /* the line is gone, nothing queued */
	CHECK(memmem(echoed, echoed_len, "^C\n", 3) != NULL);
	have_foreground = false;
	TYPE("x\x03");
	CHECK_EQ_UINT(interrupts, 2);
	CHECK_EQ_STR(read_all(), "\n"); /* no foreground: the reader gets an empty line */
}

static void test_history(void)
{
	reset();
	TYPE("first\nsecond\nsecond\n");
	drain_queue();
	TYPE("\x1b[A\n"); /* Up: the last line */
	CHECK_EQ_STR(read_all(), "second\n");
	TYPE("\x1b[A\x1b[A\n"); /* a repeated line was kept once: two up is "first" */
	CHECK_EQ_STR(read_all(), "first\n");
	TYPE("typed\x1b[A\x1b[B\n"); /* Down past the newest: the line being typed, emptied */
	CHECK_EQ_STR(read_all(), "\n");
	TYPE("\x1b[5~ok\n"); /* PgUp's sequence: ignored whole */
	CHECK_EQ_STR(read_all(), "ok\n");
}

static void test_bounds(void)
{
	char long_line[300];
	uint64_t lost = tty_lost();

	reset();
	memset(long_line, 'x', sizeof long_line);
	type(long_line, sizeof long_line);
	TYPE("\n");
	const char *got = read_all();
	CHECK_EQ_UINT(strlen(got), 256); /* 255 characters and the newline */
	CHECK_EQ_UINT(tty_lost() - lost, sizeof long_line - 255);
	lost = tty_lost();
	for (int i = 0; i < 10; i++)
		TYPE("line\n");
	CHECK_EQ_UINT(strlen(read_all()), 8 * 5); /* 8 lines queued, the last 2 lost */
	CHECK_EQ_UINT(tty_lost() - lost, 2 * 5);
	TYPE("\x01\x02\x07z\n"); /* other control bytes are dropped */
	CHECK_EQ_STR(read_all(), "z\n");
}

int main(void)
{
	tty_init(interrupt, ready);
	RUN(test_a_line_with_its_echo);
	RUN(test_backspace_and_ctrl_u);
	RUN(test_a_line_read_in_pieces);
	RUN(test_ctrl_d);
	RUN(test_ctrl_c);
	RUN(test_history);
	RUN(test_bounds);
	return check_done();
}
