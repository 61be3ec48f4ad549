/* slab.c: layer: slabs (above frames; the bottom of the caches, which the
 * magazines, memdebug and the cache front build on). Slabs of slots after
 * Bonwick, "The Slab Allocator" (USENIX 1994), with SLUB's free-list link
 * inside free objects (after the object when a constructor owns its bytes).
 * A slab is one buddy block of objects; every frame of it names its cache, so
 * a free finds cache and slab from the address.
 *
 * Links are stored encoded (next ^ key ^ object address, SLUB's hardened free
 * list) and an allocated object's link slot is set to encode(LINK_ALLOCATED).
 * A free whose link slot decodes to NULL or into its own slab may be a double
 * free; only then is the slab's free list walked, so detection is exact and
 * the common free never walks. Caches with magazines are checked by the
 * zone's live map instead (magazine.c). Every frame of a slab with free
 * objects carries PAGE_PARTIAL, which is how kfree tells a full slab.
 * Growing a cache and what to do when the zone is out is the cache front's
 * (cache.c): here a cache with no free slot answers NULL. */
#include "mm.h"
#include "slab_link.h"

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

void slab_cache_init(struct kmem_cache *c, const char *name, size_t size, size_t align,
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
}

void slab_cache_layout(struct kmem_cache *c)
{
	choose_geometry(c);
	list_push_tail(&all_caches, &c->link);
}

void slab_cache_forget(struct kmem_cache *c)
{
	list_del(&c->link);
}

void slab_init(struct buddy_zone *z)
{
	slab_zone = z;
	list_init(&all_caches);
}

/* A slab went from full to having free objects, or back: PAGE_PARTIAL flips
 * in every frame, so a free tells from the flags it reads anyway whether the
 * slab is full. */
static __attribute__((noinline)) void flip_partial(const struct kmem_cache *c, struct page *slab)
{
	for (size_t i = 0; i < (size_t)1 << c->order; i++)
		slab[i].flags ^= PAGE_PARTIAL;
}

struct page *slab_grow(struct kmem_cache *c)
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

/* __slab_alloc_slot with no partial slab: a kept empty one, else none. */
static __attribute__((noinline)) void *alloc_refill(struct kmem_cache *c)
{
	struct list_node *n = list_first(&c->empty);

	if (!n)
		return NULL;
	list_move(&c->partial, n);
	c->nr_empty--;
	return __slab_alloc_slot(c);
}

/* __slab_alloc_slot of the last free object of a slab (next is NULL: the slab
 * is full and leaves the partial list), or of one whose link was overwritten
 * after it was freed. */
static __attribute__((noinline)) void *alloc_last(struct kmem_cache *c, struct page *slab, void *obj,
						  uintptr_t next)
{
	if (next)
		mm_report("slab %s: free object 0x%08lx was overwritten (link 0x%08lx); the rest "
			  "of its slab's free list is lost",
			  c->name, addr_of(obj), (unsigned long)next);
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

void __slab_report_bad_free(const struct kmem_cache *c, const void *obj, uint32_t offset)
{
	if (!is_object_offset(c, offset))
		mm_report("slab %s: free of 0x%08lx which is not an object (offset %u in its slab)",
			  c->name, addr_of(obj), offset);
	else
		mm_report("slab %s: double free of 0x%08lx", c->name, addr_of(obj));
}

/* The full check of a free: reports a bad pointer or a double free and
 * returns false; true for a live object, including one whose owner wrote
 * something that looks like a link. */
static __attribute__((noinline)) bool free_checked(struct kmem_cache *c, struct page *slab, void *obj,
						   uint32_t offset)
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

void __slab_free(struct kmem_cache *c, struct page *page, void *obj)
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

bool __slab_is_live(const struct kmem_cache *c, struct page *page, const void *obj)
{
	uint32_t offset = slab_offset(c, obj);

	return is_object_offset(c, offset) &&
	       !(link_looks_free(c, obj, offset) && is_on_free_list(c, slab_head(page, offset), obj));
}

void slab_release_empty(struct kmem_cache *c)
{
	struct list_node *n;

	while ((n = list_first(&c->empty)) != NULL) {
		list_del(n);
		c->nr_empty--;
		slab_release(c, list_entry(n, struct page, node));
	}
}

struct kmem_cache *slab_next_cache(const struct kmem_cache *prev)
{
	const struct list_node *n = prev ? prev->link.next : all_caches.next;

	return n == &all_caches ? NULL : list_entry(n, struct kmem_cache, link);
}
