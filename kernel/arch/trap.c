/* trap.c: what happens after an exception stub (isr.asm) saved the registers:
 * the handler claimed for the vector runs, and an exception nobody claims is
 * printed with its name and registers here, where the trap frame is known, and
 * ends in the generic panic() (as xv6's trap.c does). Names: Intel SDM vol. 3A
 * table 6-1. */
#include "arch.h"
#include "syscall.h"
#include "../kernel.h"

static trap_handler_fn handlers[TRAP_VECTORS];
static trap_handler_fn user_handler;
static void (*syscall_handler)(struct trap_frame *frame);
static void (*user_return)(struct trap_frame *frame);

static const char *const names[TRAP_VECTORS] = {
	"divide error",
	"debug",
	"non-maskable interrupt",
	"breakpoint",
	"overflow",
	"bound range exceeded",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor segment overrun",
	"invalid TSS",
	"segment not present",
	"stack-segment fault",
	"general protection fault",
	"page fault",
	"reserved 15",
	"x87 floating-point error",
	"alignment check",
	"machine check",
	"SIMD floating-point exception",
	"virtualization exception",
	"control protection exception",
	"reserved 22",
	"reserved 23",
	"reserved 24",
	"reserved 25",
	"reserved 26",
	"reserved 27",
	"hypervisor injection exception",
	"VMM communication exception",
	"security exception",
	"reserved 31",
};

trap_handler_fn trap_set_handler(unsigned vector, trap_handler_fn handler)
{
	trap_handler_fn old = 0;

	if (vector < TRAP_VECTORS) {
		old = handlers[vector];
		handlers[vector] = handler;
	}
	return old;
}

const char *trap_name(unsigned vector)
{
	return vector < TRAP_VECTORS ? names[vector] : "unknown";
}

void trap_set_user_handler(trap_handler_fn handler)
{
	user_handler = handler;
}

void trap_set_syscall_handler(void (*handler)(struct trap_frame *frame))
{
	syscall_handler = handler;
}

void trap_set_user_return(void (*hook)(struct trap_frame *frame))
{
	user_return = hook;
}

/* One panic() call, so the headline and the three register lines leave
 * together, each line as the boot tests read it. The stubs run through
 * interrupt gates: interrupts are already off while the control registers are
 * read. ESP is the value before the trap (trap_esp). */
void trap_panic(const struct trap_frame *f)
{
	panic("CPU exception %u (%s), error code %08x, EIP %08x, CR2 %08x\n"
	      "  EAX %08x EBX %08x ECX %08x EDX %08x\n"
	      "  ESI %08x EDI %08x EBP %08x ESP %08x\n"
	      "  CS %04x EFLAGS %08x CR0 %08x CR3 %08x",
	      f->vector, trap_name(f->vector), f->error_code, f->eip, read_cr2(), f->eax, f->ebx, f->ecx,
	      f->edx, f->esi, f->edi, f->ebp, trap_esp(f), f->cs, f->eflags, read_cr0(), read_cr3());
}

void trap_dispatch(struct trap_frame *frame)
{
	if (frame->vector >= PIC_KERNEL_BASE && frame->vector < PIC_KERNEL_BASE + PIC_IRQS) {
		irq_dispatch(frame);
	} else if (frame->vector == SYSCALL_VECTOR && syscall_handler) {
		syscall_handler(frame);
	} else {
		trap_handler_fn handler = trap_from_user(frame) && user_handler ? user_handler
					  : frame->vector < TRAP_VECTORS        ? handlers[frame->vector]
										: 0;
		if (!handler || !handler(frame))
			trap_panic(frame);
	}
	if (trap_from_user(frame) && user_return)
		user_return(frame);
}
