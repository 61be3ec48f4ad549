/* slab.c: object caches after Bonwick, "The Slab Allocator" (USENIX 1994),
 * with SLUB's free-list link inside free objects (after the object when a
 * constructor owns its bytes). A slab is one buddy block of objects; every
 * frame of it names its cache, so a free finds cache and slab from the address.
 *
 * Links are stored encoded (next ^ key ^ object address, SLUB's hardened free
 * list) and an allocated object's link slot is set to encode(LINK_ALLOCATED).
 * A free whose link slot decodes to NULL or into its own slab may be a double
 * free; only then is the slab's free list walked, so detection is exact and
 * the common free never walks. */
#include "alloc.h"
#include "errors.h"
#include "lib.h"
#include "mm_report.h"

#define LINK_ALLOCATED UINTPTR_MAX /* decodes outside every slab */
#define KEY_SALT ((uintptr_t)0x9E3779B97F4A7C15ull) /* any odd constant; no RNG this early */

typedef uintptr_t __attribute__((may_alias)) link_word;

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

static link_word *link_of(const struct kmem_cache *c, const void *obj)
{
	return (link_word *)((uintptr_t)obj + c->free_offset);
}

static void set_link(const struct kmem_cache *c, void *obj, uintptr_t next)
{
	*link_of(c, obj) = next ^ c->key ^ (uintptr_t)obj;
}

static uintptr_t get_link(const struct kmem_cache *c, const void *obj)
{
	return *link_of(c, obj) ^ c->key ^ (uintptr_t)obj;
}

static uint32_t index_of(const struct kmem_cache *c, uint32_t offset)
{
	return (uint32_t)(((uint64_t)offset * c->recip) >> 32);
}

/* obj's offset inside its slab (slabs are aligned to their size within the zone) */
static uint32_t slab_offset(const struct kmem_cache *c, const void *obj)
{
	return (uint32_t)(((uintptr_t)obj - c->zone->base) & (c->slab_bytes - 1));
}

/* The head frame of the slab holding obj, given obj's frame descriptor. */
static struct page *slab_head(const struct kmem_cache *c, struct page *page, const void *obj)
{
	size_t pfn = ((uintptr_t)obj - c->zone->base) >> PAGE_SHIFT;

	return page - (pfn & (((size_t)1 << c->order) - 1));
}

static bool is_object_offset(const struct kmem_cache *c, uint32_t offset)
{
	uint32_t i = index_of(c, offset);

	return i < c->objects && i * c->size == offset;
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
	if (c->ctor)
		for (size_t i = 0; i < c->objects; i++)
			c->ctor(base + i * c->size);
	uintptr_t next = 0;
	for (size_t i = c->objects; i-- > 0;) {
		set_link(c, base + i * c->size, next);
		next = (uintptr_t)(base + i * c->size);
	}
	slab->freelist = (void *)next;
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
	buddy_free(c->zone, buddy_page_addr(c->zone, slab), c->order);
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
	char *obj = slab->freelist;
	uintptr_t next = get_link(c, obj);
	uintptr_t start = (uintptr_t)obj - slab_offset(c, obj);
	if (next && next - start >= c->slab_bytes) {
		/* written after it was freed: the rest of this slab's free list is lost */
		mm_report("slab %s: free object 0x%08lx was overwritten (link 0x%08lx)", c->name,
			  addr_of(obj), (unsigned long)next);
		next = 0;
	}
	slab->freelist = (void *)next;
	__builtin_prefetch((void *)next); /* the next allocation reads its link */
	set_link(c, obj, LINK_ALLOCATED);
	slab->inuse++;
	c->allocs++;
	if (!next) {
		list_move(&c->full, &slab->node);
		c->nr_partial--;
		c->nr_full++;
	}
	return obj;
}

/* true when obj is on its slab's free list; at most `objects` steps */
static __attribute__((noinline)) bool is_on_free_list(const struct kmem_cache *c, const struct page *slab, const void *obj)
{
	uintptr_t p = (uintptr_t)slab->freelist, start = (uintptr_t)obj - slab_offset(c, obj);

	for (unsigned n = 0; p && n < c->objects && p - start < c->slab_bytes; n++) {
		if (p == (uintptr_t)obj)
			return true;
		p = get_link(c, (const void *)p);
	}
	return false;
}

/* Whether obj, at object offset `offset`, is free: its link slot decodes to
 * NULL or into the slab (else it cannot be on a free list), and it is listed. */
static inline bool is_free_object(const struct kmem_cache *c, const struct page *slab,
				  const void *obj, uint32_t offset)
{
	uintptr_t v = get_link(c, obj);

	return (v == 0 || v - ((uintptr_t)obj - offset) < c->slab_bytes) &&
	       is_on_free_list(c, slab, obj);
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
	struct page *slab = slab_head(c, page, obj);
	uint32_t offset = slab_offset(c, obj);

	if (!is_object_offset(c, offset)) {
		mm_report("slab %s: free of 0x%08lx which is not an object (offset %u in its slab)",
			  c->name, addr_of(obj), offset);
		return;
	}
	if (is_free_object(c, slab, obj, offset)) {
		mm_report("slab %s: double free of 0x%08lx", c->name, addr_of(obj));
		return;
	}
	set_link(c, obj, (uintptr_t)slab->freelist);
	slab->freelist = obj;
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
	uint32_t offset = slab_offset(c, obj);

	return is_object_offset(c, offset) &&
	       !is_free_object(c, slab_head(c, page, obj), obj, offset);
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
	else if (page->cache != c)
		mm_report("slab %s: free of 0x%08lx which belongs to cache %s", c->name, addr_of(obj),
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
	size_t slabs = c->nr_full + c->nr_partial + c->nr_empty;

	*out = (struct kmem_cache_stats){
		.name = c->name,
		.object_size = c->object_size,
		.stride = c->size,
		.objects_per_slab = c->objects,
		.pages_per_slab = (size_t)1 << c->order,
		.inuse = (size_t)(c->allocs - c->frees),
		.total = slabs * c->objects,
		.slabs_full = c->nr_full,
		.slabs_partial = c->nr_partial,
		.slabs_empty = c->nr_empty,
		.pages = slabs << c->order,
		.allocs = c->allocs,
		.frees = c->frees,
	};
}

void slab_shrink(void)
{
	struct list_node *pos;

	list_for_each(pos, &all_caches)
		kmem_cache_shrink(list_entry(pos, struct kmem_cache, link));
}

/* ---- kmem_cache_check: a walk over every slab of a cache ---- */

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
	if (slab->flags != (PAGE_ALLOCATED | PAGE_SLAB) || slab->cache != c ||
	    slab->order != c->order)
		return "head frame not marked as this cache's slab";
	for (size_t i = 1; i < (size_t)1 << c->order; i++)
		if (slab[i].flags != (PAGE_SLAB | PAGE_TAIL) || slab[i].cache != c)
			return "tail frame not marked as this cache's slab";
	if (slab->inuse < lo || slab->inuse > hi)
		return "object count does not fit its list";
	return check_free_list(c, slab);
}

/* Checks every slab on one list; adds their objects in use to *inuse. */
static bool check_list(const struct kmem_cache *c, const struct list_node *head, size_t count,
		       size_t lo, size_t hi, const char *name, uint64_t *inuse)
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
	uint64_t inuse = 0;

	if (!check_list(c, &c->full, c->nr_full, c->objects, c->objects, "full", &inuse) ||
	    !check_list(c, &c->partial, c->nr_partial, 1, c->objects - 1u, "partial", &inuse) ||
	    !check_list(c, &c->empty, c->nr_empty, 0, 0, "empty", &inuse))
		return false;
	if (inuse != c->allocs - c->frees)
		mm_report("slab %s: check: %lu objects in slabs, %lu counted", c->name,
			  (unsigned long)inuse, (unsigned long)(c->allocs - c->frees));
	return inuse == c->allocs - c->frees;
}

bool slab_check(void)
{
	const struct list_node *pos;

	list_for_each(pos, &all_caches)
		if (!kmem_cache_check(list_entry(pos, struct kmem_cache, link)))
			return false;
	return true;
}
