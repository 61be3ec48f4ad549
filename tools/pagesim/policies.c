/* policies.c: replaying a trace through each policy (pagesim.h). */
#include "pagesim.h"

#include <stdlib.h>

#include "errors.h"
#include "../../kernel/vm/page_clock.h"

#define NONE UINT32_MAX /* no page, no frame */

/* ---- the clock, as reclaim.c turns it ---- */

/* Frames and the pages in them, as the kernel has them: the hand turns over
 * frames, not pages; a free frame is passed by (CLOCK_SKIP); a page's
 * accessed bit is set by every reference (the CPU's) and when it is brought
 * in (paging_space_map maps it accessed), and cleared by the hand as it
 * spares the page. Free frames are handed out last freed first, as the
 * buddy allocator's free lists do (its merging of buddies is left out). */
struct clock_sim {
	uint32_t *frame_page; /* each frame's page, or NONE */
	uint32_t *page_frame; /* each page's frame, or NONE */
	bool *accessed;       /* each page's accessed bit */
	uint32_t *free_stack; /* free frames, the next one given on top */
	uint32_t free_count;
};

static enum clock_look look(void *ctx, uint32_t place)
{
	struct clock_sim *s = ctx;
	uint32_t page = s->frame_page[place];

	if (page == NONE)
		return CLOCK_SKIP;
	if (s->accessed[page]) {
		s->accessed[page] = false;
		return CLOCK_SPARED;
	}
	return CLOCK_TAKE;
}

/* reclaim.c's reclaim(): pages taken until HIGH frames are free, or the
 * clock finds none */
static void reclaim(struct clock_sim *s, struct page_clock *hand, uint32_t high)
{
	while (s->free_count < high) {
		int64_t place = page_clock_choose(hand, look, s);
		if (place < 0)
			return;
		s->page_frame[s->frame_page[place]] = NONE;
		s->frame_page[place] = NONE;
		s->free_stack[s->free_count++] = (uint32_t)place;
	}
}

int replay_clock(const struct trace *t, uint32_t frames, struct clock_marks marks,
		 struct clock_result *out)
{
	struct clock_sim s = {
		.frame_page = malloc(frames * sizeof *s.frame_page),
		.page_frame = malloc((t->pages + 1) * sizeof *s.page_frame),
		.accessed = calloc(t->pages + 1, sizeof *s.accessed),
		.free_stack = malloc(frames * sizeof *s.free_stack),
	};
	struct page_clock hand;
	int err = 0;

	*out = (struct clock_result){ 0 };
	if (frames == 0 || marks.low == 0 || marks.high < marks.low)
		err = ERR_INVAL;
	else if (!s.frame_page || !s.page_frame || !s.accessed || !s.free_stack)
		err = ERR_NOMEM;
	for (uint32_t f = 0; !err && f < frames; f++) {
		s.frame_page[f] = NONE;
		s.free_stack[f] = frames - 1 - f; /* frame 0 given first */
	}
	for (uint32_t p = 0; !err && p < t->pages; p++)
		s.page_frame[p] = NONE;
	s.free_count = frames;
	page_clock_init(&hand, frames);
	for (size_t i = 0; !err && i < t->length; i++) {
		uint32_t page = t->refs[i];
		if (s.page_frame[page] == NONE) {
			out->faults++;
			/* reclaim_frame_get: a frame comes after any reclaim */
			if (s.free_count < marks.low) {
				out->reclaims++;
				reclaim(&s, &hand, marks.high);
			}
			uint32_t frame =
				s.free_stack[--s.free_count]; /* frames >= 1: never empty here */
			s.frame_page[frame] = page;
			s.page_frame[page] = frame;
		}
		s.accessed[page] = true;
	}
	out->steps = hand.steps;
	out->sweeps = hand.sweeps;
	out->spared = hand.spared;
	free(s.frame_page);
	free(s.page_frame);
	free(s.accessed);
	free(s.free_stack);
	return err;
}

/* ---- LRU: pages in order of use, on a doubly linked list ---- */

int replay_lru(const struct trace *t, uint32_t frames, uint64_t *faults)
{
	uint32_t *prev = malloc((t->pages + 1) * sizeof *prev);
	uint32_t *next = malloc((t->pages + 1) * sizeof *next);
	bool *resident = calloc(t->pages + 1, sizeof *resident);
	uint32_t newest = NONE, oldest = NONE, count = 0;

	*faults = 0;
	if (!prev || !next || !resident || frames == 0) {
		free(prev);
		free(next);
		free(resident);
		return frames == 0 ? ERR_INVAL : ERR_NOMEM;
	}
	for (size_t i = 0; i < t->length; i++) {
		uint32_t page = t->refs[i];
		if (resident[page]) {
			if (page == newest)
				continue;
			/* out of the list, to be put back at the front */
			next[prev[page]] = next[page];
			if (next[page] != NONE)
				prev[next[page]] = prev[page];
			else
				oldest = prev[page];
		} else {
			++*faults;
			if (count == frames) {
				uint32_t victim = oldest;
				oldest = prev[victim];
				if (oldest != NONE)
					next[oldest] = NONE;
				else
					newest = NONE;
				resident[victim] = false;
				count--;
			}
			resident[page] = true;
			count++;
		}
		prev[page] = NONE;
		next[page] = newest;
		if (newest != NONE)
			prev[newest] = page;
		newest = page;
		if (oldest == NONE)
			oldest = page;
	}
	free(prev);
	free(next);
	free(resident);
	return 0;
}

/* ---- FIFO: pages in the order they came in, on a ring ---- */

int replay_fifo(const struct trace *t, uint32_t frames, uint64_t *faults)
{
	uint32_t *ring = malloc((frames ? frames : 1) * sizeof *ring);
	bool *resident = calloc(t->pages + 1, sizeof *resident);
	uint32_t head = 0, count = 0; /* the oldest at ring[head] */

	*faults = 0;
	if (!ring || !resident || frames == 0) {
		free(ring);
		free(resident);
		return frames == 0 ? ERR_INVAL : ERR_NOMEM;
	}
	for (size_t i = 0; i < t->length; i++) {
		uint32_t page = t->refs[i];
		if (resident[page])
			continue;
		++*faults;
		if (count == frames) {
			resident[ring[head]] = false;
			ring[head] = page;
			head = head + 1 == frames ? 0 : head + 1;
		} else {
			ring[(head + count++) % frames] = page;
		}
		resident[page] = true;
	}
	free(ring);
	free(resident);
	return 0;
}

/* ---- OPT: the page used again farthest ahead goes (Belady, 1966) ---- */

/* a max-heap of the resident pages by the position of their next use, with
 * each page's place in it so that a hit can move it */
struct next_use_heap {
	uint32_t *pages;   /* heap order */
	uint32_t *place;   /* each page's index in pages, or NONE */
	uint64_t *next_at; /* each page's next use (the trace's length: never) */
	uint32_t count;
};

static void heap_set(struct next_use_heap *h, uint32_t at, uint32_t page)
{
	h->pages[at] = page;
	h->place[page] = at;
}

static void heap_up(struct next_use_heap *h, uint32_t at)
{
	uint32_t page = h->pages[at];

	while (at > 0 && h->next_at[h->pages[(at - 1) / 2]] < h->next_at[page]) {
		heap_set(h, at, h->pages[(at - 1) / 2]);
		at = (at - 1) / 2;
	}
	heap_set(h, at, page);
}

static void heap_down(struct next_use_heap *h, uint32_t at)
{
	uint32_t page = h->pages[at];

	for (;;) {
		uint32_t child = 2 * at + 1;
		if (child >= h->count)
			break;
		if (child + 1 < h->count &&
		    h->next_at[h->pages[child + 1]] > h->next_at[h->pages[child]])
			child++;
		if (h->next_at[h->pages[child]] <= h->next_at[page])
			break;
		heap_set(h, at, h->pages[child]);
		at = child;
	}
	heap_set(h, at, page);
}

int replay_opt(const struct trace *t, uint32_t frames, uint64_t *faults)
{
	/* next[i]: where page refs[i] is used next, from one pass backwards */
	uint64_t *next = malloc((t->length + 1) * sizeof *next);
	uint64_t *seen_at = malloc((t->pages + 1) * sizeof *seen_at);
	struct next_use_heap h = {
		.pages = malloc((frames ? frames : 1) * sizeof *h.pages),
		.place = malloc((t->pages + 1) * sizeof *h.place),
		.next_at = malloc((t->pages + 1) * sizeof *h.next_at),
	};
	int err = frames == 0 ? ERR_INVAL : 0;

	*faults = 0;
	if (!next || !seen_at || !h.pages || !h.place || !h.next_at)
		err = ERR_NOMEM;
	for (uint32_t p = 0; !err && p < t->pages; p++) {
		seen_at[p] = t->length;
		h.place[p] = NONE;
	}
	for (size_t i = t->length; !err && i-- > 0;) {
		next[i] = seen_at[t->refs[i]];
		seen_at[t->refs[i]] = i;
	}
	for (size_t i = 0; !err && i < t->length; i++) {
		uint32_t page = t->refs[i];
		if (h.place[page] != NONE) {
			h.next_at[page] = next[i]; /* later than before: up */
			heap_up(&h, h.place[page]);
			continue;
		}
		++*faults;
		if (h.count == frames) {
			h.place[h.pages[0]] = NONE;
			h.count--;
			if (h.count > 0) {
				heap_set(&h, 0, h.pages[h.count]);
				heap_down(&h, 0);
			}
		}
		h.next_at[page] = next[i];
		heap_set(&h, h.count++, page);
		heap_up(&h, h.count - 1);
	}
	free(next);
	free(seen_at);
	free(h.pages);
	free(h.place);
	free(h.next_at);
	return err;
}
