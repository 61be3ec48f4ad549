/* page_clock.h: the clock (second-chance) page-replacement policy, apart from
 * what it turns over: a hand moving round POSITIONS places, asking of each
 * whether it holds a candidate and whether that was used since the hand last
 * passed. The kernel turns it over the user frames (reclaim.c); the host's
 * page-replacement simulation (tools/pagesim) over a recorded trace's frames,
 * so both run the same code. Plain C with no hardware in it. */
#ifndef VLSOS_VM_PAGE_CLOCK_H
#define VLSOS_VM_PAGE_CLOCK_H

#include <stdint.h>

/* what a place holds, as the policy's `look` callback says */
enum clock_look {
	CLOCK_SKIP,   /* no candidate: free, the kernel's, or not to be taken */
	CLOCK_SPARED, /* a candidate used since the last pass: its use is forgotten, it stays */
	CLOCK_TAKE,   /* a candidate not used since the last pass: the victim */
};

struct page_clock {
	uint32_t hand;      /* the next place to look at */
	uint32_t positions; /* places round the clock */
	uint64_t steps;     /* places looked at, ever */
	uint64_t sweeps;    /* times the hand came round to place 0 */
	uint64_t spared;    /* candidates given their second chance */
};

void page_clock_init(struct page_clock *c, uint32_t positions);

/* Turns the hand until look() says CLOCK_TAKE, and returns that place (the
 * hand stops just past it); -1 when two whole turns found nothing to take
 * (every candidate is spared at most once, so a second turn takes one if
 * there is one). */
int64_t page_clock_choose(struct page_clock *c, enum clock_look (*look)(void *ctx, uint32_t place),
			  void *ctx);

#endif
