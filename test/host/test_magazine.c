/* sources: kernel/mm/buddy.c kernel/mm/slab.c kernel/mm/slab_check.c kernel/mm/magazine.c kernel/mm/kmalloc.c kernel/mm/memdebug.c lib/string.c lib/format.c */
/* test_magazine.c: the magazine layer in front of kmalloc's size classes on a
 * host zone: freed objects reused newest first, counts that callers see, a
 * second free of an object held anywhere in the layer caught and ignored,
 * memory given back by shrink and before any out-of-memory answer, the depot's
 * idle magazines reaped when another cache grows, corruption found by the
 * check, memdebug caches without magazines, and the one-multiply object test
 * against division for every stride and offset a slab can have. */
#include "check.h"
#include "errors.h"
#include "mm_host.h"
#include "kmalloc_host.h"
#include "../../kernel/mm/memdebug.h"
#include "../../kernel/mm/slab_link.h"

#define ZONE_PAGES 4096 /* 16 MiB */
#define CLASS_64 4      /* kmalloc-64 in kmalloc_stats().cls */

static struct kmem_cache_stats class_stats(unsigned cls)
{
	struct kmalloc_stats s;

	kmalloc_stats(&s);
	return s.cls[cls];
}

static void freed_objects_come_back_newest_first(void)
{
	fresh_heap(ZONE_PAGES);
	void *a = kmalloc(60), *b = kmalloc(60), *c = kmalloc(60);
	kfree(a);
	kfree(b);
	kfree(c);
	CHECK_EQ_PTR(kmalloc(50), c);
	CHECK_EQ_PTR(kmalloc(64), b);
	CHECK_EQ_PTR(kmalloc(49), a);
	kfree(a);
	kfree(b);
	kfree(c);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void counts_are_what_callers_did(void)
{
	fresh_heap(ZONE_PAGES);
	static void *p[1000];
	for (int i = 0; i < 1000; i++)
		p[i] = kmalloc(64);
	for (int i = 0; i < 1000; i += 2)
		kfree(p[i]);
	struct kmem_cache_stats s = class_stats(CLASS_64);
	CHECK_EQ_STR(s.name, "kmalloc-64");
	CHECK_EQ_UINT(s.allocs, 1000);
	CHECK_EQ_UINT(s.frees, 500);
	CHECK_EQ_UINT(s.inuse, 500);
	CHECK_EQ_UINT(s.in_magazines, 500); /* all held: loaded, previous, depot */
	CHECK(s.magazines >= 500 / KMEM_MAGAZINE_ROUNDS);
	for (int i = 0; i < 1000; i += 2)
		p[i] = kmalloc(64); /* from the magazines: no new slab */
	s = class_stats(CLASS_64);
	CHECK_EQ_UINT(s.allocs, 1500);
	CHECK_EQ_UINT(s.in_magazines, 0);
	CHECK_EQ_UINT(s.inuse, 1000);
	CHECK_EQ_UINT(s.pages, (1000 + s.objects_per_slab - 1) / s.objects_per_slab);
	for (int i = 0; i < 1000; i++)
		kfree(p[i]);
	slab_shrink(); /* the drain moves objects, it frees nothing a caller had */
	s = class_stats(CLASS_64);
	CHECK_EQ_UINT(s.frees, 1500);
	CHECK_EQ_UINT(s.inuse, 0);
	CHECK_EQ_UINT(s.in_magazines, 0);
	CHECK_EQ_UINT(s.pages, 0);
	CHECK(heap_back_to_start());
}

static void call_cache_free(void *p)
{
	struct page *page = buddy_page(&hz.z, p);
	kmem_cache_free(page->cache, p);
}

static void second_free_is_caught_wherever_the_object_is(void)
{
	fresh_heap(ZONE_PAGES);
	static void *p[200];
	for (int i = 0; i < 200; i++)
		p[i] = kmalloc(64);
	for (int i = 0; i < 200; i++)
		kfree(p[i]);
	/* p[199] in the loaded magazine, p[170..199) previous, p[0] deep in the depot */
	expect_misuse(call_free, p[199], "slab kmalloc-64: double free of 0x");
	expect_misuse(call_free, p[180], "slab kmalloc-64: double free of 0x");
	expect_misuse(call_free, p[0], "slab kmalloc-64: double free of 0x");
	expect_misuse(call_cache_free, p[5], "slab kmalloc-64: double free of 0x");
	expect_misuse(call_realloc, p[1], "not a live object of kmalloc-64 (double free?)");
	expect_misuse(call_usable, p[2], "not a live object of kmalloc-64 (double free?)");
	/* a live object whose first word happens to read as a free mark is freed */
	void *q = kmalloc(64);
	set_link(buddy_page(&hz.z, q)->cache, q, 0);
	reports_clear();
	kfree(q);
	CHECK_EQ_UINT(reports.count, 0);
	CHECK(heap_back_to_start());
}

static void shrink_gives_every_frame_back(void)
{
	fresh_heap(ZONE_PAGES);
	static void *p[3000];
	for (int i = 0; i < 3000; i++)
		p[i] = kmalloc(8 + (size_t)check_rand_below(2040));
	for (int i = 0; i < 3000; i++)
		kfree(p[i]);
	struct zone_snapshot held = zone_snapshot(&hz.z);
	CHECK_MSG(held.free_pages < zone_start.free_pages, "freed objects are held in magazines");
	CHECK(kmalloc_check());
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

/* Every object freed into kmalloc-64's magazines, then a request that needs
 * frames: the magazines are drained before the allocator says no. */
static void out_of_memory_drains_magazines_first(void)
{
	fresh_heap(128);
	static void *p[100000];
	size_t n = 0;
	while (n < 100000 && (p[n] = kmalloc(64)) != NULL)
		n++;
	CHECK(n > 1000 && n < 100000);
	while (n > 0)
		kfree(p[--n]);
	CHECK(class_stats(CLASS_64).in_magazines > 1000);
	void *big = kmalloc(32 * PAGE_SIZE); /* only whole frames serve it */
	CHECK(big != NULL);
	void *other = kmalloc(1500);         /* another class's slab */
	CHECK(other != NULL);
	kfree(big);
	kfree(other);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

/* Bonwick's working set, with growth as the clock: magazines the depot did
 * not lend out between two slab growths go back to their slabs. */
static void idle_depot_is_reaped_when_another_cache_grows(void)
{
	fresh_heap(ZONE_PAGES);
	static void *p[600], *q[64];
	for (int i = 0; i < 600; i++)
		p[i] = kmalloc(64);
	for (int i = 0; i < 600; i++)
		kfree(p[i]);
	size_t held = class_stats(CLASS_64).in_magazines;
	CHECK_EQ_UINT(held, 600);
	for (int i = 0; i < 64; i++)
		q[i] = kmalloc(1024); /* several new kmalloc-1024 slabs: several reaps */
	size_t after = class_stats(CLASS_64).in_magazines;
	CHECK_MSG(after <= 2 * KMEM_MAGAZINE_ROUNDS, "kmalloc-64 still holds %zu objects", after);
	for (int i = 0; i < 64; i++)
		kfree(q[i]);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void check_finds_a_write_after_free(void)
{
	fresh_heap(ZONE_PAGES);
	unsigned char *p = kmalloc(64);
	kfree(p);
	memset(p, 0x5A, 8); /* over its free mark, in the loaded magazine */
	reports_clear();
	CHECK(!kmalloc_check());
	CHECK_MSG(strstr(reports.last, "loaded magazine: holds an object whose free mark was overwritten"),
		  "reported \"%s\"", reports.last);
	set_link(buddy_page(&hz.z, p)->cache, p, 0); /* mended, for the drain */
	reports_clear();
	CHECK(heap_back_to_start());
}

static void memdebug_caches_have_no_magazines(void)
{
	memdebug_enable(true);
	fresh_heap(ZONE_PAGES);
	void *p = kmalloc(64);
	kfree(p);
	struct kmem_cache_stats s = class_stats(CLASS_64);
	CHECK_EQ_UINT(s.in_magazines, 0);
	CHECK_EQ_UINT(s.magazines, 0);
	CHECK_EQ_UINT(s.frees, 1);
	memdebug_enable(false);
	fresh_heap(ZONE_PAGES);
}

/* is_object_offset's one multiply against the division it replaces, for every
 * stride from 2 up to past the largest slot and every offset in a slab. */
static void object_test_agrees_with_division(void)
{
	struct kmem_cache c = { 0 };
	unsigned long wrong = 0;

	for (uint32_t size = 2; size <= 4200 && wrong == 0; size++) {
		c.size = size;
		c.recip = UINT32_MAX / size + 1;
		c.slab_bytes = (uint32_t)PAGE_SIZE << KMEM_MAX_SLAB_ORDER;
		c.objects_bytes = c.slab_bytes / size * size;
		for (uint32_t off = 0; off < c.slab_bytes; off++) {
			bool want = off < c.objects_bytes && off % size == 0;
			if (is_object_offset(&c, off) != want && wrong++ == 0)
				CHECK_FAIL("stride %u offset %u: %d", size, off, !want);
		}
	}
	CHECK_EQ_UINT(wrong, 0);
}

int main(void)
{
	check_seed(20261204);
	RUN(freed_objects_come_back_newest_first);
	RUN(counts_are_what_callers_did);
	RUN(second_free_is_caught_wherever_the_object_is);
	RUN(shrink_gives_every_frame_back);
	RUN(out_of_memory_drains_magazines_first);
	RUN(idle_depot_is_reaped_when_another_cache_grows);
	RUN(check_finds_a_write_after_free);
	RUN(memdebug_caches_have_no_magazines);
	RUN(object_test_agrees_with_division);
	host_zone_free(&hz);
	return check_done();
}
