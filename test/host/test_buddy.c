/* uses: kernel/mm */
/* test_buddy.c: the buddy allocator on a host arena: release with holes,
 * split and coalesce back to the starting lists, exact page counts, every
 * misuse reported with the zone unchanged, exhaustion, and a random run
 * checked against a frame-owner model. */
#include "check.h"
#include "mm_host.h"

#define ZONE_PAGES 4096 /* 16 MiB: four blocks of the largest order */

static struct host_zone hz;

/* a fresh zone with every frame released */
static struct buddy_zone *fresh_zone(size_t npages)
{
	host_zone_free(&hz);
	host_zone_init(&hz, npages);
	buddy_release_range(&hz.z, 0, npages);
	reports_clear();
	return &hz.z;
}

static size_t pfn_of(const struct buddy_zone *z, const void *p)
{
	return ((uintptr_t)p - z->base) >> PAGE_SHIFT;
}

static void init_reserves_every_frame(void)
{
	host_zone_free(&hz);
	host_zone_init(&hz, 100);
	CHECK_EQ_UINT(hz.z.reserved_pages, 100);
	CHECK_EQ_UINT(hz.z.free_pages, 0);
	CHECK(buddy_alloc(&hz.z, 0) == NULL);
	CHECK(buddy_check(&hz.z));
}

static void release_whole_zone_gives_largest_blocks(void)
{
	struct buddy_zone *z = fresh_zone(ZONE_PAGES);

	CHECK_EQ_UINT(buddy_free_count(z, BUDDY_MAX_ORDER), ZONE_PAGES >> BUDDY_MAX_ORDER);
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++)
		CHECK_EQ_UINT(buddy_free_count(z, o), 0);
	CHECK_EQ_UINT(buddy_free_count(z, BUDDY_MAX_ORDER + 1), 0);
	CHECK_EQ_UINT(z->free_pages, ZONE_PAGES);
	CHECK_EQ_UINT(z->reserved_pages, 0);
	CHECK(buddy_check(z));
	CHECK_EQ_UINT(reports.count, 0);
}

static void release_odd_sized_zone(void)
{
	/* 1000 = 512 + 256 + 128 + 64 + 32 + 8: no block may pass the zone's end */
	struct buddy_zone *z = fresh_zone(1000);
	static const unsigned want[BUDDY_MAX_ORDER + 1] = { 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 0 };

	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		CHECK_EQ_UINT(buddy_free_count(z, o), want[o]);
	CHECK(buddy_check(z));
	void *a = buddy_alloc(z, 9);
	CHECK(a != NULL);
	CHECK(buddy_alloc(z, 9) == NULL);
	buddy_free(z, a, 9);
	CHECK_EQ_UINT(buddy_free_count(z, 9), 1);
	CHECK(buddy_check(z));
}

static void release_with_holes_never_hands_out_holes(void)
{
	host_zone_free(&hz);
	host_zone_init(&hz, 1024);
	struct buddy_zone *z = &hz.z;
	buddy_release_range(z, 1, 99);    /* frame 0 stays reserved */
	buddy_release_range(z, 200, 800); /* 100-199 and 1000-1023 too */
	CHECK_EQ_UINT(z->free_pages, 899);
	CHECK_EQ_UINT(z->reserved_pages, 1024 - 899);
	CHECK(buddy_check(z));
	size_t got = 0;
	void *p;
	while ((p = buddy_alloc(z, 0)) != NULL) {
		size_t pfn = pfn_of(z, p);
		if (!CHECK_MSG((pfn >= 1 && pfn < 100) || (pfn >= 200 && pfn < 1000),
			       "frame %zu was in a hole", pfn))
			break;
		got++;
	}
	CHECK_EQ_UINT(got, 899);
	CHECK(buddy_check(z));
}

static void release_merges_with_free_neighbours(void)
{
	host_zone_free(&hz);
	host_zone_init(&hz, 1024);
	buddy_release_range(&hz.z, 0, 300);
	buddy_release_range(&hz.z, 300, 724);
	CHECK_EQ_UINT(buddy_free_count(&hz.z, BUDDY_MAX_ORDER), 1);
	CHECK_EQ_UINT(hz.z.free_pages, 1024);
	CHECK(buddy_check(&hz.z));
}

static void release_misuse_is_reported(void)
{
	host_zone_free(&hz);
	host_zone_init(&hz, 64);
	reports_clear();
	buddy_release_range(&hz.z, 0, 10);
	buddy_release_range(&hz.z, 5, 10); /* 5-9 again */
	CHECK(reported_once("release of frames 5-9 which are not reserved"));
	CHECK_EQ_UINT(hz.z.free_pages, 15);
	reports_clear();
	buddy_release_range(&hz.z, 60, 5);
	CHECK(reported_once("outside the zone"));
	buddy_release_range(&hz.z, SIZE_MAX, 2);
	CHECK_EQ_UINT(reports.count, 2);
	CHECK_EQ_UINT(hz.z.free_pages, 15);
	CHECK(buddy_check(&hz.z));
}

static void split_and_coalesce_back_to_start(void)
{
	struct buddy_zone *z = fresh_zone(ZONE_PAGES);
	struct zone_snapshot start = zone_snapshot(z);

	void *p = buddy_alloc(z, 0);
	CHECK(p != NULL);
	for (unsigned o = 0; o < BUDDY_MAX_ORDER; o++)
		CHECK_EQ_UINT(buddy_free_count(z, o), 1);
	CHECK_EQ_UINT(buddy_free_count(z, BUDDY_MAX_ORDER), 3);
	CHECK_EQ_UINT(z->allocated_pages, 1);
	CHECK(buddy_check(z));
	buddy_free(z, p, 0);
	struct zone_snapshot end = zone_snapshot(z);
	CHECK(zone_snapshot_equal(&start, &end));
	CHECK(buddy_check(z));

	/* every order at once, freed in another order */
	void *b[BUDDY_MAX_ORDER + 1];
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		b[o] = buddy_alloc(z, o);
		CHECK_MSG(b[o] && pfn_of(z, b[o]) % (1u << o) == 0, "order %u at %p", o, b[o]);
	}
	CHECK(buddy_check(z));
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o += 2)
		buddy_free(z, b[o], o);
	for (unsigned o = 1; o <= BUDDY_MAX_ORDER; o += 2)
		buddy_free(z, b[o], o);
	end = zone_snapshot(z);
	CHECK(zone_snapshot_equal(&start, &end));
	CHECK_EQ_UINT(reports.count, 0);
}

static void alloc_order_too_large_is_null(void)
{
	struct buddy_zone *z = fresh_zone(ZONE_PAGES);

	CHECK(buddy_alloc(z, BUDDY_MAX_ORDER + 1) == NULL);
	CHECK(buddy_alloc(z, 1000) == NULL);
	CHECK(buddy_alloc(z, ~0u) == NULL);
	CHECK_EQ_UINT(z->free_pages, ZONE_PAGES);
	CHECK_EQ_UINT(reports.count, 0);
}

static void exhaustion_returns_null_and_stays_consistent(void)
{
	struct buddy_zone *z = fresh_zone(ZONE_PAGES);
	struct zone_snapshot start = zone_snapshot(z);
	static void *blocks[ZONE_PAGES];
	size_t n = 0;

	while ((blocks[n] = buddy_alloc(z, 3)) != NULL)
		n++;
	CHECK_EQ_UINT(n, ZONE_PAGES / 8);
	CHECK(buddy_alloc(z, 0) == NULL);
	CHECK(buddy_alloc_pages(z, 1) == NULL);
	CHECK_EQ_UINT(z->free_pages, 0);
	CHECK(buddy_check(z));
	while (n > 0) {
		n--;
		buddy_free(z, blocks[n], 3);
	}
	struct zone_snapshot end = zone_snapshot(z);
	CHECK(zone_snapshot_equal(&start, &end));
	CHECK(buddy_check(z));
}

static void alloc_pages_takes_exact_counts(void)
{
	struct buddy_zone *z = fresh_zone(ZONE_PAGES);
	struct zone_snapshot start = zone_snapshot(z);

	for (size_t count = 1; count <= 1024; count += count < 40 ? 1 : 97) {
		void *p = buddy_alloc_pages(z, count);
		if (!CHECK_MSG(p != NULL, "count %zu", count))
			return;
		CHECK_EQ_UINT(z->allocated_pages, count);
		CHECK_EQ_UINT(z->free_pages, ZONE_PAGES - count);
		memset(p, 0x5a, count * PAGE_SIZE);
		CHECK(buddy_check(z));
		buddy_free_pages(z, p, count);
		struct zone_snapshot end = zone_snapshot(z);
		if (!CHECK_MSG(zone_snapshot_equal(&start, &end), "count %zu", count))
			return;
	}
	CHECK(buddy_alloc_pages(z, 0) == NULL);
	CHECK(buddy_alloc_pages(z, 1025) == NULL);
	CHECK(buddy_alloc_pages(z, SIZE_MAX) == NULL);
	CHECK_EQ_UINT(reports.count, 0);
}

static void alloc_pages_misuse_is_reported(void)
{
	struct buddy_zone *z = fresh_zone(ZONE_PAGES);
	void *p = buddy_alloc_pages(z, 9);
	struct zone_snapshot before = zone_snapshot(z);

	buddy_free_pages(z, p, 8);       /* 9 is 8 + 1: the 8 is right, the 1 is missing */
	CHECK_EQ_UINT(reports.count, 0); /* freeing part of it is allowed: it is two blocks */
	CHECK_EQ_UINT(z->allocated_pages, 1);
	buddy_free_pages(z, (char *)p + 8 * PAGE_SIZE, 1);
	reports_clear();
	p = buddy_alloc_pages(z, 9);
	before = zone_snapshot(z);
	buddy_free_pages(z, p, 12);
	CHECK(reported_once("with order 2, allocated with order 0"));
	reports_clear();
	buddy_free_pages(z, p, 0);
	CHECK(reported_once("with 0 frames"));
	struct zone_snapshot after = zone_snapshot(z);
	CHECK(zone_snapshot_equal(&before, &after));
	buddy_free_pages(z, p, 9);
	reports_clear();
	buddy_free_pages(z, p, 9);
	CHECK(reported_once("double free"));
	CHECK(buddy_check(z));
}

/* Runs one misuse and checks the report and that the zone did not change. */
static void expect_misuse(struct buddy_zone *z, void *block, unsigned order, const char *want)
{
	struct zone_snapshot before = zone_snapshot(z);

	reports_clear();
	buddy_free(z, block, order);
	CHECK_MSG(reported_once(want), "free(%p, %u): %u reports, last \"%s\", wanted \"%s\"", block,
		  order, reports.count, reports.last, want);
	struct zone_snapshot after = zone_snapshot(z);
	CHECK_MSG(zone_snapshot_equal(&before, &after), "free(%p, %u) changed the zone", block, order);
	CHECK(buddy_check(z));
}

static void free_misuse_is_reported_and_ignored(void)
{
	host_zone_free(&hz);
	host_zone_init(&hz, 1024);
	struct buddy_zone *z = &hz.z;
	buddy_release_range(z, 0, 1000); /* 1000-1023 reserved */
	char *a = buddy_alloc(z, 2), *b = buddy_alloc(z, 0), *c = buddy_alloc(z, 0);
	char *base = (char *)hz.arena;

	expect_misuse(z, a + 8, 2, "which is not page aligned");
	expect_misuse(z, base - PAGE_SIZE, 0, "outside the zone");
	expect_misuse(z, base + 1024 * PAGE_SIZE, 0, "outside the zone");
	expect_misuse(z, NULL, 0, "outside the zone");
	expect_misuse(z, base + 1010 * PAGE_SIZE, 0, "which is reserved");
	expect_misuse(z, a + PAGE_SIZE, 0, "which is not an allocated block");
	expect_misuse(z, a, 1, "with order 1, allocated with order 2");
	expect_misuse(z, a, BUDDY_MAX_ORDER + 1, "above the largest");
	buddy_free(z, b, 0);
	expect_misuse(z, b, 0, "double free");
	buddy_free(z, c, 0); /* b and c merge: b is now inside a larger free block */
	expect_misuse(z, c, 0, "double free");
	expect_misuse(z, b, 0, "double free");
	expect_misuse(z, base + 900 * PAGE_SIZE, 0, "double free"); /* never allocated */
	buddy_page(z, a)->flags |= PAGE_SLAB;
	expect_misuse(z, a, 2, "which its owner still marks");
	buddy_page(z, a)->flags &= (uint16_t)~PAGE_SLAB;
	reports_clear();
	buddy_free(z, a, 2);
	CHECK_EQ_UINT(reports.count, 0);
	CHECK_EQ_UINT(z->allocated_pages, 0);
	CHECK(buddy_check(z));
}

static void page_helpers_round_trip(void)
{
	struct buddy_zone *z = fresh_zone(64);
	char *base = (char *)hz.arena;

	CHECK(buddy_page(z, base - 1) == NULL);
	CHECK(buddy_page(z, base + 64 * PAGE_SIZE) == NULL);
	CHECK(buddy_page(z, NULL) == NULL);
	CHECK(buddy_page(z, base) == &hz.pages[0]);
	CHECK(buddy_page(z, base + 5 * PAGE_SIZE + 77) == &hz.pages[5]);
	CHECK(buddy_page_addr(z, &hz.pages[7]) == base + 7 * PAGE_SIZE);
	CHECK_EQ_UINT(buddy_order_for(1), 0);
	CHECK_EQ_UINT(buddy_order_for(2), 1);
	CHECK_EQ_UINT(buddy_order_for(3), 2);
	CHECK_EQ_UINT(buddy_order_for(1024), 10);
	CHECK_EQ_UINT(buddy_order_for(1025), 11);
	CHECK(buddy_is_free(z, base + 3 * PAGE_SIZE));
	void *p = buddy_alloc(z, 0);
	CHECK(!buddy_is_free(z, p));
	CHECK(!buddy_is_free(z, base - 1));
}

static void check_catches_corruption(void)
{
	struct buddy_zone *z = fresh_zone(64);
	void *p = buddy_alloc(z, 0);

	z->free_pages++;
	CHECK(!buddy_check(z));
	CHECK(strstr(reports.last, "counted") != NULL);
	z->free_pages--;
	buddy_page(z, p)->flags = 0;
	CHECK(!buddy_check(z));
	buddy_page(z, p)->flags = PAGE_ALLOCATED;
	z->nr_free[3]++;
	CHECK(!buddy_check(z));
	z->nr_free[3]--;
	CHECK(buddy_check(z));
}

/* ---- a random run against a frame-owner model ---- */

#define RUN_OPS 200000
#define RUN_LIVE_MAX 512

struct run_block {
	char *p;
	size_t frames;
	unsigned order; /* BUDDY_MAX_ORDER + 1: taken with buddy_alloc_pages */
	uint8_t tag;
};

static bool run_take(struct buddy_zone *z, uint32_t *owner, struct run_block *b)
{
	size_t pfn = pfn_of(z, b->p);

	if (!CHECK_MSG(b->p >= (char *)hz.arena && pfn + b->frames <= hz.npages, "%p outside", b->p))
		return false;
	if (b->order <= BUDDY_MAX_ORDER && !CHECK_MSG(pfn % b->frames == 0, "%p misaligned", b->p))
		return false;
	for (size_t i = 0; i < b->frames; i++) {
		if (!CHECK_MSG(owner[pfn + i] == 0, "frame %zu handed out twice", pfn + i))
			return false;
		owner[pfn + i] = 1;
		b->p[i * PAGE_SIZE] = (char)b->tag;
		b->p[i * PAGE_SIZE + PAGE_SIZE - 1] = (char)b->tag;
	}
	return true;
}

static bool run_give_back(struct buddy_zone *z, uint32_t *owner, struct run_block *b)
{
	size_t pfn = pfn_of(z, b->p);

	for (size_t i = 0; i < b->frames; i++) {
		if (!CHECK_MSG(b->p[i * PAGE_SIZE] == (char)b->tag &&
				       b->p[i * PAGE_SIZE + PAGE_SIZE - 1] == (char)b->tag,
			       "block %p frame %zu overwritten", b->p, i))
			return false;
		owner[pfn + i] = 0;
	}
	if (b->order <= BUDDY_MAX_ORDER)
		buddy_free(z, b->p, b->order);
	else
		buddy_free_pages(z, b->p, b->frames);
	return true;
}

static void random_run_matches_model(void)
{
	host_zone_free(&hz);
	host_zone_init(&hz, ZONE_PAGES);
	struct buddy_zone *z = &hz.z;
	/* RAM with holes, as an E820 map leaves it */
	buddy_release_range(z, 1, 700);
	buddy_release_range(z, 800, 2000);
	buddy_release_range(z, 2900, ZONE_PAGES - 2900 - 3);
	reports_clear();
	struct zone_snapshot start = zone_snapshot(z);
	uint32_t *owner = calloc(ZONE_PAGES, sizeof *owner);
	static struct run_block live[RUN_LIVE_MAX];
	size_t n = 0, nulls = 0;

	for (int op = 0; op < RUN_OPS; op++) {
		bool alloc = n == 0 || (n < RUN_LIVE_MAX && check_rand_below(100) < 52);
		if (alloc) {
			struct run_block b = { .tag = (uint8_t)(op | 1) };
			if (check_rand_below(4) == 0) {
				b.frames = 1 + check_rand_below(check_rand_below(2) ? 8 : 300);
				b.order = BUDDY_MAX_ORDER + 1;
				b.p = buddy_alloc_pages(z, b.frames);
			} else {
				/* mostly small orders, now and then a large one */
				b.order = (unsigned)check_rand_below(
					1 + check_rand_below(BUDDY_MAX_ORDER + 1));
				b.frames = (size_t)1 << b.order;
				b.p = buddy_alloc(z, b.order);
			}
			if (!b.p) {
				nulls++;
				continue;
			}
			if (!run_take(z, owner, &b))
				break;
			live[n++] = b;
		} else {
			size_t i = check_rand_below(n);
			if (!run_give_back(z, owner, &live[i]))
				break;
			live[i] = live[--n];
		}
		if (op % 2000 == 0 && !CHECK_MSG(buddy_check(z), "op %d: %s", op, reports.last))
			break;
	}
	CHECK(buddy_check(z));
	while (n > 0)
		run_give_back(z, owner, &live[--n]);
	struct zone_snapshot end = zone_snapshot(z);
	CHECK_MSG(zone_snapshot_equal(&start, &end), "free %zu of %zu after freeing everything",
		  end.free_pages, start.free_pages);
	CHECK(buddy_check(z));
	CHECK_EQ_UINT(reports.count, 0);
	printf("# random run: %d ops, %zu allocations found no room\n", RUN_OPS, nulls);
	free(owner);
}

int main(void)
{
	check_seed(20261201);
	RUN(init_reserves_every_frame);
	RUN(release_whole_zone_gives_largest_blocks);
	RUN(release_odd_sized_zone);
	RUN(release_with_holes_never_hands_out_holes);
	RUN(release_merges_with_free_neighbours);
	RUN(release_misuse_is_reported);
	RUN(split_and_coalesce_back_to_start);
	RUN(alloc_order_too_large_is_null);
	RUN(exhaustion_returns_null_and_stays_consistent);
	RUN(alloc_pages_takes_exact_counts);
	RUN(alloc_pages_misuse_is_reported);
	RUN(free_misuse_is_reported_and_ignored);
	RUN(page_helpers_round_trip);
	RUN(check_catches_corruption);
	RUN(random_run_matches_model);
	host_zone_free(&hz);
	return check_done();
}
