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
#include "mm.h"
#include "slab_link.h"

#define HEADER 4u /* a block's header: size | flags */
#define FOOTER 4u /* a free block's size again, in its last bytes */
#define PAYLOAD_ALIGN 16u
#define REGION_PAD (PAYLOAD_ALIGN - HEADER) /* before a region's first block */
#define BLOCK_MIN 32u                       /* header, a free block's list node, footer: rounded to 16 */
#define BLOCK_USED 0x1u                     /* handed out, or the sentinel */
#define BLOCK_PREV_USED 0x2u                /* the block before is not free (or this is the first) */
#define BLOCK_FIRST 0x4u                    /* a region's first block: nothing before it */
#define BLOCK_FLAGS 0xFu
/* the largest block handed out: the largest request's, and a remainder too
 * small to stand alone */
#define BLOCK_MAX_USED                                                                          \
	(((SPAN_MAX_REQUEST + HEADER + PAYLOAD_ALIGN - 1) & ~(PAYLOAD_ALIGN - 1)) + BLOCK_MIN - \
	 PAYLOAD_ALIGN)
#define FIT_TRIES 8 /* blocks a best fit looks at in one list */

#define SL_SHIFT 4 /* 16 lists a doubling */
#define SL_COUNT (1u << SL_SHIFT)
#define FL_MIN_SHIFT 5 /* BLOCK_MIN */
/* lists for sizes below two spans; larger free blocks (regions merge spans)
 * all go on the last list, where any of them fits any request */
#define FL_COUNT (SPAN_ORDER + PAGE_SHIFT + 1 - FL_MIN_SHIFT)
#define SPAN_BYTES ((uint32_t)PAGE_SIZE << SPAN_ORDER)

_Static_assert(HEADER + sizeof(struct list_node) + FOOTER <= BLOCK_MIN, "a free block holds its node");
_Static_assert(FL_COUNT <= 32, "fl_map is 32 bits");

typedef uint32_t __attribute__((may_alias)) tag_word;

static struct {
	struct buddy_zone *zone;
	uint32_t fl_map;           /* bit f: some list of first level f has a block */
	uint16_t sl_map[FL_COUNT]; /* bit s: free[f][s] has a block */
	struct list_node free[FL_COUNT][SL_COUNT];
	uintptr_t grow_end; /* end of the region that grew last, or 0 */
	size_t nr_spans, live_blocks, live_bytes;
	uint64_t allocs, frees;
} heap;

static unsigned long addr_of(uintptr_t a)
{
	return (unsigned long)a;
}

/* Blocks are addresses: a header word at b, a payload at b + HEADER. */
static uint32_t tag(uintptr_t b)
{
	return *(tag_word *)b;
}

static void set_tag(uintptr_t b, uint32_t size_flags)
{
	*(tag_word *)b = size_flags;
}

static uint32_t size_of(uintptr_t b)
{
	return tag(b) & ~BLOCK_FLAGS;
}

static bool is_used(uintptr_t b)
{
	return tag(b) & BLOCK_USED;
}

static bool is_sentinel(uintptr_t b)
{
	return tag(b) == BLOCK_USED || tag(b) == (BLOCK_USED | BLOCK_PREV_USED);
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

static struct list_node *node_of(uintptr_t b)
{
	return (struct list_node *)(b + HEADER);
}

static uintptr_t block_of_node(const struct list_node *n)
{
	return (uintptr_t)n - HEADER;
}

/* the list a free block of `size` bytes goes on: first level log2(size),
 * second level the next SL_SHIFT bits */
static void list_index(uint32_t size, unsigned *fl, unsigned *sl)
{
	unsigned f = 31u - (unsigned)__builtin_clz(size);

	if (f - FL_MIN_SHIFT >= FL_COUNT) {
		*fl = FL_COUNT - 1;
		*sl = SL_COUNT - 1;
		return;
	}
	*sl = (size >> (f - SL_SHIFT)) & (SL_COUNT - 1);
	*fl = f - FL_MIN_SHIFT;
}

static void insert_free(uintptr_t b)
{
	unsigned fl, sl;

	list_index(size_of(b), &fl, &sl);
	list_push(&heap.free[fl][sl], node_of(b));
	heap.fl_map |= 1u << fl;
	heap.sl_map[fl] |= (uint16_t)(1u << sl);
}

static void remove_free(uintptr_t b)
{
	unsigned fl, sl;

	list_index(size_of(b), &fl, &sl);
	list_del(node_of(b));
	if (list_is_empty(&heap.free[fl][sl])) {
		heap.sl_map[fl] &= (uint16_t) ~(1u << sl);
		if (!heap.sl_map[fl])
			heap.fl_map &= ~(1u << fl);
	}
}

/* The smallest of the first FIT_TRIES blocks of list fl/sl of at least
 * `size` bytes, lowest address first among equals; 0 for none. */
static uintptr_t best_in_list(unsigned fl, unsigned sl, uint32_t size)
{
	unsigned tries = 0;
	uintptr_t best = 0;
	struct list_node *n;

	list_for_each (n, &heap.free[fl][sl]) {
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
	uint32_t sl_bits = heap.sl_map[fl] & (~0u << sl);
	if (!sl_bits) {
		uint32_t fl_bits = fl + 1 < 32 ? heap.fl_map & (~0u << (fl + 1)) : 0;
		if (!fl_bits)
			return 0;
		fl = (unsigned)__builtin_ctz(fl_bits);
		sl_bits = heap.sl_map[fl];
	}
	return best_in_list(fl, (unsigned)__builtin_ctz(sl_bits), size);
}

/* The live map's bit for a payload (page.h): set while it is handed out. */
static bool is_live(uintptr_t payload)
{
	uintptr_t off = payload - heap.zone->base;

	return (*live_word(heap.zone->live_map, off) & live_bit(off)) != 0;
}

static void set_live(uintptr_t payload, bool live)
{
	uintptr_t off = payload - heap.zone->base;
	uint32_t *word = live_word(heap.zone->live_map, off);

	*word = live ? *word | live_bit(off) : *word & ~live_bit(off);
}

static bool in_spans(uintptr_t a)
{
	struct page *page = buddy_page(heap.zone, (const void *)a);

	return page && (page->flags & PAGE_SPAN);
}

static uintptr_t span_round_up(uintptr_t a)
{
	return heap.zone->base + ((a - heap.zone->base + SPAN_BYTES - 1) & ~(uintptr_t)(SPAN_BYTES - 1));
}

static uintptr_t span_round_down(uintptr_t a)
{
	return heap.zone->base + ((a - heap.zone->base) & ~(uintptr_t)(SPAN_BYTES - 1));
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

	if (heap.grow_end && in_spans(heap.grow_end - 1) && is_sentinel(heap.grow_end - HEADER))
		base = buddy_alloc_at(heap.zone, (void *)heap.grow_end, SPAN_ORDER);
	bool extend = base != NULL;
	if (!base)
		base = buddy_alloc(heap.zone, SPAN_ORDER);
	if (!base)
		return false;
	struct page *head = buddy_page(heap.zone, base);
	for (size_t i = 0; i < (size_t)1 << SPAN_ORDER; i++)
		head[i].flags |= PAGE_SPAN;
	LIB_NAME(memset)(live_word(heap.zone->live_map, (uintptr_t)base - heap.zone->base), 0,
			 LIVE_MAP_BYTES((size_t)1 << SPAN_ORDER));
	heap.nr_spans++;
	if (extend)
		region_extend((uintptr_t)base);
	else
		region_start((uintptr_t)base);
	heap.grow_end = (uintptr_t)base + SPAN_BYTES;
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
	if (heap.grow_end > lo && heap.grow_end <= hi)
		heap.grow_end = starts ? 0 : lo;
	for (uintptr_t s = lo; s < hi; s += SPAN_BYTES) {
		struct page *head = buddy_page(heap.zone, (void *)s);
		for (size_t i = 0; i < (size_t)1 << SPAN_ORDER; i++)
			head[i].flags &= (uint16_t)~PAGE_SPAN;
		buddy_free(heap.zone, (void *)s, SPAN_ORDER);
		heap.nr_spans--;
	}
	return true;
}

void span_init(struct buddy_zone *z)
{
	heap.zone = z;
	heap.fl_map = 0;
	for (unsigned f = 0; f < FL_COUNT; f++) {
		heap.sl_map[f] = 0;
		for (unsigned s = 0; s < SL_COUNT; s++)
			list_init(&heap.free[f][s]);
	}
	heap.grow_end = 0;
	heap.nr_spans = heap.live_blocks = heap.live_bytes = 0;
	heap.allocs = heap.frees = 0;
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
	heap.live_blocks++;
	heap.live_bytes += size;
	heap.allocs++;
	return (void *)(b + HEADER);
}

void *span_alloc(size_t size)
{
	if (size > SPAN_MAX_REQUEST || !heap.zone || !heap.zone->live_map)
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
	return heap.zone && in_spans((uintptr_t)ptr);
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
	heap.live_blocks--;
	heap.live_bytes -= size;
	heap.frees++;

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
	out->spans = heap.nr_spans;
	out->pages = heap.nr_spans << SPAN_ORDER;
	out->live_blocks = heap.live_blocks;
	out->live_bytes = heap.live_bytes;
	out->allocs = heap.allocs;
	out->frees = heap.frees;
}

/* What is wrong with block b of a region walk, or NULL. */
static const char *walk_fault(uintptr_t b, uintptr_t region, bool prev_used)
{
	uint32_t size = size_of(b);

	if (!in_spans(b))
		return "left its spans";
	if (!(tag(b) & BLOCK_PREV_USED) != !prev_used)
		return "a wrong previous-used flag";
	if (!(tag(b) & BLOCK_FIRST) != (b != region + REGION_PAD))
		return "a wrong first-block flag";
	if (is_sentinel(b))
		return NULL;
	if (size < BLOCK_MIN || (is_used(b) && size > BLOCK_MAX_USED) || !in_spans(b + size - 1))
		return "a bad size";
	if (!prev_used && !is_used(b))
		return "a free block before it";
	if (is_live(b + HEADER) != is_used(b))
		return "a live bit that disagrees";
	if (!is_used(b) && *(tag_word *)(b + size - FOOTER) != size)
		return "a footer that disagrees";
	return NULL;
}

/* One region, first block to sentinel. Adds its blocks to the counts; its
 * end, or 0 (reported) when something is wrong. */
static uintptr_t region_check(uintptr_t region, size_t *used, size_t *used_bytes, size_t *free)
{
	uintptr_t b = region + REGION_PAD;
	bool prev_used = true;

	for (;;) {
		const char *bad = walk_fault(b, region, prev_used);
		if (bad) {
			mm_report("span: region at 0x%08lx: block at 0x%08lx has %s", addr_of(region),
				  addr_of(b), bad);
			return 0;
		}
		if (is_sentinel(b))
			break;
		if (is_used(b)) {
			(*used)++;
			*used_bytes += size_of(b);
		} else {
			(*free)++;
		}
		prev_used = is_used(b);
		b += size_of(b);
	}
	uintptr_t end = b + HEADER;
	if ((end - region) % SPAN_BYTES) {
		mm_report("span: region at 0x%08lx ends at 0x%08lx, not on a span", addr_of(region),
			  addr_of(end));
		return 0;
	}
	return end;
}

/* Every block on the lists is free and on the list its size says. */
static bool lists_check(size_t *listed)
{
	struct list_node *n;

	for (unsigned f = 0; f < FL_COUNT; f++)
		for (unsigned s = 0; s < SL_COUNT; s++)
			list_for_each (n, &heap.free[f][s]) {
				uintptr_t b = block_of_node(n);
				unsigned fl, sl;
				list_index(size_of(b), &fl, &sl);
				if (fl != f || sl != s || is_used(b)) {
					mm_report("span: free list %u/%u holds block 0x%08lx of %u "
						  "bytes",
						  f, s, addr_of(b), size_of(b));
					return false;
				}
				(*listed)++;
			}
	return true;
}

bool span_check(void)
{
	size_t used = 0, used_bytes = 0, free = 0, listed = 0, frames = 0;

	if (!heap.zone)
		return true;
	for (size_t pfn = 0; pfn < heap.zone->npages;) { /* regions, in address order */
		if (!(heap.zone->pages[pfn].flags & PAGE_SPAN)) {
			pfn++;
			continue;
		}
		uintptr_t region = (uintptr_t)buddy_page_addr(heap.zone, &heap.zone->pages[pfn]);
		uintptr_t end = region_check(region, &used, &used_bytes, &free);
		if (!end)
			return false;
		frames += (end - region) >> PAGE_SHIFT;
		pfn += (end - region) >> PAGE_SHIFT;
	}
	if (!lists_check(&listed))
		return false;
	if (frames != heap.nr_spans << SPAN_ORDER || used != heap.live_blocks ||
	    used_bytes != heap.live_bytes || free != listed) {
		mm_report("span: counts disagree: %zu frames in regions (%zu spans counted), %zu "
			  "live blocks (%zu), %zu bytes (%zu), %zu free blocks (%zu on lists)",
			  frames, heap.nr_spans, used, heap.live_blocks, used_bytes, heap.live_bytes,
			  free, listed);
		return false;
	}
	return true;
}
