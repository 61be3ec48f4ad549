/* paging_tables.h: the two page-table formats paging.c chooses between at
 * boot, behind one small interface. 32-bit two-level tables (Intel SDM vol. 3A
 * 4.3) run on any CPU; PAE three-level tables with 64-bit entries (4.4) are
 * the only ones with a no-execute bit. paging.c decides what is mapped and how;
 * a format only finds, reads and writes entries and turns its tables on.
 * Calls go one way: paging.c -> the formats -> paging_tables.c.
 * Private to kernel/arch/paging*.c. */
#ifndef VLSOS_PAGING_TABLES_H
#define VLSOS_PAGING_TABLES_H

#include <stdbool.h>
#include <stdint.h>

/* An entry of either format, widened to 64 bits. The kernel maps only frames
 * below 4 GiB, so a frame always fits PTE_FRAME_MASK. */
typedef uint64_t pte_t;

#define PTE_PRESENT 0x001u
#define PTE_WRITABLE 0x002u
#define PTE_USER 0x004u     /* ring 3 may use the page (in every level that leads to it) */
#define PTE_ACCESSED 0x020u /* set by the CPU on any use of the page through this entry */
#define PTE_DIRTY 0x040u    /* set by the CPU on a write to the page */
#define PTE_LARGE 0x080u    /* in a directory entry (PS): it maps a large page itself */
#define PTE_FRAME_MASK 0xFFFFF000u
#define PTE_NX (1ull << 63) /* PAE with EFER.NXE: no instruction fetch from the page */
/* what a 4 KiB entry keeps of a large page's when the large page is split:
 * present, writable, user, write-through, cache-disable (not accessed, dirty,
 * PS, global or PAT, whose bit sits elsewhere in a large entry) */
#define PTE_SPLIT_KEEPS (0x01Fu | PTE_NX)

/* Every call takes the root of the tables it works on: the kernel's (from
 * create_root) or an address space's (space_create). An address space shares
 * the kernel's parts of the address map (vm_layout.h) with the kernel's root:
 * PAE by pointing at the kernel's page directories and tables, the 32-bit
 * format by copies of the kernel's directory entries that space_switch
 * refreshes when the kernel's have changed. */
struct page_table_format {
	uint32_t table_span; /* bytes of address space one page table maps, and
			       * one directory entry as a large page */
	unsigned entry_size; /* bytes of one entry, to step through a table */
	/* the kernel's top level, before anything is mapped; panics without a page */
	void *(*create_root)(void);
	/* virt's page-table entry, to change: a large page over virt is split
	 * first. NULL when its table is missing and !create, or when no page
	 * was left for a table. Tables made for the user part of the map
	 * (VM_USER_START-VM_USER_END) are reachable from ring 3. */
	void *(*entry_for)(void *root, uint32_t virt, bool create);
	/* virt's entry, read without changing anything (a large page's entry
	 * stands for the 4 KiB page of it that holds virt), and in *span the
	 * bytes that entry maps; 0 when there is no entry */
	pte_t (*lookup)(const void *root, uint32_t virt, uint32_t *span);
	/* Maps [virt, virt + table_span), aligned, to the frames from `frame`
	 * with one directory entry and no table. Only in paging_init; false when
	 * the CPU has no large pages or virt's directory entry is in use. */
	bool (*map_large)(void *root, uint32_t virt, uint32_t frame, pte_t flags);
	pte_t (*read)(const void *entry);
	void (*write)(void *entry, pte_t value);
	/* Maps `count` entries from `entry` on (all in one table) to consecutive
	 * frames from `frame`, skipping entries already present. Only for tables
	 * not yet in use (paging_init): one tight loop, not a call an entry, as
	 * identity-mapping all RAM is most of the kernel's set-up under TCG. */
	void (*fill)(void *entry, uint32_t frame, pte_t flags, unsigned count);
	/* the control registers for this format, then CR3; before CR0.PG */
	void (*load)(void *root);
	/* A new address space's root sharing the kernel's parts with
	 * kernel_root, whose tables for them must all exist by then; NULL when
	 * no page is left. */
	void *(*space_create)(void *kernel_root);
	/* Calls free_frame for the frame of every present 4 KiB entry in the
	 * user part, then frees the space's tables and its root. */
	void (*space_destroy)(void *root, void (*free_frame)(uint32_t phys));
	/* CR3 to root (the kernel's or a space's) */
	void (*space_switch)(void *root);
	/* The entries a walk for virt reads, top level first, and the physical
	 * address of the table each is read from: how many it read (it stops
	 * after a not-present entry or one that maps a large page). */
	unsigned (*walk)(const void *root, uint32_t virt, pte_t *entries, uint32_t *tables);
	unsigned levels; /* entries a walk to a 4 KiB page reads */
	/* pages of a space's own tables: its root's and the user part's */
	unsigned (*space_tables)(const void *root);
};

extern const struct page_table_format paging_format_32bit, paging_format_pae;

/* paging_tables.c, below the formats and paging.c (paging_is_enabled and
 * paging_table_pages, declared in arch.h, are there too) */
/* a zeroed page for a table, counted in paging_table_pages(); NULL when none is left */
void *paging_new_table(void);
/* every translation out of the TLB, once paging is on (after a large page is
 * split: Intel SDM vol. 3A 4.10.4.1 asks for it) */
void paging_flush_tlb(void);
/* the format's control registers and tables (its load), then CR0.PG and CR0.WP */
void paging_switch_on(const struct page_table_format *format, void *root);
/* frees a page paging_new_table gave */
void paging_free_table(void *table);

#endif
