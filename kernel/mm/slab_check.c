/* slab_check.c: kmem_cache_check, the whole-cache walk the tests and the
 * fuzz target lean on (SLUB's validate_slab in spirit): every slab on the
 * right list, free lists inside their slabs, counts adding up. O(frames). */
#include "alloc.h"
#include "mm_report.h"
#include "slab_link.h"

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
	}
	return free + slab->inuse == c->objects ? NULL : "free list and count disagree";
}

static const char *check_slab(const struct kmem_cache *c, struct page *slab, size_t lo, size_t hi)
{
	const struct buddy_zone *z = c->zone;

	if (slab < z->pages || slab >= z->pages + z->npages)
		return "slab outside the zone";
	if (slab->flags != (PAGE_ALLOCATED | slab_flags(c)) || slab->cache != c ||
	    slab->order != c->order)
		return "head frame not marked as this cache's slab";
	for (size_t i = 1; i < (size_t)1 << c->order; i++)
		if (slab[i].flags != (slab_flags(c) | PAGE_TAIL) || slab[i].cache != c)
			return "tail frame not marked as this cache's slab";
	if (slab->inuse < lo || slab->inuse > hi)
		return "object count does not fit its list";
	return check_free_list(c, slab);
}

/* Checks every slab on one list, which must hold `want` of them. */
static bool check_list(const struct kmem_cache *c, const struct list_node *head, size_t want,
		       size_t lo, size_t hi, const char *name)
{
	const struct list_node *pos;
	size_t n = 0;

	list_for_each(pos, head) {
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
 * on no list, objects in use adding up. O(frames in the zone). */
static bool check_all_slabs(const struct kmem_cache *c)
{
	const struct buddy_zone *z = c->zone;
	size_t slabs = 0;
	uint64_t inuse = 0;

	for (size_t pfn = 0; pfn < z->npages; pfn++) {
		struct page *slab = &z->pages[pfn];
		if (slab->cache != c || !(slab->flags & PAGE_ALLOCATED))
			continue;
		slabs++;
		inuse += slab->inuse;
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
	return true;
}

bool kmem_cache_check(const struct kmem_cache *c)
{
	return check_list(c, &c->partial, (size_t)-1, 1, c->objects - 1u, "partial") &&
	       check_list(c, &c->empty, c->nr_empty, 0, 0, "empty") && check_all_slabs(c) &&
	       __magazines_check(c);
}
