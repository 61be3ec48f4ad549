/* tss.h: the kernel's task-state segments (Intel SDM vol. 3A 7.2). VlsOs does
 * not switch tasks; it has two TSSs so that a double fault runs on a stack of
 * its own: the CPU's #DF on an overflowed kernel stack cannot push anything
 * there, so vector 8 is a task gate and the switch to the #DF task loads a
 * fresh ESP (and CR3) instead of pushing on the broken stack. */
#ifndef VLSOS_TSS_H
#define VLSOS_TSS_H

#include <stdint.h>

/* GDT slots after SEL_KERNEL_CODE and SEL_KERNEL_DATA (arch.h) */
#define SEL_KERNEL_TSS 0x18       /* the kernel's own task: TR from tss_init on */
#define SEL_DOUBLE_FAULT_TSS 0x20 /* the #DF task */

/* The 32-bit TSS as the CPU reads and writes it (SDM vol. 3A figure 7-2). */
struct tss {
	uint16_t link, reserved0;
	uint32_t esp0;
	uint16_t ss0, reserved1;
	uint32_t esp1;
	uint16_t ss1, reserved2;
	uint32_t esp2;
	uint16_t ss2, reserved3;
	uint32_t cr3, eip, eflags, eax, ecx, edx, ebx, esp, ebp, esi, edi;
	uint16_t es, reserved4, cs, reserved5, ss, reserved6, ds, reserved7, fs, reserved8, gs,
		reserved9, ldt, reserved10;
	uint16_t trap, iomap_base;
};
_Static_assert(sizeof(struct tss) == 104, "the CPU's 32-bit TSS is 104 bytes");

/* gdt.c: writes a 32-bit available TSS descriptor into GDT slot `selector` */
void gdt_set_tss(uint16_t selector, const struct tss *tss);
/* idt.c: makes `vector` a task gate to the TSS at `selector` */
void idt_set_task_gate(unsigned vector, uint16_t selector);

/* isr.asm: the #DF task's entry point, the unmapped guard page below its
 * stack, and the top of that stack */
extern char double_fault_entry[], double_fault_guard[], double_fault_stack_top[];
/* tss.c: called by double_fault_entry on the #DF task's stack; never returns */
void double_fault_task(uint32_t error_code) __attribute__((noreturn));

/* tss.c: after gdt_init and idt_init: both TSSs, TR, the #DF task gate */
void tss_init(void);
/* tss.c: after paging_enable (and after any later CR3 change): the #DF task
 * takes the live CR3, and the page below its stack is unmapped as a guard */
void tss_paging_enabled(void);
/* the stack the CPU switches to on a trap from ring 3: the running process's */
void tss_set_kernel_stack(uint32_t esp0);

#endif
