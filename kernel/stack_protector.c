/* stack_protector.c: what -fstack-protector-strong (build.sh) needs. Every
 * function with a local array or an address-taken local puts
 * __stack_chk_guard between its locals and its return address on entry and
 * calls __stack_chk_fail when the copy differs on return: an overflow of a
 * local buffer is caught before the smashed return address is used. */
#include "kernel.h"
#include "ksyms.h"

/* The guard before stack_protector_seed, and on CPUs without RDTSC. Its low
 * byte is NUL, the first byte an overflow reaches on a little-endian stack:
 * a string copy cannot write past it without ending there. */
#define STACK_GUARD_FIXED 0xE1C3A500u
#define STACK_GUARD_NUL_BYTE 0xFFFFFF00u /* keeps the guard's first byte NUL */
#define STACK_GUARD_MIX 0x9E3779B1u      /* odd: the multiply spreads the TSC's fast bits */

/* In .data, not .bss: functions that run before the seed (and the seed's
 * callers, which keep the value they started with) compare a non-zero guard. */
uint32_t __stack_chk_guard = STACK_GUARD_FIXED;

/* Called from kernel/arch/cpu.c's cpu_seed_stack_guard (entry.asm, before
 * kmain), so no function that will return is under way when the guard
 * changes; it must not check a guard itself for the same reason. The boot's
 * TSC is not secret, but it differs between boots, so an exploit cannot rely
 * on a guard value known from the source. */
__attribute__((no_stack_protector)) void stack_protector_seed(uint64_t tsc)
{
	uint32_t guard = ((uint32_t)tsc * STACK_GUARD_MIX) ^ (uint32_t)(tsc >> 32);

	guard &= STACK_GUARD_NUL_BYTE;
	__stack_chk_guard = guard ? guard : STACK_GUARD_FIXED;
}

/* The check failed in the function that called us: its locals overran the
 * guard, so its saved registers and return address are not to be trusted.
 * Name it from our own return address, which lies inside it. */
void __attribute__((noreturn)) __stack_chk_fail(void)
{
	char where[KSYM_TEXT_MAX];
	uint32_t ret = (uint32_t)(uintptr_t)__builtin_return_address(0);

	panic("stack smashing detected in %s (return address 0x%08x)",
	      ksym_format_return(where, sizeof(where), ret), (unsigned)ret);
}
