/* buddy.c: layer: frames (the bottom: calls nothing else in kernel/mm).
 * Binary buddy allocator over page frames, as Linux's mm/page_alloc.c
 * keeps it: a free list and a count per order, a block's buddy at
 * pfn ^ (1 << order), merged only when that buddy heads a free block of the
 * same order inside the zone. Invariant: only block heads carry PAGE_FREE or
 * PAGE_ALLOCATED; every other frame of a block has flags 0 or PAGE_TAIL marks. */
#include "mm.h"

#define NO_BLOCK ((size_t)-1)

static size_t order_pages(unsigned order)
{
	return (size_t)1 << order;
}

static unsigned long addr_of(const void *p)
{
	return (unsigned long)(uintptr_t)p;
}

void buddy_init(struct buddy_zone *z, uintptr_t base, struct page *descriptors, size_t npages)
{
	z->base = base;
	z->pages = descriptors;
	z->npages = npages;
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		list_init(&z->free_list[o]);
		z->nr_free[o] = 0;
	}
	/* Every field of every frame in one pass, field by field: a whole-struct
	 * assignment compiles to a memset call a frame, and a memset of the
	 * array then a second pass for the flags walked 16,384 frames twice for
	 * 64 MiB, the larger part of the kernel's set-up under QEMU's TCG. A
	 * reserved frame is on no list: its links are NULL, so a list_del of it
	 * faults at once rather than corrupting a list. */
	for (size_t pfn = 0; pfn < npages; pfn++) {
		struct page *d = &descriptors[pfn];
		d->node.next = NULL;
		d->node.prev = NULL;
		d->flags = PAGE_RESERVED;
		d->order = 0;
		d->spare = 0;
		d->inuse = 0;
		d->spare2 = 0;
		d->cache = NULL;
		d->freelist = NULL;
	}
	z->free_pages = 0;
	z->allocated_pages = 0;
	z->reserved_pages = npages;
}

static void free_list_add(struct buddy_zone *z, size_t pfn, unsigned order)
{
	struct page *p = &z->pages[pfn];

	p->flags = PAGE_FREE;
	p->order = (uint8_t)order;
	list_push(&z->free_list[order], &p->node);
	z->nr_free[order]++;
}

static void free_list_del(struct buddy_zone *z, struct page *p)
{
	list_del(&p->node);
	z->nr_free[p->order]--;
	p->flags = 0;
}

/* Puts [pfn, pfn + 2^order), whose frames all have flags 0 and which is
 * counted nowhere, on the free lists, merged with its free buddies. Page
 * poisoning would go here: every freed frame passes through. */
static void __buddy_free(struct buddy_zone *z, size_t pfn, unsigned order)
{
	z->free_pages += order_pages(order);
	while (order < BUDDY_MAX_ORDER) {
		size_t buddy = pfn ^ order_pages(order);
		if (buddy >= z->npages || z->npages - buddy < order_pages(order))
			break;
		struct page *b = &z->pages[buddy];
		if (b->flags != PAGE_FREE || b->order != order)
			break;
		free_list_del(z, b);
		pfn &= ~order_pages(order);
		order++;
	}
	free_list_add(z, pfn, order);
}

/* pfn of the free block holding pfn, or NO_BLOCK */
static size_t free_block_holding(const struct buddy_zone *z, size_t pfn)
{
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		size_t head = pfn & ~(order_pages(o) - 1);
		const struct page *p = &z->pages[head];
		if (p->flags == PAGE_FREE && p->order >= o)
			return head;
	}
	return NO_BLOCK;
}

bool buddy_is_free(const struct buddy_zone *z, const void *addr)
{
	const struct page *p = buddy_page(z, addr);

	return p && free_block_holding(z, buddy_pfn(z, p)) != NO_BLOCK;
}

unsigned buddy_order_for(size_t count)
{
	unsigned order = 0;

	while (order < 8 * sizeof(size_t) - 1 && order_pages(order) < count)
		order++;
	return order;
}

/* Largest order at which pfn is aligned and the block ends by `end`. */
static unsigned fitting_order(size_t pfn, size_t end)
{
	unsigned o = 0;

	while (o < BUDDY_MAX_ORDER && !(pfn & order_pages(o)) && end - pfn >= order_pages(o + 1))
		o++;
	return o;
}

/* Frees the run [pfn, end), whose frames' flags are already 0, block by block. */
static void release_run(struct buddy_zone *z, size_t pfn, size_t end)
{
	while (pfn < end) {
		unsigned o = fitting_order(pfn, end);
		z->reserved_pages -= order_pages(o);
		__buddy_free(z, pfn, o);
		pfn += order_pages(o);
	}
}

void buddy_release_range(struct buddy_zone *z, size_t first_pfn, size_t count)
{
	if (first_pfn > z->npages || count > z->npages - first_pfn) {
		mm_report("buddy: release of frames %zu+%zu outside the zone of %zu frames", first_pfn,
			  count, z->npages);
		return;
	}
	size_t pfn = first_pfn, end = first_pfn + count;
	while (pfn < end) {
		size_t run = pfn;
		bool reserved = z->pages[pfn].flags == PAGE_RESERVED;
		if (reserved) /* one pass: each frame is checked and cleared together */
			for (; run < end && z->pages[run].flags == PAGE_RESERVED; run++)
				z->pages[run].flags = 0;
		else
			while (run < end && z->pages[run].flags != PAGE_RESERVED)
				run++;
		if (reserved)
			release_run(z, pfn, run);
		else
			mm_report("buddy: release of frames %zu-%zu which are not reserved", pfn,
				  run - 1);
		pfn = run;
	}
}

void *buddy_alloc(struct buddy_zone *z, unsigned order)
{
	if (order > BUDDY_MAX_ORDER)
		return NULL;
	unsigned o = order;
	while (list_is_empty(&z->free_list[o]))
		if (++o > BUDDY_MAX_ORDER)
			return NULL;
	struct page *p = list_entry(z->free_list[o].next, struct page, node);
	size_t pfn = buddy_pfn(z, p);
	free_list_del(z, p);
	while (o > order) {
		o--;
		free_list_add(z, pfn + order_pages(o), o);
	}
	p->flags = PAGE_ALLOCATED;
	p->order = (uint8_t)order;
	z->free_pages -= order_pages(order);
	z->allocated_pages += order_pages(order);
	return buddy_page_addr(z, p);
}

void *buddy_alloc_at(struct buddy_zone *z, const void *addr, unsigned order)
{
	const struct page *want = buddy_page(z, addr);

	if (!want || order > BUDDY_MAX_ORDER || ((uintptr_t)addr - z->base) & (PAGE_SIZE - 1))
		return NULL;
	size_t pfn = buddy_pfn(z, want);
	if ((pfn & (order_pages(order) - 1)) || z->npages - pfn < order_pages(order))
		return NULL;
	size_t head = free_block_holding(z, pfn);
	if (head == NO_BLOCK || z->pages[head].order < order)
		return NULL;
	/* split the free block down to the one wanted, the other halves back on the lists */
	unsigned o = z->pages[head].order;
	free_list_del(z, &z->pages[head]);
	while (o > order) {
		o--;
		size_t half = head + order_pages(o);
		if (pfn >= half) {
			free_list_add(z, head, o);
			head = half;
		} else {
			free_list_add(z, half, o);
		}
	}
	struct page *p = &z->pages[pfn];
	p->flags = PAGE_ALLOCATED;
	p->order = (uint8_t)order;
	z->free_pages -= order_pages(order);
	z->allocated_pages += order_pages(order);
	return buddy_page_addr(z, p);
}

/* Reports why `block` cannot be freed as an allocated block of `order`;
 * false when it can. Changes nothing. */
static bool is_bad_free(const struct buddy_zone *z, const void *block, unsigned order)
{
	const struct page *p = buddy_page(z, block);
	unsigned long a = addr_of(block);

	if (p && p->flags == PAGE_ALLOCATED && p->order == order &&
	    !(((uintptr_t)block - z->base) & (PAGE_SIZE - 1)))
		return false; /* the usual case, before the diagnosis below */
	if (!p)
		mm_report("buddy: free of 0x%08lx outside the zone", a);
	else if (((uintptr_t)block - z->base) & (PAGE_SIZE - 1))
		mm_report("buddy: free of 0x%08lx which is not page aligned", a);
	else if (order > BUDDY_MAX_ORDER)
		mm_report("buddy: free of 0x%08lx with order %u, above the largest (%u)", a, order,
			  BUDDY_MAX_ORDER);
	else if (p->flags & PAGE_RESERVED)
		mm_report("buddy: free of 0x%08lx which is reserved", a);
	else if (free_block_holding(z, buddy_pfn(z, p)) != NO_BLOCK)
		mm_report("buddy: double free of 0x%08lx (order %u)", a, order);
	else if (!(p->flags & PAGE_ALLOCATED))
		mm_report("buddy: free of 0x%08lx which is not an allocated block", a);
	else if (p->flags != PAGE_ALLOCATED)
		mm_report("buddy: free of 0x%08lx which its owner still marks (flags 0x%x)", a,
			  p->flags);
	else if (p->order != order)
		mm_report("buddy: free of 0x%08lx with order %u, allocated with order %u", a, order,
			  p->order);
	else
		return false;
	return true;
}

/* Frees an allocated block the caller has checked. */
static void free_block(struct buddy_zone *z, size_t pfn, unsigned order)
{
	z->pages[pfn].flags = 0;
	z->allocated_pages -= order_pages(order);
	__buddy_free(z, pfn, order);
}

void buddy_free(struct buddy_zone *z, void *block, unsigned order)
{
	if (is_bad_free(z, block, order))
		return;
	free_block(z, buddy_pfn(z, buddy_page(z, block)), order);
}

/*
 * An exact allocation of count frames is a 2^order block cut in two: the
 * first count frames become allocated blocks, one per set bit of count,
 * largest first (each is aligned to its size because the ones before it are
 * larger powers of two); the rest goes back to the free lists.
 */
void *buddy_alloc_pages(struct buddy_zone *z, size_t count)
{
	if (count == 0 || count > order_pages(BUDDY_MAX_ORDER))
		return NULL;
	unsigned order = buddy_order_for(count);
	void *block = buddy_alloc(z, order);
	if (!block || count == order_pages(order))
		return block;
	size_t pfn = buddy_pfn(z, buddy_page(z, block)), pos = 0;
	for (unsigned o = order; o-- > 0;) {
		if (!(count & order_pages(o)))
			continue;
		z->pages[pfn + pos].flags = PAGE_ALLOCATED;
		z->pages[pfn + pos].order = (uint8_t)o;
		pos += order_pages(o);
	}
	while (pos < order_pages(order)) {
		unsigned o = 0;
		while (!(pos & order_pages(o)))
			o++;
		z->allocated_pages -= order_pages(o);
		__buddy_free(z, pfn + pos, o);
		pos += order_pages(o);
	}
	return block;
}

void buddy_free_pages(struct buddy_zone *z, void *first, size_t count)
{
	if (count == 0 || count > order_pages(BUDDY_MAX_ORDER)) {
		mm_report("buddy: free of 0x%08lx with %zu frames", addr_of(first), count);
		return;
	}
	size_t pos = 0;
	for (unsigned o = BUDDY_MAX_ORDER + 1; o-- > 0;) {
		if (!(count & order_pages(o)))
			continue;
		if (is_bad_free(z, (const void *)((uintptr_t)first + pos * PAGE_SIZE), o))
			return;
		pos += order_pages(o);
	}
	size_t pfn = buddy_pfn(z, buddy_page(z, first));
	pos = 0;
	for (unsigned o = BUDDY_MAX_ORDER + 1; o-- > 0;) {
		if (!(count & order_pages(o)))
			continue;
		free_block(z, pfn + pos, o);
		pos += order_pages(o);
	}
}

size_t buddy_free_count(const struct buddy_zone *z, unsigned order)
{
	return order > BUDDY_MAX_ORDER ? 0 : z->nr_free[order];
}

/* ---- buddy_check: the whole-zone walk the tests lean on ---- */

/* Checks the block whose head is at pfn and adds it to the tallies; its size,
 * or 0 (reported) when it is broken. */
static size_t check_block(const struct buddy_zone *z, size_t pfn, size_t *free_pages,
			  size_t *allocated_pages, size_t blocks[])
{
	const struct page *p = &z->pages[pfn];
	bool is_free = p->flags == PAGE_FREE;
	size_t n = order_pages(p->order <= BUDDY_MAX_ORDER ? p->order : 0);

	if (p->order > BUDDY_MAX_ORDER || (pfn & (n - 1)) || z->npages - pfn < n) {
		mm_report("buddy: check: frame %zu heads a block of order %u that does not fit", pfn,
			  p->order);
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		uint16_t f = z->pages[pfn + i].flags;
		if (is_free ? f != 0 : (f & ~PAGE_OWNER_MARKS) != 0) {
			mm_report("buddy: check: frame %zu (flags 0x%x) inside the %s block at %zu",
				  pfn + i, f, is_free ? "free" : "allocated", pfn);
			return 0;
		}
	}
	if (is_free) {
		size_t buddy = pfn ^ n;
		if (p->order < BUDDY_MAX_ORDER && buddy < z->npages && z->npages - buddy >= n &&
		    z->pages[buddy].flags == PAGE_FREE && z->pages[buddy].order == p->order) {
			mm_report("buddy: check: free buddies %zu and %zu (order %u) not merged", pfn,
				  buddy, p->order);
			return 0;
		}
		*free_pages += n;
		blocks[p->order]++;
	} else {
		*allocated_pages += n;
	}
	return n;
}

/* Walks one free list, at most npages steps (a broken list may loop). */
static bool check_list(const struct buddy_zone *z, unsigned order, size_t blocks)
{
	size_t n = 0;
	const struct list_node *pos;

	list_for_each (pos, &z->free_list[order]) {
		const struct page *p = list_entry(pos, struct page, node);
		if (p < z->pages || p >= z->pages + z->npages || p->flags != PAGE_FREE ||
		    p->order != order || ++n > z->npages) {
			mm_report("buddy: check: free list %u holds a bad entry (#%zu)", order, n);
			return false;
		}
	}
	if (n != z->nr_free[order] || n != blocks) {
		mm_report("buddy: check: order %u: %zu listed, %zu counted, %zu in the zone", order, n,
			  z->nr_free[order], blocks);
		return false;
	}
	return true;
}

bool buddy_check(const struct buddy_zone *z)
{
	size_t free_pages = 0, allocated_pages = 0, reserved_pages = 0;
	size_t blocks[BUDDY_MAX_ORDER + 1] = { 0 };

	for (size_t pfn = 0; pfn < z->npages;) {
		uint16_t f = z->pages[pfn].flags;
		size_t n;
		if (f == PAGE_RESERVED) {
			reserved_pages++;
			n = 1;
		} else if (f == PAGE_FREE || (f & ~PAGE_OWNER_MARKS) == PAGE_ALLOCATED) {
			n = check_block(z, pfn, &free_pages, &allocated_pages, blocks);
		} else {
			mm_report("buddy: check: frame %zu (flags 0x%x) belongs to no block", pfn, f);
			n = 0;
		}
		if (n == 0)
			return false;
		pfn += n;
	}
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		if (!check_list(z, o, blocks[o]))
			return false;
	if (free_pages != z->free_pages || allocated_pages != z->allocated_pages ||
	    reserved_pages != z->reserved_pages) {
		mm_report("buddy: check: counted %zu free, %zu allocated, %zu reserved; the zone "
			  "says %zu, %zu, %zu",
			  free_pages, allocated_pages, reserved_pages, z->free_pages, z->allocated_pages,
			  z->reserved_pages);
		return false;
	}
	return true;
}
