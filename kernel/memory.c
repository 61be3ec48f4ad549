/* memory.c: the kernel's glue around kernel/mm: the seed's memory interface
 * (docs/memory.md) and the allocators' bring-up. Early on,
 * malloc is the seed's linear allocator over the heap at HEAP_START; once
 * memory_init_allocators() has built the page allocator over every usable
 * E820 range, malloc/free/calloc/realloc go to the slab-backed kmalloc and free
 * reclaims. What the linear heap did not use is handed over, so no RAM is lost.
 * The heap's place is fixed by the seed and by disk.img.layout; the build
 * checks that they agree. */
#include "kernel.h"
#include "layout.h"
#include "lib.h"
#include "mm/mm.h"
#include "syscall.h"
#include "vm_layout.h"

#define HEAP_START 0x200000 /* Starting address */
#define HEAP_SIZE 0x100000  /* Size in bytes (1 MB) */
#define HEAP_END (HEAP_START + HEAP_SIZE)

_Static_assert(HEAP_START == REGION_HEAP_START, "HEAP_START disagrees with disk.img.layout");
_Static_assert(HEAP_SIZE == REGION_HEAP_SIZE, "HEAP_SIZE disagrees with disk.img.layout");

#define ADDRESS_LIMIT 0x100000000ull /* a 32-bit kernel manages RAM below 4 GiB */
#define DIRECT_FRAMES ((size_t)(VM_DIRECT_END / PAGE_SIZE))

static struct linear_arena heap;
static struct e820_entry ram_map[MEMMAP_SANITIZED_MAX];
static unsigned ram_map_count;
/* Two zones: RAM the kernel maps at its own address (below VM_DIRECT_END),
 * for everything, and RAM above it, for user pages only (the kernel reaches
 * those through paging_kmap). docs/architecture.md says why. */
static struct buddy_zone zone, high_zone;
static bool allocators_up;
struct carved {
	uintptr_t start, end;
};
static struct carved descriptors, live_map, high_descriptors; /* reserved for the zones' arrays */
static size_t user_pages;
static size_t owner_pages[PAGE_OWNER_COUNT];
static size_t reserved_pages[RESERVED_COUNT];

void memory_map_init(const struct boot_info *bi)
{
	ram_map_count = memmap_sanitize(bi->e820, bi->e820_count, ram_map, MEMMAP_SANITIZED_MAX);
}

const struct e820_entry *memory_map(unsigned *count)
{
	*count = ram_map_count;
	return ram_map;
}

void memory_init(const struct boot_info *bi)
{
	(void)bi;
	if (!memmap_range_usable(ram_map, ram_map_count, HEAP_START, HEAP_END)) {
		uint64_t ram_end = memmap_usable_end(ram_map, ram_map_count, REGION_KERNEL_START);
		panic("memory: the heap at 0x%x-0x%x is not usable RAM in the E820 map "
		      "(usable RAM above 1 MiB ends at 0x%llx; VlsOs needs at least %u KiB)",
		      HEAP_START, HEAP_END - 1, (unsigned long long)ram_end, HEAP_END / 1024);
	}
	linear_init(&heap, HEAP_START, HEAP_SIZE);
}

/* ---- the page allocator over the E820 map ---- */

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}
static uint64_t page_down(uint64_t a)
{
	return a & ~(uint64_t)(PAGE_SIZE - 1);
}

/* frames past the last whole usable page below 4 GiB */
static size_t managed_frames(void)
{
	uint64_t top = 0;

	for (unsigned i = 0; i < ram_map_count; i++) {
		const struct e820_entry *e = &ram_map[i];
		uint64_t end = page_down(e->base + e->length);
		if (e->type == E820_USABLE && end > ADDRESS_LIMIT)
			end = ADDRESS_LIMIT;
		if (e->type == E820_USABLE && end > top && end > page_up(e->base))
			top = end;
	}
	return (size_t)(top / PAGE_SIZE);
}

/* `bytes` (page-rounded) for `what`, from `floor` up: in the kernel region's
 * unused tail when it holds them (the descriptors do up to ~160 MiB of RAM),
 * else in the first usable range above the early heap that holds them whole;
 * those frames are then reserved for them. */
static struct carved carve(uint64_t bytes, uint64_t floor, const char *what)
{
	/* First choice: the kernel region's unused tail, memory the boot has
	 * already touched. Under QEMU, guest RAM is backed by 2 MiB huge pages
	 * that the host clears (and may compact for) on first touch, which made
	 * writing the descriptors above the heap cost 1-5 ms of every boot. */
	uint64_t start = floor, limit = REGION_KERNEL_END;

	bytes = page_up(bytes);
	for (unsigned i = 0; i <= ram_map_count; i++) {
		if (start + bytes <= limit &&
		    memmap_range_usable(ram_map, ram_map_count, start, start + bytes))
			return (struct carved){ (uintptr_t)start, (uintptr_t)(start + bytes) };
		/* then each usable range from above the heap on */
		start = i < ram_map_count ? page_up(ram_map[i].base) : 0;
		if (start < HEAP_END)
			start = HEAP_END;
		if (start < floor)
			start = floor;
		limit = ADDRESS_LIMIT;
	}
	panic("memory: no usable range above 0x%x holds the %llu bytes of %s", HEAP_END,
	      (unsigned long long)bytes, what);
}

/* The descriptor array, then the zone's live map (page.h): slab_grow clears a
 * frame's share of the map when the frame becomes a slab, so the map is
 * touched only where slabs are. */
static struct page *carve_descriptors(size_t frames)
{
	size_t direct = frames < DIRECT_FRAMES ? frames : DIRECT_FRAMES;

	descriptors = carve((uint64_t)direct * sizeof(struct page), page_up((uintptr_t)__kernel_end),
			    "page descriptors");
	live_map = carve(LIVE_MAP_BYTES(direct), descriptors.end, "the live map");
	if (frames > DIRECT_FRAMES)
		high_descriptors = carve((uint64_t)(frames - DIRECT_FRAMES) * sizeof(struct page),
					 live_map.end, "page descriptors above the direct map");
	return (struct page *)descriptors.start;
}

/* What is kept from the allocator inside usable RAM, and why: page-rounded
 * intervals, found once, rather than asked of every frame. */
struct kept {
	uint64_t start, end;
	enum reserved_reason why;
};
#define KEPT_MAX 14
#define CONVENTIONAL_END 0xA0000 /* 640 KiB: video memory and ROMs above */

static unsigned kept_ranges(struct kept *k, const struct boot_info *bi)
{
	unsigned n = 0;

	k[n++] = (struct kept){ 0, PAGE_SIZE, RESERVED_BIOS_LOADER }; /* IVT, BDA, the NULL page */
	k[n++] = (struct kept){ page_down(REGION_BOOT_INFO_START), page_up(REGION_BOOT_INFO_END),
				RESERVED_BIOS_LOADER }; /* the loader's boot_info, still read */
	if (bi->ebda_base)
		k[n++] = (struct kept){ page_down(bi->ebda_base), page_up(bi->ebda_base + bi->ebda_size),
					RESERVED_BIOS_LOADER };
	/* Memory between INT 12h's top and the EBDA (or 640 KiB) belongs to whoever
	 * lowered the BDA's size: resident code such as a disk emulator's INT 13h
	 * hook, which bios_call reaches. INT 12h counts KiB, so the top may fall
	 * inside a page: that page is kept whole. */
	uint64_t conv_top = page_down((uint64_t)bi->conv_kib * 1024);
	if (conv_top < REGION_BOUNCE_END) /* a BIOS claiming our own regions: they stay ours */
		conv_top = REGION_BOUNCE_END;
	uint64_t conv_end = bi->ebda_base ? page_down(bi->ebda_base) : CONVENTIONAL_END;
	if (bi->conv_kib && conv_top < conv_end)
		k[n++] = (struct kept){ conv_top, conv_end, RESERVED_BIOS_LOADER };
	/* The loader's code, stage 1's page and stage 2's: dead once the kernel
	 * runs, but under QEMU's TCG the first writes to a page that held code it
	 * translated are slow, each store invalidating what it covers until no
	 * translated code is left (a page table put there cost 2 ms of every boot,
	 * a zeroed page about 1.7 ms): 16 KiB are not worth that. */
	k[n++] = (struct kept){ page_down(REGION_STAGE1_START), page_up(REGION_STAGE2_END),
				RESERVED_BIOS_LOADER };
	k[n++] = (struct kept){ REGION_BIOS_CALL_START, REGION_BIOS_CALL_END, RESERVED_BIOS_CALL };
	k[n++] = (struct kept){ REGION_BOUNCE_START, REGION_BOUNCE_END, RESERVED_BIOS_CALL };
	k[n++] = (struct kept){ REGION_CONSOLE_START, REGION_CONSOLE_END, RESERVED_CONSOLE };
	k[n++] = (struct kept){ REGION_STACK_GUARD_START, REGION_BOOT_STACK_END, RESERVED_BOOT_STACK };
	k[n++] = (struct kept){ REGION_KERNEL_START, page_up((uintptr_t)__kernel_end), RESERVED_KERNEL };
	k[n++] = (struct kept){ HEAP_START, page_up(heap.next), RESERVED_EARLY_HEAP };
	k[n++] = (struct kept){ descriptors.start, descriptors.end, RESERVED_DESCRIPTORS };
	k[n++] = (struct kept){ live_map.start, live_map.end, RESERVED_DESCRIPTORS };
	if (high_descriptors.end)
		k[n++] = (struct kept){ high_descriptors.start, high_descriptors.end,
					RESERVED_DESCRIPTORS };
	for (unsigned i = 1; i < n; i++) /* by start, so a sweep meets them in order */
		for (unsigned j = i; j > 0 && k[j - 1].start > k[j].start; j--) {
			struct kept t = k[j];
			k[j] = k[j - 1];
			k[j - 1] = t;
		}
	return n;
}

static void release_run(uint64_t start, uint64_t end)
{
	uint64_t split = end < VM_DIRECT_END ? end : VM_DIRECT_END;

	if (start < split)
		buddy_release_range(&zone, (size_t)(start / PAGE_SIZE),
				    (size_t)((split - start) / PAGE_SIZE));
	if (split < start)
		split = start;
	if (split < end)
		buddy_release_range(&high_zone, (size_t)((split - VM_DIRECT_END) / PAGE_SIZE),
				    (size_t)((end - split) / PAGE_SIZE));
}

/* Hands every whole usable page below 4 GiB to the buddy allocator but the kept
 * intervals; counts the kept pages that are usable RAM by reason. The kept
 * intervals do not overlap one another (disk.img.layout's regions do not). */
static void release_usable(const struct boot_info *bi)
{
	struct kept kept[KEPT_MAX];
	unsigned nkept = kept_ranges(kept, bi);

	for (unsigned i = 0; i < ram_map_count; i++) {
		const struct e820_entry *e = &ram_map[i];
		if (e->type != E820_USABLE)
			continue;
		uint64_t pos = page_up(e->base), end = page_down(e->base + e->length);
		if (end > ADDRESS_LIMIT)
			end = ADDRESS_LIMIT;
		for (unsigned k = 0; k < nkept && pos < end; k++) {
			uint64_t ks = kept[k].start > pos ? kept[k].start : pos;
			uint64_t ke = kept[k].end < end ? kept[k].end : end;
			if (ks >= ke)
				continue;
			release_run(pos, ks);
			reserved_pages[kept[k].why] += (size_t)((ke - ks) / PAGE_SIZE);
			pos = ke;
		}
		release_run(pos, end);
	}
}

/* `memdebug` on the command line, or a kernel built with VLSOS_MEMDEBUG=1
 * (MEMDEBUG_ALWAYS), turns the heap debugger on; it must be on before the
 * caches exist. */
static void enable_memdebug_on_request(const struct boot_info *bi)
{
	bool on = MEMDEBUG_ALWAYS || cmdline_has(bi, "memdebug");

	memdebug_enable(on);
	if (on)
		kprintf("memdebug: on: red zones, poisoning, allocation sites, leak reports\n");
}

void memory_init_allocators(const struct boot_info *bi)
{
	size_t frames = managed_frames();
	struct page *pages = carve_descriptors(frames);

	heap.end = heap.next; /* the linear heap stops here; its unused pages are freed below */
	buddy_init(&zone, 0, pages, frames < DIRECT_FRAMES ? frames : DIRECT_FRAMES);
	if (frames > DIRECT_FRAMES)
		buddy_init(&high_zone, VM_DIRECT_END, (struct page *)high_descriptors.start,
			   frames - DIRECT_FRAMES);
	zone.live_map = (uint32_t *)live_map.start;
	release_usable(bi);
	enable_memdebug_on_request(bi);
	kmem_init(&zone);
	if (kmalloc_init(&zone) < 0)
		panic("memory: no pages for kmalloc's size-class caches");
	allocators_up = true;
}

void *page_alloc_zeroed(enum page_owner owner)
{
	void *page = buddy_alloc(&zone, 0);

	if (!page)
		return NULL;
	memset(page, 0, PAGE_SIZE);
	owner_pages[owner]++;
	return page;
}

void page_free(void *page, enum page_owner owner)
{
	struct page *p = buddy_page(&zone, page);

	if (!p || !(p->flags & PAGE_ALLOCATED)) {
		mm_report("page_free: 0x%08lx is not an allocated page", (unsigned long)(uintptr_t)page);
		return;
	}
	owner_pages[owner]--;
	buddy_free(&zone, page, 0);
}

/* The high zone's blocks are frame numbers dressed as pointers (base
 * VM_DIRECT_END): never dereferenced, only handed back. */
uint32_t user_frame_alloc(void)
{
	void *frame = high_zone.npages ? buddy_alloc(&high_zone, 0) : NULL;

	if (!frame)
		frame = buddy_alloc(&zone, 0);
	if (frame)
		user_pages++;
	return (uint32_t)(uintptr_t)frame;
}

uint64_t user_frames_free_bytes(void)
{
	uint64_t bytes = 0;

	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++)
		bytes += (uint64_t)(buddy_free_count(&zone, o) + buddy_free_count(&high_zone, o))
			 << (o + PAGE_SHIFT);
	return bytes;
}

void user_frame_free(uint32_t phys)
{
	struct buddy_zone *z = phys >= VM_DIRECT_END ? &high_zone : &zone;
	struct page *p = buddy_page(z, (void *)(uintptr_t)phys);

	if (!p || !(p->flags & PAGE_ALLOCATED)) {
		mm_report("user_frame_free: 0x%08lx is not an allocated frame", (unsigned long)phys);
		return;
	}
	user_pages--;
	buddy_free(z, (void *)(uintptr_t)phys, 0);
}

struct page *user_frame_page(uint32_t phys)
{
	return buddy_page(phys >= VM_DIRECT_END ? &high_zone : &zone, (void *)(uintptr_t)phys);
}

uint32_t memory_frame_count(void)
{
	return (uint32_t)(zone.npages + high_zone.npages);
}

struct page *memory_frame(uint32_t i, uint32_t *phys)
{
	const struct buddy_zone *z = i < zone.npages ? &zone : &high_zone;
	struct page *p = &z->pages[i < zone.npages ? i : i - zone.npages];

	*phys = (uint32_t)(uintptr_t)buddy_page_addr(z, p);
	return p;
}

static unsigned zone_info(const struct buddy_zone *z, const char *name, struct vls_zone_info *out)
{
	snprintf(out->name, sizeof out->name, "%s", name);
	out->start_pfn = (uint32_t)(z->base / PAGE_SIZE);
	out->frames = (uint32_t)z->npages;
	for (unsigned o = 0; o < MEMINFO_ORDERS; o++)
		out->free_blocks[o] = (uint32_t)buddy_free_count(z, o);
	return 1;
}

unsigned memory_zone_info(struct vls_zone_info *out, unsigned max)
{
	unsigned n = 0;

	if (n < max)
		n += zone_info(&zone, "direct", &out[n]);
	if (n < max && high_zone.npages)
		n += zone_info(&high_zone, "high", &out[n]);
	return n;
}

struct buddy_zone *memory_zone(void)
{
	return &zone;
}

/* ---- the seed's malloc and friends ---- */

static bool is_early(const void *ptr)
{
	return (uintptr_t)ptr >= HEAP_START && (uintptr_t)ptr < HEAP_END;
}

/* The seed's functions pass their own caller down, so memdebug's reports name
 * the code that called malloc, not malloc. */
#define CALLER ((uintptr_t)__builtin_return_address(0))

void *malloc(size_t size)
{
	return allocators_up ? __kmalloc(size, CALLER) : linear_alloc(&heap, size, LINEAR_MIN_ALIGN);
}

/* Frees what kmalloc gave; the early linear allocations live forever, as in the
 * seed, so free ignores them. NULL is accepted. */
void free(void *ptr)
{
	if (ptr && allocators_up && !is_early(ptr))
		__kfree(ptr, CALLER);
}

void *calloc(size_t count, size_t size)
{
	return allocators_up ? __kcalloc(count, size, CALLER) : NULL;
}

void *realloc(void *ptr, size_t size)
{
	return allocators_up && !is_early(ptr) ? __krealloc(ptr, size, CALLER) : NULL;
}

void *kalloc_early(size_t size, size_t align)
{
	return allocators_up ? NULL : linear_alloc(&heap, size, align);
}

size_t heap_used(void)
{
	return linear_used(&heap);
}

size_t heap_free(void)
{
	return allocators_up ? 0 : linear_free(&heap);
}

uintptr_t heap_start(void)
{
	return HEAP_START;
}

uintptr_t heap_end(void)
{
	return HEAP_END;
}

/* ---- accounting: every usable byte of the E820 map, once ---- */

/* frames in slabs, read from the page descriptors (not from the caches' own
 * counts), so the accounting checks the slab layer rather than trusting it */
static size_t slab_frames(void)
{
	size_t frames = 0;

	for (size_t pfn = 0; pfn < zone.npages; pfn++) {
		const struct page *p = &zone.pages[pfn];
		if ((p->flags & (PAGE_ALLOCATED | PAGE_SLAB)) == (PAGE_ALLOCATED | PAGE_SLAB))
			frames += (size_t)1 << p->order;
	}
	return frames;
}

void memory_accounting(struct memory_accounting *a)
{
	memset(a, 0, sizeof *a);
	for (unsigned i = 0; i < ram_map_count; i++) {
		const struct e820_entry *e = &ram_map[i];
		if (e->type != E820_USABLE)
			continue;
		uint64_t start = e->base, end = e->base + e->length;
		a->usable += end - start;
		if (end > ADDRESS_LIMIT) {
			uint64_t high_start = start > ADDRESS_LIMIT ? start : ADDRESS_LIMIT;
			a->above_4g += end - high_start;
			end = high_start;
		}
		if (start >= end)
			continue;
		uint64_t first = page_up(start), last = page_down(end);
		a->partial += first < last ? (first - start) + (end - last) : end - start;
	}
	for (unsigned o = 0; o <= BUDDY_MAX_ORDER; o++) {
		a->free += (uint64_t)buddy_free_count(&zone, o) << (o + PAGE_SHIFT);
		a->free_high += (uint64_t)buddy_free_count(&high_zone, o) << (o + PAGE_SHIFT);
	}
	struct kmalloc_stats ks;
	kmalloc_stats(&ks);
	a->slab = (uint64_t)slab_frames() * PAGE_SIZE;
	a->large = (uint64_t)(ks.large_pages + ks.span.pages) * PAGE_SIZE;
	a->page_tables = (uint64_t)owner_pages[PAGE_OWNER_PAGE_TABLES] * PAGE_SIZE;
	a->other = (uint64_t)owner_pages[PAGE_OWNER_OTHER] * PAGE_SIZE;
	a->kernel_stacks = (uint64_t)owner_pages[PAGE_OWNER_KERNEL_STACKS] * PAGE_SIZE;
	a->user = (uint64_t)user_pages * PAGE_SIZE;
	for (unsigned r = 0; r < RESERVED_COUNT; r++)
		a->reserved[r] = (uint64_t)reserved_pages[r] * PAGE_SIZE;
	a->zone_allocated = (uint64_t)(zone.allocated_pages + high_zone.allocated_pages) * PAGE_SIZE;
	a->zone_reserved = (uint64_t)(zone.reserved_pages + high_zone.reserved_pages) * PAGE_SIZE;
}
