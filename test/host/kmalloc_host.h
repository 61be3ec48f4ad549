/* kmalloc_host.h: what the kmalloc host tests share: a fresh heap over a
 * host zone, the check that it is back as it began, and one misuse of kmalloc
 * reported and without effect. Include after check.h and mm_host.h, from one
 * translation unit. */
#ifndef VLSOS_KMALLOC_HOST_H
#define VLSOS_KMALLOC_HOST_H

static struct host_zone hz;
static struct zone_snapshot zone_start; /* after kmalloc_init */

static void fresh_heap(size_t npages)
{
	host_zone_free(&hz);
	host_zone_init(&hz, npages);
	buddy_release_range(&hz.z, 0, npages);
	kmem_init(&hz.z);
	if (kmalloc_init(&hz.z) != 0) {
		printf("Bail out! kmalloc_init failed on %zu frames\n", npages);
		exit(1);
	}
	zone_start = zone_snapshot(&hz.z);
	reports_clear();
}

/* after everything is freed: kmem_shrink gives the zone back as kmalloc_init left it */
static bool heap_back_to_start(void)
{
	kmem_shrink();
	struct zone_snapshot now = zone_snapshot(&hz.z);
	return CHECK_MSG(zone_snapshot_equal(&zone_start, &now), "zone has %zu free frames, not %zu",
			 now.free_pages, zone_start.free_pages) &&
	       CHECK(kmalloc_check());
}

/* call(ptr) is reported once with `want`, and neither the zone nor any cache
 * changed. */
static void expect_misuse(void (*call)(void *), void *ptr, const char *want)
{
	struct kmalloc_stats before, after;
	struct zone_snapshot zb = zone_snapshot(&hz.z), za;

	kmalloc_stats(&before);
	reports_clear();
	call(ptr);
	kmalloc_stats(&after);
	za = zone_snapshot(&hz.z);
	CHECK_MSG(reported_once(want), "%p: %u reports, last \"%s\", wanted \"%s\"", ptr, reports.count,
		  reports.last, want);
	CHECK_MSG(memcmp(&before, &after, sizeof before) == 0, "%p: the caches changed", ptr);
	CHECK(zone_snapshot_equal(&zb, &za));
	CHECK(kmalloc_check());
}

static void call_free(void *p)
{
	kfree(p);
}

static void call_realloc(void *p)
{
	CHECK(krealloc(p, 50) == NULL);
}

static void call_usable(void *p)
{
	CHECK_EQ_UINT(kmalloc_usable_size(p), 0);
}

#endif
