/* cmd.c: the conventions every command in /BIN keeps (ucmd.h): -h, one-line
 * messages on fd 2, status 2 for bad input and 1 for a failure at run time. */
#include "ulib.h"

#define STATUS_BAD_INPUT 2
#define STATUS_FAILED 1
#define MESSAGE_MAX 200

static const struct command *current;

void cmd_start(const struct command *cmd, int argc, char **argv)
{
	current = cmd;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0) {
			printf("usage: %s\n%s", cmd->usage, cmd->about);
			exit(0);
		}
}

void cmd_start_no_arguments(const struct command *cmd, int argc, char **argv)
{
	cmd_start(cmd, argc, argv);
	if (argc > 1)
		cmd_bad("unexpected argument '%s'", argv[1]);
}

/* "NAME: MESSAGE" and the tail, cut to one line, in one write so that it
 * stays whole beside other processes' output */
static void say(const char *tail, const char *fmt, va_list ap)
{
	char line[MESSAGE_MAX];
	size_t used = (size_t)snprintf(line, sizeof(line), "%s: ", current ? current->name : "?");

	/* snprintf answers what it would have written: cap at what fits */
	if (used < sizeof(line))
		used += (size_t)vsnprintf(line + used, sizeof(line) - used, fmt, ap);
	if (used < sizeof(line))
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s", tail);
	if (used > sizeof(line) - 1)
		used = sizeof(line) - 1;
	line[used++] = '\n'; /* over the NUL */
	sys_write(FD_STDERR, line, (uint32_t)used);
}

void cmd_bad(const char *fmt, ...)
{
	char tail[MESSAGE_MAX / 2];
	va_list ap;

	snprintf(tail, sizeof(tail), " (usage: %s)", current ? current->usage : "?");
	va_start(ap, fmt);
	say(tail, fmt, ap);
	va_end(ap);
	exit(STATUS_BAD_INPUT);
}

void cmd_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
	exit(STATUS_FAILED);
}

void cmd_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say("", fmt, ap);
	va_end(ap);
}

uint32_t cmd_number(const char *arg, const char *what)
{
	uint32_t value;
	int err = parse_u32(arg, &value);

	if (err == ERR_RANGE)
		cmd_bad("%s %s is too big: at most 0xFFFFFFFF", what, arg);
	if (err < 0)
		cmd_bad("%s '%s' is not a number (decimal, or hex with 0x)", what, arg);
	return value;
}

void cmd_meminfo(struct vls_meminfo *info)
{
	int err = sys_meminfo(info, sizeof(*info));

	if (err < 0)
		cmd_fail("the kernel's figures are not available: %s", error_name(err));
}

int cmd_path_status(int err)
{
	switch (err) {
	case ERR_NOENT:
	case ERR_NOTDIR:
	case ERR_ISDIR:
	case ERR_TOOBIG:
	case ERR_INVAL: return STATUS_BAD_INPUT;
	default: return STATUS_FAILED;
	}
}

void cmd_hexdump(uint32_t addr, const uint8_t *bytes, uint32_t len)
{
	char line[HEXDUMP_LINE_LEN];

	for (uint32_t done = 0; done < len; done += HEXDUMP_WIDTH) {
		hexdump_format(line, addr + done, bytes + done, len - done);
		printf("%s\n", line);
	}
}
