/* slab_check.c: layer: slabs. slab_cache_check, the whole-cache walk the
 * tests and the fuzz target lean on (SLUB's validate_slab in spirit): every
 * slab on the right list, free lists inside their slabs, counts adding up,
 * and with magazines the live map agreeing with them. O(frames). */
#include "mm.h"
#include "slab_link.h"

/* With magazines: what is wrong with the live map over a slab (a bit set
 * for a grain where no object starts); *live counts the bits set. NULL if
 * nothing. */
static const char *check_live_bits(const struct kmem_cache *c, const struct page *slab, size_t *live)
{
	uintptr_t start = (uintptr_t)buddy_page_addr(c->zone, slab) - c->base;
	const uint32_t *w = live_word(c->zone->live_map, start);
	const uint32_t grains_per_word = 32;

	*live = 0;
	for (uint32_t i = 0; i < c->slab_bytes / LIVE_GRAIN / grains_per_word; i++) {
		for (uint32_t bits = w[i]; bits; bits &= bits - 1) {
			uint32_t off =
				(i * grains_per_word + (uint32_t)__builtin_ctz(bits)) * LIVE_GRAIN;
			uint32_t first =
				(off + c->size - 1) / c->size * c->size; /* object start >= off */
			if (first >= off + LIVE_GRAIN || first >= c->objects_bytes)
				return "the live map marks a grain where no object starts";
			(*live)++;
		}
	}
	return NULL;
}

/* What is wrong with a slab's free list; NULL if nothing. */
static const char *check_free_list(const struct kmem_cache *c, const struct page *slab)
{
	uintptr_t start = (uintptr_t)buddy_page_addr(c->zone, slab);
	size_t free = 0;

	for (uintptr_t p = (uintptr_t)slab->freelist; p; p = get_link(c, (const void *)p)) {
		if (p - start >= c->slab_bytes || !is_object_offset(c, (uint32_t)(p - start)))
			return "free list leaves the slab's objects";
		if (++free > c->objects)
			return "free list loops";
		if ((c->flags & KMEM_CACHE_MAGAZINES) && live_test(c->zone->live_map, p - c->base))
			return "the live map marks a free object handed out";
	}
	return free + slab->inuse == c->objects ? NULL : "free list and count disagree";
}

static const char *check_slab(const struct kmem_cache *c, struct page *slab, size_t lo, size_t hi)
{
	const struct buddy_zone *z = c->zone;

	if (slab < z->pages || slab >= z->pages + z->npages)
		return "slab outside the zone";
	uint16_t partial = slab->freelist ? PAGE_PARTIAL : 0;

	if (slab->flags != (PAGE_ALLOCATED | slab_flags(c) | partial) || slab->cache != c ||
	    slab->order != c->order)
		return "head frame not marked as this cache's slab";
	for (size_t i = 1; i < (size_t)1 << c->order; i++)
		if (slab[i].flags != (slab_flags(c) | PAGE_TAIL | partial) || slab[i].cache != c)
			return "tail frame not marked as this cache's slab";
	if (slab->inuse < lo || slab->inuse > hi)
		return "object count does not fit its list";
	return check_free_list(c, slab);
}

/* Checks every slab on one list, which must hold `want` of them. */
static bool check_list(const struct kmem_cache *c, const struct list_node *head, size_t want, size_t lo,
		       size_t hi, const char *name)
{
	const struct list_node *pos;
	size_t n = 0;

	list_for_each (pos, head) {
		struct page *slab = list_entry(pos, struct page, node);
		const char *what = ++n > c->nr_slabs ? "more slabs listed than the cache has"
						     : check_slab(c, slab, lo, hi);
		if (what) {
			mm_report("slab %s: check: %s slab #%zu: %s", c->name, name, n, what);
			return false;
		}
	}
	if (want != (size_t)-1 && n != want)
		mm_report("slab %s: check: %zu %s slabs listed, %zu counted", c->name, n, name, want);
	return want == (size_t)-1 || n == want;
}

/* Finds every slab of the cache in the zone: as many as counted, full ones
 * on no list, objects in use adding up (in_magazines of them held by the
 * magazine layer, with no live bit). O(frames in the zone). */
static bool check_all_slabs(const struct kmem_cache *c, size_t in_magazines)
{
	const struct buddy_zone *z = c->zone;
	size_t slabs = 0, live = 0;
	uint64_t inuse = 0;

	for (size_t pfn = 0; pfn < z->npages; pfn++) {
		struct page *slab = &z->pages[pfn];
		if (slab->cache != c || !(slab->flags & PAGE_ALLOCATED))
			continue;
		slabs++;
		inuse += slab->inuse;
		if (c->flags & KMEM_CACHE_MAGAZINES) {
			size_t n;
			const char *what = check_live_bits(c, slab, &n);
			if (what) {
				mm_report("slab %s: check: slab at frame %zu: %s", c->name, pfn, what);
				return false;
			}
			live += n;
		}
		if (slab->node.next != &slab->node)
			continue; /* listed: checked with its list */
		const char *what = check_slab(c, slab, c->objects, c->objects);
		if (what) {
			mm_report("slab %s: check: unlisted slab at frame %zu: %s", c->name, pfn, what);
			return false;
		}
	}
	if (slabs != c->nr_slabs || inuse != c->allocs - c->frees) {
		mm_report("slab %s: check: %zu slabs with %lu objects in use; counted %zu and %lu",
			  c->name, slabs, (unsigned long)inuse, c->nr_slabs,
			  (unsigned long)(c->allocs - c->frees));
		return false;
	}
	if ((c->flags & KMEM_CACHE_MAGAZINES) && live != inuse - in_magazines) {
		mm_report("slab %s: check: the live map marks %zu objects handed out; counted %lu",
			  c->name, live, (unsigned long)(inuse - in_magazines));
		return false;
	}
	return true;
}

bool slab_cache_check(const struct kmem_cache *c, size_t in_magazines)
{
	return check_list(c, &c->partial, (size_t)-1, 1, c->objects - 1u, "partial") &&
	       check_list(c, &c->empty, c->nr_empty, 0, 0, "empty") && check_all_slabs(c, in_magazines);
}
