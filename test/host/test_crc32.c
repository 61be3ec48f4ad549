/* sources: lib/crc32.c */
/* test_crc32.c - lib/crc32.c against check values, a bitwise reference and,
 * when the system has it, zlib's crc32() (loaded at run time). */
#include <dlfcn.h>

#include "check.h"
#include "lib.h"

#define BIG 5000

static unsigned char data[BIG + 16];

/* The definition itself, one bit at a time: slow but obviously right. */
static uint32_t ref_crc32(const unsigned char *p, size_t n)
{
	uint32_t crc = 0xFFFFFFFFu;

	while (n-- > 0) {
		crc ^= *p++;
		for (int bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ ((crc & 1u) ? 0xEDB88320u : 0u);
	}
	return crc ^ 0xFFFFFFFFu;
}

static void test_check_values(void)
{
	CHECK_EQ_UINT(lib_crc32("123456789", 9), 0xCBF43926u);
	CHECK_EQ_UINT(lib_crc32("", 0), 0);
	CHECK_EQ_UINT(lib_crc32(NULL, 0), 0);
	CHECK_EQ_UINT(lib_crc32_update(0, "123456789", 9), 0xCBF43926u);
	CHECK_EQ_UINT(lib_crc32("a", 1), 0xE8B7BE43u);
	CHECK_EQ_UINT(lib_crc32("The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
}

static void test_against_reference(void)
{
	for (int it = 0; it < 2000; it++) {
		size_t n = check_rand_below(it < 300 ? 40 : BIG);
		unsigned char *p = data + check_rand_below(16);

		for (size_t i = 0; i < n; i++)
			p[i] = (unsigned char)check_rand();
		if (!CHECK_MSG(lib_crc32(p, n) == ref_crc32(p, n),
			       "length %zu: 0x%08x vs reference 0x%08x", n, lib_crc32(p, n),
			       ref_crc32(p, n)))
			return;
	}
}

/* Splitting the input anywhere must not change the result. */
static void test_incremental(void)
{
	size_t n = 1000;
	uint32_t whole;

	for (size_t i = 0; i < n; i++)
		data[i] = (unsigned char)check_rand();
	whole = lib_crc32(data, n);
	for (size_t cut = 0; cut <= n; cut++) {
		uint32_t crc = lib_crc32_update(0, data, cut);

		crc = lib_crc32_update(crc, data + cut, n - cut);
		if (!CHECK_MSG(crc == whole, "split at %zu", cut))
			return;
	}
	for (int it = 0; it < 200; it++) { /* many random pieces */
		uint32_t crc = 0;

		for (size_t at = 0, step; at < n; at += step) {
			step = 1 + check_rand_below(64);
			if (step > n - at)
				step = n - at;
			crc = lib_crc32_update(crc, data + at, step);
		}
		if (!CHECK_EQ_UINT(crc, whole))
			return;
	}
}

typedef unsigned long (*zlib_crc32_fn)(unsigned long crc, const unsigned char *buf, unsigned int len);
static zlib_crc32_fn zlib_crc32;

static void test_against_zlib(void)
{
	for (int it = 0; it < 1000; it++) {
		size_t n = check_rand_below(BIG);
		unsigned long prev = check_rand() & 0xFFFFFFFFu;

		for (size_t i = 0; i < n; i++)
			data[i] = (unsigned char)check_rand();
		if (!CHECK_EQ_UINT(lib_crc32_update((uint32_t)prev, data, n),
				   zlib_crc32(prev, data, (unsigned int)n)))
			return;
	}
}

int main(void)
{
	void *zlib = dlopen("libz.so.1", RTLD_NOW);

	check_seed(32);
	RUN(test_check_values);
	RUN(test_against_reference);
	RUN(test_incremental);
	if (zlib != NULL)
		zlib_crc32 = (zlib_crc32_fn)dlsym(zlib, "crc32");
	if (zlib_crc32 != NULL)
		RUN(test_against_zlib);
	else
		check_skip("test_against_zlib", "libz.so.1 not available");
	return check_done();
}
