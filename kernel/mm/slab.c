/* slab.c: object caches after Bonwick, "The Slab Allocator" (USENIX 1994),
 * with SLUB's free-list link inside free objects (after the object when a
 * constructor owns its bytes). A slab is one buddy block: objects from its
 * start, then an allocation bitmap when it holds more than 64 (else the bitmap
 * is page->map). Every frame of a slab names its cache, so a free finds cache
 * and slab from the address alone; the bitmap makes double frees exact. */
#include "alloc.h"
#include "errors.h"
#include "lib.h"
#include "mm_report.h"

#define MAP_IN_PAGE_MAX 64 /* objects page->map can track */

static struct kmem_cache cache_cache; /* the cache of cache descriptors */
static struct list_node all_caches;
static struct buddy_zone *slab_zone;

static size_t round_up(size_t n, size_t align)
{
	return (n + align - 1) & ~(align - 1);
}

static size_t map_bytes(size_t objects)
{
	return (objects + 31) / 32 * 4;
}

static void **link_of(const struct kmem_cache *c, void *obj)
{
	return (void **)((char *)obj + c->free_offset);
}

static uint32_t index_of(const struct kmem_cache *c, size_t offset)
{
	return (uint32_t)(((uint64_t)offset * c->recip) >> 32);
}

static char *slab_base(const struct kmem_cache *c, const struct page *slab)
{
	return buddy_page_addr(c->zone, slab);
}

static uint32_t *slab_map(const struct kmem_cache *c, struct page *slab, char *base)
{
	return c->map_offset ? (uint32_t *)(base + c->map_offset) : slab->map;
}

/* The head frame of the slab that holds frame `page`. */
static struct page *slab_head(const struct kmem_cache *c, struct page *page)
{
	if (page->flags & PAGE_TAIL)
		page -= buddy_pfn(c->zone, page) & (((size_t)1 << c->order) - 1);
	return page;
}

/* Objects one slab of `bytes` holds; *map_offset is where its bitmap goes. */
static size_t slab_capacity(size_t bytes, size_t stride, uint32_t *map_offset)
{
	size_t n = bytes / stride;

	*map_offset = 0;
	if (n <= MAP_IN_PAGE_MAX)
		return n;
	while (n * stride + map_bytes(n) > bytes)
		n--;
	*map_offset = (uint32_t)n * (uint32_t)stride; /* strides are multiples of 4 */
	return n;
}

/* The smallest slab order that wastes at most 1/16 of the slab, else the one
 * that wastes the least. */
static void choose_geometry(struct kmem_cache *c)
{
	size_t best_waste = 0, best_bytes = 1;

	for (unsigned o = 0; o <= KMEM_MAX_SLAB_ORDER; o++) {
		size_t bytes = (size_t)PAGE_SIZE << o;
		uint32_t map_offset;
		size_t n = slab_capacity(bytes, c->size, &map_offset);
		size_t waste = bytes - n * c->size;
		if (n == 0)
			continue;
		if (c->objects == 0 || waste * best_bytes < best_waste * bytes) {
			c->order = (uint8_t)o;
			c->objects = (uint16_t)n;
			c->map_offset = map_offset;
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
		.object_size = size,
		.align = align,
		.ctor = ctor,
		.name = name ? name : "(unnamed)",
		.zone = slab_zone,
	};
	list_init(&c->partial);
	list_init(&c->full);
	list_init(&c->empty);
	choose_geometry(c);
	list_push_tail(&all_caches, &c->link);
}

void slab_init(struct buddy_zone *z)
{
	slab_zone = z;
	list_init(&all_caches);
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

/* A new slab on the partial list, every object constructed and free; NULL
 * when the zone has no block for it. */
static struct page *slab_grow(struct kmem_cache *c)
{
	char *base = buddy_alloc(c->zone, c->order);
	if (!base)
		return NULL;
	struct page *slab = buddy_page(c->zone, base);
	slab->flags |= PAGE_SLAB;
	slab->cache = c;
	slab->inuse = 0;
	for (size_t i = 1; i < (size_t)1 << c->order; i++) {
		slab[i].flags = PAGE_SLAB | PAGE_TAIL;
		slab[i].cache = c;
	}
	LIB_NAME(memset)(slab_map(c, slab, base), 0, map_bytes(c->objects));
	if (c->ctor)
		for (size_t i = 0; i < c->objects; i++)
			c->ctor(base + i * c->size);
	void *next = NULL;
	for (size_t i = c->objects; i-- > 0;) {
		*link_of(c, base + i * c->size) = next;
		next = base + i * c->size;
	}
	slab->freelist = next;
	list_push(&c->partial, &slab->node);
	c->nr_partial++;
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
	buddy_free(c->zone, slab_base(c, slab), c->order);
}

/* The slab to allocate from: partial first, then a kept empty one, then new. */
static struct page *slab_for_alloc(struct kmem_cache *c)
{
	struct list_node *n = list_first(&c->partial);

	if (n)
		return list_entry(n, struct page, node);
	n = list_first(&c->empty);
	if (!n)
		return slab_grow(c);
	list_move(&c->partial, n);
	c->nr_empty--;
	c->nr_partial++;
	return list_entry(n, struct page, node);
}

void *kmem_cache_alloc(struct kmem_cache *c)
{
	struct page *slab = slab_for_alloc(c);
	if (!slab)
		return NULL;
	char *obj = slab->freelist, *base = slab_base(c, slab);
	uint32_t i = index_of(c, (size_t)(obj - base));
	slab->freelist = *link_of(c, obj);
	slab_map(c, slab, base)[i / 32] |= 1u << (i % 32);
	slab->inuse++;
	c->inuse++;
	c->allocs++;
	if (!slab->freelist) {
		list_move(&c->full, &slab->node);
		c->nr_partial--;
		c->nr_full++;
	}
	return obj;
}

/* A slab whose last object was just freed, already off its list. */
static void slab_emptied(struct kmem_cache *c, struct page *slab)
{
	if (c->nr_empty >= KMEM_EMPTY_RESERVE) {
		slab_release(c, slab);
		return;
	}
	list_push(&c->empty, &slab->node);
	c->nr_empty++;
}

void __kmem_cache_free(struct kmem_cache *c, struct page *page, void *obj)
{
	struct page *slab = slab_head(c, page);
	char *base = slab_base(c, slab);
	size_t offset = (size_t)((char *)obj - base);
	uint32_t i = index_of(c, offset);
	if (i >= c->objects || (size_t)i * c->size != offset) {
		mm_report("slab %s: free of 0x%08lx which is not an object (offset %zu in its slab)",
			  c->name, (unsigned long)(uintptr_t)obj, offset);
		return;
	}
	uint32_t *word = &slab_map(c, slab, base)[i / 32], bit = 1u << (i % 32);
	if (!(*word & bit)) {
		mm_report("slab %s: double free of 0x%08lx", c->name, (unsigned long)(uintptr_t)obj);
		return;
	}
	*word &= ~bit;
	*link_of(c, obj) = slab->freelist;
	slab->freelist = obj;
	c->inuse--;
	c->frees++;
	bool was_full = slab->inuse-- == c->objects;
	if (slab->inuse == 0) {
		list_del(&slab->node);
		*(was_full ? &c->nr_full : &c->nr_partial) -= 1;
		slab_emptied(c, slab);
	} else if (was_full) {
		list_move(&c->partial, &slab->node);
		c->nr_full--;
		c->nr_partial++;
	}
}

bool __kmem_cache_is_live(const struct kmem_cache *c, struct page *page, const void *obj)
{
	struct page *slab = slab_head(c, page);
	char *base = slab_base(c, slab);
	size_t offset = (size_t)((const char *)obj - base);
	uint32_t i = index_of(c, offset);
	return i < c->objects && (size_t)i * c->size == offset &&
	       (slab_map(c, slab, base)[i / 32] & (1u << (i % 32)));
}

void kmem_cache_free(struct kmem_cache *c, void *obj)
{
	if (!obj)
		return;
	struct page *page = c ? buddy_page(c->zone, obj) : NULL;
	unsigned long a = (unsigned long)(uintptr_t)obj;

	if (!c)
		mm_report("slab: free of 0x%08lx to no cache", a);
	else if (!page || !(page->flags & PAGE_SLAB) || !page->cache)
		mm_report("slab %s: free of 0x%08lx which is not a slab object", c->name, a);
	else if (page->cache != c)
		mm_report("slab %s: free of 0x%08lx which belongs to cache %s", c->name, a,
			  page->cache->name);
	else
		__kmem_cache_free(c, page, obj);
}

void kmem_cache_shrink(struct kmem_cache *c)
{
	struct list_node *n;

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
	if (c->inuse) {
		mm_report("slab %s: destroy refused: %zu objects still in use", c->name, c->inuse);
		return ERR_BUSY;
	}
	kmem_cache_shrink(c);
	list_del(&c->link);
	kmem_cache_free(&cache_cache, c);
	return 0;
}

void kmem_cache_stats(const struct kmem_cache *c, struct kmem_cache_stats *out)
{
	size_t slabs = c->nr_full + c->nr_partial + c->nr_empty;

	*out = (struct kmem_cache_stats){
		.name = c->name,
		.object_size = c->object_size,
		.stride = c->size,
		.objects_per_slab = c->objects,
		.pages_per_slab = (size_t)1 << c->order,
		.inuse = c->inuse,
		.total = slabs * c->objects,
		.slabs_full = c->nr_full,
		.slabs_partial = c->nr_partial,
		.slabs_empty = c->nr_empty,
		.pages = slabs << c->order,
		.allocs = c->allocs,
		.frees = c->frees,
	};
}

/* ---- kmem_cache_check: a walk over every slab of a cache ---- */

static unsigned bits_set(uint32_t x)
{
	unsigned n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

/* What is wrong with the bitmap and free list of a slab holding `inuse` objects; NULL if nothing. */
static const char *check_objects(const struct kmem_cache *c, struct page *slab)
{
	char *base = slab_base(c, slab);
	uint32_t *map = slab_map(c, slab, base);
	size_t set = 0, free = 0;

	for (size_t w = 0; w < map_bytes(c->objects) / 4; w++)
		set += bits_set(map[w]);
	if (set != slab->inuse)
		return "bitmap disagrees with the count";
	if (c->objects % 32 && map[c->objects / 32] >> (c->objects % 32))
		return "bitmap has bits past the last object";
	for (char *obj = slab->freelist; obj; obj = *link_of(c, obj)) {
		size_t offset = (size_t)(obj - base);
		uint32_t i = index_of(c, offset);
		if (offset >= (size_t)c->objects * c->size || (size_t)i * c->size != offset)
			return "free list leaves the slab's objects";
		if (map[i / 32] & (1u << (i % 32)))
			return "free list holds an allocated object";
		if (++free > c->objects)
			return "free list loops";
	}
	return free + slab->inuse == c->objects ? NULL : "free list too short";
}

static const char *check_slab(const struct kmem_cache *c, struct page *slab, size_t lo, size_t hi)
{
	const struct buddy_zone *z = c->zone;

	if (slab < z->pages || slab >= z->pages + z->npages)
		return "slab outside the zone";
	if (slab->flags != (PAGE_ALLOCATED | PAGE_SLAB) || slab->cache != c ||
	    slab->order != c->order)
		return "head frame not marked as this cache's slab";
	for (size_t i = 1; i < (size_t)1 << c->order; i++)
		if (slab[i].flags != (PAGE_SLAB | PAGE_TAIL) || slab[i].cache != c)
			return "tail frame not marked as this cache's slab";
	if (slab->inuse < lo || slab->inuse > hi)
		return "object count does not fit its list";
	return check_objects(c, slab);
}

/* Checks every slab on one list; adds their objects in use to *inuse. */
static bool check_list(const struct kmem_cache *c, const struct list_node *head, size_t count,
		       size_t lo, size_t hi, const char *name, size_t *inuse)
{
	const struct list_node *pos;
	size_t n = 0;

	list_for_each(pos, head) {
		struct page *slab = list_entry(pos, struct page, node);
		const char *what = ++n > c->zone->npages ? "list loops" : check_slab(c, slab, lo, hi);
		if (what) {
			mm_report("slab %s: check: %s slab #%zu: %s", c->name, name, n, what);
			return false;
		}
		*inuse += slab->inuse;
	}
	if (n != count)
		mm_report("slab %s: check: %zu %s slabs listed, %zu counted", c->name, n, name, count);
	return n == count;
}

bool kmem_cache_check(const struct kmem_cache *c)
{
	size_t inuse = 0;

	if (!check_list(c, &c->full, c->nr_full, c->objects, c->objects, "full", &inuse) ||
	    !check_list(c, &c->partial, c->nr_partial, 1, c->objects - 1u, "partial", &inuse) ||
	    !check_list(c, &c->empty, c->nr_empty, 0, 0, "empty", &inuse))
		return false;
	if (inuse != c->inuse)
		mm_report("slab %s: check: %zu objects in slabs, %zu counted", c->name, inuse,
			  c->inuse);
	return inuse == c->inuse;
}

void slab_shrink(void)
{
	struct list_node *pos;

	list_for_each(pos, &all_caches)
		kmem_cache_shrink(list_entry(pos, struct kmem_cache, link));
}

bool slab_check(void)
{
	const struct list_node *pos;

	list_for_each(pos, &all_caches)
		if (!kmem_cache_check(list_entry(pos, struct kmem_cache, link)))
			return false;
	return true;
}
