/* loader.c: a program of the boot volume into a new address space. elf.c
 * checks the file; here each segment's pages are mapped with its permissions
 * (text read/execute, data read/write, NX where the CPU has it), filled from
 * the file and zeroed past it (.bss), and the stack gets argc and argv. Any
 * refusal is one line naming the program and the fault. */
#include "proc.h"
#include "elf.h"
#include "errors.h"
#include "lib.h"
#include "vm_layout.h"
#include "../arch/arch.h"
#include "../fs/fat.h"
#include "../vm/text.h"
#include "../kernel.h"
#include "../mm/page.h"

#define PROGRAM_MAX_BYTES (64u << 20) /* a program's segments, in memory */

static int read_file(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
	int got = fat_read(boot_volume(), ctx, offset, buf, len);
	if (got < 0)
		return got;
	return (uint32_t)got == len ? 0 : ERR_RANGE;
}

static uint32_t segment_flags(uint32_t elf_flags)
{
	return ((elf_flags & ELF_SEG_WRITE) ? PAGE_FLAG_WRITABLE : 0) |
	       ((elf_flags & ELF_SEG_EXEC) ? PAGE_FLAG_EXECUTABLE : 0);
}

/* A read-only segment (text, read-only data) is only a region: its pages
 * come from the file at their first touch, shared with every process that
 * runs the program (kernel/vm/text.c). A writable one is the process's
 * own: every page zeroed, then its file bytes copied in. */
static int load_segment(struct vm_space *vm, struct fat_node *node, const struct elf_segment *s)
{
	uint32_t start = s->vaddr & ~(PAGE_SIZE - 1);
	uint32_t end = (s->vaddr + s->memsz + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);

	if (!(s->flags & ELF_SEG_WRITE)) {
		struct text_image *image = text_image_get(node);
		if (!image)
			return ERR_NOMEM;
		return vm_add_text_region(vm, start, end, segment_flags(s->flags), image, s->vaddr,
					  s->offset, s->filesz);
	}
	int err = vm_add_region(vm, start, end, segment_flags(s->flags), VM_PROGRAM);
	if (err < 0)
		return err;
	for (uint32_t page = start; page < end; page += PAGE_SIZE) {
		uint8_t *dst = vm_map_zeroed(vm, page, KMAP_LOADER, true);
		if (!dst)
			return ERR_NOMEM;
		/* the part of [vaddr, vaddr + filesz) on this page */
		uint32_t from = page > s->vaddr ? page : s->vaddr;
		uint32_t to = page + PAGE_SIZE < s->vaddr + s->filesz ? page + PAGE_SIZE
								      : s->vaddr + s->filesz;
		if (from < to && (err = read_file(node, s->offset + (from - s->vaddr),
						  dst + (from - page), to - from)) < 0)
			return err;
	}
	return 0;
}

/* The stack's top page: the strings, then argv[] with its NULL, then argv
 * and argc, where ESP points. */
static int build_stack(struct vm_space *vm, char *const *args, unsigned nargs, uint32_t *esp)
{
	uint32_t top = VM_USER_STACK_TOP, page = top - PAGE_SIZE, bytes = 0;
	int err = vm_add_region(vm, top - VM_USER_STACK_MAX, top, PAGE_FLAG_WRITABLE, VM_STACK);

	if (err < 0)
		return err;
	for (unsigned i = 0; i < nargs; i++)
		bytes += (uint32_t)strlen(args[i]) + 1;
	uint32_t pointers = (nargs + 1 + 2) * sizeof(uint32_t);
	if (bytes + pointers + 16 > PAGE_SIZE)
		return ERR_TOOBIG;
	uint8_t *base = vm_map_zeroed(vm, page, KMAP_LOADER, true);
	if (!base)
		return ERR_NOMEM;
	uint32_t at = top, argv_user[ARGS_MAX + 1];
	for (unsigned i = nargs; i-- > 0;) {
		uint32_t len = (uint32_t)strlen(args[i]) + 1;
		at -= len;
		memcpy(base + (at - page), args[i], len);
		argv_user[i] = at;
	}
	argv_user[nargs] = 0;
	at &= ~15u;
	at -= (nargs + 1) * sizeof(uint32_t);
	memcpy(base + (at - page), argv_user, (nargs + 1) * sizeof(uint32_t));
	uint32_t argv = at;
	at -= 2 * sizeof(uint32_t);
	uint32_t head[2] = { nargs, argv };
	memcpy(base + (at - page), head, sizeof head);
	*esp = at;
	return 0;
}

int loader_load(struct vm_space *vm, const char *path, char *const *args, unsigned nargs,
		uint32_t *entry, uint32_t *esp)
{
	static struct fat_node node;
	struct elf_image image;
	char why[ELF_WHY_MAX];
	struct fat_volume *vol = boot_volume();

	if (!vol)
		return ERR_NOENT;
	int err = fat_lookup(vol, path, &node);
	if (err < 0)
		return err;
	if (node.stat.is_dir)
		return ERR_ISDIR;
	err = elf_parse(read_file, &node, node.stat.size, VM_USER_START, VM_USER_END, PROGRAM_MAX_BYTES,
			&image, why, sizeof why);
	if (err < 0) {
		kprintf("exec %s: %s\n", path, why);
		return err;
	}
	for (unsigned i = 0; i < image.count && err == 0; i++)
		err = load_segment(vm, &node, &image.seg[i]);
	if (err == 0) {
		/* the heap starts empty after the program's last page */
		vm->heap_start = vm->brk = image.end;
		if (vm->count == VM_REGIONS_MAX)
			err = ERR_NOSPC;
		else
			vm->region[vm->count++] = (struct vm_region){ .start = image.end,
								      .end = image.end,
								      .flags = PAGE_FLAG_WRITABLE,
								      .kind = VM_HEAP };
	}
	if (err == 0)
		err = build_stack(vm, args, nargs, esp);
	if (err < 0) {
		kprintf("exec %s: %s\n", path, error_name(err));
		return err;
	}
	*entry = image.entry;
	return 0;
}
