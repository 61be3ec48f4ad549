/* paging_pae.c: PAE page tables (Intel SDM vol. 3A 4.4), used where the CPU
 * also has NX: a page-directory-pointer table of 4 entries, one per GiB, each
 * pointing to a page directory of 512 64-bit entries, each pointing to a page
 * table of 512 entries that maps 2 MiB, or mapping 2 MiB itself as one large
 * page. With EFER.NXE set, an entry's bit 63 forbids instruction fetches from
 * its page.
 *
 * An address space has a PDPT of its own, in a 32-byte object, whose entries
 * for the first and last GiB point to the kernel's page directories: those
 * are shared, so a change the kernel makes there is everyone's at once. The
 * GiB that holds the kernel area and the start of user space (vm_layout.h)
 * has a directory of its own in each space, whose kernel-area entries point
 * to the kernel's tables for it, made at boot and never replaced. */
#include "arch.h"
#include "paging_tables.h"
#include "vm_layout.h"
#include "../kernel.h"
#include "../mm/mm.h"

#define PDPT_ENTRIES 4u
#define ENTRIES_PAE 512u
#define LARGE_SPAN_PAE (ENTRIES_PAE * PAGE_SIZE)
#define PDPT_SPAN (1u << 30)
#define PDPT_SIZE (PDPT_ENTRIES * sizeof(uint64_t))

_Static_assert(VM_DIRECT_END == PDPT_SPAN && VM_KERNEL_AREA_START == PDPT_SPAN &&
		       VM_USER_START % LARGE_SPAN_PAE == 0 && VM_USER_END == 3 * PDPT_SPAN,
	       "the kernel's GiBs are the first and the last; user space starts on a directory entry");

/* CR3 holds the PDPT's physical address in bits 31:5, so it needs 32-byte
 * alignment only: 32 bytes of .bss rather than a page of its own. */
static uint64_t pdpt[PDPT_ENTRIES] __attribute__((aligned(32)));
static struct kmem_cache *pdpt_cache; /* the spaces' PDPTs */

static inline bool is_user_address(uint32_t virt)
{
	return virt >= VM_USER_START && virt < VM_USER_END;
}

static inline uint32_t pdpt_index(uint32_t virt)
{
	return virt >> 30;
}
static inline uint32_t directory_index(uint32_t virt)
{
	return (virt >> 21) & (ENTRIES_PAE - 1);
}
static inline uint32_t table_index(uint32_t virt)
{
	return (virt >> 12) & (ENTRIES_PAE - 1);
}

static pte_t read_pae(const void *entry)
{
	const volatile uint32_t *half = entry;
	return ((pte_t)half[1] << 32) | half[0];
}

/* A 32-bit CPU stores the entry in two halves, and may walk the tables in
 * between (speculatively, too). The entry is not present while the halves
 * disagree, so no walk ever caches half of an old entry with half of the new. */
static void write_pae(void *entry, pte_t value)
{
	volatile uint32_t *half = entry;
	half[0] = 0;
	half[1] = (uint32_t)(value >> 32);
	half[0] = (uint32_t)value;
}

/* The PDPT starts empty. Page directories are made when a GiB first gets a
 * mapping: 4 KiB each, and a kernel with 64 MiB of RAM needs only the first
 * (and the last, for tests that map high addresses). */
static void *create_pdpt(void)
{
	for (unsigned i = 0; i < PDPT_ENTRIES; i++)
		write_pae(&pdpt[i], 0);
	return pdpt;
}

/* The table `link` points to; with create, a new zeroed one when it has none.
 * `link_flags` are what that level allows: a PDPTE has no R/W bit (it is
 * reserved there), a PDE allows everything and leaves permissions to the PTE. */
static uint64_t *table_below(uint64_t *link, pte_t link_flags, bool create)
{
	if (!(read_pae(link) & PTE_PRESENT)) {
		if (!create)
			return NULL;
		void *table = paging_new_table();
		if (!table)
			return NULL;
		write_pae(link, (uint32_t)table | link_flags);
	}
	return (uint64_t *)((uint32_t)read_pae(link) & PTE_FRAME_MASK);
}

/* virt's page-directory entry; with create, in a new directory when its GiB
 * has none */
static uint64_t *directory_entry(uint64_t *root, uint32_t virt, bool create)
{
	uint64_t *pdpte = &root[pdpt_index(virt)];
	bool had_directory = read_pae(pdpte) & PTE_PRESENT;

	uint64_t *directory = table_below(pdpte, PTE_PRESENT, create);
	if (!directory)
		return NULL;
	/* The CPU reads the four PDPTEs into registers only when CR3 is
	 * written: a new directory is seen after writing CR3 again. */
	if (!had_directory && paging_is_enabled() && read_cr3() == (uint32_t)root)
		write_cr3(read_cr3());
	return &directory[directory_index(virt)];
}

/* Replaces the large page *pde maps with a table of 4 KiB entries for the
 * same frames and permissions (NX included), so that one of them can change;
 * false when no page is left for the table (the large page then stays). */
static bool split_large_pae(uint64_t *pde)
{
	uint32_t *half = paging_new_table(); /* not walked yet: written a half at a time */
	if (!half)
		return false;
	pte_t large = read_pae(pde), keep = large & PTE_SPLIT_KEEPS;
	uint32_t frame = (uint32_t)large & ~(LARGE_SPAN_PAE - 1);
	for (unsigned i = 0; i < ENTRIES_PAE; i++) {
		half[2 * i + 1] = (uint32_t)(keep >> 32);
		half[2 * i] = (frame + i * PAGE_SIZE) | (uint32_t)keep;
	}
	write_pae(pde, (uint32_t)half | PTE_PRESENT | PTE_WRITABLE);
	paging_flush_tlb();
	return true;
}

static void *entry_pae(void *root, uint32_t virt, bool create)
{
	uint64_t *pde = directory_entry(root, virt, create);
	if (!pde)
		return NULL;
	if ((read_pae(pde) & (PTE_PRESENT | PTE_LARGE)) == (PTE_PRESENT | PTE_LARGE) &&
	    !split_large_pae(pde))
		return NULL;
	pte_t link = PTE_PRESENT | PTE_WRITABLE | (is_user_address(virt) ? PTE_USER : 0);
	uint64_t *table = table_below(pde, link, create);
	return table ? &table[table_index(virt)] : NULL;
}

static pte_t lookup_pae(const void *root, uint32_t virt, uint32_t *span)
{
	uint64_t *pde = directory_entry((uint64_t *)root, virt, false);
	pte_t entry = pde ? read_pae(pde) : 0;

	*span = (entry & PTE_LARGE) ? LARGE_SPAN_PAE : PAGE_SIZE;
	if (!(entry & PTE_PRESENT))
		return 0;
	if (entry & PTE_LARGE)
		return ((uint32_t)entry & ~(LARGE_SPAN_PAE - 1)) +
			       (virt & (LARGE_SPAN_PAE - 1) & PTE_FRAME_MASK) |
		       (entry & PTE_SPLIT_KEEPS);
	return read_pae(&((uint64_t *)((uint32_t)entry & PTE_FRAME_MASK))[table_index(virt)]);
}

/* PAE needs no CR4 bit for 2 MiB pages: PS in a directory entry always counts */
static bool map_large_pae(void *root, uint32_t virt, uint32_t frame, pte_t flags)
{
	uint64_t *pde = directory_entry(root, virt, true);

	if (!pde || (read_pae(pde) & PTE_PRESENT))
		return false;
	write_pae(pde, frame | flags | PTE_LARGE);
	return true;
}

/* EFER.NXE before any walk: without it bit 63 is reserved and every entry
 * with NX would fault as malformed. */
static void load_pae(void *root)
{
	write_cr4(read_cr4() | CR4_PAE);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	write_cr3((uint32_t)root);
}

static void fill_pae(void *entry, uint32_t frame, pte_t flags, unsigned count)
{
	uint32_t *half = entry; /* low, high, low, high...: not yet walked by the CPU */
	uint32_t low = (uint32_t)flags, high = (uint32_t)(flags >> 32);

	for (unsigned i = 0; i < count; i++, frame += PAGE_SIZE, half += 2)
		if (!(half[0] & PTE_PRESENT)) {
			half[1] = high;
			half[0] = frame | low;
		}
}

static uint64_t *directory_of(const void *root_, unsigned index)
{
	const uint64_t *root = root_;
	pte_t link = read_pae(&root[index]);
	return (link & PTE_PRESENT) ? (uint64_t *)((uint32_t)link & PTE_FRAME_MASK) : NULL;
}

/* Both user GiBs get their directory now, so a space's PDPT never changes
 * while it is live (the CPU would see a change only at the next CR3 write). */
static void *space_create_pae(void *kernel_root)
{
	uint64_t *kernel = kernel_root;

	if (!pdpt_cache)
		pdpt_cache = kmem_cache_create("pae-pdpt", PDPT_SIZE, PDPT_SIZE, NULL);
	uint64_t *root = pdpt_cache ? kmem_cache_alloc(pdpt_cache) : NULL;
	if (!root)
		return NULL;
	write_pae(&root[0], read_pae(&kernel[0]));
	write_pae(&root[3], read_pae(&kernel[3]));
	write_pae(&root[1], 0);
	write_pae(&root[2], 0);
	uint64_t *own = table_below(&root[1], PTE_PRESENT, true);
	if (!own || !table_below(&root[2], PTE_PRESENT, true)) {
		if (own)
			paging_free_table(own);
		kmem_cache_free(pdpt_cache, root);
		return NULL;
	}
	const uint64_t *shared = directory_of(kernel, 1);
	for (uint32_t v = VM_KERNEL_AREA_START; v < VM_KERNEL_AREA_END; v += LARGE_SPAN_PAE)
		own[directory_index(v)] = shared ? shared[directory_index(v)] : 0;
	return root;
}

/* the user part of one of a space's directories: [first, ENTRIES_PAE) */
static void free_user_tables(uint64_t *directory, unsigned first, void (*free_frame)(uint32_t))
{
	for (unsigned i = first; i < ENTRIES_PAE; i++) {
		pte_t link = read_pae(&directory[i]);
		if (!(link & PTE_PRESENT))
			continue;
		uint64_t *table = (uint64_t *)((uint32_t)link & PTE_FRAME_MASK);
		for (unsigned j = 0; j < ENTRIES_PAE; j++)
			if (read_pae(&table[j]) & PTE_PRESENT)
				free_frame((uint32_t)table[j] & PTE_FRAME_MASK);
		paging_free_table(table);
	}
	paging_free_table(directory);
}

static void space_destroy_pae(void *root_, void (*free_frame)(uint32_t phys))
{
	uint64_t *root = root_;

	free_user_tables(directory_of(root, 1), directory_index(VM_USER_START), free_frame);
	free_user_tables(directory_of(root, 2), 0, free_frame);
	kmem_cache_free(pdpt_cache, root);
}

static void space_switch_pae(void *root)
{
	write_cr3((uint32_t)root);
}

static unsigned walk_pae(const void *root, uint32_t virt, pte_t *entries, uint32_t *tables)
{
	uint64_t *pdpt_table = (uint64_t *)root;

	tables[0] = (uint32_t)root;
	entries[0] = read_pae(&pdpt_table[pdpt_index(virt)]);
	if (!(entries[0] & PTE_PRESENT))
		return 1;
	tables[1] = (uint32_t)entries[0] & PTE_FRAME_MASK;
	entries[1] = read_pae(&((uint64_t *)tables[1])[directory_index(virt)]);
	if (!(entries[1] & PTE_PRESENT) || (entries[1] & PTE_LARGE))
		return 2;
	tables[2] = (uint32_t)entries[1] & PTE_FRAME_MASK;
	entries[2] = read_pae(&((uint64_t *)tables[2])[table_index(virt)]);
	return 3;
}

/* the two user directories and their tables (the 32-byte PDPT is not a page) */
static unsigned space_tables_pae(const void *root)
{
	unsigned n = 0;

	for (unsigned d = 1; d <= 2; d++) {
		const uint64_t *directory = directory_of(root, d);
		if (!directory)
			continue;
		n++;
		for (unsigned i = d == 1 ? directory_index(VM_USER_START) : 0; i < ENTRIES_PAE; i++)
			n += (read_pae(&directory[i]) & PTE_PRESENT) != 0;
	}
	return n;
}

const struct page_table_format paging_format_pae = {
	.table_span = ENTRIES_PAE * PAGE_SIZE,
	.entry_size = sizeof(uint64_t),
	.create_root = create_pdpt,
	.entry_for = entry_pae,
	.lookup = lookup_pae,
	.map_large = map_large_pae,
	.read = read_pae,
	.write = write_pae,
	.fill = fill_pae,
	.load = load_pae,
	.space_create = space_create_pae,
	.space_destroy = space_destroy_pae,
	.space_switch = space_switch_pae,
	.walk = walk_pae,
	.levels = 3,
	.space_tables = space_tables_pae,
};
