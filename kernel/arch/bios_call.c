/* bios_call.c: BIOS interrupts from protected mode, the way BIOS-booted
 * systems reach the firmware's drivers after boot (GRUB 2's
 * grub_bios_interrupt, Linux's boot-time real-mode calls). The mode switches
 * are bios_call.asm's; here is what is saved around them: the interrupt flag,
 * the PICs, EFER, and the statistics. */
#include "arch.h"
#include "../kernel.h"
#include "layout.h"
#include "lib.h"

/* bios_call.asm: the trampoline's bounds and entry points in the kernel image
 * (the copy begins with its 16-bit entry) */
extern char bios_trampoline_start[], bios_trampoline_block[];
extern char bios_trampoline_pm32[];
extern char bios_trampoline_return[];
void bios_trampoline_enter(struct bios_call_block *block);

#define EFLAGS_IF 0x200u
#define BIOS_STACK_MIN 2048 /* room the BIOS gets below the region's top; SeaBIOS needs < 1 KiB */
#define REAL_MODE_LIMIT 0x100000u
#define BDA_TICKS_PER_DAY 0x1800B0u /* the BIOS's midnight roll-over */
#define INT13_GET_STATUS 0x01       /* an INT 13h call that only reads a byte: the cheapest round trip */

_Static_assert(REGION_BIOS_CALL_END <= REAL_MODE_LIMIT, "the trampoline must run in real mode");
_Static_assert(REGION_BOUNCE_END <= REAL_MODE_LIMIT, "the bounce buffer must be below 1 MiB");
_Static_assert(REGION_BOUNCE_START % 0x10000 == 0, "a bounce buffer must not cross 64 KiB (DMA)");

static struct bios_call_block *block;
static struct bios_call_stats stats;
static bool busy;

/* where a symbol of the trampoline lands in the copy */
static uint32_t in_copy(const char *symbol)
{
	return REGION_BIOS_CALL_START + (uint32_t)(symbol - bios_trampoline_start);
}

void bios_call_init(void)
{
	uint32_t size = (uint32_t)(bios_trampoline_block - bios_trampoline_start) +
			sizeof(struct bios_call_block); /* the block ends the copy */

	if (size + BIOS_STACK_MIN > REGION_BIOS_CALL_SIZE)
		panic("bios_call_init: the trampoline (%u bytes) and a %u-byte stack do not fit "
		      "the bios_call region (%u bytes, disk.img.layout)",
		      (unsigned)size, BIOS_STACK_MIN, (unsigned)REGION_BIOS_CALL_SIZE);
	memcpy((void *)REGION_BIOS_CALL_START, bios_trampoline_start, size);
	block = (struct bios_call_block *)in_copy(bios_trampoline_block);
	block->sel_data16 = SEL_BIOS_DATA16;
	block->sel_data32 = SEL_KERNEL_DATA;
	block->to_pm16 =
		(struct bios_far_pointer){ in_copy(bios_trampoline_start) /* its 16-bit entry */,
					   SEL_BIOS_CODE16 };
	block->to_pm32 = (struct bios_far_pointer){ in_copy(bios_trampoline_pm32), SEL_KERNEL_CODE };
	block->kernel_return = (uint32_t)bios_trampoline_return;
}

static inline uint32_t save_flags_and_cli(void)
{
	uint32_t flags;
	__asm__ volatile("pushfl; popl %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static inline void restore_interrupts(uint32_t flags)
{
	if (flags & EFLAGS_IF)
		__asm__ volatile("sti" : : : "memory");
}

void bios_call(uint8_t vector, const struct bios_regs *in, struct bios_regs *out)
{
	uint32_t flags = save_flags_and_cli();
	const struct cpu_info *cpu = cpu_info();
	uint64_t start = cpu->tsc ? read_tsc() : 0;

	if (!block)
		panic("bios_call: INT %02Xh before bios_call_init", vector);
	if (busy)
		panic("bios_call: INT %02Xh while another BIOS call runs (not reentrant)", vector);
	busy = true;
	block->regs = *in;
	block->vector = vector;
	/* EFER exists where NX or long mode does; paging_enable sets NXE in it */
	block->has_efer = cpu->nx;
	if (cpu->nx) {
		uint64_t efer = rdmsr(MSR_EFER);
		block->efer_low = (uint32_t)efer;
		block->efer_high = (uint32_t)(efer >> 32);
	}
	pit_enter_bios();
	pic_enter_bios();
	bios_trampoline_enter(block);
	pic_leave_bios();
	pit_leave_bios();
	irq_poll(); /* what an edge lost in the switch would have brought */
	/* the BIOS's ticks while it ran, which the kernel's own never saw (the
	 * count wraps at midnight: 1,573,040 ticks, then 0) */
	uint32_t bios_ticks = block->bda_ticks_after - block->bda_ticks_before;
	if (block->bda_ticks_after < block->bda_ticks_before)
		bios_ticks += BDA_TICKS_PER_DAY;
	stats.bios_ticks += bios_ticks;
	*out = block->regs;
	busy = false;
	stats.calls++;
	if (cpu->tsc)
		stats.cycles += read_tsc() - start;
	restore_interrupts(flags);
}

void *bios_bounce(uint32_t *size)
{
	*size = REGION_BOUNCE_SIZE;
	return (void *)REGION_BOUNCE_START;
}

void *bios_scratch(uint32_t *size)
{
	*size = BIOS_SCRATCH_SIZE;
	return block->scratch;
}

uint16_t bios_segment(const void *p)
{
	return (uint16_t)((uint32_t)p >> 4);
}

uint16_t bios_offset(const void *p)
{
	return (uint16_t)((uint32_t)p & 0xF);
}

void bios_call_stats(struct bios_call_stats *out)
{
	*out = stats;
	out->a20_repairs = block ? block->a20_repairs : 0;
}
