/* vmtest.c: VMTEST: workloads that need more memory than the machine has,
 * each checking every byte it wrote (the virtual-memory tests of
 * test/boot/test_swap.sh, after Pintos's vm tests). One line of result each:
 * "vmtest NAME: ok ..." or "vmtest NAME: FAILED ..." and status 1. */
#include "ulib.h"

static const struct command vmtest_command = {
	.name = "vmtest",
	.usage = "VMTEST pattern MIB seq|random | procs N MIB | sort MIB PARTS | shuffle MIB ROUNDS\n"
		 "       | stack KIB | oom MIB",
	.about = "pattern: write then check MIB of anonymous memory, in order or at random.\n"
		 "procs: N children at once, each a random pattern over MIB.\n"
		 "sort: a merge sort of MIB of numbers, PARTS children sorting a part each\n"
		 "  and streaming it back through a pipe; the parent merges and checks.\n"
		 "shuffle: ROUNDS shuffles of MIB in blocks of a page, a checksum after each.\n"
		 "stack: recursion through KIB of stack, then a large array on the stack.\n"
		 "oom: two children of MIB each touch more than memory and swap hold;\n"
		 "  the kernel kills one, the other finishes.\n",
};

#define SELF "/BIN/VMTEST"
#define PAGE 4096u
#define WORDS_PER_PAGE (PAGE / 4)
#define MIB (1024u * 1024u)
#define PARTS_MAX 8
#define MERGE_BUF_WORDS 256

/* a word no other page or word has: what `pattern` writes and checks */
static uint32_t pattern_word(uint32_t page, uint32_t word, uint32_t seed)
{
	uint32_t x = page * 2654435761u ^ word * 40503u ^ seed;
	x ^= x >> 15;
	x *= 0x2c1b3c6du;
	return x ^ x >> 12;
}

/* a linear congruential generator (Numerical Recipes' constants) */
static uint32_t next_random(uint32_t *state)
{
	*state = *state * 1664525u + 1013904223u;
	return *state;
}

static uint32_t *take_memory(uint32_t bytes, const char *name)
{
	void *p = sys_mmap(bytes, PROT_READ | PROT_WRITE);
	if (sys_error(p) < 0) {
		printf("vmtest %s: FAILED: mmap of %u KiB: %s\n", name, bytes >> 10,
		       error_name(sys_error(p)));
		sys_exit(1);
	}
	return p;
}

/* pages visited in order, or in the order of a random permutation */
static void page_order(uint32_t *order, uint32_t pages, bool random, uint32_t seed)
{
	for (uint32_t i = 0; i < pages; i++)
		order[i] = i;
	for (uint32_t i = pages; random && i > 1; i--) {
		uint32_t j = next_random(&seed) % i, t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

static int pattern(uint32_t mib, bool random, uint32_t seed)
{
	uint32_t pages = mib * (MIB / PAGE);
	uint32_t *order = malloc(pages * sizeof *order);
	uint32_t *mem = take_memory(mib * MIB, "pattern");

	if (!order) {
		printf("vmtest pattern: FAILED: no memory for the page order\n");
		return 1;
	}
	page_order(order, pages, random, seed);
	for (uint32_t i = 0; i < pages; i++) {
		uint32_t *p = mem + order[i] * WORDS_PER_PAGE;
		for (uint32_t w = 0; w < WORDS_PER_PAGE; w++)
			p[w] = pattern_word(order[i], w, seed);
	}
	page_order(order, pages, random, seed * 7 + 1); /* checked in another order */
	for (uint32_t i = 0; i < pages; i++) {
		const uint32_t *p = mem + order[i] * WORDS_PER_PAGE;
		for (uint32_t w = 0; w < WORDS_PER_PAGE; w++)
			if (p[w] != pattern_word(order[i], w, seed)) {
				printf("vmtest pattern: FAILED: word %u of page %u is %08x, not %08x\n",
				       w, order[i], p[w], pattern_word(order[i], w, seed));
				return 1;
			}
	}
	printf("vmtest pattern: ok: %u MiB written and checked %s (seed %u)\n", mib,
	       random ? "at random" : "in order", seed);
	return 0;
}

static int wait_all(const int *pids, unsigned n, const char *name)
{
	int failed = 0;

	for (unsigned i = 0; i < n; i++) {
		int status = -1;
		if (sys_wait(pids[i], &status) < 0 || status != 0) {
			printf("vmtest %s: FAILED: child %d ended with status %d\n", name, pids[i],
			       status);
			failed = 1;
		}
	}
	return failed;
}

static int procs(uint32_t n, const char *mib)
{
	int pids[PARTS_MAX];
	char seeds[PARTS_MAX][12];

	if (n == 0 || n > PARTS_MAX)
		cmd_bad("1 to %u processes", PARTS_MAX);
	for (uint32_t i = 0; i < n; i++) {
		snprintf(seeds[i], sizeof seeds[i], "%u", i + 1);
		const char *argv[] = { SELF, "pattern", mib, "random", seeds[i], NULL };
		pids[i] = sys_spawn(SELF, argv);
		if (pids[i] < 0) {
			printf("vmtest procs: FAILED: spawn: %s\n", error_name(pids[i]));
			return 1;
		}
	}
	if (wait_all(pids, n, "procs"))
		return 1;
	printf("vmtest procs: ok: %u processes of %s MiB each\n", n, mib);
	return 0;
}

/* ---- sort ---- */

static uint32_t part_number(uint32_t part, uint32_t i)
{
	return pattern_word(part, i, 0x5eed);
}

/* one merge pass: runs of WIDTH in [begin, end) of FROM merged in pairs into TO */
static void merge_pass(const uint32_t *from, uint32_t *to, uint32_t begin, uint32_t end, uint32_t width)
{
	for (uint32_t lo = begin; lo < end; lo += 2 * width) {
		uint32_t mid = end - lo > width ? lo + width : end;
		uint32_t hi = end - lo > 2 * width ? lo + 2 * width : end;
		uint32_t i = lo, j = mid, k = lo;
		while (i < mid && j < hi)
			to[k++] = from[i] <= from[j] ? from[i++] : from[j++];
		while (i < mid)
			to[k++] = from[i++];
		while (j < hi)
			to[k++] = from[j++];
	}
}

/* A part's numbers, sorted, to stdout (the parent's pipe). A bottom-up merge
 * sort that first sorts each run of SORT_RUN_WORDS on its own, passes that
 * stay within a few pages, and only then merges over the whole array: a
 * pass over all of it costs its pages' trips to swap and back. */
#define SORT_RUN_WORDS 16384u /* 64 KiB: a run and its copy stay in RAM */

static int sort_part(uint32_t words, uint32_t part)
{
	uint32_t *a = take_memory(words * 4, "sort"), *tmp = take_memory(words * 4, "sort");
	uint32_t *sorted = a;

	for (uint32_t i = 0; i < words; i++)
		a[i] = part_number(part, i);
	for (uint32_t run = 0; run < words; run += SORT_RUN_WORDS) {
		uint32_t end = words - run > SORT_RUN_WORDS ? run + SORT_RUN_WORDS : words;
		uint32_t *from = a, *to = tmp;
		for (uint32_t width = 1; width < SORT_RUN_WORDS; width *= 2) {
			merge_pass(from, to, run, end, width);
			uint32_t *t = from;
			from = to;
			to = t;
		}
		sorted = from; /* the same for every run: each made the same passes */
	}
	for (uint32_t width = SORT_RUN_WORDS; width < words; width *= 2) {
		uint32_t *to = sorted == a ? tmp : a;
		merge_pass(sorted, to, 0, words, width);
		sorted = to;
	}
	for (uint32_t done = 0; done < words;) {
		int n = sys_write(FD_STDOUT, sorted + done, (words - done) * 4);
		if (n <= 0 || n % 4)
			return 1;
		done += (uint32_t)n / 4;
	}
	return 0;
}

struct stream {
	int fd;
	uint32_t buf[MERGE_BUF_WORDS];
	uint32_t have, at, taken;
	bool ended;
};

static bool stream_head(struct stream *s, uint32_t *value)
{
	if (s->at == s->have && !s->ended) {
		uint32_t bytes = 0;
		while (bytes == 0 || bytes % 4) {
			int n = sys_read(s->fd, (char *)s->buf + bytes, sizeof s->buf - bytes);
			if (n <= 0) {
				s->ended = true;
				break;
			}
			bytes += (uint32_t)n;
		}
		s->have = bytes / 4;
		s->at = 0;
	}
	if (s->at == s->have)
		return false;
	*value = s->buf[s->at];
	return true;
}

static int sort(uint32_t mib, uint32_t parts)
{
	static struct stream streams[PARTS_MAX];
	int pids[PARTS_MAX], saved_stdout = FD_MAX - 1;
	char words_arg[12], part_arg[PARTS_MAX][12];

	if (parts == 0 || parts > PARTS_MAX)
		cmd_bad("1 to %u parts", PARTS_MAX);
	uint32_t words = mib * (MIB / 4) / parts;
	snprintf(words_arg, sizeof words_arg, "%u", words);
	if (sys_dup2(FD_STDOUT, saved_stdout) < 0)
		return 1;
	for (uint32_t p = 0; p < parts; p++) {
		int fds[2];
		if (sys_pipe(fds) < 0 || sys_dup2(fds[1], FD_STDOUT) < 0) {
			printf("vmtest sort: FAILED: no pipe\n");
			return 1;
		}
		sys_close(fds[1]);
		snprintf(part_arg[p], sizeof part_arg[p], "%u", p);
		const char *argv[] = { SELF, "sortpart", words_arg, part_arg[p], NULL };
		pids[p] = sys_spawn(SELF, argv);
		streams[p] = (struct stream){ .fd = fds[0] };
		if (pids[p] < 0) {
			sys_dup2(saved_stdout, FD_STDOUT);
			printf("vmtest sort: FAILED: spawn: %s\n", error_name(pids[p]));
			return 1;
		}
	}
	sys_dup2(saved_stdout, FD_STDOUT);
	sys_close(saved_stdout);
	/* what the children were given: the sum and xor of every number */
	uint32_t want_sum = 0, want_xor = 0, sum = 0, xor = 0, last = 0, count = 0;
	for (uint32_t p = 0; p < parts; p++)
		for (uint32_t i = 0; i < words; i++) {
			want_sum += part_number(p, i);
			want_xor ^= part_number(p, i);
		}
	for (;;) {
		int best = -1;
		uint32_t value, best_value = 0;
		for (uint32_t p = 0; p < parts; p++)
			if (stream_head(&streams[p], &value) && (best < 0 || value < best_value)) {
				best = (int)p;
				best_value = value;
			}
		if (best < 0)
			break;
		streams[best].at++;
		if (count && best_value < last) {
			printf("vmtest sort: FAILED: number %u (%08x) is below the one before (%08x)\n",
			       count, best_value, last);
			return 1;
		}
		last = best_value;
		sum += best_value;
		xor ^= best_value;
		count++;
	}
	if (wait_all(pids, parts, "sort"))
		return 1;
	if (count != words * parts || sum != want_sum || xor != want_xor) {
		printf("vmtest sort: FAILED: %u numbers back of %u, sum %08x (want %08x), xor %08x "
		       "(want %08x)\n",
		       count, words * parts, sum, want_sum, xor, want_xor);
		return 1;
	}
	printf("vmtest sort: ok: %u numbers (%u MiB) in order, sum %08x, from %u parts\n", count, mib,
	       sum, parts);
	return 0;
}

/* ---- shuffle ---- */

/* Blocks of a page are shuffled, not words: a shuffle of words over more
 * than RAM faults on nearly every swap and would take hours under TCG; a
 * block's swap moves two pages, touching each once. Block i starts as the
 * number i in every word, so the order is checked from any word. */
static int shuffle(uint32_t mib, uint32_t rounds)
{
	static uint32_t held[WORDS_PER_PAGE];
	uint32_t n = mib * (MIB / PAGE), seed = 12345;
	uint32_t *a = take_memory(mib * MIB, "shuffle");

	for (uint32_t i = 0; i < n; i++)
		for (uint32_t w = 0; w < WORDS_PER_PAGE; w++)
			a[i * WORDS_PER_PAGE + w] = i;
	for (uint32_t r = 1; r <= rounds; r++) {
		for (uint32_t i = n; i > 1; i--) {
			uint32_t j = next_random(&seed) % i;
			memcpy(held, &a[(i - 1) * WORDS_PER_PAGE], PAGE);
			memcpy(&a[(i - 1) * WORDS_PER_PAGE], &a[j * WORDS_PER_PAGE], PAGE);
			memcpy(&a[j * WORDS_PER_PAGE], held, PAGE);
		}
		uint32_t check = 0;
		for (uint32_t i = 0; i < n; i++)
			check = check * 31 + a[i * WORDS_PER_PAGE];
		printf("vmtest shuffle: round %u checksum %08x\n", r, check);
	}
	/* still a permutation of 0..n-1, every word of a block the same */
	uint32_t *seen = take_memory((n + 31) / 32 * 4, "shuffle");
	for (uint32_t i = 0; i < n; i++) {
		uint32_t id = a[i * WORDS_PER_PAGE];
		for (uint32_t w = 1; w < WORDS_PER_PAGE; w++)
			if (a[i * WORDS_PER_PAGE + w] != id) {
				printf("vmtest shuffle: FAILED: word %u of block %u is %u, not %u\n", w,
				       i, a[i * WORDS_PER_PAGE + w], id);
				return 1;
			}
		if (id >= n || (seen[id / 32] >> (id % 32) & 1)) {
			printf("vmtest shuffle: FAILED: block %u at %u is out of range or seen twice\n",
			       id, i);
			return 1;
		}
		seen[id / 32] |= 1u << (id % 32);
	}
	printf("vmtest shuffle: ok: %u rounds over %u MiB, still a permutation\n", rounds, mib);
	return 0;
}

/* ---- stack ---- */

#define FRAME_BYTES 1024u
#define BIG_ARRAY_BYTES (640u * 1024u)

static uint32_t recurse(uint32_t depth)
{
	volatile uint32_t frame[FRAME_BYTES / 4];
	for (uint32_t i = 0; i < FRAME_BYTES / 4; i++)
		frame[i] = depth * 1000003u + i;
	uint32_t below = depth > 1 ? recurse(depth - 1) : 0;
	for (uint32_t i = 0; i < FRAME_BYTES / 4; i++)
		if (frame[i] != depth * 1000003u + i)
			return 0xFFFFFFFFu;
	return below == 0xFFFFFFFFu ? below : below + 1;
}

static __attribute__((noinline)) int big_array(void)
{
	volatile uint8_t array[BIG_ARRAY_BYTES];
	for (uint32_t i = 0; i < BIG_ARRAY_BYTES; i++)
		array[i] = (uint8_t)(i * 7);
	for (uint32_t i = 0; i < BIG_ARRAY_BYTES; i++)
		if (array[i] != (uint8_t)(i * 7))
			return 1;
	return 0;
}

static int stack(uint32_t kib)
{
	uint32_t depth = kib * 1024u / (FRAME_BYTES + 64);
	uint32_t got = recurse(depth);

	if (got != depth) {
		printf("vmtest stack: FAILED: recursion %u deep came back with %u\n", depth, got);
		return 1;
	}
	if (big_array()) {
		printf("vmtest stack: FAILED: the %u KiB array on the stack changed\n",
		       BIG_ARRAY_BYTES >> 10);
		return 1;
	}
	printf("vmtest stack: ok: %u calls deep (%u KiB), then a %u KiB array\n", depth, kib,
	       BIG_ARRAY_BYTES >> 10);
	return 0;
}

/* ---- oom ---- */

/* Two children reserve MIB each, which memory and swap could hold for either
 * alone but not for both; reserving is not holding, so both are given it.
 * Two pipes keep them in step: the toucher, once it has its reservation,
 * sends the holder a byte; the holder touches every page of its own, sends
 * one back and holds it all until its pipe ends, which happens when the
 * toucher ends (it has that pipe's write end). The toucher then touches its
 * pages, finds RAM and swap full, and the kernel kills it with the figures;
 * the holder checks its pages and finishes. */
static int oom_child(uint32_t mib, bool holder)
{
	uint8_t *p = (uint8_t *)take_memory(mib * MIB, "oom");
	char byte;

	if (holder) { /* what it inherited beyond its pipes: the other ends too */
		for (int fd = FD_STDERR + 1; fd < FD_MAX; fd++)
			sys_close(fd);
		if (sys_read(FD_STDIN, &byte, 1) != 1)
			return 1;
	} else {
		sys_write(FD_STDOUT, "r", 1);
		if (sys_read(FD_STDIN, &byte, 1) != 1)
			return 1;
	}
	for (uint32_t i = 0; i < mib * MIB; i += PAGE)
		p[i] = (uint8_t)(i >> 12 | 1);
	if (holder) {
		fprintf(FD_STDERR, "vmtest oom: the holder touched all of its %u MiB and holds it\n",
			mib);
		sys_write(FD_STDOUT, "g", 1);
		while (sys_read(FD_STDIN, &byte, 1) > 0)
			;
	}
	for (uint32_t i = 0; i < mib * MIB; i += PAGE)
		if (p[i] != (uint8_t)(i >> 12 | 1)) {
			fprintf(FD_STDERR, "vmtest oom: FAILED: page %u changed\n", i / PAGE);
			return 1;
		}
	fprintf(FD_STDERR, "vmtest oom: the %s touched and checked all of its %u MiB\n",
		holder ? "holder" : "toucher", mib);
	return 0;
}

static int oom(const char *mib)
{
	int pids[2], statuses[2], go[2], hold[2], in = FD_MAX - 1, out = FD_MAX - 2;
	const char *roles[2] = { "oomhold", "oomtouch" };

	if (sys_pipe(go) < 0 || sys_pipe(hold) < 0 || sys_dup2(FD_STDIN, in) < 0 ||
	    sys_dup2(FD_STDOUT, out) < 0) {
		printf("vmtest oom: FAILED: no pipes\n");
		return 1;
	}
	for (int i = 0; i < 2; i++) {
		const char *argv[] = { SELF, roles[i], mib, NULL };
		sys_dup2(i == 0 ? hold[0] : go[0], FD_STDIN);
		sys_dup2(i == 0 ? go[1] : hold[1], FD_STDOUT);
		pids[i] = sys_spawn(SELF, argv);
		sys_dup2(in, FD_STDIN);
		sys_dup2(out, FD_STDOUT);
		if (pids[i] < 0) {
			printf("vmtest oom: FAILED: spawn: %s\n", error_name(pids[i]));
			return 1;
		}
	}
	sys_close(go[0]);
	sys_close(go[1]);
	sys_close(hold[0]);
	sys_close(hold[1]);
	for (int i = 0; i < 2; i++) {
		statuses[i] = -1;
		sys_wait(pids[i], &statuses[i]);
	}
	bool ok = statuses[0] == 0 && statuses[1] != 0;
	printf("vmtest oom: the holder ended with status %d, the toucher with %d; %s\n", statuses[0],
	       statuses[1], ok ? "the toucher was killed, the holder finished" : "FAILED");
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	cmd_start(&vmtest_command, argc, argv);
	const char *what = argc > 1 ? argv[1] : "";
	if (!strcmp(what, "pattern") && (argc == 4 || argc == 5) &&
	    (!strcmp(argv[3], "seq") || !strcmp(argv[3], "random")))
		return pattern(cmd_number(argv[2], "MiB"), !strcmp(argv[3], "random"),
			       argc == 5 ? cmd_number(argv[4], "seed") : 1);
	if (!strcmp(what, "procs") && argc == 4)
		return procs(cmd_number(argv[2], "processes"), argv[3]);
	if (!strcmp(what, "sort") && argc == 4)
		return sort(cmd_number(argv[2], "MiB"), cmd_number(argv[3], "parts"));
	if (!strcmp(what, "sortpart") && argc == 4)
		return sort_part(cmd_number(argv[2], "words"), cmd_number(argv[3], "part"));
	if (!strcmp(what, "shuffle") && argc == 4)
		return shuffle(cmd_number(argv[2], "MiB"), cmd_number(argv[3], "rounds"));
	if (!strcmp(what, "stack") && argc == 3)
		return stack(cmd_number(argv[2], "KiB"));
	if (!strcmp(what, "oom") && argc == 3)
		return oom(argv[2]);
	if ((!strcmp(what, "oomhold") || !strcmp(what, "oomtouch")) && argc == 3)
		return oom_child(cmd_number(argv[2], "MiB"), !strcmp(what, "oomhold"));
	cmd_bad("what to run? (VMTEST -h)");
}
