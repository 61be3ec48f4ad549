/* idt.c: the IDT for CPU exceptions 0-31 (Intel SDM vol. 3A 6.10-6.15). An
 * exception nobody claims ends in a PANIC line with its name and registers. */
#include "arch.h"
#include "tss.h"
#include "../kernel.h"

#define IDT_VECTORS      32
#define IDT_INTERRUPT_GATE 0x8E /* present, ring 0, 32-bit interrupt gate */
#define IDT_TASK_GATE      0x85 /* present, ring 0, task gate: the selector names a TSS */

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

extern const uint32_t isr_table[IDT_VECTORS];

static struct idt_gate idt[IDT_VECTORS] __attribute__((aligned(8)));
static trap_handler_fn handlers[IDT_VECTORS];

static const char *const names[IDT_VECTORS] = {
	"divide error", "debug", "non-maskable interrupt", "breakpoint", "overflow",
	"bound range exceeded", "invalid opcode", "device not available", "double fault",
	"coprocessor segment overrun", "invalid TSS", "segment not present",
	"stack-segment fault", "general protection fault", "page fault", "reserved 15",
	"x87 floating-point error", "alignment check", "machine check",
	"SIMD floating-point exception", "virtualization exception",
	"control protection exception", "reserved 22", "reserved 23", "reserved 24",
	"reserved 25", "reserved 26", "reserved 27", "hypervisor injection exception",
	"VMM communication exception", "security exception", "reserved 31",
};

void idt_init(void)
{
	static struct idt_pointer pointer;

	for (unsigned v = 0; v < IDT_VECTORS; v++) {
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
	if (vector >= IDT_VECTORS)
		return;
	idt[vector].offset_low = 0;
	idt[vector].offset_high = 0;
	idt[vector].selector = selector;
	idt[vector].zero = 0;
	idt[vector].type = IDT_TASK_GATE;
}

trap_handler_fn trap_set_handler(unsigned vector, trap_handler_fn handler)
{
	trap_handler_fn old = 0;

	if (vector < IDT_VECTORS) {
		old = handlers[vector];
		handlers[vector] = handler;
	}
	return old;
}

const char *trap_name(unsigned vector)
{
	return vector < IDT_VECTORS ? names[vector] : "unknown";
}

void trap_dispatch(struct trap_frame *frame)
{
	trap_handler_fn handler = frame->vector < IDT_VECTORS ? handlers[frame->vector] : 0;

	if (handler && handler(frame))
		return;
	panic_trap(frame);
}
