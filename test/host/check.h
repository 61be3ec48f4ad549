/* check.h - tiny header-only TAP harness shared by the C host tests.
 * Output follows TAP 13: "ok N - name" / "not ok N - name: detail". */
#ifndef VLSOS_CHECK_H
#define VLSOS_CHECK_H

/*
 * Usage (include from exactly one translation unit per test program):
 *
 *     #include "check.h"
 *
 *     static void test_add(void)
 *     {
 *         CHECK(add(0, 0) == 0);
 *         CHECK_EQ_INT(add(2, 2), 4);
 *         if (!CHECK_EQ_UINT(size, 16))    // every CHECK is a bool:
 *             return;                      // stop the case if later
 *     }                                    // checks make no sense
 *
 *     int main(void)
 *     {
 *         check_seed(12345);      // optional: seeds check_rand()
 *         RUN(test_add);
 *         return check_done();   // non-zero if any case failed
 *     }
 *
 * A case is a void(void) function; every case runs even after another one
 * failed, and a case keeps running after a failed CHECK (use the returned
 * bool to bail out).  Each failure records file:line and the values
 * involved; the first one goes on the "not ok" line, later ones (up to
 * CHECK_MAX_DIAG per case) are printed as "# " diagnostic lines.
 *
 * Checks:
 *   CHECK(cond)                      plain condition
 *   CHECK_MSG(cond, fmt, ...)        condition with a printf-style detail
 *   CHECK_EQ_INT(a, b)               signed integers (intmax_t)
 *   CHECK_EQ_UINT(a, b)              unsigned integers, shown in dec and hex
 *   CHECK_EQ_PTR(a, b)               pointers
 *   CHECK_EQ_STR(a, b)               NUL-terminated strings (NULL allowed)
 *   CHECK_EQ_MEM(a, b, n)            n bytes; reports the first difference
 *   CHECK_FAIL(fmt, ...)             unconditional failure with detail
 *
 * Randomness: check_seed(default) seeds a xorshift64* generator, honouring
 * the environment variable CHECK_SEED if set, and prints the seed so a
 * failing run can be repeated.  check_rand() returns 64 random bits,
 * check_rand_below(n) a value in [0, n).
 *
 * Skipping: check_skip(name, reason) reports a case as "ok N - name # SKIP".
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CHECK_MAX_DIAG
#define CHECK_MAX_DIAG 10
#endif

static struct {
	int cases; /* cases reported so far */
	int failed_cases;
	int case_failures; /* failures in the running case */
	bool in_case;
	char first[512]; /* detail of the case's first failure */
	uint64_t rng;
} check_state = { .rng = 0x9E3779B97F4A7C15u };

static inline void check_vfail(const char *file, int line, const char *fmt, va_list ap)
{
	char msg[448];

	vsnprintf(msg, sizeof msg, fmt, ap);
	check_state.case_failures++;
	if (!check_state.in_case) {
		/* A failure in main() has no case line; make it fail the run. */
		check_state.failed_cases++;
		printf("# %s:%d: %s (outside any case)\n", file, line, msg);
	} else if (check_state.case_failures == 1) {
		snprintf(check_state.first, sizeof check_state.first, "%s:%d: %s", file, line, msg);
	} else if (check_state.case_failures <= CHECK_MAX_DIAG) {
		printf("#   %s:%d: %s\n", file, line, msg);
	}
	fflush(stdout);
}

static inline __attribute__((format(printf, 3, 4))) bool check_fail(const char *file, int line,
								    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vfail(file, line, fmt, ap);
	va_end(ap);
	return false;
}

static inline bool check_eq_int(intmax_t a, intmax_t b, const char *ea, const char *eb, const char *file,
				int line)
{
	if (a == b)
		return true;
	return check_fail(file, line, "%s == %s (%jd vs %jd)", ea, eb, a, b);
}

static inline bool check_eq_uint(uintmax_t a, uintmax_t b, const char *ea, const char *eb,
				 const char *file, int line)
{
	if (a == b)
		return true;
	return check_fail(file, line, "%s == %s (%ju/0x%jx vs %ju/0x%jx)", ea, eb, a, a, b, b);
}

static inline bool check_eq_ptr(const void *a, const void *b, const char *ea, const char *eb,
				const char *file, int line)
{
	if (a == b)
		return true;
	return check_fail(file, line, "%s == %s (%p vs %p)", ea, eb, a, b);
}

static inline bool check_eq_str(const char *a, const char *b, const char *ea, const char *eb,
				const char *file, int line)
{
	if (a == b || (a != NULL && b != NULL && strcmp(a, b) == 0))
		return true;
	return check_fail(file, line, "%s == %s (\"%s\" vs \"%s\")", ea, eb, a ? a : "(null)",
			  b ? b : "(null)");
}

static inline bool check_eq_mem(const void *a, const void *b, size_t n, const char *ea, const char *eb,
				const char *file, int line)
{
	const unsigned char *p = a, *q = b;

	for (size_t i = 0; i < n; i++) {
		if (p[i] != q[i])
			return check_fail(file, line,
					  "%s == %s over %zu bytes (first difference "
					  "at %zu: 0x%02x vs 0x%02x)",
					  ea, eb, n, i, p[i], q[i]);
	}
	return true;
}

#define CHECK(cond) ((cond) ? true : check_fail(__FILE__, __LINE__, "%s", #cond))
#define CHECK_MSG(cond, ...) ((cond) ? true : check_fail(__FILE__, __LINE__, __VA_ARGS__))
#define CHECK_FAIL(...) check_fail(__FILE__, __LINE__, __VA_ARGS__)
#define CHECK_EQ_INT(a, b) check_eq_int((intmax_t)(a), (intmax_t)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_EQ_UINT(a, b) check_eq_uint((uintmax_t)(a), (uintmax_t)(b), #a, #b, __FILE__, __LINE__)
#define CHECK_EQ_PTR(a, b) check_eq_ptr((a), (b), #a, #b, __FILE__, __LINE__)
#define CHECK_EQ_STR(a, b) check_eq_str((a), (b), #a, #b, __FILE__, __LINE__)
#define CHECK_EQ_MEM(a, b, n) check_eq_mem((a), (b), (n), #a, #b, __FILE__, __LINE__)

/* Runs one case and prints its TAP line. */
static inline void check_run(const char *name, void (*fn)(void))
{
	check_state.in_case = true;
	check_state.case_failures = 0;
	fn();
	check_state.in_case = false;
	check_state.cases++;
	if (check_state.case_failures == 0) {
		printf("ok %d - %s\n", check_state.cases, name);
	} else {
		check_state.failed_cases++;
		if (check_state.case_failures > CHECK_MAX_DIAG)
			printf("#   ... %d more failures\n", check_state.case_failures - CHECK_MAX_DIAG);
		printf("not ok %d - %s: %s%s\n", check_state.cases, name, check_state.first,
		       check_state.case_failures > 1 ? " (and more, see above)" : "");
	}
	fflush(stdout);
}

#define RUN(fn) check_run(#fn, fn)

static inline void check_skip(const char *name, const char *reason)
{
	check_state.cases++;
	printf("ok %d - %s # SKIP %s\n", check_state.cases, name, reason);
	fflush(stdout);
}

/* Prints the plan and returns the process exit status. */
static inline int check_done(void)
{
	printf("1..%d\n", check_state.cases);
	if (check_state.failed_cases > 0)
		printf("# %d of %d failed\n", check_state.failed_cases, check_state.cases);
	fflush(stdout);
	return check_state.failed_cases > 0 ? 1 : 0;
}

static inline void check_seed(uint64_t seed)
{
	const char *env = getenv("CHECK_SEED");

	if (env != NULL && *env != '\0')
		seed = strtoull(env, NULL, 0);
	printf("# seed %" PRIu64 " (set CHECK_SEED=%" PRIu64 " to repeat)\n", seed, seed);
	check_state.rng = seed != 0 ? seed : 1; /* xorshift state must be != 0 */
}

static inline uint64_t check_rand(void)
{
	uint64_t x = check_state.rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	check_state.rng = x;
	return x * 0x2545F4914F6CDD1Du;
}

static inline uint64_t check_rand_below(uint64_t n)
{
	return n == 0 ? 0 : check_rand() % n;
}

#endif /* VLSOS_CHECK_H */
