/* kstack.c: the processes' kernel stacks, in the kernel area that every
 * address space shares (vm_layout.h). A slot is an unmapped guard page and
 * KSTACK_PAGES mapped pages above it: a kernel stack that overflows faults on
 * the guard (a double fault, which has its own stack: tss.c) instead of
 * writing over the next stack down. */
#include "proc.h"
#include "errors.h"
#include "vm_layout.h"
#include "../arch/arch.h"
#include "../kernel.h"
#include "../mm/page.h"

#define SLOT_PAGES (1 + KSTACK_PAGES)
#define SLOT_BYTES (SLOT_PAGES * PAGE_SIZE)
#define SLOTS_MAX 128

_Static_assert(SLOTS_MAX > PROC_MAX, "a stack for every process");

static bool used[SLOTS_MAX];

static uint32_t slot_base(int slot)
{
	return paging_kernel_area_start() + (uint32_t)slot * SLOT_BYTES;
}

int kstack_alloc(uint32_t *top)
{
	int slot = 0;

	while (slot < SLOTS_MAX && used[slot])
		slot++;
	if (slot == SLOTS_MAX || slot_base(slot) + SLOT_BYTES > VM_KERNEL_AREA_END)
		return ERR_AGAIN;
	uint32_t base = slot_base(slot) + PAGE_SIZE; /* above the guard */
	for (unsigned i = 0; i < KSTACK_PAGES; i++) {
		void *frame = page_alloc_zeroed(PAGE_OWNER_KERNEL_STACKS);
		if (!frame || map_page(base + i * PAGE_SIZE, (uint32_t)frame, PAGE_FLAG_WRITABLE) < 0) {
			if (frame)
				page_free(frame, PAGE_OWNER_KERNEL_STACKS);
			used[slot] = true;
			kstack_free(slot); /* the pages mapped so far */
			return ERR_NOMEM;
		}
	}
	used[slot] = true;
	*top = base + KSTACK_PAGES * PAGE_SIZE;
	return slot;
}

void kstack_free(int slot)
{
	uint32_t base = slot_base(slot) + PAGE_SIZE;

	for (unsigned i = 0; i < KSTACK_PAGES; i++) {
		uint32_t frame = virt_to_phys(base + i * PAGE_SIZE);
		if (frame == PAGING_NOT_MAPPED)
			continue;
		unmap_page(base + i * PAGE_SIZE);
		page_free((void *)frame, PAGE_OWNER_KERNEL_STACKS);
	}
	used[slot] = false;
}
