/* tty.c: the console's line discipline. Bytes from the keyboard and COM1
 * (input.c's ring) are edited into a line here, in the interrupt that brought
 * them, and echoed on the screen and COM1; a finished line waits in a short
 * queue until a process reads it. Editing: Backspace (08h or 7Fh), Ctrl-U
 * (the whole line), Up and Down (ESC [ A / B) through the last TTY_HISTORY
 * lines; Ctrl-D ends the input (at a line's start) or hands over the line so
 * far; Ctrl-C throws the line away and calls the interrupt hook (which ends
 * the console's foreground process), and without a foreground process gives
 * the reader an empty line. Everything is bounded: a full line or queue loses
 * what does not fit, counted. */
#include "dev.h"
#include "lib.h"

#define TTY_LINE_MAX 255 /* characters a line can hold, its '\n' not counted */
#define TTY_QUEUE 8      /* finished lines waiting for a reader */
#define TTY_HISTORY 16
#define CTRL(c) ((c)&0x1F)
#define ASCII_ESC 0x1B
#define ASCII_DEL 0x7F

struct line {
	uint16_t len, pos; /* bytes, and how many a reader has taken */
	bool end;          /* Ctrl-D at a line's start: the reader gets 0 */
	char text[TTY_LINE_MAX + 1];
};

static struct line queue[TTY_QUEUE];
static unsigned head, count; /* queue[head] is the oldest finished line */
static char edit[TTY_LINE_MAX];
static unsigned edit_len;
static char history[TTY_HISTORY][TTY_LINE_MAX + 1];
static unsigned history_count, browsing; /* browsing: 0 = the line being typed, n = n lines back */
static enum { PLAIN, ESCAPE, CSI } state;
static uint64_t lost;
static bool (*interrupt_hook)(void);
static void (*ready_hook)(void);

static void echo(const char *s, size_t n)
{
	console_write(s, n);
}

static void erase_line(void)
{
	for (; edit_len; edit_len--)
		echo("\b \b", 3);
}

static void finish(bool newline, bool end)
{
	if (count == TTY_QUEUE) {
		lost += edit_len + newline;
	} else {
		struct line *l = &queue[(head + count++) % TTY_QUEUE];
		memcpy(l->text, edit, edit_len);
		l->len = (uint16_t)edit_len;
		if (newline)
			l->text[l->len++] = '\n';
		l->pos = 0;
		l->end = end;
	}
	const char *last = history_count ? history[(history_count - 1) % TTY_HISTORY] : "";
	bool repeat = strlen(last) == edit_len && memcmp(last, edit, edit_len) == 0;
	if (edit_len && newline && !repeat) { /* a line again after itself is kept once */
		memcpy(history[history_count % TTY_HISTORY], edit, edit_len);
		history[history_count % TTY_HISTORY][edit_len] = '\0';
		history_count++;
	}
	edit_len = 0;
	browsing = 0;
	if (ready_hook)
		ready_hook();
}

/* Up (older) or Down (newer): the line shown becomes that history line */
static void recall(int step)
{
	unsigned limit = history_count < TTY_HISTORY ? history_count : TTY_HISTORY;
	int want = (int)browsing + step;

	if (want < 0 || (unsigned)want > limit || (unsigned)want == browsing)
		return;
	browsing = (unsigned)want;
	erase_line();
	if (browsing) {
		const char *h = history[(history_count - browsing) % TTY_HISTORY];
		edit_len = (unsigned)strlen(h);
		memcpy(edit, h, edit_len);
		echo(edit, edit_len);
	}
}

static void escape_byte(char c)
{
	if (state == ESCAPE) {
		state = c == '[' ? CSI : PLAIN;
		return;
	}
	if (c >= '0' && c <= '9')
		return; /* a parameter (PgUp is ESC [ 5 ~): ignored */
	state = PLAIN;
	if (c == 'A')
		recall(1);
	else if (c == 'B')
		recall(-1);
}

static void byte(char c)
{
	if (state != PLAIN) {
		escape_byte(c);
		return;
	}
	switch (c) {
	case ASCII_ESC: state = ESCAPE; break;
	case '\n':
		echo("\n", 1);
		finish(true, false);
		break;
	case '\b':
	case ASCII_DEL:
		if (edit_len) {
			edit_len--;
			echo("\b \b", 3);
		}
		break;
	case CTRL('U'): erase_line(); break;
	case CTRL('D'): finish(false, edit_len == 0); break;
	case CTRL('C'):
		echo("^C\n", 3);
		edit_len = 0;
		browsing = 0;
		if (!interrupt_hook || !interrupt_hook())
			finish(true, false); /* nobody to interrupt: the reader gets an empty line */
		break;
	default:
		if ((unsigned char)c < ' ' && c != '\t')
			break; /* other control bytes mean nothing here */
		if (edit_len == TTY_LINE_MAX) {
			lost++;
			break;
		}
		edit[edit_len++] = c;
		echo(&c, 1);
	}
}

/* input.c's notify, in the interrupt that put the bytes */
static void drain(void)
{
	int c;

	while ((c = input_get()) >= 0)
		byte((char)c);
}

void tty_init(bool (*interrupt)(void), void (*line_ready)(void))
{
	interrupt_hook = interrupt;
	ready_hook = line_ready;
	input_set_notify(drain);
	drain(); /* what came before */
}

int tty_read(char *buf, uint32_t len)
{
	if (count == 0)
		return -1;
	struct line *l = &queue[head];
	uint32_t n = l->len - l->pos < len ? l->len - l->pos : len;
	memcpy(buf, l->text + l->pos, n);
	l->pos = (uint16_t)(l->pos + n);
	if (l->pos == l->len) {
		head = (head + 1) % TTY_QUEUE;
		count--;
	}
	return (int)n;
}

uint64_t tty_lost(void)
{
	return lost;
}
