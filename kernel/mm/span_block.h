/* span_block.h: how span.c and span_check.c read a region of spans: the
 * block layout (span.c's opening comment), the heap's lists and counts, and
 * the helpers both use. Private to the mm files. */
#ifndef VLSOS_MM_SPAN_BLOCK_H
#define VLSOS_MM_SPAN_BLOCK_H

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

struct span_heap {
	struct buddy_zone *zone;
	uint32_t fl_map;           /* bit f: some list of first level f has a block */
	uint16_t sl_map[FL_COUNT]; /* bit s: free[f][s] has a block */
	struct list_node free[FL_COUNT][SL_COUNT];
	uintptr_t grow_end; /* end of the region that grew last, or 0 */
	size_t nr_spans, live_blocks, live_bytes;
	uint64_t allocs, frees;
};
extern struct span_heap span_heap;

static inline unsigned long addr_of(uintptr_t a)
{
	return (unsigned long)a;
}

/* Blocks are addresses: a header word at b, a payload at b + HEADER. */
static inline uint32_t tag(uintptr_t b)
{
	return *(tag_word *)b;
}

static inline void set_tag(uintptr_t b, uint32_t size_flags)
{
	*(tag_word *)b = size_flags;
}

static inline uint32_t size_of(uintptr_t b)
{
	return tag(b) & ~BLOCK_FLAGS;
}

static inline bool is_used(uintptr_t b)
{
	return tag(b) & BLOCK_USED;
}

static inline bool is_sentinel(uintptr_t b)
{
	return tag(b) == BLOCK_USED || tag(b) == (BLOCK_USED | BLOCK_PREV_USED);
}

static inline struct list_node *node_of(uintptr_t b)
{
	return (struct list_node *)(b + HEADER);
}

static inline uintptr_t block_of_node(const struct list_node *n)
{
	return (uintptr_t)n - HEADER;
}

/* the list a free block of `size` bytes goes on: first level log2(size),
 * second level the next SL_SHIFT bits */
static inline void list_index(uint32_t size, unsigned *fl, unsigned *sl)
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

/* The live map's bit for a payload (page.h): set while it is handed out. */
static inline bool is_live(uintptr_t payload)
{
	uintptr_t off = payload - span_heap.zone->base;

	return (*live_word(span_heap.zone->live_map, off) & live_bit(off)) != 0;
}

static inline bool in_spans(uintptr_t a)
{
	struct page *page = buddy_page(span_heap.zone, (const void *)a);

	return page && (page->flags & PAGE_SPAN);
}

#endif
