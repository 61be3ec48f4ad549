/* bios_call.h: the registers a real-mode BIOS call takes and gives back, and
 * the block the kernel's protected-mode half (kernel/arch/bios_call.c) shares
 * with its real-mode half (kernel/arch/bios_call.asm). Defined once here;
 * tools/geninc prints NASM's offsets into build/gen/bios_call.inc. */
#ifndef VLSOS_BIOS_CALL_H
#define VLSOS_BIOS_CALL_H

#include <stdint.h>

/* In: what the BIOS finds in its registers (eflags is not loaded: the BIOS
 * runs with IF set and DF clear). Out: everything it left there; a caller
 * reads only the outputs the call documents. */
struct bios_regs {
	uint32_t eax, ebx, ecx, edx, esi, edi, ebp;
	uint16_t ds, es;
	uint32_t eflags;
} __attribute__((packed));

#define BIOS_EFLAGS_CF 0x0001u /* the usual "it failed" of INT 13h and 15h */

/* struct bios_call_block lives inside the trampoline's copy below 1 MiB, so
 * both halves reach it: the protected-mode half at its linear address, the
 * real-mode half at an offset in the trampoline's segment. */
struct bios_far_pointer {
	uint32_t offset;
	uint16_t selector;
} __attribute__((packed));

struct bios_descriptor_table { /* what sgdt/sidt store and lgdt/lidt load */
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

#define BIOS_SCRATCH_SIZE 96 /* room for an INT 13h DAP or AH=48h's drive parameters */

struct bios_call_block {
	struct bios_regs regs; /* in, then out */
	uint32_t vector;       /* 0-255 */
	uint32_t kernel_esp;   /* the kernel's stack, while the BIOS runs on the trampoline's */
	uint32_t cr0, cr3, cr4;
	uint32_t efer_low, efer_high; /* written back before paging comes on, when has_efer */
	uint32_t has_efer;
	uint16_t sel_data16, sel_data32; /* 16-bit (64 KiB) and flat 32-bit data selectors */
	struct bios_far_pointer to_pm16; /* kernel -> 16-bit protected mode in the copy */
	struct bios_far_pointer to_pm32; /* real mode -> 32-bit protected mode in the copy */
	uint32_t kernel_return;          /* where 32-bit code in the copy goes back to the kernel */
	struct bios_descriptor_table gdtr, idtr;
	uint32_t a20_repairs; /* times A20 was found off after a call and turned back on */
	uint32_t bda_ticks_before,
		bda_ticks_after; /* the BIOS's tick count (0040:006C) around the call */
	uint8_t scratch[BIOS_SCRATCH_SIZE];
} __attribute__((packed));

#endif
