/* sources: lib/kprintf.c lib/format.c lib/string.c */
/* test_kprintf.c - kprintf delivers exactly the formatted text, in chunks,
 * to the registered output, and drops it when there is none. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "lib.h"

static char captured[8192];
static size_t captured_len;
static int writes;
static size_t largest_write;

static void capture(const char *s, size_t n)
{
	if (captured_len + n <= sizeof captured)
		memcpy(captured + captured_len, s, n);
	captured_len += n;
	writes++;
	if (n > largest_write)
		largest_write = n;
}

static void reset(void)
{
	captured_len = 0;
	writes = 0;
	largest_write = 0;
}

static int via_kvprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvprintf(fmt, ap);
	va_end(ap);
	return n;
}

static void test_no_output_drops(void)
{
	kprintf_set_output(NULL);
	reset();
	CHECK_EQ_INT(kprintf("dropped %d\n", 42), 11);
	CHECK_EQ_INT(writes, 0);
}

static void test_short_line(void)
{
	kprintf_set_output(capture);
	reset();
	CHECK_EQ_INT(kprintf("cpu%d: %s at %x\n", 0, "ready", 0xbeefu), 20);
	CHECK_EQ_UINT(captured_len, 20);
	CHECK_EQ_MEM(captured, "cpu0: ready at beef\n", 20);
	CHECK_EQ_INT(writes, 1);
	reset();
	CHECK_EQ_INT(kprintf("%s", ""), 0);
	CHECK_EQ_INT(writes, 0);
}

/* Output longer than the internal buffer arrives whole and in order. */
static void test_long_output(void)
{
	char want[4096];
	char big[3000];
	int n;

	for (size_t i = 0; i < sizeof big - 1; i++)
		big[i] = (char)('a' + i % 26);
	big[sizeof big - 1] = '\0';
	snprintf(want, sizeof want, "<%s|%-40d|%llu>", big, -7, 18446744073709551615ULL);
	kprintf_set_output(capture);
	reset();
	n = via_kvprintf("<%s|%-40d|%llu>", big, -7, 18446744073709551615ULL);
	CHECK_EQ_INT(n, strlen(want));
	CHECK_EQ_UINT(captured_len, strlen(want));
	CHECK_EQ_MEM(captured, want, strlen(want));
	CHECK_MSG(writes > 1, "expected several chunks, got %d write", writes);
	CHECK_MSG(largest_write <= 256, "a single write of %zu bytes", largest_write);
	kprintf_set_output(NULL);
}

int main(void)
{
	RUN(test_no_output_drops);
	RUN(test_short_line);
	RUN(test_long_output);
	return check_done();
}
