/* tss.c: the kernel's TSS and the double fault's task (tss.h says why).
 *
 * An overflow of the boot stack runs ESP into the unmapped guard page below it
 * (REGION_STACK_GUARD, paging.c). The page fault that follows cannot be
 * delivered on that stack: pushing its frame faults again, which makes a
 * double fault. Through an interrupt gate the #DF would fault a third time and
 * the CPU would shut down (QEMU resets). Through a task gate the CPU saves the
 * faulting state into the kernel's TSS and loads the #DF task's registers
 * from its own TSS, stack included, pushing nothing on the broken one. */
#include "arch.h"
#include "tss.h"
#include "../kernel.h"
#include "../ksyms.h"
#include "layout.h"

#define VECTOR_DOUBLE_FAULT 8
#define EFLAGS_RESERVED 0x00000002u /* bit 1 is always set; IF clear: no interrupts */

/* A stack overflow faults on a push (up to pushad's 32 bytes) or a store below
 * ESP, so ESP at the fault lies in the guard page or at most this far above. */
#define STACK_OVERFLOW_NEAR 64u

/* The CPU reads ESP0 and SS0 here on a trap from ring 3, and writes the
 * faulting task's registers here when the #DF gate switches tasks. */
static struct tss kernel_tss __attribute__((aligned(128)));
/* what the CPU loads to run the #DF task */
static struct tss double_fault_tss __attribute__((aligned(128)));

void tss_init(void)
{
	double_fault_tss.eip = (uint32_t)double_fault_entry;
	double_fault_tss.esp = (uint32_t)double_fault_stack_top;
	double_fault_tss.eflags = EFLAGS_RESERVED;
	double_fault_tss.cs = SEL_KERNEL_CODE;
	double_fault_tss.ss = double_fault_tss.ds = double_fault_tss.es = SEL_KERNEL_DATA;
	double_fault_tss.fs = double_fault_tss.gs = SEL_KERNEL_DATA;
	/* without paging the value is loaded and unused; tss_paging_enabled
	 * replaces it with the page tables' */
	double_fault_tss.cr3 = read_cr3();
	/* no I/O permission bitmap: its offset lies past the TSS's limit */
	kernel_tss.iomap_base = double_fault_tss.iomap_base = sizeof(struct tss);

	gdt_set_tss(SEL_KERNEL_TSS, &kernel_tss);
	gdt_set_tss(SEL_DOUBLE_FAULT_TSS, &double_fault_tss);
	__asm__ volatile("ltr %w0" : : "r"((uint16_t)SEL_KERNEL_TSS) : "memory");
	idt_set_task_gate(VECTOR_DOUBLE_FAULT, SEL_DOUBLE_FAULT_TSS);
}

void tss_paging_enabled(void)
{
	/* the task switch loads CR3 from the TSS: with PAE it points to the PDPT,
	 * so it is read from the CPU rather than rebuilt here */
	double_fault_tss.cr3 = read_cr3();
	unmap_page((uint32_t)double_fault_guard);
}

void tss_set_kernel_stack(uint32_t esp0)
{
	kernel_tss.esp0 = esp0;
	kernel_tss.ss0 = SEL_KERNEL_DATA;
}

/* Called on the #DF task's stack (isr.asm) with the CPU's error code, always
 * 0 for #DF. The faulting state is what the switch saved in kernel_tss. */
void double_fault_task(uint32_t error_code)
{
	uint32_t esp = kernel_tss.esp, eip = kernel_tss.eip;
	char where[KSYM_TEXT_MAX];

	ksym_format(where, sizeof(where), eip);
	if (esp >= REGION_STACK_GUARD_START && esp < REGION_STACK_GUARD_END + STACK_OVERFLOW_NEAR)
		panic("kernel stack overflow: ESP 0x%08x ran into the guard page below the boot stack "
		      "(0x%08x-0x%08x), EIP 0x%08x in %s",
		      (unsigned)esp, REGION_STACK_GUARD_START, REGION_STACK_GUARD_END - 1, (unsigned)eip,
		      where);
	panic("CPU exception 8 (double fault), error code %08x, EIP %08x in %s, ESP %08x, CR2 %08x",
	      (unsigned)error_code, (unsigned)eip, where, (unsigned)esp, read_cr2());
}
