/* pagesim.h: page replacement on recorded page-reference traces (issue 16).
 * A trace is a string of page references; replaying it with F frames through
 * a policy counts the faults: VlsOs's own (the kernel's clock, page_clock.c,
 * with reclaim.c's watermarks), the clock taking one page a fault, exact LRU,
 * FIFO and Belady's OPT. reduce.c makes traces from valgrind lackey's output.
 * docs/memory.md ("Page replacement on recorded traces") says what the
 * figures mean. Functions return 0 or a negative ERR_* (errors.h). */
#ifndef VLSOS_PAGESIM_H
#define VLSOS_PAGESIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- pagemap.c: page numbers of any size to dense numbers 0, 1, 2, ... ---- */
struct page_map {
	uint64_t *keys;
	uint32_t *values;
	uint32_t capacity; /* a power of two; 0 before the first page */
	uint32_t count;    /* pages numbered: the next page gets this number */
};
/* the number of PAGE, given it in the order pages first come: 0 or ERR_NOMEM */
int page_map_number(struct page_map *m, uint64_t page, uint32_t *number);
void page_map_free(struct page_map *m);

/* ---- trace.c: a trace in memory ---- */
struct trace {
	uint32_t *refs;  /* each reference's page, numbered 0 .. pages - 1 */
	size_t length;   /* references */
	size_t capacity; /* of refs */
	uint32_t pages;  /* distinct pages: the first touches every policy faults on */
	uint32_t window; /* the reduction's window (reduce.c): exact from this many frames; 1: none */
	struct page_map numbers;
};
/* appends one reference to page PAGE (any number: traces are renumbered) */
int trace_add(struct trace *t, uint64_t page);
/* A trace file: one page number a line (decimal); '#' lines are comments, and
 * "# window N" says the trace was reduced with window N. A bad line is
 * named in ERROR (TRACE_ERROR_MAX bytes) with its line number and ERR_INVAL
 * returned. T is the caller's to free, whatever the result. */
#define TRACE_ERROR_MAX 160
int trace_read(FILE *in, const char *name, struct trace *t, char error[TRACE_ERROR_MAX]);
void trace_free(struct trace *t);

/* ---- policies.c: replays ---- */
/* Watermarks as reclaim.c has them: a fault that finds fewer than LOW frames
 * free first takes pages until HIGH are free. {1, 1} takes one page a fault,
 * the clock as textbooks give it. */
struct clock_marks {
	uint32_t low, high;
};
struct clock_result {
	uint64_t faults;
	uint64_t reclaims; /* faults that found fewer than the low mark free */
	uint64_t steps;    /* places the hand looked at */
	uint64_t sweeps;   /* times the hand came round */
	uint64_t spared;   /* second chances */
};
/* Faults of T with FRAMES frames; ERR_INVAL for 0 frames (or a low mark of 0,
 * or below the high), ERR_NOMEM. */
int replay_clock(const struct trace *t, uint32_t frames, struct clock_marks marks,
		 struct clock_result *out);
int replay_lru(const struct trace *t, uint32_t frames, uint64_t *faults);
int replay_fifo(const struct trace *t, uint32_t frames, uint64_t *faults);
int replay_opt(const struct trace *t, uint32_t frames, uint64_t *faults);

/* ---- reduce.c: lackey's output to a trace ---- */
/* One line of `valgrind --tool=lackey --trace-mem=yes`: a data reference
 * (" L addr,size", " S ...", " M ...") gives the pages it touches (two when
 * it crosses a page's end) in PAGES and returns how many; an instruction
 * fetch ("I  ...") and valgrind's own lines ("==pid== ...") give 0; a line
 * that starts as a data reference and is not one gives ERR_INVAL. */
int lackey_pages(const char *line, uint64_t pages[2]);

/* Trace reduction. The references are cut greedily into stretches of at
 * most WINDOW distinct pages, and each stretch into intervals at the
 * references to a page new to the stretch (the only places a fault can come
 * with WINDOW frames or more, but where the clock takes a page it was
 * using). Of each interval only the first and the last reference to each
 * page are kept, and no repeat of the page kept just before. With at least
 * WINDOW frames, LRU and OPT fault on the reduced trace exactly as on the
 * whole one: it keeps every stretch's first and last reference to each
 * page, Kaplan, Smaragdakis and Wilson's "safely allowed drop" (SIGMETRICS
 * 1999; docs/memory.md has the argument). The clock, not a stack algorithm,
 * keeps what it sees at every fault but one after it took a page of the
 * stretch, so it comes out nearly the same (the tests measure how near).
 * WINDOW 1 keeps every reference but the repeats. */
#define REDUCE_WINDOW_MAX 4096
struct stretch_page {
	uint64_t page;
	uint64_t first, last; /* its first and last reference in the interval */
	uint64_t interval;    /* the interval those are of */
};
struct kept_ref {
	uint64_t position, page;
};
struct reducer {
	uint32_t window;
	struct stretch_page *pages; /* the stretch's, WINDOW at most */
	uint32_t count;
	uint32_t *slots; /* open addressing over pages: index + 1, 0 for none */
	uint32_t slot_mask;
	uint32_t *touched; /* the pages the interval referenced, by index */
	uint32_t touched_count;
	struct kept_ref *kept_buf; /* an interval's kept references, to be sorted */
	uint64_t interval;         /* intervals closed */
	uint64_t position;         /* references taken */
	uint64_t kept;             /* references handed to emit */
	bool have_last;
	uint64_t last_kept; /* the page kept last, for the repeat */
	int (*emit)(void *ctx, uint64_t page);
	void *ctx;
};
int reducer_init(struct reducer *r, uint32_t window, int (*emit)(void *ctx, uint64_t page), void *ctx);
int reducer_add(struct reducer *r, uint64_t page);
int reducer_finish(struct reducer *r); /* hands over the last interval */
void reducer_free(struct reducer *r);

#endif
