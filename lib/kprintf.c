/* kprintf.c - kernel console printf: formats with format() into a small
 * stack buffer and hands full chunks to the registered output function. */
#include "lib.h"

static kprintf_write_fn output;

/* Large enough that a typical line is one write; small enough for any
 * kernel stack, interrupt handlers included. */
#define CHUNK 128

struct chunk {
	kprintf_write_fn write;
	size_t len;
	char buf[CHUNK];
};

static void chunk_flush(struct chunk *c)
{
	if (c->write != NULL && c->len > 0)
		c->write(c->buf, c->len);
	c->len = 0;
}

static void chunk_put(char ch, void *ctx)
{
	struct chunk *c = ctx;

	c->buf[c->len++] = ch;
	if (c->len == CHUNK)
		chunk_flush(c);
}

void kprintf_set_output(kprintf_write_fn write)
{
	output = write;
}

int kvprintf(const char *fmt, va_list ap)
{
	/* Snapshot the output so one call never mixes two destinations; with
     * none set the text is still formatted (for the count) and dropped. */
	struct chunk c;
	int n;

	c.write = output; /* field by field: buf needs no zeroing */
	c.len = 0;
	n = format(chunk_put, &c, fmt, ap);

	chunk_flush(&c);
	return n;
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}
