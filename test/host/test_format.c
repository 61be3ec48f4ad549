/* sources: lib/format.c lib/string.c */
/* test_format.c - lib/format.c against glibc's snprintf on generated
 * format strings, at every truncation size, plus the lib-specific cases. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "lib.h"

#define BUF 512

/* Argument types a generated format can take. */
enum argtype { A_INT, A_UINT, A_LONG, A_ULONG, A_LLONG, A_ULLONG, A_SIZE, A_STR };

static char got[BUF + 64], want[BUF];
static int want_len; /* glibc's return value for the current case */
static int cases_run;

/*
 * Compares lib_snprintf with glibc for one format and argument list: the
 * full output and return value, then every buffer size from 0 to one past
 * the length, checking the NUL and that nothing beyond `size` is written.
 */
#define COMPARE(fmt, ...)                                                                              \
	do {                                                                                           \
		want_len = snprintf(want, BUF, (fmt), __VA_ARGS__);                                    \
		compare((fmt), lib_snprintf(got, BUF, (fmt), __VA_ARGS__));                            \
		for (int sz_ = 0; sz_ <= want_len + 1 && sz_ < BUF; sz_++) {                           \
			memset(got, 0xA5, sizeof got);                                                 \
			truncated(                                                                     \
				(fmt), (size_t)sz_,                                                    \
				lib_snprintf(sz_ == 0 ? NULL : got, (size_t)sz_, (fmt), __VA_ARGS__)); \
		}                                                                                      \
	} while (0)

static void compare(const char *fmt, int got_n)
{
	cases_run++;
	/* Outputs may contain NUL (from %c), so compare by length. */
	CHECK_MSG(got_n == want_len && want_len < BUF && memcmp(got, want, (size_t)want_len + 1) == 0,
		  "fmt \"%s\": \"%s\" (%d) vs glibc \"%s\" (%d)", fmt, got, got_n, want, want_len);
}

static void truncated(const char *fmt, size_t size, int n)
{
	size_t keep = size == 0 ? 0 : size - 1;

	if (keep > (size_t)want_len)
		keep = (size_t)want_len;
	if (!CHECK_MSG(n == want_len, "fmt \"%s\" size %zu: returned %d, not %d", fmt, size, n,
		       want_len))
		return;
	if (size > 0)
		CHECK_MSG(memcmp(got, want, keep) == 0 && got[keep] == '\0',
			  "fmt \"%s\" size %zu: bad prefix or missing NUL", fmt, size);
	for (size_t i = size; i < sizeof got; i++) {
		if (got[i] != (char)0xA5) {
			CHECK_FAIL("fmt \"%s\" size %zu: wrote byte %zu", fmt, size, i);
			return;
		}
	}
}

/* Values around every boundary a conversion or length modifier has. */
static const unsigned long long interesting[] = {
	0,
	1,
	7,
	8,
	9,
	10,
	15,
	16,
	99,
	100,
	127,
	128,
	255,
	256,
	1000,
	4095,
	32767,
	32768,
	65535,
	65536,
	999999,
	1000000,
	0x7FFFFFFF,
	0x80000000,
	0xFFFFFFFF,
	0x100000000,
	9999999999ULL,
	0x7FFFFFFFFFFFFFFF,
	0x8000000000000000,
	0xFFFFFFFFFFFFFFFF,
	10000000000000000000ULL,
	0xFFFFFFFFFFFFFFFE,
	0xDEADBEEFCAFEBABE,
	(unsigned long long)-1000,
	(unsigned long long)INT_MIN,
	(unsigned long long)LLONG_MIN,
	(unsigned long long)-1,
	(unsigned long long)-128,
	(unsigned long long)-129,
};
#define N_INTERESTING (sizeof interesting / sizeof interesting[0])

static unsigned long long pick_value(void)
{
	unsigned long long v = check_rand();

	switch (check_rand_below(4)) {
	case 0: return v >> check_rand_below(64);       /* any magnitude */
	case 1: return 0 - (v >> check_rand_below(64)); /* negative if signed */
	default: return interesting[check_rand_below(N_INTERESTING)];
	}
}

static const char *const strings[] = {
	"",
	"a",
	"hi",
	"hello",
	"hello, world",
	"0123456789abcdefghij",
	"\xff\x80 high bytes",
	"a much longer string that beats any width",
};

/* Calls COMPARE with `val` preceded by the '*' arguments the format has. */
#define WITH_STARS(fmt, stars, w, p, val)        \
	do {                                     \
		if (stars == 0)                  \
			COMPARE(fmt, val);       \
		else if (stars == 1)             \
			COMPARE(fmt, w, val);    \
		else if (stars == 2)             \
			COMPARE(fmt, p, val);    \
		else                             \
			COMPARE(fmt, w, p, val); \
	} while (0)

static void run_one(const char *fmt, int stars, int w, int p, enum argtype t, unsigned long long v)
{
	switch (t) {
	case A_INT: WITH_STARS(fmt, stars, w, p, (int)v); break;
	case A_UINT: WITH_STARS(fmt, stars, w, p, (unsigned)v); break;
	case A_LONG: WITH_STARS(fmt, stars, w, p, (long)v); break;
	case A_ULONG: WITH_STARS(fmt, stars, w, p, (unsigned long)v); break;
	case A_LLONG: WITH_STARS(fmt, stars, w, p, (long long)v); break;
	case A_ULLONG: WITH_STARS(fmt, stars, w, p, v); break;
	case A_SIZE: WITH_STARS(fmt, stars, w, p, (size_t)v); break;
	case A_STR:
		WITH_STARS(fmt, stars, w, p, strings[v % (sizeof strings / sizeof strings[0])]);
		break;
	}
}

/* Appends flags, width and precision (maybe as '*') to fmt. */
static int add_field(char **f, int *w, int *p)
{
	static const char *const flags[] = { "", "-", "0", "-0", "0-", "00" };
	static const int widths[] = { 0, 1, 2, 5, 11, 20, 25 };
	int stars = 0;

	*f += sprintf(*f, "%s", flags[check_rand_below(6)]);
	*w = (int)check_rand_below(31) - 10; /* negative: '*' implies '-' */
	if (check_rand_below(4) == 0) {
		stars |= 1;
		*(*f)++ = '*';
	} else if (check_rand_below(3) != 0) {
		*f += sprintf(*f, "%d", widths[check_rand_below(7)]);
	}
	*p = (int)check_rand_below(30) - 5; /* negative: no precision */
	if (check_rand_below(2) == 0) {
		*(*f)++ = '.';
		if (check_rand_below(4) == 0) {
			stars |= 2;
			*(*f)++ = '*';
		} else if (check_rand_below(5) != 0) { /* bare '.' means .0 */
			*f += sprintf(*f, "%d", (int)check_rand_below(25));
		}
	}
	return stars;
}

/* The argument type an integer conversion reads for a length modifier. */
static enum argtype int_type(const char *len, bool is_signed)
{
	if (strcmp(len, "l") == 0)
		return is_signed ? A_LONG : A_ULONG;
	if (strcmp(len, "ll") == 0)
		return is_signed ? A_LLONG : A_ULLONG;
	if (strcmp(len, "z") == 0)
		return A_SIZE;
	return is_signed ? A_INT : A_UINT; /* hh and h take promoted ints */
}

static void test_generated(void)
{
	static const char *const lens[] = { "", "hh", "h", "l", "ll", "z" };
	static const char convs[] = "diuxXcs";

	for (int it = 0; it < 20000; it++) {
		char fmt[64], *f = fmt;
		char conv = convs[check_rand_below(sizeof convs - 1)];
		const char *len = "";
		enum argtype t = A_INT;
		int w, p, stars;

		f += sprintf(f, "%s%%", check_rand_below(2) ? "<" : "");
		stars = add_field(&f, &w, &p);
		if (conv == 's') {
			t = A_STR;
		} else if (conv != 'c') {
			len = lens[check_rand_below(6)];
			t = int_type(len, conv == 'd' || conv == 'i');
		}
		sprintf(f, "%s%c%s", len, conv, check_rand_below(2) ? ">" : "");
		run_one(fmt, stars, w, p, t, pick_value());
	}
	CHECK_MSG(cases_run >= 20000, "only %d cases ran", cases_run);
}

/* Every interesting value through every integer conversion and length. */
static void test_extremes(void)
{
	static const char *const fmts[] = {
		"%d",      "%i",        "%u",   "%x",     "%X",     "%hhd", "%hhu",    "%hhx",
		"%hd",     "%hu",       "%hX",  "%ld",    "%lu",    "%lx",  "%lld",    "%lli",
		"%llu",    "%llx",      "%llX", "%zu",    "%zx",    "%zd",  "%025lld", "%-25llu|",
		"%.22llx", "%30.25lld", "%.0d", "%.0llu", "%5.0x|",
	};

	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		const char *fmt = fmts[i];
		const char *len = fmt + strspn(fmt, "%-0123456789.");
		bool sgn = strpbrk(fmt, "di") != NULL;

		for (size_t j = 0; j < N_INTERESTING; j++)
			run_one(fmt, 0, 0, 0,
				int_type(strncmp(len, "ll", 2) == 0 ? "ll"
					 : *len == 'l'              ? "l"
					 : *len == 'z'              ? "z"
								    : "",
					 sgn),
				interesting[j]);
	}
}

static void test_fixed(void)
{
	COMPARE("%d %d %d", INT_MIN, INT_MAX, 0);
	COMPARE("%lld|%llu|%llx", LLONG_MIN, ULLONG_MAX, ULLONG_MAX);
	COMPARE("%s=%d, %c%c%%, %5s|%-5s|", "x", -42, 'o', 'k', "ab", "cd");
	COMPARE("%c|%3c|%-3c|", 0, 255, 'q');
	COMPARE("%*d|%-*d|%.*d|%*.*s|", 6, 42, 6, 42, 4, 7, -8, 2, "abc");
	COMPARE("%.0s|%.1s|%.100s|", "abc", "abc", "abc");
	COMPARE("no conversions at all%s", "");
	COMPARE("%hhd %hhu %hd %hu", 300, -1, 70000, -1);
	COMPARE("%zu %zd %zx", (size_t)-1, (size_t)-1, (size_t)12345);
}

/* Things glibc does differently by design, checked against fixed text. */
static void expect(const char *want_s, int want_n, const char *fmt, ...)
{
	char out[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = lib_vsnprintf(out, sizeof out, fmt, ap);
	va_end(ap);
	CHECK_MSG(n == want_n && strcmp(out, want_s) == 0,
		  "fmt \"%s\": \"%s\" (%d), expected \"%s\" (%d)", fmt, out, n, want_s, want_n);
}

static void test_lib_specific(void)
{
	char hex[64], padded[160];

	/* NULL strings print "(null)" whatever glibc does with a precision. */
	expect("(null)", 6, "%s", (char *)NULL);
	expect("  (null)|", 9, "%8s|", (char *)NULL);
	/* Unknown conversions are copied verbatim and consume nothing. */
	expect("%q %5q %+d 7", 12, "%q %5q %+d %d", 7);
	expect("100%", 4, "100%");
	expect("ab%l", 4, "ab%l");
	expect("%", 1, "%%");

	/* %p: "0x" and 2*sizeof(void *) digits (8 on i386, 16 on x86-64). */
	snprintf(hex, sizeof hex, "0x%0*jx", (int)(2 * sizeof(void *)), (uintmax_t)(uintptr_t)&hex);
	expect(hex, (int)strlen(hex), "%p", (void *)&hex);
	snprintf(hex, sizeof hex, "0x%0*d", (int)(2 * sizeof(void *)), 0);
	expect(hex, (int)strlen(hex), "%p", (void *)NULL);
	snprintf(padded, sizeof padded, "[%30s][%-30s]", hex, hex);
	expect(padded, (int)strlen(padded), "[%30p][%-30p]", NULL, NULL);
	snprintf(padded, sizeof padded, "[0x%028x]", 0x1234);
	expect(padded, 32, "[%030p]", (void *)0x1234);
}

/* format() itself: every character reaches the sink, in order. */
struct collect {
	char buf[BUF];
	size_t n;
};

static void collect_put(char c, void *ctx)
{
	struct collect *col = ctx;

	if (col->n < sizeof col->buf)
		col->buf[col->n] = c;
	col->n++;
}

static int call_format(struct collect *col, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = format(collect_put, col, fmt, ap);
	va_end(ap);
	return n;
}

static void test_format_sink(void)
{
	struct collect col = { .n = 0 };
	int n = call_format(&col, "%s-%05d-%llx", "sink", -12, 0x1234567890ULL);
	const char *want_s = "sink--0012-1234567890";

	CHECK_EQ_INT(n, strlen(want_s));
	CHECK_EQ_UINT(col.n, strlen(want_s));
	CHECK_EQ_MEM(col.buf, want_s, strlen(want_s));
	col.n = 0;
	CHECK_EQ_INT(call_format(&col, "%s", ""), 0);
	CHECK_EQ_UINT(col.n, 0);
}

int main(void)
{
	check_seed(4242);
	RUN(test_fixed);
	RUN(test_extremes);
	RUN(test_generated);
	RUN(test_lib_specific);
	RUN(test_format_sink);
	return check_done();
}
