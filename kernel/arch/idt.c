/* idt.c: the IDT for CPU exceptions 0-31 (Intel SDM vol. 3A 6.10-6.15): an
 * interrupt gate to each stub in isr.asm, or a task gate (the double fault's,
 * tss.c). What a trap then does is trap.c's. */
#include "arch.h"
#include "tss.h"

#define IDT_INTERRUPT_GATE 0x8E /* present, ring 0, 32-bit interrupt gate */
#define IDT_TASK_GATE 0x85      /* present, ring 0, task gate: the selector names a TSS */

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

static struct idt_gate idt[TRAP_VECTORS] __attribute__((aligned(8)));

void idt_init(void)
{
	static struct idt_pointer pointer;

	for (unsigned v = 0; v < TRAP_VECTORS; v++) {
		idt[v].offset_low = isr_table[v] & 0xFFFF;
		idt[v].offset_high = isr_table[v] >> 16;
		idt[v].selector = SEL_KERNEL_CODE;
		idt[v].zero = 0;
		idt[v].type = IDT_INTERRUPT_GATE;
	}
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
