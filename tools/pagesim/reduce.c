/* reduce.c: valgrind lackey's output to a page-reference trace (pagesim.h). */
#include "pagesim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

#define PAGE_SHIFT 12 /* 4 KiB pages, on i386 as on x86-64 */
#define PAGE_BYTES (1u << PAGE_SHIFT)

int lackey_pages(const char *line, uint64_t pages[2])
{
	/* " L 1fff0005c0,4": a space, the kind, a space, hex address, size */
	if (line[0] != ' ')
		return 0;
	if (line[1] == '\0' || !strchr("LSM", line[1]) || line[2] != ' ')
		return ERR_INVAL;
	char *end;
	errno = 0;
	uint64_t addr = strtoull(line + 3, &end, 16);
	if (errno || end == line + 3 || *end != ',')
		return ERR_INVAL;
	const char *size_text = end + 1;
	uint64_t size = strtoull(size_text, &end, 10);
	if (errno || end == size_text || size == 0 || size > PAGE_BYTES ||
	    (*end != '\0' && *end != '\n'))
		return ERR_INVAL;
	pages[0] = addr >> PAGE_SHIFT;
	pages[1] = (addr + size - 1) >> PAGE_SHIFT;
	return pages[1] == pages[0] ? 1 : 2;
}

static uint32_t slot_of(uint64_t page, uint32_t mask)
{
	return (uint32_t)((page * 0x9E3779B97F4A7C15u) >> 32) & mask;
}

int reducer_init(struct reducer *r, uint32_t window, int (*emit)(void *ctx, uint64_t page), void *ctx)
{
	uint32_t slots = 2;

	*r = (struct reducer){ .window = window, .emit = emit, .ctx = ctx };
	if (window == 0 || window > REDUCE_WINDOW_MAX)
		return ERR_INVAL;
	while (slots < 2 * window) /* at most half full */
		slots *= 2;
	r->pages = malloc(window * sizeof *r->pages);
	r->touched = malloc(window * sizeof *r->touched);
	r->kept_buf = malloc(2 * window * sizeof *r->kept_buf);
	r->slots = calloc(slots, sizeof *r->slots);
	r->slot_mask = slots - 1;
	if (!r->pages || !r->touched || !r->kept_buf || !r->slots) {
		reducer_free(r);
		return ERR_NOMEM;
	}
	return 0;
}

/* the slot holding PAGE, or the empty one it would go in */
static uint32_t find(const struct reducer *r, uint64_t page)
{
	uint32_t i = slot_of(page, r->slot_mask);

	while (r->slots[i] && r->pages[r->slots[i] - 1].page != page)
		i = (i + 1) & r->slot_mask;
	return i;
}

static int by_position(const void *a, const void *b)
{
	const struct kept_ref *x = a, *y = b;
	return (x->position > y->position) - (x->position < y->position);
}

/* The interval's first and last reference to each page it touched, in the
 * order they came. */
static int close_interval(struct reducer *r)
{
	size_t n = 0;
	int err = 0;

	for (uint32_t i = 0; i < r->touched_count; i++) {
		const struct stretch_page *p = &r->pages[r->touched[i]];
		r->kept_buf[n++] = (struct kept_ref){ p->first, p->page };
		if (p->last != p->first)
			r->kept_buf[n++] = (struct kept_ref){ p->last, p->page };
	}
	qsort(r->kept_buf, n, sizeof *r->kept_buf, by_position);
	for (size_t i = 0; i < n && !err; i++) {
		if (r->have_last && r->kept_buf[i].page == r->last_kept)
			continue; /* a repeat once what was between went */
		err = r->emit(r->ctx, r->kept_buf[i].page);
		r->have_last = true;
		r->last_kept = r->kept_buf[i].page;
		r->kept++;
	}
	r->touched_count = 0;
	r->interval++;
	return err;
}

int reducer_add(struct reducer *r, uint64_t page)
{
	uint64_t position = r->position++;
	uint32_t slot = find(r, page);

	if (r->slots[slot]) {
		uint32_t i = r->slots[slot] - 1;
		struct stretch_page *p = &r->pages[i];
		if (p->interval != r->interval) {
			p->interval = r->interval;
			p->first = position;
			r->touched[r->touched_count++] = i;
		}
		p->last = position;
		return 0;
	}
	/* a page new to the stretch: where a fault may come */
	int err = close_interval(r);
	if (err)
		return err;
	if (r->count == r->window) {
		memset(r->slots, 0, (r->slot_mask + 1) * sizeof *r->slots);
		r->count = 0;
		slot = find(r, page);
	}
	r->pages[r->count] = (struct stretch_page){ page, position, position, r->interval };
	r->touched[r->touched_count++] = r->count;
	r->slots[slot] = ++r->count;
	return 0;
}

int reducer_finish(struct reducer *r)
{
	return close_interval(r);
}

void reducer_free(struct reducer *r)
{
	free(r->pages);
	free(r->touched);
	free(r->kept_buf);
	free(r->slots);
	*r = (struct reducer){ 0 };
}
