/* fuzz_alloc.c: libFuzzer target for buddy.c, slab.c and kmalloc.c. The input
 * is a program of allocator calls (kmalloc, kfree, krealloc, kcalloc, cache
 * create/alloc/free/destroy, frames, misuse, shrink) run against the shadow
 * model of test/host/mm_host.h; any violation aborts. Each input starts from a
 * fresh 2 MiB zone and must leave it, once everything is freed, as it began.
 * The first byte's low bit runs the input with memdebug on, whose heap check
 * must then find nothing (correct use and refused misuse corrupt nothing).
 * Built and run by test/host/test_fuzz_alloc.sh. */
#include "mm_host.h"
#include "errors.h"

#define ZONE_PAGES 512
#define LIVE_MAX 256
#define CACHES 4

static struct host_zone hz;
static struct model m;
static struct kmem_cache *caches[CACHES];
static size_t cache_size[CACHES];
static void *recent_free[8]; /* for double frees */
static unsigned recent_next;

/* kind in the model: -1 kmalloc, -2 a frame block of order o is -(3 + o), 0.. a cache */
#define KIND_KMALLOC (-1)
#define KIND_FRAMES(order) (-3 - (int)(order))

struct input {
	const uint8_t *p;
	size_t n;
};

static unsigned next8(struct input *in)
{
	if (in->n == 0)
		return 0;
	in->n--;
	return *in->p++;
}

static size_t next16(struct input *in)
{
	return next8(in) | (size_t)next8(in) << 8;
}

#define FAIL(...)                                                                        \
	do {                                                                             \
		fprintf(stderr, "fuzz_alloc: " __VA_ARGS__);                             \
		fprintf(stderr, " (model: %s; last report: %s)\n", m.err, reports.last); \
		abort();                                                                 \
	} while (0)

static size_t read_size(struct input *in)
{
	unsigned b = next8(in);

	switch (b & 7) {
	case 5: return next16(in) & 0x1fff;
	case 6: return next16(in) << 2;
	case 7: return b & 0x80 ? SIZE_MAX - next8(in) : next16(in) << 6;
	default: return next8(in);
	}
}

static size_t kmalloc_align(size_t size)
{
	return size > SPAN_MAX_REQUEST ? PAGE_SIZE : size >= 16 ? 16 : 8;
}

static void take(void *p, size_t size, size_t align, int kind)
{
	if (m.n >= LIVE_MAX + 1 || !model_add(&m, p, size, align, kind))
		FAIL("bad allocation");
}

/* Frees live entry i through the allocator that made it. */
static void give_back(size_t i)
{
	struct live l = m.v[i];

	if (!model_del(&m, i))
		FAIL("allocation overwritten");
	if (l.kind == KIND_KMALLOC)
		kfree(l.p);
	else if (l.kind >= 0)
		kmem_cache_free(caches[l.kind], l.p);
	else
		buddy_free(&hz.z, l.p, (unsigned)(-3 - l.kind));
	recent_free[recent_next++ % 8] = l.p;
}

static void op_kmalloc(struct input *in, bool zeroed)
{
	size_t size = read_size(in), n = 1;
	if (zeroed && next8(in) & 1) { /* a product that may wrap */
		n = read_size(in);
		if (n && size > SIZE_MAX / n) {
			if (kcalloc(n, size) != NULL)
				FAIL("kcalloc(%zu, %zu) overflowed and returned memory", n, size);
			return;
		}
	}
	if (m.n >= LIVE_MAX)
		return;
	unsigned char *p = zeroed ? kcalloc(n, size) : kmalloc(n * size);
	if (!p) {
		if (n * size <= 16 && hz.z.free_pages > 0) /* its slabs are single frames */
			FAIL("kmalloc(%zu) failed with frames free", n * size);
		return;
	}
	for (size_t k = 0; zeroed && k < n * size; k++)
		if (p[k])
			FAIL("kcalloc(%zu, %zu) byte %zu not zero", n, size, k);
	take(p, n * size, kmalloc_align(n * size), KIND_KMALLOC);
}

static void op_realloc(struct input *in)
{
	size_t size = read_size(in);
	if (m.n == 0 || m.v[m.n - 1].kind != KIND_KMALLOC)
		return;
	struct live old = m.v[m.n - 1];
	if (!model_del(&m, m.n - 1))
		FAIL("allocation overwritten");
	unsigned char *q = krealloc(old.p, size);
	if (size == 0) {
		if (q)
			FAIL("krealloc(p, 0) returned memory");
		return;
	}
	unsigned char *check = q ? q : old.p; /* failure leaves the old block */
	size_t keep = q && size < old.size ? size : old.size;
	for (size_t k = 0; k < keep; k++)
		if (check[k] != old.tag)
			FAIL("krealloc %zu -> %zu lost byte %zu", old.size, size, k);
	if (q)
		take(q, size, kmalloc_align(size), KIND_KMALLOC);
	else
		take(old.p, old.size, kmalloc_align(old.size), KIND_KMALLOC);
}

static void op_cache_create(struct input *in)
{
	unsigned slot = next8(in) % CACHES, a = next8(in);
	size_t size = next16(in) % (KMEM_MAX_OBJECT + 64),
	       align = a & 0x80 ? (size_t)1 << (a % 14) : a % 9;
	if (caches[slot])
		return;
	bool magazines = next8(in) & 1; /* the live map with any stride it takes */
	caches[slot] = kmem_cache_create("fuzz", size, align, NULL);
	if (caches[slot] && magazines)
		kmem_cache_enable_magazines(caches[slot]);
	bool valid = size && size <= KMEM_MAX_OBJECT && align <= PAGE_SIZE && !(align & (align - 1));
	if (caches[slot] && !valid)
		FAIL("kmem_cache_create(%zu, %zu) accepted bad arguments", size, align);
	if (valid && !caches[slot] && hz.z.free_pages > 0)
		FAIL("kmem_cache_create(%zu, %zu) failed with memory left", size, align);
	cache_size[slot] = size;
}

static void op_cache_alloc(struct input *in)
{
	unsigned slot = next8(in) % CACHES;
	if (!caches[slot] || m.n >= LIVE_MAX)
		return;
	void *p = kmem_cache_alloc(caches[slot]);
	size_t align = caches[slot]->align;
	if (p)
		take(p, cache_size[slot], align, (int)slot);
}

static bool cache_has_live(unsigned slot)
{
	for (size_t i = 0; i < m.n; i++)
		if (m.v[i].kind == (int)slot)
			return true;
	return false;
}

static void op_cache_destroy(struct input *in)
{
	unsigned slot = next8(in) % CACHES;
	if (!caches[slot])
		return;
	bool busy = cache_has_live(slot);
	unsigned before = reports.count;
	int r = kmem_cache_destroy(caches[slot]);
	if (busy ? r != ERR_BUSY || reports.count != before + 1 : r != 0)
		FAIL("kmem_cache_destroy returned %d with%s live objects", r, busy ? "" : "out");
	if (!busy)
		caches[slot] = NULL;
}

static void op_frames(struct input *in)
{
	unsigned order = next8(in) % 6;
	if (m.n >= LIVE_MAX)
		return;
	void *p = buddy_alloc(&hz.z, order);
	if (p)
		take(p, (size_t)PAGE_SIZE << order, (size_t)PAGE_SIZE << order, KIND_FRAMES(order));
}

/* A free that must be reported and change nothing. */
static void op_misuse(struct input *in)
{
	unsigned how = next8(in), pick = next8(in);
	void *bad;

	if (how & 1) {
		bad = recent_free[pick % 8];
		if (!bad || buddy_page(&hz.z, bad) == NULL)
			return;
		uintptr_t unit = ((uintptr_t)bad - m.lo) / 8;
		if (m.shadow[unit]) /* handed out again since */
			return;
	} else {
		if (m.n == 0)
			return;
		struct live *l = &m.v[pick % m.n];
		if (l->size < 2 || l->kind != KIND_KMALLOC)
			return;
		bad = l->p + 1 + next8(in) % (l->size - 1);
	}
	struct zone_snapshot before = zone_snapshot(&hz.z);
	unsigned count = reports.count;
	if (how & 2)
		kfree(bad);
	else if (krealloc(bad, 10) != NULL)
		FAIL("krealloc of a bad pointer returned memory");
	struct zone_snapshot after = zone_snapshot(&hz.z);
	if (reports.count != count + 1 || !zone_snapshot_equal(&before, &after))
		FAIL("misuse of %p: %u reports, zone %s", bad, reports.count - count,
		     zone_snapshot_equal(&before, &after) ? "unchanged" : "changed");
}

static void run(struct input *in)
{
	while (in->n > 0) {
		unsigned op = next8(in);
		switch (op % 12) {
		case 0:
		case 1: op_kmalloc(in, false); break;
		case 2:
		case 3:
			if (m.n)
				give_back(next8(in) % m.n);
			break;
		case 4: op_realloc(in); break;
		case 5: op_kmalloc(in, true); break;
		case 6: op_cache_create(in); break;
		case 7: op_cache_alloc(in); break;
		case 8: op_cache_destroy(in); break;
		case 9: op_frames(in); break;
		case 10: op_misuse(in); break;
		case 11:
			if (op & 0x10)
				kmem_shrink();
			else if (!kmalloc_check())
				FAIL("kmalloc_check failed");
			break;
		}
		if (m.err[0])
			FAIL("model violation");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!hz.arena) {
		host_zone_init(&hz, ZONE_PAGES);
		model_init(&m, &hz);
	}
	struct input in = { data, size };
	bool debug = next8(&in) & 1;
	buddy_init(&hz.z, (uintptr_t)hz.arena, hz.pages, ZONE_PAGES);
	buddy_release_range(&hz.z, 0, ZONE_PAGES);
	memdebug_enable(debug);
	kmem_init(&hz.z);
	if (kmalloc_init(&hz.z) != 0)
		FAIL("kmalloc_init");
	struct zone_snapshot start = zone_snapshot(&hz.z);
	reports_clear();
	recent_next = 0;
	memset(recent_free, 0, sizeof recent_free);
	memset(caches, 0, sizeof caches);

	run(&in);
	if (!kmalloc_check())
		FAIL("kmalloc_check failed at the end");
	if (debug && memdebug_check_heap() != 0)
		FAIL("memdebug found a corruption nobody made");
	while (m.n > 0)
		give_back(m.n - 1);
	for (unsigned s = 0; s < CACHES; s++)
		if (caches[s] && kmem_cache_destroy(caches[s]) != 0)
			FAIL("destroy of an idle cache");
	kmem_shrink();
	struct zone_snapshot end = zone_snapshot(&hz.z);
	if (!zone_snapshot_equal(&start, &end) || !kmalloc_check())
		FAIL("zone not back to its start: %zu free, %zu at the start", end.free_pages,
		     start.free_pages);
	return 0;
}
