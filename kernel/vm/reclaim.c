/* reclaim.c: user frames and page replacement (reclaim.h). */
#include "reclaim.h"
#include "page_clock.h"
#include "text.h"
#include "vm.h"
#include "lib.h"
#include "../arch/arch.h"
#include "../kernel.h"
#include "../mm/page.h"

#define USER_MARKS (PAGE_USER | PAGE_USER_FILLED | PAGE_USER_TEXT)

static struct page_clock hand;
static struct reclaim_stats counts;

static uint32_t free_frames(void)
{
	return (uint32_t)(user_frames_free_bytes() / PAGE_SIZE);
}

struct candidate {  /* what look() saw of the frame it last said CLOCK_TAKE of */
	bool dirty; /* written since it came in */
	bool text;  /* a shared page of a program's text (text.c) */
};

/* A user page is a candidate unless taking it needs a slot and swap has none
 * (then the clock passes it by, and the fault that asked may find RAM out). */
static enum clock_look look(void *ctx, uint32_t i)
{
	struct candidate *c = ctx;
	uint32_t phys;
	struct page *p = memory_frame(i, &phys);

	if ((p->flags & (PAGE_ALLOCATED | PAGE_USER)) != (PAGE_ALLOCATED | PAGE_USER))
		return CLOCK_SKIP;
	c->text = p->flags & PAGE_USER_TEXT;
	if (c->text) /* shared, clean: used if any of its mappings was */
		return text_frame_age(phys) ? CLOCK_SPARED : CLOCK_TAKE;
	struct vm_space *vm = p->user_vm;
	int age = paging_space_age(vm->space, (uint32_t)p->user_addr);
	if (age < 0) {
		kprintf("reclaim: frame 0x%08x is not mapped at 0x%08x as its descriptor says\n",
			(unsigned)phys, (unsigned)p->user_addr);
		return CLOCK_SKIP;
	}
	if (age & PAGING_AGE_ACCESSED)
		return CLOCK_SPARED;
	c->dirty = age & PAGING_AGE_DIRTY;
	bool needs_new_slot = !p->user_swap && (c->dirty || (p->flags & PAGE_USER_FILLED));
	if (needs_new_slot && swap_free_slots() == 0)
		return CLOCK_SKIP;
	return CLOCK_TAKE;
}

/* The page leaves RAM: its entry becomes its slot's mark, or nothing for a
 * page that comes back zeroed. False when its write failed: it stays. */
static bool take(uint32_t phys, bool dirty)
{
	struct page *p = user_frame_page(phys);
	struct vm_space *vm = p->user_vm;
	uint32_t addr = (uint32_t)p->user_addr;
	swap_slot_t slot = p->user_swap;

	if (!dirty && (slot || !(p->flags & PAGE_USER_FILLED))) {
		counts.dropped_clean++;
	} else {
		char why[SWAP_IO_ERROR_MAX];
		if (!slot && !(slot = swap_alloc()))
			return false;
		if (swap_write(slot, paging_kmap(KMAP_RECLAIM, phys), why) < 0) {
			kprintf("swap: %s: the page at 0x%08x stays in memory; the slot is marked bad\n",
				why, (unsigned)addr);
			swap_mark_bad(slot);
			p->user_swap = 0;
			return false;
		}
		counts.swap_outs++;
	}
	paging_space_set_absent(vm->space, addr, slot ? swap_entry(slot) : 0);
	vm->pages--;
	vm->swapped += slot != 0;
	p->user_swap = 0; /* the slot is the entry's now */
	p->flags &= ~USER_MARKS;
	user_frame_free(phys);
	return true;
}

/* Pages are taken until the high mark is free, or the clock finds none. */
static void reclaim(void)
{
	struct candidate c;

	if (hand.positions == 0)
		page_clock_init(&hand, memory_frame_count());
	counts.reclaims++;
	for (unsigned failures = 0; free_frames() < RECLAIM_HIGH_FRAMES && failures < 8;) {
		uint64_t steps = hand.steps, sweeps = hand.sweeps, spared = hand.spared;
		int64_t place = page_clock_choose(&hand, look, &c);
		counts.scans += hand.steps - steps;
		counts.sweeps += hand.sweeps - sweeps;
		counts.spared += hand.spared - spared;
		if (place < 0)
			return;
		uint32_t phys;
		memory_frame((uint32_t)place, &phys);
		uint32_t free_before = free_frames();
		if (c.text) {
			text_frame_take(phys);
			counts.dropped_clean++;
		} else {
			take(phys, c.dirty);
		}
		if (free_frames() <= free_before) { /* a write failed, or nothing came free */
			failures++;
			if (failures == 8)
				kprintf("reclaim: eight candidates taken for nothing: frame 0x%08x last\n",
					(unsigned)phys);
		}
	}
}

uint32_t reclaim_frame_get(struct vm_space *vm, uint32_t addr, bool filled)
{
	/* With swap, running out is expected and declared at the low mark: with
	 * swap full, what the clock could still take is only clean pages, text
	 * above all, that the processes need again at once; trading them round
	 * would go on for ever instead of failing. And the last frames stay the
	 * kernel's. */
	bool swap_full = swap_present() && swap_free_slots() == 0;
	bool out = swap_full && free_frames() < RECLAIM_LOW_FRAMES;
	if (!out && free_frames() < RECLAIM_LOW_FRAMES)
		reclaim();
	out = out || (swap_present() && free_frames() <= RECLAIM_RESERVE_FRAMES);
	uint32_t phys = out ? 0 : user_frame_alloc();
	if (!phys) {
		counts.oom++;
		return 0;
	}
	struct page *p = user_frame_page(phys);
	p->flags |= PAGE_USER | (filled ? PAGE_USER_FILLED : 0);
	p->user_vm = vm;
	p->user_addr = addr & ~(PAGE_SIZE - 1);
	p->user_swap = 0;
	return phys;
}

uint32_t reclaim_frame_get_text(struct text_image *image, uint32_t addr)
{
	uint32_t phys = reclaim_frame_get(NULL, addr, true);

	if (phys) {
		struct page *p = user_frame_page(phys);
		p->flags |= PAGE_USER_TEXT;
		p->user_vm = image;
	}
	return phys;
}

void reclaim_frame_put(uint32_t phys)
{
	struct page *p = user_frame_page(phys);

	if (p && (p->flags & PAGE_USER)) {
		if (p->user_swap)
			swap_free(p->user_swap);
		p->user_swap = 0;
		p->flags &= ~USER_MARKS;
	}
	user_frame_free(phys);
}

void reclaim_keep_slot(uint32_t phys, swap_slot_t slot)
{
	user_frame_page(phys)->user_swap = slot;
}

void reclaim_drop_slot(uint32_t phys)
{
	struct page *p = user_frame_page(phys);

	if (p->user_swap)
		swap_free(p->user_swap);
	p->user_swap = 0;
}

void reclaim_count_fault(bool major, uint64_t cycles)
{
	if (major) {
		counts.major_faults++;
		counts.major_cycles += cycles;
	} else {
		counts.minor_faults++;
		counts.minor_cycles += cycles;
	}
}

void reclaim_stats(struct reclaim_stats *out)
{
	*out = counts;
}
