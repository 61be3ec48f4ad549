/* ktest.h: the in-kernel test harness. Suites of cases, KTAP version 1 on the
 * console (docs.kernel.org/dev-tools/ktap.html); every case runs even after one
 * fails. */
#ifndef VLSOS_KTEST_H
#define VLSOS_KTEST_H

#include <stdbool.h>
#include <stdint.h>

#include "boot_info.h"

struct ktest {
	const struct boot_info *bi;
	bool failed;
	const char *skip; /* set by KTEST_SKIP: the reason the case could not run */
};

/* Ends a case that cannot run here; KTAP shows "ok N name # SKIP reason". */
#define KTEST_SKIP(t, reason)         \
	do {                          \
		(t)->skip = (reason); \
		return;               \
	} while (0)

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

struct ktest_suite {
	const char *name;
	const struct ktest_case *cases;
	unsigned count;
};

#define KTEST_SUITE(sym, name_, ...)                                    \
	static const struct ktest_case sym##_cases[] = { __VA_ARGS__ }; \
	const struct ktest_suite sym = { name_, sym##_cases,            \
					 sizeof(sym##_cases) / sizeof(sym##_cases[0]) }
/* a brace pair in a macro: clang-format would spread it over four lines */
/* clang-format off */
#define KTEST_CASE(fn) { #fn, fn }
/* clang-format on */

/* EXPECT records a failure with the expression and location, and goes on. */
#define EXPECT(t, cond) ktest_expect((t), (cond), #cond, __FILE__, __LINE__)
#define EXPECT_EQ(t, a, b)                                                                             \
	ktest_expect_eq((t), (unsigned long long)(a), (unsigned long long)(b), #a " == " #b, __FILE__, \
			__LINE__)

void ktest_expect(struct ktest *t, bool ok, const char *what, const char *file, int line);
void ktest_expect_eq(struct ktest *t, unsigned long long a, unsigned long long b, const char *what,
		     const char *file, int line);

/* Runs fn(arg) expecting CPU exception `vector`. True when it came; the fault's
 * error code and CR2 are stored in *error_code and *cr2. */
bool ktest_fault(unsigned vector, void (*fn)(void *arg), void *arg, uint32_t *error_code, uint32_t *cr2);

/* ktest.c (ktest_on_request, kernel.h, runs it): every suite, in KTAP; true when all passed */
bool ktest_run_all(const struct boot_info *bi);

/* bench/kernel/bench_alloc.c: the allocator workloads timed inside the kernel (`bench`) */
void bench_alloc_run(void);
/* bench/kernel/bench_disk.c: the BIOS round trip and the kernel's disk reads (`bench=disk`) */
void bench_disk_run(const struct boot_info *bi);
void bench_swap_run(void); /* bench/kernel/bench_swap.c */

/* test_hardening.c: the crash words that show the stack protector and the
 * stack guard at work (crash-smash, crash-stack); returns when none was asked */
void hardening_crash_on_request(const struct boot_info *bi);

/* test_input.c: `input=N` waits for N bytes from the keyboard and COM1 and
 * prints them, then leaves QEMU; returns when not asked */
void input_echo_on_request(const struct boot_info *bi);

/* the suites (tests/test_*.c) */
extern const struct ktest_suite linear_suite, lib_suite, memmap_suite, paging_suite, traps_suite,
	alloc_suite, memdebug_suite, vga_suite, hardening_suite, disk_suite, time_suite, input_suite;

#endif
