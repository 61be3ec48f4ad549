/* magazine.c: layer: slots (above slabs; memdebug.c is its peer and neither
 * calls the other). The magazine layer (mm.h) in front of a cache's slabs:
 * Bonwick and Adams, "Magazines and Vmem" (USENIX 2001), with one CPU. Each
 * cache has a loaded magazine (inline in its struct kmem_magazines), a
 * previous one, each either full or empty, and a depot of full and empty
 * magazines. Spare magazines come from a supply cache of their own, which
 * has no magazines itself.
 *
 * Which objects are handed out is kept in the zone's live map (page.h), not in
 * the objects: allocation sets an object's bit, a free checks and clears it. A
 * free is then checked exactly (an object's start, not already free, wherever
 * the free copy is: a magazine, the depot, its slab) with no read of the
 * object, and a magazine's objects keep every byte their owner left. */
#include "mm.h"
#include "slab_link.h"

bool __magazines_fit(const struct kmem_cache *c)
{
	/* a debug cache checks every free in full; objects under a grain would
	 * share their live bits; no live map, no magazines; objects handed out
	 * before have no live bit */
	return !(c->flags & KMEM_CACHE_DEBUG) && c->size >= LIVE_GRAIN && c->zone->live_map &&
	       !c->nr_slabs;
}

void __magazines_enable(struct kmem_cache *c, struct kmem_cache *supply)
{
	c->mag.supply = supply;
	c->flags |= KMEM_CACHE_MAGAZINES;
}

/* Takes a magazine off a depot list; *min follows the fewest the list held. */
static struct kmem_magazine *pop_list(struct kmem_magazine **list, size_t *count, size_t *min)
{
	struct kmem_magazine *m = *list;

	if (m) {
		*list = m->next;
		m->next = NULL;
		if (--*count < *min)
			*min = *count;
	}
	return m;
}

static void push_list(struct kmem_magazine **list, size_t *count, struct kmem_magazine *m)
{
	m->next = *list;
	*list = m;
	(*count)++;
}

/* An empty magazine from the depot, else a new one from the supply cache;
 * NULL when the zone has no frame for one (the object then goes to its slab:
 * a full zone is no time to hold more). */
static struct kmem_magazine *empty_magazine(struct kmem_cache *c)
{
	struct kmem_magazine *m =
		pop_list(&c->mag.depot_empty, &c->mag.depot_nr_empty, &c->mag.depot_min_empty);
	struct kmem_cache *supply = c->mag.supply;

	if (m)
		return m;
	m = __slab_alloc_slot(supply);
	if (!m && slab_grow(supply))
		m = __slab_alloc_slot(supply);
	if (m)
		*m = (struct kmem_magazine){ .rounds = 0 };
	return m;
}

/* A magazine no longer needed back to the supply cache. */
static void free_magazine(struct kmem_cache *c, struct kmem_magazine *m)
{
	struct kmem_cache *supply = c->mag.supply;

	__slab_free(supply, buddy_page(supply->zone, m), m);
}

static void copy_rounds(void **to, void *const *from, size_t n)
{
	for (size_t i = 0; i < n; i++)
		to[i] = from[i];
}

/* An empty magazine to the depot, which keeps KMEM_DEPOT_EMPTY of them (a
 * cache going from a free-heavy phase to an alloc-heavy one empties many; kept,
 * their frames would hold nothing) */
static void depot_put_empty(struct kmem_cache *c, struct kmem_magazine *m)
{
	if (c->mag.depot_nr_empty < KMEM_DEPOT_EMPTY)
		push_list(&c->mag.depot_empty, &c->mag.depot_nr_empty, m);
	else
		free_magazine(c, m);
}

/* The loaded magazine, empty, takes the rounds of the full magazine m, which
 * is then empty: Bonwick's exchange of the two, as a copy. */
static void load_from(struct kmem_cache *c, struct kmem_magazine *m)
{
	/* a pointer at a time: the fast paths then load each round as it was
	 * stored (a byte-wise copy would stall their loads on store forwarding) */
	copy_rounds(c->mag.loaded, m->obj, m->rounds);
	c->mag.rounds = (uint16_t)m->rounds;
	m->rounds = 0;
}

/* The loaded magazine, full, gives its rounds to the empty magazine m. */
static void unload_to(struct kmem_cache *c, struct kmem_magazine *m)
{
	copy_rounds(m->obj, c->mag.loaded, c->mag.rounds);
	m->rounds = c->mag.rounds;
	c->mag.rounds = 0;
}

static uintptr_t zone_offset(const struct kmem_cache *c, const void *obj)
{
	return (uintptr_t)obj - c->base;
}

static void *handed_out(struct kmem_cache *c, void *obj)
{
	if (obj) {
		uintptr_t off = zone_offset(c, obj);
		*live_word(c->zone->live_map, off) |= live_bit(off);
	}
	return obj;
}

/* Bonwick's allocation: loaded, else previous if full, else a full magazine
 * from the depot, else the slab layer. */
void *__magazine_alloc(struct kmem_cache *c)
{
	if (!c->mag.rounds) {
		struct kmem_magazine *full = c->mag.previous;
		if (!full || !full->rounds) {
			full = pop_list(&c->mag.depot_full, &c->mag.depot_nr_full,
					&c->mag.depot_min_full);
			if (!full)
				return handed_out(c, __slab_alloc_slot(c));
			/* the depot's full magazine becomes previous (emptied into
			 * loaded); an empty previous goes to the depot */
			if (c->mag.previous)
				depot_put_empty(c, c->mag.previous);
			c->mag.previous = full;
		}
		load_from(c, full);
	}
	void *obj = c->mag.loaded[--c->mag.rounds];
	c->mag.allocs++;
	return handed_out(c, obj);
}

/* Bonwick's free of a checked live object: loaded, else previous if empty,
 * else an empty magazine (the depot's or a new one) with a full previous going
 * to the depot, else the slab layer. */
static void magazine_put(struct kmem_cache *c, void *obj)
{
	if (c->mag.rounds == KMEM_MAGAZINE_ROUNDS) {
		struct kmem_magazine *empty = c->mag.previous;
		if (!empty || empty->rounds) {
			empty = empty_magazine(c);
			if (!empty) {
				__slab_free_slot(c, obj);
				return;
			}
			if (c->mag.previous)
				push_list(&c->mag.depot_full, &c->mag.depot_nr_full, c->mag.previous);
			c->mag.previous = empty;
		}
		unload_to(c, empty);
	}
	c->mag.loaded[c->mag.rounds++] = obj;
}

bool __magazine_is_live(const struct kmem_cache *c, const void *obj)
{
	return is_object_offset(c, slab_offset(c, obj)) &&
	       live_test(c->zone->live_map, zone_offset(c, obj));
}

void __magazine_free(struct kmem_cache *c, struct page *page, void *obj)
{
	uint32_t offset = slab_offset(c, obj);
	uintptr_t off = zone_offset(c, obj);

	if (!is_object_offset(c, offset) || !live_test(c->zone->live_map, off)) {
		__slab_report_bad_free(c, obj, offset);
		return;
	}
	*live_word(c->zone->live_map, off) &= ~live_bit(off);
	/* A slab that already has free objects (PAGE_PARTIAL) takes its own
	 * frees: it then empties in time and its frames go back to the zone for
	 * any cache, as they would with no magazines (held in magazines, a
	 * cache's objects would keep every slab it ever had). A full slab's
	 * object goes to a magazine, where the next allocation finds it. */
	if (page->flags & PAGE_PARTIAL)
		__slab_free_slot(c, obj);
	else
		magazine_put(c, obj);
}

/* Every object of m back to its slab, then m to the magazine cache. */
static size_t magazine_release(struct kmem_cache *c, struct kmem_magazine *m)
{
	size_t n = m->rounds;

	while (m->rounds)
		__slab_free_slot(c, m->obj[--m->rounds]);
	free_magazine(c, m);
	return n;
}

/* Gives up to `full` full and `empty` empty depot magazines back, their
 * objects to their slabs; then the working set starts again from here.
 * Returns the objects given back. */
static size_t release_depot(struct kmem_cache *c, size_t full, size_t empty)
{
	struct kmem_magazines *mg = &c->mag;
	struct kmem_magazine *m;
	size_t objects = 0;

	while (full-- > 0 && (m = pop_list(&mg->depot_full, &mg->depot_nr_full, &mg->depot_min_full)))
		objects += magazine_release(c, m);
	while (empty-- > 0 &&
	       (m = pop_list(&mg->depot_empty, &mg->depot_nr_empty, &mg->depot_min_empty)))
		magazine_release(c, m);
	mg->depot_min_full = mg->depot_nr_full;
	mg->depot_min_empty = mg->depot_nr_empty;
	return objects;
}

size_t __magazines_drain(struct kmem_cache *c)
{
	struct kmem_magazine *m = c->mag.previous;
	size_t objects = c->mag.rounds;

	while (c->mag.rounds)
		__slab_free_slot(c, c->mag.loaded[--c->mag.rounds]);
	c->mag.previous = NULL;
	if (m)
		objects += magazine_release(c, m);
	return objects + release_depot(c, SIZE_MAX, SIZE_MAX);
}

/* Bonwick's working set: depot magazines not lent out since the last reap
 * were not needed (the fewest the depot held meanwhile) */
size_t __magazines_reap(struct kmem_cache *c)
{
	return release_depot(c, c->mag.depot_min_full, c->mag.depot_min_empty);
}

void __magazines_count(const struct kmem_cache *c, size_t *objects, size_t *magazines)
{
	size_t n = c->mag.rounds, mags = c->mag.depot_nr_full + c->mag.depot_nr_empty;

	if (c->mag.previous) {
		n += c->mag.previous->rounds;
		mags++;
	}
	for (const struct kmem_magazine *m = c->mag.depot_full; m; m = m->next)
		n += m->rounds;
	*objects = n;
	*magazines = mags;
}

/* What is wrong with n rounds of c; NULL if nothing. */
static const char *check_rounds(const struct kmem_cache *c, void *const *rounds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const void *obj = rounds[i];
		struct page *page = buddy_page(c->zone, obj);
		if (!page || !(page->flags & PAGE_SLAB) || page->cache != c ||
		    !is_object_offset(c, slab_offset(c, obj)))
			return "holds something that is not an object of this cache";
		if (live_test(c->zone->live_map, zone_offset(c, obj)))
			return "holds an object the live map says is handed out";
	}
	return NULL;
}

/* ... of a magazine that must be full (want_full) or empty (!want_full) */
static const char *check_magazine(const struct kmem_cache *c, const struct kmem_magazine *m,
				  bool want_full)
{
	if (m->rounds != (want_full ? KMEM_MAGAZINE_ROUNDS : 0))
		return want_full ? "not full" : "not empty";
	return check_rounds(c, m->obj, m->rounds);
}

/* ... of a depot list that must hold `count` magazines, full or empty */
static const char *check_depot(const struct kmem_cache *c, const struct kmem_magazine *m, size_t count,
			       bool want_full)
{
	size_t n = 0;

	for (; m; m = m->next) {
		if (++n > count)
			return "more magazines than counted";
		const char *what = check_magazine(c, m, want_full);
		if (what)
			return what;
	}
	return n == count ? NULL : "fewer magazines than counted";
}

bool __magazines_check(const struct kmem_cache *c)
{
	const char *what = NULL, *where = "";
	bool on = c->flags & KMEM_CACHE_MAGAZINES;

	if (!on && (c->mag.rounds || c->mag.previous || c->mag.depot_full || c->mag.depot_empty))
		what = "magazines in a cache without the magazine layer";
	else if (c->mag.rounds > KMEM_MAGAZINE_ROUNDS)
		what = "rounds out of range", where = "loaded ";
	else if ((what = check_rounds(c, c->mag.loaded, c->mag.rounds)) != NULL)
		where = "loaded ";
	else if (c->mag.previous &&
		 (what = check_magazine(c, c->mag.previous, c->mag.previous->rounds != 0)) != NULL)
		where = "previous ";
	else if ((what = check_depot(c, c->mag.depot_full, c->mag.depot_nr_full, true)) != NULL)
		where = "depot full ";
	else if ((what = check_depot(c, c->mag.depot_empty, c->mag.depot_nr_empty, false)) != NULL)
		where = "depot empty ";
	if (what)
		mm_report("slab %s: check: %smagazine: %s", c->name, where, what);
	return what == NULL;
}
