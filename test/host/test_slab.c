/* uses: kernel/mm */
/* test_slab.c: slab caches on a host zone: argument checks, full/partial/empty
 * transitions and the empty-slab reserve, constructors, destroy refusing live
 * objects, every misuse reported with the cache unchanged, exhaustion, and a
 * random run over several caches checked against the shadow model. */
#include "check.h"
#include "errors.h"
#include "mm_host.h"

#define ZONE_PAGES 2048 /* 8 MiB */

static struct host_zone hz;
static struct zone_snapshot zone_start; /* after kmem_init */

static struct buddy_zone *fresh_zone(size_t npages)
{
	host_zone_free(&hz);
	host_zone_init(&hz, npages);
	buddy_release_range(&hz.z, 0, npages);
	kmem_init(&hz.z);
	zone_start = zone_snapshot(&hz.z);
	reports_clear();
	return &hz.z;
}

/* after every object is freed and kmem_shrink: the zone as kmem_init left it */
static bool zone_back_to_start(void)
{
	kmem_shrink();
	struct zone_snapshot now = zone_snapshot(&hz.z);
	return CHECK_MSG(zone_snapshot_equal(&zone_start, &now), "zone has %zu free frames, not %zu",
			 now.free_pages, zone_start.free_pages) &&
	       CHECK(buddy_check(&hz.z));
}

static struct kmem_cache_stats stats_of(const struct kmem_cache *c)
{
	struct kmem_cache_stats s;

	kmem_cache_stats(c, &s);
	return s;
}

static void create_rejects_bad_arguments(void)
{
	fresh_zone(64);
	CHECK(kmem_cache_create("zero", 0, 8, NULL) == NULL);
	CHECK(kmem_cache_create("big", KMEM_MAX_OBJECT + 1, 8, NULL) == NULL);
	CHECK(kmem_cache_create("huge", SIZE_MAX, 8, NULL) == NULL);
	CHECK(kmem_cache_create("align3", 32, 3, NULL) == NULL);
	CHECK(kmem_cache_create("align24", 32, 24, NULL) == NULL);
	CHECK(kmem_cache_create("align8k", 32, 2 * PAGE_SIZE, NULL) == NULL);
	struct kmem_cache *c = kmem_cache_create("ok", KMEM_MAX_OBJECT, 0, NULL);
	CHECK(c != NULL);
	CHECK_EQ_INT(kmem_cache_destroy(c), 0);
	CHECK(zone_back_to_start());
}

static void slabs_move_between_lists(void)
{
	fresh_zone(256);
	struct kmem_cache *c = kmem_cache_create("c256", 256, 0, NULL);
	struct kmem_cache_stats s = stats_of(c);
	CHECK_EQ_UINT(s.objects_per_slab, 16);
	CHECK_EQ_UINT(s.pages_per_slab, 1);
	CHECK_EQ_UINT(s.pages, 0);
	void *obj[40];

	obj[0] = kmem_cache_alloc(c);
	s = stats_of(c);
	CHECK(s.slabs_partial == 1 && s.slabs_full == 0 && s.slabs_empty == 0 && s.inuse == 1);
	for (int i = 1; i < 16; i++)
		obj[i] = kmem_cache_alloc(c);
	s = stats_of(c);
	CHECK(s.slabs_partial == 0 && s.slabs_full == 1 && s.inuse == 16 && s.total == 16);
	for (int i = 16; i < 40; i++)
		obj[i] = kmem_cache_alloc(c);
	s = stats_of(c);
	CHECK(s.slabs_full == 2 && s.slabs_partial == 1 && s.inuse == 40 && s.pages == 3);
	kmem_cache_free(c, obj[3]); /* a full slab becomes partial */
	s = stats_of(c);
	CHECK(s.slabs_full == 1 && s.slabs_partial == 2 && s.inuse == 39);
	CHECK(kmem_cache_alloc(c) == obj[3]); /* partial slabs first, last freed first */
	for (int i = 0; i < 16; i++)
		kmem_cache_free(c, obj[i]);
	s = stats_of(c);
	CHECK(s.slabs_full == 1 && s.slabs_partial == 1 && s.slabs_empty == 1 && s.pages == 3);
	for (int i = 16; i < 40; i++)
		kmem_cache_free(c, obj[i]);
	s = stats_of(c);
	/* one empty slab kept in reserve, the other returned */
	CHECK(s.slabs_full == 0 && s.slabs_partial == 0 && s.slabs_empty == KMEM_EMPTY_RESERVE);
	CHECK_EQ_UINT(s.pages, KMEM_EMPTY_RESERVE);
	CHECK_EQ_UINT(s.allocs, 41);
	CHECK_EQ_UINT(s.frees, 41);
	CHECK(kmem_cache_check(c));
	void *again = kmem_cache_alloc(c); /* the reserve serves it: no new frame */
	CHECK_EQ_UINT(stats_of(c).pages, KMEM_EMPTY_RESERVE);
	kmem_cache_free(c, again);
	CHECK_EQ_INT(kmem_cache_destroy(c), 0);
	CHECK(zone_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void objects_are_distinct_aligned_and_in_slabs(void)
{
	static const struct {
		size_t size, align;
	} shapes[] = { { 1, 0 },    { 8, 8 },    { 13, 4 },      { 24, 8 },   { 40, 64 },  { 100, 16 },
		       { 1000, 0 }, { 1800, 8 }, { 2048, 2048 }, { 3, 4096 }, { 600, 512 } };

	fresh_zone(1024);
	for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
		struct kmem_cache *c = kmem_cache_create("shape", shapes[k].size, shapes[k].align, NULL);
		struct model m;
		size_t align = shapes[k].align < sizeof(void *) ? sizeof(void *) : shapes[k].align;
		model_init(&m, &hz);
		for (int i = 0; i < 300; i++)
			if (!model_add(&m, kmem_cache_alloc(c), shapes[k].size, align, 0))
				break;
		CHECK_MSG(m.err[0] == '\0', "size %zu align %zu: %s", shapes[k].size, shapes[k].align,
			  m.err);
		CHECK(kmem_cache_check(c));
		for (size_t i = 0; m.n > 0; i += 7) {
			void *p = m.v[i % m.n].p;
			model_del(&m, i % m.n);
			kmem_cache_free(c, p);
		}
		CHECK_MSG(m.err[0] == '\0', "size %zu: %s", shapes[k].size, m.err);
		CHECK_EQ_INT(kmem_cache_destroy(c), 0);
		model_free(&m);
	}
	CHECK(zone_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

static void geometry_keeps_waste_small(void)
{
	fresh_zone(64);
	for (size_t size = 8; size <= KMEM_MAX_OBJECT; size += 8) {
		struct kmem_cache *c = kmem_cache_create("geo", size, 8, NULL);
		struct kmem_cache_stats s = stats_of(c);
		size_t bytes = s.pages_per_slab * PAGE_SIZE;
		size_t waste = bytes - s.objects_per_slab * s.object_size;
		/* at most 1/16 of the slab where 8 frames allow it, never more than 1/8 */
		CHECK_MSG(waste * 8 <= bytes, "size %zu: %zu of %zu wasted", size, waste, bytes);
		kmem_cache_destroy(c);
	}
}

static unsigned ctor_calls;

static void ctor_fill(void *obj)
{
	ctor_calls++;
	memset(obj, 0xC7, 48);
}

static void ctor_runs_when_slab_is_built(void)
{
	fresh_zone(256);
	ctor_calls = 0;
	struct kmem_cache *c = kmem_cache_create("ctor48", 48, 0, ctor_fill);
	CHECK_EQ_UINT(ctor_calls, 0);
	unsigned char *a = kmem_cache_alloc(c);
	size_t per_slab = stats_of(c).objects_per_slab;
	CHECK_EQ_UINT(ctor_calls, per_slab);
	for (int i = 0; i < 48; i++)
		CHECK(a[i] == 0xC7);
	kmem_cache_free(c, a);
	unsigned char *b = kmem_cache_alloc(c);
	CHECK(b == a);
	CHECK_EQ_UINT(ctor_calls, per_slab); /* no new construction */
	bool intact = true;                  /* the free-list link did not land in the object */
	for (int i = 0; i < 48; i++)
		intact &= b[i] == 0xC7;
	CHECK(intact);
	kmem_cache_free(c, b);
	CHECK(kmem_cache_check(c));
	kmem_cache_destroy(c);
	CHECK(zone_back_to_start());
}

static void destroy_refuses_live_objects(void)
{
	fresh_zone(256);
	struct kmem_cache *c = kmem_cache_create("busy", 64, 0, NULL);
	void *p = kmem_cache_alloc(c);
	CHECK_EQ_INT(kmem_cache_destroy(c), ERR_BUSY);
	CHECK(reported_once("slab busy: destroy refused: 1 objects still in use"));
	CHECK(kmem_cache_check(c));
	kmem_cache_free(c, p);
	CHECK_EQ_INT(kmem_cache_destroy(c), 0);
	reports_clear();
	CHECK_EQ_INT(kmem_cache_destroy(NULL), ERR_INVAL);
	CHECK_EQ_UINT(reports.count, 1);
	CHECK(zone_back_to_start());
}

/* One misuse: the report names it, and the cache and zone do not change. */
static void expect_misuse(struct kmem_cache *c, void *obj, const char *want)
{
	struct kmem_cache_stats before = stats_of(c), after;
	struct zone_snapshot zb = zone_snapshot(&hz.z), za;

	reports_clear();
	kmem_cache_free(c, obj);
	after = stats_of(c);
	za = zone_snapshot(&hz.z);
	CHECK_MSG(reported_once(want), "free(%p): %u reports, last \"%s\", wanted \"%s\"", obj,
		  reports.count, reports.last, want);
	CHECK_MSG(memcmp(&before, &after, sizeof before) == 0, "free(%p) changed the cache", obj);
	CHECK(zone_snapshot_equal(&zb, &za));
	CHECK(kmem_cache_check(c));
}

static void free_misuse_is_reported_and_ignored(void)
{
	fresh_zone(256);
	struct kmem_cache *a = kmem_cache_create("alpha", 64, 0, NULL);
	struct kmem_cache *b = kmem_cache_create("beta", 8, 0, NULL);     /* 512 to a slab */
	struct kmem_cache *big = kmem_cache_create("big", 1800, 0, NULL); /* several frames */
	char *x = kmem_cache_alloc(a), *y = kmem_cache_alloc(b), *g[12];
	for (int i = 0; i < 12; i++)
		g[i] = kmem_cache_alloc(big);
	char local;
	void *page = buddy_alloc(&hz.z, 0);

	expect_misuse(a, y, "slab alpha: free of 0x");
	CHECK(strstr(reports.last, "which belongs to cache beta") != NULL);
	expect_misuse(a, x + 8, "which is not an object (offset 8 in its slab)");
	expect_misuse(b, y + 4, "which is not an object");
	expect_misuse(a, &local, "which is not a slab object");
	expect_misuse(a, page, "which is not a slab object");
	expect_misuse(big, g[8] + 100, "which is not an object");
	kmem_cache_free(a, x);
	expect_misuse(a, x, "slab alpha: double free of 0x");
	kmem_cache_free(b, y);
	expect_misuse(b, y, "slab beta: double free");
	kmem_cache_free(big, g[8]); /* in a tail frame of its slab */
	expect_misuse(big, g[8], "slab big: double free");
	reports_clear();
	kmem_cache_free(a, NULL);
	kmem_cache_free(NULL, x);
	CHECK(reported_once("slab: free of"));
	for (int i = 0; i < 12; i++)
		if (i != 8)
			kmem_cache_free(big, g[i]);
	buddy_free(&hz.z, page, 0);
	/* a slab given back to the zone: its old objects are no slab's now */
	kmem_cache_shrink(big);
	expect_misuse(big, g[0], "which is not a slab object");
	kmem_cache_destroy(a);
	kmem_cache_destroy(b);
	kmem_cache_destroy(big);
	CHECK(zone_back_to_start());
}

static void link_like_data_is_not_a_double_free(void)
{
	fresh_zone(64);
	struct kmem_cache *c = kmem_cache_create("mimic", 32, 0, NULL);
	uintptr_t *a = kmem_cache_alloc(c), *b = kmem_cache_alloc(c), *d = kmem_cache_alloc(c);

	/* owners that store exactly what a free object's link would hold: NULL,
	 * and a neighbour in the slab, both encoded as slab.c encodes them */
	kmem_cache_free(c, d); /* so the slab's free list is not empty */
	*a = 0 ^ c->key ^ (uintptr_t)a;
	*b = (uintptr_t)d ^ c->key ^ (uintptr_t)b;
	reports_clear();
	kmem_cache_free(c, a);
	kmem_cache_free(c, b);
	CHECK_EQ_UINT(reports.count, 0);
	CHECK_EQ_UINT(stats_of(c).inuse, 0);
	CHECK(kmem_cache_check(c));
	kmem_cache_free(c, a);
	CHECK(reported_once("slab mimic: double free"));
	kmem_cache_destroy(c);
	CHECK(zone_back_to_start());
}

static void overwritten_free_object_is_reported(void)
{
	fresh_zone(64);
	struct kmem_cache *c = kmem_cache_create("uaf", 64, 0, NULL);
	uintptr_t *a = kmem_cache_alloc(c);
	kmem_cache_free(c, a);
	*a = 0x12345678; /* a write after free, over the link */
	reports_clear();
	CHECK(kmem_cache_alloc(c) == a);
	CHECK(reported_once("slab uaf: free object 0x"));
	CHECK(strstr(reports.last, "was overwritten") != NULL);
	/* that slab's other free objects are lost; the cache goes on with new slabs */
	void *b = kmem_cache_alloc(c);
	CHECK(b != NULL && b != a);
}

static void exhaustion_returns_null_and_recovers(void)
{
	fresh_zone(64);
	struct kmem_cache *c = kmem_cache_create("fill", 512, 0, NULL);
	static void *objs[64 * 8];
	size_t n = 0;

	while (n < 64 * 8 && (objs[n] = kmem_cache_alloc(c)) != NULL)
		n++;
	CHECK(n > 0 && n < 64 * 8);
	CHECK_EQ_UINT(hz.z.free_pages, 0);
	CHECK(kmem_cache_alloc(c) == NULL);
	struct kmem_cache *more = kmem_cache_create("more", 32, 0, NULL); /* no frame needed */
	CHECK(more != NULL && kmem_cache_alloc(more) == NULL);
	kmem_cache_destroy(more);
	CHECK(kmem_cache_check(c));
	CHECK(buddy_check(&hz.z));
	while (n > 0)
		kmem_cache_free(c, objs[--n]);
	CHECK(kmem_cache_check(c));
	CHECK(kmem_check());
	kmem_cache_destroy(c);
	kmem_shrink();
	CHECK_EQ_UINT(hz.z.free_pages, 64);
}

static void cache_descriptors_come_from_the_cache_of_caches(void)
{
	fresh_zone(256);
	static struct kmem_cache *c[300];

	for (int i = 0; i < 300; i++) {
		c[i] = kmem_cache_create("many", 16 + (size_t)i, 0, NULL);
		if (!CHECK(c[i] != NULL))
			return;
	}
	CHECK(kmem_check());
	for (int i = 0; i < 300; i += 2)
		CHECK_EQ_INT(kmem_cache_destroy(c[i]), 0);
	for (int i = 1; i < 300; i += 2)
		CHECK_EQ_INT(kmem_cache_destroy(c[i]), 0);
	CHECK(zone_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
}

/* ---- a random run over several caches ---- */

#define RUN_OPS 200000
#define RUN_LIVE_MAX 3000

static unsigned run_ctor_calls;

static void run_ctor(void *obj)
{
	run_ctor_calls++;
	*(uint32_t *)obj = 0xC0C0C0C0u;
}

static void random_run_matches_model(void)
{
	static const struct {
		size_t size, align;
		bool ctor;
	} shapes[] = { { 8, 0, false },   { 24, 8, false }, { 100, 16, false }, { 1000, 0, false },
		       { 2048, 0, true }, { 56, 64, true }, { 4, 4, false } };
	enum { NCACHES = sizeof shapes / sizeof shapes[0] };
	struct kmem_cache *c[NCACHES];
	struct model m;

	fresh_zone(ZONE_PAGES);
	for (int k = 0; k < NCACHES; k++)
		c[k] = kmem_cache_create("run", shapes[k].size, shapes[k].align,
					 shapes[k].ctor ? run_ctor : NULL);
	struct zone_snapshot after_create = zone_snapshot(&hz.z);
	model_init(&m, &hz);
	size_t nulls = 0;
	for (int op = 0; op < RUN_OPS && m.err[0] == '\0'; op++) {
		if (m.n == 0 || (m.n < RUN_LIVE_MAX && check_rand_below(100) < 55)) {
			int k = (int)check_rand_below(NCACHES);
			void *p = kmem_cache_alloc(c[k]);
			size_t align =
				shapes[k].align < sizeof(void *) ? sizeof(void *) : shapes[k].align;
			if (!p) {
				nulls++;
				continue;
			}
			if (shapes[k].ctor && !CHECK(*(uint32_t *)p == 0xC0C0C0C0u))
				break;
			model_add(&m, p, shapes[k].size, align, k);
		} else {
			size_t i = check_rand_below(m.n);
			void *p = m.v[i].p;
			int k = m.v[i].kind;
			model_del(&m, i);
			if (shapes[k].ctor) /* objects go back in their constructed state */
				*(uint32_t *)p = 0xC0C0C0C0u;
			kmem_cache_free(c[k], p);
		}
		if (op % 5000 == 0 && !CHECK_MSG(kmem_check(), "op %d: %s", op, reports.last))
			break;
	}
	CHECK_MSG(m.err[0] == '\0', "%s", m.err);
	CHECK(kmem_check());
	while (m.n > 0) {
		void *p = m.v[m.n - 1].p;
		int k = m.v[m.n - 1].kind;
		model_del(&m, m.n - 1);
		kmem_cache_free(c[k], p);
	}
	CHECK(kmem_check());
	for (int k = 0; k < NCACHES; k++)
		kmem_cache_shrink(c[k]);
	struct zone_snapshot end = zone_snapshot(&hz.z);
	CHECK(zone_snapshot_equal(&after_create, &end));
	for (int k = 0; k < NCACHES; k++)
		CHECK_EQ_INT(kmem_cache_destroy(c[k]), 0);
	CHECK(zone_back_to_start());
	CHECK_EQ_UINT(reports.count, 0);
	printf("# random run: %d ops, %zu found no room, %u constructor calls\n", RUN_OPS, nulls,
	       run_ctor_calls);
	model_free(&m);
}

int main(void)
{
	check_seed(20261202);
	RUN(create_rejects_bad_arguments);
	RUN(slabs_move_between_lists);
	RUN(objects_are_distinct_aligned_and_in_slabs);
	RUN(geometry_keeps_waste_small);
	RUN(ctor_runs_when_slab_is_built);
	RUN(destroy_refuses_live_objects);
	RUN(free_misuse_is_reported_and_ignored);
	RUN(link_like_data_is_not_a_double_free);
	RUN(overwritten_free_object_is_reported);
	RUN(exhaustion_returns_null_and_recovers);
	RUN(cache_descriptors_come_from_the_cache_of_caches);
	RUN(random_run_matches_model);
	host_zone_free(&hz);
	return check_done();
}
