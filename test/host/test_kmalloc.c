/* uses: kernel/mm */
/* test_kmalloc.c: kmalloc/kfree/kcalloc/krealloc on a host zone: size
 * classes and alignment, malloc(0), calloc overflow, realloc keeping contents,
 * foreign pointers and double frees reported, exhaustion, and a random run
 * checked against the shadow model that must end with the zone as it began. */
#include "check.h"
#include "errors.h"
#include "mm_host.h"
#include "kmalloc_host.h"

#define ZONE_PAGES 8192 /* 32 MiB */

static size_t want_align(size_t size)
{
	return size > SPAN_MAX_REQUEST ? PAGE_SIZE : size >= 16 ? 16 : 8;
}

static void sizes_are_aligned_and_usable(void)
{
	fresh_heap(ZONE_PAGES);
	size_t last_usable = 0;
	for (size_t size = 0; size <= 3 * PAGE_SIZE; size += size < 2100 ? 1 : 61) {
		char *p = kmalloc(size);
		size_t usable = kmalloc_usable_size(p);
		if (!CHECK_MSG(p && (uintptr_t)p % want_align(size) == 0, "size %zu at %p", size,
			       (void *)p))
			return;
		CHECK_MSG(usable >= size && usable >= 8, "size %zu usable %zu", size, usable);
		CHECK_MSG(size <= 64 || usable * 4 <= size * 5 || size > KMALLOC_MAX_SMALL,
			  "size %zu rounded up to %zu (more than 25%%)", size, usable);
		CHECK_MSG(usable >= last_usable, "size %zu usable %zu shrank", size, usable);
		last_usable = usable;
		memset(p, 0xAB, usable); /* ASan: the whole usable size is ours */
		kfree(p);
	}
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void malloc_zero_gives_unique_objects(void)
{
	fresh_heap(256);
	void *a = kmalloc(0), *b = kmalloc(0);
	CHECK(a != NULL && b != NULL && a != b);
	CHECK_EQ_UINT(kmalloc_usable_size(a), 16);
	kfree(a);
	kfree(b);
	kfree(NULL);
	CHECK_EQ_UINT(kmalloc_usable_size(NULL), 0);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void too_large_is_null(void)
{
	fresh_heap(2048);
	CHECK(kmalloc(KMALLOC_MAX_SIZE + 1) == NULL);
	CHECK(kmalloc(SIZE_MAX) == NULL);
	CHECK(kmalloc(SIZE_MAX - PAGE_SIZE + 2) == NULL);
	void *p = kmalloc(KMALLOC_MAX_SIZE);
	CHECK(p != NULL && kmalloc_usable_size(p) == KMALLOC_MAX_SIZE);
	kfree(p);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void large_sizes_take_exact_frames(void)
{
	fresh_heap(ZONE_PAGES);
	size_t before = hz.z.allocated_pages;
	void *p = kmalloc(9 * PAGE_SIZE - 100);
	CHECK_EQ_UINT(hz.z.allocated_pages - before, 9);
	CHECK_EQ_UINT(kmalloc_usable_size(p), 9 * PAGE_SIZE);
	struct kmalloc_stats s;
	kmalloc_stats(&s);
	CHECK(s.large_live == 1 && s.large_pages == 9 && s.large_allocs == 1);
	kfree(p);
	kmalloc_stats(&s);
	CHECK(s.large_live == 0 && s.large_pages == 0 && s.large_frees == 1);
	CHECK(heap_back_to_start());
}

static void calloc_zeroes_and_catches_overflow(void)
{
	fresh_heap(ZONE_PAGES);
	CHECK(kcalloc(SIZE_MAX / 2 + 1, 2) == NULL);
	CHECK(kcalloc(2, SIZE_MAX / 2 + 1) == NULL);
	CHECK(kcalloc(SIZE_MAX, SIZE_MAX) == NULL);
	CHECK(kcalloc((size_t)1 << (4 * sizeof(size_t)), (size_t)1 << (4 * sizeof(size_t))) == NULL);
	CHECK(kcalloc(1 << 20, 8) == NULL); /* fits size_t, not the heap's largest */
	for (size_t n = 0; n < 3000; n += 37) {
		/* dirty the memory first so zeroes mean something */
		unsigned char *d = kmalloc(n * 3);
		if (d)
			memset(d, 0xEE, n * 3);
		kfree(d);
		unsigned char *p = kcalloc(n, 3);
		if (!CHECK(p != NULL))
			return;
		for (size_t i = 0; i < n * 3; i++)
			if (!CHECK_MSG(p[i] == 0, "kcalloc(%zu, 3) byte %zu is 0x%02x", n, i, p[i]))
				return;
		kfree(p);
	}
	void *z = kcalloc(0, 0);
	CHECK(z != NULL);
	kfree(z);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void realloc_keeps_contents(void)
{
	fresh_heap(ZONE_PAGES);
	static const size_t sizes[] = {
		1, 8, 20, 100, 2048, 2049, 5000, 70000, 300, 16, 3, 50000, 9000
	};
	unsigned char *p = krealloc(NULL, 5);
	size_t have = 5;
	memset(p, 1, 5);
	for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
		size_t size = sizes[k], keep = have < size ? have : size;
		unsigned char *q = krealloc(p, size);
		if (!CHECK_MSG(q != NULL, "realloc to %zu", size))
			return;
		for (size_t i = 0; i < keep; i++)
			if (!CHECK_MSG(q[i] == (uint8_t)(k + 1), "%zu -> %zu: byte %zu lost", have, size,
				       i))
				return;
		CHECK(kmalloc_usable_size(q) >= size);
		CHECK((uintptr_t)q % want_align(size) == 0);
		memset(q, (int)(k + 2), size);
		p = q;
		have = size;
	}
	/* growing within the usable size, or shrinking a little, keeps the pointer */
	unsigned char *a = kmalloc(100);
	CHECK(krealloc(a, 112) == a);
	CHECK(krealloc(a, 90) == a);
	unsigned char *b = krealloc(a, 10); /* gives back more than half: moves */
	CHECK(b != a);
	CHECK_EQ_UINT(kmalloc_usable_size(b), 16);
	CHECK(krealloc(p, 0) == NULL); /* frees */
	kfree(b);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void realloc_failure_keeps_the_block(void)
{
	fresh_heap(64);
	unsigned char *p = kmalloc(100);
	memset(p, 0x42, 100);
	CHECK(krealloc(p, 200 * PAGE_SIZE) == NULL); /* more than the zone */
	CHECK(krealloc(p, KMALLOC_MAX_SIZE + 1) == NULL);
	CHECK(krealloc(p, SIZE_MAX) == NULL);
	CHECK_EQ_UINT(kmalloc_usable_size(p), 112);
	bool intact = true;
	for (int i = 0; i < 100; i++)
		intact &= p[i] == 0x42;
	CHECK(intact);
	kfree(p);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void foreign_pointers_are_reported(void)
{
	fresh_heap(ZONE_PAGES);
	char local, *small = kmalloc(64), *large = kmalloc(5 * PAGE_SIZE);
	struct kmem_cache *own = kmem_cache_create("own", 64, 0, NULL);
	void *obj = kmem_cache_alloc(own), *frame = buddy_alloc(&hz.z, 0);

	expect_misuse(call_free, &local, "kmalloc: free of 0x");
	CHECK(strstr(reports.last, "which is outside the heap") != NULL);
	expect_misuse(call_free, small + 16, "which is not an object");
	expect_misuse(call_free, large + 16, "which is inside the block at 0x");
	expect_misuse(call_free, large + PAGE_SIZE, "which kmalloc did not return");
	expect_misuse(call_free, obj, "which belongs to cache own");
	expect_misuse(call_free, frame, "which kmalloc did not return");
	expect_misuse(call_realloc, small + 8, "kmalloc: realloc of 0x");
	expect_misuse(call_realloc, &local, "which is outside the heap");
	expect_misuse(call_usable, large + 8, "kmalloc: usable_size of 0x");
	kfree(small);
	expect_misuse(call_free, small, "slab kmalloc-64: double free of 0x");
	expect_misuse(call_realloc, small, "not a live object of kmalloc-64 (double free?)");
	kfree(large);
	expect_misuse(call_free, large, "which is free (double free?)");
	expect_misuse(call_usable, large, "which is free");
	kmem_cache_free(own, obj);
	kmem_cache_destroy(own);
	buddy_free(&hz.z, frame, 0);
	CHECK(heap_back_to_start());
}

static void exhaustion_returns_null_and_recovers(void)
{
	fresh_heap(512);
	static void *p[20000];
	size_t n = 0, nulls = 0;

	for (int round = 0; round < 20000 && n < 20000; round++) {
		size_t size = (size_t)1 << check_rand_below(16);
		void *q = kmalloc(size + check_rand_below(size));
		if (q)
			p[n++] = q;
		else
			nulls++;
	}
	CHECK(nulls > 0);
	CHECK(kmalloc_check());
	while (n > 0)
		kfree(p[--n]);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void stats_count_per_class(void)
{
	fresh_heap(ZONE_PAGES);
	void *a[10];
	for (int i = 0; i < 10; i++)
		a[i] = kmalloc(60); /* kmalloc-64 */
	struct kmalloc_stats s;
	kmalloc_stats(&s);
	CHECK_EQ_UINT(s.cls[3].object_size, 64);
	CHECK_EQ_UINT(s.cls[3].inuse, 10);
	CHECK_EQ_UINT(s.cls[3].allocs, 10);
	CHECK_EQ_STR(s.cls[3].name, "kmalloc-64");
	CHECK_EQ_UINT(s.pages, 1);
	for (int i = 0; i < 10; i++)
		kfree(a[i]);
	kmalloc_stats(&s);
	CHECK_EQ_UINT(s.cls[3].inuse, 0);
	CHECK_EQ_UINT(s.cls[3].frees, 10);
	CHECK(heap_back_to_start());
}

/* ---- a random run against the model ---- */

#define RUN_OPS 100000
#define RUN_LIVE_MAX 2000

/* log-uniform from 1 byte to 128 KiB, now and then 0 or a few MiB */
static size_t random_size(void)
{
	uint64_t r = check_rand_below(1000);
	if (r == 0)
		return 0;
	if (r == 1)
		return (size_t)1 << 20 | check_rand_below(1 << 20);
	size_t top = (size_t)1 << check_rand_below(18);
	return top + check_rand_below(top);
}

static void random_realloc(struct model *m)
{
	size_t i = check_rand_below(m->n), size = random_size();
	struct live old = m->v[i];
	size_t keep = old.size < size ? old.size : size;

	model_del(m, i);
	unsigned char *q = krealloc(old.p, size);
	if (size == 0) {
		CHECK(q == NULL);
		return;
	}
	if (!q) { /* out of memory: the old block must be untouched */
		for (size_t k = 0; k < old.size; k++)
			if (old.p[k] != old.tag) {
				model_fail(m, "failed realloc of %p changed byte %zu", (void *)old.p, k);
				break;
			}
		model_add(m, old.p, old.size, want_align(old.size), 0);
		return;
	}
	for (size_t k = 0; k < keep; k++)
		if (q[k] != old.tag) {
			model_fail(m, "realloc %zu -> %zu lost byte %zu", old.size, size, k);
			return;
		}
	model_add(m, q, size, want_align(size), 0);
}

static void random_run_matches_model(void)
{
	fresh_heap(ZONE_PAGES / 2); /* small enough to run out now and then */
	struct model m;
	size_t nulls = 0;

	model_init(&m, &hz);
	for (int op = 0; op < RUN_OPS && m.err[0] == '\0'; op++) {
		uint64_t r = check_rand_below(100);
		if (m.n == 0 || (m.n < RUN_LIVE_MAX && r < 45)) {
			size_t size = random_size();
			void *p = r % 4 == 0 ? kcalloc(1, size) : kmalloc(size);
			if (!p) {
				nulls++;
				continue;
			}
			if (r % 4 == 0)
				for (size_t k = 0; k < size; k++)
					if (((unsigned char *)p)[k]) {
						model_fail(&m, "kcalloc(1, %zu) byte %zu not zero", size,
							   k);
						break;
					}
			model_add(&m, p, size, want_align(size), 0);
		} else if (r < 55) {
			random_realloc(&m);
		} else {
			size_t i = check_rand_below(m.n);
			void *p = m.v[i].p;
			model_del(&m, i);
			kfree(p);
		}
		if (op % 5000 == 0 && !CHECK_MSG(kmalloc_check(), "op %d: %s", op, reports.last))
			break;
	}
	CHECK_MSG(m.err[0] == '\0', "%s", m.err);
	CHECK(kmalloc_check());
	while (m.n > 0) {
		void *p = m.v[m.n - 1].p;
		model_del(&m, m.n - 1);
		kfree(p);
	}
	CHECK_MSG(m.err[0] == '\0', "%s", m.err);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
	printf("# random run: %d ops, %zu found no room\n", RUN_OPS, nulls);
	model_free(&m);
}

int main(void)
{
	check_seed(20261203);
	RUN(sizes_are_aligned_and_usable);
	RUN(malloc_zero_gives_unique_objects);
	RUN(too_large_is_null);
	RUN(large_sizes_take_exact_frames);
	RUN(calloc_zeroes_and_catches_overflow);
	RUN(realloc_keeps_contents);
	RUN(realloc_failure_keeps_the_block);
	RUN(foreign_pointers_are_reported);
	RUN(exhaustion_returns_null_and_recovers);
	RUN(stats_count_per_class);
	RUN(random_run_matches_model);
	host_zone_free(&hz);
	return check_done();
}
