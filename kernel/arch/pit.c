/* pit.c: the 8254 programmable interval timer (Intel 8254 data sheet).
 * Channel 0 drives IRQ 0: the kernel's tick at PIT_HZ, or the BIOS's 18.2 Hz
 * (the full 65536 count) while a BIOS call runs, since the BIOS counts its
 * ticks in the BDA and times its motors and retries by them. Channel 2, gated
 * through port 61h, is a one-shot stopwatch for the TSC's rate. */
#include "arch.h"

#define PIT_CHANNEL0 0x40
#define PIT_CHANNEL2 0x42
#define PIT_COMMAND 0x43
#define PIT_CH0_RATE_LOHI 0x34    /* channel 0, low then high byte, mode 2 (rate generator) */
#define PIT_CH2_ONESHOT_LOHI 0xB0 /* channel 2, low then high byte, mode 0 */
#define PIT_BIOS_DIVISOR 0        /* 65536: 18.2 Hz, as the BIOS set it */
#define PORT_61 0x61
#define PORT_61_GATE2 0x01
#define PORT_61_SPEAKER 0x02
#define PORT_61_OUT2 0x20
#define CALIBRATE_COUNT 11932 /* 10 ms of PIT_INPUT_HZ: a boot pays it */
#define CALIBRATE_MS 10
#define CALIBRATE_SPINS 100000000u /* a PIT that never counts ends the wait */

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

uint32_t pit_measure_tsc_khz(void)
{
	uint8_t p61 = inb(PORT_61);
	uint32_t spins = 0;
	uint64_t start, end;

	outb(PORT_61, (p61 & ~PORT_61_SPEAKER) | PORT_61_GATE2);
	outb(PIT_COMMAND, PIT_CH2_ONESHOT_LOHI);
	outb(PIT_CHANNEL2, CALIBRATE_COUNT & 0xFF);
	outb(PIT_CHANNEL2, CALIBRATE_COUNT >> 8);
	start = read_tsc();
	while (!(inb(PORT_61) & PORT_61_OUT2) && ++spins < CALIBRATE_SPINS)
		;
	end = read_tsc();
	outb(PORT_61, p61);
	if (spins >= CALIBRATE_SPINS)
		return 0;
	return (uint32_t)arch_div64_32(end - start, CALIBRATE_MS);
}
