/* paging_tables.c: what both page-table formats (paging_32bit.c, paging_pae.c)
 * and the front (paging.c) share, below all three so that calls only go down:
 * zeroed pages for tables, counted; the TLB flush; whether paging is on, and
 * turning it on with a format's tables (Intel SDM vol. 3A 4.1.1). */
#include "arch.h"
#include "paging_tables.h"
#include "../kernel.h"
#include "../mm/mm.h"

static bool enabled;
static unsigned table_pages; /* every page paging_new_table handed out */

void *paging_new_table(void)
{
	void *table = page_alloc_zeroed(PAGE_OWNER_PAGE_TABLES);
	if (table)
		table_pages++;
	return table;
}

void paging_free_table(void *table)
{
	page_free(table, PAGE_OWNER_PAGE_TABLES);
	table_pages--;
}

unsigned paging_table_pages(void)
{
	return table_pages;
}

void paging_flush_tlb(void)
{
	if (enabled)
		write_cr3(read_cr3());
}

bool paging_is_enabled(void)
{
	return enabled;
}

/* CR0.WP with CR0.PG: ring 0 honours read-only pages too (the seed's .text
 * and .rodata), which it otherwise writes freely. */
void paging_switch_on(const struct page_table_format *format, void *root)
{
	format->load(root);
	write_cr0(read_cr0() | CR0_PG | CR0_WP);
	enabled = true;
}
