/* kmalloc.c: layer: kmalloc (above the caches). malloc, free, calloc and
 * realloc for the kernel. Sizes up to KMALLOC_MAX_SMALL come from slab
 * caches: every 16 bytes to 256, then four
 * size classes per doubling (at most 20% rounding; 16-byte alignment, and
 * every class a multiple of the live map's grain); larger ones up to
 * SPAN_MAX_REQUEST are span.c's blocks (a 4-byte header, 16-byte rounding:
 * a page plus a small header no longer takes two frames), and larger still,
 * or any above KMALLOC_MAX_SMALL under memdebug, whole frames from
 * buddy_alloc_pages, their count kept in the head frame (PAGE_LARGE,
 * page->npages). No header precedes a size-class object or a frame block.
 *
 * The size classes have magazines (mm.h): the common kmalloc pops the
 * class's loaded magazine and sets the object's live bit; the common kfree
 * checks the pointer (a full slab's frame, a live bit set) and pushes it,
 * both inlined here, neither touching the object; the rest is in magazine.c,
 * slab.c and, when a class must grow, cache.c. */
#include "mm.h"
#include "slab_link.h"

/* The code address a report names: kmalloc's caller, passed down so the
 * wrappers (malloc, kcalloc, krealloc) name their callers, not themselves. */
#define CALLER ((uintptr_t)__builtin_return_address(0))

/* a brace pair in a macro: clang-format would spread it over four lines */
/* clang-format off */
#define CLASS(n) { n, "kmalloc-" #n }
/* clang-format on */
static const struct {
	uint16_t size;
	const char *name;
} class_info[KMALLOC_CLASSES] = {
	CLASS(16),  CLASS(32),  CLASS(48),   CLASS(64),   CLASS(80),   CLASS(96),   CLASS(112),
	CLASS(128), CLASS(144), CLASS(160),  CLASS(176),  CLASS(192),  CLASS(208),  CLASS(224),
	CLASS(240), CLASS(256), CLASS(320),  CLASS(384),  CLASS(448),  CLASS(512),  CLASS(640),
	CLASS(768), CLASS(896), CLASS(1024), CLASS(1280), CLASS(1536), CLASS(1792), CLASS(2048),
};
_Static_assert(KMALLOC_MAX_SMALL == 2048, "class_info ends at KMALLOC_MAX_SMALL");

static struct kmem_cache *classes[KMALLOC_CLASSES];
static uint8_t class_by_8[KMALLOC_MAX_SMALL / 8 + 1];            /* class of (size + 7) / 8 */
static struct kmem_cache *cache_by_8[KMALLOC_MAX_SMALL / 8 + 1]; /* its cache: one load */
static struct buddy_zone *heap;
/* heap's base, descriptors, live map and size, copied so the fast paths read
 * no pointer first */
static uintptr_t heap_base;
static struct page *heap_pages;
static uint32_t *heap_live;
static size_t heap_npages;
static size_t large_live, large_pages;
static uint64_t large_allocs, large_frees;

int kmalloc_init(struct buddy_zone *z)
{
	unsigned c = 0;

	if (!z->live_map)
		return ERR_INVAL; /* the fast kfree's check is the live map */
	heap = z;
	heap_base = z->base;
	heap_pages = z->pages;
	heap_live = z->live_map;
	heap_npages = z->npages;
	large_live = large_pages = 0;
	large_allocs = large_frees = 0;
	for (size_t i = 0; i <= KMALLOC_MAX_SMALL / 8; i++) {
		while (class_info[c].size < i * 8)
			c++;
		class_by_8[i] = (uint8_t)c;
	}
	for (c = 0; c < KMALLOC_CLASSES; c++) {
		size_t size = class_info[c].size;
		classes[c] = kmem_cache_create(class_info[c].name, size, 16, NULL);
		if (!classes[c]) {
			while (c-- > 0)
				kmem_cache_destroy(classes[c]);
			return ERR_NOMEM;
		}
		classes[c]->flags |= KMEM_CACHE_KMALLOC;
		kmem_cache_enable_magazines(classes[c]);
	}
	for (size_t i = 0; i <= KMALLOC_MAX_SMALL / 8; i++)
		cache_by_8[i] = classes[class_by_8[i]];
	span_init(z);
	return 0;
}

/* whether a request above KMALLOC_MAX_SMALL takes a span block (span.c);
 * under memdebug it takes whole frames, the slack after it a red zone */
static bool takes_span(size_t size)
{
	return size <= SPAN_MAX_REQUEST && !memdebug_enabled();
}

static __attribute__((noinline)) void *large_alloc(size_t size, uintptr_t site)
{
	if (size > KMALLOC_MAX_SIZE)
		return NULL;
	if (takes_span(size)) {
		void *p = span_alloc(size);
		if (p || (kmem_shrink() && (p = span_alloc(size)) != NULL))
			return p;
	}
	size_t n = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	void *p = buddy_alloc_pages(heap, n);
	if (!p && kmem_shrink()) /* frames held by magazines and empty slabs */
		p = buddy_alloc_pages(heap, n);
	if (!p) {
		mm_out_of_memory(size);
		return NULL;
	}
	struct page *page = buddy_page(heap, p);
	page->flags |= PAGE_LARGE;
	page->npages = n;
	if (memdebug_enabled())
		memdebug_large_alloc(page, p, size, site);
	large_live++;
	large_pages += n;
	large_allocs++;
	return p;
}

/* A small allocation the loaded magazine cannot serve: memdebug's caches
 * (which never have one), or the magazine layer's slow half; the cache front
 * grows the class when neither finds a slot. */
static __attribute__((noinline)) void *small_alloc(struct kmem_cache *c, size_t size, uintptr_t site)
{
	void *obj;

	if (c->flags & KMEM_CACHE_DEBUG)
		obj = memdebug_alloc(c, size, site);
	else
		obj = __magazine_alloc(c);
	return obj ? obj : __kmem_cache_refill(c, size, site);
}

/* The fast path, inlined into kmalloc and __kmalloc so that neither pays a
 * second call or the large path's register saves. */
static inline __attribute__((always_inline)) void *kmalloc_at(size_t size, uintptr_t site)
{
	if (__builtin_expect(size <= KMALLOC_MAX_SMALL, 1)) {
		struct kmem_cache *c = cache_by_8[(size + 7) >> 3];
		unsigned n = c->mag.rounds;
		if (__builtin_expect(n != 0, 1)) {
			void *obj = c->mag.loaded[--n];
			uintptr_t off = (uintptr_t)obj - heap_base;
			c->mag.rounds = (uint16_t)n;
			c->mag.allocs++;
			*live_word(heap_live, off) |= live_bit(off);
			return obj;
		}
		return small_alloc(c, size, site);
	}
	return large_alloc(size, site);
}

void *__kmalloc(size_t size, uintptr_t site)
{
	return kmalloc_at(size, site);
}

void *kmalloc(size_t size)
{
	return kmalloc_at(size, CALLER);
}

static void large_free(struct page *page, void *ptr)
{
	size_t n = page->npages;

	if (page->site)
		memdebug_large_free(page, ptr);
	page->flags &= (uint16_t)~PAGE_LARGE;
	page->npages = 0;
	large_live--;
	large_pages -= n;
	large_frees++;
	buddy_free_pages(heap, ptr, n);
}

/* one load: the frame's flags say both slab and kmalloc class */
static bool is_kmalloc_slab(const struct page *page)
{
	return (page->flags & (PAGE_SLAB | PAGE_KMALLOC)) == (PAGE_SLAB | PAGE_KMALLOC);
}

static bool is_large_head(const struct page *page, const void *ptr)
{
	return (page->flags & PAGE_LARGE) && buddy_page_addr(heap, page) == ptr;
}

static bool is_debug_kmalloc_slab(const struct page *page)
{
	return (page->flags & PAGE_SLAB) &&
	       (page->cache->flags & (KMEM_CACHE_KMALLOC | KMEM_CACHE_DEBUG)) ==
		       (KMEM_CACHE_KMALLOC | KMEM_CACHE_DEBUG);
}

/* Names what ptr is, for a call (`what`) that kmalloc cannot serve. */
static void report_foreign(const char *what, const void *ptr, const struct page *page)
{
	unsigned long a = (unsigned long)(uintptr_t)ptr;

	if (!page)
		mm_report("kmalloc: %s of 0x%08lx which is outside the heap", what, a);
	else if ((page->flags & PAGE_SLAB) && !is_kmalloc_slab(page))
		mm_report("kmalloc: %s of 0x%08lx which belongs to cache %s", what, a,
			  page->cache->name);
	else if (page->flags & PAGE_SLAB)
		mm_report("kmalloc: %s of 0x%08lx which is not a live object of %s (double free?)", what,
			  a, page->cache->name);
	else if (page->flags & PAGE_LARGE)
		mm_report("kmalloc: %s of 0x%08lx which is inside the block at 0x%08lx", what, a,
			  (unsigned long)(uintptr_t)buddy_page_addr(heap, page));
	else if (buddy_is_free(heap, ptr))
		mm_report("kmalloc: %s of 0x%08lx which is free (double free?)", what, a);
	else
		mm_report("kmalloc: %s of 0x%08lx which kmalloc did not return", what, a);
}

/* Every free but of a kmalloc slab object: large blocks, memdebug, misuse. */
static __attribute__((noinline)) void kfree_other(struct page *page, void *ptr, uintptr_t site)
{
	if (page && is_large_head(page, ptr))
		large_free(page, ptr);
	else if (page && (page->flags & PAGE_SPAN))
		span_free(ptr); /* checks in full, reports misuse */
	else if (page && is_debug_kmalloc_slab(page))
		memdebug_free(page->cache, ptr, site);
	else
		report_foreign("free", ptr, page);
}

/* kfree of what the fast path does not take: NULL, large blocks, memdebug,
 * misuse, and slab objects that need the magazine layer's slow half */
static __attribute__((noinline)) void kfree_slow(void *ptr, uintptr_t site)
{
	if (!ptr)
		return;
	struct page *page = buddy_page(heap, ptr);
	if (page && is_kmalloc_slab(page))
		__magazine_free(page->cache, page, ptr); /* checks in full, reports misuse */
	else
		kfree_other(page, ptr, site);
}

/* The free of a live object of a slab that has free objects: it goes back to
 * that slab (see __magazine_free). */
static __attribute__((noinline)) void kfree_to_slab(struct page *page, void *ptr, uint32_t *live,
						    uint32_t bit)
{
	struct kmem_cache *c = page->cache;
	uint32_t offset = slab_offset(c, ptr);

	*live &= ~bit;
	__slab_free_object(c, page - (offset >> PAGE_SHIFT), ptr);
}

/* The fast path: a pointer into a full kmalloc slab (its frame's flags say
 * both) whose live bit is set (an object's start: every class is a multiple
 * of the grain, LIVE_GRAIN-aligned; and handed out, not free), into a loaded
 * magazine with room. A live object of a slab with free objects goes back to
 * its slab. NULL takes the slow path (its frame is outside the zone, or the
 * reserved frame 0). */
static inline __attribute__((always_inline)) void kfree_at(void *ptr, uintptr_t site)
{
	uintptr_t off = (uintptr_t)ptr - heap_base;
	size_t pfn = off >> PAGE_SHIFT;

	if (__builtin_expect(pfn < heap_npages, 1)) {
		struct page *page = &heap_pages[pfn];
		uint32_t *live = live_word(heap_live, off);
		uint32_t bit = live_bit(off);
		/* zero for a grain-aligned pointer into a full kmalloc slab */
		unsigned full_slab_start = ((page->flags & (PAGE_SLAB | PAGE_KMALLOC | PAGE_PARTIAL)) ^
					    (PAGE_SLAB | PAGE_KMALLOC)) |
					   (off & (LIVE_GRAIN - 1));
		if (__builtin_expect(full_slab_start == 0 && (*live & bit), 1)) {
			struct kmem_cache *c = page->cache;
			unsigned n = c->mag.rounds;
			if (__builtin_expect(n < KMEM_MAGAZINE_ROUNDS,
					     1)) { /* every class has magazines */
				*live &= ~bit;
				c->mag.loaded[n] = ptr;
				c->mag.rounds = (uint16_t)(n + 1);
				return;
			}
		} else if (full_slab_start == PAGE_PARTIAL && (*live & bit)) {
			kfree_to_slab(page, ptr, live, bit);
			return;
		}
	}
	kfree_slow(ptr, site);
}

void __kfree(void *ptr, uintptr_t site)
{
	kfree_at(ptr, site);
}

void kfree(void *ptr)
{
	kfree_at(ptr, CALLER);
}

/* usable bytes at a live allocation ptr, or 0 (reported, as `what`) */
static size_t usable_size(const void *ptr, const char *what)
{
	struct page *page = buddy_page(heap, ptr);

	if (page && is_kmalloc_slab(page) && __kmem_cache_is_live(page->cache, page, ptr))
		return page->cache->object_size;
	if (page && is_debug_kmalloc_slab(page))
		return memdebug_usable_size(page->cache, ptr); /* reports a bad pointer itself */
	/* under memdebug the bytes past the size asked are a red zone */
	if (page && is_large_head(page, ptr))
		return page->site ? memdebug_large_size(page) : page->npages << PAGE_SHIFT;
	if (page && (page->flags & PAGE_SPAN))
		return span_usable_size(ptr); /* reports a bad pointer itself */
	report_foreign(what, ptr, page);
	return 0;
}

size_t kmalloc_usable_size(const void *ptr)
{
	return ptr ? usable_size(ptr, "usable_size") : 0;
}

void *__kcalloc(size_t n, size_t size, uintptr_t site)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	void *p = __kmalloc(n * size, site);
	if (p)
		LIB_NAME(memset)(p, 0, n * size);
	return p;
}

/* bytes kmalloc(size) would hand out, for size <= KMALLOC_MAX_SIZE */
static size_t rounded_size(size_t size)
{
	if (size <= KMALLOC_MAX_SMALL)
		return class_info[class_by_8[(size + 7) >> 3]].size;
	if (takes_span(size))
		return (size + 15) & ~(size_t)15;
	return (size + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1);
}

void *kcalloc(size_t n, size_t size)
{
	return __kcalloc(n, size, CALLER);
}

void *__krealloc(void *ptr, size_t size, uintptr_t site)
{
	if (!ptr)
		return __kmalloc(size, site);
	if (size == 0) {
		__kfree(ptr, site);
		return NULL;
	}
	size_t have = usable_size(ptr, "realloc");
	if (have == 0 || size > KMALLOC_MAX_SIZE)
		return NULL;
	/* shrinking moves only when it gives back at least half; under memdebug
	 * every resize moves, so the red zone follows the new size */
	if (size <= have && rounded_size(size) * 2 > have && !memdebug_enabled())
		return ptr;
	void *q = __kmalloc(size, site);
	if (!q)
		return NULL;
	LIB_NAME(memcpy)(q, ptr, size < have ? size : have);
	__kfree(ptr, site);
	return q;
}

void *krealloc(void *ptr, size_t size)
{
	return __krealloc(ptr, size, CALLER);
}

void kmalloc_stats(struct kmalloc_stats *out)
{
	out->pages = 0;
	for (unsigned c = 0; c < KMALLOC_CLASSES; c++) {
		kmem_cache_stats(classes[c], &out->cls[c]);
		out->pages += out->cls[c].pages;
	}
	out->large_live = large_live;
	out->large_pages = large_pages;
	out->large_allocs = large_allocs;
	out->large_frees = large_frees;
	out->pages += large_pages;
	span_stats(&out->span);
	out->pages += out->span.pages;
}

bool kmalloc_check(void)
{
	return kmem_check() && span_check() && buddy_check(heap);
}
