/* memory.c: the seed's memory interface (VlsOs-memory-management.md): malloc as
 * a linear allocator over the heap at HEAP_START, free as a no-op. The heap's
 * place is fixed by the seed and by disk.img.layout; the build checks they agree. */
#include "mm.h"
#include "layout.h"
#include "../kernel.h"

#define HEAP_START 0x200000 /* Starting address */
#define HEAP_SIZE  0x100000 /* Size in bytes (1 MB) */
#define HEAP_END   (HEAP_START + HEAP_SIZE)

_Static_assert(HEAP_START == REGION_HEAP_START, "HEAP_START disagrees with disk.img.layout");
_Static_assert(HEAP_SIZE == REGION_HEAP_SIZE, "HEAP_SIZE disagrees with disk.img.layout");

static struct linear_arena heap;
static struct e820_entry ram_map[MEMMAP_SANITIZED_MAX];
static unsigned ram_map_count;

void memory_map_init(const struct boot_info *bi)
{
	ram_map_count = memmap_sanitize(bi->e820, bi->e820_count, ram_map, MEMMAP_SANITIZED_MAX);
}

const struct e820_entry *memory_map(unsigned *count)
{
	*count = ram_map_count;
	return ram_map;
}

void memory_init(const struct boot_info *bi)
{
	(void)bi;
	if (!memmap_range_usable(ram_map, ram_map_count, HEAP_START, HEAP_END)) {
		uint64_t ram_end = memmap_usable_end(ram_map, ram_map_count, REGION_KERNEL_START);
		panic("memory: the heap at 0x%x-0x%x is not usable RAM in the E820 map "
		      "(usable RAM above 1 MiB ends at 0x%llx; VlsOs needs at least %u KiB)",
		      HEAP_START, HEAP_END - 1, (unsigned long long)ram_end, HEAP_END / 1024);
	}
	linear_init(&heap, HEAP_START, HEAP_SIZE);
}

void *malloc(size_t size)
{
	return linear_alloc(&heap, size, LINEAR_MIN_ALIGN);
}

/* The linear allocator cannot take memory back: free accepts any pointer
 * malloc returned (or NULL) and does nothing, as the seed says. */
void free(void *ptr)
{
	(void)ptr;
}

void *kalloc_early(size_t size, size_t align)
{
	return linear_alloc(&heap, size, align);
}

size_t heap_used(void)
{
	return linear_used(&heap);
}

size_t heap_free(void)
{
	return linear_free(&heap);
}

uintptr_t heap_start(void)
{
	return HEAP_START;
}

uintptr_t heap_end(void)
{
	return HEAP_END;
}
