/* fault.c: a CPU exception in ring 3. A first touch of a demand-zero page is
 * mapped and the process goes on; anything else ends the process with one
 * line naming it, the fault, the address and the instruction, and the kernel
 * and the other processes go on. */
#include "proc.h"
#include "lib.h"
#include "../arch/arch.h"
#include "../kernel.h"

#define VECTOR_GENERAL_PROTECTION 13

static const char *page_fault_kind(uint32_t error)
{
	if (!(error & PF_PRESENT))
		return "page not present";
	return (error & PF_FETCH) ? "protection violation, NX" : "protection violation";
}

static bool user_trap(struct trap_frame *f)
{
	struct proc *p = proc_current();
	char what[192];

	if (f->vector == VECTOR_PAGE_FAULT) {
		uint32_t addr = read_cr2(), err = f->error_code;
		const char *why;
		if (vm_fault(&p->vm, addr, err, &why))
			return true;
		const char *access = (err & PF_FETCH) ? "execute" : (err & PF_WRITE) ? "write" : "read";
		snprintf(what, sizeof what, "page fault: %s of 0x%08x (%s) at EIP 0x%08x, %s", access,
			 (unsigned)addr, page_fault_kind(err), (unsigned)f->eip, why);
	} else if (f->error_code && f->vector == VECTOR_GENERAL_PROTECTION) {
		snprintf(what, sizeof what, "%s (error code %04x) at EIP 0x%08x", trap_name(f->vector),
			 (unsigned)f->error_code, (unsigned)f->eip);
	} else {
		snprintf(what, sizeof what, "%s at EIP 0x%08x", trap_name(f->vector), (unsigned)f->eip);
	}
	kprintf("process %d (%s) killed: %s\n", p->pid, p->name, what);
	proc_exit(STATUS_FAULT(f->vector));
}

void fault_init(void)
{
	trap_set_user_handler(user_trap);
}
