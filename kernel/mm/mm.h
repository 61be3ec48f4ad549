/* mm.h: what kernel/mm exports, grouped by file from the bottom layer up. The
 * folder is a one-way stack; each file calls only the layers below it
 * (test/host/test_mm_layers.sh checks):
 *
 *   reports     memdebug_report.c: whole-heap walks and reports, reading every layer
 *   kmalloc     kmalloc.c: size classes over caches, mid sizes over spans,
 *               large blocks over frames
 *   caches      cache.c: kmem_cache_*, which path a call takes, whole-cache work
 *   slots       magazine.c | memdebug.c: two ways to hand out slots, neither
 *               calling the other
 *   slabs       slab.c, slab_check.c: slabs of slots over frames
 *   walks       span_check.c: every region of spans walked and checked
 *   spans       span.c: blocks that split and merge, in regions of frames
 *   frames      buddy.c; beside the stack, linear.c and memmap.c
 *
 * Plain C with no hardware in it: its only contact with the surroundings is
 * glue.h, so the folder builds for the host tests and benchmarks as it is.
 * Misuse is reported through mm_report and the call is then ignored. Not
 * thread-safe: callers serialise. */
#ifndef VLSOS_MM_H
#define VLSOS_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "glue.h"
#include "list.h"
#include "page.h"

/* ---- linear.c: the seed's linear (bump) allocator over one arena ---- */

#define LINEAR_MIN_ALIGN 8

struct linear_arena {
	uintptr_t start;
	uintptr_t next; /* first byte not yet handed out */
	uintptr_t end;  /* one past the last byte */
};

void linear_init(struct linear_arena *arena, uintptr_t start, size_t size);
/* NULL when size is 0, align is not a power of two, or the arena cannot hold
 * size bytes at that alignment; never wraps for huge sizes. */
void *linear_alloc(struct linear_arena *arena, size_t size, size_t align);
size_t linear_used(const struct linear_arena *arena);
size_t linear_free(const struct linear_arena *arena);

/* ---- memmap.c: questions about the E820 map ---- */

/* true when every byte of [start, end) is in a usable entry and in no other */
bool memmap_range_usable(const struct e820_entry *map, unsigned count, uint64_t start, uint64_t end);
uint64_t memmap_usable_total(const struct e820_entry *map, unsigned count);
/* end of the usable range that contains addr, or addr when none does */
uint64_t memmap_usable_end(const struct e820_entry *map, unsigned count, uint64_t addr);
const char *memmap_type_name(uint32_t type);
/* Writes `in` as sorted, non-overlapping ranges to `out` (at most max; 2 * count
 * always suffices): where entries overlap the larger type wins, touching ranges
 * of one type merge, empty entries vanish. Returns the number written. */
#define MEMMAP_SANITIZED_MAX (2 * BOOT_E820_MAX)
unsigned memmap_sanitize(const struct e820_entry *in, unsigned count, struct e820_entry *out,
			 unsigned max);

/* ---- buddy.c: binary buddy allocator over page frames (types in page.h) ---- */

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
/* The block of 2^order frames at addr (aligned to its size), when every frame
 * of it is free, split out of the free block that holds it; else NULL. For an
 * allocator that grows a run of frames in place (span.c). */
void *buddy_alloc_at(struct buddy_zone *z, const void *addr, unsigned order);
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

/* ---- slab.c: slabs of slots (Bonwick 1994) over the buddy zone ---- */

#define KMEM_MAX_OBJECT 2048      /* largest object size a cache takes */
#define KMEM_MAX_SLAB_ORDER 3     /* a slab is at most 8 frames */
#define KMEM_EMPTY_RESERVE 1      /* empty slabs a cache keeps; more go back to the zone */
#define KMEM_CACHE_KMALLOC 0x01   /* cache->flags: one of kmalloc's size classes */
#define KMEM_CACHE_DEBUG 0x02     /* cache->flags: slots with red zones and tracking (memdebug.c) */
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
 * the zone, on kmem_cache_shrink/kmem_shrink and, before any out-of-memory
 * answer, when a slab cannot grow.
 */
#define KMEM_MAGAZINE_ROUNDS 30 /* 128 bytes a magazine on i386 */
#define KMEM_DEPOT_EMPTY 1      /* empty magazines a depot keeps; more go back */

struct kmem_magazine {
	struct kmem_magazine *next; /* on a depot list */
	uint32_t rounds;            /* objects held, in obj[0 .. rounds) */
	void *obj[KMEM_MAGAZINE_ROUNDS];
};

/* A cache's magazine layer (magazine.c's); the fields kmalloc's fast paths
 * read come first. */
struct kmem_magazines {
	uint16_t rounds; /* objects in the loaded magazine, loaded[0 .. rounds) */
	uint64_t allocs; /* served by the magazine layer */
	void *loaded[KMEM_MAGAZINE_ROUNDS];
	struct kmem_magazine *previous;                 /* full, empty or NULL */
	struct kmem_magazine *depot_full, *depot_empty; /* the depot's lists */
	size_t depot_nr_full, depot_nr_empty;
	size_t depot_min_full, depot_min_empty; /* the fewest since the last reap */
	struct kmem_cache *supply;              /* the cache spare magazines come from */
};

/* A cache of objects of one size. The fields are slab.c's but for `mag`;
 * they are visible so kmalloc can read them and so the cache of caches can be
 * static. A slab with free and allocated objects is on `partial`, a slab with
 * none allocated on `empty`; a full slab is on no list (its node points at
 * itself). The fields kmalloc's fast paths read come first. */
struct kmem_cache {
	struct kmem_magazines mag;       /* first: the fast paths find rounds at offset 0 */
	uint16_t objects;                /* per slab */
	uint8_t order;                   /* buddy order of a slab */
	uint8_t flags;                   /* KMEM_CACHE_* */
	uint32_t slab_bytes;             /* PAGE_SIZE << order */
	uint32_t objects_bytes;          /* objects * size: offsets below it may be objects */
	uint32_t recip;                  /* 2^32 / size + 1: (offset * recip) >> 32 == offset / size */
	uintptr_t key;                   /* a link is stored as next ^ key ^ the object's address */
	struct list_node partial, empty; /* slabs, by their head frame's node */
	size_t nr_slabs, nr_empty;
	uint32_t size;          /* stride between objects */
	uint32_t free_offset;   /* where a free object keeps its (encoded) free-list link */
	uint32_t user_offset;   /* KMEM_CACHE_DEBUG: the object's offset in its slot (else 0) */
	uint32_t track_offset;  /* KMEM_CACHE_DEBUG: where the slot's tracking record is */
	uintptr_t base;         /* zone->base, kept here for the fast paths */
	uint64_t allocs, frees; /* by the slab layer; objects in use: allocs - frees */
	size_t object_size;     /* as created */
	size_t align;
	void (*ctor)(void *obj);
	const char *name;
	struct buddy_zone *zone;
	struct list_node link; /* on the list of every cache */
};

/* Starts the slab layer over zone z with no cache; calling it again forgets
 * every cache (kmem_init does both). */
void slab_init(struct buddy_zone *z);
/* Fills in c for objects of size/align (align raised to the pointer size), with
 * no slab geometry yet; the caller has checked the arguments. */
void slab_cache_init(struct kmem_cache *c, const char *name, size_t size, size_t align,
		     void (*ctor)(void *obj));
/* Chooses c's slab order for its stride and puts c on the list of caches. */
void slab_cache_layout(struct kmem_cache *c);
/* Takes c off the list of caches. */
void slab_cache_forget(struct kmem_cache *c);
/* The cache after prev on the list of caches (NULL: the first); NULL at the end. */
struct kmem_cache *slab_next_cache(const struct kmem_cache *prev);
/* A new slab for c at the head of its partial list, every object constructed
 * and free (a memdebug cache's slots are then memdebug_slab_init's); its head
 * frame's descriptor, or NULL when the zone has no block. */
struct page *slab_grow(struct kmem_cache *c);
/* A free slot from a partial slab, else from a kept empty one; NULL when c
 * has neither (slab_grow then). The slot is counted in use. */
void *__slab_alloc_slot(struct kmem_cache *c);
/* Back to their slab with no checks: a slot (from its own frame), an object
 * whose slab head the caller knows. */
void __slab_free_slot(struct kmem_cache *c, void *slot);
void __slab_free_object(struct kmem_cache *c, struct page *slab, void *obj);
/* A checked free: page is obj's frame descriptor and page->cache == c;
 * reports (and ignores) an obj that is no object's start or already free. */
void __slab_free(struct kmem_cache *c, struct page *page, void *obj);
/* true when obj, on page as above, is an object of c now handed out (caches
 * without magazines) */
bool __slab_is_live(const struct kmem_cache *c, struct page *page, const void *obj);
/* reports a free of obj (at `offset` in its slab) that is not a live object
 * of c: no object's start, or a double free */
void __slab_report_bad_free(const struct kmem_cache *c, const void *obj, uint32_t offset);
/* Gives every empty slab of c, the reserve too, back to the zone. */
void slab_release_empty(struct kmem_cache *c);

/* ---- slab_check.c ---- */

/* Walks every slab of c: lists, counts and free lists agree and, with
 * magazines, the live map marks the objects in use but for the in_magazines
 * the magazine layer holds. Reports the first inconsistency; false then. */
bool slab_cache_check(const struct kmem_cache *c, size_t in_magazines);

/* ---- span.c: kmalloc's mid-size blocks, split and merged in regions of spans ---- */

#define SPAN_ORDER 3          /* a region grows and shrinks by 8 frames (32 KiB) */
#define SPAN_MAX_REQUEST 8192 /* larger requests take whole frames */

struct span_stats {
	size_t spans, pages;            /* spans held and their frames */
	size_t live_blocks, live_bytes; /* blocks handed out, their bytes with headers */
	uint64_t allocs, frees;
};

/* Starts an empty heap of spans over z (which needs a live map); called
 * again, forgets every span (tests do, over a fresh zone). */
void span_init(struct buddy_zone *z);
/* size bytes or more, 16-aligned, for size <= SPAN_MAX_REQUEST; NULL when no
 * block is free and no span can be had. */
void *span_alloc(size_t size);
/* A pointer span_alloc did not return, a second free, or a block whose
 * headers were overwritten is reported, and the call ignored. */
void span_free(void *ptr);
/* whether ptr lies in a span's frames */
bool span_owns(const void *ptr);
/* usable bytes at a live block; 0, reported, for anything else */
size_t span_usable_size(const void *ptr);
void span_stats(struct span_stats *out);
/* ---- span_check.c ---- */

/* Walks every region: headers, sizes, neighbours, footers, live bits, lists
 * and counts agree. Reports the first inconsistency; false then. */
bool span_check(void);

/* ---- magazine.c: the magazine layer (above) ---- */

/* true when c can have magazines: not a memdebug cache, whose every free must
 * be checked in full, a stride of at least LIVE_GRAIN bytes, a zone with a
 * live map, and no slab yet (objects handed out before would have no live bit) */
bool __magazines_fit(const struct kmem_cache *c);
/* Puts magazines in front of c, spare magazines coming from supply. */
void __magazines_enable(struct kmem_cache *c, struct kmem_cache *supply);
/* The slow halves of the fast paths kmalloc.c inlines: an allocation with the
 * loaded magazine empty (NULL when no slab has a slot: the caller grows the
 * cache), a free that found the loaded magazine full or failed the fast
 * checks (page as for __slab_free). */
void *__magazine_alloc(struct kmem_cache *c);
void __magazine_free(struct kmem_cache *c, struct page *page, void *obj);
bool __magazine_is_live(const struct kmem_cache *c, const void *obj);
/* Every magazine's objects back to their slabs; returns how many. */
size_t __magazines_drain(struct kmem_cache *c);
/* The same of the depot's magazines not lent out since the last reap. */
size_t __magazines_reap(struct kmem_cache *c);
void __magazines_count(const struct kmem_cache *c, size_t *objects, size_t *magazines);
/* Every magazine holds free objects of c, as counted. Reports; false then. */
bool __magazines_check(const struct kmem_cache *c);

/* ---- memdebug.c: heap debugging for the caches and kmalloc ----
 * In the manner of Linux's SLUB debugging. Off unless memdebug_enable(true)
 * runs before the caches are created (the kernel does so for `memdebug` on
 * its command line); off, the allocators' fast paths pay one flag test in
 * kmalloc and kmem_cache_alloc and nothing in kfree.
 *
 * On, every object of a cache created afterwards sits in a slot:
 *
 *   | left red zone | object (size asked) | right red zone ... | track |
 *
 * Red zones hold MEMDEBUG_REDZONE and are checked on free and by
 * memdebug_check_heap; a freed object is filled with MEMDEBUG_FREED and
 * checked when the slot is handed out again (write after free); the track
 * holds the allocating and freeing code addresses, the size asked and the
 * slot's state, so a double free, a free of an interior pointer or of
 * something never allocated is named exactly. A large block's bytes past the
 * size asked are its red zone, and its usable size is the size asked. Every
 * finding is one mm_report line (more for a leak or out-of-memory report) and
 * is kept as the last report for tests; the bad call is then ignored, so the
 * heap stays whole. */

#define MEMDEBUG_REDZONE 0xBBu /* red zone bytes */
#define MEMDEBUG_FREED 0x6Bu   /* a freed object's bytes */
#define MEMDEBUG_NEW 0xA5u     /* a new object's bytes before its owner writes them */
#define MEMDEBUG_MIN_REDZONE 8 /* the right red zone is never shorter */
#define MEMDEBUG_LEAK_SITES 64 /* call sites a leak report tells apart */

enum memdebug_kind {
	MEMDEBUG_NONE,
	MEMDEBUG_OVERFLOW,         /* the red zone after an object was written */
	MEMDEBUG_UNDERFLOW,        /* the red zone before an object was written */
	MEMDEBUG_WRITE_AFTER_FREE, /* a freed object's poison changed */
	MEMDEBUG_DOUBLE_FREE,
	MEMDEBUG_INTERIOR_FREE, /* a pointer into an object, not its start */
	MEMDEBUG_INVALID_FREE,  /* a pointer the allocator never returned */
	MEMDEBUG_WRONG_CACHE,   /* kmem_cache_free to a cache the object is not from */
	MEMDEBUG_OUT_OF_MEMORY,
	MEMDEBUG_KINDS
};

/* What the last finding was about; tests compare it with what they did. */
struct memdebug_report {
	enum memdebug_kind kind;
	uintptr_t object;                /* start of the object concerned (0 when none) */
	size_t size;                     /* bytes asked for it */
	const char *cache;               /* its cache's name ("kmalloc-large" for a large block; NULL
				* for out of memory) */
	uintptr_t alloc_site, free_site; /* code addresses; 0 when unknown */
	uintptr_t pointer;               /* the pointer passed, when it is not `object` */
	size_t first_bad;                /* changed bytes: offset of the first from `object` */
	size_t bad_bytes;                /*   and how many */
};

void memdebug_enable(bool on);
bool memdebug_enabled(void);
/* Lays out a debug cache's slot (stride, offsets) for objects of size/align. */
void memdebug_cache_geometry(struct kmem_cache *c, size_t size, size_t align);
/* Lays out every slot of a new slab of debug cache c (head: its head frame's
 * descriptor): red zones and poison written, state new. */
void memdebug_slab_init(const struct kmem_cache *c, const struct page *head);
/* Allocation and free on a debug cache; `site` is the caller's code address.
 * memdebug_alloc is NULL when no slab has a slot (the caller grows the cache). */
void *memdebug_alloc(struct kmem_cache *c, size_t size, uintptr_t site);
void memdebug_free(struct kmem_cache *c, void *ptr, uintptr_t site);
/* bytes asked for the live object at ptr of debug cache c, or 0 (reported) */
size_t memdebug_usable_size(const struct kmem_cache *c, const void *ptr);
/* kmem_cache_free of obj to c when obj is page->cache's */
void memdebug_wrong_cache(const struct kmem_cache *c, const struct page *page, const void *obj,
			  uintptr_t site);
/* large (whole-frame) kmalloc blocks: slack after `size` becomes a red zone */
void memdebug_large_alloc(struct page *head, void *block, size_t size, uintptr_t site);
void memdebug_large_free(struct page *head, void *block);
/* the bytes asked for a large block memdebug_large_alloc laid out */
size_t memdebug_large_size(const struct page *head);
const struct memdebug_report *memdebug_last_report(void);
/* findings of each kind since memdebug_enable */
size_t memdebug_count(enum memdebug_kind kind);
const char *memdebug_kind_name(enum memdebug_kind kind);
/* for memdebug_report.c: the zone of the debug caches (NULL before the
 * first); one slot checked as memdebug_check_heap does (the problems found);
 * one large block's red zone the same way (false: reported); whether a slot
 * holds a live object, and its allocating site and size asked; an
 * out-of-memory finding for `size` bytes recorded */
struct buddy_zone *__memdebug_zone(void);
size_t __memdebug_check_slot(const struct kmem_cache *c, uintptr_t slot);
bool __memdebug_check_large(const struct page *head, uintptr_t block);
bool __memdebug_slot_is_live(const struct kmem_cache *c, uintptr_t slot, uintptr_t *site, size_t *size);
void __memdebug_out_of_memory(size_t size);

/* ---- cache.c: the caches' front: kmem_cache_* ---- */

struct kmem_cache_stats {
	const char *name;
	size_t object_size, stride, objects_per_slab, pages_per_slab;
	size_t inuse, total; /* objects handed out; objects in all slabs */
	size_t in_magazines; /* objects freed and kept in magazines (not in inuse) */
	size_t magazines;    /* magazines it holds besides the loaded one: previous, depot */
	size_t slabs_full, slabs_partial, slabs_empty;
	size_t pages; /* frames the cache holds */
	uint64_t allocs, frees;
};

/* Starts the caches over zone z with the static cache of cache descriptors.
 * Call once, before any other cache or kmalloc function; calling it again
 * forgets every cache (tests do, over a fresh zone). */
void kmem_init(struct buddy_zone *z);
/* NULL when size is 0 or above KMEM_MAX_OBJECT, align is not 0 or a power of
 * two up to PAGE_SIZE, or memory is out. align 0 means the pointer size.
 * ctor, when given, runs on each object once, when its slab is built; a free
 * object then keeps its constructed state (the free-list link sits after it). */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
				     void (*ctor)(void *obj));
/* NULL when the zone has no frame for a new slab, even after kmem_shrink. */
void *kmem_cache_alloc(struct kmem_cache *cache);
/* Reports (and ignores) an obj that is not a live object of this cache. */
void kmem_cache_free(struct kmem_cache *cache, void *obj);
/* After the cache's own path (memdebug_alloc with size and site, or
 * __magazine_alloc) found no slot: grows the cache, reaping every depot
 * first, then drains everything and tries once more; NULL, with
 * mm_out_of_memory, when that fails too. */
void *__kmem_cache_refill(struct kmem_cache *cache, size_t size, uintptr_t site);
/* true when obj is an object of this cache now handed out (page is its frame's
 * descriptor, page->cache == cache) */
bool __kmem_cache_is_live(const struct kmem_cache *cache, struct page *page, const void *obj);
/* 0, or ERR_BUSY (reported) while objects are live, ERR_INVAL for the cache of caches. */
int kmem_cache_destroy(struct kmem_cache *cache);
/* Returns every object held in magazines to its slab, then every empty slab,
 * the reserve too, to the zone. */
void kmem_cache_shrink(struct kmem_cache *cache);
/* Puts a magazine layer in front of the cache (kmalloc's size classes use one);
 * call it before the cache's first allocation. Ignored when __magazines_fit
 * says no. */
void kmem_cache_enable_magazines(struct kmem_cache *cache);
void kmem_cache_stats(const struct kmem_cache *cache, struct kmem_cache_stats *out);
/* Walks every slab and magazine of the cache. Reports the first inconsistency
 * and returns false. */
bool kmem_cache_check(const struct kmem_cache *cache);
/* kmem_cache_shrink on every cache, the cache of caches too (memory pressure);
 * returns the frames given back to the zone */
size_t kmem_shrink(void);
/* kmem_cache_check on every cache, the cache of caches too */
bool kmem_check(void);

/* ---- kmalloc.c: malloc over size classes ---- */

#define KMALLOC_CLASSES 28                /* every 16 bytes to 256, then four a doubling to 2048 */
#define KMALLOC_MAX_SMALL KMEM_MAX_OBJECT /* larger: span.c's blocks, then whole frames */
#define KMALLOC_MAX_SIZE ((size_t)PAGE_SIZE << BUDDY_MAX_ORDER) /* 4 MiB */

struct kmalloc_stats {
	struct kmem_cache_stats cls[KMALLOC_CLASSES];
	size_t large_live, large_pages; /* whole-frame allocations now, their frames */
	struct span_stats span;         /* mid-size blocks (span.c) */
	uint64_t large_allocs, large_frees;
	size_t pages; /* frames held: class slabs, large blocks, spans */
};

/* Creates the size-class caches; kmem_init(z) must have run. 0, ERR_NOMEM, or
 * ERR_INVAL when z has no live map (page.h). */
int kmalloc_init(struct buddy_zone *z);
/* Alignment: 16; PAGE_SIZE above SPAN_MAX_REQUEST (and, under memdebug, above
 * KMALLOC_MAX_SMALL: its mid sizes take whole frames with the slack as a red
 * zone). Up to KMALLOC_MAX_SMALL a size class, then a span block, then whole
 * frames. kmalloc(0) returns a
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
/* bytes usable at ptr (the class size, or the frames; under memdebug the size
 * asked); 0 for NULL or, with a report, for a pointer kmalloc did not return */
size_t kmalloc_usable_size(const void *ptr);
void kmalloc_stats(struct kmalloc_stats *out);
/* kmem_check and buddy_check on the zone */
bool kmalloc_check(void);
/* The same calls naming `site` as their caller in memdebug reports, for
 * wrappers (the seed's malloc and friends) to pass their own caller. */
void *__kmalloc(size_t size, uintptr_t site);
void __kfree(void *ptr, uintptr_t site);
void *__kcalloc(size_t n, size_t size, uintptr_t site);
void *__krealloc(void *ptr, size_t size, uintptr_t site);

/* ---- memdebug_report.c: memdebug's whole-heap walks and reports ---- */

/* Checks every red zone and every freed object's poison in every debug cache
 * and large block; reports each problem and returns how many were found. */
size_t memdebug_check_heap(void);

struct memdebug_leaks {
	size_t objects, bytes, sites; /* live allocations, bytes asked, distinct sites */
};
/* Reports every live allocation of the debug caches and large blocks grouped
 * by allocating site, most bytes first; `title` heads the report. */
struct memdebug_leaks memdebug_leak_report(const char *title);
/* What holds the memory: the zone's free blocks per order, every cache's
 * objects and frames, kmalloc's large blocks; recorded as memdebug's last
 * finding. For mm_out_of_memory while memdebug is on; callable at any time. */
void memdebug_oom_report(size_t size);

#endif
