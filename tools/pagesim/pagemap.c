/* pagemap.c: page numbers to dense numbers (pagesim.h), by open addressing. */
#include "pagesim.h"

#include <stdlib.h>

#include "errors.h"

#define MAP_FIRST_CAPACITY 1024u
#define MAP_MAX_CAPACITY (1u << 31)

/* Fibonacci hashing: page numbers come in runs, which the multiply spreads */
static uint32_t slot_of(uint64_t page, uint32_t capacity)
{
	return (uint32_t)((page * 0x9E3779B97F4A7C15u) >> 32) & (capacity - 1);
}

/* where PAGE is, or the empty slot it would go to */
static uint32_t find(const struct page_map *m, uint64_t page)
{
	uint32_t i = slot_of(page, m->capacity);

	while (m->values[i] != UINT32_MAX && m->keys[i] != page)
		i = (i + 1) & (m->capacity - 1);
	return i;
}

static int grow(struct page_map *m)
{
	uint32_t capacity = m->capacity ? m->capacity * 2 : MAP_FIRST_CAPACITY;

	if (m->capacity >= MAP_MAX_CAPACITY)
		return ERR_NOMEM;
	struct page_map bigger = { .keys = malloc(capacity * sizeof *m->keys),
				   .values = malloc(capacity * sizeof *m->values),
				   .capacity = capacity,
				   .count = m->count };
	if (!bigger.keys || !bigger.values) {
		page_map_free(&bigger);
		return ERR_NOMEM;
	}
	for (uint32_t i = 0; i < capacity; i++)
		bigger.values[i] = UINT32_MAX; /* empty */
	for (uint32_t i = 0; i < m->capacity; i++) {
		if (m->values[i] == UINT32_MAX)
			continue;
		uint32_t to = find(&bigger, m->keys[i]);
		bigger.keys[to] = m->keys[i];
		bigger.values[to] = m->values[i];
	}
	page_map_free(m);
	*m = bigger;
	return 0;
}

int page_map_number(struct page_map *m, uint64_t page, uint32_t *number)
{
	/* at most half full, so that probes stay short */
	if ((m->count + 1) * 2 > m->capacity) {
		int err = grow(m);
		if (err)
			return err;
	}
	uint32_t i = find(m, page);
	if (m->values[i] == UINT32_MAX) {
		m->keys[i] = page;
		m->values[i] = m->count++;
	}
	*number = m->values[i];
	return 0;
}

void page_map_free(struct page_map *m)
{
	free(m->keys);
	free(m->values);
	*m = (struct page_map){ 0 };
}
