/* test_lib.c: lib/ as the kernel build compiled it (i586, freestanding). */
#include "ktest.h"
#include "lib.h"

static uint8_t a[300], b[300];

static void memcpy_every_size_and_offset(struct ktest *t)
{
	for (unsigned i = 0; i < sizeof a; i++)
		a[i] = (uint8_t)(i * 7 + 1);
	for (unsigned off = 0; off < 8; off++)
		for (unsigned n = 0; n < 64; n++) {
			memset(b, 0xEE, sizeof b);
			memcpy(b + off, a + (7 - off), n);
			EXPECT(t, memcmp(b + off, a + (7 - off), n) == 0);
			EXPECT_EQ(t, b[off + n], 0xEE);
		}
}

static void memmove_overlap_both_ways(struct ktest *t)
{
	for (unsigned i = 0; i < sizeof a; i++)
		a[i] = (uint8_t)i;
	memmove(a + 3, a, 200);
	EXPECT_EQ(t, a[3], 0);
	EXPECT_EQ(t, a[202], 199);
	for (unsigned i = 0; i < sizeof a; i++)
		a[i] = (uint8_t)i;
	memmove(a, a + 5, 200);
	EXPECT_EQ(t, a[0], 5);
	EXPECT_EQ(t, a[199], 204);
}

static void snprintf_64bit_and_widths(struct ktest *t)
{
	char buf[64];
	snprintf(buf, sizeof buf, "%llu|%08x|%-4s|%lld", 18446744073709551615ull, 0xABCu, "ab",
		 -9223372036854775807ll - 1);
	EXPECT(t, strcmp(buf, "18446744073709551615|00000abc|ab  |-9223372036854775808") == 0);
}

static void crc32_check_value(struct ktest *t)
{
	EXPECT_EQ(t, crc32("123456789", 9), 0xCBF43926u);
}

KTEST_SUITE(lib_suite, "lib", KTEST_CASE(memcpy_every_size_and_offset),
	    KTEST_CASE(memmove_overlap_both_ways), KTEST_CASE(snprintf_64bit_and_widths),
	    KTEST_CASE(crc32_check_value));
