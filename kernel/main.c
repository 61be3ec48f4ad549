/* main.c: kmain, the kernel's bring-up in order, top to bottom. */
#include "kernel.h"
#include "arch/arch.h"
#include "arch/tss.h"
#include "dev/dev.h"
#include "mm/mm.h"
#include "proc/proc.h"
#include "vm/swap.h"
#include "layout.h"
#include "lib.h"

#define COM1_DEFAULT_PORT 0x3F8 /* used when the boot_info cannot be trusted */
#define COM1_IRQ 4

static bool boot_info_is_valid(const struct boot_info *bi)
{
	return bi && bi->magic == BOOT_INFO_MAGIC && bi->version == BOOT_INFO_VERSION &&
	       bi->size == sizeof(struct boot_info);
}

/* "crash", "crash-null", "crash-text", "crash-guard" on the command line
 * commit that fault on purpose, to show (and test) the PANIC it gives. */
static void crash_on_request(const struct boot_info *bi)
{
	if (cmdline_has(bi, "crash"))
		__asm__ volatile("ud2");
	if (cmdline_has(bi, "crash-null"))
		(void)*(volatile uint32_t *)0;
	if (cmdline_has(bi, "crash-text"))
		*(volatile uint8_t *)__text_start = 0;
	if (cmdline_has(bi, "crash-guard"))
		*(volatile uint32_t *)(REGION_STACK_GUARD_END - 4) = 0;
	if (cmdline_has(bi, "crash-exec")) /* NX: page fault in .data; no NX: invalid opcode */
		((void (*)(void))paging_exec_probe)();
}

void kmain(const struct boot_info *bi)
{
	bool valid = boot_info_is_valid(bi);

	if (valid)
		console_init(bi->com_ports[0], bi->cursor_row, bi->cursor_col);
	else
		console_init(COM1_DEFAULT_PORT, 0, 0);
	kprintf("VlsOs %s: an i386 kernel at 0x%x\n", VLSOS_VERSION,
		(unsigned)(uintptr_t)__kernel_start);
	if (!valid)
		panic("kmain: no valid boot_info from the loader (magic, version or size wrong)");
	boot_stamps_start(bi);
	boot_stamp("kernel: console");
	panic_exit_qemu_on_panic(cmdline_has(bi, "test") || cmdline_has(bi, "exit"));
	disks_keep_loader_sectors(bi);

	gdt_init();
	idt_init();
	tss_init();
	pic_init(bi->bios_pic_mask);
	boot_stamp("kernel: GDT, IDT, TSS, PICs");
	report_cpu(cpu_detect());
	clock_start_measuring(); /* the TSC's rate, over the memory set-up below */
	memory_map_init(bi);
	report_memory_layout(bi);
	boot_stamp("kernel: CPU, memory map reported");
	memory_init(bi);
	memory_init_allocators(bi);
	boot_stamp("kernel: allocators");
	paging_init();
	paging_enable();
	tss_paging_enabled();
	bios_call_init();
	boot_stamp("kernel: paging");
	report_memory_usage(bi);
	report_memory_accounting();
	boot_stamp("kernel: memory usage reported");
	clock_init(); /* before the first BIOS call, which may use the PIT */
	boot_stamp("kernel: clock");
	disks_init(bi);
	boot_stamp("kernel: disks, boot volume");
	swap_init();
	boot_stamp("kernel: swap");
	keyboard_init();
	serial_input_init(COM1_IRQ);
	arch_enable_interrupts();
	boot_stamp("kernel: input, interrupts on");

	ktest_on_request(bi);
	crash_on_request(bi);
	kprintf("VlsOs ready\n");
	boot_stamp("kernel: VlsOs ready");
	console_end_boot_report();
	proc_init();
	proc_run_init(bi);
}
