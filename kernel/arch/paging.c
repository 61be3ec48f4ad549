/* paging.c: the seed's paging interface on 32-bit two-level page tables (Intel
 * SDM vol. 3A 4.3). All usable RAM below 4 GiB and the first MiB are
 * identity-mapped; the kernel's sections get the seed's permissions, enforced
 * in ring 0 by CR0.WP; page 0 and the page below the boot stack stay unmapped
 * so NULL dereferences and stack overflows fault. Tables come from the page
 * allocator. */
#include "arch.h"
#include "errors.h"
#include "layout.h"
#include "../mm/mm.h"
#include "../mm/page.h"
#include "../kernel.h"
#include "lib.h"

#define PAGE_ENTRIES    1024u
#define PTE_PRESENT     0x001u
#define PTE_WRITABLE    0x002u
#define PTE_FRAME_MASK  0xFFFFF000u
#define LOW_MEMORY_END  0x100000u /* BIOS areas, VGA text memory: mapped whole */
#define PF_PRESENT      0x01u     /* page fault error code: protection, not absence */
#define PF_WRITE        0x02u
#define PF_FETCH        0x10u     /* instruction fetch (reported with NX) */

static uint32_t *page_directory;
static bool enabled;
static unsigned tables;

static inline uint32_t pde_index(uint32_t virt) { return virt >> 22; }
static inline uint32_t pte_index(uint32_t virt) { return (virt >> 12) & (PAGE_ENTRIES - 1); }

/* the PTE for virt, or NULL when its page table does not exist (and !create) */
static uint32_t *pte_for(uint32_t virt, bool create)
{
	uint32_t *pde = &page_directory[pde_index(virt)];

	if (!(*pde & PTE_PRESENT)) {
		if (!create)
			return NULL;
		uint32_t *table = page_alloc_zeroed(PAGE_OWNER_PAGE_TABLES);
		if (!table)
			return NULL;
		tables++;
		*pde = (uint32_t)table | PTE_PRESENT | PTE_WRITABLE;
	}
	return &((uint32_t *)(*pde & PTE_FRAME_MASK))[pte_index(virt)];
}

int map_page(uint32_t virt, uint32_t phys, uint32_t flags)
{
	if ((virt | phys) & ~PTE_FRAME_MASK)
		return ERR_INVAL;
	uint32_t *pte = pte_for(virt, true);
	if (!pte)
		return ERR_NOMEM;
	if (*pte & PTE_PRESENT)
		return ERR_EXIST;
	*pte = phys | (flags & ~PTE_FRAME_MASK) | PTE_PRESENT;
	if (enabled)
		invlpg(virt); /* a stale not-present entry may be cached on some CPUs */
	return 0;
}

int unmap_page(uint32_t virt)
{
	if (virt & ~PTE_FRAME_MASK)
		return ERR_INVAL;
	uint32_t *pte = pte_for(virt, false);
	if (!pte || !(*pte & PTE_PRESENT))
		return ERR_NOTMAPPED;
	*pte = 0;
	if (enabled)
		invlpg(virt);
	return 0;
}

/* Changes the flags of the pages in [start, end), which must be mapped. */
static void protect_range(uint32_t start, uint32_t end, uint32_t flags)
{
	for (uint32_t v = start & PTE_FRAME_MASK; v < end; v += PAGE_SIZE) {
		uint32_t *pte = pte_for(v, false);
		if (pte && (*pte & PTE_PRESENT))
			*pte = (*pte & PTE_FRAME_MASK) | flags | PTE_PRESENT;
	}
}

/* Maps [start, end) to itself, writable, a page table at a time (map_page's
 * checks per page cost more than the mapping under TCG). Pages already mapped
 * keep their entry. */
static void identity_map(uint64_t start, uint64_t end)
{
	uint64_t p = (start + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);

	if (end > 0x100000000ull)
		end = 0x100000000ull; /* a 32-bit kernel reaches no further */
	while (p + PAGE_SIZE <= end) {
		uint32_t *pte = pte_for((uint32_t)p, true);
		if (!pte)
			panic("paging: out of memory for page tables at 0x%08x", (unsigned)p);
		do { /* the rest of this page table */
			if (!(*pte & PTE_PRESENT))
				*pte = (uint32_t)p | PTE_WRITABLE | PTE_PRESENT;
			pte++;
			p += PAGE_SIZE;
		} while (p + PAGE_SIZE <= end && (p & ((PAGE_SIZE * PAGE_ENTRIES) - 1)));
	}
}

void paging_init(void)
{
	unsigned count;
	const struct e820_entry *map = memory_map(&count);

	page_directory = page_alloc_zeroed(PAGE_OWNER_PAGE_TABLES);
	if (!page_directory)
		panic("paging: no page for the page directory");
	tables = 1;
	identity_map(PAGE_SIZE, LOW_MEMORY_END); /* page 0 stays out: NULL faults */
	for (unsigned i = 0; i < count; i++)
		if (map[i].type == E820_USABLE && map[i].base >= LOW_MEMORY_END)
			identity_map(map[i].base, map[i].base + map[i].length);
	unmap_page(REGION_STACK_GUARD_START);
	protect_range((uint32_t)__text_start, (uint32_t)__text_end, 0);
	protect_range((uint32_t)__rodata_start, (uint32_t)__rodata_end, 0);
}

void paging_enable(void)
{
	write_cr3((uint32_t)page_directory);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
	enabled = true;
	trap_set_handler(VECTOR_PAGE_FAULT, page_fault_report);
}

bool paging_is_enabled(void)
{
	return enabled;
}

unsigned paging_table_pages(void)
{
	return tables;
}

uint32_t virt_to_phys(uint32_t virt)
{
	if (!enabled)
		return virt;
	uint32_t *pte = pte_for(virt, false);
	if (!pte || !(*pte & PTE_PRESENT))
		return PAGING_NOT_MAPPED;
	return (*pte & PTE_FRAME_MASK) | (virt & ~PTE_FRAME_MASK);
}

/* RAM is mapped at its own address; a frame with no mapping has no address. */
uint32_t phys_to_virt(uint32_t phys)
{
	return virt_to_phys(phys) == phys ? phys : PAGING_NOT_MAPPED;
}

bool paging_is_writable(uint32_t virt)
{
	uint32_t *pte = enabled ? pte_for(virt, false) : NULL;
	return pte && (*pte & PTE_PRESENT) && (*pte & PTE_WRITABLE);
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

bool page_fault_report(struct trap_frame *frame)
{
	uint32_t addr = read_cr2(), err = frame->error_code;
	const char *access = (err & PF_FETCH) ? "execute" : (err & PF_WRITE) ? "write" : "read";

	__asm__ volatile("cli");
	kprintf("PANIC: page fault: %s of 0x%08x (%s) at EIP 0x%08x, in %s\n", access, addr,
		(err & PF_PRESENT) ? "protection violation" : "page not present", frame->eip,
		paging_region_name(addr));
	panic_trap(frame);
}
