/* mm.h: memory management. Plain C with no hardware in it, so every file here
 * also builds for the host tests and benchmarks. */
#ifndef VLSOS_MM_H
#define VLSOS_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot_info.h"

/* linear.c: the seed's linear (bump) allocator over one arena */
#define LINEAR_MIN_ALIGN 8

struct linear_arena {
	uintptr_t start;
	uintptr_t next;  /* first byte not yet handed out */
	uintptr_t end;   /* one past the last byte */
};

void linear_init(struct linear_arena *arena, uintptr_t start, size_t size);
/* NULL when size is 0, align is not a power of two, or the arena cannot hold
 * size bytes at that alignment; never wraps for huge sizes. */
void *linear_alloc(struct linear_arena *arena, size_t size, size_t align);
size_t linear_used(const struct linear_arena *arena);
size_t linear_free(const struct linear_arena *arena);

/* memmap.c: questions about the E820 map */
/* true when every byte of [start, end) is in a usable entry and in no other */
bool memmap_range_usable(const struct e820_entry *map, unsigned count, uint64_t start,
			 uint64_t end);
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

/* memory.c: the seed's memory interface, kernel side */
enum page_owner {            /* who took a page through page_alloc_zeroed */
	PAGE_OWNER_PAGE_TABLES,
	PAGE_OWNER_OTHER,
	PAGE_OWNER_COUNT
};
enum reserved_reason {       /* why a usable frame is never handed out */
	RESERVED_BIOS_LOADER,    /* page 0 (IVT, BDA), the boot_info page, the EBDA */
	RESERVED_BOOT_STACK,     /* the seed's boot stack and the guard page below it */
	RESERVED_KERNEL,         /* KERNEL.BIN's image and .bss */
	RESERVED_EARLY_HEAP,     /* what the linear allocator handed out before the rest */
	RESERVED_DESCRIPTORS,    /* the page allocator's struct page array and live map */
	RESERVED_COUNT
};
struct memory_accounting {   /* bytes; the parts add up to `usable` exactly */
	uint64_t usable;         /* E820 usable, sanitised */
	uint64_t free, slab, large, page_tables, other;
	uint64_t reserved[RESERVED_COUNT];
	uint64_t partial;        /* usable bytes in pages only partly usable */
	uint64_t above_4g;       /* usable RAM a 32-bit kernel does not manage */
	uint64_t zone_allocated, zone_reserved; /* the zone's own counters, to cross-check */
};

void memory_map_init(const struct boot_info *bi);    /* sanitises the loader's E820 map */
const struct e820_entry *memory_map(unsigned *count); /* the sanitised map */
void memory_init(const struct boot_info *bi);        /* PANIC when the heap is not RAM */
void memory_init_allocators(const struct boot_info *bi); /* buddy, slab, kmalloc over all RAM */
void *page_alloc_zeroed(enum page_owner owner);      /* one 4 KiB page, or NULL */
void page_free(void *page, enum page_owner owner);
struct buddy_zone *memory_zone(void);
void memory_accounting(struct memory_accounting *out);
void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);
void *kalloc_early(size_t size, size_t align);       /* linear heap, before the allocators */
size_t heap_used(void);
size_t heap_free(void);
uintptr_t heap_start(void);
uintptr_t heap_end(void);

#endif
