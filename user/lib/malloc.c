/* malloc.c: the user heap, a first-fit free list over sbrk with boundary
 * tags. Each block starts with a header holding its size and the size of the
 * block just below it, so free can merge a block with both neighbours at
 * once; the free list's links live in the free block's payload. Each stretch
 * of memory sbrk gave ends with a sentinel (a used block of size 0), and its
 * first block has prev_size 0, so no merge ever leaves a stretch. When sbrk
 * hands back memory that continues the last stretch, the old sentinel becomes
 * the new free block's header; when it does not (the program moved the break
 * itself), a new stretch begins. Memory is never given back to the kernel.
 *
 * Why not kernel/mm's allocator over sbrk (issue 14 suggests it): that code
 * is a buddy allocator of physical frames with slab caches above, driven by
 * the boot memory map and struct page; a heap that grows by sbrk would need a
 * new page source and the memmap glue, far more than this file. */
#include "umalloc.h"
#include "errors.h"
#include "usys.h"

struct block {
	size_t size;      /* the whole block, header included; BLOCK_USED marks it taken */
	size_t prev_size; /* the block just below in its stretch, or 0 for a stretch's first */
};

struct free_links {
	struct block *next, *prev;
};

#define BLOCK_USED ((size_t)1)
#define HEADER ((sizeof(struct block) + MALLOC_ALIGN - 1) & ~(size_t)(MALLOC_ALIGN - 1))
#define MIN_BLOCK \
	(HEADER + ((sizeof(struct free_links) + MALLOC_ALIGN - 1) & ~(size_t)(MALLOC_ALIGN - 1)))
#define GROW_STEP (64 * 1024) /* sbrk at least this much at a time: fewer system calls */
#define GROW_MAX 0x7FFFFFFF   /* sbrk's delta is an int32_t */

static struct block *free_list; /* first fit from here; new free blocks go first */
static struct block *sentinel;  /* the end of the last stretch, NULL before the first */

static size_t align_up(size_t n)
{
	return (n + MALLOC_ALIGN - 1) & ~(size_t)(MALLOC_ALIGN - 1);
}

static size_t block_size(const struct block *b)
{
	return b->size & ~BLOCK_USED;
}

static bool block_free(const struct block *b)
{
	return (b->size & BLOCK_USED) == 0;
}

static struct block *block_after(struct block *b)
{
	return (struct block *)((char *)b + block_size(b));
}

static struct block *block_before(struct block *b)
{
	return b->prev_size ? (struct block *)((char *)b - b->prev_size) : NULL;
}

static struct free_links *links(struct block *b)
{
	return (struct free_links *)((char *)b + HEADER);
}

static void *payload(struct block *b)
{
	return (char *)b + HEADER;
}

static void list_remove(struct block *b)
{
	struct free_links *l = links(b);

	if (l->prev)
		links(l->prev)->next = l->next;
	else
		free_list = l->next;
	if (l->next)
		links(l->next)->prev = l->prev;
}

static void list_push(struct block *b)
{
	links(b)->prev = NULL;
	links(b)->next = free_list;
	if (free_list)
		links(free_list)->prev = b;
	free_list = b;
}

/* Sets b's size (keeping its used bit) and tells the block after it. */
static void set_size(struct block *b, size_t size)
{
	b->size = size | (b->size & BLOCK_USED);
	block_after(b)->prev_size = size;
}

/* b is free and on no list: merge it with free neighbours, put it on the list. */
static void release(struct block *b)
{
	struct block *next = block_after(b), *prev = block_before(b);

	if (block_free(next)) {
		list_remove(next);
		set_size(b, block_size(b) + block_size(next));
	}
	if (prev && block_free(prev)) {
		list_remove(prev);
		set_size(prev, block_size(prev) + block_size(b));
		b = prev;
	}
	list_push(b);
}

/* b is used and at least size bytes: give what is past size back as a free block. */
static void trim(struct block *b, size_t size)
{
	size_t spare = block_size(b) - size;

	if (spare < MIN_BLOCK)
		return;
	set_size(b, size);
	struct block *rest = block_after(b);
	rest->size = 0; /* free */
	rest->prev_size = size;
	set_size(rest, spare);
	release(rest);
}

/* More memory from sbrk: a free block of at least size bytes, on the list. */
static bool grow(size_t size)
{
	/* room for the block, a new sentinel and aligning both ends of a new stretch */
	if (size > GROW_MAX - HEADER - 2 * MALLOC_ALIGN - GROW_STEP)
		return false;
	size_t request = (size + HEADER + 2 * MALLOC_ALIGN + GROW_STEP - 1) & ~(size_t)(GROW_STEP - 1);
	char *start = sys_sbrk((int32_t)request);
	if (sys_error(start))
		return false;

	struct block *b;
	char *end = start + request;
	if (sentinel && (char *)sentinel + HEADER == start) {
		b = sentinel; /* the stretch goes on: its sentinel becomes the new block */
	} else {
		b = (struct block *)align_up((size_t)start);
		b->prev_size = 0;
	}
	sentinel = (struct block *)(((size_t)end & ~(size_t)(MALLOC_ALIGN - 1)) - HEADER);
	sentinel->size = BLOCK_USED;
	b->size = 0;
	set_size(b, (size_t)((char *)sentinel - (char *)b));
	release(b);
	return true;
}

static struct block *find_fit(size_t size)
{
	for (struct block *b = free_list; b; b = links(b)->next)
		if (block_size(b) >= size)
			return b;
	return NULL;
}

/* The block size that holds n bytes, or 0 when n is too big for any. */
static size_t size_for(size_t n)
{
	if (n > GROW_MAX)
		return 0;
	size_t size = align_up(n + HEADER);
	return size < MIN_BLOCK ? MIN_BLOCK : size;
}

void *LIB_NAME(malloc)(size_t n)
{
	size_t size = size_for(n);
	if (size == 0)
		return NULL;
	struct block *b = find_fit(size);
	if (!b) {
		if (!grow(size))
			return NULL;
		b = find_fit(size);
	}
	list_remove(b);
	b->size |= BLOCK_USED;
	trim(b, size);
	return payload(b);
}

void LIB_NAME(free)(void *p)
{
	if (!p)
		return;
	struct block *b = (struct block *)((char *)p - HEADER);
	b->size &= ~BLOCK_USED;
	release(b);
}

void *LIB_NAME(calloc)(size_t count, size_t size)
{
	if (size != 0 && count > GROW_MAX / size)
		return NULL;
	void *p = LIB_NAME(malloc)(count * size);
	if (p)
		LIB_NAME(memset)(p, 0, count * size); /* a reused block holds old data */
	return p;
}

void *LIB_NAME(realloc)(void *p, size_t n)
{
	if (!p)
		return LIB_NAME(malloc)(n);
	if (n == 0) {
		LIB_NAME(free)(p);
		return NULL;
	}
	size_t size = size_for(n);
	if (size == 0)
		return NULL;
	struct block *b = (struct block *)((char *)p - HEADER), *next = block_after(b);
	if (block_size(b) < size && block_free(next) && block_size(b) + block_size(next) >= size) {
		list_remove(next); /* grow in place into the free block above */
		set_size(b, block_size(b) + block_size(next));
	}
	if (block_size(b) >= size) {
		trim(b, size);
		return p;
	}
	void *moved = LIB_NAME(malloc)(n);
	if (!moved)
		return NULL;
	LIB_NAME(memcpy)(moved, p, block_size(b) - HEADER);
	LIB_NAME(free)(p);
	return moved;
}
