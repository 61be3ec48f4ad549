/* cache.c: layer: caches (above the slots: magazine.c and memdebug.c). The
 * front of the slab caches: kmem_cache_* choose the path a call takes
 * (memdebug, the magazines or the slab layer), grow a cache when no slab has
 * a slot, and drain every magazine before an out-of-memory answer; shrink,
 * destroy, statistics and checks of one cache or of all of them. */
#include "mm.h"

#define CALLER ((uintptr_t)__builtin_return_address(0))

static struct kmem_cache cache_cache;     /* the cache of cache descriptors */
static struct kmem_cache *magazine_cache; /* spare magazines; NULL until a cache has them */
static struct buddy_zone *cache_zone;

static unsigned long addr_of(const void *p)
{
	return (unsigned long)(uintptr_t)p;
}

static bool cache_args_ok(size_t size, size_t align)
{
	return size != 0 && size <= KMEM_MAX_OBJECT && align <= PAGE_SIZE && !(align & (align - 1));
}

/* c laid out for its objects, memdebug's slots when `debug`, and listed. */
static void cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align,
			void (*ctor)(void *obj), bool debug)
{
	slab_cache_init(c, name, size, align, ctor);
	if (debug)
		memdebug_cache_geometry(c, size, c->align);
	slab_cache_layout(c);
}

void kmem_init(struct buddy_zone *z)
{
	slab_init(z);
	cache_zone = z;
	magazine_cache = NULL;
	cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache), 0, NULL, false);
}

/* The path c's flags choose; NULL when no slab of c has a slot. */
static inline void *cache_take(struct kmem_cache *c, size_t size, uintptr_t site)
{
	if (__builtin_expect(c->flags & KMEM_CACHE_DEBUG, 0))
		return memdebug_alloc(c, size, site);
	if (c->flags & KMEM_CACHE_MAGAZINES)
		return __magazine_alloc(c);
	return __slab_alloc_slot(c);
}

/* A new slab for c, a debug cache's slots laid out by memdebug. */
static bool cache_grow(struct kmem_cache *c)
{
	struct page *slab = slab_grow(c);

	if (slab && (c->flags & KMEM_CACHE_DEBUG))
		memdebug_slab_init(c, slab);
	return slab != NULL;
}

/* Before a cache with magazines grows: every cache's depot gives back what it
 * did not lend out since the last reap, so the frames of a size that shrank
 * go to one that grows (Bonwick's reaper runs on a timer; here growth is the
 * clock). Not for the magazine cache: a depot filling up is no demand. */
static void reap_all(void)
{
	for (struct kmem_cache *c = slab_next_cache(NULL); c; c = slab_next_cache(c))
		__magazines_reap(c);
}

__attribute__((noinline)) void *__kmem_cache_refill(struct kmem_cache *c, size_t size, uintptr_t site)
{
	if (c->flags & KMEM_CACHE_MAGAZINES)
		reap_all();
	if (cache_grow(c))
		return cache_take(c, size, site);
	/* every magazine's objects, and the empty slabs kept in reserve, may
	 * free a block; c's own partial list may refill from its magazines */
	kmem_shrink();
	if (!list_is_empty(&c->partial) || cache_grow(c))
		return cache_take(c, size, site);
	mm_out_of_memory(c->object_size);
	return NULL;
}

void *kmem_cache_alloc(struct kmem_cache *c)
{
	void *obj = cache_take(c, c->object_size, CALLER);

	return obj ? obj : __kmem_cache_refill(c, c->object_size, CALLER);
}

/* A cache of the cache of caches; NULL when memory is out. */
static struct kmem_cache *cache_new(const char *name, size_t size, size_t align, void (*ctor)(void *obj),
				    bool debug)
{
	struct kmem_cache *c = kmem_cache_alloc(&cache_cache);

	if (c)
		cache_setup(c, name, size, align, ctor, debug);
	return c;
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     void (*ctor)(void *obj))
{
	if (!cache_zone || !cache_args_ok(size, align))
		return NULL;
	return cache_new(name, size, align, ctor, memdebug_enabled());
}

void kmem_cache_enable_magazines(struct kmem_cache *c)
{
	if (!__magazines_fit(c))
		return;
	/* the allocator's own bookkeeping: never a memdebug cache */
	if (!magazine_cache)
		magazine_cache =
			cache_new("kmem_magazine", sizeof(struct kmem_magazine), 0, NULL, false);
	if (magazine_cache && c != magazine_cache)
		__magazines_enable(c, magazine_cache);
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	if (!obj)
		return;
	struct page *page = c ? buddy_page(c->zone, obj) : NULL;

	if (!c)
		mm_report("slab: free of 0x%08lx to no cache", addr_of(obj));
	else if (!page || !(page->flags & PAGE_SLAB) || !page->cache)
		mm_report("slab %s: free of 0x%08lx which is not a slab object", c->name, addr_of(obj));
	else if (page->cache != c && ((c->flags | page->cache->flags) & KMEM_CACHE_DEBUG))
		memdebug_wrong_cache(c, page, obj, CALLER);
	else if (page->cache != c)
		mm_report("slab %s: free of 0x%08lx which belongs to cache %s (wrong cache)", c->name,
			  addr_of(obj), page->cache->name);
	else if (c->flags & KMEM_CACHE_DEBUG)
		memdebug_free(c, obj, CALLER);
	else if (c->flags & KMEM_CACHE_MAGAZINES)
		__magazine_free(c, page, obj);
	else
		__slab_free(c, page, obj);
}

bool __kmem_cache_is_live(const struct kmem_cache *c, struct page *page, const void *obj)
{
	if (c->flags & KMEM_CACHE_MAGAZINES)
		return __magazine_is_live(c, obj);
	return __slab_is_live(c, page, obj);
}

void kmem_cache_shrink(struct kmem_cache *c)
{
	__magazines_drain(c);
	slab_release_empty(c);
}

int kmem_cache_destroy(struct kmem_cache *c)
{
	if (!c || c == &cache_cache) {
		mm_report("slab: destroy of %s refused", c ? c->name : "no cache");
		return ERR_INVAL;
	}
	__magazines_drain(c); /* their objects are free, not in use */
	if (c->allocs != c->frees) {
		mm_report("slab %s: destroy refused: %lu objects still in use", c->name,
			  (unsigned long)(c->allocs - c->frees));
		return ERR_BUSY;
	}
	kmem_cache_shrink(c);
	slab_cache_forget(c);
	__slab_free(&cache_cache, buddy_page(cache_cache.zone, c), c);
	return 0;
}

void kmem_cache_stats(const struct kmem_cache *c, struct kmem_cache_stats *out)
{
	size_t slabs = c->nr_slabs, partial = 0;
	const struct list_node *pos;
	size_t in_magazines, magazines;

	list_for_each (pos, &c->partial)
		partial++;
	__magazines_count(c, &in_magazines, &magazines);
	size_t inuse = (size_t)(c->allocs - c->frees) - in_magazines;
	uint64_t allocs = c->allocs + c->mag.allocs;
	*out = (struct kmem_cache_stats){
		.name = c->name,
		.object_size = c->object_size,
		.stride = c->size,
		.objects_per_slab = c->objects,
		.pages_per_slab = (size_t)1 << c->order,
		.inuse = inuse,
		.in_magazines = in_magazines,
		.magazines = magazines,
		.total = slabs * c->objects,
		.slabs_full = slabs - partial - c->nr_empty,
		.slabs_partial = partial,
		.slabs_empty = c->nr_empty,
		.pages = slabs << c->order,
		/* as callers see them: every object they were given, from a
		 * magazine or a slab, and of those every one not in use now
		 * (the free path keeps no count of its own) */
		.allocs = allocs,
		.frees = allocs - inuse,
	};
}

bool kmem_cache_check(const struct kmem_cache *c)
{
	size_t in_magazines = 0, magazines;

	if (c->flags & KMEM_CACHE_MAGAZINES)
		__magazines_count(c, &in_magazines, &magazines);
	return slab_cache_check(c, in_magazines) && __magazines_check(c);
}

size_t kmem_shrink(void)
{
	size_t free_before = cache_zone->free_pages;
	struct kmem_cache *c;

	/* magazine-held objects first, so the magazines they free are then in
	 * slabs that the second pass can give back */
	for (c = slab_next_cache(NULL); c; c = slab_next_cache(c))
		__magazines_drain(c);
	for (c = slab_next_cache(NULL); c; c = slab_next_cache(c))
		kmem_cache_shrink(c);
	return cache_zone->free_pages - free_before;
}

bool kmem_check(void)
{
	for (const struct kmem_cache *c = slab_next_cache(NULL); c; c = slab_next_cache(c))
		if (!kmem_cache_check(c))
			return false;
	return true;
}
