/* paging_tables.h: the two page-table formats paging.c chooses between at
 * boot, behind one small interface. 32-bit two-level tables (Intel SDM vol. 3A
 * 4.3) run on any CPU; PAE three-level tables with 64-bit entries (4.4) are
 * the only ones with a no-execute bit. paging.c decides what is mapped and how;
 * a format only finds, reads and writes entries and turns its tables on.
 * Private to kernel/arch/paging*.c. */
#ifndef VLSOS_PAGING_TABLES_H
#define VLSOS_PAGING_TABLES_H

#include <stdbool.h>
#include <stdint.h>

/* An entry of either format, widened to 64 bits. The kernel maps only frames
 * below 4 GiB, so a frame always fits PTE_FRAME_MASK. */
typedef uint64_t pte_t;

#define PTE_PRESENT    0x001u
#define PTE_WRITABLE   0x002u
#define PTE_FRAME_MASK 0xFFFFF000u
#define PTE_NX         (1ull << 63) /* PAE with EFER.NXE: no instruction fetch from the page */

struct page_table_format {
	uint32_t table_span;  /* bytes of address space one page table maps */
	unsigned entry_size;  /* bytes of one entry, to step through a table */
	/* the top level, before anything is mapped; panics without a page */
	void (*create_root)(void);
	/* virt's page-table entry, or NULL when its table is missing and !create
	 * (or no page was left to create it) */
	void *(*entry_for)(uint32_t virt, bool create);
	pte_t (*read)(const void *entry);
	void (*write)(void *entry, pte_t value);
	/* Maps `count` entries from `entry` on (all in one table) to consecutive
	 * frames from `frame`, skipping entries already present. Only for tables
	 * not yet in use (paging_init): one tight loop, not a call an entry, as
	 * identity-mapping all RAM is most of the kernel's set-up under TCG. */
	void (*fill)(void *entry, uint32_t frame, pte_t flags, unsigned count);
	/* the control registers for this format, then CR3; before CR0.PG */
	void (*load)(void);
};

extern const struct page_table_format paging_format_32bit, paging_format_pae;

/* paging.c: a zeroed page for a table, counted in paging_table_pages() */
void *paging_new_table(void);

#endif
