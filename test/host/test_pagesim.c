/* sources: tools/pagesim/policies.c tools/pagesim/reduce.c tools/pagesim/trace.c tools/pagesim/pagemap.c kernel/vm/page_clock.c */
/* test_pagesim.c: tools/pagesim's replays and reduction. The policies on
 * textbook reference strings (Silberschatz's with 3 and 4 frames, Belady's
 * anomaly for FIFO), the clock hand-worked with the kernel's way of taking a
 * batch between watermarks, LRU, FIFO and OPT against plain quadratic
 * versions on random strings, OPT never beaten; the reduction exact for LRU
 * and OPT from its window up, the same for the clock, near for FIFO;
 * lackey's lines, trace files and their errors. */
#include "check.h"

#include "errors.h"
#include "../../tools/pagesim/pagesim.h"

#define LENGTH(a) (sizeof(a) / sizeof((a)[0]))

static const uint32_t textbook[] = { 7, 0, 1, 2, 0, 3, 0, 4, 2, 3, 0, 3, 2, 1, 2, 0, 1, 7, 0, 1 };
static const uint32_t anomaly[] = { 1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5 };
static const struct clock_marks one_a_fault = { 1, 1 };

static void trace_of(struct trace *t, const uint32_t *refs, size_t n)
{
	*t = (struct trace){ .window = 1 };
	for (size_t i = 0; i < n; i++)
		if (!CHECK_EQ_INT(trace_add(t, refs[i]), 0))
			return;
}

struct faults {
	uint64_t lru, fifo, opt, clock;
};

static struct faults replay_all(const struct trace *t, uint32_t frames)
{
	struct faults f = { 0 };
	struct clock_result c;

	CHECK_EQ_INT(replay_lru(t, frames, &f.lru), 0);
	CHECK_EQ_INT(replay_fifo(t, frames, &f.fifo), 0);
	CHECK_EQ_INT(replay_opt(t, frames, &f.opt), 0);
	CHECK_EQ_INT(replay_clock(t, frames, one_a_fault, &c), 0);
	f.clock = c.faults;
	return f;
}

/* Textbook strings and their faults: Silberschatz, Galvin and Gagne's with
 * three and four frames; Belady's anomaly, where FIFO faults more with four
 * frames than with three, and LRU and OPT, stack algorithms, never do */
static void test_textbook_strings(void)
{
	static const struct {
		const uint32_t *refs;
		size_t length;
		uint32_t frames;
		uint64_t opt, lru, fifo;
	} cases[] = {
		{ textbook, LENGTH(textbook), 3, 9, 12, 15 },
		{ textbook, LENGTH(textbook), 4, 8, 8, 10 },
		{ anomaly, LENGTH(anomaly), 3, 7, 10, 9 },
		{ anomaly, LENGTH(anomaly), 4, 6, 8, 10 },
	};

	for (size_t i = 0; i < LENGTH(cases); i++) {
		struct trace t;
		trace_of(&t, cases[i].refs, cases[i].length);
		struct faults f = replay_all(&t, cases[i].frames);
		CHECK_MSG(f.opt == cases[i].opt && f.lru == cases[i].lru && f.fifo == cases[i].fifo,
			  "case %zu, %u frames: OPT %ju, LRU %ju, FIFO %ju; want %ju, %ju, %ju", i,
			  cases[i].frames, (uintmax_t)f.opt, (uintmax_t)f.lru, (uintmax_t)f.fifo,
			  (uintmax_t)cases[i].opt, (uintmax_t)cases[i].lru, (uintmax_t)cases[i].fifo);
		trace_free(&t);
	}
}

/* The clock taking one page a fault, worked by hand on the textbook string
 * with three frames (frames given 0, 1, 2; the hand from 0; a page brought
 * in marked used): 7 0 1 fill the frames; 2 finds all used, clears them and
 * takes 7 on the second turn; 3 takes 1; 4 takes 2 after a whole turn;
 * 2 takes 0; 0 takes 3 after a whole turn; 3 takes 4; 1 takes 2 after a
 * whole turn; 2 takes 0; 0 takes 3; 7 takes 1 after a whole turn; 1 takes
 * 2: 14 faults. */
static void test_clock_by_hand(void)
{
	struct trace t;
	struct clock_result c;

	trace_of(&t, textbook, LENGTH(textbook));
	CHECK_EQ_INT(replay_clock(&t, 3, one_a_fault, &c), 0);
	CHECK_EQ_UINT(c.faults, 14);
	CHECK_EQ_UINT(c.reclaims, 11);
	trace_free(&t);
}

/* The kernel's way, with marks small enough to work by hand: four frames,
 * reclaim below 2 free, up to 3 free, on 1 2 3 1 4 5 1 6.
 *   1 2 3    faults; 1 free
 *   1        hit
 *   4        fault, 1 free < 2: the hand spares 1 2 3, passes the free frame
 *            3, takes 1 (frame 0) and 2 (frame 1): 6 looks, 1 sweep, 3 spared;
 *            4 goes to frame 1, the last freed
 *   5        fault, 2 free: no reclaim, frame 0
 *   1        fault, 1 free: takes 3 (frame 2) at once, then passes frame 3,
 *            spares 5 and 4, passes 2 and 3 and takes 5: 7 looks, 2 sweeps
 *            (the hand passed frame 3 twice), 2 spared; 1 goes to frame 0
 *   6        fault, 2 free: frame 2
 * 7 faults where LRU, keeping no frames free, has 6. */
static void test_clock_watermarks_by_hand(void)
{
	static const uint32_t refs[] = { 1, 2, 3, 1, 4, 5, 1, 6 };
	struct trace t;
	struct clock_result c;
	uint64_t lru;

	trace_of(&t, refs, LENGTH(refs));
	CHECK_EQ_INT(replay_clock(&t, 4, (struct clock_marks){ 2, 3 }, &c), 0);
	CHECK_EQ_UINT(c.faults, 7);
	CHECK_EQ_UINT(c.reclaims, 2);
	CHECK_EQ_UINT(c.steps, 13);
	CHECK_EQ_UINT(c.sweeps, 3);
	CHECK_EQ_UINT(c.spared, 5);
	CHECK_EQ_INT(replay_lru(&t, 4, &lru), 0);
	CHECK_EQ_UINT(lru, 6);
	trace_free(&t);
}

static void test_bad_arguments(void)
{
	struct trace t;
	struct clock_result c;
	uint64_t faults;

	trace_of(&t, anomaly, LENGTH(anomaly));
	CHECK_EQ_INT(replay_lru(&t, 0, &faults), ERR_INVAL);
	CHECK_EQ_INT(replay_fifo(&t, 0, &faults), ERR_INVAL);
	CHECK_EQ_INT(replay_opt(&t, 0, &faults), ERR_INVAL);
	CHECK_EQ_INT(replay_clock(&t, 0, one_a_fault, &c), ERR_INVAL);
	CHECK_EQ_INT(replay_clock(&t, 4, (struct clock_marks){ 0, 0 }, &c), ERR_INVAL);
	CHECK_EQ_INT(replay_clock(&t, 4, (struct clock_marks){ 3, 2 }, &c), ERR_INVAL);
	trace_free(&t);
	/* an empty trace faults nowhere */
	trace_of(&t, NULL, 0);
	struct faults none = replay_all(&t, 3);
	CHECK_EQ_UINT(none.lru + none.fifo + none.opt + none.clock, 0);
	trace_free(&t);
}

/* ---- against plain versions ---- */

enum plain_policy { PLAIN_LRU, PLAIN_FIFO, PLAIN_OPT };

/* O(length * frames): each frame's page, when it came and was last used;
 * the victim found by looking at every frame (OPT: by looking ahead) */
static uint64_t plain_faults(const struct trace *t, uint32_t frames, enum plain_policy policy)
{
	uint32_t page[64];
	size_t came[64], used[64], count = 0;
	uint64_t faults = 0;

	for (size_t i = 0; i < t->length; i++) {
		size_t f = 0;
		while (f < count && page[f] != t->refs[i])
			f++;
		if (f == count) {
			faults++;
			if (count < frames) {
				count++;
			} else {
				size_t victim = 0, best = 0;
				for (size_t g = 0; g < count; g++) {
					size_t key = policy == PLAIN_LRU    ? SIZE_MAX - used[g]
						     : policy == PLAIN_FIFO ? SIZE_MAX - came[g]
									    : t->length;
					for (size_t j = i + 1; policy == PLAIN_OPT && j < t->length; j++)
						if (t->refs[j] == page[g]) {
							key = j;
							break;
						}
					if (g == 0 || key > best) {
						best = key;
						victim = g;
					}
				}
				f = victim;
			}
			page[f] = t->refs[i];
			came[f] = i;
		}
		used[f] = i;
	}
	return faults;
}

static void random_string(struct trace *t, size_t length, uint32_t pages)
{
	*t = (struct trace){ .window = 1 };
	for (size_t i = 0; i < length; i++)
		if (!CHECK_EQ_INT(trace_add(t, check_rand_below(pages)), 0))
			return;
}

static void test_against_plain_versions(void)
{
	for (int round = 0; round < 200; round++) {
		struct trace t;
		uint32_t pages = 2 + (uint32_t)check_rand_below(20);
		uint32_t frames = 1 + (uint32_t)check_rand_below(24);
		random_string(&t, 1 + check_rand_below(300), pages);
		struct faults f = replay_all(&t, frames);
		bool same = CHECK_EQ_UINT(f.lru, plain_faults(&t, frames, PLAIN_LRU)) &&
			    CHECK_EQ_UINT(f.fifo, plain_faults(&t, frames, PLAIN_FIFO)) &&
			    CHECK_EQ_UINT(f.opt, plain_faults(&t, frames, PLAIN_OPT));
		trace_free(&t);
		if (!same)
			return;
	}
}

/* OPT is never beaten; nothing faults less than once a page; with a frame
 * for every page, nothing faults more (the kernel's way needs the low mark's
 * frames free besides) */
static void test_bounds(void)
{
	for (int round = 0; round < 200; round++) {
		struct trace t;
		struct clock_result kernel;
		uint32_t frames = 1 + (uint32_t)check_rand_below(40);
		random_string(&t, check_rand_below(2000), 1 + (uint32_t)check_rand_below(60));
		struct faults f = replay_all(&t, frames);
		CHECK_EQ_INT(replay_clock(&t, frames, (struct clock_marks){ 2, 4 }, &kernel), 0);
		bool ok = CHECK(f.opt <= f.lru && f.opt <= f.fifo && f.opt <= f.clock) &&
			  CHECK(f.opt <= kernel.faults) && CHECK(f.opt >= t.pages);
		if (ok && frames >= t.pages)
			ok = CHECK_EQ_UINT(f.lru, t.pages) && CHECK_EQ_UINT(f.fifo, t.pages) &&
			     CHECK_EQ_UINT(f.clock, t.pages);
		if (ok && frames >= t.pages + 1)
			ok = CHECK_EQ_UINT(kernel.faults, t.pages);
		trace_free(&t);
		if (!ok)
			return;
	}
}

/* ---- the reduction ---- */

static int add_to_trace(void *ctx, uint64_t page)
{
	return trace_add(ctx, page);
}

static void reduce(const struct trace *whole, uint32_t window, struct trace *out)
{
	struct reducer r;

	*out = (struct trace){ .window = window };
	if (!CHECK_EQ_INT(reducer_init(&r, window, add_to_trace, out), 0))
		return;
	for (size_t i = 0; i < whole->length; i++)
		CHECK_EQ_INT(reducer_add(&r, whole->refs[i]), 0);
	CHECK_EQ_INT(reducer_finish(&r), 0);
	CHECK_EQ_UINT(r.kept, out->length);
	CHECK_EQ_UINT(r.position, whole->length);
	reducer_free(&r);
}

/* a program's references, roughly: phases over a working set that drifts,
 * with runs of one page and two pages taken in turn (a copy) */
static void phased_string(struct trace *t, size_t length)
{
	uint32_t base = 0, set = 4 + (uint32_t)check_rand_below(40);

	*t = (struct trace){ .window = 1 };
	while (t->length < length) {
		if (check_rand_below(50) == 0) {
			base += (uint32_t)check_rand_below(30);
			set = 4 + (uint32_t)check_rand_below(40);
		}
		uint32_t a = base + (uint32_t)check_rand_below(set),
			 b = base + (uint32_t)check_rand_below(set);
		for (uint64_t n = 1 + check_rand_below(6); n > 0; n--)
			if (trace_add(t, a) || (check_rand_below(2) && trace_add(t, b)))
				return;
	}
}

/* LRU and OPT: the same faults from the window up, every time */
static void test_reduction_exact_for_lru_and_opt(void)
{
	for (int round = 0; round < 60; round++) {
		struct trace whole, reduced;
		uint32_t window = 1 + (uint32_t)check_rand_below(24);
		phased_string(&whole, 3000);
		reduce(&whole, window, &reduced);
		bool ok = CHECK(reduced.length <= whole.length) &&
			  CHECK_EQ_UINT(reduced.pages, whole.pages);
		for (uint32_t frames = window; ok && frames <= window + 40; frames += 1 + frames / 8) {
			uint64_t a, b;
			replay_lru(&whole, frames, &a);
			replay_lru(&reduced, frames, &b);
			ok = CHECK_MSG(a == b, "LRU, window %u, %u frames: %ju whole, %ju reduced",
				       window, frames, (uintmax_t)a, (uintmax_t)b);
			replay_opt(&whole, frames, &a);
			replay_opt(&reduced, frames, &b);
			ok = ok && CHECK_MSG(a == b, "OPT, window %u, %u frames: %ju whole, %ju reduced",
					     window, frames, (uintmax_t)a, (uintmax_t)b);
		}
		trace_free(&whole);
		trace_free(&reduced);
		if (!ok)
			return;
	}
}

/* Worked by hand: window 1 drops only the repeats of the page just before;
 * window 2 makes 5 6 5 6 5 6 one stretch, cut at 6's first reference: the
 * interval after it keeps 6's first and last and 5's first (its last a
 * repeat), and 7 starts the next stretch */
static void test_reduction_by_hand(void)
{
	static const uint32_t repeats[] = { 5, 5, 6, 5, 5, 5, 7, 7, 6, 6, 6 };
	static const uint32_t repeats_kept[] = { 0, 1, 0, 2, 1 }; /* 5 6 5 7 6, numbered as first seen */
	static const uint32_t turns[] = { 5, 6, 5, 6, 5, 6, 7 };
	static const uint32_t turns_kept[] = { 0, 1, 0, 1, 2 }; /* 5 6 5 6 7 */
	struct trace whole, reduced;

	trace_of(&whole, repeats, LENGTH(repeats));
	reduce(&whole, 1, &reduced);
	if (CHECK_EQ_UINT(reduced.length, LENGTH(repeats_kept)))
		CHECK_EQ_MEM(reduced.refs, repeats_kept, sizeof repeats_kept);
	trace_free(&whole);
	trace_free(&reduced);
	trace_of(&whole, turns, LENGTH(turns));
	reduce(&whole, 1, &reduced);
	CHECK_EQ_UINT(reduced.length, LENGTH(turns));
	trace_free(&reduced);
	reduce(&whole, 2, &reduced);
	if (CHECK_EQ_UINT(reduced.length, LENGTH(turns_kept)))
		CHECK_EQ_MEM(reduced.refs, turns_kept, sizeof turns_kept);
	trace_free(&whole);
	trace_free(&reduced);
}

/* The clock is not a stack algorithm and nothing proven promises it the
 * same faults on the reduced string, but it has had them on every string
 * tried (here: taking one page a fault and in the kernel's batches), and on
 * the recorded traces compared whole. FIFO has not: where it drops a page it
 * is using, the fault moves to the page's next reference kept; it comes
 * within 0.1 % (the figures are printed). */
static void test_reduction_and_the_clock(void)
{
	uint64_t fifo_whole = 0, fifo_reduced = 0;

	for (int round = 0; round < 60; round++) {
		struct trace whole, reduced;
		uint32_t window = 1 + (uint32_t)check_rand_below(24);
		bool ok = true;
		phased_string(&whole, 3000);
		reduce(&whole, window, &reduced);
		for (uint32_t frames = window; ok && frames <= window + 40; frames += 1 + frames / 8) {
			struct clock_marks batch = { 2, 5 };
			struct clock_result a, b, c, d;
			uint64_t x, y;
			replay_clock(&whole, frames, one_a_fault, &a);
			replay_clock(&reduced, frames, one_a_fault, &b);
			ok = CHECK_MSG(a.faults == b.faults,
				       "clock, window %u, %u frames: %ju whole, %ju reduced", window,
				       frames, (uintmax_t)a.faults, (uintmax_t)b.faults);
			replay_clock(&whole, frames + batch.high, batch, &c);
			replay_clock(&reduced, frames + batch.high, batch, &d);
			ok = ok &&
			     CHECK_MSG(c.faults == d.faults,
				       "kernel's clock, window %u, %u frames: %ju whole, %ju reduced",
				       window, frames + batch.high, (uintmax_t)c.faults,
				       (uintmax_t)d.faults);
			replay_fifo(&whole, frames, &x);
			replay_fifo(&reduced, frames, &y);
			fifo_whole += x;
			fifo_reduced += y;
		}
		trace_free(&whole);
		trace_free(&reduced);
		if (!ok)
			return;
	}
	printf("# FIFO: %ju faults on the whole strings, %ju on the reduced ones\n",
	       (uintmax_t)fifo_whole, (uintmax_t)fifo_reduced);
	uint64_t off = fifo_whole > fifo_reduced ? fifo_whole - fifo_reduced : fifo_reduced - fifo_whole;
	CHECK_MSG(off * 1000 <= fifo_whole, "FIFO: %ju of %ju faults apart", (uintmax_t)off,
		  (uintmax_t)fifo_whole);
}

static void test_reducer_bad_window(void)
{
	struct reducer r;

	CHECK_EQ_INT(reducer_init(&r, 0, add_to_trace, NULL), ERR_INVAL);
	CHECK_EQ_INT(reducer_init(&r, REDUCE_WINDOW_MAX + 1, add_to_trace, NULL), ERR_INVAL);
}

/* ---- lackey's lines ---- */

static void test_lackey_lines(void)
{
	uint64_t pages[2] = { 0, 0 };

	CHECK_EQ_INT(lackey_pages("I  04010173,3\n", pages), 0);
	CHECK_EQ_INT(lackey_pages("==123== Lackey, an example Valgrind tool\n", pages), 0);
	CHECK_EQ_INT(lackey_pages("\n", pages), 0);
	CHECK_EQ_INT(lackey_pages(" L 04222cac,8\n", pages), 1);
	CHECK_EQ_UINT(pages[0], 0x4222);
	CHECK_EQ_INT(lackey_pages(" S 1fff0005c0,4\n", pages), 1);
	CHECK_EQ_UINT(pages[0], 0x1fff000);
	CHECK_EQ_INT(lackey_pages(" M 40400ffe,4", pages), 2); /* across a page's end */
	CHECK_EQ_UINT(pages[0], 0x40400);
	CHECK_EQ_UINT(pages[1], 0x40401);
	CHECK_EQ_INT(lackey_pages(" M 40400ffc,4\n", pages), 1); /* up to it */
	static const char *const bad[] = {
		" X 1000,4\n", " L zz,4\n", " L 1000,\n", " L 1000,0\n", " L 1000,4 more\n",
		" L1000,4\n",  " L ,4\n",   " \n",        " L 1000\n",   " L 1000,99999\n",
	};
	for (size_t i = 0; i < LENGTH(bad); i++)
		CHECK_MSG(lackey_pages(bad[i], pages) == ERR_INVAL, "\"%s\" taken", bad[i]);
}

/* ---- trace files ---- */

static int read_text(const char *text, struct trace *t, char error[TRACE_ERROR_MAX])
{
	FILE *in = fmemopen((void *)text, strlen(text), "r");

	if (!in)
		return ERR_NOMEM;
	int err = trace_read(in, "t.trace", t, error);
	fclose(in);
	return err;
}

static void test_trace_file(void)
{
	struct trace t;
	char error[TRACE_ERROR_MAX] = "";
	static const uint32_t want[] = { 0, 1, 0, 2 };

	CHECK_EQ_INT(read_text("# recorded by hand\n# window 16\n5\n7\n5\n\n100000000000\n", &t, error),
		     0);
	CHECK_EQ_UINT(t.window, 16);
	CHECK_EQ_UINT(t.pages, 3);
	if (CHECK_EQ_UINT(t.length, 4))
		CHECK_EQ_MEM(t.refs, want, sizeof want);
	trace_free(&t);
	CHECK_EQ_INT(read_text("1\n2", &t, error), 0); /* no newline at the end */
	CHECK_EQ_UINT(t.length, 2);
	CHECK_EQ_UINT(t.window, 1);
	trace_free(&t);
}

static void test_trace_file_errors(void)
{
	static const struct {
		const char *text, *message;
	} bad[] = {
		{ "5\nx7\n", "t.trace:2: \"x7\" is not a page number" },
		{ "5\n-7\n", "t.trace:2: \"-7\" is not a page number" },
		{ "5 6\n", "t.trace:1: \"5 6\" is not a page number" },
		{ "99999999999999999999999\n", "t.trace:1: " },
		{ "# window 0\n1\n", "t.trace:1: the window is not a number from 1 to" },
		{ "# window 5000\n", "t.trace:1: the window is not" },
		{ "# window x\n", "t.trace:1: the window is not" },
	};
	char long_line[400];
	struct trace t;
	char error[TRACE_ERROR_MAX];

	for (size_t i = 0; i < LENGTH(bad); i++) {
		error[0] = '\0';
		CHECK_MSG(read_text(bad[i].text, &t, error) == ERR_INVAL, "\"%s\" read", bad[i].text);
		CHECK_MSG(!strncmp(error, bad[i].message, strlen(bad[i].message)),
			  "\"%s\": the message is \"%s\"", bad[i].text, error);
		trace_free(&t);
	}
	memset(long_line, '1', sizeof long_line - 2);
	long_line[sizeof long_line - 2] = '\n';
	long_line[sizeof long_line - 1] = '\0';
	CHECK_EQ_INT(read_text(long_line, &t, error), ERR_INVAL);
	CHECK_MSG(strstr(error, "t.trace:1: a line longer than") != NULL, "the message is \"%s\"",
		  error);
	trace_free(&t);
}

/* numbers in the order pages come, kept through the map's growth */
static void test_page_map(void)
{
	struct page_map m = { 0 };
	uint32_t number;
	const uint32_t n = 5000;

	for (uint32_t i = 0; i < n; i++) {
		if (!CHECK_EQ_INT(page_map_number(&m, (uint64_t)i * 0x100000007u, &number), 0) ||
		    !CHECK_EQ_UINT(number, i))
			break;
	}
	for (uint32_t i = n; i-- > 0;) {
		page_map_number(&m, (uint64_t)i * 0x100000007u, &number);
		if (!CHECK_EQ_UINT(number, i))
			break;
	}
	CHECK_EQ_UINT(m.count, n);
	page_map_free(&m);
}

int main(void)
{
	check_seed(20240516);
	RUN(test_textbook_strings);
	RUN(test_clock_by_hand);
	RUN(test_clock_watermarks_by_hand);
	RUN(test_bad_arguments);
	RUN(test_against_plain_versions);
	RUN(test_bounds);
	RUN(test_reduction_exact_for_lru_and_opt);
	RUN(test_reduction_by_hand);
	RUN(test_reduction_and_the_clock);
	RUN(test_reducer_bad_window);
	RUN(test_lackey_lines);
	RUN(test_trace_file);
	RUN(test_trace_file_errors);
	RUN(test_page_map);
	return check_done();
}
