/* reclaim.h: the frames of user pages and page replacement. Every user frame
 * is handed out here, and its descriptor (mm/page.h, PAGE_USER) names the
 * address space and the address it is mapped at, so that the clock (page_clock.c)
 * can turn over physical frames and find each one's page-table entry. When
 * free frames fall below RECLAIM_LOW_FRAMES, pages are taken until
 * RECLAIM_HIGH_FRAMES are free: a page never written since it was zeroed is
 * dropped (it comes back zeroed), a clean page with a copy in swap drops to
 * that copy, any other goes to a new slot. The kernel's own pages and page
 * tables are never in the clock's reach: they are not PAGE_USER. */
#ifndef VLSOS_VM_RECLAIM_H
#define VLSOS_VM_RECLAIM_H

#include <stdbool.h>
#include <stdint.h>

#include "swap.h"

/* Watermarks, in frames. Below the low mark the frame a fault asks for
 * comes only after pages were taken; the gap to the high mark makes one
 * reclaim do a batch of work (and the swap writes of a batch go to
 * consecutive slots). What the marks keep free is also what the kernel can
 * still allocate (page tables, kernel stacks, slabs) while user pages fill
 * RAM. */
#define RECLAIM_LOW_FRAMES 32
#define RECLAIM_HIGH_FRAMES 64
/* With swap, a process may reserve more than RAM and find at a fault that
 * neither RAM nor swap has room left; the last frames are kept for the
 * kernel then (page tables, kernel stacks), so that the process can be
 * killed and the others go on. Without swap every frame may be a user page,
 * as sbrk and mmap promised no more than there was. */
#define RECLAIM_RESERVE_FRAMES 16

/* A not-present entry of a page in swap: the slot above the entry's flag bits,
 * SWAP_ENTRY_MARK below (the present bit clear). */
#define SWAP_ENTRY_MARK 0x2u
#define SWAP_ENTRY_SHIFT 12
static inline uint32_t swap_entry(swap_slot_t slot)
{
	return slot << SWAP_ENTRY_SHIFT | SWAP_ENTRY_MARK;
}
static inline swap_slot_t swap_entry_slot(uint32_t entry)
{
	return (entry & SWAP_ENTRY_MARK) ? entry >> SWAP_ENTRY_SHIFT : 0;
}

struct vm_space;
/* A frame for the page at addr of vm, not zeroed, its owner recorded (FILLED:
 * its contents will not be all zeroes, so it cannot just be dropped). 0 when
 * no frame is free and none can be taken. */
uint32_t reclaim_frame_get(struct vm_space *vm, uint32_t addr, bool filled);
/* the same for a shared text page of IMAGE at addr (text.c) */
struct text_image;
uint32_t reclaim_frame_get_text(struct text_image *image, uint32_t addr);
/* a frame reclaim_frame_get gave back to the allocator, with any swap copy it kept */
void reclaim_frame_put(uint32_t phys);
/* the slot a resident page keeps a clean copy in (0: none); reclaim_keep_slot
 * sets it after a swap-in, reclaim_drop_slot frees it (the page was written) */
void reclaim_keep_slot(uint32_t phys, swap_slot_t slot);
void reclaim_drop_slot(uint32_t phys);

struct reclaim_stats {
	uint64_t minor_faults;  /* first touches: zeroed frames (and text pages: text.c) */
	uint64_t major_faults;  /* pages read back from swap */
	uint64_t minor_cycles;  /* TSC cycles the minor faults took, in the kernel */
	uint64_t major_cycles;  /* and the major ones: the slot's read, and any reclaim first */
	uint64_t swap_outs;     /* pages written to swap */
	uint64_t dropped_clean; /* pages taken with no write: zero, or a clean copy in swap */
	uint64_t scans;         /* frames the hand looked at */
	uint64_t sweeps;        /* times it went all the way round */
	uint64_t spared;        /* second chances given */
	uint64_t reclaims;      /* times free frames fell below the low mark */
	uint64_t oom;           /* faults refused: no frame, nothing to take */
};
void reclaim_stats(struct reclaim_stats *out);
/* a fault served: its kind and the TSC cycles since it began */
void reclaim_count_fault(bool major, uint64_t cycles);

#endif
