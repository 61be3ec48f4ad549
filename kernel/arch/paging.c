/* paging.c: the seed's paging interface. All usable RAM below 4 GiB and the
 * first MiB are identity-mapped, with large pages (4 MiB, or 2 MiB under PAE)
 * where a whole one is RAM and the CPU has them, split into 4 KiB pages when
 * one of their pages is mapped or unmapped on its own; the kernel's sections get the seed's
 * permissions, enforced in ring 0 by CR0.WP; page 0 and the page below the
 * boot stack stay unmapped so NULL dereferences and stack overflows fault.
 * Where the CPU has PAE and NX, the tables are PAE's and every page but
 * kernel .text is no-execute, so code planted in data, the heap or a stack
 * cannot run; elsewhere they are 32-bit tables without execute protection.
 * This is the front both formats sit behind: it decides what is mapped and
 * how and calls down into the format chosen at boot (paging_32bit.c,
 * paging_pae.c), which find and write entries; what all three share (pages for
 * tables, the TLB flush, whether paging is on) is paging_tables.c's, below
 * them all. */
#include "arch.h"
#include "errors.h"
#include "layout.h"
#include "paging_tables.h"
#include "../mm/mm.h"
#include "../mm/page.h"
#include "../kernel.h"
#include "lib.h"

#define PAGE_MASK (~(PAGE_SIZE - 1))
#define LOW_MEMORY_END 0x100000u     /* BIOS areas, VGA text memory: mapped whole */
#define ADDRESS_LIMIT 0x100000000ull /* a 32-bit kernel reaches no further */

uint8_t paging_exec_probe[] = { 0x0F, 0x0B }; /* ud2, kept in .data */

static const struct page_table_format *tables; /* the format chosen at boot */
static bool nx;                                /* PAE tables with EFER.NXE: PTE_NX means something */

/* PTE_NX when this CPU honours it; 0 on 32-bit tables, which have no such bit */
static pte_t no_execute(void)
{
	return nx ? PTE_NX : 0;
}

/* the present entry of virt's page, or 0 when there is none */
static pte_t entry_of(uint32_t virt)
{
	uint32_t span;
	pte_t value = tables ? tables->lookup(virt, &span) : 0;
	return (value & PTE_PRESENT) ? value : 0;
}

uint32_t paging_mapping_size(uint32_t virt)
{
	uint32_t span = 0;
	pte_t value = paging_is_enabled() ? tables->lookup(virt, &span) : 0;
	return (value & PTE_PRESENT) ? span : 0;
}

/* map_page's flags as an entry: writable when asked, NX unless asked not to */
static pte_t entry_flags(uint32_t flags)
{
	pte_t value = (flags & ~(PTE_FRAME_MASK | PAGE_FLAG_EXECUTABLE)) | PTE_PRESENT;
	return (flags & PAGE_FLAG_EXECUTABLE) ? value : value | no_execute();
}

int map_page(uint32_t virt, uint32_t phys, uint32_t flags)
{
	if ((virt | phys) & ~PTE_FRAME_MASK)
		return ERR_INVAL;
	if (entry_of(virt))
		return ERR_EXIST; /* before entry_for, which would split a large page for nothing */
	void *entry = tables->entry_for(virt, true);
	if (!entry)
		return ERR_NOMEM;
	if (tables->read(entry) & PTE_PRESENT)
		return ERR_EXIST;
	tables->write(entry, phys | entry_flags(flags));
	if (paging_is_enabled())
		invlpg(virt); /* a stale not-present entry may be cached on some CPUs */
	return 0;
}

int unmap_page(uint32_t virt)
{
	if (virt & ~PTE_FRAME_MASK)
		return ERR_INVAL;
	void *entry = tables->entry_for(virt, false);
	if (!entry || !(tables->read(entry) & PTE_PRESENT))
		return ERR_NOTMAPPED;
	tables->write(entry, 0);
	if (paging_is_enabled())
		invlpg(virt);
	return 0;
}

/* Gives the pages in [start, end), which must be mapped, the permissions
 * `flags` (PTE_WRITABLE, PTE_NX) instead of theirs. */
static void protect_range(uint32_t start, uint32_t end, pte_t flags)
{
	for (uint32_t v = start & PAGE_MASK; v < end; v += PAGE_SIZE) {
		void *entry = tables->entry_for(v, false);
		pte_t value = entry ? tables->read(entry) : 0;
		if (value & PTE_PRESENT)
			tables->write(entry, (value & PTE_FRAME_MASK) | flags | PTE_PRESENT);
	}
}

/* Maps [start, end) to itself, writable and not executable: a large page for
 * each whole, aligned one the range holds, else a page table at a time
 * (map_page's checks per page cost more than the mapping under TCG, and
 * filling tables was most of the kernel's set-up: 16 of them for 64 MiB).
 * Pages already mapped keep their entry. */
static void identity_map(uint64_t start, uint64_t end)
{
	uint64_t p = (start + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
	pte_t flags = PTE_WRITABLE | no_execute() | PTE_PRESENT;
	uint32_t large = tables->table_span;

	if (end > ADDRESS_LIMIT)
		end = ADDRESS_LIMIT;
	while (p + PAGE_SIZE <= end) {
		if ((p & (large - 1)) == 0 && p + large <= end &&
		    tables->map_large((uint32_t)p, (uint32_t)p, flags)) {
			p += large;
			continue;
		}
		uint8_t *entry = tables->entry_for((uint32_t)p, true);
		if (!entry)
			panic("paging: out of memory for page tables at 0x%08x", (unsigned)p);
		/* the rest of this page table, or of the range */
		uint64_t table_end = (p | (tables->table_span - 1)) + 1;
		uint64_t stop = table_end < end ? table_end : end & ~(uint64_t)(PAGE_SIZE - 1);
		unsigned count = (unsigned)((stop - p) >> PAGE_SHIFT);
		tables->fill(entry, (uint32_t)p, flags, count);
		p = stop;
	}
}

/* PAE tables only pay with NX: without it they would protect nothing more
 * than the 32-bit tables, in twice the memory. */
static void choose_format(void)
{
	const char *missing = paging_nx_missing();

	nx = missing == NULL;
	tables = nx ? &paging_format_pae : &paging_format_32bit;
	if (nx)
		kprintf("paging: PAE with NX: data, heap and stacks not executable\n");
	else
		kprintf("paging: CPU has no %s: 32-bit tables, no execute protection\n", missing);
}

const char *paging_nx_missing(void)
{
	const struct cpu_info *cpu = cpu_info();

	if (!cpu->has_cpuid)
		return "CPUID, so no PAE or NX";
	if (!cpu->pae && !cpu->nx)
		return "PAE or NX";
	if (!cpu->pae || !cpu->nx)
		return cpu->pae ? "NX" : "PAE";
	return NULL;
}

void paging_init(void)
{
	unsigned count;
	const struct e820_entry *map = memory_map(&count);

	choose_format();
	tables->create_root();
	identity_map(PAGE_SIZE, LOW_MEMORY_END); /* page 0 stays out: NULL faults */
	for (unsigned i = 0; i < count; i++)
		if (map[i].type == E820_USABLE && map[i].base >= LOW_MEMORY_END)
			identity_map(map[i].base, map[i].base + map[i].length);
	unmap_page(REGION_STACK_GUARD_START);
	/* .text may run and not be written; .rodata may do neither; the rest
	 * (data, heap, stacks, RAM, the first MiB) stays writable and, with NX,
	 * not executable, as identity_map left it */
	protect_range((uint32_t)__text_start, (uint32_t)__text_end, 0);
	protect_range((uint32_t)__rodata_start, (uint32_t)__rodata_end, no_execute());
}

void paging_enable(void)
{
	paging_switch_on(tables);
	trap_set_handler(VECTOR_PAGE_FAULT, page_fault_report);
}

bool paging_has_nx(void)
{
	return paging_is_enabled() && nx;
}

uint32_t virt_to_phys(uint32_t virt)
{
	if (!paging_is_enabled())
		return virt;
	pte_t entry = entry_of(virt);
	if (!entry)
		return PAGING_NOT_MAPPED;
	return ((uint32_t)entry & PTE_FRAME_MASK) | (virt & ~PTE_FRAME_MASK);
}

/* RAM is mapped at its own address; a frame with no mapping has no address. */
uint32_t phys_to_virt(uint32_t phys)
{
	return virt_to_phys(phys) == phys ? phys : PAGING_NOT_MAPPED;
}

bool paging_is_writable(uint32_t virt)
{
	return paging_is_enabled() && (entry_of(virt) & PTE_WRITABLE);
}

bool paging_is_executable(uint32_t virt)
{
	if (!paging_is_enabled())
		return true; /* without paging nothing stops an instruction fetch */
	pte_t entry = entry_of(virt);
	return entry && !(entry & PTE_NX);
}

static bool in(uint32_t addr, const void *start, const void *end)
{
	return addr >= (uint32_t)start && addr < (uint32_t)end;
}

const char *paging_region_name(uint32_t addr)
{
	if (addr < PAGE_SIZE)
		return "the NULL page";
	if (addr >= REGION_STACK_GUARD_START && addr < REGION_STACK_GUARD_END)
		return "the guard page below the boot stack (stack overflow)";
	if (addr >= REGION_BOOT_STACK_START && addr < REGION_BOOT_STACK_END)
		return "the boot stack";
	if (in(addr, __text_start, __text_end))
		return "kernel .text (read/execute)";
	if (in(addr, __rodata_start, __rodata_end))
		return "kernel .rodata (read-only)";
	if (in(addr, __data_start, __data_end))
		return "kernel .data";
	if (in(addr, __bss_start, __bss_end))
		return "kernel .bss";
	if (addr >= REGION_HEAP_START && addr < REGION_HEAP_END)
		return "the early heap";
	if (addr < LOW_MEMORY_END)
		return "low memory (BIOS, loader, VGA)";
	unsigned count;
	const struct e820_entry *map = memory_map(&count);
	if (memmap_range_usable(map, count, addr, (uint64_t)addr + 1))
		return "RAM managed by the page allocator";
	return "no RAM here (unmapped)";
}

/* In ring 0 without SMEP, a fetch from a present page faults only for NX. */
static const char *page_fault_cause(uint32_t err)
{
	if (!(err & PF_PRESENT))
		return "page not present";
	return (err & PF_FETCH) ? "protection violation, NX" : "protection violation";
}

bool page_fault_report(struct trap_frame *frame)
{
	uint32_t addr = read_cr2(), err = frame->error_code;
	const char *access = (err & PF_FETCH) ? "execute" : (err & PF_WRITE) ? "write" : "read";

	arch_disable_interrupts();
	kprintf("PANIC: page fault: %s of 0x%08x (%s) at EIP 0x%08x, in %s\n", access, addr,
		page_fault_cause(err), frame->eip, paging_region_name(addr));
	trap_panic(frame);
}
