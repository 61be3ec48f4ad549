/* test_traps.c: exceptions reach the IDT with the right vector and names. */
#include "ktest.h"
#include "../arch/arch.h"
#include "lib.h"

static void divide(void *arg)
{
	/* in assembly: a C division by zero is undefined and may be folded away */
	__asm__ volatile("xor %%edx, %%edx\n\tdivl %0"
			 :
			 : "r"((uint32_t)(uintptr_t)arg), "a"(1u)
			 : "edx");
}

static void invalid(void *arg)
{
	(void)arg;
	__asm__ volatile("ud2");
}

static void divide_error_is_vector_0(struct ktest *t)
{
	EXPECT(t, ktest_fault(0, divide, (void *)0, NULL, NULL));
}

static void ud2_is_invalid_opcode(struct ktest *t)
{
	EXPECT(t, ktest_fault(6, invalid, NULL, NULL, NULL));
}

static void trap_names_match_the_sdm(struct ktest *t)
{
	EXPECT(t, strcmp(trap_name(14), "page fault") == 0);
	EXPECT(t, strcmp(trap_name(13), "general protection fault") == 0);
	EXPECT(t, strcmp(trap_name(99), "unknown") == 0);
}

KTEST_SUITE(traps_suite, "traps", KTEST_CASE(divide_error_is_vector_0),
	    KTEST_CASE(ud2_is_invalid_opcode), KTEST_CASE(trap_names_match_the_sdm));
