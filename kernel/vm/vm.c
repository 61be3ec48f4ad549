/* vm.c: a process's address space (vm.h). */
#include "vm.h"
#include "reclaim.h"
#include "text.h"
#include "errors.h"
#include "lib.h"
#include "syscall.h"
#include "vm_layout.h"
#include "../arch/arch.h"
#include "../kernel.h"
#include "../mm/page.h"

#define SWAP_KEEP_MIN_FREE 256 /* slots (1 MiB): below it a swap-in frees its slot */

static uint32_t page_down(uint32_t a)
{
	return a & ~(PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t a)
{
	return (a + PAGE_SIZE - 1) & ~(uint64_t)(PAGE_SIZE - 1);
}

static struct vm_space *spaces; /* every live one */

struct vm_space *vm_first(void)
{
	return spaces;
}

int vm_create(struct vm_space *vm)
{
	memset(vm, 0, sizeof *vm);
	vm->space = paging_space_create();
	if (!vm->space)
		return ERR_NOMEM;
	vm->next = spaces;
	spaces = vm;
	return 0;
}

static unsigned pages_freed;

static void free_frame(uint32_t phys)
{
	reclaim_frame_put(phys);
	pages_freed++;
}

/* the slots of [start, end)'s pages in swap back to the bitmap */
static void free_swapped(struct vm_space *vm, uint32_t start, uint32_t end)
{
	for (uint32_t v = start; v < end && vm->swapped; v += PAGE_SIZE) {
		swap_slot_t slot = swap_entry_slot(paging_space_absent(vm->space, v));
		if (slot) {
			swap_free(slot);
			paging_space_set_absent(vm->space, v, 0);
			vm->swapped--;
		}
	}
}

void vm_destroy(struct vm_space *vm)
{
	if (!vm->space)
		return;
	for (struct vm_space **link = &spaces; *link; link = &(*link)->next)
		if (*link == vm) {
			*link = vm->next;
			break;
		}
	for (unsigned i = 0; i < vm->count && vm->swapped; i++)
		free_swapped(vm, vm->region[i].start, vm->region[i].end);
	for (unsigned i = 0; i < vm->count; i++)
		if (vm->region[i].text) { /* shared frames: unmapped here, freed by their image */
			text_unmap(vm, &vm->region[i]);
			text_image_put(vm->region[i].text);
		}
	if (vm->swapped)
		kprintf("vm: %u pages in swap were outside every region\n", vm->swapped);
	pages_freed = 0;
	paging_space_destroy(vm->space, free_frame);
	if (pages_freed != vm->pages)
		kprintf("vm: %u frames were mapped, %u freed\n", vm->pages, pages_freed);
	vm->space = NULL;
	vm->count = 0;
	vm->pages = 0;
}

static bool overlaps(const struct vm_space *vm, uint32_t start, uint32_t end)
{
	for (unsigned i = 0; i < vm->count; i++)
		if (start < vm->region[i].end && vm->region[i].start < end)
			return true;
	return false;
}

int vm_add_region(struct vm_space *vm, uint32_t start, uint32_t end, uint32_t flags, enum vm_kind kind)
{
	if ((start | end) & (PAGE_SIZE - 1) || start >= end || start < VM_USER_START ||
	    end > VM_USER_END)
		return ERR_INVAL;
	if (overlaps(vm, start, end))
		return ERR_EXIST;
	if (vm->count == VM_REGIONS_MAX)
		return ERR_NOSPC;
	vm->region[vm->count++] = (struct vm_region){ start, end, flags, kind, NULL, 0, 0, 0 };
	return 0;
}

int vm_add_text_region(struct vm_space *vm, uint32_t start, uint32_t end, uint32_t flags,
		       struct text_image *image, uint32_t seg_vaddr, uint32_t seg_offset,
		       uint32_t seg_filesz)
{
	int err = vm_add_region(vm, start, end, flags, VM_PROGRAM);

	if (err < 0) {
		text_image_put(image);
		return err;
	}
	struct vm_region *r = &vm->region[vm->count - 1];
	r->text = image;
	r->seg_vaddr = seg_vaddr;
	r->seg_offset = seg_offset;
	r->seg_filesz = seg_filesz;
	return 0;
}

const struct vm_region *vm_find(const struct vm_space *vm, uint32_t addr)
{
	for (unsigned i = 0; i < vm->count; i++)
		if (addr >= vm->region[i].start && addr < vm->region[i].end)
			return &vm->region[i];
	return NULL;
}

void *vm_map_zeroed(struct vm_space *vm, uint32_t addr, unsigned kmap_slot, bool will_fill)
{
	const struct vm_region *r = vm_find(vm, addr);
	uint32_t frame = r ? reclaim_frame_get(vm, addr, will_fill) : 0;

	if (!frame)
		return NULL;
	void *page = paging_kmap(kmap_slot, frame);
	memset(page, 0, PAGE_SIZE);
	if (paging_space_map(vm->space, page_down(addr), frame, r->flags) < 0) {
		reclaim_frame_put(frame);
		return NULL;
	}
	vm->pages++;
	return page;
}

const char *vm_out_of_memory(void)
{
	static char why[128];
	struct swap_stats s;

	swap_stats(&s);
	if (s.devices)
		snprintf(why, sizeof why, "out of memory: %u KiB free, swap full (%u of %u slots used)",
			 (unsigned)(user_frames_free_bytes() >> 10), s.used, s.slots);
	else
		snprintf(why, sizeof why, "out of memory: %u KiB free, no swap",
			 (unsigned)(user_frames_free_bytes() >> 10));
	return why;
}

/* The page at addr back from its slot. A write fault frees the slot (the
 * page is about to differ from it); a read keeps it, so that the page, if
 * taken again unwritten, needs no write. A read that fails loses the page:
 * the slot is marked bad and the fault ends the process. */
static bool swap_in(struct vm_space *vm, const struct vm_region *r, uint32_t addr, swap_slot_t slot,
		    bool write, const char **why)
{
	uint64_t start = read_tsc();
	static char failed[SWAP_IO_ERROR_MAX + 64];
	uint32_t page = page_down(addr);
	uint32_t frame = reclaim_frame_get(vm, page, true);

	if (!frame) {
		*why = vm_out_of_memory();
		return false;
	}
	if (swap_read(slot, paging_kmap(KMAP_FAULT, frame), failed) < 0) {
		kprintf("swap: %s: the page at 0x%08x is lost\n", failed, (unsigned)page);
		reclaim_frame_put(frame);
		swap_mark_bad(slot);
		paging_space_set_absent(vm->space, page, 0);
		vm->swapped--;
		snprintf(failed, sizeof failed, "its page at 0x%08x could not be read back from swap",
			 (unsigned)page);
		*why = failed;
		return false;
	}
	paging_space_set_absent(vm->space, page, 0);
	vm->swapped--;
	if (paging_space_map(vm->space, page, frame, r->flags) < 0) {
		reclaim_frame_put(frame);
		swap_free(slot);
		*why = "no memory for a page table";
		return false;
	}
	vm->pages++;
	/* the clean copy is kept only while swap has room to spare: a slot kept
	 * is one a dirty page cannot have */
	if (write || swap_free_slots() < SWAP_KEEP_MIN_FREE)
		swap_free(slot);
	else
		reclaim_keep_slot(frame, slot);
	reclaim_count_fault(true, read_tsc() - start);
	return true;
}

/* A page of a region not present: back from swap, or zeroed on its first touch */
static bool bring_in(struct vm_space *vm, const struct vm_region *r, uint32_t addr, bool write,
		     const char **why)
{
	swap_slot_t slot = swap_entry_slot(paging_space_absent(vm->space, page_down(addr)));

	if (slot)
		return swap_in(vm, r, addr, slot, write, why);
	if (r->text)
		return text_fault(vm, r, addr, why);
	uint64_t start = read_tsc();
	if (!vm_map_zeroed(vm, addr, KMAP_FAULT, false)) {
		*why = vm_out_of_memory();
		return false;
	}
	reclaim_count_fault(false, read_tsc() - start);
	return true;
}

/* Only a page that is not present in a region can be a first touch: a
 * present one faulted for its permissions. */
bool vm_fault(struct vm_space *vm, uint32_t addr, uint32_t error, const char **why)
{
	const struct vm_region *r = vm_find(vm, addr);

	if (!r) {
		uint32_t stack_floor = VM_USER_STACK_TOP - VM_USER_STACK_MAX;
		if (addr < VM_USER_START)
			*why = addr < PAGE_SIZE ? "the NULL page" : "kernel memory";
		else if (addr >= VM_USER_END)
			*why = "kernel memory";
		else if (addr >= stack_floor - VM_USER_STACK_GAP && addr < stack_floor)
			*why = "the stack's guard gap (stack overflow)";
		else
			*why = "no mapping there";
		return false;
	}
	if (error & PF_PRESENT) {
		*why = (error & PF_FETCH)   ? "not executable"
		       : (error & PF_WRITE) ? (r->kind == VM_PROGRAM && (r->flags & PAGE_FLAG_EXECUTABLE)
						       ? "the program's code is read-only"
						       : "read-only")
					    : "protection";
		return false;
	}
	if ((error & PF_WRITE) && !(r->flags & PAGE_FLAG_WRITABLE)) {
		*why = "read-only";
		return false;
	}
	return bring_in(vm, r, addr, error & PF_WRITE, why);
}

static struct vm_region *heap_region(struct vm_space *vm)
{
	for (unsigned i = 0; i < vm->count; i++)
		if (vm->region[i].kind == VM_HEAP)
			return &vm->region[i];
	return NULL;
}

static void unmap_range(struct vm_space *vm, uint32_t start, uint32_t end)
{
	free_swapped(vm, start, end);
	for (uint32_t v = start; v < end; v += PAGE_SIZE) {
		uint32_t frame = paging_space_unmap(vm->space, v);
		if (frame != PAGING_NOT_MAPPED) {
			reclaim_frame_put(frame);
			vm->pages--;
		}
	}
}

/* What could ever hold more pages: free frames, and free slots in swap */
static uint64_t room_bytes(void)
{
	return user_frames_free_bytes() + (uint64_t)swap_free_slots() * PAGE_SIZE;
}

/* The heap region follows the break a page at a time. Growth past what RAM
 * has free now is refused (the pages would fault in with nothing to give
 * them), as is any growth past VM_USER_HEAP_MAX. */
int32_t vm_sbrk(struct vm_space *vm, int32_t delta)
{
	struct vm_region *heap = heap_region(vm);
	uint32_t old = vm->brk;
	int64_t want = (int64_t)old + delta;

	if (!heap)
		return ERR_INVAL;
	if (want < vm->heap_start)
		return ERR_INVAL;
	if (want > (int64_t)vm->heap_start + VM_USER_HEAP_MAX || want > VM_USER_MMAP_START)
		return ERR_NOMEM;
	uint32_t new_end = (uint32_t)page_up((uint64_t)want);
	if (new_end > heap->end) {
		if (overlaps(vm, heap->end, new_end))
			return ERR_NOMEM;
		if (new_end - heap->end > room_bytes())
			return ERR_NOMEM;
		heap->end = new_end;
	} else if (new_end < heap->end) {
		unmap_range(vm, new_end, heap->end);
		/* an empty region is kept at heap_start by letting end == start */
		heap->end = new_end > heap->start ? new_end : heap->start;
	}
	vm->brk = (uint32_t)want;
	return (int32_t)old;
}

/* first fit among the mmap area's gaps */
int32_t vm_mmap(struct vm_space *vm, uint32_t len, int prot)
{
	uint32_t area_end = VM_USER_STACK_TOP - VM_USER_STACK_MAX - VM_USER_STACK_GAP;

	if (len == 0 || len > area_end - VM_USER_MMAP_START || (prot & ~(PROT_READ | PROT_WRITE)))
		return ERR_INVAL;
	uint32_t size = (uint32_t)page_up(len);
	if (size > room_bytes())
		return ERR_NOMEM;
	for (uint32_t at = VM_USER_MMAP_START; at + size <= area_end && at >= VM_USER_MMAP_START;) {
		const struct vm_region *hit = NULL;
		for (unsigned i = 0; i < vm->count; i++)
			if (at < vm->region[i].end && vm->region[i].start < at + size)
				hit = &vm->region[i];
		if (!hit) {
			int err = vm_add_region(vm, at, at + size,
						(prot & PROT_WRITE) ? PAGE_FLAG_WRITABLE : 0, VM_MMAP);
			return err < 0 ? err : (int32_t)at;
		}
		at = hit->end;
	}
	return ERR_NOMEM;
}

/* Whole pages of one mapping; a hole in its middle splits it in two. */
int vm_munmap(struct vm_space *vm, uint32_t addr, uint32_t len)
{
	if ((addr & (PAGE_SIZE - 1)) || len == 0 || (uint64_t)addr + len > VM_USER_END)
		return ERR_INVAL;
	uint32_t end = (uint32_t)page_up((uint64_t)addr + len);
	struct vm_region *r = (struct vm_region *)vm_find(vm, addr);
	if (!r || r->kind != VM_MMAP)
		return ERR_NOTMAPPED;
	if (end > r->end)
		return ERR_INVAL;
	unmap_range(vm, addr, end);
	if (addr > r->start && end < r->end) {
		struct vm_region tail = {
			.start = end, .end = r->end, .flags = r->flags, .kind = VM_MMAP
		};
		if (vm->count == VM_REGIONS_MAX)
			return ERR_NOSPC; /* the pages are gone; the region stays whole */
		r->end = addr;
		vm->region[vm->count++] = tail;
	} else if (addr > r->start) {
		r->end = addr;
	} else if (end < r->end) {
		r->start = end;
	} else {
		*r = vm->region[--vm->count];
	}
	return 0;
}

bool vm_range_ok(const struct vm_space *vm, uint32_t addr, uint32_t len, bool write)
{
	uint64_t end = (uint64_t)addr + len;

	if (len == 0)
		return true;
	if (addr < VM_USER_START || end > VM_USER_END)
		return false;
	for (uint64_t a = addr; a < end;) {
		const struct vm_region *r = vm_find(vm, (uint32_t)a);
		if (!r || (write && !(r->flags & PAGE_FLAG_WRITABLE)))
			return false;
		a = r->end;
	}
	return true;
}

/* The kernel reaches user memory through the user's own addresses, a page
 * at a time: each page is made present first (back from swap, or zeroed),
 * and nothing can take it again before the copy of it is done, since only a
 * fault takes pages and the copy of one page faults no more. */
static int copy_user(struct vm_space *vm, uint32_t user, void *kernel, uint32_t len, bool to_user)
{
	while (len) {
		uint32_t chunk = PAGE_SIZE - (user & (PAGE_SIZE - 1));
		const char *why;
		if (chunk > len)
			chunk = len;
		if (paging_space_lookup(vm->space, user, NULL) == PAGING_NOT_MAPPED &&
		    !bring_in(vm, vm_find(vm, user), user, to_user, &why))
			return ERR_NOMEM;
		if (to_user)
			memcpy((void *)user, kernel, chunk);
		else
			memcpy(kernel, (const void *)user, chunk);
		user += chunk;
		kernel = (char *)kernel + chunk;
		len -= chunk;
	}
	return 0;
}

int vm_copy_in(struct vm_space *vm, void *dst, uint32_t user_src, uint32_t len)
{
	if (!vm_range_ok(vm, user_src, len, false))
		return ERR_FAULT;
	return copy_user(vm, user_src, dst, len, false);
}

int vm_copy_out(struct vm_space *vm, uint32_t user_dst, const void *src, uint32_t len)
{
	if (!vm_range_ok(vm, user_dst, len, true))
		return ERR_FAULT;
	return copy_user(vm, user_dst, (void *)src, len, true);
}

int vm_copy_string_in(struct vm_space *vm, char *dst, uint32_t user_src, uint32_t max)
{
	for (uint32_t i = 0; i < max; i++) {
		if (vm_copy_in(vm, &dst[i], user_src + i, 1) < 0)
			return ERR_FAULT;
		if (dst[i] == '\0')
			return (int)i;
	}
	return ERR_TOOBIG;
}

bool vm_is_user_address(uint32_t addr)
{
	return addr >= VM_USER_START && addr < VM_USER_END;
}

unsigned vm_table_pages(const struct vm_space *vm)
{
	return vm->space ? paging_space_table_pages(vm->space) : 0;
}

static uint32_t present_pages(const struct vm_space *vm, uint32_t start, uint32_t end)
{
	uint32_t n = 0;

	for (uint32_t v = start; v < end; v += PAGE_SIZE)
		n += paging_space_lookup(vm->space, v, NULL) != PAGING_NOT_MAPPED;
	return n;
}

int vm_describe(const struct vm_space *vm, unsigned i, struct vls_region *out)
{
	static const uint32_t kinds[] = { [VM_PROGRAM] = VLS_REGION_PROGRAM,
					  [VM_HEAP] = VLS_REGION_HEAP,
					  [VM_MMAP] = VLS_REGION_MMAP,
					  [VM_STACK] = VLS_REGION_STACK };
	const struct vm_region *r = &vm->region[i];

	if (i >= vm->count || r->start == r->end)
		return ERR_INVAL;
	out->start = r->start;
	out->end = r->end;
	out->kind = kinds[r->kind];
	/* as the tables give them: without NX every mapped page can be executed */
	out->perms = VLS_PERM_READ | ((r->flags & PAGE_FLAG_WRITABLE) ? VLS_PERM_WRITE : 0) |
		     ((r->flags & PAGE_FLAG_EXECUTABLE) || !paging_has_nx() ? VLS_PERM_EXEC : 0);
	out->present = present_pages(vm, r->start, r->end);
	return 0;
}

void vm_walk(const struct vm_space *vm, uint32_t addr, struct vls_walk *out)
{
	uint64_t entries[VLS_WALK_LEVELS_MAX];
	uint32_t tables[VLS_WALK_LEVELS_MAX];
	unsigned levels;

	memset(out, 0, sizeof *out);
	out->read = paging_walk(vm->space, addr, entries, tables, &levels);
	out->levels = levels;
	for (unsigned i = 0; i < out->read; i++) {
		out->entry[i] = entries[i];
		out->table[i] = tables[i];
	}
	uint32_t phys = paging_space_lookup(vm->space, addr, NULL);
	out->mapped = phys != PAGING_NOT_MAPPED;
	out->phys = out->mapped ? phys : 0;
	out->large = out->mapped && out->read < levels;
}
