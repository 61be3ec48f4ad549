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
void memory_map_init(const struct boot_info *bi);    /* sanitises the loader's E820 map */
const struct e820_entry *memory_map(unsigned *count); /* the sanitised map */
void memory_init(const struct boot_info *bi); /* PANIC when the heap is not RAM */
void *malloc(size_t size);
void free(void *ptr);
void *kalloc_early(size_t size, size_t align); /* linear heap, for page tables */
size_t heap_used(void);
size_t heap_free(void);
uintptr_t heap_start(void);
uintptr_t heap_end(void);

#endif
