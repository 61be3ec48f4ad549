/* text.h: program text and read-only data, paged in from the executable on
 * the boot volume at their first touch and shared by every process running
 * the same program: one frame per page, found by the program's file and the
 * page's address (programs are static and linked at one address, so a page
 * of the file is at the same address in each of them). A text page is never
 * written, so the clock drops it without a write (reclaim.c) and the next
 * touch reads it from the file again. Writable data stays private to each
 * process: the loader fills its own copy. */
#ifndef VLSOS_VM_TEXT_H
#define VLSOS_VM_TEXT_H

#include <stdbool.h>
#include <stdint.h>

struct fat_node;
struct vm_space;
struct vm_region;
struct text_image;

/* The shared image of the program NODE is (found or made), with one more
 * region using it; NULL when no memory is left. */
struct text_image *text_image_get(const struct fat_node *node);
/* a region's use of it ends: the last one's end frees its cached pages */
void text_image_put(struct text_image *image);

/* A fault in a text region: the shared frame of the page at addr mapped in
 * vm, read from the file first if no process has it. False with *why set
 * when there was no frame or the read failed. */
bool text_fault(struct vm_space *vm, const struct vm_region *r, uint32_t addr, const char **why);
/* the region's pages unmapped from vm (the frames stay the image's) */
void text_unmap(struct vm_space *vm, const struct vm_region *r);

/* For the clock: a shared frame's use in every space mapping it (each
 * accessed bit read and cleared: true if any was set), and its taking
 * (unmapped everywhere, out of the cache, freed). */
bool text_frame_age(uint32_t phys);
void text_frame_take(uint32_t phys);

struct text_stats {
	uint32_t images, cached_pages;
	uint64_t reads;  /* pages read from executables */
	uint64_t shares; /* faults answered by a page another process had brought in */
};
void text_stats(struct text_stats *out);

#endif
