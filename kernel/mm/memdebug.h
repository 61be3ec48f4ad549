/* memdebug.h: heap debugging for the slab caches and kmalloc, in the manner
 * of Linux's SLUB debugging. Off unless memdebug_enable(true) runs before the
 * caches are created (the kernel does so for `memdebug` on its command line);
 * off, the allocators' fast paths pay one flag test in kmalloc and
 * kmem_cache_alloc and nothing in kfree.
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
 * something never allocated is named exactly. Every finding is one mm_report
 * line (more for a leak or out-of-memory report) and is kept as the last
 * report for tests; the bad call is then ignored, so the heap stays whole. */
#ifndef VLSOS_MM_MEMDEBUG_H
#define VLSOS_MM_MEMDEBUG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

#define MEMDEBUG_REDZONE 0xBBu /* red zone bytes */
#define MEMDEBUG_FREED   0x6Bu /* a freed object's bytes */
#define MEMDEBUG_NEW     0xA5u /* a new object's bytes before its owner writes them */
#define MEMDEBUG_MIN_REDZONE 8 /* the right red zone is never shorter */
#define MEMDEBUG_LEAK_SITES 64 /* call sites a leak report tells apart */

enum memdebug_kind {
	MEMDEBUG_NONE,
	MEMDEBUG_OVERFLOW,         /* the red zone after an object was written */
	MEMDEBUG_UNDERFLOW,        /* the red zone before an object was written */
	MEMDEBUG_WRITE_AFTER_FREE, /* a freed object's poison changed */
	MEMDEBUG_DOUBLE_FREE,
	MEMDEBUG_INTERIOR_FREE,    /* a pointer into an object, not its start */
	MEMDEBUG_INVALID_FREE,     /* a pointer the allocator never returned */
	MEMDEBUG_WRONG_CACHE,      /* kmem_cache_free to a cache the object is not from */
	MEMDEBUG_OUT_OF_MEMORY,
	MEMDEBUG_KINDS
};

/* What the last finding was about; tests compare it with what they did. */
struct memdebug_report {
	enum memdebug_kind kind;
	uintptr_t object;      /* start of the object concerned (0 when none) */
	size_t size;           /* bytes asked for it */
	const char *cache;     /* its cache's name ("kmalloc-large" for a large block; NULL
				* for out of memory) */
	uintptr_t alloc_site, free_site; /* code addresses; 0 when unknown */
	uintptr_t pointer;     /* the pointer passed, when it is not `object` */
	size_t first_bad;      /* changed bytes: offset of the first from `object` */
	size_t bad_bytes;      /*   and how many */
};

/* ---- switching it on ---- */
void memdebug_enable(bool on);
bool memdebug_enabled(void);

/* ---- what the allocators call (slab.c, kmalloc.c) ---- */
/* Lays out a debug cache's slot (stride, offsets) for objects of size/align. */
void memdebug_cache_geometry(struct kmem_cache *c, size_t size, size_t align);
/* A slot of a new slab: red zones and poison written, state new. */
void memdebug_slot_init(const struct kmem_cache *c, void *slot);
/* Allocation and free on a debug cache; `site` is the caller's code address. */
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

/* ---- asking ---- */
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
 * objects and frames, kmalloc's large blocks. Called on an allocation of
 * `size` that failed while memdebug is on; callable at any time. */
void memdebug_oom_report(size_t size);

const struct memdebug_report *memdebug_last_report(void);
/* findings of each kind since memdebug_enable */
size_t memdebug_count(enum memdebug_kind kind);
const char *memdebug_kind_name(enum memdebug_kind kind);

#endif
