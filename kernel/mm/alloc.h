/* alloc.h: the allocators over page frames, grouped by file: the buddy
 * allocator (frames), slab caches (objects of one size) and kmalloc (any
 * size). Plain C over a struct buddy_zone; misuse is reported through
 * mm_report (mm_report.h) and the call is then ignored. Not thread-safe:
 * callers serialise. */
#ifndef VLSOS_MM_ALLOC_H
#define VLSOS_MM_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"
#include "page.h"

/* ---- buddy.c: binary buddy allocator over page frames ---- */

/* Every frame starts PAGE_RESERVED; release what is RAM with buddy_release_range.
 * descriptors: npages entries the caller keeps for the zone's life. */
void buddy_init(struct buddy_zone *z, uintptr_t base, struct page *descriptors, size_t npages);
/* Frees reserved frames [first_pfn, first_pfn + count) in the largest aligned
 * blocks, merged with free neighbours. Frames that are not reserved are
 * reported and skipped. */
void buddy_release_range(struct buddy_zone *z, size_t first_pfn, size_t count);
/* 2^order frames aligned to their size (in pfns); NULL when order >
 * BUDDY_MAX_ORDER or no block is free. O(BUDDY_MAX_ORDER). */
void *buddy_alloc(struct buddy_zone *z, unsigned order);
/* Frees a block buddy_alloc returned with the same order. A pointer that is
 * not such a block (misaligned, outside, reserved, a double free, another
 * order) is reported and nothing changes. */
void buddy_free(struct buddy_zone *z, void *block, unsigned order);
/* count frames (1 to 2^BUDDY_MAX_ORDER) with no rounding to a power of two:
 * the frames past count go back to the free lists. Free with the same count. */
void *buddy_alloc_pages(struct buddy_zone *z, size_t count);
void buddy_free_pages(struct buddy_zone *z, void *first, size_t count);
/* smallest order whose block holds count frames (count >= 1) */
unsigned buddy_order_for(size_t count);
/* free blocks of that order (0 above BUDDY_MAX_ORDER) */
size_t buddy_free_count(const struct buddy_zone *z, unsigned order);
/* true when addr lies inside a free block */
bool buddy_is_free(const struct buddy_zone *z, const void *addr);
/* Walks the whole zone: lists against counts, blocks aligned and disjoint,
 * no two free buddies left unmerged, every frame free, allocated or reserved
 * exactly once. Reports the first inconsistency and returns false. O(npages). */
bool buddy_check(const struct buddy_zone *z);

/* ---- slab.c: object caches (Bonwick 1994) over the buddy zone ---- */

#define KMEM_MAX_OBJECT    2048 /* largest object size a cache takes */
#define KMEM_MAX_SLAB_ORDER 3    /* a slab is at most 8 frames */
#define KMEM_EMPTY_RESERVE 1    /* empty slabs a cache keeps; more go back to the zone */
#define KMEM_CACHE_KMALLOC 0x01 /* cache->flags: one of kmalloc's size classes */
#define KMEM_CACHE_DEBUG   0x02 /* cache->flags: slots with red zones and tracking (memdebug.h) */
#define KMEM_CACHE_MAGAZINES 0x04 /* cache->flags: freed objects go through magazines first */

/*
 * The magazine layer of Bonwick and Adams, "Magazines and Vmem" (USENIX 2001),
 * in front of a cache's slabs: a magazine is a stack of up to
 * KMEM_MAGAZINE_ROUNDS freed objects ("rounds"). A free pushes onto the
 * cache's loaded magazine and an allocation pops from it, so the common
 * malloc/free pair touches no slab, no list and no counter. When the loaded
 * magazine is empty (or full) it trades places with the previous one, then
 * with a full (or empty) magazine from the cache's depot; only when the depot
 * has none does the object come from (or go to) the slab layer. The loaded
 * magazine is kept inside struct kmem_cache (a trade copies its rounds), so
 * the fast paths follow no pointer to reach it.
 *
 * The slab layer counts an object in a magazine as allocated; the zone's live
 * map (page.h) says it is free, so a second free of it is caught without
 * reading it, and a magazine leaves every byte of it as its owner did.
 * Magazine-held objects go back to their slabs, and empty slabs to
 * the zone, on kmem_cache_shrink/slab_shrink and, before any out-of-memory
 * answer, when a slab cannot grow.
 */
#define KMEM_MAGAZINE_ROUNDS 30 /* 128 bytes a magazine on i386 */
#define KMEM_DEPOT_EMPTY 1       /* empty magazines a depot keeps; more go back */

struct kmem_magazine {
	struct kmem_magazine *next; /* on a depot list */
	uint32_t rounds;            /* objects held, in obj[0 .. rounds) */
	void *obj[KMEM_MAGAZINE_ROUNDS];
};

/* A cache of objects of one size. The fields are slab.c's and magazine.c's;
 * they are visible so kmalloc can read them and so the cache-of-caches can be
 * static. A slab with free and allocated objects is on `partial`, a slab with
 * none allocated on `empty`; a full slab is on no list (its node points at
 * itself). The fields kmalloc's fast paths read come first. */
struct kmem_cache {
	uint16_t rounds;      /* objects in the loaded magazine, loaded[0 .. rounds) */
	uint16_t objects;     /* per slab */
	uint32_t slab_bytes;  /* PAGE_SIZE << order */
	uint32_t objects_bytes; /* objects * size: offsets below it may be objects */
	uint32_t recip;       /* 2^32 / size + 1: (offset * recip) >> 32 == offset / size */
	uintptr_t key;        /* a link is stored as next ^ key ^ the object's address */
	uint64_t magazine_allocs; /* served by the magazine layer */
	void *loaded[KMEM_MAGAZINE_ROUNDS];
	struct kmem_magazine *previous; /* full, empty or NULL */
	struct kmem_magazine *depot_full, *depot_empty; /* the depot's lists */
	size_t depot_nr_full, depot_nr_empty;
	size_t depot_min_full, depot_min_empty; /* the fewest since the last reap */
	struct list_node partial, empty; /* slabs, by their head frame's node */
	size_t nr_slabs, nr_empty;
	uint32_t size;        /* stride between objects */
	uint32_t free_offset; /* where a free object keeps its (encoded) free-list link */
	uint32_t user_offset; /* KMEM_CACHE_DEBUG: the object's offset in its slot (else 0) */
	uint32_t track_offset; /* KMEM_CACHE_DEBUG: where the slot's tracking record is */
	uint8_t order;        /* buddy order of a slab */
	uint8_t flags;        /* KMEM_CACHE_* */
	uintptr_t base;       /* zone->base, kept here for the fast paths */
	uint64_t allocs, frees; /* by the slab layer; objects in use: allocs - frees */
	size_t object_size;   /* as created */
	size_t align;
	void (*ctor)(void *obj);
	const char *name;
	struct buddy_zone *zone;
	struct list_node link;  /* on the list of every cache */
};

struct kmem_cache_stats {
	const char *name;
	size_t object_size, stride, objects_per_slab, pages_per_slab;
	size_t inuse, total;   /* objects handed out; objects in all slabs */
	size_t in_magazines;   /* objects freed and kept in magazines (not in inuse) */
	size_t magazines;      /* magazines it holds besides the loaded one: previous, depot */
	size_t slabs_full, slabs_partial, slabs_empty;
	size_t pages;          /* frames the cache holds */
	uint64_t allocs, frees;
};

/* Starts the slab layer over zone z and its static cache of cache descriptors.
 * Call once, before any other slab or kmalloc function; calling it again
 * forgets every cache (tests do, over a fresh zone). */
void slab_init(struct buddy_zone *z);
/* NULL when size is 0 or above KMEM_MAX_OBJECT, align is not 0 or a power of
 * two up to PAGE_SIZE, or memory is out. align 0 means the pointer size.
 * ctor, when given, runs on each object once, when its slab is built; a free
 * object then keeps its constructed state (the free-list link sits after it). */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     void (*ctor)(void *obj));
/* NULL when the zone has no frame for a new slab. */
void *kmem_cache_alloc(struct kmem_cache *cache);
/* Reports (and ignores) an obj that is not a live object of this cache. */
void kmem_cache_free(struct kmem_cache *cache, void *obj);
/* The same, trusting that page is obj's frame descriptor and page->cache == cache. */
void __kmem_cache_free(struct kmem_cache *cache, struct page *page, void *obj);
/* true when obj is an object of this cache now handed out (page as above) */
bool __kmem_cache_is_live(const struct kmem_cache *cache, struct page *page, const void *obj);
/* 0, or ERR_BUSY (reported) while objects are live, ERR_INVAL for the cache of caches. */
int kmem_cache_destroy(struct kmem_cache *cache);
/* Returns every object held in magazines to its slab, then every empty slab,
 * the reserve too, to the zone. */
void kmem_cache_shrink(struct kmem_cache *cache);
/* Puts a magazine layer in front of the cache (kmalloc's size classes use one);
 * call it before the cache's first allocation. Ignored for a memdebug cache,
 * whose every free must be checked in full, for a stride under LIVE_GRAIN
 * bytes, a zone with no live map, or a cache that already has slabs. */
void kmem_cache_enable_magazines(struct kmem_cache *cache);
/* the slow halves of the magazine fast paths (kmalloc.c inlines the fast ones):
 * an allocation with the loaded magazine empty, a free that either found the
 * loaded magazine full or failed the fast checks (page as for __kmem_cache_free) */
void *__magazine_alloc(struct kmem_cache *cache);
void __magazine_free(struct kmem_cache *cache, struct page *page, void *obj);
void kmem_cache_stats(const struct kmem_cache *cache, struct kmem_cache_stats *out);
/* Walks every slab: lists, counts and free lists agree. Reports the
 * first inconsistency and returns false. */
bool kmem_cache_check(const struct kmem_cache *cache);
/* kmem_cache_shrink on every cache, the cache of caches too (memory pressure);
 * returns the frames given back to the zone */
size_t slab_shrink(void);
/* kmem_cache_check on every cache, the cache of caches too */
bool slab_check(void);

/* ---- kmalloc.c: malloc over size classes ---- */

#define KMALLOC_CLASSES  28 /* every 16 bytes to 256, then four a doubling to 2048 */
#define KMALLOC_MAX_SMALL KMEM_MAX_OBJECT  /* larger: whole frames */
#define KMALLOC_MAX_SIZE ((size_t)PAGE_SIZE << BUDDY_MAX_ORDER) /* 4 MiB */

struct kmalloc_stats {
	struct kmem_cache_stats cls[KMALLOC_CLASSES];
	size_t large_live, large_pages;  /* whole-frame allocations now, their frames */
	uint64_t large_allocs, large_frees;
	size_t pages;                    /* frames held: every class's slabs and large blocks */
};

/* Creates the size-class caches; slab_init(z) must have run. 0, ERR_NOMEM, or
 * ERR_INVAL when z has no live map (page.h). */
int kmalloc_init(struct buddy_zone *z);
/* Alignment: 16; PAGE_SIZE above KMALLOC_MAX_SMALL. kmalloc(0) returns a
 * unique 16-byte object (as glibc does). NULL above
 * KMALLOC_MAX_SIZE or when memory is out. */
void *kmalloc(size_t size);
/* NULL is a no-op; a pointer kmalloc did not return (or a double free) is
 * reported and ignored. */
void kfree(void *ptr);
/* Zeroed; NULL when n * size overflows. */
void *kcalloc(size_t n, size_t size);
/* krealloc(NULL, size) is kmalloc(size); krealloc(ptr, 0) frees ptr and returns
 * NULL. On failure returns NULL and ptr is untouched. Keeps ptr when size
 * still fits and would not fit a smaller class. */
void *krealloc(void *ptr, size_t size);
/* bytes usable at ptr (the class size, or the frames); 0 for NULL or, with a
 * report, for a pointer kmalloc did not return */
size_t kmalloc_usable_size(const void *ptr);
void kmalloc_stats(struct kmalloc_stats *out);
/* slab_check and buddy_check on the zone */
bool kmalloc_check(void);
/* The same calls naming `site` as their caller in memdebug reports, for
 * wrappers (the seed's malloc and friends) to pass their own caller. */
void *__kmalloc(size_t size, uintptr_t site);
void __kfree(void *ptr, uintptr_t site);
void *__kcalloc(size_t n, size_t size, uintptr_t site);
void *__krealloc(void *ptr, size_t size, uintptr_t site);

#endif
