/* panic.c: the kernel's last words. Every fatal error ends here with a line
 * starting "PANIC:", so a person and the boot tests both see what went wrong. */
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

static void __attribute__((noreturn)) stop(void)
{
	if (exit_qemu)
		qemu_exit(false);
	cpu_halt_forever();
}

void panic(const char *fmt, ...)
{
	va_list ap;

	__asm__ volatile("cli");
	kprintf("PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	stop();
}

void panic_trap(const struct trap_frame *f)
{
	__asm__ volatile("cli");
	kprintf("PANIC: CPU exception %u (%s), error code %08x, EIP %08x, CR2 %08x\n",
		f->vector, trap_name(f->vector), f->error_code, f->eip, read_cr2());
	kprintf("  EAX %08x EBX %08x ECX %08x EDX %08x\n", f->eax, f->ebx, f->ecx, f->edx);
	kprintf("  ESI %08x EDI %08x EBP %08x ESP %08x\n", f->esi, f->edi, f->ebp,
		f->esp_at_trap + 20); /* below pushad: vector, error code, EIP, CS, EFLAGS */
	kprintf("  CS %04x EFLAGS %08x CR0 %08x CR3 %08x\n", f->cs, f->eflags, read_cr0(),
		read_cr3());
	stop();
}
