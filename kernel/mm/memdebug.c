/* memdebug.c: layer: slots (above slabs; magazine.c is its peer and neither
 * calls the other). Red zones, poisoning and allocation tracking for the slab
 * caches and kmalloc (the slot layout is in mm.h); the whole-heap walks are
 * memdebug_report.c's. Plain C over the allocators' structures, so the host
 * tests drive it too. */
#include "mm.h"
#include "slab_link.h"

enum slot_state {
	SLOT_NEW = 0x4E455721u,   /* never handed out */
	SLOT_LIVE = 0x4C495645u,  /* handed out */
	SLOT_FREED = 0x46524545u, /* handed out, then freed */
};

/* The end of every slot. `link` is the slab free-list link while the slot is
 * free, so a freed object can be poisoned whole. */
struct memdebug_track {
	uintptr_t alloc_site, free_site;
	uintptr_t link;
	uint32_t size; /* bytes asked */
	uint32_t state;
};

static bool enabled;
static struct buddy_zone *debug_zone; /* the zone of the debug caches */
static struct memdebug_report last;
static size_t counts[MEMDEBUG_KINDS];

static const char *const kind_names[MEMDEBUG_KINDS] = {
	[MEMDEBUG_NONE] = "none",
	[MEMDEBUG_OVERFLOW] = "overflow",
	[MEMDEBUG_UNDERFLOW] = "underflow",
	[MEMDEBUG_WRITE_AFTER_FREE] = "write after free",
	[MEMDEBUG_DOUBLE_FREE] = "double free",
	[MEMDEBUG_INTERIOR_FREE] = "free of an interior pointer",
	[MEMDEBUG_INVALID_FREE] = "invalid free",
	[MEMDEBUG_WRONG_CACHE] = "free to the wrong cache",
	[MEMDEBUG_OUT_OF_MEMORY] = "out of memory",
};

void memdebug_enable(bool on)
{
	enabled = on;
	last = (struct memdebug_report){ 0 };
	for (unsigned k = 0; k < MEMDEBUG_KINDS; k++)
		counts[k] = 0;
}

bool memdebug_enabled(void)
{
	return enabled;
}

const struct memdebug_report *memdebug_last_report(void)
{
	return &last;
}

size_t memdebug_count(enum memdebug_kind kind)
{
	return kind < MEMDEBUG_KINDS ? counts[kind] : 0;
}

const char *memdebug_kind_name(enum memdebug_kind kind)
{
	return kind < MEMDEBUG_KINDS ? kind_names[kind] : "?";
}

static unsigned long addr(uintptr_t a)
{
	return (unsigned long)a;
}

/* ---- slot geometry ---- */

static size_t round_up(size_t n, size_t align)
{
	return (n + align - 1) & ~(align - 1);
}

void memdebug_cache_geometry(struct kmem_cache *c, size_t size, size_t align)
{
	size_t left = align; /* keeps the object aligned inside an aligned slot */
	size_t track = round_up(left + size + MEMDEBUG_MIN_REDZONE, sizeof(uintptr_t));

	c->flags |= KMEM_CACHE_DEBUG;
	c->user_offset = (uint32_t)left;
	c->track_offset = (uint32_t)track;
	c->free_offset = (uint32_t)(track + offsetof(struct memdebug_track, link));
	c->size = (uint32_t)round_up(track + sizeof(struct memdebug_track), align);
	c->recip = UINT32_MAX / c->size + 1;
	debug_zone = c->zone;
}

static struct memdebug_track *track_of(const struct kmem_cache *c, uintptr_t slot)
{
	return (struct memdebug_track *)(slot + c->track_offset);
}

static uintptr_t user_of(const struct kmem_cache *c, uintptr_t slot)
{
	return slot + c->user_offset;
}

/* Poisoning would destroy what a constructor built, so those caches get red
 * zones and tracking only (as SLUB does). */
static bool poisons(const struct kmem_cache *c)
{
	return c->ctor == NULL;
}

/* A slot of a new slab: red zones and poison written, state new. The slab
 * layer has already put the slot on its free list: its link stays. */
static void slot_init(const struct kmem_cache *c, uintptr_t slot)
{
	uintptr_t user = user_of(c, slot);
	struct memdebug_track *t = track_of(c, slot);

	LIB_NAME(memset)((void *)slot, MEMDEBUG_REDZONE, c->user_offset);
	if (poisons(c))
		LIB_NAME(memset)((void *)user, MEMDEBUG_FREED, c->object_size);
	LIB_NAME(memset)((void *)(user + c->object_size), MEMDEBUG_REDZONE,
			 c->track_offset - c->user_offset - c->object_size);
	t->alloc_site = 0;
	t->free_site = 0;
	t->size = 0;
	t->state = SLOT_NEW;
}

void memdebug_slab_init(const struct kmem_cache *c, const struct page *head)
{
	uintptr_t base = (uintptr_t)buddy_page_addr(c->zone, head);

	for (size_t i = 0; i < c->objects; i++)
		slot_init(c, base + i * c->size);
}

/* ---- findings ---- */

/* true when every byte of [p, p + n) is `want`; a word at a time, as the
 * checks run on every allocation and free */
static bool all_bytes_are(uintptr_t p, size_t n, uint8_t want)
{
	typedef uintptr_t __attribute__((may_alias)) word;
	uintptr_t pattern = (uintptr_t)-1 / 0xFF * want, end = p + n;

	for (; p < end && (p & (sizeof(word) - 1)); p++)
		if (*(const uint8_t *)p != want)
			return false;
	for (; end - p >= sizeof(word); p += sizeof(word))
		if (*(const word *)p != pattern)
			return false;
	for (; p < end; p++)
		if (*(const uint8_t *)p != want)
			return false;
	return true;
}

/* The first and count of bytes in [p, p + n) that are not `want`. */
static size_t changed_bytes(uintptr_t p, size_t n, uint8_t want, size_t *first)
{
	const uint8_t *b = (const uint8_t *)p;
	size_t count = 0;

	if (all_bytes_are(p, n, want))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (b[i] != want && count++ == 0)
			*first = i;
	return count;
}

static void record(enum memdebug_kind kind, const struct kmem_cache *c, uintptr_t object,
		   const struct memdebug_track *t)
{
	last = (struct memdebug_report){
		.kind = kind,
		.object = object,
		.size = t ? t->size : 0,
		.cache = c ? c->name : "kmalloc-large",
		.alloc_site = t ? t->alloc_site : 0,
		.free_site = t ? t->free_site : 0,
	};
	counts[kind]++;
}

/* "at <site>" for a report line */
static const char *site_text(char *buf, size_t len, uintptr_t site)
{
	if (!site)
		return "an unknown site";
	mm_describe_site(buf, len, site);
	return buf;
}

/* Checks the red zones of a slot whose object has `size` bytes; reports a
 * change (once per side) and writes the red zones back. */
static bool check_red_zones(const struct kmem_cache *c, uintptr_t slot, const char *when)
{
	const struct memdebug_track *t = track_of(c, slot);
	uintptr_t user = user_of(c, slot), right = user + t->size;
	size_t right_len = slot + c->track_offset - right, first = 0, n;
	char site[80];
	bool ok = true;

	if ((n = changed_bytes(slot, c->user_offset, MEMDEBUG_REDZONE, &first)) != 0) {
		record(MEMDEBUG_UNDERFLOW, c, user, t);
		last.first_bad = c->user_offset - first; /* bytes before the object */
		last.bad_bytes = n;
		mm_report("memdebug: underflow %s: %zu byte(s) changed up to %zu before object "
			  "0x%08lx (%u bytes, cache %s) allocated at %s",
			  when, n, last.first_bad, addr(user), t->size, c->name,
			  site_text(site, sizeof site, t->alloc_site));
		LIB_NAME(memset)((void *)slot, MEMDEBUG_REDZONE, c->user_offset);
		ok = false;
	}
	if ((n = changed_bytes(right, right_len, MEMDEBUG_REDZONE, &first)) != 0) {
		record(MEMDEBUG_OVERFLOW, c, user, t);
		last.first_bad = t->size + first;
		last.bad_bytes = n;
		mm_report("memdebug: overflow %s: %zu byte(s) changed from offset %zu of object "
			  "0x%08lx (%u bytes, cache %s) allocated at %s",
			  when, n, last.first_bad, addr(user), t->size, c->name,
			  site_text(site, sizeof site, t->alloc_site));
		LIB_NAME(memset)((void *)right, MEMDEBUG_REDZONE, right_len);
		ok = false;
	}
	return ok;
}

/* Checks a free (or never used) slot's poison; reports a change. */
static bool check_poison(const struct kmem_cache *c, uintptr_t slot, const char *when)
{
	const struct memdebug_track *t = track_of(c, slot);
	uintptr_t user = user_of(c, slot);
	size_t first = 0, n;
	char a[80], f[80];

	if (!poisons(c) || (n = changed_bytes(user, c->object_size, MEMDEBUG_FREED, &first)) == 0)
		return true;
	record(MEMDEBUG_WRITE_AFTER_FREE, c, user, t);
	last.first_bad = first;
	last.bad_bytes = n;
	if (t->state == SLOT_NEW)
		mm_report("memdebug: write to never-allocated object 0x%08lx (cache %s) found %s: "
			  "%zu byte(s) changed from offset %zu",
			  addr(user), c->name, when, n, first);
	else
		mm_report("memdebug: write after free %s: %zu byte(s) changed from offset %zu of "
			  "object 0x%08lx (%u bytes, cache %s) allocated at %s, freed at %s",
			  when, n, first, addr(user), t->size, c->name,
			  site_text(a, sizeof a, t->alloc_site), site_text(f, sizeof f, t->free_site));
	LIB_NAME(memset)((void *)user, MEMDEBUG_FREED, c->object_size);
	return false;
}

/* ---- allocation and free ---- */

void *memdebug_alloc(struct kmem_cache *c, size_t size, uintptr_t site)
{
	uintptr_t slot = (uintptr_t)__slab_alloc_slot(c);
	if (!slot)
		return NULL; /* no slab has a slot: the cache front grows the cache */
	struct memdebug_track *t = track_of(c, slot);
	uintptr_t user = user_of(c, slot);

	check_poison(c, slot, "when it was handed out again");
	t->size = (uint32_t)c->object_size; /* the red zones as they were while free */
	check_red_zones(c, slot, "found when it was handed out again");
	*t = (struct memdebug_track){ .alloc_site = site, .size = (uint32_t)size, .state = SLOT_LIVE };
	if (poisons(c))
		LIB_NAME(memset)((void *)user, MEMDEBUG_NEW, size);
	LIB_NAME(memset)((void *)(user + size), MEMDEBUG_REDZONE,
			 slot + c->track_offset - (user + size));
	return (void *)user;
}

/* The slot an object pointer of c belongs to, or 0 when ptr lies in no slot's
 * object (it may be inside a red zone or the track). *inside: bytes past the
 * object's start. */
static uintptr_t slot_containing(const struct kmem_cache *c, uintptr_t ptr, size_t *inside)
{
	uint32_t offset = slab_offset(c, (const void *)ptr);
	uint32_t i = index_of(c, offset);

	if (offset >= c->objects_bytes)
		return 0;
	uintptr_t slot = ptr - (offset - i * c->size);
	*inside = ptr - user_of(c, slot);
	return ptr >= user_of(c, slot) ? slot : 0;
}

/* A free that is not of a live object's start: named, then ignored. */
static void refuse_free(const struct kmem_cache *c, uintptr_t ptr, uintptr_t site)
{
	size_t inside = 0;
	uintptr_t slot = slot_containing(c, ptr, &inside);
	char s[80], a[80], f[80];

	site_text(s, sizeof s, site);
	if (!slot) {
		record(MEMDEBUG_INVALID_FREE, c, 0, NULL);
		last.pointer = ptr;
		mm_report("memdebug: invalid free of 0x%08lx at %s: not an object of cache %s",
			  addr(ptr), s, c->name);
		return;
	}
	const struct memdebug_track *t = track_of(c, slot);
	uintptr_t user = user_of(c, slot);
	if (inside != 0) {
		record(MEMDEBUG_INTERIOR_FREE, c, user, t->state == SLOT_LIVE ? t : NULL);
		last.pointer = ptr;
		mm_report("memdebug: free of interior pointer 0x%08lx at %s: %zu bytes into "
			  "object 0x%08lx (cache %s)",
			  addr(ptr), s, inside, addr(user), c->name);
	} else if (t->state == SLOT_FREED) {
		record(MEMDEBUG_DOUBLE_FREE, c, user, t);
		last.pointer = ptr;
		mm_report("memdebug: double free of 0x%08lx (%u bytes, cache %s) at %s: allocated "
			  "at %s, already freed at %s",
			  addr(user), t->size, c->name, s, site_text(a, sizeof a, t->alloc_site),
			  site_text(f, sizeof f, t->free_site));
	} else {
		record(MEMDEBUG_INVALID_FREE, c, user, NULL);
		last.pointer = ptr;
		mm_report("memdebug: invalid free of 0x%08lx at %s: object of cache %s never "
			  "allocated",
			  addr(ptr), s, c->name);
	}
}

/* the slot of a live object that starts at ptr, else 0 */
static uintptr_t live_slot(const struct kmem_cache *c, uintptr_t ptr)
{
	size_t inside = 0;
	uintptr_t slot = slot_containing(c, ptr, &inside);

	return slot && inside == 0 && track_of(c, slot)->state == SLOT_LIVE ? slot : 0;
}

void memdebug_free(struct kmem_cache *c, void *ptr, uintptr_t site)
{
	uintptr_t slot = live_slot(c, (uintptr_t)ptr);
	if (!slot) {
		refuse_free(c, (uintptr_t)ptr, site);
		return;
	}
	struct memdebug_track *t = track_of(c, slot);

	check_red_zones(c, slot, "found when it was freed");
	t->free_site = site;
	t->state = SLOT_FREED;
	if (poisons(c))
		LIB_NAME(memset)(ptr, MEMDEBUG_FREED, c->object_size);
	/* the red zone starts after the largest object again */
	LIB_NAME(memset)((void *)((uintptr_t)ptr + c->object_size), MEMDEBUG_REDZONE,
			 c->track_offset - c->user_offset - c->object_size);
	__slab_free_slot(c, (void *)slot);
}

size_t memdebug_usable_size(const struct kmem_cache *c, const void *ptr)
{
	uintptr_t slot = live_slot(c, (uintptr_t)ptr);

	if (slot)
		return track_of(c, slot)->size;
	refuse_free(c, (uintptr_t)ptr, 0);
	return 0;
}

void memdebug_wrong_cache(const struct kmem_cache *c, const struct page *page, const void *obj,
			  uintptr_t site)
{
	const struct kmem_cache *owner = page->cache;
	uintptr_t slot = (owner->flags & KMEM_CACHE_DEBUG) ? live_slot(owner, (uintptr_t)obj) : 0;
	const struct memdebug_track *t = slot ? track_of(owner, slot) : NULL;
	char s[80], a[80];

	record(MEMDEBUG_WRONG_CACHE, owner, (uintptr_t)obj, t);
	mm_report("memdebug: object 0x%08lx freed to cache %s at %s but it belongs to cache %s "
		  "(allocated at %s); ignored",
		  addr((uintptr_t)obj), c->name, site_text(s, sizeof s, site), owner->name,
		  site_text(a, sizeof a, t ? t->alloc_site : 0));
}

/* ---- large blocks: the head frame keeps the site, the slack its length ---- */

static size_t block_bytes(const struct page *head)
{
	return head->npages << PAGE_SHIFT;
}

/* the slack's length is kept in head->inuse (below PAGE_SIZE) */
size_t memdebug_large_size(const struct page *head)
{
	return block_bytes(head) - head->inuse;
}

void memdebug_large_alloc(struct page *head, void *block, size_t size, uintptr_t site)
{
	size_t slack = block_bytes(head) - size;

	head->site = site;
	head->inuse = (uint16_t)slack; /* < PAGE_SIZE */
	LIB_NAME(memset)((char *)block + size, MEMDEBUG_REDZONE, slack);
}

static bool check_large(const struct page *head, uintptr_t block, const char *when)
{
	size_t size = memdebug_large_size(head), first = 0;
	size_t n = changed_bytes(block + size, head->inuse, MEMDEBUG_REDZONE, &first);
	struct memdebug_track t = { .alloc_site = head->site, .size = (uint32_t)size };
	char a[80];

	if (n == 0)
		return true;
	record(MEMDEBUG_OVERFLOW, NULL, block, &t);
	last.first_bad = size + first;
	last.bad_bytes = n;
	mm_report("memdebug: overflow %s: %zu byte(s) changed from offset %zu of block 0x%08lx "
		  "(%zu bytes, kmalloc-large) allocated at %s",
		  when, n, last.first_bad, addr(block), size, site_text(a, sizeof a, head->site));
	return false;
}

void memdebug_large_free(struct page *head, void *block)
{
	check_large(head, (uintptr_t)block, "found when it was freed");
	head->site = 0;
	head->inuse = 0;
}

/* ---- for the whole-heap walks of memdebug_report.c ---- */

struct buddy_zone *__memdebug_zone(void)
{
	return debug_zone;
}

size_t __memdebug_check_slot(const struct kmem_cache *c, uintptr_t slot)
{
	struct memdebug_track *t = track_of(c, slot);
	uint32_t size = t->size;
	size_t problems = 0;

	if (t->state != SLOT_LIVE) {
		problems += !check_poison(c, slot, "by the heap check");
		t->size = (uint32_t)c->object_size; /* the red zone of a free slot */
	}
	problems += !check_red_zones(c, slot, "found by the heap check");
	t->size = size;
	return problems;
}

bool __memdebug_check_large(const struct page *head, uintptr_t block)
{
	return check_large(head, block, "found by the heap check");
}

bool __memdebug_slot_is_live(const struct kmem_cache *c, uintptr_t slot, uintptr_t *site, size_t *size)
{
	const struct memdebug_track *t = track_of(c, slot);

	*site = t->alloc_site;
	*size = t->size;
	return t->state == SLOT_LIVE;
}

void __memdebug_out_of_memory(size_t size)
{
	record(MEMDEBUG_OUT_OF_MEMORY, NULL, 0, NULL);
	last.cache = NULL; /* the zone as a whole, not one cache */
	last.size = size;
}
