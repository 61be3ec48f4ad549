/* page_clock.c: the clock policy (page_clock.h). Corbató's second-chance algorithm
 * (1968): a page used since the hand last passed it is spared once, its use
 * bit cleared; the first one found unused goes. It approximates LRU with one
 * bit a page and no work on a page's use, which suits a CPU that sets the
 * accessed bit itself. */
#include "page_clock.h"

void page_clock_init(struct page_clock *c, uint32_t positions)
{
	*c = (struct page_clock){ .positions = positions };
}

int64_t page_clock_choose(struct page_clock *c, enum clock_look (*look)(void *ctx, uint32_t place),
			  void *ctx)
{
	if (c->positions == 0)
		return -1;
	for (uint64_t looked = 0; looked < 2 * (uint64_t)c->positions; looked++) {
		uint32_t place = c->hand;
		c->hand = place + 1 == c->positions ? 0 : place + 1;
		if (c->hand == 0)
			c->sweeps++;
		c->steps++;
		switch (look(ctx, place)) {
		case CLOCK_TAKE: return place;
		case CLOCK_SPARED: c->spared++; break;
		case CLOCK_SKIP: break;
		}
	}
	return -1;
}
