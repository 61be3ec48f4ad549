/* pagesim: page replacement on recorded page-reference traces (issue 16).
 *
 *   pagesim reduce [WINDOW] <LACKEY-LOG >TRACE
 *       valgrind lackey's output (--trace-mem=yes) to a trace: data references
 *       only, pages numbered as they are first touched, reduced with WINDOW
 *       (default 64; reduce.c); a summary line on stderr
 *   pagesim replay TRACE FRAMES...
 *       TRACE ('-': stdin) through VlsOs's clock with the kernel's watermarks,
 *       the clock taking one page a fault, LRU, FIFO and OPT, for each count of
 *       FRAMES (a number, or /N for the trace's pages divided by N); a
 *       Markdown table of the faults on stdout, a row a count of frames in
 *       ascending order (those below the trace's window left out)
 *
 * tools/pagesim/record.sh records the traces in bench/traces/;
 * bench/pagesim.sh replays them. */
#include "pagesim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "../../kernel/vm/reclaim.h"

#define DEFAULT_WINDOW 64
#define LACKEY_LINE_MAX 256
#define FRAMES_MAX (1u << 24)
#define ROWS_MAX 64
#define STATUS_FAILED 1
#define STATUS_USAGE 2

static const char usage[] = "usage: pagesim reduce [WINDOW] <LACKEY-LOG >TRACE\n"
			    "       pagesim replay TRACE|- FRAMES|/N...\n";

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "pagesim: %s%s%s\n%s", what, arg ? ": " : "", arg ? arg : "", usage);
	return STATUS_USAGE;
}

/* "what: arg" for a number that is not from 1 to MAX */
static int number_error(const char *what, uint32_t max, const char *arg)
{
	char message[96];

	snprintf(message, sizeof message, "%s is a number from 1 to %" PRIu32 "%s", what, max,
		 max == FRAMES_MAX ? " or /N" : "");
	return usage_error(message, arg);
}

/* a whole decimal number from 1 to MAX */
static bool parse_count(const char *s, uint32_t max, uint32_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* ---- reduce ---- */

struct numbering {
	struct page_map map;
};

static int print_page(void *ctx, uint64_t page)
{
	struct numbering *n = ctx;
	uint32_t number;
	int err = page_map_number(&n->map, page, &number);

	if (!err && printf("%" PRIu32 "\n", number) < 0)
		err = ERR_IO;
	return err;
}

static int reduce(int argc, char **argv)
{
	uint32_t window = DEFAULT_WINDOW;
	char line[LACKEY_LINE_MAX];
	uint64_t line_number = 0, references = 0, pages[2];
	struct numbering numbering = { 0 };
	struct reducer r;
	int err = 0;

	if (argc > 3 || (argc == 3 && !parse_count(argv[2], REDUCE_WINDOW_MAX, &window)))
		return number_error("the window", REDUCE_WINDOW_MAX, argc == 3 ? argv[2] : NULL);
	if (reducer_init(&r, window, print_page, &numbering)) {
		fprintf(stderr, "pagesim reduce: no memory for a window of %" PRIu32 "\n", window);
		return STATUS_FAILED;
	}
	printf("# window %" PRIu32 "\n", window);
	while (!err && fgets(line, sizeof line, stdin)) {
		line_number++;
		int n = strchr(line, '\n') || feof(stdin) ? lackey_pages(line, pages) : ERR_INVAL;
		if (n < 0) {
			line[strcspn(line, "\n")] = '\0';
			fprintf(stderr, "pagesim reduce: line %" PRIu64 " is not lackey's: \"%.60s\"\n",
				line_number, line);
			err = n;
		}
		for (int i = 0; i < n && !err; i++, references++)
			err = reducer_add(&r, pages[i]);
	}
	if (!err)
		err = reducer_finish(&r);
	if (!err && (ferror(stdin) || fflush(stdout) == EOF || ferror(stdout)))
		err = ERR_IO;
	if (err && err != ERR_INVAL)
		fprintf(stderr, "pagesim reduce: %s after %" PRIu64 " lines\n",
			err == ERR_NOMEM ? "out of memory" : "a read or write failed", line_number);
	else if (!err)
		fprintf(stderr,
			"pagesim reduce: %" PRIu64 " data references, %" PRIu64 " kept (window %" PRIu32
			"), %" PRIu32 " pages\n",
			references, r.kept, window, numbering.map.count);
	reducer_free(&r);
	page_map_free(&numbering.map);
	return err ? STATUS_FAILED : 0;
}

/* ---- replay ---- */

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int ascending(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* one row: the faults of each policy with FRAMES frames */
static int replay_row(const struct trace *t, uint32_t frames)
{
	struct clock_marks vlsos = { RECLAIM_LOW_FRAMES, RECLAIM_HIGH_FRAMES }, one = { 1, 1 };
	struct clock_result kernel, textbook;
	uint64_t lru, fifo, opt;
	int err = replay_clock(t, frames, vlsos, &kernel);

	if (!err)
		err = replay_clock(t, frames, one, &textbook);
	if (!err)
		err = replay_lru(t, frames, &lru);
	if (!err)
		err = replay_fifo(t, frames, &fifo);
	if (!err)
		err = replay_opt(t, frames, &opt);
	if (!err)
		printf("| %" PRIu32 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64 " | %" PRIu64
		       " |\n",
		       frames, kernel.faults, textbook.faults, lru, fifo, opt);
	return err;
}

static int replay(int argc, char **argv)
{
	uint32_t frames[ROWS_MAX];
	int count = 0;
	char error[TRACE_ERROR_MAX];
	struct trace t;

	if (argc < 4)
		return usage_error("replay needs a trace and frame counts", NULL);
	if (argc - 3 > ROWS_MAX)
		return number_error("the count of frame counts", ROWS_MAX, NULL);
	bool from_stdin = !strcmp(argv[2], "-");
	FILE *in = from_stdin ? stdin : fopen(argv[2], "r");
	if (!in) {
		fprintf(stderr, "pagesim replay: %s: %s\n", argv[2], strerror(errno));
		return STATUS_FAILED;
	}
	const char *name = from_stdin ? "stdin" : argv[2];
	int err = trace_read(in, name, &t, error);
	if (!from_stdin)
		fclose(in);
	if (err) {
		fprintf(stderr, "pagesim replay: %s\n", error);
		trace_free(&t);
		return STATUS_FAILED;
	}
	for (int i = 3; i < argc; i++) {
		uint32_t divisor;
		if (argv[i][0] == '/' && parse_count(argv[i] + 1, FRAMES_MAX, &divisor)) {
			frames[count] = t.pages / divisor;
		} else if (!parse_count(argv[i], FRAMES_MAX, &frames[count])) {
			trace_free(&t);
			return number_error("a frame count", FRAMES_MAX, argv[i]);
		}
		if (frames[count] >= t.window)
			count++;
		else /* LRU and OPT would not be what the whole trace gives */
			fprintf(stderr,
				"pagesim replay: %s: %" PRIu32
				" frames: left out, below the trace's window of %" PRIu32 "\n",
				name, frames[count], t.window);
	}
	qsort(frames, (size_t)count, sizeof frames[0], ascending);
	printf("### %s\n\n", from_stdin ? "(stdin)" : base_name(argv[2]));
	printf("%zu references to %" PRIu32 " pages (reduced with a window of %" PRIu32
	       "); every policy faults %" PRIu32 " times on first touches.\n\n",
	       t.length, t.pages, t.window, t.pages);
	printf("| frames | VlsOs: clock, reclaim below %d free up to %d | clock, a page a fault "
	       "| LRU | FIFO | OPT |\n",
	       RECLAIM_LOW_FRAMES, RECLAIM_HIGH_FRAMES);
	printf("|---:|---:|---:|---:|---:|---:|\n");
	for (int i = 0; i < count && !err; i++)
		if (i == 0 || frames[i] != frames[i - 1])
			err = replay_row(&t, frames[i]);
	printf("\n");
	trace_free(&t);
	if (err)
		fprintf(stderr, "pagesim replay: %s\n",
			err == ERR_NOMEM ? "out of memory" : "bad frames");
	return err ? STATUS_FAILED : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "reduce"))
		return reduce(argc, argv);
	if (argc >= 2 && !strcmp(argv[1], "replay"))
		return replay(argc, argv);
	return usage_error(argc < 2 ? "what to do?" : "no such command", argc < 2 ? NULL : argv[1]);
}
