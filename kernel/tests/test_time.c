/* test_time.c: interrupts and time. The PIT's IRQ 0 ticks with interrupts on,
 * the clock moves forward and agrees with the ticks, a sleep lasts as long as
 * asked, BIOS calls leave the timer and the PICs working, time spent inside
 * the BIOS is on the clock, and a spurious IRQ 7 or 15 runs nothing. */
#include "ktest.h"
#include "../arch/arch.h"
#include "../kernel.h"
#include "lib.h"

#define NS_PER_MS 1000000ull
#define INT13 0x13
#define INT13_GET_STATUS 0x0100
#define INT15 0x15
#define INT15_WAIT 0x8600 /* CX:DX microseconds */
#define BIOS_WAIT_US 200000u

static uint64_t ms(uint64_t ns)
{
	return arch_div64_32(ns, NS_PER_MS);
}

static void ticks_come_with_interrupts_on(struct ktest *t)
{
	uint64_t ticks = pit_ticks(), irqs = irq_count(0);

	clock_sleep_ns(50 * NS_PER_MS);
	EXPECT(t, pit_ticks() >= ticks + 3);
	EXPECT(t, irq_count(0) >= irqs + 3);
}

static void clock_never_goes_back(struct ktest *t)
{
	uint64_t last = clock_ns();
	bool monotonic = true;

	for (unsigned i = 0; i < 10000; i++) {
		uint64_t now = clock_ns();
		monotonic &= now >= last;
		last = now;
	}
	EXPECT(t, monotonic);
}

/* two sources, one answer: the clock's elapsed time and the PIT's ticks */
static void sleep_lasts_as_asked(struct ktest *t)
{
	uint64_t start = clock_ns(), ticks = pit_ticks();

	clock_sleep_ns(100 * NS_PER_MS);
	uint64_t elapsed = ms(clock_ns() - start), ticked = (pit_ticks() - ticks) * (1000 / PIT_HZ);
	kprintf("    # slept 100 ms: clock %u ms, PIT %u ms\n", (unsigned)elapsed, (unsigned)ticked);
	EXPECT(t, elapsed >= 100);
	EXPECT(t, ticked + 30 >= elapsed && ticked <= elapsed + 30);
}

static void bios_calls_leave_the_timer_running(struct ktest *t)
{
	struct bios_regs in = { .eax = INT13_GET_STATUS, .edx = t->bi->boot_drive }, out;

	arch_enable_interrupts();
	for (unsigned i = 0; i < 20; i++)
		bios_call(INT13, &in, &out);
	uint64_t ticks = pit_ticks();
	clock_sleep_ns(100 * NS_PER_MS);
	/* at the BIOS's 18.2 Hz it would be 1 or 2 ticks, not about 10 */
	EXPECT(t, pit_ticks() >= ticks + 7);
	EXPECT_EQ(t, pic_read_mask(), pic_kernel_mask());
	EXPECT(t, !(pic_kernel_mask() & 1)); /* IRQ 0 open */
	arch_disable_interrupts();
}

/* INT 15h AH=86h waits inside the BIOS: the clock must count that time, and
 * bios_call the BIOS's ticks it missed */
static void time_inside_the_bios_is_counted(struct ktest *t)
{
	struct bios_regs in = { .eax = INT15_WAIT,
				.ecx = BIOS_WAIT_US >> 16,
				.edx = BIOS_WAIT_US & 0xFFFF },
			 out;
	struct bios_call_stats before, after;
	uint64_t start = clock_ns();

	bios_call_stats(&before);
	bios_call(INT15, &in, &out);
	bios_call_stats(&after);
	if (out.eflags & BIOS_EFLAGS_CF)
		KTEST_SKIP(t, "this BIOS has no INT 15h AH=86h");
	uint64_t elapsed = ms(clock_ns() - start);
	kprintf("    # INT 15h AH=86h for 200 ms: clock %u ms, %u BIOS ticks\n", (unsigned)elapsed,
		(unsigned)(after.bios_ticks - before.bios_ticks));
	/* without a TSC the clock counts whole ticks: a BIOS tick (55 ms) and one
	 * of the kernel's (10 ms) may be missing from it */
	EXPECT(t, elapsed + (clock_tsc_khz() ? 10 : 65) >= BIOS_WAIT_US / 1000);
	EXPECT(t, after.bios_ticks - before.bios_ticks >= 2); /* 200 ms is 3.6 of them */
}

static void spurious_irqs_run_nothing(struct ktest *t)
{
	struct trap_frame frame = { 0 };
	uint64_t spurious7 = irq_spurious_count(7), spurious15 = irq_spurious_count(15);
	uint64_t count7 = irq_count(7), count15 = irq_count(15);

	/* interrupts off and nothing in service: as a line that fell too early */
	frame.vector = PIC_KERNEL_BASE + 7;
	irq_dispatch(&frame);
	frame.vector = PIC_KERNEL_BASE + 15;
	irq_dispatch(&frame);
	EXPECT_EQ(t, irq_spurious_count(7), spurious7 + 1);
	EXPECT_EQ(t, irq_spurious_count(15), spurious15 + 1);
	EXPECT_EQ(t, irq_count(7), count7);
	EXPECT_EQ(t, irq_count(15), count15);
}

KTEST_SUITE(time_suite, "time", KTEST_CASE(ticks_come_with_interrupts_on),
	    KTEST_CASE(clock_never_goes_back), KTEST_CASE(sleep_lasts_as_asked),
	    KTEST_CASE(bios_calls_leave_the_timer_running), KTEST_CASE(time_inside_the_bios_is_counted),
	    KTEST_CASE(spurious_irqs_run_nothing));
