/* sources: user/lib/malloc.c lib/string.c */
/* test_malloc.c: the user library's malloc (user/lib/malloc.c) over a fake
 * sbrk in a static arena: alignment, contents kept, no overlap, merging of
 * free neighbours, realloc in place, calloc, sbrk failing, and a break the
 * program moved itself between calls. */
#include "check.h"
#include "errors.h"
#include "../../user/lib/umalloc.h"
#include "../../user/lib/usys.h"

#define ARENA (64 << 20)
static _Alignas(4096) unsigned char arena[ARENA];
static size_t brk_offset;
static size_t brk_limit = ARENA; /* lower it to make sbrk fail */
static unsigned sbrk_calls;

void *sys_sbrk(int32_t delta)
{
	size_t old = brk_offset;

	sbrk_calls++;
	if (delta < 0 && (size_t) - (int64_t)delta > old)
		return (void *)(intptr_t)ERR_INVAL;
	if (delta > 0 && (size_t)delta > brk_limit - old)
		return (void *)(intptr_t)ERR_NOMEM;
	brk_offset = old + (size_t)(int64_t)delta;
	return arena + old;
}

static bool in_arena(const void *p, size_t n)
{
	return (const unsigned char *)p >= arena && (const unsigned char *)p + n <= arena + brk_offset;
}

#define LIVE 400
static struct {
	unsigned char *p;
	size_t size;
	unsigned char fill;
} live[LIVE];

static bool intact(int i)
{
	for (size_t k = 0; k < live[i].size; k++)
		if (live[i].p[k] != live[i].fill)
			return CHECK_MSG(false, "block %d (%zu bytes) changed at byte %zu", i,
					 live[i].size, k);
	return true;
}

static void test_random(void)
{
	for (int step = 0; step < 20000; step++) {
		int i = (int)check_rand_below(LIVE);
		size_t size = check_rand_below(4) == 0 ? check_rand_below(70000) : check_rand_below(300);
		if (live[i].p && !intact(i))
			return;
		switch (check_rand_below(3)) {
		case 0:
			lib_free(live[i].p);
			live[i].p = lib_malloc(size);
			break;
		case 1: {
			unsigned char *q = lib_realloc(live[i].p, size);
			if (live[i].p && size == 0) {
				CHECK(q == NULL);
			} else if (!CHECK(q != NULL)) {
				return;
			} else {
				size_t kept = live[i].size < size ? live[i].size : size;
				for (size_t k = 0; live[i].p && k < kept; k++)
					if (!CHECK_MSG(q[k] == live[i].fill, "realloc lost byte %zu", k))
						return;
			}
			live[i].p = q;
			break;
		}
		default:
			lib_free(live[i].p);
			live[i].p = NULL;
			break;
		}
		if (!live[i].p) {
			live[i].size = 0;
			continue;
		}
		if (!CHECK_EQ_UINT((uintptr_t)live[i].p % MALLOC_ALIGN, 0) ||
		    !CHECK(in_arena(live[i].p, size)))
			return;
		live[i].size = size;
		live[i].fill = (unsigned char)check_rand();
		memset(live[i].p, live[i].fill, size);
	}
	for (int i = 0; i < LIVE; i++) {
		if (live[i].p)
			intact(i);
		lib_free(live[i].p);
		live[i].p = NULL;
	}
}

/* everything freed merges back: one block as big as all of them fits without
 * asking sbrk for more */
static void test_merge(void)
{
	enum { N = 100, SIZE = 1000 };
	void *p[N];

	for (int i = 0; i < N; i++)
		p[i] = lib_malloc(SIZE);
	for (int i = 0; i < N; i += 2) /* free in an order that needs both-side merges */
		lib_free(p[i]);
	for (int i = 1; i < N; i += 2)
		lib_free(p[i]);
	unsigned calls = sbrk_calls;
	void *all = lib_malloc(N * SIZE);
	CHECK(all != NULL);
	CHECK_EQ_UINT(sbrk_calls, calls);
	lib_free(all);
}

static void test_realloc(void)
{
	void *fresh = lib_realloc(NULL, 10); /* realloc(NULL, n) is malloc(n) */
	CHECK(fresh != NULL);
	lib_free(fresh);
	unsigned char *a = lib_malloc(100), *b = lib_malloc(100);
	memset(a, 7, 100);
	unsigned char *same = lib_realloc(a, 40); /* shrinks in place */
	CHECK_EQ_PTR(same, a);
	lib_free(b);
	unsigned char *grown = lib_realloc(a, 200); /* b's room was freed: grows in place */
	CHECK_EQ_PTR(grown, a);
	CHECK_EQ_UINT(grown[39], 7);
	CHECK(lib_realloc(grown, 0) == NULL);
	CHECK(lib_realloc(NULL, (size_t)1 << 40) == NULL);
}

static void test_calloc(void)
{
	unsigned char *p = lib_malloc(4000);
	memset(p, 0xEE, 4000);
	lib_free(p);
	unsigned char *z = lib_calloc(100, 40); /* likely the same memory again */
	for (int i = 0; z && i < 4000; i++)
		if (!CHECK_MSG(z[i] == 0, "calloc byte %d is 0x%02x", i, z[i]))
			break;
	lib_free(z);
	CHECK(lib_calloc((size_t)1 << 31, (size_t)1 << 31) == NULL);
	CHECK(lib_calloc(0x10000, 0x10000) == NULL);
}

static void test_sbrk_fails(void)
{
	/* more than the heap holds free, so sbrk must give it */
	brk_limit = brk_offset + 1000;
	CHECK(lib_malloc(24 << 20) == NULL);
	brk_limit = ARENA;
	void *p = lib_malloc(24 << 20);
	CHECK(p != NULL);
	lib_free(p);
	CHECK(lib_malloc((size_t)1 << 40) == NULL);
}

/* the program moved the break itself (to an odd address): malloc starts a
 * new stretch and keeps its alignment */
static void test_foreign_break(void)
{
	void *keep = lib_malloc(200000); /* beyond what is free: sbrk is called */
	sys_sbrk(24 + 3);
	void *p = lib_malloc(300000);
	if (CHECK(p != NULL)) {
		CHECK_EQ_UINT((uintptr_t)p % MALLOC_ALIGN, 0);
		CHECK(in_arena(p, 300000));
		memset(p, 1, 300000);
	}
	lib_free(keep);
	lib_free(p);
	void *q = lib_malloc(250000);
	CHECK(q != NULL);
	lib_free(q);
}

int main(void)
{
	check_seed(1414);
	RUN(test_random);
	RUN(test_merge);
	RUN(test_realloc);
	RUN(test_calloc);
	RUN(test_sbrk_fails);
	RUN(test_foreign_break);
	return check_done();
}
