/* linear.c: layer: frames (beside the stack: calls nothing else in
 * kernel/mm). The seed's linear allocator. O(1), no free; the pointer only moves
 * up. Unlike the seed's sketch, `next + size` is never computed where it could
 * wrap: sizes are compared with the room that is left. */
#include "mm.h"

void linear_init(struct linear_arena *arena, uintptr_t start, size_t size)
{
	arena->start = start;
	arena->next = start;
	arena->end = start + size;
}

void *linear_alloc(struct linear_arena *arena, size_t size, size_t align)
{
	if (size == 0 || align == 0 || (align & (align - 1)))
		return NULL;
	if (align < LINEAR_MIN_ALIGN)
		align = LINEAR_MIN_ALIGN;

	uintptr_t pad = (align - (arena->next & (align - 1))) & (align - 1);
	uintptr_t room = arena->end - arena->next;

	if (pad > room || size > room - pad)
		return NULL;
	arena->next += pad;
	void *p = (void *)arena->next;
	arena->next += size;
	return p;
}

size_t linear_used(const struct linear_arena *arena)
{
	return arena->next - arena->start;
}

size_t linear_free(const struct linear_arena *arena)
{
	return arena->end - arena->next;
}
