/* uses: kernel/mm */
/* test_memdebug.c: the heap debugger on a host zone. Each case commits one
 * bug on purpose (overflow, underflow, write after free, double, interior,
 * invalid and wrong-cache frees, a leak, running out of memory) and checks
 * the finding's kind, object, size, changed bytes and code addresses, and
 * that the heap is consistent afterwards. A random run checks that correct
 * use reports nothing. */
#include "check.h"
#include "mm_host.h"

#define ZONE_PAGES 4096 /* 16 MiB */

static struct host_zone hz;

static void fresh_debug_heap(size_t npages)
{
	host_zone_free(&hz);
	host_zone_init(&hz, npages);
	buddy_release_range(&hz.z, 0, npages);
	memdebug_enable(true);
	kmem_init(&hz.z);
	if (kmalloc_init(&hz.z) != 0) {
		printf("Bail out! kmalloc_init failed\n");
		exit(1);
	}
	reports_clear();
}

/* Allocation and free from known functions, so a test can tell that a report
 * names the right code address: the site is a return address inside them. */
static __attribute__((noinline)) unsigned char *alloc_site_a(size_t size)
{
	unsigned char *p = kmalloc(size);
	__asm__ volatile("" ::: "memory"); /* keeps the call from being a tail call */
	return p;
}

static __attribute__((noinline)) void *alloc_site_b(size_t size)
{
	void *p = kmalloc(size);
	__asm__ volatile("" ::: "memory");
	return p;
}

static __attribute__((noinline)) void free_site_c(void *p)
{
	kfree(p);
	__asm__ volatile("" ::: "memory");
}

/* true when site is a return address inside fn (whose code is short) */
static bool site_in(uintptr_t site, void *fn)
{
	return site > (uintptr_t)fn && site - (uintptr_t)fn < 128;
}

static const struct memdebug_report *last(void)
{
	return memdebug_last_report();
}

static void overflow_is_reported_on_free(void)
{
	fresh_debug_heap(ZONE_PAGES);
	unsigned char *p = alloc_site_a(20);
	p[20] = 'x'; /* one past the end, inside kmalloc-32's slack */
	p[22] = 'y';
	kfree(p);
	CHECK(reported_once("overflow"));
	CHECK_EQ_INT(last()->kind, MEMDEBUG_OVERFLOW);
	CHECK_EQ_PTR((void *)last()->object, p);
	CHECK_EQ_UINT(last()->size, 20);
	CHECK_EQ_UINT(last()->first_bad, 20);
	CHECK_EQ_UINT(last()->bad_bytes, 2);
	CHECK(site_in(last()->alloc_site, (void *)alloc_site_a));
	CHECK_EQ_STR(last()->cache, "kmalloc-32");
	CHECK(strstr(reports.last, "kmalloc-32") && strstr(reports.last, "20 bytes"));
	CHECK(kmalloc_check());
	CHECK_EQ_UINT(memdebug_check_heap(), 0); /* repaired, and the object freed */
	CHECK_EQ_UINT(memdebug_leak_report("after").objects, 0);
}

static void underflow_is_reported_on_free(void)
{
	fresh_debug_heap(ZONE_PAGES);
	unsigned char *p = alloc_site_a(64);
	p[-3] = 0;
	kfree(p);
	CHECK_EQ_INT(last()->kind, MEMDEBUG_UNDERFLOW);
	CHECK_EQ_PTR((void *)last()->object, p);
	CHECK_EQ_UINT(last()->size, 64);
	CHECK_EQ_UINT(last()->first_bad, 3); /* bytes before the object */
	CHECK_EQ_UINT(last()->bad_bytes, 1);
	CHECK(site_in(last()->alloc_site, (void *)alloc_site_a));
	CHECK(strstr(reports.last, "underflow") != NULL);
	CHECK(kmalloc_check());
}

static void heap_check_finds_live_overflow(void)
{
	fresh_debug_heap(ZONE_PAGES);
	unsigned char *p = alloc_site_a(100), *q = alloc_site_a(100);
	CHECK_EQ_UINT(memdebug_check_heap(), 0);
	q[100] = 1;
	CHECK_EQ_UINT(memdebug_check_heap(), 1);
	CHECK_EQ_INT(last()->kind, MEMDEBUG_OVERFLOW);
	CHECK_EQ_PTR((void *)last()->object, q);
	CHECK_EQ_UINT(memdebug_check_heap(), 0); /* reported once, then repaired */
	kfree(p);
	kfree(q);
	CHECK_EQ_UINT(memdebug_count(MEMDEBUG_OVERFLOW), 1);
}

static void large_block_slack_is_a_red_zone(void)
{
	fresh_debug_heap(ZONE_PAGES);
	unsigned char *p = alloc_site_a(5000);
	CHECK(((uintptr_t)p & (PAGE_SIZE - 1)) == 0);
	p[5001] = 7;
	kfree(p);
	CHECK_EQ_INT(last()->kind, MEMDEBUG_OVERFLOW);
	CHECK_EQ_PTR((void *)last()->object, p);
	CHECK_EQ_UINT(last()->size, 5000);
	CHECK_EQ_UINT(last()->first_bad, 5001);
	CHECK_EQ_STR(last()->cache, "kmalloc-large");
	CHECK(site_in(last()->alloc_site, (void *)alloc_site_a));
	CHECK(kmalloc_check());
}

/* The issue-12 false report: a caller may write every byte kmalloc_usable_size
 * gives (systemd's greedy realloc, V8's allocate-at-least do), so under memdebug
 * it is the size asked, for slab objects and large blocks alike, and the red
 * zone starts where it ends. */
static void writing_up_to_usable_size_reports_nothing(void)
{
	static const size_t sizes[] = { 1,    20,   100,  2000, 2048, 2049, 4095,
					4096, 4097, 5000, 8191, 8193, 65537 };

	fresh_debug_heap(ZONE_PAGES);
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		unsigned char *p = alloc_site_a(sizes[i]);
		size_t usable = kmalloc_usable_size(p);
		CHECK_MSG(usable == sizes[i], "kmalloc(%zu): usable size %zu", sizes[i], usable);
		memset(p, 0x5A, usable);
		CHECK_EQ_UINT(memdebug_check_heap(), 0);
		unsigned char *q = krealloc(p, usable); /* what realloc relies on */
		CHECK(q != NULL && q[usable - 1] == 0x5A);
		kfree(q);
		CHECK_MSG(reports.count == 0, "kmalloc(%zu), written to its usable size: \"%s\"",
			  sizes[i], reports.last);
		reports_clear();
	}
	CHECK_EQ_UINT(memdebug_count(MEMDEBUG_OVERFLOW), 0);
	CHECK(kmalloc_check());
}

static void write_after_free_is_reported_on_reuse(void)
{
	fresh_debug_heap(ZONE_PAGES);
	unsigned char *p = alloc_site_a(48);
	free_site_c(p);
	p[5] = 0x11; /* the bug */
	p[6] = 0x12;
	CHECK_EQ_UINT(reports.count, 0);
	unsigned char *q = alloc_site_b(48); /* the slot is handed out again: last freed first */
	CHECK_EQ_PTR(q, p);
	CHECK(reported_once("write after free"));
	CHECK_EQ_INT(last()->kind, MEMDEBUG_WRITE_AFTER_FREE);
	CHECK_EQ_PTR((void *)last()->object, p);
	CHECK_EQ_UINT(last()->size, 48);
	CHECK_EQ_UINT(last()->first_bad, 5);
	CHECK_EQ_UINT(last()->bad_bytes, 2);
	CHECK(site_in(last()->alloc_site, (void *)alloc_site_a));
	CHECK(site_in(last()->free_site, (void *)free_site_c));
	/* the new owner gets a clean object: no red zone or poison left over */
	kfree(q);
	CHECK_EQ_UINT(reports.count, 1);
	CHECK(kmalloc_check());
}

static void heap_check_finds_write_after_free(void)
{
	fresh_debug_heap(ZONE_PAGES);
	unsigned char *p = alloc_site_a(200);
	kfree(p);
	p[199] = 0;
	CHECK_EQ_UINT(memdebug_check_heap(), 1);
	CHECK_EQ_INT(last()->kind, MEMDEBUG_WRITE_AFTER_FREE);
	CHECK_EQ_UINT(last()->first_bad, 199);
	CHECK_EQ_UINT(memdebug_check_heap(), 0);
}

static void double_free_is_named_and_ignored(void)
{
	fresh_debug_heap(ZONE_PAGES);
	unsigned char *p = alloc_site_a(64);
	free_site_c(p);
	kfree(p);
	CHECK(reported_once("double free"));
	CHECK_EQ_INT(last()->kind, MEMDEBUG_DOUBLE_FREE);
	CHECK_EQ_PTR((void *)last()->object, p);
	CHECK_EQ_UINT(last()->size, 64);
	CHECK(site_in(last()->alloc_site, (void *)alloc_site_a));
	CHECK(site_in(last()->free_site, (void *)free_site_c));
	CHECK(kmalloc_check());
	/* the slot is on the free list once: two allocations get two objects */
	void *a = kmalloc(64), *b = kmalloc(64);
	CHECK(a != b);
	kfree(a);
	kfree(b);
	CHECK_EQ_UINT(reports.count, 1);
}

static void interior_and_invalid_frees_are_named(void)
{
	fresh_debug_heap(ZONE_PAGES);
	unsigned char *p = alloc_site_a(64), *q = alloc_site_a(64);
	kfree(p + 8);
	CHECK(reported_once("interior pointer"));
	CHECK_EQ_INT(last()->kind, MEMDEBUG_INTERIOR_FREE);
	CHECK_EQ_PTR((void *)last()->object, p);
	CHECK_EQ_PTR((void *)last()->pointer, p + 8);
	/* a fresh slab hands out slots in order: the next one was never allocated */
	unsigned char *never = q + (q - p);
	reports_clear();
	kfree(never);
	CHECK(reported_once("never allocated"));
	CHECK_EQ_INT(last()->kind, MEMDEBUG_INVALID_FREE);
	reports_clear();
	kfree(p - 4); /* inside p's left red zone: no object there */
	CHECK(reported_once("invalid free"));
	CHECK_EQ_INT(last()->kind, MEMDEBUG_INVALID_FREE);
	CHECK(kmalloc_check());
	kfree(p);
	kfree(q);
	CHECK_EQ_UINT(memdebug_leak_report("after").objects, 0);
}

static void wrong_cache_is_named(void)
{
	fresh_debug_heap(ZONE_PAGES);
	struct kmem_cache *a = kmem_cache_create("cache-a", 40, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("cache-b", 40, 0, NULL);
	void *obj = kmem_cache_alloc(a);
	kmem_cache_free(b, obj);
	CHECK(reported_once("wrong cache") || reported_once("belongs to cache cache-a"));
	CHECK_EQ_INT(last()->kind, MEMDEBUG_WRONG_CACHE);
	CHECK_EQ_PTR((void *)last()->object, obj);
	CHECK_EQ_STR(last()->cache, "cache-a");
	CHECK(kmem_cache_check(a) && kmem_cache_check(b));
	kmem_cache_free(a, obj); /* still live: the right free works */
	CHECK_EQ_UINT(reports.count, 1);
	CHECK_EQ_INT(kmem_cache_destroy(a), 0);
	CHECK_EQ_INT(kmem_cache_destroy(b), 0);
}

/* align 4096: the left red zone is a whole frame, so the object starts a frame
 * after its slot; frees must still find the slab from the slot */
static void page_aligned_cache_objects(void)
{
	fresh_debug_heap(ZONE_PAGES);
	struct kmem_cache *c = kmem_cache_create("aligned", 1408, PAGE_SIZE, NULL);
	void *o[6];
	for (int i = 0; i < 6; i++) {
		o[i] = kmem_cache_alloc(c);
		CHECK(o[i] && ((uintptr_t)o[i] & (PAGE_SIZE - 1)) == 0);
	}
	for (int i = 0; i < 6; i++)
		kmem_cache_free(c, o[i]);
	CHECK(kmem_cache_check(c));
	CHECK_EQ_UINT(reports.count, 0);
	CHECK_EQ_INT(kmem_cache_destroy(c), 0);
}

static int ctor_calls;
static void ctor_fill(void *obj)
{
	memset(obj, 0x3C, 24);
	ctor_calls++;
}

static void constructed_caches_keep_their_state(void)
{
	fresh_debug_heap(ZONE_PAGES);
	struct kmem_cache *c = kmem_cache_create("ctor", 24, 8, ctor_fill);
	unsigned char *o = kmem_cache_alloc(c);
	CHECK(ctor_calls > 0 && o[0] == 0x3C && o[23] == 0x3C);
	kmem_cache_free(c, o);
	unsigned char *again = kmem_cache_alloc(c);
	CHECK_EQ_PTR(again, o);
	CHECK(again[0] == 0x3C && again[23] == 0x3C); /* not poisoned */
	again[24] = 0;                                /* red zones still guard it */
	kmem_cache_free(c, again);
	CHECK_EQ_INT(last()->kind, MEMDEBUG_OVERFLOW);
	CHECK_EQ_UINT(last()->first_bad, 24);
	CHECK_EQ_INT(kmem_cache_destroy(c), 0);
}

static void leaks_are_grouped_by_site(void)
{
	fresh_debug_heap(ZONE_PAGES);
	void *a[3];
	for (int i = 0; i < 3; i++)
		a[i] = alloc_site_a(24);
	void *b = alloc_site_b(100), *big = alloc_site_b(9000);
	reports.print = false;
	struct memdebug_leaks l = memdebug_leak_report("leak check");
	CHECK_EQ_UINT(l.objects, 5);
	CHECK_EQ_UINT(l.bytes, 3 * 24 + 100 + 9000);
	CHECK_EQ_UINT(l.sites, 2);
	CHECK_EQ_UINT(reports.count, 3); /* the title, then one line per site */
	CHECK(strstr(reports.last, "3 allocation(s), 72 bytes") != NULL); /* fewest bytes last */
	for (int i = 0; i < 3; i++)
		kfree(a[i]);
	kfree(b);
	kfree(big);
	CHECK_EQ_UINT(memdebug_leak_report("after").objects, 0);
}

static void out_of_memory_says_what_holds_it(void)
{
	fresh_debug_heap(64);
	reports.print = true;
	size_t n = 0;
	void *held[4096];
	while (n < 4096 && (held[n] = kmalloc(64)) != NULL)
		n++;
	CHECK(n > 0 && n < 4096);
	CHECK_EQ_INT(last()->kind, MEMDEBUG_OUT_OF_MEMORY);
	CHECK_EQ_UINT(last()->size, 64);
	CHECK_EQ_UINT(memdebug_count(MEMDEBUG_OUT_OF_MEMORY), 1);
	CHECK(strstr(reports.last, "cache kmalloc-") || strstr(reports.last, "cache kmem") ||
	      strstr(reports.last, "kmalloc-large"));
	CHECK(reports.count >= 4);
	CHECK(kmalloc(20000) == NULL); /* a large block: reported too */
	CHECK_EQ_UINT(memdebug_count(MEMDEBUG_OUT_OF_MEMORY), 2);
	CHECK_EQ_UINT(last()->size, 20000);
	while (n > 0)
		kfree(held[--n]);
	CHECK(kmalloc_check());
}

/* correct use under memdebug: no report, aligned objects, contents kept */
static void random_correct_use_reports_nothing(void)
{
	fresh_debug_heap(ZONE_PAGES);
	enum { LIVE = 400, OPS = 60000 };
	static unsigned char *p[LIVE];
	static size_t size[LIVE];
	for (int op = 0; op < OPS; op++) {
		size_t i = check_rand_below(LIVE);
		if (p[i]) {
			for (size_t k = 0; k < size[i]; k += 7)
				if (p[i][k] != (unsigned char)i) {
					CHECK_FAIL("op %d: object %zu byte %zu changed", op, i, k);
					return;
				}
			if (check_rand_below(4) == 0) {
				size_t n = 1 + check_rand_below(3000);
				unsigned char *q = krealloc(p[i], n);
				CHECK(q != NULL);
				if (n > size[i])
					memset(q + size[i], (int)i, n - size[i]);
				p[i] = q;
				size[i] = n;
				continue;
			}
			kfree(p[i]);
			p[i] = NULL;
			continue;
		}
		size[i] = 1 + check_rand_below(check_rand_below(8) == 0 ? 12000 : 300);
		p[i] = kmalloc(size[i]);
		CHECK(p[i] != NULL);
		CHECK(((uintptr_t)p[i] & (size[i] >= 16 ? 15 : 7)) == 0);
		memset(p[i], (int)i, size[i]);
		if (op % 10000 == 0)
			CHECK_EQ_UINT(memdebug_check_heap(), 0);
	}
	CHECK_EQ_UINT(memdebug_check_heap(), 0);
	for (int i = 0; i < LIVE; i++)
		kfree(p[i]);
	CHECK_EQ_UINT(reports.count, 0);
	CHECK(kmalloc_check());
	reports.print = false;
	CHECK_EQ_UINT(memdebug_leak_report("end").objects, 0);
}

int main(void)
{
	check_seed(20261125);
	reports.print = true;
	RUN(overflow_is_reported_on_free);
	RUN(underflow_is_reported_on_free);
	RUN(heap_check_finds_live_overflow);
	RUN(large_block_slack_is_a_red_zone);
	RUN(writing_up_to_usable_size_reports_nothing);
	RUN(write_after_free_is_reported_on_reuse);
	RUN(heap_check_finds_write_after_free);
	RUN(double_free_is_named_and_ignored);
	RUN(interior_and_invalid_frees_are_named);
	RUN(wrong_cache_is_named);
	RUN(constructed_caches_keep_their_state);
	RUN(page_aligned_cache_objects);
	RUN(leaks_are_grouped_by_site);
	RUN(out_of_memory_says_what_holds_it);
	RUN(random_correct_use_reports_nothing);
	memdebug_enable(false);
	host_zone_free(&hz);
	return check_done();
}
