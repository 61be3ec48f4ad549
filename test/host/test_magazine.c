/* uses: kernel/mm */
/* test_magazine.c: the magazine layer in front of kmalloc's size classes on a
 * host zone: freed objects reused newest first, frees into a full slab held in
 * magazines and into a slab with free objects given to it, counts that callers see, a
 * second free of an object held anywhere in the layer caught and ignored,
 * memory given back by shrink and before any out-of-memory answer, the depot's
 * idle magazines reaped when another cache grows, the live map out of step
 * found by the check, freed bytes left alone, a constructor cache of one's
 * own with magazines, memdebug caches
 * without magazines, and the one-multiply object test
 * against division for every stride and offset a slab can have. */
#include "check.h"
#include "errors.h"
#include "mm_host.h"
#include "kmalloc_host.h"
#include "../../kernel/mm/slab_link.h"

#define ZONE_PAGES 4096 /* 16 MiB */
#define CLASS_64 3      /* kmalloc-64 in kmalloc_stats().cls */

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

/* Enough kmalloc-64 objects to fill `slabs` slabs exactly, into p. */
static size_t fill_slabs_of_64(void **p, size_t slabs)
{
	size_t n = slabs * (PAGE_SIZE / 64);

	for (size_t i = 0; i < n; i++)
		p[i] = kmalloc(64);
	CHECK_EQ_UINT(class_stats(CLASS_64).objects_per_slab, PAGE_SIZE / 64);
	return n;
}

static void counts_are_what_callers_did(void)
{
	fresh_heap(ZONE_PAGES);
	static void *p[1024];
	size_t n = fill_slabs_of_64(p, 16);
	for (size_t i = 0; i < n; i += 2)
		kfree(p[i]);
	struct kmem_cache_stats s = class_stats(CLASS_64);
	CHECK_EQ_STR(s.name, "kmalloc-64");
	CHECK_EQ_UINT(s.allocs, n);
	CHECK_EQ_UINT(s.frees, n / 2);
	CHECK_EQ_UINT(s.inuse, n / 2);
	CHECK_EQ_UINT(s.in_magazines, n / 2); /* full slabs: all held in magazines */
	CHECK(s.magazines >= n / 2 / KMEM_MAGAZINE_ROUNDS - 1);
	for (size_t i = 0; i < n; i += 2)
		p[i] = kmalloc(64); /* from the magazines: no new slab */
	s = class_stats(CLASS_64);
	CHECK_EQ_UINT(s.allocs, n + n / 2);
	CHECK_EQ_UINT(s.in_magazines, 0);
	CHECK_EQ_UINT(s.inuse, n);
	CHECK_EQ_UINT(s.pages, 16);
	for (size_t i = 0; i < n; i++)
		kfree(p[i]);
	kmem_shrink(); /* the drain moves objects, it frees nothing a caller had */
	s = class_stats(CLASS_64);
	CHECK_EQ_UINT(s.frees, n + n / 2);
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

/* A slab that already has free objects takes its own frees, so it can empty
 * and give its frame back; a full slab's objects go to magazines. */
static void frees_go_to_magazines_only_from_full_slabs(void)
{
	fresh_heap(ZONE_PAGES);
	static void *full[64], *part[36];
	fill_slabs_of_64(full, 1);
	for (int i = 0; i < 36; i++)
		part[i] = kmalloc(64);
	for (int i = 0; i < 36; i++)
		kfree(part[i]);
	struct kmem_cache_stats s = class_stats(CLASS_64);
	CHECK_EQ_UINT(s.in_magazines, 0);
	CHECK_EQ_UINT(s.slabs_empty, 1); /* the second slab, kept in reserve */
	CHECK_EQ_UINT(s.slabs_full, 1);
	for (int i = 0; i < 64; i++)
		kfree(full[i]);
	s = class_stats(CLASS_64);
	CHECK_EQ_UINT(s.in_magazines, 64); /* the first free found its slab full */
	CHECK_EQ_UINT(s.inuse, 0);
	CHECK(kmalloc_check());
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void second_free_is_caught_wherever_the_object_is(void)
{
	fresh_heap(ZONE_PAGES);
	static void *p[256], *tail[8];
	size_t n = fill_slabs_of_64(p, 4);
	for (size_t i = 0; i < 8; i++)
		tail[i] = kmalloc(64); /* a fifth slab, left partial */
	for (size_t i = 0; i < n; i++)
		kfree(p[i]);
	kfree(tail[0]);
	/* p[n-1] in the loaded magazine, p[n-30..n-1) previous, p[0] deep in the
	 * depot, tail[0] on its own slab's free list */
	expect_misuse(call_free, p[n - 1], "slab kmalloc-64: double free of 0x");
	expect_misuse(call_free, p[n - 20], "slab kmalloc-64: double free of 0x");
	expect_misuse(call_free, p[0], "slab kmalloc-64: double free of 0x");
	expect_misuse(call_free, tail[0], "slab kmalloc-64: double free of 0x");
	expect_misuse(call_cache_free, p[5], "slab kmalloc-64: double free of 0x");
	expect_misuse(call_realloc, p[1], "not a live object of kmalloc-64 (double free?)");
	expect_misuse(call_usable, p[2], "not a live object of kmalloc-64 (double free?)");
	/* a live object whose first word reads as a free-list link is freed:
	 * the live map decides, not the object's bytes */
	void *q = kmalloc(64);
	set_link(buddy_page(&hz.z, q)->cache, q, 0);
	reports_clear();
	kfree(q);
	CHECK_EQ_UINT(reports.count, 0);
	for (size_t i = 1; i < 8; i++)
		kfree(tail[i]);
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
	void *other = kmalloc(1500); /* another class's slab */
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
	static void *p[640], *q[64];
	size_t n = fill_slabs_of_64(p, 10);
	for (size_t i = 0; i < n; i++)
		kfree(p[i]);
	CHECK_EQ_UINT(class_stats(CLASS_64).in_magazines, n);
	for (int i = 0; i < 64; i++)
		q[i] = kmalloc(1024); /* several new kmalloc-1024 slabs: several reaps */
	size_t after = class_stats(CLASS_64).in_magazines;
	CHECK_MSG(after <= 2 * KMEM_MAGAZINE_ROUNDS, "kmalloc-64 still holds %zu objects", after);
	for (int i = 0; i < 64; i++)
		kfree(q[i]);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

/* The live map and the magazines out of step, as a stray write on the map
 * would leave them: kmalloc_check names it. */
static void check_finds_the_live_map_out_of_step(void)
{
	fresh_heap(ZONE_PAGES);
	static void *objs[64];
	fill_slabs_of_64(objs, 1);
	unsigned char *p = objs[63];
	uintptr_t off = (uintptr_t)p - hz.z.base;
	kfree(p); /* its slab was full: into the loaded magazine */
	uintptr_t off0 = (uintptr_t)objs[0] - hz.z.base;
	*live_word(hz.z.live_map, off) |= live_bit(off); /* a free object marked */
	reports_clear();
	CHECK(!kmalloc_check());
	CHECK_MSG(strstr(reports.last, "the live map marks 64 objects handed out; counted 63"),
		  "reported \"%s\"", reports.last);
	*live_word(hz.z.live_map, off0) &= ~live_bit(off0); /* and a live one unmarked */
	reports_clear();
	CHECK(!kmalloc_check());
	CHECK_MSG(
		strstr(reports.last, "loaded magazine: holds an object the live map says is handed out"),
		"reported \"%s\"", reports.last);
	*live_word(hz.z.live_map, off) &= ~live_bit(off); /* mended */
	*live_word(hz.z.live_map, off0) |= live_bit(off0);
	reports_clear();
	CHECK(kmalloc_check());
	for (int i = 0; i < 63; i++)
		kfree(objs[i]);
	CHECK(heap_back_to_start());
}

/* The magazine layer writes nothing into the objects it holds. */
static void magazines_leave_freed_bytes_alone(void)
{
	fresh_heap(ZONE_PAGES);
	static void *objs[64];
	fill_slabs_of_64(objs, 1);
	unsigned char *p = objs[63];
	memset(p, 0xA5, 64);
	kfree(p);
	unsigned char *q = kmalloc(64);
	CHECK_EQ_PTR(q, p);
	bool same = true;
	for (int i = 0; i < 64; i++)
		same = same && q[i] == 0xA5;
	CHECK(same);
	for (int i = 0; i < 64; i++)
		kfree(objs[i]);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void stamp(void *obj)
{
	memcpy(obj, "built", 6);
}

/* Magazines on a cache of one's own with a constructor (40-byte objects, the
 * free-list link after them: a 48-byte stride): objects keep their
 * constructed state through the magazines, a second free is caught by the
 * live map, and destroy drains the magazines first. */
static void own_cache_with_constructor_and_magazines(void)
{
	fresh_heap(ZONE_PAGES);
	struct kmem_cache *c = kmem_cache_create("stamped", 40, 8, stamp);
	if (!CHECK(c != NULL))
		return;
	kmem_cache_enable_magazines(c);
	static char *p[300];
	for (int i = 0; i < 300; i++) {
		p[i] = kmem_cache_alloc(c);
		CHECK(p[i] && memcmp(p[i], "built", 6) == 0);
	}
	for (int i = 0; i < 300; i++)
		kmem_cache_free(c, p[i]);
	struct kmem_cache_stats s;
	kmem_cache_stats(c, &s);
	CHECK(s.in_magazines > 0 && s.inuse == 0);
	reports_clear();
	kmem_cache_free(c, p[299]);
	CHECK(reported_once("slab stamped: double free of 0x"));
	char *q = kmem_cache_alloc(c);
	CHECK(q && memcmp(q, "built", 6) == 0); /* from a magazine, still constructed */
	CHECK(kmem_cache_destroy(c) == ERR_BUSY);
	kmem_cache_free(c, q);
	CHECK(kmem_cache_check(c));
	CHECK_EQ_INT(kmem_cache_destroy(c), 0);
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
	RUN(frees_go_to_magazines_only_from_full_slabs);
	RUN(second_free_is_caught_wherever_the_object_is);
	RUN(shrink_gives_every_frame_back);
	RUN(out_of_memory_drains_magazines_first);
	RUN(idle_depot_is_reaped_when_another_cache_grows);
	RUN(check_finds_the_live_map_out_of_step);
	RUN(magazines_leave_freed_bytes_alone);
	RUN(own_cache_with_constructor_and_magazines);
	RUN(memdebug_caches_have_no_magazines);
	RUN(object_test_agrees_with_division);
	host_zone_free(&hz);
	return check_done();
}
