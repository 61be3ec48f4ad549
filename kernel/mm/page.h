/* page.h: layer: frames. The descriptor every 4 KiB frame has, and the buddy zone that owns
 * them (the binary buddy system of Knowlton 1965, as Linux's mm/page_alloc.c
 * keeps it: free lists per order, a block's order kept in its head frame). */
#ifndef VLSOS_MM_PAGE_H
#define VLSOS_MM_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE (1u << PAGE_SHIFT)
#define BUDDY_MAX_ORDER 10 /* blocks of 1 to 1024 frames: 4 KiB to 4 MiB */

/*
 * page->flags. Only the head frame of a block says what the block is; its
 * other frames have flags 0, or PAGE_TAIL when the block's owner marked them
 * (slabs of several frames do, so a free finds the cache from any frame).
 */
#define PAGE_RESERVED 0x01u     /* never handed out: not RAM, kernel, loader data */
#define PAGE_FREE 0x02u         /* head of a free block of `order` on a free list */
#define PAGE_ALLOCATED 0x04u    /* head of an allocated block of `order` */
#define PAGE_SLAB 0x08u         /* the block is a slab of page->cache */
#define PAGE_LARGE 0x10u        /* head of a kmalloc of whole frames (page->npages) */
#define PAGE_TAIL 0x20u         /* a frame inside a block, marked by the block's owner */
#define PAGE_KMALLOC 0x40u      /* with PAGE_SLAB: the slab is one of kmalloc's size classes */
#define PAGE_PARTIAL 0x80u      /* with PAGE_SLAB, in every frame: the slab's free list is not empty */
#define PAGE_SPAN 0x100u        /* every frame of a region of kmalloc's mid-size blocks (span.c) */
#define PAGE_USER 0x200u        /* a process's page (kernel/vm/reclaim.c: page->user_*) */
#define PAGE_USER_FILLED 0x400u /* with PAGE_USER: not all zeroes for sure (loaded, swapped in) */
#define PAGE_USER_TEXT 0x800u   /* with PAGE_USER: a shared page of a program's text (text.c) */
/* the marks an allocated block's owner may set; the buddy allocator keeps out of them */
#define PAGE_OWNER_MARKS                                                                            \
	(PAGE_SLAB | PAGE_LARGE | PAGE_TAIL | PAGE_KMALLOC | PAGE_PARTIAL | PAGE_SPAN | PAGE_USER | \
	 PAGE_USER_FILLED | PAGE_USER_TEXT)

struct kmem_cache;

struct page {
	union {
		struct list_node node; /* on a buddy free list, or on a cache's slab list */
		uint32_t user_swap;    /* PAGE_USER: the slot holding a copy of it, or 0 */
	};
	uint16_t flags;
	uint8_t order; /* buddy order of the block this frame heads */
	uint8_t spare;
	uint16_t inuse; /* slab: objects handed out */
	uint16_t spare2;
	union {
		struct kmem_cache *cache; /* slab: the owning cache, in every frame of the slab */
		uintptr_t site; /* PAGE_LARGE head under memdebug: the allocating code address */
		void *user_vm; /* PAGE_USER: the struct vm_space whose page it is (PAGE_USER_TEXT: the struct text_image) */
	};
	union {
		void *freelist;      /* slab head: first free object, NULL when full */
		size_t npages;       /* PAGE_LARGE head: frames in the allocation */
		uintptr_t user_addr; /* PAGE_USER: the page's address in user_vm */
	};
};

#if UINTPTR_MAX == 0xffffffffu
_Static_assert(sizeof(struct page) == 24, "struct page grew: one exists for every 4 KiB frame");
#endif

/*
 * The live map: a bit per LIVE_GRAIN bytes of the zone, set while the object
 * of a magazine cache that starts in that grain is handed out (magazine.c).
 * Objects of at least LIVE_GRAIN bytes start in distinct grains, so the bit
 * tells a live object from a free one, and from a pointer that is no object's
 * start, without reading the object. Every frame has its share whether it
 * holds objects or not: LIVE_MAP_BYTES(npages), 32 bytes a frame.
 */
#define LIVE_GRAIN_SHIFT 4
#define LIVE_GRAIN (1u << LIVE_GRAIN_SHIFT)
#define LIVE_MAP_BYTES(npages) ((size_t)(npages) * (PAGE_SIZE >> LIVE_GRAIN_SHIFT) / 8)

struct buddy_zone {
	uintptr_t base;     /* address of pfn 0's frame */
	struct page *pages; /* npages descriptors, supplied by the caller */
	size_t npages;
	/* LIVE_MAP_BYTES(npages), supplied by the caller before kmem_init, NULL
	 * for none; buddy_init leaves it as it is, and slab.c clears a frame's
	 * share when the frame becomes a slab of a cache with magazines */
	uint32_t *live_map;
	struct list_node free_list[BUDDY_MAX_ORDER + 1];
	size_t nr_free[BUDDY_MAX_ORDER + 1]; /* blocks on each free list */
	size_t free_pages, allocated_pages, reserved_pages;
};

/* The descriptor of the frame holding addr; NULL outside the zone. */
static inline struct page *buddy_page(const struct buddy_zone *z, const void *addr)
{
	uintptr_t off = (uintptr_t)addr - z->base; /* wraps to huge below base */
	size_t pfn = off >> PAGE_SHIFT;

	return pfn < z->npages ? &z->pages[pfn] : NULL;
}

static inline size_t buddy_pfn(const struct buddy_zone *z, const struct page *page)
{
	return (size_t)(page - z->pages);
}

/* The address of the frame a descriptor stands for. */
static inline void *buddy_page_addr(const struct buddy_zone *z, const struct page *page)
{
	return (void *)(z->base + (buddy_pfn(z, page) << PAGE_SHIFT));
}

#endif
