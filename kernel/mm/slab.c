/* slab.c: object caches after Bonwick, "The Slab Allocator" (USENIX 1994),
 * with SLUB's free-list link inside free objects (after the object when a
 * constructor owns its bytes). A slab is one buddy block of objects; every
 * frame of it names its cache, so a free finds cache and slab from the address.
 *
 * Links are stored encoded (next ^ key ^ object address, SLUB's hardened free
 * list) and an allocated object's link slot is set to encode(LINK_ALLOCATED).
 * A free whose link slot decodes to NULL or into its own slab may be a double
 * free; only then is the slab's free list walked, so detection is exact and
 * the common free never walks. Caches with magazines are checked by the
 * zone's live map instead (magazine.c). Every frame of a slab with free
 * objects carries PAGE_PARTIAL, which is how kfree tells a full slab. */
#include "alloc.h"
#include "errors.h"
#include "lib.h"
#include "memdebug.h"
#include "mm_report.h"
#include "slab_link.h"

#define CALLER ((uintptr_t)__builtin_return_address(0))

static struct kmem_cache cache_cache; /* the cache of cache descriptors */
static struct list_node all_caches;
static struct buddy_zone *slab_zone;

static size_t round_up(size_t n, size_t align)
{
	return (n + align - 1) & ~(align - 1);
}

static unsigned long addr_of(const void *p)
{
	return (unsigned long)(uintptr_t)p;
}

/* The head frame of a slab, from the descriptor of the frame at `offset` in it. */
static struct page *slab_head(struct page *page, uint32_t offset)
{
	return page - (offset >> PAGE_SHIFT);
}

/* The smallest slab order that wastes at most 1/16 of the slab, else the one
 * that wastes the least. */
static void choose_geometry(struct kmem_cache *c)
{
	size_t best_waste = 0, best_bytes = 1;

	for (unsigned o = 0; o <= KMEM_MAX_SLAB_ORDER; o++) {
		size_t bytes = (size_t)PAGE_SIZE << o;
		size_t n = bytes / c->size, waste = bytes - n * c->size;
		if (n == 0)
			continue;
		if (c->objects == 0 || waste * best_bytes < best_waste * bytes) {
			c->order = (uint8_t)o;
			c->objects = (uint16_t)n;
			c->slab_bytes = (uint32_t)bytes;
			c->objects_bytes = (uint32_t)(n * c->size);
			best_waste = waste;
			best_bytes = bytes;
		}
		if (waste * 16 <= bytes)
			return;
	}
}

static bool cache_args_ok(size_t size, size_t align)
{
	return size != 0 && size <= KMEM_MAX_OBJECT && align <= PAGE_SIZE && !(align & (align - 1));
}

static void cache_setup(struct kmem_cache *c, const char *name, size_t size, size_t align,
			void (*ctor)(void *obj))
{
	if (align < sizeof(void *))
		align = sizeof(void *);
	size_t free_offset = ctor ? round_up(size, sizeof(void *)) : 0;
	size_t stride = round_up(ctor ? free_offset + sizeof(void *) : size, align);

	*c = (struct kmem_cache){
		.size = (uint32_t)stride,
		.recip = UINT32_MAX / (uint32_t)stride + 1,
		.free_offset = (uint32_t)free_offset,
		.key = ((uintptr_t)c * KEY_SALT) ^ KEY_SALT,
		.object_size = size,
		.align = align,
		.ctor = ctor,
		.name = name ? name : "(unnamed)",
		.zone = slab_zone,
		.base = slab_zone->base,
	};
	list_init(&c->partial);
	list_init(&c->empty);
	if (memdebug_enabled() && c != &cache_cache)
		memdebug_cache_geometry(c, size, align);
	choose_geometry(c);
	list_push_tail(&all_caches, &c->link);
}

void slab_init(struct buddy_zone *z)
{
	slab_zone = z;
	list_init(&all_caches);
	__magazines_forget();
	cache_setup(&cache_cache, "kmem_cache", sizeof(struct kmem_cache), 0, NULL);
}

struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     void (*ctor)(void *obj))
{
	if (!slab_zone || !cache_args_ok(size, align))
		return NULL;
	struct kmem_cache *c = kmem_cache_alloc(&cache_cache);
	if (c)
		cache_setup(c, name, size, align, ctor);
	return c;
}

/* A slab went from full to having free objects, or back: PAGE_PARTIAL flips
 * in every frame, so a free tells from the flags it reads anyway whether the
 * slab is full. */
static __attribute__((noinline)) void flip_partial(const struct kmem_cache *c, struct page *slab)
{
	for (size_t i = 0; i < (size_t)1 << c->order; i++)
		slab[i].flags ^= PAGE_PARTIAL;
}

/* A new slab on the partial list, every object constructed and free; NULL
 * when the zone has no block for it. */
static struct page *slab_grow(struct kmem_cache *c)
{
	char *base = buddy_alloc(c->zone, c->order);
	if (!base)
		return NULL;
	struct page *slab = buddy_page(c->zone, base);
	slab->flags |= slab_flags(c);
	slab->cache = c;
	slab->inuse = 0;
	for (size_t i = 1; i < (size_t)1 << c->order; i++) {
		slab[i].flags = slab_flags(c) | PAGE_TAIL;
		slab[i].cache = c;
	}
	if (c->flags & KMEM_CACHE_MAGAZINES) /* the frames' live bits: none handed out */
		LIB_NAME(memset)(live_word(c->zone->live_map, (uintptr_t)base - c->base), 0,
				 LIVE_MAP_BYTES((size_t)1 << c->order));
	if (c->flags & KMEM_CACHE_DEBUG)
		for (size_t i = 0; i < c->objects; i++)
			memdebug_slot_init(c, base + i * c->size);
	if (c->ctor)
		for (size_t i = 0; i < c->objects; i++)
			c->ctor(base + i * c->size + c->user_offset);
	uintptr_t next = 0;
	for (size_t i = c->objects; i-- > 0;) {
		set_link(c, base + i * c->size, next);
		next = (uintptr_t)(base + i * c->size);
	}
	slab->freelist = (void *)next;
	flip_partial(c, slab);
	list_push(&c->partial, &slab->node);
	c->nr_slabs++;
	return slab;
}

/* Gives an empty slab, on no list, back to the zone. */
static void slab_release(struct kmem_cache *c, struct page *slab)
{
	for (size_t i = 1; i < (size_t)1 << c->order; i++) {
		slab[i].flags = 0;
		slab[i].cache = NULL;
	}
	slab->flags = PAGE_ALLOCATED;
	slab->cache = NULL;
	slab->freelist = NULL;
	c->nr_slabs--;
	buddy_free(c->zone, buddy_page_addr(c->zone, slab), c->order);
}

/* Before a cache grows: every cache's depot gives back what it did not lend
 * out since the last reap, so the frames of a size that shrank go to one that
 * grows (Bonwick's reaper runs on a timer; here growth is the clock). */
static void slab_reap(void)
{
	struct list_node *pos;

	list_for_each(pos, &all_caches)
		__magazines_reap(list_entry(pos, struct kmem_cache, link));
}

/* kmem_cache_alloc with no partial slab: a kept empty one, else a new one. */
static __attribute__((noinline)) void *alloc_refill(struct kmem_cache *c)
{
	struct list_node *n = list_first(&c->empty);

	if (n) {
		list_move(&c->partial, n);
		c->nr_empty--;
		return __slab_alloc_slot(c);
	}
	if (c->flags & KMEM_CACHE_MAGAZINES)
		slab_reap(); /* not for the magazine cache: a depot filling up is no demand */
	if (slab_grow(c))
		return __slab_alloc_slot(c);
	/* every magazine's objects, and the empty slabs kept in reserve, may
	 * free a block; c's own partial list may refill from its magazines */
	slab_shrink();
	if (!list_is_empty(&c->partial) || slab_grow(c))
		return __slab_alloc_slot(c);
	if (memdebug_enabled())
		memdebug_oom_report(c->object_size);
	return NULL;
}

/* kmem_cache_alloc of the last free object of a slab (next is NULL: the slab
 * is full and leaves the partial list), or of one whose link was overwritten
 * after it was freed. */
static __attribute__((noinline)) void *alloc_last(struct kmem_cache *c, struct page *slab,
						  void *obj, uintptr_t next)
{
	if (next)
		mm_report("slab %s: free object 0x%08lx was overwritten (link 0x%08lx); the rest "
			  "of its slab's free list is lost", c->name, addr_of(obj), (unsigned long)next);
	slab->freelist = NULL;
	flip_partial(c, slab);
	list_del(&slab->node);
	return obj;
}

void *__slab_alloc_slot(struct kmem_cache *c)
{
	struct list_node *n = c->partial.next;
	if (__builtin_expect(n == &c->partial, 0))
		return alloc_refill(c);
	struct page *slab = list_entry(n, struct page, node);
	char *obj = slab->freelist;
	uintptr_t next = get_link(c, obj);
	set_link(c, obj, LINK_ALLOCATED);
	slab->inuse++;
	c->allocs++;
	/* the next free object is in the same slab, or NULL: the slab is full */
	if (__builtin_expect(((next - c->base) ^ ((uintptr_t)obj - c->base)) >= c->slab_bytes, 0))
		return alloc_last(c, slab, obj, next);
	slab->freelist = (void *)next;
	return obj;
}

void *kmem_cache_alloc(struct kmem_cache *c)
{
	if (__builtin_expect(c->flags & KMEM_CACHE_DEBUG, 0))
		return memdebug_alloc(c, c->object_size, CALLER);
	if (c->flags & KMEM_CACHE_MAGAZINES)
		return __magazine_alloc(c);
	return __slab_alloc_slot(c);
}

/* true when obj is on its slab's free list; at most `objects` steps */
static bool is_on_free_list(const struct kmem_cache *c, const struct page *slab, const void *obj)
{
	uintptr_t p = (uintptr_t)slab->freelist, start = (uintptr_t)obj - slab_offset(c, obj);

	for (unsigned n = 0; p && n < c->objects && p - start < c->slab_bytes; n++) {
		if (p == (uintptr_t)obj)
			return true;
		p = get_link(c, (const void *)p);
	}
	return false;
}

/* A slab whose last object was just freed, on no list. */
static __attribute__((noinline)) void slab_emptied(struct kmem_cache *c, struct page *slab)
{
	if (c->nr_empty >= KMEM_EMPTY_RESERVE) {
		slab_release(c, slab);
		return;
	}
	list_push(&c->empty, &slab->node);
	c->nr_empty++;
}

/* Puts a checked object on its slab's free list; a full slab becomes
 * partial, a slab left with no object in use becomes empty. */
static inline void free_object(struct kmem_cache *c, struct page *slab, void *obj)
{
	set_link(c, obj, (uintptr_t)slab->freelist);
	slab->freelist = obj;
	c->frees++;
	unsigned was = slab->inuse--;
	if (__builtin_expect(was == c->objects, 0)) {
		flip_partial(c, slab);
		if (was == 1)
			slab_emptied(c, slab);
		else
			list_push(&c->partial, &slab->node);
	} else if (__builtin_expect(was == 1, 0)) {
		list_del(&slab->node);
		slab_emptied(c, slab);
	}
}

/* The full check of a free: reports a bad pointer or a double free and
 * returns false; true for a live object, including one whose owner wrote
 * something that looks like a link. */
void __slab_report_bad_free(const struct kmem_cache *c, const void *obj, uint32_t offset)
{
	if (!is_object_offset(c, offset))
		mm_report("slab %s: free of 0x%08lx which is not an object (offset %u in its slab)",
			  c->name, addr_of(obj), offset);
	else
		mm_report("slab %s: double free of 0x%08lx", c->name, addr_of(obj));
}

static __attribute__((noinline)) bool free_checked(struct kmem_cache *c, struct page *slab,
						   void *obj, uint32_t offset)
{
	if (is_object_offset(c, offset) && !is_on_free_list(c, slab, obj))
		return true;
	__slab_report_bad_free(c, obj, offset);
	return false;
}

void __slab_free_slot(struct kmem_cache *c, void *slot)
{
	/* from the slot's own frame: a debug object may start a frame later */
	uint32_t offset = slab_offset(c, slot);

	free_object(c, slab_head(buddy_page(c->zone, slot), offset), slot);
}

void __slab_free_object(struct kmem_cache *c, struct page *slab, void *obj)
{
	free_object(c, slab, obj);
}

void __kmem_cache_free(struct kmem_cache *c, struct page *page, void *obj)
{
	uint32_t offset = slab_offset(c, obj);
	struct page *slab = slab_head(page, offset);

	if (__builtin_expect(!is_object_offset(c, offset) || link_looks_free(c, obj, offset), 0)) {
		if (free_checked(c, slab, obj, offset))
			free_object(c, slab, obj);
	} else {
		free_object(c, slab, obj);
	}
}

bool __kmem_cache_is_live(const struct kmem_cache *c, struct page *page, const void *obj)
{
	uint32_t offset = slab_offset(c, obj);

	if (c->flags & KMEM_CACHE_MAGAZINES)
		return __magazine_is_live(c, obj);
	return is_object_offset(c, offset) &&
	       !(link_looks_free(c, obj, offset) && is_on_free_list(c, slab_head(page, offset), obj));
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
		__kmem_cache_free(c, page, obj);
}

void kmem_cache_shrink(struct kmem_cache *c)
{
	struct list_node *n;

	__magazines_drain(c);
	while ((n = list_first(&c->empty)) != NULL) {
		list_del(n);
		c->nr_empty--;
		slab_release(c, list_entry(n, struct page, node));
	}
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
	list_del(&c->link);
	kmem_cache_free(&cache_cache, c);
	return 0;
}

void kmem_cache_stats(const struct kmem_cache *c, struct kmem_cache_stats *out)
{
	size_t slabs = c->nr_slabs, partial = 0;
	const struct list_node *pos;
	size_t in_magazines, magazines;

	list_for_each(pos, &c->partial)
		partial++;
	__magazines_count(c, &in_magazines, &magazines);
	size_t inuse = (size_t)(c->allocs - c->frees) - in_magazines;
	uint64_t allocs = c->allocs + c->magazine_allocs;
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

struct kmem_cache *slab_next_cache(const struct kmem_cache *prev)
{
	const struct list_node *n = prev ? prev->link.next : all_caches.next;

	return n == &all_caches ? NULL : list_entry(n, struct kmem_cache, link);
}

size_t slab_shrink(void)
{
	struct list_node *pos;
	size_t free_before = slab_zone->free_pages;

	/* magazine-held objects first, so the magazines they free are then in
	 * slabs that the second pass can give back */
	list_for_each(pos, &all_caches)
		__magazines_drain(list_entry(pos, struct kmem_cache, link));
	list_for_each(pos, &all_caches)
		kmem_cache_shrink(list_entry(pos, struct kmem_cache, link));
	return slab_zone->free_pages - free_before;
}

bool slab_check(void)
{
	const struct list_node *pos;

	list_for_each(pos, &all_caches)
		if (!kmem_cache_check(list_entry(pos, struct kmem_cache, link)))
			return false;
	return true;
}
