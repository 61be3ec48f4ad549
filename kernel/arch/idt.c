/* idt.c: the IDT for CPU exceptions 0-31 and the 16 IRQs after them (Intel SDM vol. 3A 6.10-6.15): an
 * interrupt gate to each stub in isr.asm, or a task gate (the double fault's,
 * tss.c). What a trap then does is trap.c's. */
#include "arch.h"
#include "syscall.h"
#include "tss.h"

#define IDT_INTERRUPT_GATE 0x8E /* present, ring 0, 32-bit interrupt gate */
#define IDT_TASK_GATE 0x85      /* present, ring 0, task gate: the selector names a TSS */
#define IDT_USER_GATE 0xEE      /* present, ring 3 may raise it with INT: the system call */

struct idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;
	uint16_t offset_high;
} __attribute__((packed));

struct idt_pointer {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

/* exceptions, then the IRQs, then nothing (not present: an INT of those from
 * ring 3 is a general protection fault) up to the system call's */
#define IDT_VECTORS (SYSCALL_VECTOR + 1)
_Static_assert(PIC_KERNEL_BASE == TRAP_VECTORS, "the IRQs follow the exceptions");
_Static_assert(SYSCALL_VECTOR == 0x80, "isr.asm's SYSCALL_VECTOR");

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(8)));

static void set_gate(unsigned v, uint32_t entry)
{
	idt[v].offset_low = entry & 0xFFFF;
	idt[v].offset_high = entry >> 16;
	idt[v].selector = SEL_KERNEL_CODE;
	idt[v].zero = 0;
	idt[v].type = IDT_INTERRUPT_GATE;
}

void idt_init(void)
{
	static struct idt_pointer pointer;

	for (unsigned v = 0; v < TRAP_VECTORS; v++)
		set_gate(v, isr_table[v]);
	for (unsigned irq = 0; irq < PIC_IRQS; irq++)
		set_gate(PIC_KERNEL_BASE + irq, irq_table[irq]);
	set_gate(SYSCALL_VECTOR, (uint32_t)isr_syscall);
	idt[SYSCALL_VECTOR].type = IDT_USER_GATE;
	pointer.limit = sizeof(idt) - 1;
	pointer.base = (uint32_t)idt;
	__asm__ volatile("lidt %0" : : "m"(pointer));
}

/* A task gate's offset is unused: the CPU takes EIP from the TSS. */
void idt_set_task_gate(unsigned vector, uint16_t selector)
{
	if (vector >= TRAP_VECTORS)
		return;
	idt[vector].offset_low = 0;
	idt[vector].offset_high = 0;
	idt[vector].selector = selector;
	idt[vector].zero = 0;
	idt[vector].type = IDT_TASK_GATE;
}
