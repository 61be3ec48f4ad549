/* gdt.c: the kernel's own flat GDT (Intel SDM vol. 3A 3.4.5), so nothing of the
 * loader's memory is needed once the kernel runs, and the descriptors of the
 * two TSSs (tss.c). Writable: the CPU sets a TSS descriptor's busy bit. */
#include "arch.h"
#include "tss.h"

struct gdt_pointer {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

/* flat 4 GiB segments: base 0, limit 0xFFFFF in 4 KiB units, 32-bit */
#define GDT_CODE_RING0 0x00CF9A000000FFFFull
#define GDT_DATA_RING0 0x00CF92000000FFFFull
/* the same for ring 3 (DPL 3) */
#define GDT_CODE_RING3 0x00CFFA000000FFFFull
#define GDT_DATA_RING3 0x00CFF2000000FFFFull
/* 64 KiB segments at 0, 16-bit: what real mode expects in the hidden limits
 * when bios_call leaves protected mode (Intel SDM vol. 3A 9.9.2) */
#define GDT_CODE_16BIT 0x00009A000000FFFFull
#define GDT_DATA_16BIT 0x000092000000FFFFull

/* a TSS descriptor: present, ring 0, 32-bit available TSS; byte granularity */
#define GDT_TSS_TYPE 0x89ull

static uint64_t gdt[] __attribute__((aligned(16))) = {
	0,
	GDT_CODE_RING0, /* SEL_KERNEL_CODE */
	GDT_DATA_RING0, /* SEL_KERNEL_DATA */
	0,              /* SEL_KERNEL_TSS, by gdt_set_tss */
	0,              /* SEL_DOUBLE_FAULT_TSS, by gdt_set_tss */
	GDT_CODE_16BIT, /* SEL_BIOS_CODE16 */
	GDT_DATA_16BIT, /* SEL_BIOS_DATA16 */
	GDT_CODE_RING3, /* SEL_USER_CODE */
	GDT_DATA_RING3, /* SEL_USER_DATA */
};

_Static_assert(SEL_KERNEL_CODE == 1 * 8 && SEL_KERNEL_DATA == 2 * 8 && SEL_KERNEL_TSS == 3 * 8 &&
		       SEL_DOUBLE_FAULT_TSS == 4 * 8 && SEL_BIOS_CODE16 == 5 * 8 &&
		       SEL_BIOS_DATA16 == 6 * 8 && SEL_USER_CODE == 7 * 8 && SEL_USER_DATA == 8 * 8,
	       "selectors index gdt[]");

void gdt_set_tss(uint16_t selector, const struct tss *tss)
{
	uint64_t base = (uint32_t)tss, limit = sizeof(*tss) - 1;

	gdt[selector / 8] = (limit & 0xFFFF) | (base & 0xFFFFFF) << 16 | GDT_TSS_TYPE << 40 |
			    (limit >> 16 & 0xF) << 48 | (base >> 24) << 56;
}

void gdt_init(void)
{
	static struct gdt_pointer pointer;

	pointer.limit = sizeof(gdt) - 1;
	pointer.base = (uint32_t)gdt;
	__asm__ volatile("lgdt %0\n\t"
			 "ljmp %1, $1f\n"
			 "1:\n\t"
			 "mov %2, %%ax\n\t"
			 "mov %%ax, %%ds\n\t"
			 "mov %%ax, %%es\n\t"
			 "mov %%ax, %%fs\n\t"
			 "mov %%ax, %%gs\n\t"
			 "mov %%ax, %%ss"
			 :
			 : "m"(pointer), "i"(SEL_KERNEL_CODE), "i"(SEL_KERNEL_DATA)
			 : "eax", "memory");
}
