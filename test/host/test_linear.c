/* uses: kernel/mm */
/* test_linear.c: the seed's linear allocator on the host: alignment, exhaustion,
 * huge sizes that would wrap the seed's `heap_ptr + size` check, and a random
 * run checked against a model (in bounds, aligned, never overlapping). */
#include "check.h"
#include "../../kernel/mm/mm.h"

#define ARENA_SIZE 4096

static unsigned char arena_bytes[ARENA_SIZE] __attribute__((aligned(4096)));

static void alloc_is_aligned_to_8_at_least(void)
{
	struct linear_arena a;
	linear_init(&a, (uintptr_t)arena_bytes + 3, ARENA_SIZE - 3); /* misaligned start */
	for (size_t size = 1; size <= 40; size++) {
		uintptr_t p = (uintptr_t)linear_alloc(&a, size, 1);
		CHECK_MSG(p && p % LINEAR_MIN_ALIGN == 0, "size %zu gave %#lx", size, (unsigned long)p);
	}
}

static void alloc_honours_larger_alignments(void)
{
	struct linear_arena a;
	linear_init(&a, (uintptr_t)arena_bytes, ARENA_SIZE);
	linear_alloc(&a, 1, 8);
	for (size_t align = 16; align <= 1024; align *= 2) {
		uintptr_t p = (uintptr_t)linear_alloc(&a, 1, align);
		CHECK_MSG(p && p % align == 0, "align %zu gave %#lx", align, (unsigned long)p);
	}
}

static void exhaustion_returns_null_and_keeps_state(void)
{
	struct linear_arena a;
	linear_init(&a, (uintptr_t)arena_bytes, ARENA_SIZE);
	CHECK(linear_alloc(&a, ARENA_SIZE - 8, 8) != NULL);
	CHECK(linear_alloc(&a, 16, 8) == NULL);
	CHECK_EQ_UINT(linear_used(&a), ARENA_SIZE - 8);
	CHECK(linear_alloc(&a, 8, 8) != NULL); /* the last 8 bytes still fit */
	CHECK(linear_alloc(&a, 1, 8) == NULL);
	CHECK_EQ_UINT(linear_free(&a), 0);
}

static void huge_sizes_do_not_wrap(void)
{
	struct linear_arena a;
	linear_init(&a, (uintptr_t)arena_bytes, ARENA_SIZE);
	CHECK(linear_alloc(&a, 8, 8) != NULL);
	CHECK(linear_alloc(&a, SIZE_MAX, 8) == NULL);
	CHECK(linear_alloc(&a, SIZE_MAX - (uintptr_t)arena_bytes, 8) == NULL);
	CHECK(linear_alloc(&a, ARENA_SIZE, 8) == NULL);
	CHECK(linear_alloc(&a, 1, SIZE_MAX / 2 + 1) == NULL);
	CHECK_EQ_UINT(linear_used(&a), 8);
}

static void bad_requests_return_null(void)
{
	struct linear_arena a;
	linear_init(&a, (uintptr_t)arena_bytes, ARENA_SIZE);
	CHECK(linear_alloc(&a, 0, 8) == NULL);
	CHECK(linear_alloc(&a, 8, 0) == NULL);
	CHECK(linear_alloc(&a, 8, 24) == NULL);
	CHECK_EQ_UINT(linear_used(&a), 0);
}

static void random_run_matches_model(void)
{
	struct linear_arena a;
	uintptr_t last_end = (uintptr_t)arena_bytes;
	linear_init(&a, (uintptr_t)arena_bytes, ARENA_SIZE);
	for (int i = 0; i < 2000; i++) {
		size_t size = 1 + check_rand_below(300);
		size_t align = (size_t)1 << check_rand_below(8);
		uintptr_t p = (uintptr_t)linear_alloc(&a, size, align);
		size_t eff = align < LINEAR_MIN_ALIGN ? LINEAR_MIN_ALIGN : align;
		uintptr_t want = (last_end + eff - 1) & ~(uintptr_t)(eff - 1);
		bool fits = want + size <= (uintptr_t)arena_bytes + ARENA_SIZE;
		if (!CHECK_MSG(fits ? p == want : p == 0, "step %d size %zu align %zu", i, size, align))
			return;
		if (p) {
			memset((void *)p, 0xAB, size); /* ASan: inside the arena */
			last_end = p + size;
		}
	}
}

int main(void)
{
	check_seed(20261125);
	RUN(alloc_is_aligned_to_8_at_least);
	RUN(alloc_honours_larger_alignments);
	RUN(exhaustion_returns_null_and_keeps_state);
	RUN(huge_sizes_do_not_wrap);
	RUN(bad_requests_return_null);
	RUN(random_run_matches_model);
	return check_done();
}
