/* test_linear.c: the seed's linear allocator, on a scratch arena and on the real heap. */
#include "ktest.h"
#include "../mm/mm.h"
#include "layout.h"

static char scratch[512] __attribute__((aligned(16)));

static void linear_alloc_aligned_to_8(struct ktest *t)
{
	struct linear_arena a;
	linear_init(&a, (uintptr_t)scratch, sizeof scratch);
	for (size_t size = 1; size < 20; size++) {
		void *p = linear_alloc(&a, size, 1);
		EXPECT(t, p && ((uintptr_t)p & (LINEAR_MIN_ALIGN - 1)) == 0);
	}
}

static void linear_alloc_exhaustion_returns_null(struct ktest *t)
{
	struct linear_arena a;
	linear_init(&a, (uintptr_t)scratch, sizeof scratch);
	EXPECT(t, linear_alloc(&a, sizeof scratch, 8) != NULL);
	EXPECT(t, linear_alloc(&a, 1, 8) == NULL);
	EXPECT_EQ(t, linear_free(&a), 0);
}

static void linear_alloc_huge_size_no_wrap(struct ktest *t)
{
	struct linear_arena a;
	linear_init(&a, (uintptr_t)scratch, sizeof scratch);
	EXPECT(t, linear_alloc(&a, 8, 8) != NULL);
	EXPECT(t, linear_alloc(&a, SIZE_MAX, 8) == NULL);
	EXPECT(t, linear_alloc(&a, SIZE_MAX - 4, 8) == NULL);
	EXPECT(t, linear_alloc(&a, 0, 8) == NULL);
	EXPECT(t, linear_alloc(&a, 8, 3) == NULL);
	EXPECT_EQ(t, linear_used(&a), 8);
}

static void malloc_returns_heap_memory(struct ktest *t)
{
	size_t before = heap_used();
	char *p = malloc(100);
	EXPECT(t, p != NULL);
	EXPECT(t, (uintptr_t)p >= REGION_HEAP_START && (uintptr_t)p + 100 <= REGION_HEAP_END);
	EXPECT(t, heap_used() >= before + 100);
	for (int i = 0; i < 100; i++)
		p[i] = (char)i;
	EXPECT_EQ(t, p[99], 99);
	free(p);
	free(NULL);
}

static void malloc_out_of_memory_returns_null(struct ktest *t)
{
	EXPECT(t, malloc(REGION_HEAP_SIZE) == NULL);
	EXPECT(t, malloc(heap_free() + 1) == NULL);
}

KTEST_SUITE(linear_suite, "linear",
	KTEST_CASE(linear_alloc_aligned_to_8),
	KTEST_CASE(linear_alloc_exhaustion_returns_null),
	KTEST_CASE(linear_alloc_huge_size_no_wrap),
	KTEST_CASE(malloc_returns_heap_memory),
	KTEST_CASE(malloc_out_of_memory_returns_null));
