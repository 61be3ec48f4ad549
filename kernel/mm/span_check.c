/* span_check.c: layer: walks (above spans: a check that reads all of span.c's
 * state sits above it). Every region walked from its first block to its
 * sentinel, the free lists and the counts, against each other and the live map. */
#include "span_block.h"

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
			list_for_each (n, &span_heap.free[f][s]) {
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

	if (!span_heap.zone)
		return true;
	for (size_t pfn = 0; pfn < span_heap.zone->npages;) { /* regions, in address order */
		if (!(span_heap.zone->pages[pfn].flags & PAGE_SPAN)) {
			pfn++;
			continue;
		}
		uintptr_t region =
			(uintptr_t)buddy_page_addr(span_heap.zone, &span_heap.zone->pages[pfn]);
		uintptr_t end = region_check(region, &used, &used_bytes, &free);
		if (!end)
			return false;
		frames += (end - region) >> PAGE_SHIFT;
		pfn += (end - region) >> PAGE_SHIFT;
	}
	if (!lists_check(&listed))
		return false;
	if (frames != span_heap.nr_spans << SPAN_ORDER || used != span_heap.live_blocks ||
	    used_bytes != span_heap.live_bytes || free != listed) {
		mm_report("span: counts disagree: %zu frames in regions (%zu spans counted), %zu "
			  "live blocks (%zu), %zu bytes (%zu), %zu free blocks (%zu on lists)",
			  frames, span_heap.nr_spans, used, span_heap.live_blocks, used_bytes,
			  span_heap.live_bytes, free, listed);
		return false;
	}
	return true;
}
