/* report.c: the seed's "Physical Memory Layout" and "Memory Usage Statistics"
 * tables, measured on this machine from the boot_info and linker symbols. */
#include "kernel.h"
#include "layout.h"
#include "kernel_header.h"
#include "mm/mm.h"
#include "arch/arch.h"
#include "lib.h"

#define REPORT_COLUMNS 79          /* a VGA row less the cursor's cell: no line wraps */
#define ACCOUNTING_NAME_WIDTH 34   /* the accounting's row names ... */
#define ACCOUNTING_NUMBER_WIDTH 12 /* ... and their figures, right-aligned */

#define KIB 1024u
#define IVT_BYTES 0x400u
#define BDA_BYTES 0x100u
#define LOW_RAM_TOP 0xA0000u

static void row(const char *name, uint64_t start, uint64_t size, const char *usage)
{
	bool small = size < KIB;

	kprintf("  %-20s 0x%08llx-0x%08llx %8llu %s  %s\n", name, (unsigned long long)start,
		(unsigned long long)(start + size - 1), (unsigned long long)(small ? size : size / KIB),
		small ? "B  " : "KiB", usage);
}

static unsigned ivt_vectors_set(const struct boot_info *bi)
{
	unsigned n = 0;

	for (unsigned i = 0; i < 8; i++)
		for (uint32_t bits = bi->ivt_set[i]; bits; bits &= bits - 1)
			n++;
	return n;
}

static void report_low_memory(const struct boot_info *bi)
{
	char usage[64];
	uint32_t conv = bi->conv_kib * KIB;
	uint32_t free_top = bi->ebda_base ? bi->ebda_base : conv;

	snprintf(usage, sizeof usage, "interrupt vectors, %u set by the BIOS", ivt_vectors_set(bi));
	row("Real Mode IVT", 0, IVT_BYTES, usage);
	snprintf(usage, sizeof usage, "BIOS data, COM1 at 0x%x", bi->com_ports[0]);
	row("BIOS Data Area", IVT_BYTES, BDA_BYTES, usage);
	snprintf(usage, sizeof usage, "conventional (INT 12h: %u KiB)", bi->conv_kib);
	row("Free Memory", IVT_BYTES + BDA_BYTES, free_top - IVT_BYTES - BDA_BYTES, usage);
	if (bi->ebda_base)
		row("EBDA", bi->ebda_base, bi->ebda_size, "extended BIOS data (BDA 0x40E)");
	row("ROM", REGION_ROM_START, REGION_ROM_SIZE, "system ROM/BIOS");
}

static void print_map(const struct e820_entry *map, unsigned count)
{
	for (unsigned i = 0; i < count; i++)
		kprintf("  0x%016llx-0x%016llx %s\n", (unsigned long long)map[i].base,
			(unsigned long long)(map[i].base + map[i].length - 1),
			memmap_type_name(map[i].type));
}

static bool same_map(const struct e820_entry *a, unsigned na, const struct e820_entry *b, unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++)
		if (a[i].base != b[i].base || a[i].length != b[i].length || a[i].type != b[i].type)
			return false;
	return true;
}

static void report_e820(const struct boot_info *bi)
{
	static const char *const sources[] = { "?", "E820", "E801", "INT 15h AH=88h" };
	unsigned count;
	const struct e820_entry *map = memory_map(&count);

	kprintf("E820 memory map (%u entries from %s):\n", bi->e820_count,
		sources[bi->mem_source < 4 ? bi->mem_source : 0]);
	print_map(bi->e820, bi->e820_count);
	if (same_map(bi->e820, bi->e820_count, map, count)) {
		kprintf("  sanitised: already sorted, with no overlaps\n");
	} else {
		kprintf("  sanitised (sorted, overlaps resolved, %u ranges):\n", count);
		print_map(map, count);
	}
	kprintf("  usable RAM: %llu KiB\n", (unsigned long long)(memmap_usable_total(map, count) / KIB));
}

static void section(const char *name, const char *start, const char *end, const char *perm)
{
	kprintf("  %-8s 0x%08x-0x%08x %7u bytes  %s\n", name, (unsigned)(uintptr_t)start,
		(unsigned)(uintptr_t)end - 1, (unsigned)(end - start), perm);
}

void report_cpu(const struct cpu_info *cpu)
{
	if (!cpu->has_cpuid) {
		kprintf("CPU: no CPUID (a 386 or early 486); no optional features used\n");
		return;
	}
	kprintf("CPU: %s family %u model %u, features:%s%s%s%s%s%s\n", cpu->vendor, cpu->family,
		cpu->model, cpu->tsc ? " tsc" : "", cpu->pse ? " pse" : "", cpu->pae ? " pae" : "",
		cpu->cx8 ? " cx8" : "", cpu->cmov ? " cmov" : "", cpu->nx ? " nx" : "");
}

void report_memory_layout(const struct boot_info *bi)
{
	kprintf("Physical memory layout:\n");
	report_low_memory(bi);
	unsigned count;
	const struct e820_entry *map = memory_map(&count);
	uint64_t high = memmap_usable_end(map, count, REGION_KERNEL_START);
	row("High Memory", REGION_KERNEL_START, high - REGION_KERNEL_START, "extended memory");
	row("Kernel", REGION_KERNEL_START, REGION_KERNEL_SIZE, "kernel binary and .bss");
	row("Heap", REGION_HEAP_START, REGION_HEAP_SIZE, "malloc (linear allocator)");
	report_e820(bi);
	kprintf("Kernel sections:\n");
	section(".text", __text_start, __text_end, "read/execute");
	section(".rodata", __rodata_start, __rodata_end, "read-only");
	section(".data", __data_start, __data_end, "read/write");
	section(".bss", __bss_start, __bss_end, "read/write, zeroed");
	kprintf("Stack: 0x%08x-0x%08x (%u KiB, grows down; the loader used %u bytes)\n",
		REGION_BOOT_STACK_START, REGION_BOOT_STACK_END - 1, REGION_BOOT_STACK_SIZE / KIB,
		REGION_BOOT_STACK_END - bi->stack_low_water);
	kprintf("Heap:  0x%08x-0x%08x (%u KiB)\n", REGION_HEAP_START, REGION_HEAP_END - 1,
		REGION_HEAP_SIZE / KIB);
	const char *method = bi->read_method == BOOT_READ_EDD ? "EDD" : "CHS";
	if (boot_read_by_ata(bi))
		kprintf("Loader: KERNEL.BIN read with %u ATA reads (%u sectors, %u retries), %03Xh %s\n",
			bi->kernel_read_calls, bi->kernel_read_sectors, bi->disk_retries, bi->ata_port,
			bi->ata_slave ? "slave" : "master");
	else if (bi->ata_port)
		kprintf("Loader: KERNEL.BIN read with %u reads (%u sectors, %u retries), %s (ATA at "
			"%03Xh failed)\n",
			bi->kernel_read_calls, bi->kernel_read_sectors, bi->disk_retries, method,
			bi->ata_port);
	else
		kprintf("Loader: KERNEL.BIN read with %u INT 13h calls (%u sectors, %u retries), %s\n",
			bi->kernel_read_calls, bi->kernel_read_sectors, bi->disk_retries, method);
}

void report_memory_usage(const struct boot_info *bi)
{
	const struct kernel_header *h = (const struct kernel_header *)__kernel_start;
	unsigned statics = (unsigned)(__data_end - __data_start) + (unsigned)(__bss_end - __bss_start);

	kprintf("Memory usage statistics:\n");
	kprintf("  Kernel binary:  %u bytes (%u KiB)\n", h->image_size, (h->image_size + KIB - 1) / KIB);
	kprintf("  Static data:    %u bytes (.data + .bss)\n", statics);
	kprintf("  Stack:          %u KiB\n", REGION_BOOT_STACK_SIZE / KIB);
	struct memory_accounting a;
	memory_accounting(&a);
	kprintf("  Heap used:      %u bytes early (linear), %llu bytes in slab caches, spans and whole pages\n",
		(unsigned)heap_used(), (unsigned long long)(a.slab + a.large));
	kprintf("  Heap free:      %llu bytes (%llu KiB, the page allocator's free pages)\n",
		(unsigned long long)a.free, (unsigned long long)(a.free / KIB));
	kprintf("  Command line:   \"%s\"\n", bi->cmdline);
}

/* Every usable byte of the E820 map, once: the parts come from different
 * places (buddy free lists, each allocator's own count, the reasons frames were
 * kept back, the map) and must add up to the map's total exactly. */
unsigned memory_accounting_rows(const struct memory_accounting *a, struct accounting_row *rows)
{
	static const char *const reasons[RESERVED_COUNT] = {
		[RESERVED_BIOS_LOADER] = "reserved: page 0, loader, EBDA",
		[RESERVED_BOOT_STACK] = "reserved: boot stack and guard",
		[RESERVED_BIOS_CALL] = "reserved: BIOS call, bounce buffer",
		[RESERVED_CONSOLE] = "reserved: scrollback, boot report",
		[RESERVED_KERNEL] = "reserved: kernel image and .bss",
		[RESERVED_EARLY_HEAP] = "reserved: early (linear) heap",
		[RESERVED_DESCRIPTORS] = "reserved: page descriptors, live map",
	};
	unsigned n = 0;

	rows[n++] = (struct accounting_row){ "free pages", a->free };
	rows[n++] = (struct accounting_row){ "free pages, high zone", a->free_high };
	rows[n++] = (struct accounting_row){ "slab caches", a->slab };
	rows[n++] = (struct accounting_row){ "malloc, spans and whole pages", a->large };
	rows[n++] = (struct accounting_row){ "page tables", a->page_tables };
	rows[n++] = (struct accounting_row){ "kernel stacks", a->kernel_stacks };
	rows[n++] = (struct accounting_row){ "user pages", a->user };
	rows[n++] = (struct accounting_row){ "other page allocations", a->other };
	for (unsigned r = 0; r < RESERVED_COUNT; r++)
		rows[n++] = (struct accounting_row){ reasons[r], a->reserved[r] };
	rows[n++] = (struct accounting_row){ "partial pages (not allocatable)", a->partial };
	rows[n++] = (struct accounting_row){ "above 4 GiB (not used, 32-bit)", a->above_4g };
	return n;
}

void report_memory_accounting(void)
{
	struct accounting_row rows[ACCOUNTING_ROWS_MAX];
	struct memory_accounting a;
	uint64_t sum = 0, allocated;

	memory_accounting(&a);
	unsigned n = memory_accounting_rows(&a, rows);
	kprintf("Physical memory accounting (bytes):\n");
	for (unsigned i = 0; i < n; i++) {
		kprintf("  %-*s %*llu\n", ACCOUNTING_NAME_WIDTH, rows[i].name, ACCOUNTING_NUMBER_WIDTH,
			(unsigned long long)rows[i].bytes);
		sum += rows[i].bytes;
	}
	allocated = a.slab + a.large + a.page_tables + a.other + a.kernel_stacks + a.user;
	/* the total's number under the rows' while the line fits a VGA row; past
	 * that (10-digit figures at -m 3584) the gap before it gives way */
	char tail[64];
	int width = ACCOUNTING_NAME_WIDTH,
	    len = snprintf(tail, sizeof tail, " of %llu E820 usable: %s", (unsigned long long)a.usable,
			   sum == a.usable ? "exact" : "MISMATCH");
	int over = 2 + width + 1 + ACCOUNTING_NUMBER_WIDTH + len - REPORT_COLUMNS;
	if (over > 0)
		width = over < width - 5 ? width - over : 5;
	kprintf("  %-*s %*llu%s\n", width, "total", ACCOUNTING_NUMBER_WIDTH, (unsigned long long)sum,
		tail);
	if (allocated != a.zone_allocated)
		kprintf("  MISMATCH: owners hold %llu bytes, the page allocator says %llu\n",
			(unsigned long long)allocated, (unsigned long long)a.zone_allocated);
}
