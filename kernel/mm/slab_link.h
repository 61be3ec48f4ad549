/* slab_link.h: how slab.c and slab_check.c read a slab: free-list links
 * stored encoded in free objects (next ^ cache key ^ the object's address, as
 * SLUB's hardened free list), and object offsets. Private to slab*.c. */
#ifndef VLSOS_MM_SLAB_LINK_H
#define VLSOS_MM_SLAB_LINK_H

#include "alloc.h"

#define LINK_ALLOCATED UINTPTR_MAX /* decodes outside every slab */
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

static inline bool is_object_offset(const struct kmem_cache *c, uint32_t offset)
{
	return offset < c->objects_bytes && index_of(c, offset) * c->size == offset;
}

/* slab.c, for memdebug.c: a cache's slots with no checks (a debug cache's
 * free-list link lives in the slot's track), and a walk over every cache */
void *__slab_alloc_slot(struct kmem_cache *c);
void __slab_free_slot(struct kmem_cache *c, void *slot);
struct kmem_cache *slab_next_cache(const struct kmem_cache *prev); /* NULL: the first */

#endif
