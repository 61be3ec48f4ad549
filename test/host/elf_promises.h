/* elf_promises.h - what an image elf_parse accepted promises the loader, checked again
 * the plain way (division instead of masks, every pair of pages compared) by test_elf.c,
 * test/fuzz/fuzz_elf.c and elf_check.c. Include after kernel/proc/elf.h. */
#ifndef VLSOS_ELF_PROMISES_H
#define VLSOS_ELF_PROMISES_H

#include <stdio.h>

/* NULL when every promise holds, else which one broke (in a static buffer) */
static const char *elf_broken_promise(const struct elf_image *img, uint32_t file_size,
				      uint32_t user_start, uint32_t user_end, uint32_t max_bytes)
{
	static char broken[160];
	uint64_t total_pages = 0, last_page = 0;
	bool entry_found = false;

	if (img->count < 1 || img->count > ELF_SEGMENTS_MAX)
		return "no segments, or too many";
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->seg[i];
		uint64_t top = (uint64_t)s->vaddr + s->memsz;
		uint64_t first = s->vaddr / ELF_PAGE_SIZE, last = (top - 1) / ELF_PAGE_SIZE;

		snprintf(broken, sizeof broken, "segment %u (0x%x+0x%x from 0x%x+0x%x)", i, s->vaddr,
			 s->memsz, s->offset, s->filesz);
		if (s->memsz == 0 || s->filesz > s->memsz)
			return strcat(broken, ": sizes");
		if (s->filesz > 0 && (uint64_t)s->offset + s->filesz > file_size)
			return strcat(broken, ": past the file's end");
		if (s->vaddr < user_start || top > user_end)
			return strcat(broken, ": outside user space");
		if (s->vaddr % ELF_PAGE_SIZE != s->offset % ELF_PAGE_SIZE)
			return strcat(broken, ": not congruent");
		if (s->flags & ~(uint32_t)(ELF_SEG_READ | ELF_SEG_WRITE | ELF_SEG_EXEC))
			return strcat(broken, ": unknown flags");
		for (unsigned j = 0; j < i; j++) {
			const struct elf_segment *o = &img->seg[j];
			uint64_t o_first = o->vaddr / ELF_PAGE_SIZE;
			uint64_t o_last = ((uint64_t)o->vaddr + o->memsz - 1) / ELF_PAGE_SIZE;

			if (first <= o_last && o_first <= last)
				return strcat(broken, ": shares a page with an earlier one");
		}
		total_pages += last - first + 1;
		if (last + 1 > last_page)
			last_page = last + 1;
		if ((s->flags & ELF_SEG_EXEC) && img->entry >= s->vaddr && img->entry < top)
			entry_found = true;
	}
	if (total_pages * ELF_PAGE_SIZE > max_bytes)
		return "more memory than the limit";
	if (!entry_found)
		return "the entry point is in no executable segment";
	if (img->end != last_page * ELF_PAGE_SIZE)
		return "end is not the last segment's end, page-rounded";
	return NULL;
}

#endif
