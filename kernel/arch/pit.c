/* pit.c: the 8254 programmable interval timer (Intel 8254 data sheet).
 * Channel 0 drives IRQ 0: the kernel's tick at PIT_HZ, or the BIOS's 18.2 Hz
 * (the full 65536 count) while a BIOS call runs, since the BIOS counts its
 * ticks in the BDA and times its motors and retries by them. Channel 2, gated
 * through port 61h, is the stopwatch for the TSC's rate: counting down from
 * its full count while the boot goes on (pit_tsc_window_open), so that the
 * kernel waits only for what is left of the 10 ms the measure needs. */
#include "arch.h"

#define PIT_CHANNEL0 0x40
#define PIT_CHANNEL2 0x42
#define PIT_COMMAND 0x43
#define PIT_CH0_RATE_LOHI 0x34    /* channel 0, low then high byte, mode 2 (rate generator) */
#define PIT_CH2_ONESHOT_LOHI 0xB0 /* channel 2, low then high byte, mode 0 */
#define PIT_CH2_LATCH 0x80        /* channel 2, counter latch command */
#define PIT_CH2_FULL_COUNT 0xFFFF /* 55 ms; OUT2 goes high when it runs out */
#define PIT_BIOS_DIVISOR 0        /* 65536: 18.2 Hz, as the BIOS set it */
#define PORT_61 0x61
#define PORT_61_GATE2 0x01
#define PORT_61_SPEAKER 0x02
#define PORT_61_OUT2 0x20
#define CALIBRATE_MIN_COUNT 11932 /* 10 ms of PIT_INPUT_HZ: the least window measured */
#define HZ_PER_KHZ 1000u
#define CALIBRATE_SPINS 100000000u /* a PIT that never counts ends the wait */
/* A stamp pairs a TSC read with a PIT event (the count loaded, the count
 * latched); both are bracketed by two TSC reads, and a measure is kept only
 * when the brackets together are within 1/CALIBRATE_SLACK of the window. A
 * vCPU held up between the two reads (an emulator on a busy host) would
 * otherwise count the PIT's time without the TSC's: a boot under load once
 * measured 328 MHz for 2.7 GHz, and every sleep then ran 8 times short. */
#define CALIBRATE_SLACK 256
#define CALIBRATE_TRIES 8 /* held-up windows measured again; the last is kept */

_Static_assert(PIT_INPUT_HZ / PIT_HZ < 65536, "PIT_HZ needs a 16-bit divisor");

static volatile uint64_t ticks;
static bool running; /* channel 0 at the kernel's rate: bios_call switches it only then */

static void set_channel0(uint16_t divisor)
{
	outb(PIT_COMMAND, PIT_CH0_RATE_LOHI);
	outb(PIT_CHANNEL0, divisor & 0xFF);
	outb(PIT_CHANNEL0, divisor >> 8);
}

static void (*tick_hook)(void);

static void tick(unsigned irq)
{
	(void)irq;
	ticks++;
	if (tick_hook)
		tick_hook();
}

void pit_set_tick_hook(void (*hook)(void))
{
	tick_hook = hook;
}

void pit_init(void)
{
	set_channel0(PIT_INPUT_HZ / PIT_HZ);
	running = true;
	irq_set_handler(0, tick);
}

uint64_t pit_ticks(void)
{
	uint64_t t;
	uint32_t flags;

	/* 64 bits in two loads: not torn by the tick in between */
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
	t = ticks;
	if (flags & 0x200)
		__asm__ volatile("sti" : : : "memory");
	return t;
}

void pit_enter_bios(void)
{
	if (running)
		set_channel0(PIT_BIOS_DIVISOR);
}

void pit_leave_bios(void)
{
	if (running)
		set_channel0(PIT_INPUT_HZ / PIT_HZ);
}

static uint8_t saved_p61;
static uint64_t window_start_tsc, window_start_gap;
static bool window_open;

void pit_tsc_window_open(void)
{
	if (!window_open)
		saved_p61 = inb(PORT_61);
	outb(PORT_61, (saved_p61 & ~PORT_61_SPEAKER) | PORT_61_GATE2);
	outb(PIT_COMMAND, PIT_CH2_ONESHOT_LOHI);
	outb(PIT_CHANNEL2, PIT_CH2_FULL_COUNT & 0xFF);
	uint64_t before = read_tsc();
	outb(PIT_CHANNEL2, PIT_CH2_FULL_COUNT >> 8); /* the count starts here */
	window_start_tsc = read_tsc();
	window_start_gap = window_start_tsc - before;
	window_open = true;
}

static uint16_t channel2_count(void)
{
	outb(PIT_COMMAND, PIT_CH2_LATCH);
	uint8_t low = inb(PIT_CHANNEL2);
	return (uint16_t)(inb(PIT_CHANNEL2) << 8 | low);
}

uint32_t pit_tsc_window_close(void)
{
	uint32_t spins = 0, held_up = 0, elapsed;
	uint64_t end;

	if (!window_open)
		pit_tsc_window_open();
	for (;;) {
		uint64_t before = read_tsc();
		elapsed = PIT_CH2_FULL_COUNT - channel2_count();
		end = read_tsc();
		/* past the full count (OUT2 high) the count has wrapped: how
		 * long the window was is unknown, so a new one is measured; so
		 * is one whose stamps were held up (CALIBRATE_SLACK) */
		if (inb(PORT_61) & PORT_61_OUT2)
			pit_tsc_window_open();
		else if (elapsed >= CALIBRATE_MIN_COUNT) {
			if ((end - before + window_start_gap) * CALIBRATE_SLACK <=
				    end - window_start_tsc ||
			    ++held_up >= CALIBRATE_TRIES)
				break;
			pit_tsc_window_open();
		}
		if (++spins >= CALIBRATE_SPINS)
			break;
	}
	outb(PORT_61, saved_p61);
	window_open = false;
	if (spins >= CALIBRATE_SPINS)
		return 0;
	return (uint32_t)arch_div64_32((end - window_start_tsc) * PIT_INPUT_HZ, elapsed * HZ_PER_KHZ);
}

uint32_t pit_measure_tsc_khz(void)
{
	pit_tsc_window_open();
	return pit_tsc_window_close();
}
