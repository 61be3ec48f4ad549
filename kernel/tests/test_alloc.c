/* test_alloc.c: the buddy allocator, slab caches and malloc on this machine's
 * real memory map: alignment, reuse, exhaustion and full recovery, overflow
 * safety, kmalloc's magazines, and the accounting staying exact through it all. */
#include "ktest.h"
#include "../kernel.h"
#include "../mm/mm.h"
#include "lib.h"

static void snapshot(size_t counts[BUDDY_MAX_ORDER + 1])
{
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		counts[o] = buddy_free_count(memory_zone(), o);
}

static bool same_counts(const size_t a[BUDDY_MAX_ORDER + 1], const size_t b[BUDDY_MAX_ORDER + 1])
{
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		if (a[o] != b[o])
			return false;
	return true;
}

static bool accounting_exact(void)
{
	struct memory_accounting a;
	uint64_t sum;

	memory_accounting(&a);
	sum = a.free + a.slab + a.large + a.page_tables + a.other + a.partial + a.above_4g;
	for (unsigned r = 0; r < RESERVED_COUNT; r++)
		sum += a.reserved[r];
	return sum == a.usable && a.slab + a.large + a.page_tables + a.other == a.zone_allocated;
}

static void buddy_alloc_every_order_aligned_in_ram(struct ktest *t)
{
	size_t before[BUDDY_MAX_ORDER + 1], after[BUDDY_MAX_ORDER + 1];
	unsigned count;
	const struct e820_entry *map = memory_map(&count);

	snapshot(before);
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		uintptr_t p = (uintptr_t)buddy_alloc(memory_zone(), order);
		size_t bytes = (size_t)PAGE_SIZE << order;
		EXPECT(t, p != 0);
		EXPECT_EQ(t, p % bytes, 0);
		EXPECT(t, memmap_range_usable(map, count, p, (uint64_t)p + bytes));
		memset((void *)p, 0x5A, bytes);
		buddy_free(memory_zone(), (void *)p, order);
	}
	snapshot(after);
	EXPECT(t, same_counts(before, after));
	EXPECT(t, buddy_alloc(memory_zone(), BUDDY_MAX_ORDER + 1) == NULL);
}

/* Takes every free frame (chaining them through their first word), checks
 * the allocator says NULL, frees them all and expects the same free lists. */
static void buddy_exhaustion_and_full_recovery(struct ktest *t)
{
	size_t before[BUDDY_MAX_ORDER + 1], after[BUDDY_MAX_ORDER + 1];
	size_t free_pages, taken = 0;
	void *chain = NULL, *p;

	kmem_shrink(); /* nothing left for the out-of-memory path to reclaim */
	free_pages = memory_zone()->free_pages;
	snapshot(before);
	while ((p = buddy_alloc(memory_zone(), 0)) != NULL) {
		*(void **)p = chain;
		chain = p;
		taken++;
	}
	EXPECT_EQ(t, taken, free_pages);
	EXPECT_EQ(t, memory_zone()->free_pages, 0);
	EXPECT(t, kmalloc(PAGE_SIZE * 2) == NULL); /* out of memory is NULL, not a crash */
	while (chain) {
		p = chain;
		chain = *(void **)p;
		buddy_free(memory_zone(), p, 0);
	}
	snapshot(after);
	EXPECT(t, same_counts(before, after));
	EXPECT(t, buddy_check(memory_zone()));
}

static void kmalloc_alignment_and_reuse(struct ktest *t)
{
	static const size_t sizes[] = { 1, 8, 15, 16, 24, 100, 256, 1000, 2048, 2049, 5000, 70000 };

	for (unsigned i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		size_t n = sizes[i];
		uintptr_t p = (uintptr_t)kmalloc(n);
		EXPECT(t, p != 0);
		EXPECT_EQ(t, p % (n >= 16 ? 16 : 8), 0);
		EXPECT(t, kmalloc_usable_size((void *)p) >= n);
		memset((void *)p, 0xA5, n);
		kfree((void *)p);
		EXPECT_EQ(t, (uintptr_t)kmalloc(n), p); /* freed memory is what the next call gets */
		kfree((void *)p);
	}
}

static void malloc_free_reclaims_memory(struct ktest *t)
{
	struct memory_accounting before, after;
	void *blocks[64];

	memory_accounting(&before);
	for (unsigned i = 0; i < 64; i++)
		blocks[i] = malloc(i < 32 ? 100 : 20000);
	for (unsigned i = 0; i < 64; i++) {
		EXPECT(t, blocks[i] != NULL);
		free(blocks[i]);
	}
	free(NULL);
	kmem_shrink();
	memory_accounting(&after);
	EXPECT_EQ(t, after.large, before.large);
	EXPECT(t, after.free + after.slab == before.free + before.slab);
	EXPECT(t, accounting_exact());
}

static void calloc_overflow_and_zeroing(struct ktest *t)
{
	EXPECT(t, calloc(SIZE_MAX / 2, 3) == NULL);
	EXPECT(t, calloc((size_t)1 << 20, (size_t)1 << 20) == NULL);
	uint8_t *p = calloc(100, 30);
	EXPECT(t, p != NULL);
	bool zero = true;
	for (unsigned i = 0; p && i < 3000; i++)
		zero &= p[i] == 0;
	EXPECT(t, zero);
	free(p);
}

static void realloc_keeps_contents(struct ktest *t)
{
	uint8_t *p = malloc(40);
	for (unsigned i = 0; p && i < 40; i++)
		p[i] = (uint8_t)i;
	uint8_t *q = realloc(p, 9000);
	EXPECT(t, q != NULL);
	bool same = true;
	for (unsigned i = 0; q && i < 40; i++)
		same &= q[i] == i;
	EXPECT(t, same);
	EXPECT(t, realloc(q, 0) == NULL); /* frees */
	EXPECT(t, kmalloc(KMALLOC_MAX_SIZE + 1) == NULL);
}

static unsigned constructed;
static void count_ctor(void *obj)
{
	*(uint32_t *)obj = 0xC0FFEE;
	constructed++;
}

static void cache_lifecycle(struct ktest *t)
{
	struct kmem_cache *c = kmem_cache_create("ktest-objects", 72, 8, count_ctor);
	struct kmem_cache_stats s;
	void *objs[100];

	EXPECT(t, c != NULL);
	if (!c)
		return;
	for (unsigned i = 0; i < 100; i++) {
		objs[i] = kmem_cache_alloc(c);
		EXPECT(t, objs[i] && *(uint32_t *)objs[i] == 0xC0FFEE);
	}
	kmem_cache_stats(c, &s);
	EXPECT_EQ(t, s.inuse, 100);
	EXPECT(t, constructed >= 100);
	EXPECT(t, kmem_cache_destroy(c) < 0); /* objects still live */
	for (unsigned i = 0; i < 100; i++)
		kmem_cache_free(c, objs[i]);
	kmem_cache_stats(c, &s);
	EXPECT_EQ(t, s.inuse, 0);
	EXPECT(t, s.slabs_empty <= KMEM_EMPTY_RESERVE);
	EXPECT(t, kmem_cache_check(c));
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* kmalloc-64's magazines on the real heap: objects freed from full slabs are
 * held, counts say what callers did, and kmem_shrink gives every frame back
 * with the accounting exact throughout. */
static void magazines_hold_and_give_back(struct ktest *t)
{
	static void *p[512];
	struct kmalloc_stats s;
	struct memory_accounting before, after;
	unsigned cls = 0;

	if (memdebug_enabled())
		KTEST_SKIP(t, "memdebug's caches have no magazines: every free is checked in full");
	kmem_shrink();
	memory_accounting(&before);
	kmalloc_stats(&s);
	while (cls < KMALLOC_CLASSES - 1 && strcmp(s.cls[cls].name, "kmalloc-64") != 0)
		cls++;
	EXPECT(t, strcmp(s.cls[cls].name, "kmalloc-64") == 0);
	uint64_t allocs = s.cls[cls].allocs, frees = s.cls[cls].frees;
	size_t inuse = s.cls[cls].inuse;
	for (unsigned i = 0; i < 512; i++) {
		p[i] = kmalloc(64);
		EXPECT(t, p[i] != NULL);
	}
	for (unsigned i = 0; i < 512; i++)
		kfree(p[i]);
	kmalloc_stats(&s);
	EXPECT(t, s.cls[cls].in_magazines >= 512 - s.cls[cls].objects_per_slab);
	EXPECT_EQ(t, s.cls[cls].inuse, inuse);
	EXPECT_EQ(t, s.cls[cls].allocs - allocs, 512);
	EXPECT_EQ(t, s.cls[cls].frees - frees, 512);
	EXPECT(t, accounting_exact());
	EXPECT(t, kmalloc_check());
	kmem_shrink();
	kmalloc_stats(&s);
	EXPECT_EQ(t, s.cls[cls].in_magazines, 0);
	EXPECT_EQ(t, s.cls[cls].magazines, 0);
	memory_accounting(&after);
	EXPECT_EQ(t, after.free, before.free);
	EXPECT(t, accounting_exact());
}

/* A second free of an object that a magazine holds: named ("mm: slab
 * kmalloc-64: double free of ...") and ignored, the counts unchanged, and
 * the object handed out once only. */
static void magazine_double_free_reported_and_ignored(struct ktest *t)
{
	static void *p[128];
	struct kmalloc_stats before, after;

	if (memdebug_enabled())
		KTEST_SKIP(t, "memdebug's caches have no magazines (memdebug's own suite frees twice)");
	for (unsigned i = 0; i < 128; i++)
		p[i] = kmalloc(64);
	kfree(p[0]); /* its slab was full: into a magazine */
	kmalloc_stats(&before);
	unsigned long reported = mm_report_count();
	kprintf("    # a double free follows, on purpose:\n");
	kfree(p[0]);
	kmalloc_stats(&after);
	EXPECT_EQ(t, mm_report_count(), reported + 1);
	EXPECT(t, memcmp(&before, &after, sizeof before) == 0);
	EXPECT(t, kmalloc_check());
	void *a = kmalloc(64), *b = kmalloc(64);
	EXPECT(t, a == p[0] && b != a);
	kfree(a);
	kfree(b);
	for (unsigned i = 1; i < 128; i++)
		kfree(p[i]);
	EXPECT(t, kmalloc_check());
}

/* A page plus a small header (4,196 bytes) takes a span block, not two frames:
 * 16 of them fit 3 spans (24 frames, not 32); all go back when freed, and a
 * second free is reported and ignored. */
static void kmalloc_mid_sizes_share_spans(struct ktest *t)
{
	static void *p[16];
	struct kmalloc_stats before, full, after;

	if (memdebug_enabled())
		KTEST_SKIP(t, "under memdebug mid sizes take whole frames, the slack a red zone");
	kmalloc_stats(&before);
	for (unsigned i = 0; i < 16; i++) {
		p[i] = kmalloc(4096 + 100);
		EXPECT(t, p[i] && span_owns(p[i]) && (uintptr_t)p[i] % 16 == 0);
		memset(p[i], (int)i, 4096 + 100);
	}
	kmalloc_stats(&full);
	EXPECT(t, full.span.pages - before.span.pages <= 3u << SPAN_ORDER);
	EXPECT_EQ(t, full.span.live_blocks - before.span.live_blocks, 16);
	EXPECT(t, accounting_exact());
	for (unsigned i = 0; i < 16; i++)
		kfree(p[i]);
	unsigned long reported = mm_report_count();
	kprintf("    # a double free follows, on purpose:\n");
	kfree(p[3]);
	EXPECT_EQ(t, mm_report_count(), reported + 1);
	kmalloc_stats(&after);
	EXPECT_EQ(t, after.span.pages, before.span.pages);
	EXPECT(t, kmalloc_check());
	EXPECT(t, accounting_exact());
}

static void accounting_exact_after_churn(struct ktest *t)
{
	void *p[200];
	for (unsigned i = 0; i < 200; i++)
		p[i] = kmalloc((i * 97) % 9000 + 1);
	EXPECT(t, accounting_exact());
	for (unsigned i = 0; i < 200; i++)
		kfree(p[i]);
	EXPECT(t, accounting_exact());
	EXPECT(t, kmalloc_check());
}

KTEST_SUITE(alloc_suite, "alloc", KTEST_CASE(buddy_alloc_every_order_aligned_in_ram),
	    KTEST_CASE(buddy_exhaustion_and_full_recovery), KTEST_CASE(kmalloc_alignment_and_reuse),
	    KTEST_CASE(malloc_free_reclaims_memory), KTEST_CASE(calloc_overflow_and_zeroing),
	    KTEST_CASE(realloc_keeps_contents), KTEST_CASE(cache_lifecycle),
	    KTEST_CASE(magazines_hold_and_give_back),
	    KTEST_CASE(magazine_double_free_reported_and_ignored),
	    KTEST_CASE(kmalloc_mid_sizes_share_spans), KTEST_CASE(accounting_exact_after_churn));
