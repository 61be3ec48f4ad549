/* ktest.c: runs the in-kernel suites and prints KTAP, or the benchmark or a
 * crash word, as the command line asks; provides the fault trap that lets a
 * test provoke a CPU exception and carry on. */
#include "ktest.h"
#include "../kernel.h"
#include "../arch/arch.h"
#include "lib.h"

static const struct ktest_suite *const suites[] = {
	&lib_suite,   &linear_suite,   &memmap_suite,    &paging_suite, &traps_suite, &vga_suite,
	&alloc_suite, &memdebug_suite, &hardening_suite, &disk_suite,   &time_suite,  &input_suite,
};
#define SUITE_COUNT (sizeof(suites) / sizeof(suites[0]))

void ktest_expect(struct ktest *t, bool ok, const char *what, const char *file, int line)
{
	if (ok)
		return;
	t->failed = true;
	kprintf("    # %s:%d: expected %s\n", file, line, what);
}

void ktest_expect_eq(struct ktest *t, unsigned long long a, unsigned long long b, const char *what,
		     const char *file, int line)
{
	if (a == b)
		return;
	t->failed = true;
	kprintf("    # %s:%d: expected %s, got 0x%llx and 0x%llx\n", file, line, what, a, b);
}

static struct jump_state fault_jump;
static unsigned fault_vector;
static volatile bool fault_armed;
static uint32_t fault_error_code, fault_cr2;

static void __attribute__((noreturn)) fault_resume(void)
{
	arch_longjmp(&fault_jump, 1);
}

static bool fault_catch(struct trap_frame *frame)
{
	if (!fault_armed || frame->vector != fault_vector)
		return false;
	fault_armed = false;
	fault_error_code = frame->error_code;
	fault_cr2 = read_cr2();
	frame->eip = (uint32_t)fault_resume; /* iret lands there, still on the test's stack */
	return true;
}

bool ktest_fault(unsigned vector, void (*fn)(void *arg), void *arg, uint32_t *error_code, uint32_t *cr2)
{
	bool faulted = false;

	fault_vector = vector;
	trap_handler_fn previous = trap_set_handler(vector, fault_catch);
	if (arch_setjmp(&fault_jump) == 0) {
		fault_armed = true;
		fn(arg);
		fault_armed = false;
	} else {
		faulted = true;
		if (error_code)
			*error_code = fault_error_code;
		if (cr2)
			*cr2 = fault_cr2;
	}
	trap_set_handler(vector, previous);
	return faulted;
}

static bool run_suite(const struct ktest_suite *suite, unsigned number, const struct boot_info *bi)
{
	unsigned failed = 0;

	kprintf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n", suite->name, suite->count);
	for (unsigned i = 0; i < suite->count; i++) {
		struct ktest t = { .bi = bi, .failed = false };
		suite->cases[i].run(&t);
		failed += t.failed;
		kprintf("    %sok %u %s%s%s\n", t.failed ? "not " : "", i + 1, suite->cases[i].name,
			t.skip && !t.failed ? " # SKIP " : "", t.skip && !t.failed ? t.skip : "");
	}
	kprintf("%sok %u %s\n", failed ? "not " : "", number, suite->name);
	return failed == 0;
}

/* "test" runs every suite; "test=NAME" the one suite of that name (a boot
 * test that checks one subject on many machines need not run them all) */
static bool suite_wanted(const struct boot_info *bi, const struct ktest_suite *suite)
{
	char word[32];

	if (cmdline_has(bi, "test"))
		return true;
	snprintf(word, sizeof(word), "test=%s", suite->name);
	return cmdline_has(bi, word);
}

bool ktest_run_all(const struct boot_info *bi)
{
	unsigned passed = 0, planned = 0, number = 0;

	for (unsigned i = 0; i < SUITE_COUNT; i++)
		planned += suite_wanted(bi, suites[i]);
	kprintf("KTAP version 1\n1..%u\n", planned);
	for (unsigned i = 0; i < SUITE_COUNT; i++)
		if (suite_wanted(bi, suites[i]))
			passed += run_suite(suites[i], ++number, bi);
	kprintf("# vlsos-ktest: %u suites passed, %u failed\n", passed, planned - passed);
	return planned > 0 && passed == planned;
}

void ktest_on_request(const struct boot_info *bi)
{
	for (unsigned i = 0; i < SUITE_COUNT; i++)
		if (suite_wanted(bi, suites[i])) {
			bool passed = ktest_run_all(bi);
			/* "stay": boot on instead of leaving QEMU, so that a test can
			 * ask QEMU about the machine afterwards (its block statistics) */
			if (cmdline_has(bi, "stay")) {
				kprintf("ktest: staying (the command line says 'stay')\n");
				return;
			}
			qemu_exit(passed);
			return;
		}
	if (cmdline_has(bi, "bench=swap")) {
		bench_swap_run();
		qemu_exit(true);
	}
	if (cmdline_has(bi, "bench=disk")) {
		bench_disk_run(bi);
		qemu_exit(true);
	}
	if (cmdline_has(bi, "bench")) {
		bench_alloc_run();
		qemu_exit(true);
	}
	hardening_crash_on_request(bi);
	input_echo_on_request(bi);
}
