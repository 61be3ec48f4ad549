/* clock.c: the kernel's monotonic clock, for uptime and sleeping. Where the
 * CPU has a TSC it is the clock, its rate measured against the PIT at boot;
 * time inside BIOS calls is then counted like any other. Without one (a 486)
 * it is the PIT's ticks, plus the BIOS's own 18.2 Hz ticks that passed while
 * a BIOS call ran (bios_call reads the BDA's count around each call). */
#include "kernel.h"
#include "arch/arch.h"
#include "lib.h"

#define NS_PER_MS 1000000u
#define NS_PER_TICK (1000000000u / PIT_HZ)
#define NS_PER_BIOS_TICK 54925439u /* 65536 / 1193182 Hz */
#define EFLAGS_IF 0x200u

static uint32_t tsc_khz; /* 0: no TSC, or the PIT never counted */
static uint64_t tsc_at_boot;

void clock_start_measuring(void)
{
	if (cpu_info()->tsc)
		pit_tsc_window_open();
}

void clock_init(void)
{
	pit_init();
	if (cpu_info()->tsc) {
		tsc_khz = pit_tsc_window_close();
		tsc_at_boot = read_tsc();
	}
	if (tsc_khz)
		kprintf("Clock: TSC at %u kHz (measured against the PIT), tick %u Hz\n", tsc_khz,
			PIT_HZ);
	else
		kprintf("Clock: PIT ticks at %u Hz (no TSC), BIOS calls' ticks added\n", PIT_HZ);
}

uint32_t clock_tsc_khz(void)
{
	return tsc_khz;
}

uint64_t clock_ns(void)
{
	if (tsc_khz) {
		uint64_t cycles = read_tsc() - tsc_at_boot;
		uint64_t ms = arch_div64_32(cycles, tsc_khz);
		uint32_t rest = (uint32_t)(cycles - ms * tsc_khz); /* below tsc_khz */
		return ms * NS_PER_MS + arch_div64_32((uint64_t)rest * NS_PER_MS, tsc_khz);
	}
	struct bios_call_stats bios;
	bios_call_stats(&bios);
	return pit_ticks() * NS_PER_TICK + bios.bios_ticks * NS_PER_BIOS_TICK;
}

void clock_sleep_ns(uint64_t ns)
{
	uint64_t deadline = clock_ns() + ns;
	uint32_t flags;

	__asm__ volatile("pushfl; popl %0" : "=r"(flags));
	while (clock_ns() < deadline)
		__asm__ volatile("sti; hlt" : : : "memory"); /* the next tick wakes it */
	if (!(flags & EFLAGS_IF))
		arch_disable_interrupts();
}
