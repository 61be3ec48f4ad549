/* vm.h: a process's address space: the regions it may use and the page
 * tables (kernel/arch/paging.c's spaces) that map them. Program segments are
 * mapped whole when the program is loaded; the heap, anonymous mappings and
 * the stack get a zeroed frame on the first touch of each page. Every frame
 * comes from reclaim_frame_get and goes back when it is unmapped or the space
 * is destroyed; a page taken by the clock (reclaim.c) comes back from swap on
 * its next touch. */
#ifndef VLSOS_VM_H
#define VLSOS_VM_H

#include <stdbool.h>
#include <stdint.h>

#define VM_REGIONS_MAX 24

enum vm_kind { VM_PROGRAM, VM_HEAP, VM_MMAP, VM_STACK };

struct text_image;

struct vm_region {
	uint32_t start, end; /* page-aligned, [start, end) */
	uint32_t flags;      /* PAGE_FLAG_WRITABLE, PAGE_FLAG_EXECUTABLE */
	enum vm_kind kind;
	/* a program's read-only segment, paged in from its file (text.c): the
	 * shared image, and where the segment's bytes are in the file */
	struct text_image *text;
	uint32_t seg_vaddr, seg_offset, seg_filesz;
};

struct vm_space {
	void *space; /* paging's handle */
	struct vm_region region[VM_REGIONS_MAX];
	unsigned count;
	uint32_t heap_start, brk; /* the heap region is [heap_start, page_up(brk)) */
	uint32_t pages;           /* frames mapped now */
	uint32_t swapped;         /* pages in swap now (their entries hold slots) */
	struct vm_space *next;    /* every live space, for the clock's shared pages (text.c) */
};

int vm_create(struct vm_space *vm);   /* 0, ERR_NOMEM */
void vm_destroy(struct vm_space *vm); /* every frame and table back */
int vm_add_region(struct vm_space *vm, uint32_t start, uint32_t end, uint32_t flags, enum vm_kind kind);
/* a read-only program segment whose pages come from IMAGE on first touch
 * (the region holds a use of IMAGE from here on, even on failure) */
int vm_add_text_region(struct vm_space *vm, uint32_t start, uint32_t end, uint32_t flags,
		       struct text_image *image, uint32_t seg_vaddr, uint32_t seg_offset,
		       uint32_t seg_filesz);
struct vm_space *vm_first(void); /* the live spaces, through ->next */
/* why a fault found no frame: "out of memory: ..." with the figures */
const char *vm_out_of_memory(void);
const struct vm_region *vm_find(const struct vm_space *vm, uint32_t addr);
/* a zeroed frame mapped at the page of addr (inside a region); its kernel
 * address through paging_kmap(slot), or NULL when RAM is out. WILL_FILL: the
 * caller writes it now (so it is no longer a page that may come back zeroed) */
void *vm_map_zeroed(struct vm_space *vm, uint32_t addr, unsigned kmap_slot, bool will_fill);
/* a page fault at addr (PF_* error code): true when it was a first touch of
 * a demand-zero page, now mapped; else *why says what was wrong */
bool vm_fault(struct vm_space *vm, uint32_t addr, uint32_t error, const char **why);
int32_t vm_sbrk(struct vm_space *vm, int32_t delta); /* the old break or ERR_* */
int32_t vm_mmap(struct vm_space *vm, uint32_t len, int prot);
int vm_munmap(struct vm_space *vm, uint32_t addr, uint32_t len);
/* Copies between the kernel and the live space (the calling process's):
 * ERR_FAULT when any byte is outside its regions, or (to user) not writable. */
int vm_copy_in(struct vm_space *vm, void *dst, uint32_t user_src, uint32_t len);
int vm_copy_out(struct vm_space *vm, uint32_t user_dst, const void *src, uint32_t len);
/* a NUL-terminated string of at most max bytes with its NUL: its length, or
 * ERR_FAULT, or ERR_TOOBIG when no NUL comes within max */
int vm_copy_string_in(struct vm_space *vm, char *dst, uint32_t user_src, uint32_t max);
/* does the user range [addr, addr + len) lie in regions, writable if asked */
bool vm_range_ok(const struct vm_space *vm, uint32_t addr, uint32_t len, bool write);

/* for ps, vmmap and v2p */
struct vls_region;
struct vls_walk;
bool vm_is_user_address(uint32_t addr);
unsigned vm_table_pages(const struct vm_space *vm); /* its own: the kernel's it shares not counted */
int vm_describe(const struct vm_space *vm, unsigned i, struct vls_region *out); /* ERR_INVAL: empty */
void vm_walk(const struct vm_space *vm, uint32_t addr, struct vls_walk *out);

#endif
