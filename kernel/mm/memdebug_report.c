/* memdebug_report.c: layer: reports (the top: it reads every layer below).
 * memdebug's whole-heap walks over the zone's frame descriptors: the heap
 * check (every red zone and freed object's poison), the leak report grouped
 * by allocating site, and the out-of-memory report of what holds the memory:
 * the buddy zone's free blocks, every kmalloc class and cache, kmalloc's large
 * blocks. */
#include "mm.h"

/* "at <site>" for a report line */
static const char *site_text(char *buf, size_t len, uintptr_t site)
{
	if (!site)
		return "an unknown site";
	mm_describe_site(buf, len, site);
	return buf;
}

/* ---- walks ---- */

static bool is_debug_slab_head(const struct page *p)
{
	return (p->flags & (PAGE_SLAB | PAGE_TAIL)) == PAGE_SLAB && p->cache &&
	       (p->cache->flags & KMEM_CACHE_DEBUG);
}

static bool is_debug_large_head(const struct page *p)
{
	return (p->flags & PAGE_LARGE) && p->site != 0;
}

typedef void (*slot_visit_fn)(const struct kmem_cache *c, uintptr_t slot, void *ctx);
typedef void (*large_visit_fn)(const struct page *head, uintptr_t block, void *ctx);

static void walk_heap(slot_visit_fn on_slot, large_visit_fn on_large, void *ctx)
{
	struct buddy_zone *z = __memdebug_zone();

	for (size_t pfn = 0; z && pfn < z->npages; pfn++) {
		const struct page *p = &z->pages[pfn];
		uintptr_t start = (uintptr_t)buddy_page_addr(z, p);
		if (is_debug_slab_head(p))
			for (uint32_t i = 0; i < p->cache->objects; i++)
				on_slot(p->cache, start + i * p->cache->size, ctx);
		else if (is_debug_large_head(p) && on_large)
			on_large(p, start, ctx);
	}
}

static void check_slot(const struct kmem_cache *c, uintptr_t slot, void *ctx)
{
	*(size_t *)ctx += __memdebug_check_slot(c, slot);
}

static void check_large_block(const struct page *head, uintptr_t block, void *ctx)
{
	*(size_t *)ctx += !__memdebug_check_large(head, block);
}

size_t memdebug_check_heap(void)
{
	size_t problems = 0;

	walk_heap(check_slot, check_large_block, &problems);
	return problems;
}

/* ---- leaks ---- */

struct site_tally {
	uintptr_t site;
	size_t objects, bytes;
};

struct leak_walk {
	struct site_tally sites[MEMDEBUG_LEAK_SITES];
	size_t nsites;
	struct site_tally other; /* sites past the table */
	struct memdebug_leaks total;
};

static void tally(struct leak_walk *w, uintptr_t site, size_t bytes)
{
	struct site_tally *s = NULL;

	for (size_t i = 0; i < w->nsites && !s; i++)
		if (w->sites[i].site == site)
			s = &w->sites[i];
	if (!s && w->nsites < MEMDEBUG_LEAK_SITES) {
		s = &w->sites[w->nsites++];
		*s = (struct site_tally){ .site = site };
		w->total.sites++;
	}
	if (!s)
		s = &w->other;
	s->objects++;
	s->bytes += bytes;
	w->total.objects++;
	w->total.bytes += bytes;
}

static void tally_slot(const struct kmem_cache *c, uintptr_t slot, void *ctx)
{
	uintptr_t site;
	size_t size;

	if (__memdebug_slot_is_live(c, slot, &site, &size))
		tally(ctx, site, size);
}

static void tally_large(const struct page *head, uintptr_t block, void *ctx)
{
	(void)block;
	tally(ctx, head->site, memdebug_large_size(head));
}

struct memdebug_leaks memdebug_leak_report(const char *title)
{
	static struct leak_walk w; /* too big for a kernel stack */
	char s[80];

	w = (struct leak_walk){ 0 };
	walk_heap(tally_slot, tally_large, &w);
	/* most bytes first: an insertion sort of at most MEMDEBUG_LEAK_SITES */
	for (size_t i = 1; i < w.nsites; i++)
		for (size_t j = i; j > 0 && w.sites[j].bytes > w.sites[j - 1].bytes; j--) {
			struct site_tally tmp = w.sites[j];
			w.sites[j] = w.sites[j - 1];
			w.sites[j - 1] = tmp;
		}
	mm_report("memdebug: %s: %zu live allocation(s), %zu bytes, from %zu site(s)", title,
		  w.total.objects, w.total.bytes, w.total.sites);
	for (size_t i = 0; i < w.nsites; i++)
		mm_report("memdebug:   %zu allocation(s), %zu bytes, at %s", w.sites[i].objects,
			  w.sites[i].bytes, site_text(s, sizeof s, w.sites[i].site));
	if (w.other.objects)
		mm_report("memdebug:   %zu allocation(s), %zu bytes, at other sites", w.other.objects,
			  w.other.bytes);
	return w.total;
}

/* ---- out of memory ---- */

void memdebug_oom_report(size_t size)
{
	struct buddy_zone *z = __memdebug_zone();
	struct kmalloc_stats ks;
	char line[160];
	int len = 0;

	__memdebug_out_of_memory(size);
	if (!z) {
		mm_report("memdebug: out of memory for %zu bytes (no debug caches yet)", size);
		return;
	}
	mm_report("memdebug: out of memory for %zu bytes; %zu of %zu frames free, %zu allocated", size,
		  z->free_pages, z->npages, z->allocated_pages);
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		len += LIB_NAME(snprintf)(line + len, sizeof line - (size_t)len, " %u:%zu", o,
					  z->nr_free[o]);
	mm_report("memdebug:   buddy free blocks by order:%s", line);
	kmalloc_stats(&ks);
	for (unsigned i = 0; i < KMALLOC_CLASSES; i++)
		if (ks.cls[i].pages)
			mm_report("memdebug:   %s: %zu object(s) in use of %zu, %zu frame(s)",
				  ks.cls[i].name, ks.cls[i].inuse, ks.cls[i].total, ks.cls[i].pages);
	mm_report("memdebug:   kmalloc-large: %zu block(s), %zu frame(s)", ks.large_live,
		  ks.large_pages);
	for (struct kmem_cache *c = slab_next_cache(NULL); c; c = slab_next_cache(c)) {
		struct kmem_cache_stats s;
		if (c->flags & KMEM_CACHE_KMALLOC)
			continue;
		kmem_cache_stats(c, &s);
		mm_report("memdebug:   cache %s: %zu object(s) in use of %zu, %zu frame(s)", s.name,
			  s.inuse, s.total, s.pages);
	}
}
