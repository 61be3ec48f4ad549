/* stdio.c: printf and friends over lib/format.c. Each call gathers its output
 * in a buffer on its stack and writes it at every newline, when the buffer is
 * full and before it returns: a line from one call is one write (whole on the
 * console even with other processes printing), and nothing is held between
 * calls, so exit needs no flush. Write errors are ignored. */
#include "ulib.h"

#define LINE_BUFFER 256

struct line_out {
	int fd;
	uint32_t used;
	char buf[LINE_BUFFER];
};

static void line_flush(struct line_out *out)
{
	if (out->used > 0)
		sys_write(out->fd, out->buf, out->used);
	out->used = 0;
}

static void line_put(char c, void *ctx)
{
	struct line_out *out = ctx;

	out->buf[out->used++] = c;
	if (c == '\n' || out->used == sizeof(out->buf))
		line_flush(out);
}

int vfprintf(int fd, const char *fmt, va_list ap)
{
	struct line_out out = { .fd = fd, .used = 0 };
	int n = format(line_put, &out, fmt, ap);

	line_flush(&out);
	return n;
}

int fprintf(int fd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vfprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vfprintf(FD_STDOUT, fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}

int putchar(int c)
{
	unsigned char byte = (unsigned char)c;

	sys_write(FD_STDOUT, &byte, 1);
	return byte;
}
