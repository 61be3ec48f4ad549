/* bench_random.h: the random numbers of the allocator workloads, shared by the
 * host benchmark (bench/mm_bench.c) and the kernel's (bench/kernel/bench_alloc.c)
 * so both draw the same kinds of sequence. xorshift64*; 32-bit results, as the
 * kernel has no 64-bit division (libgcc). bench/ holds every benchmark
 * (`./build.sh bench`). */
#ifndef VLSOS_BENCH_RANDOM_H
#define VLSOS_BENCH_RANDOM_H

#include <stdint.h>

struct bench_rng {
	uint64_t state; /* never 0 */
};

static inline uint32_t bench_rand(struct bench_rng *r)
{
	r->state ^= r->state >> 12;
	r->state ^= r->state << 25;
	r->state ^= r->state >> 27;
	return (uint32_t)((r->state * 0x2545F4914F6CDD1DULL) >> 32);
}

static inline uint32_t bench_rand_below(struct bench_rng *r, uint32_t n)
{
	return bench_rand(r) % n;
}

/* log-uniform in [lo, hi]: a size class drawn evenly by its power of two */
static inline uint32_t bench_log_uniform(struct bench_rng *r, uint32_t lo, uint32_t hi)
{
	unsigned lo_bits = 31 - (unsigned)__builtin_clz(lo), hi_bits = 31 - (unsigned)__builtin_clz(hi);

	for (;;) {
		unsigned b = lo_bits + bench_rand_below(r, hi_bits - lo_bits + 1);
		uint32_t v = (1u << b) + bench_rand_below(r, 1u << b);
		if (v >= lo && v <= hi)
			return v;
	}
}

#endif
