/* test_linear.c: the seed's linear allocator, on a scratch arena and on the real heap. */
#include "ktest.h"
#include "../kernel.h"
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

/* Once the page allocator is up the linear heap is closed and what it did not
 * hand out belongs to the page allocator: nothing is lost, nothing handed twice. */
static void early_heap_closed_and_handed_over(struct ktest *t)
{
	EXPECT_EQ(t, heap_free(), 0);
	EXPECT(t, kalloc_early(8, 8) == NULL);
	void *p = malloc(100);
	EXPECT(t, p != NULL && ((uintptr_t)p < REGION_HEAP_START ||
				(uintptr_t)p >= REGION_HEAP_START + heap_used()));
	free(p);
}

KTEST_SUITE(linear_suite, "linear", KTEST_CASE(linear_alloc_aligned_to_8),
	    KTEST_CASE(linear_alloc_exhaustion_returns_null), KTEST_CASE(linear_alloc_huge_size_no_wrap),
	    KTEST_CASE(early_heap_closed_and_handed_over));
