/* test_hardening.c: the kernel's own error reports: function names from the
 * symbol table (ksyms.c) and UBSan's reports (ubsan.c, test kernel only), each
 * provoked on purpose; and the crash words of test/boot/test_hardening.sh,
 * which end the boot: crash-smash (stack smashing) and crash-stack (a kernel
 * stack overflow, caught by the double fault's own task: arch/tss.c). */
#include "ktest.h"
#include "../proc/proc.h"
#include "../kernel.h"
#include "../ksyms.h"
#include "../ubsan.h"
#include "../arch/arch.h"
#include "../arch/tss.h"
#include "lib.h"

/* A static function has a local symbol: the table keeps those too. */
static uint32_t __attribute__((noinline)) caller_address(void)
{
	return (uint32_t)(uintptr_t)__builtin_return_address(0);
}

static void ksym_names_a_global_function(struct ktest *t)
{
	uint32_t addr = (uint32_t)(uintptr_t)ksym_lookup, offset = 99;
	const char *name = ksym_lookup(addr, &offset);

	EXPECT(t, name && strcmp(name, "ksym_lookup") == 0);
	EXPECT_EQ(t, offset, 0);
	name = ksym_lookup(addr + 3, &offset);
	EXPECT(t, name && strcmp(name, "ksym_lookup") == 0);
	EXPECT_EQ(t, offset, 3);
}

static void ksym_names_a_static_function(struct ktest *t)
{
	uint32_t offset = 99;
	const char *name = ksym_lookup((uint32_t)(uintptr_t)caller_address + 1, &offset);

	EXPECT(t, name && strcmp(name, "caller_address") == 0);
	EXPECT_EQ(t, offset, 1);
}

/* What a report such as "allocated at f+0x1c" does: name the caller from its
 * return address, which lies inside the caller past its start. */
static void ksym_names_the_caller(struct ktest *t)
{
	uint32_t offset = 0, ret = caller_address();
	const char *name = ksym_lookup(ret, &offset);

	EXPECT(t, name && strcmp(name, "ksym_names_the_caller") == 0);
	EXPECT(t, offset > 0);
}

static void ksym_format_gives_name_plus_offset(struct ktest *t)
{
	char buf[KSYM_TEXT_MAX];

	EXPECT(t, strcmp(ksym_format(buf, sizeof(buf), (uint32_t)(uintptr_t)ksym_format + 0x1c),
			 "ksym_format+0x1c") == 0);
	EXPECT(t, strcmp(ksym_format(buf, sizeof(buf), (uint32_t)(uintptr_t)ksym_format),
			 "ksym_format") == 0);
}

static void ksym_outside_text_is_unknown(struct ktest *t)
{
	char buf[KSYM_TEXT_MAX], want[KSYM_TEXT_MAX];
	uint32_t rodata = (uint32_t)(uintptr_t)__rodata_start;

	EXPECT(t, ksym_lookup(rodata, NULL) == NULL);
	EXPECT(t, ksym_lookup((uint32_t)(uintptr_t)__text_end, NULL) == NULL);
	EXPECT(t, ksym_lookup(0, NULL) == NULL);
	snprintf(want, sizeof(want), "0x%08x", (unsigned)rodata);
	EXPECT(t, strcmp(ksym_format(buf, sizeof(buf), rodata), want) == 0);
}

#ifdef VLSOS_UBSAN
/* volatile, so the compiler cannot see the undefined operation coming and fold
 * it (or the check) away */
static volatile int32_t int_max = INT32_MAX, one = 1, thirty_two = 32, four = 4;
static volatile int32_t sink;
static int32_t numbers[4] = { 1, 2, 3, 4 };
static uint32_t aligned_words[2];

/* One new report, of this kind, at this line of this file. */
static void expect_report(struct ktest *t, unsigned before, const char *kind, int line)
{
	const struct ubsan_report *r = ubsan_last_report();
	size_t len = r->file ? strlen(r->file) : 0;
	static const char self[] = "test_hardening.c";

	EXPECT_EQ(t, ubsan_report_count(), before + 1);
	EXPECT(t, r->kind && strcmp(r->kind, kind) == 0);
	EXPECT_EQ(t, r->line, line);
	EXPECT(t, len >= sizeof(self) - 1 && strcmp(r->file + len - (sizeof(self) - 1), self) == 0);
}

static void ubsan_reports_signed_overflow(struct ktest *t)
{
	unsigned before = ubsan_report_count();
	int line = __LINE__ + 1; /* the next line's */
	sink = int_max + one;
	expect_report(t, before, "signed integer overflow", line);
}

static void ubsan_reports_shift_out_of_range(struct ktest *t)
{
	unsigned before = ubsan_report_count();
	int line = __LINE__ + 1; /* the next line's */
	sink = one << thirty_two;
	expect_report(t, before, "shift out of bounds", line);
}

static void ubsan_reports_misaligned_load(struct ktest *t)
{
	unsigned before = ubsan_report_count();
	const uint32_t *odd = (const uint32_t *)((uintptr_t)aligned_words + (uint32_t)one);
	int line = __LINE__ + 1; /* the next line's */
	sink = (int32_t)*odd;
	expect_report(t, before, "misaligned access", line);
}

static void ubsan_reports_index_out_of_bounds(struct ktest *t)
{
	unsigned before = ubsan_report_count();
	int line = __LINE__ + 1; /* the next line's */
	sink = numbers[four];
	expect_report(t, before, "array index out of bounds", line);
}

/* not through a volatile pointer: clang leaves volatile accesses unchecked,
 * as code may mean to touch address 0 */
static void null_read(void *line)
{
	const int32_t *null = (const int32_t *)(uintptr_t)(one - 1);

	*(int *)line = __LINE__ + 1;
	sink = *null;
}

/* UBSan reports the NULL load; the load itself then faults (page 0 is not
 * mapped), which ktest_fault survives. */
static void ubsan_reports_null_pointer_load(struct ktest *t)
{
	unsigned before = ubsan_report_count();
	int line = 0;

	EXPECT(t, ktest_fault(VECTOR_PAGE_FAULT, null_read, &line, NULL, NULL));
	expect_report(t, before, "null pointer access", line);
}

static void ubsan_reports_each_place_once(struct ktest *t)
{
	unsigned before = ubsan_report_count();

	for (int i = 0; i < 3; i++)
		sink = int_max + one;
	EXPECT_EQ(t, ubsan_report_count(), before + 1);
}

#define UBSAN_CASES                                                                              \
	KTEST_CASE(ubsan_reports_signed_overflow), KTEST_CASE(ubsan_reports_shift_out_of_range), \
		KTEST_CASE(ubsan_reports_misaligned_load),                                       \
		KTEST_CASE(ubsan_reports_index_out_of_bounds),                                   \
		KTEST_CASE(ubsan_reports_null_pointer_load), KTEST_CASE(ubsan_reports_each_place_once),
#else
#define UBSAN_CASES /* kernel-bench: built without UBSan */
#endif

extern uint32_t __stack_chk_guard; /* stack_protector.c */

/* The guard was set at boot: not zero, and its first byte in memory NUL. */
static void stack_guard_is_set(struct ktest *t)
{
	EXPECT(t, __stack_chk_guard >> 8 != 0);
	EXPECT_EQ(t, __stack_chk_guard & 0xFF, 0);
}

/* The double fault is a task gate to its own TSS, the kernel runs as the task
 * in TR, and the #DF task's stack has an unmapped page below it. */
static void double_fault_goes_to_its_own_task(struct ktest *t)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint32_t base;
	} idtr;
	uint16_t tr;

	__asm__ volatile("sidt %0" : "=m"(idtr));
	__asm__ volatile("str %0" : "=r"(tr));
	const uint8_t *gate = (const uint8_t *)(uintptr_t)idtr.base + 8 * 8; /* vector 8 */
	EXPECT_EQ(t, gate[5], 0x85); /* present, ring 0, task gate */
	EXPECT_EQ(t, gate[2] | gate[3] << 8, SEL_DOUBLE_FAULT_TSS);
	EXPECT_EQ(t, tr, SEL_KERNEL_TSS);
	EXPECT_EQ(t, virt_to_phys((uint32_t)(uintptr_t)double_fault_guard), PAGING_NOT_MAPPED);
	EXPECT(t, virt_to_phys((uint32_t)(uintptr_t)double_fault_guard + 4096) != PAGING_NOT_MAPPED);
}

/* crash-smash: writes past a local array. The stack protector's check at the
 * function's return must stop it before the smashed return address is used. */
static volatile size_t smash_bytes = 64;

static void __attribute__((noinline)) smash_the_stack(void)
{
	char buf[16];

	kprintf("crash-smash: writing %u bytes into a %u-byte local array\n", (unsigned)smash_bytes,
		(unsigned)sizeof(buf));
	memset(buf, 'A', smash_bytes);
}

/* crash-stack: recursion without end, a local array in every frame, until ESP
 * runs into the guard page below the boot stack. The result is used after the
 * call, so the compiler cannot turn the recursion into a loop. */
static volatile unsigned recursion_limit = ~0u;

static unsigned __attribute__((noinline)) recurse_forever(unsigned depth)
{
	volatile char frame[256];

	frame[depth % sizeof(frame)] = (char)depth;
	if (depth < recursion_limit)
		return recurse_forever(depth + 1) + frame[depth % sizeof(frame)];
	return 0;
}

void hardening_crash_on_request(const struct boot_info *bi)
{
	if (cmdline_has(bi, "crash-smash"))
		smash_the_stack();
	if (cmdline_has(bi, "crash-stack")) {
		kprintf("crash-stack: recursing until the boot stack overflows\n");
		recurse_forever(0);
	}
	/* the same on a process's kernel stack, in the kernel area */
	uint32_t top;
	if (cmdline_has(bi, "crash-kstack") && kstack_alloc(&top) >= 0) {
		kprintf("crash-kstack: recursing until a process's kernel stack overflows\n");
		__asm__ volatile("mov %0, %%esp\n\t"
				 "pushl $0\n\t"
				 "call %P1"
				 :
				 : "r"(top), "i"(recurse_forever)
				 : "memory");
	}
}

KTEST_SUITE(hardening_suite, "hardening", KTEST_CASE(ksym_names_a_global_function),
	    KTEST_CASE(ksym_names_a_static_function), KTEST_CASE(ksym_names_the_caller),
	    KTEST_CASE(ksym_format_gives_name_plus_offset), KTEST_CASE(ksym_outside_text_is_unknown),
	    UBSAN_CASES KTEST_CASE(stack_guard_is_set), KTEST_CASE(double_fault_goes_to_its_own_task));
