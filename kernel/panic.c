/* panic.c: the kernel's last words. Every fatal error ends here with a line
 * starting "PANIC:", so a person and the boot tests both see what went wrong.
 * Generic: what a CPU exception adds (the trap frame, the control registers)
 * is printed by kernel/arch/trap.c, which then ends here too. It sits below
 * kernel/arch (any layer may panic) and so uses only arch.h's inline
 * primitives, no function of kernel/arch. */
#include "kernel.h"
#include "arch/arch.h"
#include "lib.h"

static bool exit_qemu;

/* In test runs a panic leaves QEMU at once, failed, instead of waiting for the
 * runner's time limit. */
void panic_exit_qemu_on_panic(bool on)
{
	exit_qemu = on;
}

void qemu_exit_if_asked(bool passed)
{
	if (exit_qemu)
		qemu_exit(passed);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	arch_disable_interrupts();
	kprintf("PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	if (exit_qemu)
		qemu_exit(false);
	arch_halt_forever();
}
