/* mm_bench.c: the kernel's kmalloc/kfree (buddy + slab, built for the host over
 * a host arena) against glibc malloc, jemalloc, mimalloc and a bump allocator,
 * on the same pre-generated operation sequences. bench/mm_bench.sh builds one
 * executable per allocator (-DBENCH_ALLOC=...), runs each workload in a fresh
 * process and prints the table.
 *
 *   mm_bench WORKLOAD   prints one line:
 *   ALLOCATOR WORKLOAD NS_PER_OP OPS PEAK_LIVE_BYTES PEAK_FOOTPRINT_BYTES HOW
 *
 * Memory: a first run, on the fresh allocator, samples the footprint every
 * FOOTPRINT_EVERY allocations (and after each phase); peak live is the exact
 * peak of the requested bytes. Time: best of BENCH_REPS more runs, ns per
 * allocation or free. The harness's own arrays are mmapped, outside every heap.
 * bench/ holds every benchmark (`./build.sh bench`). */
#define _GNU_SOURCE
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "bench_random.h"

#define ALLOC_KERNEL 1
#define ALLOC_GLIBC 2
#define ALLOC_JEMALLOC 3
#define ALLOC_MIMALLOC 4
#define ALLOC_BUMP 5
#define ALLOC_MEMDEBUG 6 /* the kernel's allocator with memdebug on */

#define BENCH_REPS 3
#define FOOTPRINT_EVERY 16
#define SEED 0x5eed1234abcdULL

/* ---- the allocator under test ---- */

#if BENCH_ALLOC == ALLOC_KERNEL || BENCH_ALLOC == ALLOC_MEMDEBUG
#include <stdarg.h>
#include "../kernel/mm/mm.h"
#if BENCH_ALLOC == ALLOC_MEMDEBUG
#define ALLOC_NAME "memdebug"
#else
#define ALLOC_NAME "kernel"
#endif
#define FOOTPRINT_HOW "frames taken from the buddy zone"
#define ARENA_BYTES ((size_t)512 << 20)
/* kernel/mm/glue.h's three functions, the benchmark's end of them */
static struct buddy_zone zone;
static unsigned long reports;

void mm_report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "mm_bench: mm_report: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	reports++;
}

void mm_describe_site(char *buf, size_t len, uintptr_t site)
{
	snprintf(buf, len, "0x%lx", (unsigned long)site);
}

void mm_out_of_memory(size_t size)
{
	if (memdebug_enabled())
		memdebug_oom_report(size);
}

static void alloc_setup(void)
{
	size_t npages = ARENA_BYTES / PAGE_SIZE;
	void *arena = aligned_alloc((size_t)4 << 20, ARENA_BYTES);
	struct page *pages = calloc(npages, sizeof *pages);
	uint32_t *live = calloc(1, LIVE_MAP_BYTES(npages));
	if (!arena || !pages || !live) {
		fprintf(stderr, "mm_bench: no memory for the arena\n");
		exit(1);
	}
	buddy_init(&zone, (uintptr_t)arena, pages, npages);
	zone.live_map = live;
	buddy_release_range(&zone, 0, npages);
	memdebug_enable(BENCH_ALLOC == ALLOC_MEMDEBUG);
	kmem_init(&zone);
	if (kmalloc_init(&zone) != 0)
		exit(1);
}
static inline void *a_malloc(size_t size)
{
	return kmalloc(size);
}
static inline void a_free(void *p, size_t size)
{
	(void)size;
	kfree(p);
}
static size_t a_footprint(void)
{
	return zone.allocated_pages * PAGE_SIZE;
}

#elif BENCH_ALLOC == ALLOC_GLIBC
/* mallinfo2's arena + hblkhd, but it walks every free chunk (too slow to
 * sample often), so: the main arena's program-break growth, which is its
 * arena figure, plus hblkhd read once at the end (mmapped chunks; none of
 * these sizes reaches the mmap threshold, and main() checks that). */
#include <malloc.h>
#include <unistd.h>
#define ALLOC_NAME "glibc"
#define FOOTPRINT_HOW "program break growth (= mallinfo2 arena; hblkhd checked 0)"
static char *brk_start;
static void alloc_setup(void)
{
	brk_start = sbrk(0);
}
static inline void *a_malloc(size_t size)
{
	return malloc(size);
}
static inline void a_free(void *p, size_t size)
{
	(void)size;
	free(p);
}
static size_t a_footprint(void)
{
	return (size_t)((char *)sbrk(0) - brk_start);
}

#elif BENCH_ALLOC == ALLOC_JEMALLOC
#include <jemalloc/jemalloc.h>
#define ALLOC_NAME "jemalloc"
#define FOOTPRINT_HOW "mallctl stats.active after an epoch refresh"
static void alloc_setup(void)
{
}
static inline void *a_malloc(size_t size)
{
	return mallocx(size, 0);
}
static inline void a_free(void *p, size_t size)
{
	(void)size;
	dallocx(p, 0);
}
static size_t a_footprint(void)
{
	uint64_t epoch = 1;
	size_t len = sizeof epoch, active = 0;
	mallctl("epoch", &epoch, &len, &epoch, len);
	len = sizeof active;
	mallctl("stats.active", &active, &len, NULL, 0);
	return active;
}

#elif BENCH_ALLOC == ALLOC_MIMALLOC
/* mi_process_info's commit figures count whole arenas that mimalloc commits
 * eagerly on Linux (a flat 32 MiB here), so: resident memory from
 * /proc/self/statm above what the process had before the run; the measured
 * run writes every byte it allocates, so resident means used. */
#include <fcntl.h>
#include <mimalloc.h>
#include <unistd.h>
#define ALLOC_NAME "mimalloc"
#define FOOTPRINT_HOW "resident set growth (/proc/self/statm)"
#define MEASURE_TOUCHES_ALL 1
static int statm = -1;
static size_t rss_base;
static size_t rss_bytes(void)
{
	char buf[128] = { 0 };
	unsigned long size = 0, resident = 0;
	if (pread(statm, buf, sizeof buf - 1, 0) > 0)
		sscanf(buf, "%lu %lu", &size, &resident);
	return resident * (size_t)sysconf(_SC_PAGESIZE);
}
static void alloc_setup(void)
{
	statm = open("/proc/self/statm", O_RDONLY);
	mi_free(mi_malloc(8)); /* mimalloc's own start-up is not the workload's */
}
static inline void *a_malloc(size_t size)
{
	return mi_malloc(size);
}
static inline void a_free(void *p, size_t size)
{
	(void)size;
	mi_free(p);
}
static size_t a_footprint(void)
{
	size_t rss = rss_bytes();
	return rss > rss_base ? rss - rss_base : 0;
}

#elif BENCH_ALLOC == ALLOC_BUMP
/* The floor: a pointer that only moves up, wrapping round a pre-touched ring. */
#define ALLOC_NAME "bump"
#define FOOTPRINT_HOW "none: never frees"
#define RING_BYTES ((size_t)64 << 20)
static char *ring;
static size_t ring_next;
static void alloc_setup(void)
{
	ring = aligned_alloc(4096, RING_BYTES);
	memset(ring, 0, RING_BYTES);
}
static inline void *a_malloc(size_t size)
{
	size = (size + 15) & ~(size_t)15;
	if (size > RING_BYTES - ring_next)
		ring_next = 0;
	void *p = ring + ring_next;
	ring_next += size;
	return p;
}
static inline void a_free(void *p, size_t size)
{
	(void)p, (void)size;
}
static size_t a_footprint(void)
{
	return 0;
}

#else
#error "build with -DBENCH_ALLOC=ALLOC_KERNEL (or _GLIBC, _JEMALLOC, _MIMALLOC, _BUMP)"
#endif

/* ---- pre-generated sequences ---- */

/* The harness's own arrays come from mmap, so no allocator under test counts them. */
static void *harness_alloc(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "mm_bench: mmap of %zu bytes failed\n", bytes);
		exit(1);
	}
	return p;
}

static struct bench_rng rng = { SEED };

static uint32_t rand_below(uint32_t n)
{
	return bench_rand_below(&rng, n);
}

struct seq {
	size_t live, steps; /* churn: objects kept live, replacements */
	uint32_t *sizes;    /* live + steps sizes */
	uint32_t *slots;    /* churn: which live object each step replaces; else a free order */
	size_t rounds;
};

/* ---- the workloads; `measure` compiles to a second copy that tracks memory ---- */

struct meter {
	size_t live, peak_live, peak_footprint, allocs;
};

static struct meter meter;
static void **ptrs;
static uint32_t *live_sizes;

static inline __attribute__((always_inline)) void *do_alloc(size_t size, bool measure)
{
	unsigned char *p = a_malloc(size);
	if (__builtin_expect(p == NULL, 0)) {
		fprintf(stderr, "mm_bench: %s: allocation of %zu failed\n", ALLOC_NAME, size);
		exit(1);
	}
	p[0] = (unsigned char)size;
	p[size - 1] = 1;
#ifdef MEASURE_TOUCHES_ALL
	if (measure)
		memset(p, 1, size);
#endif
	if (measure) {
		meter.live += size;
		if (meter.live > meter.peak_live)
			meter.peak_live = meter.live;
		if (++meter.allocs % FOOTPRINT_EVERY == 0) {
			size_t f = a_footprint();
			if (f > meter.peak_footprint)
				meter.peak_footprint = f;
		}
	}
	return p;
}

static inline __attribute__((always_inline)) void do_free(void *p, size_t size, bool measure)
{
	a_free(p, size);
	if (measure)
		meter.live -= size;
}

static inline void sample_footprint(bool measure)
{
	if (measure) {
		size_t f = a_footprint();
		if (f > meter.peak_footprint)
			meter.peak_footprint = f;
	}
}

static inline __attribute__((always_inline)) size_t churn(const struct seq *s, bool measure)
{
	uint32_t *live_size = live_sizes;
	for (size_t i = 0; i < s->live; i++) {
		live_size[i] = s->sizes[i];
		ptrs[i] = do_alloc(s->sizes[i], measure);
	}
	sample_footprint(measure);
	for (size_t k = 0; k < s->steps; k++) {
		uint32_t j = s->slots[k];
		do_free(ptrs[j], live_size[j], measure);
		live_size[j] = s->sizes[s->live + k];
		ptrs[j] = do_alloc(live_size[j], measure);
	}
	sample_footprint(measure);
	for (size_t i = 0; i < s->live; i++)
		do_free(ptrs[i], live_size[i], measure);
	return 2 * (s->live + s->steps);
}

/* rounds of: allocate live objects, free them in slots[] order */
static inline __attribute__((always_inline)) size_t batch(const struct seq *s, bool measure)
{
	for (size_t r = 0; r < s->rounds; r++) {
		for (size_t i = 0; i < s->live; i++)
			ptrs[i] = do_alloc(s->sizes[i], measure);
		sample_footprint(measure);
		for (size_t i = 0; i < s->live; i++) {
			uint32_t j = s->slots[i];
			do_free(ptrs[j], s->sizes[j], measure);
		}
	}
	return 2 * s->live * s->rounds;
}

static size_t run_timed(const struct seq *s)
{
	return s->steps ? churn(s, false) : batch(s, false);
}

static size_t run_measured(const struct seq *s)
{
	return s->steps ? churn(s, true) : batch(s, true);
}

static void make_seq(const char *name, struct seq *s)
{
	bool small = !strcmp(name, "small"), mixed = !strcmp(name, "mixed");
	bool fixed = !strcmp(name, "fixed64"), lifo = !strcmp(name, "lifo"),
	     fifo = !strcmp(name, "fifo");
	/* a 4 KiB page plus a small header (sqlite's page cache), and 2-4 KiB */
	bool pageplus = !strcmp(name, "pageplus"), subpage = !strcmp(name, "subpage");
	if (!(small || mixed || fixed || lifo || fifo || pageplus || subpage)) {
		fprintf(stderr,
			"mm_bench: unknown workload %s (small mixed fixed64 lifo fifo "
			"pageplus subpage)\n",
			name);
		exit(2);
	}
	*s = (struct seq){ 0 };
	if (pageplus || subpage) {
		s->live = 5000;
		s->steps = 300000;
	} else if (small || mixed) {
		s->live = small ? 10000 : 2000;
		s->steps = small ? 2000000 : 300000;
	} else {
		s->live = 100000;
		s->rounds = 10;
	}
	size_t n = s->live + s->steps;
	s->sizes = harness_alloc(n * sizeof *s->sizes);
	s->slots = harness_alloc((s->steps ? s->steps : s->live) * sizeof *s->slots);
	for (size_t i = 0; i < n; i++)
		s->sizes[i] = fixed      ? 64
			      : mixed    ? bench_log_uniform(&rng, 8, 65536)
			      : pageplus ? 4097 + rand_below(4096)
			      : subpage  ? 2049 + rand_below(2048)
					 : 8 + rand_below(249);
	if (s->steps) {
		for (size_t k = 0; k < s->steps; k++)
			s->slots[k] = rand_below((uint32_t)s->live);
		return;
	}
	for (size_t i = 0; i < s->live; i++)
		s->slots[i] = (uint32_t)(lifo ? s->live - 1 - i : i);
	if (fixed) /* a random order: Fisher-Yates */
		for (size_t i = s->live - 1; i > 0; i--) {
			uint32_t j = rand_below((uint32_t)i + 1), t = s->slots[i];
			s->slots[i] = s->slots[j];
			s->slots[j] = t;
		}
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	struct seq s;

	if (argc != 2) {
		fprintf(stderr, "usage: mm_bench small|mixed|fixed64|lifo|fifo|pageplus|subpage\n");
		return 2;
	}
	make_seq(argv[1], &s);
	ptrs = harness_alloc(s.live * sizeof *ptrs);
	live_sizes = harness_alloc(s.live * sizeof *live_sizes);
	memset(ptrs, 0, s.live * sizeof *ptrs); /* resident before any baseline */
	memset(live_sizes, 0, s.live * sizeof *live_sizes);
	alloc_setup();
#if BENCH_ALLOC == ALLOC_MIMALLOC
	rss_base = rss_bytes();
#endif

	/* memory first, from a fresh allocator: what this workload makes it hold */
	meter = (struct meter){ 0 };
	run_measured(&s);
	double best = 0;
	size_t ops = 0;
	for (int rep = 0; rep < BENCH_REPS; rep++) {
		double t0 = now_ns();
		ops = run_timed(&s);
		double ns = (now_ns() - t0) / (double)ops;
		if (rep == 0 || ns < best)
			best = ns;
	}
	printf("%s\t%s\t%.2f\t%zu\t%zu\t%zu\t%s\n", ALLOC_NAME, argv[1], best, ops, meter.peak_live,
	       meter.peak_footprint, FOOTPRINT_HOW);
#if BENCH_ALLOC == ALLOC_GLIBC
	if (mallinfo2().hblkhd != 0) {
		fprintf(stderr, "mm_bench: glibc mmapped chunks: the footprint misses them\n");
		return 1;
	}
#endif
#if BENCH_ALLOC == ALLOC_KERNEL || BENCH_ALLOC == ALLOC_MEMDEBUG
	if (reports || !kmalloc_check()) {
		fprintf(stderr, "mm_bench: the kernel allocator reported misuse or is inconsistent\n");
		return 1;
	}
#endif
	return 0;
}
