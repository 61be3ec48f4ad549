/* paging_32bit.c: 32-bit two-level page tables (Intel SDM vol. 3A 4.3), the
 * format every CPU since the 386 has: a page directory of 1024 entries, each
 * pointing to a page table of 1024 entries that maps 4 MiB, or, on CPUs with
 * PSE (the Pentium on), mapping 4 MiB itself as one large page. There is no
 * no-execute bit: every mapped page can be executed. */
#include "arch.h"
#include "paging_tables.h"
#include "../kernel.h"
#include "../mm/page.h"

#define ENTRIES_32BIT 1024u
#define LARGE_SPAN_32BIT (ENTRIES_32BIT * PAGE_SIZE)
#define CR4_PSE 0x00000010u /* directory entries with PS map 4 MiB pages */

static uint32_t *page_directory;

static inline uint32_t directory_index(uint32_t virt)
{
	return virt >> 22;
}
static inline uint32_t table_index(uint32_t virt)
{
	return (virt >> 12) & (ENTRIES_32BIT - 1);
}

static void create_directory(void)
{
	page_directory = paging_new_table();
	if (!page_directory)
		panic("paging: no page for the page directory");
}

/* Replaces the large page *pde maps with a table of 4 KiB entries for the
 * same frames and permissions, so that one of them can change; NULL when no
 * page is left for the table (the large page then stays). */
static uint32_t *split_large_32bit(uint32_t *pde)
{
	uint32_t *table = paging_new_table();
	if (!table)
		return NULL;
	uint32_t frame = *pde & ~(LARGE_SPAN_32BIT - 1), keep = *pde & (uint32_t)PTE_SPLIT_KEEPS;
	for (unsigned i = 0; i < ENTRIES_32BIT; i++)
		table[i] = (frame + i * PAGE_SIZE) | keep;
	*pde = (uint32_t)table | PTE_PRESENT | PTE_WRITABLE;
	paging_flush_tlb();
	return table;
}

static void *entry_32bit(uint32_t virt, bool create)
{
	uint32_t *pde = &page_directory[directory_index(virt)];

	if ((*pde & (PTE_PRESENT | PTE_LARGE)) == (PTE_PRESENT | PTE_LARGE) && !split_large_32bit(pde))
		return NULL;
	if (!(*pde & PTE_PRESENT)) {
		if (!create)
			return NULL;
		uint32_t *table = paging_new_table();
		if (!table)
			return NULL;
		/* the directory allows everything; each page's entry sets its permissions */
		*pde = (uint32_t)table | PTE_PRESENT | PTE_WRITABLE;
	}
	return &((uint32_t *)(*pde & PTE_FRAME_MASK))[table_index(virt)];
}

static pte_t lookup_32bit(uint32_t virt, uint32_t *span)
{
	uint32_t pde = page_directory[directory_index(virt)];

	*span = (pde & PTE_LARGE) ? LARGE_SPAN_32BIT : PAGE_SIZE;
	if (!(pde & PTE_PRESENT))
		return 0;
	if (pde & PTE_LARGE)
		return ((pde & ~(LARGE_SPAN_32BIT - 1)) +
			(virt & (LARGE_SPAN_32BIT - 1) & PTE_FRAME_MASK)) |
		       (pde & (uint32_t)PTE_SPLIT_KEEPS);
	return ((const volatile uint32_t *)(pde & PTE_FRAME_MASK))[table_index(virt)];
}

static bool map_large_32bit(uint32_t virt, uint32_t frame, pte_t flags)
{
	uint32_t *pde = &page_directory[directory_index(virt)];

	if (!cpu_info()->pse || (*pde & PTE_PRESENT))
		return false;
	*pde = frame | (uint32_t)flags | PTE_LARGE;
	return true;
}

static pte_t read_32bit(const void *entry)
{
	return *(const volatile uint32_t *)entry;
}

static void write_32bit(void *entry, pte_t value)
{
	*(volatile uint32_t *)entry = (uint32_t)value; /* paging.c never asks for NX here */
}

/* CR4.PSE before any walk: without it a PS bit is ignored and the large
 * entry's frame taken for a page table's. A CPU without PSE may have no CR4. */
static void load_32bit(void)
{
	if (cpu_info()->pse)
		write_cr4(read_cr4() | CR4_PSE);
	write_cr3((uint32_t)page_directory);
}

static void fill_32bit(void *entry, uint32_t frame, pte_t flags, unsigned count)
{
	uint32_t *e = entry;

	for (unsigned i = 0; i < count; i++, frame += PAGE_SIZE)
		if (!(e[i] & PTE_PRESENT))
			e[i] = frame | (uint32_t)flags;
}

const struct page_table_format paging_format_32bit = {
	.table_span = ENTRIES_32BIT * PAGE_SIZE,
	.entry_size = sizeof(uint32_t),
	.create_root = create_directory,
	.entry_for = entry_32bit,
	.lookup = lookup_32bit,
	.map_large = map_large_32bit,
	.read = read_32bit,
	.write = write_32bit,
	.fill = fill_32bit,
	.load = load_32bit,
};
