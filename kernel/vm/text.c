/* text.c: shared program text (text.h). */
#include "text.h"
#include "reclaim.h"
#include "vm.h"
#include "errors.h"
#include "lib.h"
#include "../arch/arch.h"
#include "../fs/fat.h"
#include "../kernel.h"
#include "../mm/mm.h"
#include "../mm/page.h"

struct text_page {
	uint32_t addr, frame;
	struct text_page *next;
};

struct text_image {
	struct fat_node node; /* the executable: its own copy, for its reads */
	uint32_t regions;     /* regions of live spaces using it */
	struct text_page *pages;
	struct text_image *next;
};

static struct text_image *images;
static struct text_stats counts;

struct text_image *text_image_get(const struct fat_node *node)
{
	struct text_image *image;

	for (image = images; image; image = image->next)
		if (image->node.stat.first_cluster == node->stat.first_cluster &&
		    image->node.stat.size == node->stat.size)
			break;
	if (!image) {
		image = kcalloc(1, sizeof *image);
		if (!image)
			return NULL;
		image->node = *node;
		image->next = images;
		images = image;
		counts.images++;
	}
	image->regions++;
	return image;
}

static void free_page(struct text_page *tp)
{
	reclaim_frame_put(tp->frame);
	kfree(tp);
	counts.cached_pages--;
}

void text_image_put(struct text_image *image)
{
	if (--image->regions)
		return;
	while (image->pages) {
		struct text_page *tp = image->pages;
		image->pages = tp->next;
		free_page(tp);
	}
	for (struct text_image **link = &images; *link; link = &(*link)->next)
		if (*link == image) {
			*link = image->next;
			break;
		}
	kfree(image);
	counts.images--;
}

static struct text_page *cached(const struct text_image *image, uint32_t addr)
{
	for (struct text_page *tp = image->pages; tp; tp = tp->next)
		if (tp->addr == addr)
			return tp;
	return NULL;
}

/* A page of the region as the file gives it: the segment's file bytes that
 * fall on it, zeroes around them. */
static int read_page(struct text_image *image, const struct vm_region *r, uint32_t addr, uint8_t *dst)
{
	uint32_t file_end = r->seg_vaddr + r->seg_filesz;
	uint32_t from = addr > r->seg_vaddr ? addr : r->seg_vaddr;
	uint32_t to = addr + PAGE_SIZE < file_end ? addr + PAGE_SIZE : file_end;

	memset(dst, 0, PAGE_SIZE);
	if (from >= to)
		return 0;
	int got = fat_read(boot_volume(), &image->node, r->seg_offset + (from - r->seg_vaddr),
			   dst + (from - addr), to - from);
	return got < 0 ? got : (uint32_t)got == to - from ? 0 : ERR_RANGE;
}

bool text_fault(struct vm_space *vm, const struct vm_region *r, uint32_t addr, const char **why)
{
	static char failed[96];
	uint32_t page = addr & ~(PAGE_SIZE - 1);
	struct text_page *tp = cached(r->text, page);
	uint64_t start = read_tsc();

	if (tp) {
		counts.shares++;
	} else {
		tp = kmalloc(sizeof *tp);
		uint32_t frame = tp ? reclaim_frame_get_text(r->text, page) : 0;
		if (!frame) {
			kfree(tp);
			*why = vm_out_of_memory();
			return false;
		}
		int err = read_page(r->text, r, page, paging_kmap(KMAP_FAULT, frame));
		if (err < 0) {
			reclaim_frame_put(frame);
			kfree(tp);
			snprintf(failed, sizeof failed,
				 "its program's page at 0x%08x could not be read: %s", (unsigned)page,
				 error_name(err));
			*why = failed;
			return false;
		}
		*tp = (struct text_page){ page, frame, r->text->pages };
		r->text->pages = tp;
		counts.cached_pages++;
		counts.reads++;
	}
	if (paging_space_map(vm->space, page, tp->frame, r->flags) < 0) {
		*why = "no memory for a page table";
		return false;
	}
	vm->pages++;
	reclaim_count_fault(false, read_tsc() - start);
	return true;
}

void text_unmap(struct vm_space *vm, const struct vm_region *r)
{
	for (uint32_t v = r->start; v < r->end; v += PAGE_SIZE)
		if (paging_space_set_absent(vm->space, v, 0) != PAGING_NOT_MAPPED)
			vm->pages--;
}

static bool uses(const struct vm_space *vm, const struct text_image *image)
{
	for (unsigned i = 0; i < vm->count; i++)
		if (vm->region[i].text == image)
			return true;
	return false;
}

bool text_frame_age(uint32_t phys)
{
	struct page *p = user_frame_page(phys);
	bool used = false;

	for (struct vm_space *vm = vm_first(); vm; vm = vm->next)
		if (uses(vm, p->user_vm) &&
		    paging_space_lookup(vm->space, (uint32_t)p->user_addr, NULL) == phys)
			used |= paging_space_age(vm->space, (uint32_t)p->user_addr) &
				PAGING_AGE_ACCESSED;
	return used;
}

void text_frame_take(uint32_t phys)
{
	struct page *p = user_frame_page(phys);
	struct text_image *image = p->user_vm;
	uint32_t addr = (uint32_t)p->user_addr;

	for (struct vm_space *vm = vm_first(); vm; vm = vm->next)
		if (uses(vm, image) && paging_space_lookup(vm->space, addr, NULL) == phys) {
			paging_space_set_absent(vm->space, addr, 0);
			vm->pages--;
		}
	for (struct text_page **link = &image->pages; *link; link = &(*link)->next)
		if ((*link)->addr == addr) {
			struct text_page *tp = *link;
			*link = tp->next;
			free_page(tp);
			return;
		}
}

void text_stats(struct text_stats *out)
{
	*out = counts;
}
