/* sources: lib/string.c */
/* test_string.c - lib/string.c against glibc on random sizes, alignments
 * and overlaps, checking that nothing outside the destination changes. */
#include <string.h>

#include "check.h"
#include "lib.h"

#define MAX_N 4100 /* past a page, so every word/tail path is hit */
#define MAX_OFF 16 /* alignments 0..15 */
#define GUARD 64   /* bytes either side that must stay untouched */
/* room for memmove's source in the middle and a destination either side */
#define AREA (GUARD + 3 * MAX_N + 4 * MAX_OFF + GUARD)
#define ITERS 4000

static unsigned char area_lib[AREA], area_ref[AREA], src_area[AREA];

static int sign(int v)
{
	return (v > 0) - (v < 0);
}

/* Mostly small sizes (where the head/tail code lives), some large. */
static size_t rand_size(void)
{
	switch (check_rand_below(3)) {
	case 0: return check_rand_below(33);
	case 1: return check_rand_below(260);
	default: return check_rand_below(MAX_N + 1);
	}
}

static void fill_random(unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)check_rand();
}

/* Both areas get the same random contents, so comparing the whole areas
 * afterwards checks the result and that nothing else was written. */
static void reset_areas(void)
{
	fill_random(area_ref, AREA);
	memcpy(area_lib, area_ref, AREA);
}

static bool areas_match(const char *what, size_t n, size_t a, size_t b)
{
	for (size_t i = 0; i < AREA; i++) {
		if (area_lib[i] != area_ref[i])
			return CHECK_FAIL("%s n=%zu offsets %zu/%zu: byte %zu of the "
					  "area differs (0x%02x vs glibc 0x%02x)",
					  what, n, a, b, i, area_lib[i], area_ref[i]);
	}
	return true;
}

static void test_memcpy(void)
{
	fill_random(src_area, AREA);
	for (int it = 0; it < ITERS; it++) {
		size_t n = rand_size();
		size_t soff = GUARD + check_rand_below(MAX_OFF);
		size_t doff = GUARD + check_rand_below(MAX_OFF);
		void *ret;

		reset_areas();
		ret = lib_memcpy(area_lib + doff, src_area + soff, n);
		memcpy(area_ref + doff, src_area + soff, n);
		CHECK_EQ_PTR(ret, area_lib + doff);
		if (!areas_match("memcpy", n, soff, doff))
			return;
	}
}

/* Source and destination inside one area, overlapping either way. */
static void test_memmove(void)
{
	for (int it = 0; it < ITERS; it++) {
		size_t n = rand_size();
		size_t base = GUARD + 2 * MAX_OFF + MAX_N;
		size_t span = n + MAX_OFF;
		size_t soff = base - check_rand_below(MAX_OFF);
		size_t doff = soff + check_rand_below(2 * span + 1) - span;
		void *ret;

		if (it % 16 == 0)
			doff = soff; /* the degenerate full overlap */
		reset_areas();
		ret = lib_memmove(area_lib + doff, area_lib + soff, n);
		memmove(area_ref + doff, area_ref + soff, n);
		CHECK_EQ_PTR(ret, area_lib + doff);
		if (!areas_match("memmove", n, soff, doff))
			return;
	}
}

static void test_memset(void)
{
	for (int it = 0; it < ITERS; it++) {
		size_t n = rand_size();
		size_t doff = GUARD + check_rand_below(MAX_OFF);
		/* Any int: only the low byte may be used (C 7.24.6.1). */
		int c = (int)(uint32_t)check_rand();
		void *ret;

		if (it % 4 == 0)
			c &= 0xFF;
		reset_areas();
		ret = lib_memset(area_lib + doff, c, n);
		memset(area_ref + doff, c, n);
		CHECK_EQ_PTR(ret, area_lib + doff);
		if (!areas_match("memset", n, (size_t)c, doff))
			return;
	}
}

/* Equal prefixes with at most one differing byte, at any alignment. */
static void test_memcmp(void)
{
	unsigned char *a = area_lib, *b = area_ref;

	for (int it = 0; it < ITERS; it++) {
		size_t n = rand_size();
		unsigned char *pa = a + check_rand_below(MAX_OFF);
		unsigned char *pb = b + check_rand_below(MAX_OFF);
		int got, want;

		fill_random(pa, n);
		memcpy(pb, pa, n);
		if (n > 0 && check_rand_below(4) != 0) {
			size_t at = check_rand_below(n);

			/* xor keeps it different; high bits test unsigned compare */
			pb[at] ^= (unsigned char)(1 + check_rand_below(255));
		}
		got = lib_memcmp(pa, pb, n);
		want = memcmp(pa, pb, n);
		if (!CHECK_MSG(sign(got) == sign(want), "memcmp n=%zu: %d vs glibc %d", n, got, want))
			return;
	}
}

/* Writes a string of len non-NUL bytes (plus NUL) at p. */
static void random_string(char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (char)(1 + check_rand_below(255));
	p[len] = '\0';
}

static void test_strlen_strnlen(void)
{
	char *s = (char *)area_lib;

	for (int it = 0; it < ITERS; it++) {
		size_t len = rand_size();
		char *p = s + check_rand_below(MAX_OFF);
		size_t max = check_rand_below(len + 8);

		random_string(p, len);
		if (!CHECK_EQ_UINT(lib_strlen(p), strlen(p)) ||
		    !CHECK_EQ_UINT(lib_strnlen(p, max), strnlen(p, max)))
			return;
	}
	CHECK_EQ_UINT(lib_strnlen("abc", 0), 0);
	CHECK_EQ_UINT(lib_strnlen("abc", (size_t)-1), 3);
}

static void test_strcmp_strncmp(void)
{
	char *a = (char *)area_lib, *b = (char *)area_ref;

	for (int it = 0; it < ITERS; it++) {
		size_t len = rand_size();
		char *pa = a + check_rand_below(MAX_OFF);
		char *pb = b + check_rand_below(MAX_OFF);
		size_t n = check_rand_below(len + 4);

		random_string(pa, len);
		strcpy(pb, pa);
		if (len > 0 && check_rand_below(4) != 0) {
			size_t at = check_rand_below(len + 1);

			/* Sometimes end one string early, sometimes change a byte. */
			pb[at] = check_rand_below(4) == 0 ? '\0' : (char)(1 + check_rand_below(255));
		}
		if (!CHECK_MSG(sign(lib_strcmp(pa, pb)) == sign(strcmp(pa, pb)), "strcmp len=%zu",
			       len) ||
		    !CHECK_MSG(sign(lib_strncmp(pa, pb, n)) == sign(strncmp(pa, pb, n)),
			       "strncmp len=%zu n=%zu", len, n))
			return;
	}
	CHECK(lib_strcmp("", "") == 0);
	CHECK(lib_strcmp("a", "\xff") < 0);
	CHECK(lib_strncmp("abc", "abd", 2) == 0);
	CHECK(lib_strncmp("abc", "xyz", 0) == 0);
}

static void test_strchr(void)
{
	char *s = (char *)area_lib;

	for (int it = 0; it < ITERS; it++) {
		size_t len = check_rand_below(300);
		char *p = s + check_rand_below(MAX_OFF);
		int c;

		random_string(p, len);
		switch (check_rand_below(4)) {
		case 0: c = 0; break; /* the NUL */
		case 1: c = (unsigned char)p[check_rand_below(len + 1)]; break;
		case 2: c = (int)(1 + check_rand_below(255)) - 256; break; /* <0 */
		default: c = (int)check_rand_below(256) + 256; break;      /* >255 */
		}
		if (!CHECK_MSG(lib_strchr(p, c) == strchr(p, c), "strchr len=%zu c=%d", len, c))
			return;
	}
}

int main(void)
{
	check_seed(20240601);
	RUN(test_memcpy);
	RUN(test_memmove);
	RUN(test_memset);
	RUN(test_memcmp);
	RUN(test_strlen_strnlen);
	RUN(test_strcmp_strncmp);
	RUN(test_strchr);
	return check_done();
}
