/* oom_report.c: layer: reports (the top: it reads every layer below). What
 * holds the memory when a request fails: the buddy zone's free blocks, every
 * kmalloc class and cache, kmalloc's large blocks. */
#include "mm.h"

void oom_report(size_t size)
{
	struct buddy_zone *z = __memdebug_out_of_memory(size);
	struct kmalloc_stats ks;
	char line[160];
	int len = 0;

	if (!z) {
		mm_report("memdebug: out of memory for %zu bytes (no debug caches yet)", size);
		return;
	}
	mm_report("memdebug: out of memory for %zu bytes; %zu of %zu frames free, %zu allocated",
		  size, z->free_pages, z->npages, z->allocated_pages);
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
