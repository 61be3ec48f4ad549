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
#include "vm_layout.h"
#include "../mm/mm.h"
#include "../mm/page.h"
#include "../kernel.h"
#include "lib.h"

#define PAGE_MASK (~(PAGE_SIZE - 1))
#define LOW_MEMORY_END 0x100000u /* BIOS areas, VGA text memory: mapped whole */
#define KMAP_SLOTS 4             /* pages at the kernel area's start for paging_kmap */

uint8_t paging_exec_probe[] = { 0x0F, 0x0B }; /* ud2, kept in .data */

static const struct page_table_format *tables; /* the format chosen at boot */
static bool nx;                                /* PAE tables with EFER.NXE: PTE_NX means something */
static void *kernel_root;                      /* the kernel's own tables' top level */
static void *live_space;                       /* the space paging_space_switch last loaded */

static bool is_user_address(uint32_t virt)
{
	return virt >= VM_USER_START && virt < VM_USER_END;
}

/* The kernel's parts of the map are changed in the kernel's own tables, which
 * every space shares; the user part in the live space's. */
static void *root_for(uint32_t virt)
{
	return is_user_address(virt) && live_space ? live_space : kernel_root;
}

/* PTE_NX when this CPU honours it; 0 on 32-bit tables, which have no such bit */
static pte_t no_execute(void)
{
	return nx ? PTE_NX : 0;
}

/* the present entry of virt's page, or 0 when there is none */
static pte_t entry_of(uint32_t virt)
{
	uint32_t span;
	pte_t value = tables ? tables->lookup(root_for(virt), virt, &span) : 0;
	return (value & PTE_PRESENT) ? value : 0;
}

uint32_t paging_mapping_size(uint32_t virt)
{
	uint32_t span = 0;
	pte_t value = paging_is_enabled() ? tables->lookup(root_for(virt), virt, &span) : 0;
	return (value & PTE_PRESENT) ? span : 0;
}

/* map_page's flags as an entry: writable when asked, NX unless asked not to */
static pte_t entry_flags(uint32_t flags)
{
	pte_t value = (flags & ~(PTE_FRAME_MASK | PAGE_FLAG_EXECUTABLE)) | PTE_PRESENT;
	return (flags & PAGE_FLAG_EXECUTABLE) ? value : value | no_execute();
}

static bool is_live(void *root)
{
	return paging_is_enabled() && (root == kernel_root || root == live_space);
}

static int map_in(void *root, uint32_t virt, uint32_t phys, uint32_t flags)
{
	uint32_t span;

	if ((virt | phys) & ~PTE_FRAME_MASK)
		return ERR_INVAL;
	if (tables->lookup(root, virt, &span) & PTE_PRESENT)
		return ERR_EXIST; /* before entry_for, which would split a large page for nothing */
	void *entry = tables->entry_for(root, virt, true);
	if (!entry)
		return ERR_NOMEM;
	if (tables->read(entry) & PTE_PRESENT)
		return ERR_EXIST;
	tables->write(entry, phys | entry_flags(flags));
	if (is_live(root))
		invlpg(virt); /* a stale not-present entry may be cached on some CPUs */
	return 0;
}

/* the frame virt was mapped to, or PAGING_NOT_MAPPED */
static uint32_t unmap_in(void *root, uint32_t virt)
{
	void *entry = tables->entry_for(root, virt, false);
	pte_t value = entry ? tables->read(entry) : 0;

	if (!(value & PTE_PRESENT))
		return PAGING_NOT_MAPPED;
	tables->write(entry, 0);
	if (is_live(root))
		invlpg(virt);
	return (uint32_t)value & PTE_FRAME_MASK;
}

int map_page(uint32_t virt, uint32_t phys, uint32_t flags)
{
	return map_in(root_for(virt), virt, phys, flags);
}

int unmap_page(uint32_t virt)
{
	if (virt & ~PTE_FRAME_MASK)
		return ERR_INVAL;
	return unmap_in(root_for(virt), virt) == PAGING_NOT_MAPPED ? ERR_NOTMAPPED : 0;
}

/* ---- address spaces ---- */

void *paging_space_create(void)
{
	return tables->space_create(kernel_root);
}

void paging_space_destroy(void *space, void (*free_frame)(uint32_t phys))
{
	if (space == live_space)
		paging_space_switch(NULL);
	tables->space_destroy(space, free_frame);
}

void paging_space_switch(void *space)
{
	void *root = space ? space : kernel_root;

	if (root == (space ? live_space : kernel_root) && read_cr3() == (uint32_t)root)
		return;
	live_space = space;
	tables->space_switch(root);
}

void *paging_live_space(void)
{
	return live_space;
}

int paging_space_map(void *space, uint32_t virt, uint32_t phys, uint32_t flags)
{
	if (!is_user_address(virt))
		return ERR_INVAL;
	/* accessed from the start: a page just brought in gets the clock's
	 * second chance before it can be taken again (reclaim.c) */
	return map_in(space, virt, phys, flags | PTE_USER | PTE_ACCESSED);
}

uint32_t paging_space_unmap(void *space, uint32_t virt)
{
	if (!is_user_address(virt) || (virt & ~PTE_FRAME_MASK))
		return PAGING_NOT_MAPPED;
	return unmap_in(space, virt);
}

uint32_t paging_space_lookup(void *space, uint32_t virt, uint32_t *flags)
{
	uint32_t span;
	pte_t value = tables->lookup(space ? space : kernel_root, virt, &span);

	if (!(value & PTE_PRESENT))
		return PAGING_NOT_MAPPED;
	if (flags)
		*flags = ((uint32_t)value & (PAGE_FLAG_WRITABLE | PAGE_FLAG_USER)) |
			 ((value & PTE_NX) ? 0 : PAGE_FLAG_EXECUTABLE);
	return ((uint32_t)value & PTE_FRAME_MASK) | (virt & ~PTE_FRAME_MASK);
}

/* A not-present entry may hold a value of the kernel's own (the CPU ignores
 * every bit of it but the present bit): the page's place in swap. */
uint32_t paging_space_absent(void *space, uint32_t virt)
{
	uint32_t span;
	pte_t value = is_user_address(virt) ? tables->lookup(space, virt, &span) : 0;

	return (value & PTE_PRESENT) ? 0 : (uint32_t)value;
}

uint32_t paging_space_set_absent(void *space, uint32_t virt, uint32_t value)
{
	if (!is_user_address(virt) || (virt & ~PTE_FRAME_MASK) || (value & PTE_PRESENT))
		return PAGING_NOT_MAPPED;
	void *entry = tables->entry_for(space, virt, value != 0);
	if (!entry)
		return PAGING_NOT_MAPPED;
	pte_t old = tables->read(entry);
	tables->write(entry, value);
	if ((old & PTE_PRESENT) && is_live(space))
		invlpg(virt);
	return (old & PTE_PRESENT) ? (uint32_t)old & PTE_FRAME_MASK : PAGING_NOT_MAPPED;
}

/* Clearing the accessed bit of the live space's entry must drop the TLB's
 * copy too, or the CPU would go on using the page without setting it again. */
int paging_space_age(void *space, uint32_t virt)
{
	void *entry = is_user_address(virt) ? tables->entry_for(space, virt, false) : NULL;
	pte_t value = entry ? tables->read(entry) : 0;

	if (!(value & PTE_PRESENT))
		return ERR_NOTMAPPED;
	if (value & PTE_ACCESSED) {
		tables->write(entry, value & ~(pte_t)PTE_ACCESSED);
		if (is_live(space))
			invlpg(virt);
	}
	return ((value & PTE_ACCESSED) ? PAGING_AGE_ACCESSED : 0) |
	       ((value & PTE_DIRTY) ? PAGING_AGE_DIRTY : 0);
}

/* Frames of the direct map are at their own address; any other is mapped
 * at the slot's page of the kernel area, shared by every space. Interrupt
 * handlers do not use it, so a slot is its caller's until the next call. */
void *paging_kmap(unsigned slot, uint32_t phys)
{
	return phys < VM_DIRECT_END ? (void *)phys : paging_kmap_slot(slot, phys);
}

void *paging_kmap_slot(unsigned slot, uint32_t phys)
{
	if (slot >= KMAP_SLOTS)
		panic("paging_kmap: slot %u of %u", slot, KMAP_SLOTS);
	uint32_t virt = VM_KERNEL_AREA_START + slot * PAGE_SIZE;
	void *entry = tables->entry_for(kernel_root, virt, false);
	tables->write(entry, (phys & PTE_FRAME_MASK) | PTE_WRITABLE | no_execute() | PTE_PRESENT);
	invlpg(virt);
	return (void *)(virt | (phys & ~PTE_FRAME_MASK));
}

unsigned paging_walk(void *space, uint32_t virt, uint64_t *entries, uint32_t *table_addrs,
		     unsigned *levels)
{
	*levels = tables->levels;
	return tables->walk(space ? space : kernel_root, virt, entries, table_addrs);
}

unsigned paging_space_table_pages(void *space)
{
	return tables->space_tables(space);
}

uint32_t paging_kernel_area_start(void)
{
	return VM_KERNEL_AREA_START + KMAP_SLOTS * PAGE_SIZE;
}

/* Gives the pages in [start, end), which must be mapped, the permissions
 * `flags` (PTE_WRITABLE, PTE_NX) instead of theirs. */
static void protect_range(uint32_t start, uint32_t end, pte_t flags)
{
	for (uint32_t v = start & PAGE_MASK; v < end; v += PAGE_SIZE) {
		void *entry = tables->entry_for(kernel_root, v, false);
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

	if (end > VM_DIRECT_END)
		end = VM_DIRECT_END;
	while (p + PAGE_SIZE <= end) {
		if ((p & (large - 1)) == 0 && p + large <= end &&
		    tables->map_large(kernel_root, (uint32_t)p, (uint32_t)p, flags)) {
			p += large;
			continue;
		}
		uint8_t *entry = tables->entry_for(kernel_root, (uint32_t)p, true);
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
	kernel_root = tables->create_root();
	identity_map(PAGE_SIZE, LOW_MEMORY_END); /* page 0 stays out: NULL faults */
	for (unsigned i = 0; i < count; i++)
		if (map[i].type == E820_USABLE && map[i].base >= LOW_MEMORY_END)
			identity_map(map[i].base, map[i].base + map[i].length);
	unmap_page(REGION_STACK_GUARD_START);
	/* the tables every space shares from the start: the kernel area's, and
	 * under PAE a directory for the last GiB (a space's PDPT points at it) */
	for (uint32_t v = VM_KERNEL_AREA_START; v < VM_KERNEL_AREA_END; v += tables->table_span)
		if (!tables->entry_for(kernel_root, v, true))
			panic("paging: out of memory for the kernel area's tables");
	if (nx && !tables->entry_for(kernel_root, VM_USER_END, true))
		panic("paging: out of memory for the last GiB's tables");
	/* .text may run and not be written; .rodata may do neither; the rest
	 * (data, heap, stacks, RAM, the first MiB) stays writable and, with NX,
	 * not executable, as identity_map left it */
	protect_range((uint32_t)__text_start, (uint32_t)__text_end, 0);
	protect_range((uint32_t)__rodata_start, (uint32_t)__rodata_end, no_execute());
}

void paging_enable(void)
{
	paging_switch_on(tables, kernel_root);
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
	if (addr >= VM_KERNEL_AREA_START && addr < VM_KERNEL_AREA_END)
		return "the kernel area (kernel stacks and their guard pages, temporary mappings)";
	if (is_user_address(addr))
		return "user space";
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
