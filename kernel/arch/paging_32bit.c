/* paging_32bit.c: 32-bit two-level page tables (Intel SDM vol. 3A 4.3), the
 * format every CPU since the 386 has: a page directory of 1024 entries, each
 * pointing to a page table of 1024 entries that maps 4 MiB, or, on CPUs with
 * PSE (the Pentium on), mapping 4 MiB itself as one large page. There is no
 * no-execute bit: every mapped page can be executed.
 *
 * An address space's directory holds copies of the kernel's directory entries
 * for the kernel's part of the map (everything outside VM_USER_START to
 * VM_USER_END) and shares the kernel's page tables through them. When the
 * kernel changes one of its own directory entries (a new table, a large page
 * split), the copy in the live directory is updated at once and every other
 * directory refreshes its copies when it is next switched to: a generation
 * count says which are stale. */
#include "arch.h"
#include "paging_tables.h"
#include "vm_layout.h"
#include "../kernel.h"
#include "../mm/page.h"

#define ENTRIES_32BIT 1024u
#define LARGE_SPAN_32BIT (ENTRIES_32BIT * PAGE_SIZE)
#define CR4_PSE 0x00000010u /* directory entries with PS map 4 MiB pages */
#define USER_FIRST_PDE (VM_USER_START / LARGE_SPAN_32BIT)
#define USER_END_PDE (VM_USER_END / LARGE_SPAN_32BIT)

_Static_assert(VM_USER_START % LARGE_SPAN_32BIT == 0 && VM_USER_END % LARGE_SPAN_32BIT == 0,
	       "the user part of the map starts and ends on a page directory entry");

static uint32_t *kernel_directory;
static uint32_t kernel_generation = 1; /* bumped when a kernel directory entry changes */

/* Each space's directory and the generation of the kernel entries it holds.
 * A directory fills its page (1024 entries), so the generation is kept here;
 * spaces are few (one a process). */
#define SPACES_MAX 128
static struct {
	uint32_t *directory;
	uint32_t generation;
} spaces[SPACES_MAX];

static inline uint32_t directory_index(uint32_t virt)
{
	return virt >> 22;
}
static inline uint32_t table_index(uint32_t virt)
{
	return (virt >> 12) & (ENTRIES_32BIT - 1);
}
static inline bool is_user_entry(unsigned index)
{
	return index >= USER_FIRST_PDE && index < USER_END_PDE;
}

static uint32_t *live_directory(void)
{
	return paging_is_enabled() ? (uint32_t *)(read_cr3() & PTE_FRAME_MASK) : kernel_directory;
}

/* A directory entry of root changed: for the kernel's, the live space's copy
 * follows at once and the others when switched to. */
static void directory_changed(uint32_t *root, unsigned index)
{
	if (root != kernel_directory || is_user_entry(index))
		return;
	kernel_generation++;
	uint32_t *live = live_directory();
	if (live != kernel_directory)
		live[index] = kernel_directory[index];
}

static void *create_directory(void)
{
	kernel_directory = paging_new_table();
	if (!kernel_directory)
		panic("paging: no page for the page directory");
	return kernel_directory;
}

/* Replaces the large page *pde maps with a table of 4 KiB entries for the
 * same frames and permissions, so that one of them can change; NULL when no
 * page is left for the table (the large page then stays). */
static uint32_t *split_large_32bit(uint32_t *root, uint32_t *pde)
{
	uint32_t *table = paging_new_table();
	if (!table)
		return NULL;
	uint32_t frame = *pde & ~(LARGE_SPAN_32BIT - 1), keep = *pde & (uint32_t)PTE_SPLIT_KEEPS;
	for (unsigned i = 0; i < ENTRIES_32BIT; i++)
		table[i] = (frame + i * PAGE_SIZE) | keep;
	*pde = (uint32_t)table | PTE_PRESENT | PTE_WRITABLE;
	directory_changed(root, (unsigned)(pde - root));
	paging_flush_tlb();
	return table;
}

static void *entry_32bit(void *root_, uint32_t virt, bool create)
{
	uint32_t *root = root_, index = directory_index(virt), *pde = &root[index];

	if ((*pde & (PTE_PRESENT | PTE_LARGE)) == (PTE_PRESENT | PTE_LARGE) &&
	    !split_large_32bit(root, pde))
		return NULL;
	if (!(*pde & PTE_PRESENT)) {
		if (!create)
			return NULL;
		uint32_t *table = paging_new_table();
		if (!table)
			return NULL;
		/* the directory allows everything; each page's entry sets its permissions */
		*pde = (uint32_t)table | PTE_PRESENT | PTE_WRITABLE |
		       (is_user_entry(index) ? PTE_USER : 0);
		directory_changed(root, index);
	}
	return &((uint32_t *)(*pde & PTE_FRAME_MASK))[table_index(virt)];
}

static pte_t lookup_32bit(const void *root, uint32_t virt, uint32_t *span)
{
	uint32_t pde = ((const volatile uint32_t *)root)[directory_index(virt)];

	*span = (pde & PTE_LARGE) ? LARGE_SPAN_32BIT : PAGE_SIZE;
	if (!(pde & PTE_PRESENT))
		return 0;
	if (pde & PTE_LARGE)
		return ((pde & ~(LARGE_SPAN_32BIT - 1)) +
			(virt & (LARGE_SPAN_32BIT - 1) & PTE_FRAME_MASK)) |
		       (pde & (uint32_t)PTE_SPLIT_KEEPS);
	return ((const volatile uint32_t *)(pde & PTE_FRAME_MASK))[table_index(virt)];
}

static bool map_large_32bit(void *root_, uint32_t virt, uint32_t frame, pte_t flags)
{
	uint32_t *root = root_, *pde = &root[directory_index(virt)];

	if (!cpu_info()->pse || (*pde & PTE_PRESENT))
		return false;
	*pde = frame | (uint32_t)flags | PTE_LARGE;
	directory_changed(root, directory_index(virt));
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
static void load_32bit(void *root)
{
	if (cpu_info()->pse)
		write_cr4(read_cr4() | CR4_PSE);
	write_cr3((uint32_t)root);
}

static void fill_32bit(void *entry, uint32_t frame, pte_t flags, unsigned count)
{
	uint32_t *e = entry;

	for (unsigned i = 0; i < count; i++, frame += PAGE_SIZE)
		if (!(e[i] & PTE_PRESENT))
			e[i] = frame | (uint32_t)flags;
}

static void copy_kernel_entries(uint32_t *directory)
{
	for (unsigned i = 0; i < ENTRIES_32BIT; i++)
		if (!is_user_entry(i))
			directory[i] = kernel_directory[i];
}

static void *space_create_32bit(void *kernel_root)
{
	(void)kernel_root;
	for (unsigned s = 0; s < SPACES_MAX; s++) {
		if (spaces[s].directory)
			continue;
		uint32_t *directory = paging_new_table();
		if (!directory)
			return NULL;
		copy_kernel_entries(directory);
		spaces[s].directory = directory;
		spaces[s].generation = kernel_generation;
		return directory;
	}
	return NULL;
}

static void space_destroy_32bit(void *root, void (*free_frame)(uint32_t phys))
{
	uint32_t *directory = root;

	for (unsigned i = USER_FIRST_PDE; i < USER_END_PDE; i++) {
		if (!(directory[i] & PTE_PRESENT))
			continue;
		uint32_t *table = (uint32_t *)(directory[i] & PTE_FRAME_MASK);
		for (unsigned j = 0; j < ENTRIES_32BIT; j++)
			if (table[j] & PTE_PRESENT)
				free_frame(table[j] & PTE_FRAME_MASK);
		paging_free_table(table);
	}
	for (unsigned s = 0; s < SPACES_MAX; s++)
		if (spaces[s].directory == directory)
			spaces[s].directory = NULL;
	paging_free_table(directory);
}

static void space_switch_32bit(void *root)
{
	for (unsigned s = 0; s < SPACES_MAX; s++)
		if (spaces[s].directory == root && spaces[s].generation != kernel_generation) {
			copy_kernel_entries(root);
			spaces[s].generation = kernel_generation;
		}
	write_cr3((uint32_t)root);
}

static unsigned walk_32bit(const void *root, uint32_t virt, pte_t *entries, uint32_t *tables)
{
	uint32_t pde = ((const volatile uint32_t *)root)[directory_index(virt)];

	tables[0] = (uint32_t)root;
	entries[0] = pde;
	if (!(pde & PTE_PRESENT) || (pde & PTE_LARGE))
		return 1;
	tables[1] = pde & PTE_FRAME_MASK;
	entries[1] = ((const volatile uint32_t *)tables[1])[table_index(virt)];
	return 2;
}

static unsigned space_tables_32bit(const void *root)
{
	const uint32_t *directory = root;
	unsigned n = 1;

	for (unsigned i = USER_FIRST_PDE; i < USER_END_PDE; i++)
		n += (directory[i] & PTE_PRESENT) != 0;
	return n;
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
	.space_create = space_create_32bit,
	.space_destroy = space_destroy_32bit,
	.space_switch = space_switch_32bit,
	.walk = walk_32bit,
	.levels = 2,
	.space_tables = space_tables_32bit,
};
