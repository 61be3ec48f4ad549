/* mm_host.h: what the allocator host tests (and the fuzz target) share: a
 * zone over a page-aligned host arena, questions about the reports the host
 * glue (mm_glue.c) recorded, and a model of live allocations (a shadow map at
 * 8-byte grain, a fill pattern per allocation) that catches overlap, stray
 * writes and pointers outside the arena. Include from one translation unit. */
#ifndef VLSOS_MM_HOST_H
#define VLSOS_MM_HOST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/mm/mm.h"
#include "mm_glue.h"

#define ARENA_ALIGN ((size_t)4 << 20) /* so pfn alignment is address alignment */

/* ---- the reports mm_glue.c recorded ---- */

static void reports_clear(void)
{
	reports.count = 0;
	reports.last[0] = '\0';
}

/* true when exactly one report came since reports_clear and it contains `want` */
static bool reported_once(const char *want)
{
	return reports.count == 1 && strstr(reports.last, want) != NULL;
}

/* ---- a zone over a host arena ---- */

struct host_zone {
	struct buddy_zone z;
	unsigned char *arena;
	struct page *pages;
	uint32_t *live; /* the zone's live map */
	size_t npages;
};

/* A zone of npages frames, every one reserved. */
static void host_zone_init(struct host_zone *h, size_t npages)
{
	size_t bytes = (npages * PAGE_SIZE + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1);

	h->arena = aligned_alloc(ARENA_ALIGN, bytes);
	h->pages = calloc(npages, sizeof(struct page));
	h->live = calloc(1, LIVE_MAP_BYTES(npages));
	h->npages = npages;
	if (!h->arena || !h->pages || !h->live) {
		printf("Bail out! no memory for a %zu-frame host arena\n", npages);
		exit(1);
	}
	buddy_init(&h->z, (uintptr_t)h->arena, h->pages, npages);
	h->z.live_map = h->live;
}

static void host_zone_free(struct host_zone *h)
{
	free(h->arena);
	free(h->pages);
	free(h->live);
	h->arena = NULL;
	h->pages = NULL;
	h->live = NULL;
}

/* The free-list counts of a zone, to compare before and after. */
struct zone_snapshot {
	size_t nr_free[BUDDY_MAX_ORDER + 1];
	size_t free_pages, allocated_pages, reserved_pages;
};

static struct zone_snapshot zone_snapshot(const struct buddy_zone *z)
{
	struct zone_snapshot s;

	memcpy(s.nr_free, z->nr_free, sizeof s.nr_free);
	s.free_pages = z->free_pages;
	s.allocated_pages = z->allocated_pages;
	s.reserved_pages = z->reserved_pages;
	return s;
}

static bool zone_snapshot_equal(const struct zone_snapshot *a, const struct zone_snapshot *b)
{
	return memcmp(a, b, sizeof *a) == 0;
}

/* ---- the model of live allocations ---- */

struct live {
	unsigned char *p;
	size_t size;
	uint8_t tag;
	int kind; /* the test's own use: which allocator, which cache */
};

struct model {
	struct live *v;
	size_t n, cap;
	uint8_t *shadow; /* one byte per 8 arena bytes: 1 while some allocation holds it */
	uintptr_t lo, hi;
	unsigned tags;
	char err[256]; /* the first violation */
};

static void model_init(struct model *m, const struct host_zone *h)
{
	memset(m, 0, sizeof *m);
	m->lo = (uintptr_t)h->arena;
	m->hi = m->lo + h->npages * PAGE_SIZE;
	m->shadow = calloc((m->hi - m->lo) / 8, 1);
	if (!m->shadow) {
		printf("Bail out! no memory for the shadow map\n");
		exit(1);
	}
}

static void model_free(struct model *m)
{
	free(m->shadow);
	free(m->v);
	memset(m, 0, sizeof *m);
}

static bool model_fail(struct model *m, const char *fmt, ...)
{
	va_list ap;

	if (m->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(m->err, sizeof m->err, fmt, ap);
		va_end(ap);
	}
	return false;
}

static size_t shadow_units(size_t size)
{
	return size == 0 ? 1 : (size + 7) / 8;
}

/* Takes a new allocation into the model: checks it is aligned, inside the
 * arena and clear of every live one, then fills it with its tag. */
static bool model_add(struct model *m, void *ptr, size_t size, size_t align, int kind)
{
	uintptr_t a = (uintptr_t)ptr;
	size_t units = shadow_units(size);

	if (ptr == NULL)
		return model_fail(m, "allocation of %zu returned NULL", size);
	if (a % align)
		return model_fail(m, "%p (size %zu) is not %zu-aligned", ptr, size, align);
	if (a < m->lo || a >= m->hi || units * 8 > m->hi - a)
		return model_fail(m, "%p (size %zu) is outside the arena", ptr, size);
	uint8_t *s = m->shadow + (a - m->lo) / 8;
	if (memchr(s, 1, units) != NULL)
		return model_fail(m, "%p (size %zu) overlaps a live allocation", ptr, size);
	memset(s, 1, units);
	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 256;
		m->v = realloc(m->v, m->cap * sizeof *m->v);
	}
	uint8_t tag = (uint8_t)(++m->tags * 151 + 7);
	m->v[m->n++] = (struct live){ ptr, size, tag ? tag : 1, kind };
	memset(ptr, m->v[m->n - 1].tag, size);
	return true;
}

/* Checks that live allocation i still holds its tag over its first `size` bytes. */
static bool model_intact(struct model *m, size_t i, size_t size)
{
	const struct live *l = &m->v[i];
	static unsigned char want[4096];

	memset(want, l->tag, sizeof want);
	for (size_t k = 0; k < size; k += sizeof want) {
		size_t chunk = size - k < sizeof want ? size - k : sizeof want;
		if (memcmp(l->p + k, want, chunk) == 0)
			continue;
		while (l->p[k] == l->tag)
			k++;
		return model_fail(m, "%p (size %zu): byte %zu is 0x%02x, not 0x%02x", (void *)l->p,
				  l->size, k, l->p[k], l->tag);
	}
	return true;
}

/* Drops live allocation i from the model (before the allocator frees it). */
static bool model_del(struct model *m, size_t i)
{
	const struct live *l = &m->v[i];
	bool ok = model_intact(m, i, l->size);

	memset(m->shadow + ((uintptr_t)l->p - m->lo) / 8, 0, shadow_units(l->size));
	m->v[i] = m->v[--m->n];
	return ok;
}

#endif
