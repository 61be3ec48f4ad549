/* span.c: layer: spans (above frames; kmalloc uses it beside the caches).
 * kmalloc's mid-size blocks (KMALLOC_MAX_SMALL + 1 to SPAN_MAX_REQUEST bytes)
 * in regions of whole spans (2^SPAN_ORDER frames), with boundary tags,
 * found by two-level segregated fit (Masmano, Ripoll, Crespo and Real, "TLSF:
 * a new dynamic memory allocator for real-time systems", ECRTS 2004) and a
 * bounded best fit inside the lists; neighbours merge when freed, so a freed
 * 6 KiB block serves a 5 KiB request and a 1 KiB remainder.
 *
 * Why not more size classes: a 4 KiB page plus a small header (sqlite's page
 * cache) took two frames, 1.85x what it asked; size classes of 2-8 KiB on
 * slabs left holes in every class under churn (1.13x measured against
 * glibc's 1.06), where one heap of blocks that split and merge holds less
 * than glibc does. docs/memory.md has the figures.
 *
 * A block is a 4-byte header (size and flags) and its payload, 16-aligned:
 * blocks start 12 bytes past a multiple of 16 and their sizes are multiples
 * of 16. A free block also keeps its size in its last 4 bytes, so the block
 * after it can find it. A region is a run of spans side by side: 12 bytes of
 * padding, its blocks, then a sentinel (a header with size 0, marked used)
 * in its last 4 bytes. A region grows by the span right after it when the
 * zone has it free, and gives back every whole span inside a free block.
 *
 * The zone's live map (page.h) has a block's payload bit set while it is
 * handed out: a double free, or a pointer that is no block's start, is told
 * from a live block without trusting any byte a caller could have written;
 * the headers a free is about to follow are checked before it follows them. */
#include "span_block.h"

struct span_heap span_heap;

static void set_live(uintptr_t payload, bool live)
{
	uintptr_t off = payload - span_heap.zone->base;
	uint32_t *word = live_word(span_heap.zone->live_map, off);

	*word = live ? *word | live_bit(off) : *word & ~live_bit(off);
}

/* a free block's header and footer */
static void set_free(uintptr_t b, uint32_t size, uint32_t flags)
{
	set_tag(b, size | BLOCK_PREV_USED | (flags & BLOCK_FIRST));
	*(tag_word *)(b + size - FOOTER) = size;
}

static void set_prev_used(uintptr_t b, bool used)
{
	set_tag(b, used ? tag(b) | BLOCK_PREV_USED : tag(b) & ~BLOCK_PREV_USED);
}

static void insert_free(uintptr_t b)
{
	unsigned fl, sl;

	list_index(size_of(b), &fl, &sl);
	list_push(&span_heap.free[fl][sl], node_of(b));
	span_heap.fl_map |= 1u << fl;
	span_heap.sl_map[fl] |= (uint16_t)(1u << sl);
}

static void remove_free(uintptr_t b)
{
	unsigned fl, sl;

	list_index(size_of(b), &fl, &sl);
	list_del(node_of(b));
	if (list_is_empty(&span_heap.free[fl][sl])) {
		span_heap.sl_map[fl] &= (uint16_t) ~(1u << sl);
		if (!span_heap.sl_map[fl])
			span_heap.fl_map &= ~(1u << fl);
	}
}

/* The smallest of the first FIT_TRIES blocks of list fl/sl of at least
 * `size` bytes, lowest address first among equals; 0 for none. */
static uintptr_t best_in_list(unsigned fl, unsigned sl, uint32_t size)
{
	unsigned tries = 0;
	uintptr_t best = 0;
	struct list_node *n;

	list_for_each (n, &span_heap.free[fl][sl]) {
		uintptr_t b = block_of_node(n);
		uint32_t s = size_of(b);
		if (s >= size && (!best || s < size_of(best) || (s == size_of(best) && b < best)))
			best = b;
		if (++tries == FIT_TRIES)
			break;
	}
	return best;
}

/* A free block of at least `size` bytes, or 0: first a best fit among the
 * blocks of the list `size` itself falls in (some are smaller), then the
 * first non-empty list whose every block fits (TLSF's good fit). Best fit
 * holds the least memory under churn (Johnstone and Wilson, ISMM 1998):
 * glibc's, measured, 1.06x; first block of the list, 1.08x. */
static uintptr_t find_free(uint32_t size)
{
	unsigned fl, sl, f = 31u - (unsigned)__builtin_clz(size);
	uintptr_t b;

	list_index(size, &fl, &sl);
	if (fl < FL_COUNT && (b = best_in_list(fl, sl, size)) != 0)
		return b;
	list_index(size + (1u << (f - SL_SHIFT)) - 1, &fl, &sl);
	uint32_t sl_bits = span_heap.sl_map[fl] & (~0u << sl);
	if (!sl_bits) {
		uint32_t fl_bits = fl + 1 < 32 ? span_heap.fl_map & (~0u << (fl + 1)) : 0;
		if (!fl_bits)
			return 0;
		fl = (unsigned)__builtin_ctz(fl_bits);
		sl_bits = span_heap.sl_map[fl];
	}
	return best_in_list(fl, (unsigned)__builtin_ctz(sl_bits), size);
}

static uintptr_t span_round_up(uintptr_t a)
{
	return span_heap.zone->base +
	       ((a - span_heap.zone->base + SPAN_BYTES - 1) & ~(uintptr_t)(SPAN_BYTES - 1));
}

static uintptr_t span_round_down(uintptr_t a)
{
	return span_heap.zone->base + ((a - span_heap.zone->base) & ~(uintptr_t)(SPAN_BYTES - 1));
}

/* The region ending at `end` grows by the span at end: its sentinel becomes
 * a free block over the new span, merged with a free block before it, and a
 * new sentinel closes the region. */
static void region_extend(uintptr_t end)
{
	uintptr_t b = end - HEADER;
	uint32_t size = SPAN_BYTES, flags = tag(b);

	if (!(flags & BLOCK_PREV_USED)) {
		b -= *(tag_word *)(b - FOOTER);
		remove_free(b);
		size += size_of(b);
		flags = tag(b);
	}
	set_free(b, size, flags);
	set_tag(b + size, BLOCK_USED);
	insert_free(b);
}

/* A region of its own: one free block over the span, then the sentinel. */
static void region_start(uintptr_t base)
{
	uint32_t size = SPAN_BYTES - REGION_PAD - HEADER;

	set_free(base + REGION_PAD, size, BLOCK_FIRST);
	set_tag(base + REGION_PAD + size, BLOCK_USED);
	insert_free(base + REGION_PAD);
}

/* One more span: the frames right after the region that grew last when the
 * zone has them free (a heap in one run wastes nothing at span boundaries,
 * where separate spans each left a remainder too small for the next request:
 * 1.5% of the heap), else any. */
static bool span_grow(void)
{
	void *base = NULL;

	if (span_heap.grow_end && in_spans(span_heap.grow_end - 1) &&
	    is_sentinel(span_heap.grow_end - HEADER))
		base = buddy_alloc_at(span_heap.zone, (void *)span_heap.grow_end, SPAN_ORDER);
	bool extend = base != NULL;
	if (!base)
		base = buddy_alloc(span_heap.zone, SPAN_ORDER);
	if (!base)
		return false;
	struct page *head = buddy_page(span_heap.zone, base);
	for (size_t i = 0; i < (size_t)1 << SPAN_ORDER; i++)
		head[i].flags |= PAGE_SPAN;
	LIB_NAME(memset)(live_word(span_heap.zone->live_map, (uintptr_t)base - span_heap.zone->base), 0,
			 LIVE_MAP_BYTES((size_t)1 << SPAN_ORDER));
	span_heap.nr_spans++;
	if (extend)
		region_extend((uintptr_t)base);
	else
		region_start((uintptr_t)base);
	span_heap.grow_end = (uintptr_t)base + SPAN_BYTES;
	return true;
}

/* The whole spans inside the free block b (merged, on no list) go back to the
 * zone and the region splits around them: a sentinel closes what stays
 * before, a first block opens what stays after; each leftover is nothing or
 * a free block that can stand alone. False, nothing changed, when no span
 * can go. */
static bool release_spans(uintptr_t b)
{
	uint32_t size = size_of(b), flags = tag(b);
	uintptr_t be = b + size; /* the next block */
	bool starts = flags & BLOCK_FIRST, ends = is_sentinel(be);
	uintptr_t lo = starts ? b - REGION_PAD : span_round_up(b + HEADER);
	uintptr_t hi = ends ? be + HEADER : span_round_down(be - REGION_PAD);

	if (!starts && lo - HEADER - b != 0 && lo - HEADER - b < BLOCK_MIN)
		lo += SPAN_BYTES;
	if (!ends && be - (hi + REGION_PAD) != 0 && be - (hi + REGION_PAD) < BLOCK_MIN)
		hi -= SPAN_BYTES;
	if (hi <= lo)
		return false;
	if (!starts) { /* before: a free block (or none), then a sentinel */
		uint32_t left = (uint32_t)(lo - HEADER - b);
		if (left) {
			set_free(b, left, flags);
			insert_free(b);
		}
		set_tag(lo - HEADER, BLOCK_USED | (left ? 0 : BLOCK_PREV_USED));
	}
	if (!ends) { /* after: a first block, free or the next one */
		uintptr_t first = hi + REGION_PAD;
		uint32_t right = (uint32_t)(be - first);
		if (right) {
			set_free(first, right, BLOCK_FIRST);
			insert_free(first);
		} else {
			set_tag(be, tag(be) | BLOCK_FIRST | BLOCK_PREV_USED);
		}
	}
	if (span_heap.grow_end > lo && span_heap.grow_end <= hi)
		span_heap.grow_end = starts ? 0 : lo;
	for (uintptr_t s = lo; s < hi; s += SPAN_BYTES) {
		struct page *head = buddy_page(span_heap.zone, (void *)s);
		for (size_t i = 0; i < (size_t)1 << SPAN_ORDER; i++)
			head[i].flags &= (uint16_t)~PAGE_SPAN;
		buddy_free(span_heap.zone, (void *)s, SPAN_ORDER);
		span_heap.nr_spans--;
	}
	return true;
}

void span_init(struct buddy_zone *z)
{
	span_heap.zone = z;
	span_heap.fl_map = 0;
	for (unsigned f = 0; f < FL_COUNT; f++) {
		span_heap.sl_map[f] = 0;
		for (unsigned s = 0; s < SL_COUNT; s++)
			list_init(&span_heap.free[f][s]);
	}
	span_heap.grow_end = 0;
	span_heap.nr_spans = span_heap.live_blocks = span_heap.live_bytes = 0;
	span_heap.allocs = span_heap.frees = 0;
}

/* The free block b (on no list) handed out with `need` bytes; the rest, when
 * it can hold a block, stays free as a block of its own. */
static void *take(uintptr_t b, uint32_t need)
{
	uint32_t size = size_of(b), flags = tag(b) & (BLOCK_PREV_USED | BLOCK_FIRST);

	if (size - need >= BLOCK_MIN) {
		set_free(b + need, size - need, 0);
		insert_free(b + need);
		size = need;
	} else {
		set_prev_used(b + size, true);
	}
	set_tag(b, size | BLOCK_USED | flags);
	set_live(b + HEADER, true);
	span_heap.live_blocks++;
	span_heap.live_bytes += size;
	span_heap.allocs++;
	return (void *)(b + HEADER);
}

void *span_alloc(size_t size)
{
	if (size > SPAN_MAX_REQUEST || !span_heap.zone || !span_heap.zone->live_map)
		return NULL;
	uint32_t need = (uint32_t)(size + HEADER + PAYLOAD_ALIGN - 1) & ~(PAYLOAD_ALIGN - 1);
	if (need < BLOCK_MIN)
		need = BLOCK_MIN;
	uintptr_t b = find_free(need);
	if (!b) {
		if (!span_grow())
			return NULL;
		b = find_free(need);
	}
	remove_free(b);
	return take(b, need);
}

bool span_owns(const void *ptr)
{
	return span_heap.zone && in_spans((uintptr_t)ptr);
}

/* What is wrong with the live block b and the neighbours a free would merge
 * with, or NULL: sizes in range, the next header and a free neighbour's
 * footer where they must be. Catches an overflow out of the block before. */
static const char *damage(uintptr_t b)
{
	uint32_t size = size_of(b);
	uintptr_t next = b + size;

	if (!is_used(b) || size < BLOCK_MIN || size > BLOCK_MAX_USED || !in_spans(next))
		return "its header";
	if (is_used(next) ? !is_sentinel(next) && !is_live(next + HEADER)
			  : !in_spans(next + size_of(next) - 1) ||
				    *(tag_word *)(next + size_of(next) - FOOTER) != size_of(next))
		return "the header of the block after it";
	if (!(tag(b) & BLOCK_PREV_USED)) {
		uint32_t prev_size = *(tag_word *)(b - FOOTER);
		uintptr_t prev = b - prev_size;
		if (prev_size < BLOCK_MIN || !in_spans(prev) || size_of(prev) != prev_size ||
		    is_used(prev))
			return "the block before it";
	}
	return NULL;
}

/* The live block whose payload is ptr, or 0 (reported as `what`). */
static uintptr_t live_block(const void *ptr, const char *what)
{
	uintptr_t p = (uintptr_t)ptr;

	if (!in_spans(p) || (p & (PAYLOAD_ALIGN - 1)) || !is_live(p)) {
		mm_report("kmalloc: %s of 0x%08lx which is not a live block (double free?)", what,
			  addr_of(p));
		return 0;
	}
	const char *bad = damage(p - HEADER);
	if (bad) {
		mm_report("kmalloc: %s of 0x%08lx: %s was overwritten (an overflow or underflow); "
			  "the block stays allocated",
			  what, addr_of(p), bad);
		return 0;
	}
	return p - HEADER;
}

size_t span_usable_size(const void *ptr)
{
	uintptr_t b = live_block(ptr, "usable_size");

	return b ? size_of(b) - HEADER : 0;
}

void span_free(void *ptr)
{
	uintptr_t b = live_block(ptr, "free");

	if (!b)
		return;
	uint32_t size = size_of(b), flags = tag(b);
	set_live(b + HEADER, false);
	span_heap.live_blocks--;
	span_heap.live_bytes -= size;
	span_heap.frees++;

	uintptr_t next = b + size;
	if (!is_used(next)) {
		remove_free(next);
		size += size_of(next);
	}
	if (!(flags & BLOCK_PREV_USED)) {
		uint32_t prev_size = *(tag_word *)(b - FOOTER);
		b -= prev_size;
		remove_free(b);
		size += prev_size;
		flags = tag(b);
	}
	set_free(b, size, flags);
	set_prev_used(b + size, false);
	if (size >= SPAN_BYTES - REGION_PAD - HEADER && release_spans(b))
		return;
	insert_free(b);
}

void span_stats(struct span_stats *out)
{
	out->spans = span_heap.nr_spans;
	out->pages = span_heap.nr_spans << SPAN_ORDER;
	out->live_blocks = span_heap.live_blocks;
	out->live_bytes = span_heap.live_bytes;
	out->allocs = span_heap.allocs;
	out->frees = span_heap.frees;
}
