/* paging.c: the seed's paging interface on 32-bit two-level tables (Intel SDM
 * vol. 3A 4.3). For now an identity map of the low PAGING_IDENTITY_BYTES, page 0
 * left out so that a NULL dereference faults; phys_to_virt is the identity. */
#include "arch.h"
#include "../mm/mm.h"
#include "../kernel.h"
#include "lib.h"

#define PAGE_SIZE             4096u
#define PAGE_ENTRIES          1024u
#define PAGING_IDENTITY_BYTES 0x400000u /* one page table: kernel, heap, stacks, VGA */
#define PTE_PRESENT           0x001u
#define PTE_WRITABLE          0x002u
#define PTE_FRAME_MASK        0xFFFFF000u

static uint32_t *page_directory;
static bool enabled;

void paging_init(void)
{
	uint32_t *table = kalloc_early(PAGE_SIZE, PAGE_SIZE);

	page_directory = kalloc_early(PAGE_SIZE, PAGE_SIZE);
	if (!table || !page_directory)
		panic("paging: no room in the heap for the page tables");
	memset(page_directory, 0, PAGE_SIZE);
	for (uint32_t i = 0; i < PAGE_ENTRIES; i++)
		table[i] = i * PAGE_SIZE | PTE_PRESENT | PTE_WRITABLE;
	table[0] = 0; /* the NULL page */
	page_directory[0] = (uint32_t)table | PTE_PRESENT | PTE_WRITABLE;
}

void paging_enable(void)
{
	write_cr3((uint32_t)page_directory);
	write_cr0(read_cr0() | CR0_PG);
	enabled = true;
}

bool paging_is_enabled(void)
{
	return enabled;
}

/* Walks the tables; PAGING_NOT_MAPPED when virt has no page. */
uint32_t virt_to_phys(uint32_t virt)
{
	if (!enabled)
		return virt;
	uint32_t pde = page_directory[virt >> 22];
	if (!(pde & PTE_PRESENT))
		return PAGING_NOT_MAPPED;
	uint32_t pte = ((uint32_t *)(pde & PTE_FRAME_MASK))[(virt >> 12) & (PAGE_ENTRIES - 1)];
	if (!(pte & PTE_PRESENT))
		return PAGING_NOT_MAPPED;
	return (pte & PTE_FRAME_MASK) | (virt & ~PTE_FRAME_MASK);
}

/* Physical memory is mapped at its own address; beyond the identity range
 * there is no virtual address for it yet. */
uint32_t phys_to_virt(uint32_t phys)
{
	return phys < PAGING_IDENTITY_BYTES && phys >= PAGE_SIZE ? phys : PAGING_NOT_MAPPED;
}
