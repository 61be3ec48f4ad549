/* elfbad: writes damaged copies of a good ELF program, one fault each, for the tests of
 * the kernel's refusals at boot (disk.img.layout places them) and test_elfbad.sh:
 *
 *   elfbad GOOD.elf OUTDIR
 *
 * writes into OUTDIR (which must exist) the good file with one change:
 *   NOTELF.ELF   the magic's first byte broken
 *   TRUNC.ELF    cut in the middle of the segment whose bytes end last in the file
 *   MACHINE.ELF  e_machine 62 (x86-64)
 *   KERNEL.ELF   the first PT_LOAD's vaddr moved to 0x00100000 (plus its offset in
 *                its page, so that vaddr and offset stay congruent)
 *   OVERLAP.ELF  the second PT_LOAD moved onto the first's first page
 *   BIG.ELF      the highest PT_LOAD's memsz raised to 512 MiB (so it stays clear of
 *                the others and inside user space: the size is the one fault)
 *   DYNAMIC.ELF  the first program header that is not a PT_LOAD turned into PT_INTERP
 *   ENTRY.ELF    the entry point moved to a PT_LOAD that is not executable (or to 0
 *                when every one is)
 * GOOD.elf must be a little-endian ELF32 file with two PT_LOADs that have memory and
 * a program header of another type (clang and ld.lld always write PT_GNU_STACK). */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../kernel/proc/elf.h"

#define EM_X86_64 62
#define KERNEL_VADDR 0x00100000u
#define BIG_MEMSZ (512u << 20)
#define GOOD_SIZE_MAX (64u << 20)

struct program {
	uint8_t *bytes;
	uint32_t size;
	uint32_t phoff, phnum;
	unsigned loads[ELF_PHNUM_MAX]; /* the PT_LOADs with memory, by program header index */
	unsigned load_count;
	int other; /* a program header of another type, or -1 */
};

static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("elfbad: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint32_t get(const struct program *p, uint32_t at, unsigned width)
{
	uint32_t v = 0;

	for (unsigned i = width; i-- > 0;)
		v = v << 8 | p->bytes[at + i];
	return v;
}

static void put(uint8_t *bytes, uint32_t at, unsigned width, uint32_t v)
{
	for (unsigned i = 0; i < width; i++)
		bytes[at + i] = (uint8_t)(v >> (8 * i));
}

/* the offset of program header INDEX's FIELD */
static uint32_t ph(const struct program *p, unsigned index, uint32_t field)
{
	return p->phoff + index * ELF_PHDR_SIZE + field;
}

static void load(struct program *p, const char *path)
{
	FILE *f = fopen(path, "rb");
	long size;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0)
		die("%s: cannot read", path);
	if (size < ELF_EHDR_SIZE || size > (long)GOOD_SIZE_MAX)
		die("%s: %ld bytes is no program elfbad takes", path, size);
	p->size = (uint32_t)size;
	p->bytes = malloc(p->size);
	if (p->bytes == NULL || fread(p->bytes, 1, p->size, f) != p->size)
		die("%s: cannot read", path);
	fclose(f);
	if (p->bytes[EI_MAG0] != ELFMAG0 || p->bytes[EI_MAG1] != ELFMAG1 ||
	    p->bytes[EI_MAG2] != ELFMAG2 || p->bytes[EI_MAG3] != ELFMAG3 ||
	    p->bytes[EI_CLASS] != ELFCLASS32 || p->bytes[EI_DATA] != ELFDATA2LSB ||
	    get(p, EH_PHENTSIZE, 2) != ELF_PHDR_SIZE)
		die("%s: not a little-endian ELF32 file", path);
	p->phoff = get(p, EH_PHOFF, 4);
	p->phnum = get(p, EH_PHNUM, 2);
	if (p->phnum > ELF_PHNUM_MAX || p->phoff > p->size ||
	    p->phnum * ELF_PHDR_SIZE > p->size - p->phoff)
		die("%s: its program headers are not inside it", path);
	p->other = -1;
	for (unsigned i = 0; i < p->phnum; i++) {
		uint32_t type = get(p, ph(p, i, PH_TYPE), 4);

		if (type == PT_LOAD && get(p, ph(p, i, PH_MEMSZ), 4) > 0)
			p->loads[p->load_count++] = i;
		else if (type != PT_LOAD && p->other < 0)
			p->other = (int)i;
	}
	if (p->load_count < 2 || p->other < 0)
		die("%s: needs two PT_LOADs with memory and one other program header", path);
}

static void write_variant(const char *dir, const char *name, const uint8_t *bytes, uint32_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f == NULL || fwrite(bytes, 1, size, f) != size || fclose(f) != 0)
		die("%s: cannot write", path);
}

/* a copy of the good file with WIDTH bytes at AT set to V, written as NAME */
static void patched(const struct program *p, const char *dir, const char *name, uint32_t at,
		    unsigned width, uint32_t v)
{
	uint8_t *copy = malloc(p->size);

	if (copy == NULL)
		die("out of memory");
	memcpy(copy, p->bytes, p->size);
	put(copy, at, width, v);
	write_variant(dir, name, copy, p->size);
	free(copy);
}

/* the file's length cut halfway through the segment whose bytes end last */
static uint32_t truncation(const struct program *p)
{
	uint64_t best_end = 0, cut = 0;

	for (unsigned i = 0; i < p->load_count; i++) {
		uint32_t offset = get(p, ph(p, p->loads[i], PH_OFFSET), 4);
		uint32_t filesz = get(p, ph(p, p->loads[i], PH_FILESZ), 4);

		if (filesz > 1 && (uint64_t)offset + filesz > best_end) {
			best_end = (uint64_t)offset + filesz;
			cut = offset + filesz / 2;
		}
	}
	if (cut <= p->phoff + (uint64_t)p->phnum * ELF_PHDR_SIZE || best_end > p->size)
		die("no segment's middle lies past the program headers and inside the file");
	return (uint32_t)cut;
}

/* the PT_LOAD that reaches highest */
static unsigned highest_load(const struct program *p)
{
	unsigned best = p->loads[0];

	for (unsigned i = 1; i < p->load_count; i++)
		if (get(p, ph(p, p->loads[i], PH_VADDR), 4) > get(p, ph(p, best, PH_VADDR), 4))
			best = p->loads[i];
	return best;
}

/* an address in a PT_LOAD without PF_X, or 0 */
static uint32_t outside_text(const struct program *p)
{
	for (unsigned i = 0; i < p->load_count; i++)
		if (!(get(p, ph(p, p->loads[i], PH_FLAGS), 4) & PF_X))
			return get(p, ph(p, p->loads[i], PH_VADDR), 4);
	return 0;
}

int main(int argc, char **argv)
{
	struct program p = { 0 };
	const char *dir;
	unsigned first, second;
	uint32_t first_vaddr;

	if (argc != 3) {
		fprintf(stderr, "usage: elfbad GOOD.elf OUTDIR\n");
		return 2;
	}
	load(&p, argv[1]);
	dir = argv[2];
	first = p.loads[0];
	second = p.loads[1];
	first_vaddr = get(&p, ph(&p, first, PH_VADDR), 4);

	patched(&p, dir, "NOTELF.ELF", EI_MAG0, 1, 0);
	write_variant(dir, "TRUNC.ELF", p.bytes, truncation(&p));
	patched(&p, dir, "MACHINE.ELF", EH_MACHINE, 2, EM_X86_64);
	patched(&p, dir, "KERNEL.ELF", ph(&p, first, PH_VADDR), 4,
		KERNEL_VADDR + first_vaddr % ELF_PAGE_SIZE);
	patched(&p, dir, "OVERLAP.ELF", ph(&p, second, PH_VADDR), 4,
		first_vaddr - first_vaddr % ELF_PAGE_SIZE +
			get(&p, ph(&p, second, PH_VADDR), 4) % ELF_PAGE_SIZE);
	patched(&p, dir, "BIG.ELF", ph(&p, highest_load(&p), PH_MEMSZ), 4, BIG_MEMSZ);
	patched(&p, dir, "DYNAMIC.ELF", ph(&p, (unsigned)p.other, PH_TYPE), 4, PT_INTERP);
	patched(&p, dir, "ENTRY.ELF", EH_ENTRY, 4, outside_text(&p));
	free(p.bytes);
	return 0;
}
