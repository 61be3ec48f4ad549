/* slab_link.h: layer: slabs. How the files from slab.c up read a slab:
 * free-list links stored encoded in free objects (next ^ cache key ^ the
 * object's address, as SLUB's hardened free list), object offsets and the
 * live map's bits. Inline helpers private to kernel/mm. */
#ifndef VLSOS_MM_SLAB_LINK_H
#define VLSOS_MM_SLAB_LINK_H

#include "mm.h"

#define LINK_ALLOCATED UINTPTR_MAX                  /* decodes outside every slab */
#define KEY_SALT ((uintptr_t)0x9E3779B97F4A7C15ull) /* any odd constant; no RNG this early */

typedef uintptr_t __attribute__((may_alias)) link_word;

static inline link_word *link_of(const struct kmem_cache *c, const void *obj)
{
	return (link_word *)((uintptr_t)obj + c->free_offset);
}

static inline void set_link(const struct kmem_cache *c, void *obj, uintptr_t next)
{
	*link_of(c, obj) = next ^ c->key ^ (uintptr_t)obj;
}

static inline uintptr_t get_link(const struct kmem_cache *c, const void *obj)
{
	return *link_of(c, obj) ^ c->key ^ (uintptr_t)obj;
}

/* Whether the link slot of obj (at `offset` in its slab) could be a free
 * object's: it decodes to NULL (a free list's last) or into the slab.
 * Allocated objects never qualify unless their owner wrote a value that
 * happens to. Caches with magazines use the live map instead. */
static inline bool link_looks_free(const struct kmem_cache *c, const void *obj, uint32_t offset)
{
	uintptr_t v = get_link(c, obj);

	return v == 0 || v - ((uintptr_t)obj - offset) < c->slab_bytes;
}

/* what every frame of one of c's slabs has in its flags (with PAGE_ALLOCATED
 * or PAGE_TAIL): kfree tells a kmalloc object by one load of them */
static inline uint16_t slab_flags(const struct kmem_cache *c)
{
	bool fast_kfree = (c->flags & (KMEM_CACHE_KMALLOC | KMEM_CACHE_DEBUG)) == KMEM_CACHE_KMALLOC;

	return (uint16_t)(PAGE_SLAB | (fast_kfree ? PAGE_KMALLOC : 0));
}

/* obj's offset inside its slab (slabs are aligned to their size within the zone) */
static inline uint32_t slab_offset(const struct kmem_cache *c, const void *obj)
{
	return (uint32_t)((uintptr_t)obj - c->base) & (c->slab_bytes - 1);
}

static inline uint32_t index_of(const struct kmem_cache *c, uint32_t offset)
{
	return (uint32_t)(((uint64_t)offset * c->recip) >> 32);
}

/* offset is a multiple of the stride when (offset * recip) mod 2^32 < recip
 * (Lemire, Kaser and Kurz, "Faster Remainder by Direct Computation", 2019):
 * one multiply, exact for offsets below 2^15 and strides from 2 to 2^17
 * (test_slab.c checks every pair the slabs can have) */
_Static_assert(((uint32_t)PAGE_SIZE << KMEM_MAX_SLAB_ORDER) <= (1u << 15),
	       "slab offsets must stay below 2^15 for is_object_offset");
static inline bool is_object_offset(const struct kmem_cache *c, uint32_t offset)
{
	return offset < c->objects_bytes && (uint32_t)(offset * c->recip) < c->recip;
}

/* The live map's word and bit for the grain at `off` bytes into the zone. */
static inline uint32_t *live_word(uint32_t *map, uintptr_t off)
{
	return &map[off >> (LIVE_GRAIN_SHIFT + 5)];
}

static inline uint32_t live_bit(uintptr_t off)
{
	return 1u << ((off >> LIVE_GRAIN_SHIFT) & 31);
}

static inline bool live_test(const uint32_t *map, uintptr_t off)
{
	return (map[off >> (LIVE_GRAIN_SHIFT + 5)] & live_bit(off)) != 0;
}

#endif
