/* cpu.c: what this CPU offers, from CPUID (Intel SDM vol. 2A, CPUID; AMD APM
 * vol. 3, E.4), asked before any feature is used. A CPU without CPUID (a 386 or
 * early 486) is reported as such; the kernel needs nothing newer than a 486's
 * instructions to print it. */
#include "arch.h"
#include "../kernel.h"

#define EFLAGS_ID 0x00200000u /* toggles only when CPUID exists */
#define CPUID_EDX_PSE (1u << 3)
#define CPUID_EDX_TSC (1u << 4)
#define CPUID_EDX_PAE (1u << 6)
#define CPUID_EDX_CX8 (1u << 8)
#define CPUID_EDX_CMOV (1u << 15)
#define CPUID_EXT_BASE 0x80000000u
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EXT_EDX_NX (1u << 20)
/* QEMU's 486 answers 0x480 to leaf 0x80000000: only 0x8000xxxx counts as a max leaf */
#define CPUID_EXT_VALID_MASK 0xFFFF0000u

static struct cpu_info info;

static bool has_cpuid(void)
{
	uint32_t before, after;

	__asm__ volatile("pushfl\n\t"
			 "popl %0\n\t"
			 "movl %0, %1\n\t"
			 "xorl %2, %1\n\t"
			 "pushl %1\n\t"
			 "popfl\n\t"
			 "pushfl\n\t"
			 "popl %1\n\t"
			 "pushl %0\n\t"
			 "popfl"
			 : "=&r"(before), "=&r"(after)
			 : "i"(EFLAGS_ID));
	return ((before ^ after) & EFLAGS_ID) != 0;
}

static void cpuid(uint32_t leaf, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(0));
}

const struct cpu_info *cpu_detect(void)
{
	uint32_t r[4];

	info.has_cpuid = has_cpuid();
	if (!info.has_cpuid)
		return &info;
	cpuid(0, r);
	info.max_leaf = r[0];
	*(uint32_t *)&info.vendor[0] = r[1];
	*(uint32_t *)&info.vendor[4] = r[3];
	*(uint32_t *)&info.vendor[8] = r[2];
	info.vendor[12] = '\0';
	if (info.max_leaf >= 1) {
		cpuid(1, r);
		info.family = (r[0] >> 8) & 0xF;
		info.model = (r[0] >> 4) & 0xF;
		if (info.family == 0xF)
			info.family += (r[0] >> 20) & 0xFF;
		if (info.family >= 6)
			info.model |= ((r[0] >> 16) & 0xF) << 4;
		info.tsc = r[3] & CPUID_EDX_TSC;
		info.pse = r[3] & CPUID_EDX_PSE;
		info.pae = r[3] & CPUID_EDX_PAE;
		info.cx8 = r[3] & CPUID_EDX_CX8;
		info.cmov = r[3] & CPUID_EDX_CMOV;
	}
	cpuid(CPUID_EXT_BASE, r);
	if ((r[0] & CPUID_EXT_VALID_MASK) == CPUID_EXT_BASE && r[0] >= CPUID_EXT_FEATURES) {
		cpuid(CPUID_EXT_FEATURES, r);
		info.nx = r[3] & CPUID_EXT_EDX_NX;
	}
	return &info;
}

const struct cpu_info *cpu_info(void)
{
	return &info;
}

/* Called by entry.asm before kmain: the stack protector's guard from this
 * boot's TSC where the CPU has one (the fixed guard stays otherwise). Checks no
 * guard itself, as the one it started with changes under it. */
__attribute__((no_stack_protector)) void cpu_seed_stack_guard(void)
{
	if (cpu_detect()->tsc)
		stack_protector_seed(read_tsc());
}
