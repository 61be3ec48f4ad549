/* test_hardening.c: the kernel's own error reports: function names from the
 * symbol table (ksyms.c). */
#include "ktest.h"
#include "../kernel.h"
#include "../ksyms.h"
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

KTEST_SUITE(hardening_suite, "hardening",
	KTEST_CASE(ksym_names_a_global_function),
	KTEST_CASE(ksym_names_a_static_function),
	KTEST_CASE(ksym_names_the_caller),
	KTEST_CASE(ksym_format_gives_name_plus_offset),
	KTEST_CASE(ksym_outside_text_is_unknown));
