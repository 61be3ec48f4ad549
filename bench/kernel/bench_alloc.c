/* bench_alloc.c: bench/mm_bench.c's workloads run inside the kernel, on its
 * real allocators and page tables, timed with RDTSC: `bench` on the command
 * line (bench/bench_kernel_alloc.sh builds such an image). Same shapes as the
 * host run (small churn 8-256 B with 10,000 live, mixed 8 B-64 KiB log-uniform
 * with 2,000 live, fixed 64 B in random order, LIFO and FIFO frees, and the
 * mid sizes: 4,097-8,192 B and 2,049-4,096 B churn with 5,000 live); fewer
 * churn steps, as TCG runs the kernel some ten times slower than the host.
 * bench/kernel/ is the benchmarks' kernel part: build.mk compiles it into the
 * kernel-test and kernel-bench variants (kmain calls bench_alloc_run there). */
#include "../../kernel/tests/ktest.h"
#include "../../kernel/kernel.h"
#include "../../kernel/arch/arch.h"
#include "../../kernel/mm/mm.h"
#include "lib.h"
#include "../bench_random.h"

#define BENCH_SEED 0x5eed1234abcdULL
#define BENCH_REPS 3
#define SMALL_LIVE 10000
#define SMALL_STEPS 200000
#define MIXED_LIVE 2000
#define MIXED_STEPS 30000
#define MID_LIVE 5000 /* pageplus, subpage: kmalloc's mid sizes (span.c) */
#define MID_STEPS 20000
#define BATCH_LIVE 100000
#define BATCH_ROUNDS 3

enum workload { SMALL, MIXED, FIXED64, LIFO, FIFO, PAGEPLUS, SUBPAGE, WORKLOADS };
static const char *const names[WORKLOADS] = { "small", "mixed",    "fixed64", "lifo",
					      "fifo",  "pageplus", "subpage" };

static struct bench_rng rng = { BENCH_SEED };

static uint32_t rand_below(uint32_t n)
{
	return bench_rand_below(&rng, n);
}

/* the harness's arrays: whole frames, so no size class under test holds them */
static void *harness(size_t bytes)
{
	void *p = buddy_alloc_pages(memory_zone(), (bytes + PAGE_SIZE - 1) / PAGE_SIZE);
	if (!p)
		panic("bench: no room for the harness's %u-byte array", (unsigned)bytes);
	return p;
}

struct seq {
	size_t live, steps, rounds;
	uint32_t *sizes, *slots;
	void **ptrs;
};

static void make_seq(enum workload w, struct seq *s)
{
	bool mid = w == PAGEPLUS || w == SUBPAGE, churn = w == SMALL || w == MIXED || mid;

	rng.state = BENCH_SEED;
	s->live = w == SMALL ? SMALL_LIVE : w == MIXED ? MIXED_LIVE : mid ? MID_LIVE : BATCH_LIVE;
	s->steps = w == SMALL ? SMALL_STEPS : w == MIXED ? MIXED_STEPS : mid ? MID_STEPS : 0;
	s->rounds = churn ? 1 : BATCH_ROUNDS;
	s->sizes = harness((s->live + s->steps) * sizeof *s->sizes);
	s->slots = harness((churn ? s->steps : s->live) * sizeof *s->slots);
	s->ptrs = harness(s->live * sizeof *s->ptrs);
	for (size_t i = 0; i < s->live + s->steps; i++)
		s->sizes[i] = w == FIXED64    ? 64
			      : w == MIXED    ? bench_log_uniform(&rng, 8, 65536)
			      : w == PAGEPLUS ? 4097 + rand_below(4096)
			      : w == SUBPAGE  ? 2049 + rand_below(2048)
					      : 8 + rand_below(249);
	if (churn) {
		for (size_t k = 0; k < s->steps; k++)
			s->slots[k] = rand_below((uint32_t)s->live);
		return;
	}
	for (size_t i = 0; i < s->live; i++)
		s->slots[i] = (uint32_t)(w == LIFO ? s->live - 1 - i : i);
	if (w == FIXED64)
		for (size_t i = s->live - 1; i > 0; i--) {
			uint32_t j = rand_below((uint32_t)i + 1), t = s->slots[i];
			s->slots[i] = s->slots[j];
			s->slots[j] = t;
		}
}

static void *alloc_touch(size_t size)
{
	uint8_t *p = kmalloc(size);
	if (!p)
		panic("bench: kmalloc(%u) failed", (unsigned)size);
	p[0] = (uint8_t)size; /* as the host run does: the object is used, not just counted */
	p[size - 1] = 1;
	return p;
}

/* Returns the operations done (an allocation or a free each). */
static size_t run(struct seq *s)
{
	if (s->steps) {
		for (size_t i = 0; i < s->live; i++)
			s->ptrs[i] = alloc_touch(s->sizes[i]);
		for (size_t k = 0; k < s->steps; k++) {
			uint32_t j = s->slots[k];
			kfree(s->ptrs[j]);
			s->ptrs[j] = alloc_touch(s->sizes[s->live + k]);
		}
		for (size_t i = 0; i < s->live; i++)
			kfree(s->ptrs[i]);
		return 2 * (s->live + s->steps);
	}
	for (size_t r = 0; r < s->rounds; r++) {
		for (size_t i = 0; i < s->live; i++)
			s->ptrs[i] = alloc_touch(s->sizes[i]);
		for (size_t i = 0; i < s->live; i++)
			kfree(s->ptrs[s->slots[i]]);
	}
	return 2 * s->live * s->rounds;
}

void bench_alloc_run(void)
{
	if (!cpu_info()->tsc) {
		kprintf("bench: this CPU has no TSC; nothing measured\n");
		return;
	}
	kprintf("bench: kmalloc/kfree inside the kernel, TSC cycles per operation (best of %u)\n",
		BENCH_REPS);
	for (unsigned w = 0; w < WORKLOADS; w++) {
		struct seq s;
		uint64_t best = UINT64_MAX;
		size_t ops = 0;
		make_seq((enum workload)w, &s);
		for (unsigned rep = 0; rep < BENCH_REPS; rep++) {
			uint64_t t0 = read_tsc();
			ops = run(&s);
			uint64_t cycles = read_tsc() - t0;
			if (cycles < best)
				best = cycles;
		}
		/* cycles per op with one decimal, in 32-bit arithmetic */
		uint32_t tenths = (uint32_t)arch_div64_32(best * 10, (uint32_t)ops);
		kprintf("bench: %-8s %8u ops %6u.%u cycles/op\n", names[w], (unsigned)ops, tenths / 10,
			tenths % 10);
	}
	kprintf("bench: allocator consistent afterwards: %s\n", kmalloc_check() ? "yes" : "NO");
}
