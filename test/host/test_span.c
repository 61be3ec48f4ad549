/* uses: kernel/mm */
/* test_span.c: kmalloc's mid-size blocks (span.c) on a host zone: alignment
 * and usable sizes, blocks split and merged, regions grown in place across
 * span boundaries and split when whole spans go back, misuse (double free,
 * interior pointers, overwritten headers) reported and without effect, out
 * of memory, and a random run checked against span_check to the end. */
#include "check.h"
#include "errors.h"
#include "mm_host.h"
#include "kmalloc_host.h"

#define ZONE_PAGES 4096 /* 16 MiB */
#define SPAN_SIZE ((size_t)PAGE_SIZE << SPAN_ORDER)

static struct span_stats spans(void)
{
	struct span_stats s;
	span_stats(&s);
	return s;
}

static void mid_sizes_are_aligned_and_tight(void)
{
	fresh_heap(ZONE_PAGES);
	for (size_t size = KMALLOC_MAX_SMALL + 1; size <= SPAN_MAX_REQUEST; size += 7) {
		unsigned char *p = kmalloc(size);
		if (!CHECK_MSG(p && (uintptr_t)p % 16 == 0 && span_owns(p), "size %zu at %p", size,
			       (void *)p))
			return;
		size_t usable = kmalloc_usable_size(p);
		/* a 4-byte header, 16-byte rounding, and at most a remainder too small to split */
		CHECK_MSG(usable >= size && usable < size + 48, "size %zu usable %zu", size, usable);
		memset(p, 0x5A, usable); /* ASan: all of it is the caller's */
		kfree(p);
	}
	CHECK_EQ_UINT(spans().live_blocks, 0);
	CHECK_EQ_UINT(spans().spans, 0);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

/* A freed block serves a smaller request from its start, and neighbours merge:
 * three blocks freed leave one free block that holds all three again. */
static void freed_neighbours_merge(void)
{
	fresh_heap(ZONE_PAGES);
	char *a = kmalloc(3000), *b = kmalloc(3000), *c = kmalloc(3000), *guard = kmalloc(3000);
	CHECK(a && b > a && c > b && guard > c); /* carved in order from one free block */
	kfree(b);
	char *smaller = kmalloc(2500);
	CHECK_EQ_PTR(smaller, b); /* the best fit */
	kfree(smaller);
	kfree(a);
	kfree(c);
	CHECK(span_check());
	char *big = kmalloc(8192);
	CHECK_EQ_PTR(big, a); /* a, b and c merged: 9,024 bytes from a's start */
	kfree(big);
	kfree(guard);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

/* Spans the zone gives side by side form one region: blocks run across the
 * boundary with nothing lost there, and the frames hold blocks to the byte. */
static void region_grows_across_spans(void)
{
	fresh_heap(ZONE_PAGES);
	enum { N = 64 };
	char *p[N];
	size_t used = 0;
	for (int i = 0; i < N; i++) {
		p[i] = kmalloc(5000);
		used += 5000;
		CHECK(p[i] != NULL);
	}
	struct span_stats s = spans();
	/* one run: only the region's 16 bytes of padding and sentinel, headers and rounding */
	size_t need = (N * ((5000 + 4 + 15) & ~15) + 16 + SPAN_SIZE - 1) / SPAN_SIZE;
	CHECK_MSG(s.spans == need, "%zu spans for %zu bytes, %zu enough", s.spans, used, need);
	bool straddles = false;
	for (int i = 0; i < N; i++) {
		uintptr_t off = (uintptr_t)p[i] - hz.z.base;
		straddles |= off / SPAN_SIZE != (off + 4999) / SPAN_SIZE;
	}
	CHECK(straddles);
	CHECK(span_check());
	for (int i = 0; i < N; i++)
		kfree(p[i]);
	CHECK_EQ_UINT(spans().spans, 0);
	CHECK(heap_back_to_start());
}

/* Freeing the blocks of the middle spans gives those spans back to the zone
 * at once; the region splits around them and both parts keep working. */
static void whole_free_spans_go_back(void)
{
	fresh_heap(ZONE_PAGES);
	enum { N = 96 };
	char *p[N];
	for (int i = 0; i < N; i++)
		p[i] = kmalloc(4000);
	size_t before = spans().spans, frames = hz.z.allocated_pages;
	for (int i = 20; i < 76; i++)
		kfree(p[i]);
	struct span_stats s = spans();
	CHECK_MSG(s.spans + 5 <= before, "%zu spans of %zu kept after freeing 56 of 96 blocks", s.spans,
		  before);
	CHECK_EQ_UINT(hz.z.allocated_pages, frames - ((before - s.spans) << SPAN_ORDER));
	CHECK(span_check());
	for (int i = 20; i < 76; i++) { /* the parts grow again, in place or anew */
		p[i] = kmalloc(4000);
		CHECK(p[i] != NULL);
		memset(p[i], i, 4000);
	}
	CHECK(span_check());
	for (int i = 0; i < N; i++)
		kfree(p[i]);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void span_misuse_is_reported(void)
{
	fresh_heap(ZONE_PAGES);
	char *a = kmalloc(6000), *b = kmalloc(6000);
	expect_misuse(call_free, a + 16, "not a live block");
	expect_misuse(call_free, a + 1, "not a live block");
	expect_misuse(call_usable, b + 32, "not a live block");
	expect_misuse(call_realloc, a + 4096, "not a live block");
	kfree(b);
	expect_misuse(call_free, b, "double free");
	expect_misuse(call_usable, b, "not a live block");
	kfree(a);
	CHECK(heap_back_to_start());
}

/* An underflow over a block's header, or an overflow of the block before
 * into it, is found before the free follows the header; the block stays. */
/* kfree(ptr) reported once as overwritten, and nothing freed; no whole-heap
 * check here, which would find the damage again */
static void expect_refused(void *ptr)
{
	struct span_stats before = spans(), after;

	reports_clear();
	kfree(ptr);
	after = spans();
	CHECK_MSG(reported_once("was overwritten"), "%p: %u reports, last \"%s\"", ptr, reports.count,
		  reports.last);
	CHECK(after.live_blocks == before.live_blocks && after.spans == before.spans);
}

static void overwritten_headers_are_found(void)
{
	fresh_heap(ZONE_PAGES);
	char *a = kmalloc(3000), *b = kmalloc(3000), *c = kmalloc(3000);
	uint32_t saved;
	memcpy(&saved, b - 4, 4);
	memset(b - 4, 0xFF, 4); /* a's overflow, or b's underflow */
	expect_refused(b);
	memcpy(b - 4, &saved, 4);
	kfree(b);
	memcpy(&saved, b - 4, 4);
	memset(b - 4, 0xFF, 4); /* the same over the free b: a's free would merge with it */
	expect_refused(a);
	CHECK_MSG(!span_check() && reports.count > 0, "span_check passed a broken free header");
	memcpy(b - 4, &saved, 4);
	memcpy(&saved, c - 4, 4);
	memset(c - 4, 0, 4);
	expect_refused(c);
	memcpy(c - 4, &saved, 4);
	reports_clear();
	kfree(c);
	kfree(a);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

/* With the zone too full for a span, a mid-size request takes whole frames
 * (kmalloc's large path) and fails only when those are gone too. */
static void no_span_falls_back_to_frames(void)
{
	fresh_heap(64);
	void *hold[64];
	int n = 0;
	while (n < 64 && (hold[n] = buddy_alloc(&hz.z, 0)) != NULL)
		n++;
	buddy_free(&hz.z, hold[--n], 0);
	buddy_free(&hz.z, hold[--n], 0); /* two frames, not a span's worth side by side */
	char *p = kmalloc(5000);
	CHECK(p != NULL && !span_owns(p) && (uintptr_t)p % PAGE_SIZE == 0);
	CHECK(kmalloc(5000) == NULL);
	kfree(p);
	while (n > 0)
		buddy_free(&hz.z, hold[--n], 0);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

/* Random mid-size churn with realloc; every block's bytes checked, and the
 * heap checked whole as it goes. */
static void random_churn_stays_consistent(void)
{
	enum { SLOTS = 300, STEPS = 20000 };
	static unsigned char *p[SLOTS];
	static size_t len[SLOTS];

	fresh_heap(ZONE_PAGES);
	for (int step = 0; step < STEPS; step++) {
		int i = (int)check_rand_below(SLOTS);
		if (p[i]) {
			for (size_t k = 0; k < len[i]; k += 97)
				if (p[i][k] != (unsigned char)(i + len[i])) {
					CHECK_FAIL("slot %d lost its bytes", i);
					return;
				}
		}
		size_t size =
			KMALLOC_MAX_SMALL + 1 + check_rand_below(SPAN_MAX_REQUEST - KMALLOC_MAX_SMALL);
		if (p[i] && check_rand_below(4) == 0) {
			unsigned char *q = krealloc(p[i], size);
			if (!CHECK(q != NULL))
				return;
			p[i] = q;
		} else {
			kfree(p[i]);
			p[i] = check_rand_below(5) ? kmalloc(size) : NULL;
		}
		len[i] = p[i] ? size : 0;
		if (p[i])
			memset(p[i], (unsigned char)(i + size), size);
		if (step % 1000 == 0 && !CHECK(span_check()))
			return;
	}
	for (int i = 0; i < SLOTS; i++) {
		kfree(p[i]);
		p[i] = NULL;
	}
	CHECK_EQ_UINT(spans().spans, 0);
	CHECK(heap_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

/* buddy_alloc_at: the block at an address when it is free, split out of a
 * larger one; refused when taken, misaligned or outside. */
static void buddy_alloc_at_takes_that_block(void)
{
	fresh_heap(ZONE_PAGES);
	struct zone_snapshot start = zone_snapshot(&hz.z);
	char *base = (char *)hz.z.base;
	char *want = base + 40 * PAGE_SIZE;
	if (buddy_is_free(&hz.z, want)) {
		char *got = buddy_alloc_at(&hz.z, want, 3);
		CHECK_EQ_PTR(got, want);
		CHECK(buddy_alloc_at(&hz.z, want, 3) == NULL); /* taken */
		CHECK(buddy_alloc_at(&hz.z, want + PAGE_SIZE, 0) == NULL);
		CHECK(buddy_check(&hz.z));
		buddy_free(&hz.z, got, 3);
	} else {
		CHECK_FAIL("frame 40 of a fresh heap is not free");
	}
	CHECK(buddy_alloc_at(&hz.z, want + PAGE_SIZE, 3) == NULL); /* misaligned for order 3 */
	CHECK(buddy_alloc_at(&hz.z, want + 1, 0) == NULL);
	CHECK(buddy_alloc_at(&hz.z, base + (size_t)ZONE_PAGES * PAGE_SIZE, 0) == NULL);
	CHECK(buddy_alloc_at(&hz.z, want, BUDDY_MAX_ORDER + 1) == NULL);
	struct zone_snapshot now = zone_snapshot(&hz.z);
	CHECK(zone_snapshot_equal(&start, &now));
	CHECK(buddy_check(&hz.z));
	CHECK_EQ_UINT(reports.count, 0);
}

int main(void)
{
	check_seed(20261205);
	RUN(mid_sizes_are_aligned_and_tight);
	RUN(freed_neighbours_merge);
	RUN(region_grows_across_spans);
	RUN(whole_free_spans_go_back);
	RUN(span_misuse_is_reported);
	RUN(overwritten_headers_are_found);
	RUN(no_span_falls_back_to_frames);
	RUN(random_churn_stays_consistent);
	RUN(buddy_alloc_at_takes_that_block);
	host_zone_free(&hz);
	return check_done();
}
