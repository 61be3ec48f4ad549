/* test_memdebug.c: the heap debugger inside the kernel. Each case commits a
 * memory bug on purpose and checks the finding: its kind, the object, its
 * size, the changed bytes, and the code addresses, named from the kernel's
 * symbol table. Without `memdebug` on the command line the cases use a debug
 * cache of their own (memdebug switched on just to make it) and the kmalloc
 * cases are skipped; with it, they run on kmalloc too and the suite ends with
 * the whole-heap check and the leak report. */
#include "ktest.h"
#include "../ksyms.h"
#include "../kernel.h"
#include "../mm/mm.h"
#include "lib.h"

#define OBJECT_SIZE 40

static bool on_at_boot; /* memdebug was on before the tests (kmalloc's caches debug) */

/* A debug cache for one case; memdebug goes back to how it was. */
static struct kmem_cache *debug_cache(const char *name)
{
	on_at_boot = memdebug_enabled();
	if (!on_at_boot)
		memdebug_enable(true);
	struct kmem_cache *c = kmem_cache_create(name, OBJECT_SIZE, 0, NULL);
	if (!on_at_boot)
		memdebug_enable(false);
	return c;
}

static const struct memdebug_report *last(void)
{
	return memdebug_last_report();
}

/* true when a report names fn (by the symbol table) as the site */
static bool site_is(uintptr_t site, const char *fn)
{
	const char *name = ksym_lookup((uint32_t)site, NULL);

	return name && strcmp(name, fn) == 0;
}

static void __attribute__((noinline)) free_it(struct kmem_cache *c, void *obj)
{
	kmem_cache_free(c, obj);
	__asm__ volatile("" ::: "memory"); /* a call, not a jump: the site is here */
}

static void overflow_found_on_free(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("ktest-overflow");
	uint8_t *o = kmem_cache_alloc(c);
	__asm__ volatile("" ::: "memory");
	EXPECT(t, o != NULL);
	o[OBJECT_SIZE] = 0; /* one byte past the end */
	kmem_cache_free(c, o);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_OVERFLOW);
	EXPECT_EQ(t, last()->object, (uintptr_t)o);
	EXPECT_EQ(t, last()->size, OBJECT_SIZE);
	EXPECT_EQ(t, last()->first_bad, OBJECT_SIZE);
	EXPECT_EQ(t, last()->bad_bytes, 1);
	EXPECT(t, site_is(last()->alloc_site, "overflow_found_on_free"));
	EXPECT(t, kmem_cache_check(c));
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static void underflow_found_on_free(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("ktest-underflow");
	uint8_t *o = kmem_cache_alloc(c);
	__asm__ volatile("" ::: "memory");
	o[-1] = 0;
	kmem_cache_free(c, o);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_UNDERFLOW);
	EXPECT_EQ(t, last()->object, (uintptr_t)o);
	EXPECT_EQ(t, last()->first_bad, 1);
	EXPECT(t, site_is(last()->alloc_site, "underflow_found_on_free"));
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static void write_after_free_found_on_reuse(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("ktest-uaf");
	uint8_t *o = kmem_cache_alloc(c);
	__asm__ volatile("" ::: "memory");
	free_it(c, o);
	o[7] = 0x42; /* the bug */
	size_t before = memdebug_count(MEMDEBUG_WRITE_AFTER_FREE);
	uint8_t *again = kmem_cache_alloc(c); /* the last freed slot comes back first */
	EXPECT(t, again == o);
	EXPECT_EQ(t, memdebug_count(MEMDEBUG_WRITE_AFTER_FREE), before + 1);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_WRITE_AFTER_FREE);
	EXPECT_EQ(t, last()->object, (uintptr_t)o);
	EXPECT_EQ(t, last()->size, OBJECT_SIZE);
	EXPECT_EQ(t, last()->first_bad, 7);
	EXPECT(t, site_is(last()->alloc_site, "write_after_free_found_on_reuse"));
	EXPECT(t, site_is(last()->free_site, "free_it"));
	kmem_cache_free(c, again);
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static void double_free_named_heap_intact(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("ktest-double");
	void *o = kmem_cache_alloc(c);
	__asm__ volatile("" ::: "memory");
	free_it(c, o);
	kmem_cache_free(c, o);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_DOUBLE_FREE);
	EXPECT_EQ(t, last()->object, (uintptr_t)o);
	EXPECT(t, site_is(last()->free_site, "free_it"));
	EXPECT(t, kmem_cache_check(c));
	void *a = kmem_cache_alloc(c), *b = kmem_cache_alloc(c);
	EXPECT(t, a != b); /* the slot is on the free list once */
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static void interior_and_invalid_frees_named(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("ktest-interior");
	uint8_t *a = kmem_cache_alloc(c), *b = kmem_cache_alloc(c);
	kmem_cache_free(c, a + 4);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_INTERIOR_FREE);
	EXPECT_EQ(t, last()->object, (uintptr_t)a);
	EXPECT_EQ(t, last()->pointer, (uintptr_t)(a + 4));
	kmem_cache_free(c, b + (b - a)); /* the next slot of a new slab: never allocated */
	EXPECT_EQ(t, last()->kind, MEMDEBUG_INVALID_FREE);
	EXPECT(t, kmem_cache_check(c));
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static void wrong_cache_named(struct ktest *t)
{
	struct kmem_cache *a = debug_cache("ktest-cache-a"), *b = debug_cache("ktest-cache-b");
	void *o = kmem_cache_alloc(a);
	kmem_cache_free(b, o);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_WRONG_CACHE);
	EXPECT_EQ(t, last()->object, (uintptr_t)o);
	EXPECT(t, strcmp(last()->cache, "ktest-cache-a") == 0);
	kmem_cache_free(a, o); /* still live: the right free works */
	EXPECT_EQ(t, kmem_cache_destroy(a), 0);
	EXPECT_EQ(t, kmem_cache_destroy(b), 0);
}

static void heap_check_finds_live_overflow(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("ktest-heapcheck");
	uint8_t *o = kmem_cache_alloc(c);
	EXPECT_EQ(t, memdebug_check_heap(), 0);
	o[OBJECT_SIZE + 2] = 1;
	EXPECT_EQ(t, memdebug_check_heap(), 1);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_OVERFLOW);
	EXPECT_EQ(t, last()->object, (uintptr_t)o);
	EXPECT_EQ(t, memdebug_check_heap(), 0); /* repaired after the report */
	kmem_cache_free(c, o);
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static void leak_report_groups_by_site(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("ktest-leak");
	struct memdebug_leaks before = memdebug_leak_report("leaks before");
	void *a = kmem_cache_alloc(c), *b = kmem_cache_alloc(c);
	__asm__ volatile("" ::: "memory");
	struct memdebug_leaks with = memdebug_leak_report("leaks with two objects of ktest-leak");
	EXPECT_EQ(t, with.objects, before.objects + 2);
	EXPECT_EQ(t, with.bytes, before.bytes + 2 * OBJECT_SIZE);
	EXPECT_EQ(t, with.sites, before.sites + 2); /* two call sites in this function */
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	EXPECT_EQ(t, memdebug_leak_report("leaks after").objects, before.objects);
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

static void site_names_come_from_symbols(struct ktest *t)
{
	char buf[96];

	mm_describe_site(buf, sizeof buf, (uintptr_t)site_names_come_from_symbols + 5);
	EXPECT(t, strncmp(buf, "site_names_come_from_symbols+0x5", 32) == 0);
}

static void out_of_memory_report(struct ktest *t)
{
	struct kmem_cache *c = debug_cache("ktest-oom");
	void *chain = NULL, *p;
	size_t before = memdebug_count(MEMDEBUG_OUT_OF_MEMORY);
	bool was_on = memdebug_enabled();

	if (!was_on)
		memdebug_enable(true); /* the report comes only while memdebug is on */
	kmem_shrink();                 /* nothing left that the allocator would reclaim first */
	void *keep = kmalloc(24);      /* a size class in use, for the report to list */
	while ((p = buddy_alloc(memory_zone(), 0)) != NULL) {
		*(void **)p = chain;
		chain = p;
	}
	EXPECT(t, kmem_cache_alloc(c) == NULL); /* a new slab is needed: none left */
	EXPECT_EQ(t, memdebug_count(MEMDEBUG_OUT_OF_MEMORY), was_on ? before + 1 : 1);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_OUT_OF_MEMORY);
	EXPECT_EQ(t, last()->size, OBJECT_SIZE);
	if (!was_on)
		memdebug_enable(false);
	while (chain) {
		p = chain;
		chain = *(void **)p;
		buddy_free(memory_zone(), p, 0);
	}
	kfree(keep);
	EXPECT(t, buddy_check(memory_zone()));
	EXPECT_EQ(t, kmem_cache_destroy(c), 0);
}

/* ---- kmalloc itself; needs `memdebug` at boot ---- */

static void kmalloc_slack_is_red_zone(struct ktest *t)
{
	if (!on_at_boot)
		KTEST_SKIP(t, "boot with memdebug to test kmalloc's caches");
	uint8_t *p = malloc(20); /* kmalloc-32: bytes 20-31 are slack */
	__asm__ volatile("" ::: "memory");
	p[25] = 1;
	free(p);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_OVERFLOW);
	EXPECT_EQ(t, last()->object, (uintptr_t)p);
	EXPECT_EQ(t, last()->size, 20);
	EXPECT_EQ(t, last()->first_bad, 25);
	EXPECT(t, strcmp(last()->cache, "kmalloc-32") == 0);
	/* malloc passes its caller down: the site is this function, not malloc */
	EXPECT(t, site_is(last()->alloc_site, "kmalloc_slack_is_red_zone"));
}

static void kmalloc_double_free_named(struct ktest *t)
{
	if (!on_at_boot)
		KTEST_SKIP(t, "boot with memdebug to test kmalloc's caches");
	void *p = malloc(100);
	free(p);
	free(p);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_DOUBLE_FREE);
	EXPECT_EQ(t, last()->object, (uintptr_t)p);
	EXPECT(t, site_is(last()->free_site, "kmalloc_double_free_named"));
	EXPECT(t, kmalloc_check());
}

static void kmalloc_large_block_red_zone(struct ktest *t)
{
	if (!on_at_boot)
		KTEST_SKIP(t, "boot with memdebug to test kmalloc's caches");
	uint8_t *p = malloc(6000);
	__asm__ volatile("" ::: "memory");
	p[6000] = 9;
	free(p);
	EXPECT_EQ(t, last()->kind, MEMDEBUG_OVERFLOW);
	EXPECT_EQ(t, last()->size, 6000);
	EXPECT_EQ(t, last()->first_bad, 6000);
	EXPECT(t, strcmp(last()->cache, "kmalloc-large") == 0);
}

/* A caller may write every byte malloc_usable_size gives: under memdebug that
 * is the size asked, so writing it all is no overflow (issue 12). */
static void usable_size_is_writable(struct ktest *t)
{
	static const size_t sizes[] = { 20, 2000, 4097, 6000, 8193 };

	if (!on_at_boot)
		KTEST_SKIP(t, "boot with memdebug to test kmalloc's caches");
	size_t overflows = memdebug_count(MEMDEBUG_OVERFLOW);
	unsigned long reported = mm_report_count();
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		uint8_t *p = malloc(sizes[i]);
		size_t usable = kmalloc_usable_size(p);
		EXPECT_EQ(t, usable, sizes[i]);
		memset(p, 0x5A, usable);
		free(p);
	}
	EXPECT_EQ(t, memdebug_count(MEMDEBUG_OVERFLOW), overflows);
	EXPECT_EQ(t, mm_report_count(), reported);
}

/* Last: the whole heap after every suite, and what is still allocated. */
static void heap_clean_and_leaks_at_end(struct ktest *t)
{
	if (!on_at_boot)
		KTEST_SKIP(t, "boot with memdebug to check the whole kernel heap");
	EXPECT_EQ(t, memdebug_check_heap(), 0);
	struct memdebug_leaks l = memdebug_leak_report("live allocations at the end of the tests");
	EXPECT(t, l.objects >= l.sites);
	EXPECT(t, kmalloc_check());
}

KTEST_SUITE(memdebug_suite, "memdebug", KTEST_CASE(overflow_found_on_free),
	    KTEST_CASE(underflow_found_on_free), KTEST_CASE(write_after_free_found_on_reuse),
	    KTEST_CASE(double_free_named_heap_intact), KTEST_CASE(interior_and_invalid_frees_named),
	    KTEST_CASE(wrong_cache_named), KTEST_CASE(heap_check_finds_live_overflow),
	    KTEST_CASE(leak_report_groups_by_site), KTEST_CASE(site_names_come_from_symbols),
	    KTEST_CASE(out_of_memory_report), KTEST_CASE(kmalloc_slack_is_red_zone),
	    KTEST_CASE(kmalloc_double_free_named), KTEST_CASE(kmalloc_large_block_red_zone),
	    KTEST_CASE(usable_size_is_writable), KTEST_CASE(heap_clean_and_leaks_at_end));
