/* elf.c: the ELF32 parser (elf.h): checks a program's ELF header and program headers
 * before the loader maps anything, after the System V ABI's ELF chapter and its Intel386
 * supplement.
 *
 * Trust: nothing in the file is believed until checked. Every sum of two 32-bit fields
 * (offset + size, vaddr + memsz) is made in 64 bits, so a field near 4 GiB cannot wrap
 * around into range; no 64-bit division is needed (the kernel links no libgcc). The
 * file is read twice: the header, then the whole program-header table into a buffer
 * bounded by ELF_PHNUM_MAX. Checks run in the order of the messages' usefulness: what
 * the file is (magic, class, byte order, type, machine), then each segment on its own,
 * then the segments together (count, size, overlap), then the entry point. */
#include "elf.h"
#include "errors.h"
#include "lib.h"

#include <stdarg.h>
#include <stdbool.h>

#define KIB 1024u
#define MIB (1024u * 1024u)

struct parse {
	char *why;
	size_t why_size;
	unsigned phdr_index[ELF_SEGMENTS_MAX]; /* each segment's program header, for messages */
};

static uint32_t le16(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static uint64_t page_down(uint64_t a)
{
	return a & ~(uint64_t)(ELF_PAGE_SIZE - 1);
}

static uint64_t page_up(uint64_t a)
{
	return page_down(a + ELF_PAGE_SIZE - 1);
}

static __attribute__((format(printf, 3, 4))) int fail(struct parse *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->why_size > 0) {
		va_start(ap, fmt);
		LIB_NAME(vsnprintf)(p->why, p->why_size, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* the read function's result as elf_parse's: its errors pass through, anything else
 * but 0 is a broken promise */
static int read_bytes(struct parse *p, elf_read_fn read, void *ctx, uint32_t offset, void *buf,
		      uint32_t len, const char *what)
{
	int err = read(ctx, offset, buf, len);

	if (err == 0)
		return 0;
	if (err > 0)
		err = ERR_IO;
	return fail(p, err, "cannot read the %s (%u bytes at %u): error %d", what, len, offset, err);
}

static const char *type_name(uint32_t type)
{
	switch (type) {
	case ET_NONE: return "none";
	case ET_REL: return "relocatable object";
	case ET_EXEC: return "executable";
	case ET_DYN: return "shared object";
	case ET_CORE: return "core file";
	default: return "unknown";
	}
}

/* a page-rounded size as "N MiB", or "N KiB" when it is not a whole number of MiB;
 * sizes here are at most ELF_SEGMENTS_MAX * 4 GiB, which fits in KiB */
static void size_text(char *buf, size_t size, uint64_t bytes)
{
	if (bytes % MIB == 0)
		LIB_NAME(snprintf)(buf, size, "%u MiB", (unsigned)(bytes >> 20));
	else
		LIB_NAME(snprintf)(buf, size, "%u KiB", (unsigned)(bytes >> 10));
}

/* The ELF header: what the file is. Sets *entry, *phoff and *phnum. */
static int check_header(struct parse *p, elf_read_fn read, void *ctx, uint32_t file_size,
			uint32_t *entry, uint32_t *phoff, uint32_t *phnum)
{
	uint8_t eh[ELF_EHDR_SIZE];
	uint32_t have = file_size < ELF_EHDR_SIZE ? file_size : ELF_EHDR_SIZE;
	uint32_t type, machine, phentsize;
	uint64_t table_end;
	int err;

	if (have > 0) {
		err = read_bytes(p, read, ctx, 0, eh, have, "ELF header");
		if (err != 0)
			return err;
	}
	if (have <= EI_MAG3 || eh[EI_MAG0] != ELFMAG0 || eh[EI_MAG1] != ELFMAG1 ||
	    eh[EI_MAG2] != ELFMAG2 || eh[EI_MAG3] != ELFMAG3)
		return fail(p, ERR_NOEXEC, "not an ELF file (magic 7f 45 4c 46 missing)");
	if (have < ELF_EHDR_SIZE)
		return fail(p, ERR_NOEXEC, "truncated: the ELF header ends at %u, file is %u bytes",
			    ELF_EHDR_SIZE, file_size);
	if (eh[EI_CLASS] != ELFCLASS32)
		return fail(p, ERR_NOEXEC, "not 32-bit (class %u)", eh[EI_CLASS]);
	if (eh[EI_DATA] != ELFDATA2LSB)
		return fail(p, ERR_NOEXEC, "not little-endian (data encoding %u)", eh[EI_DATA]);
	if (eh[EI_VERSION] != EV_CURRENT || le32(eh + EH_VERSION) != EV_CURRENT)
		return fail(p, ERR_NOEXEC, "unknown ELF version %u",
			    eh[EI_VERSION] != EV_CURRENT ? eh[EI_VERSION] : le32(eh + EH_VERSION));
	type = le16(eh + EH_TYPE);
	if (type != ET_EXEC)
		return fail(p, ERR_NOEXEC, "not an executable (type %u: %s)", type, type_name(type));
	machine = le16(eh + EH_MACHINE);
	if (machine != EM_386)
		return fail(p, ERR_NOEXEC, "not an i386 program (machine %u)", machine);
	phentsize = le16(eh + EH_PHENTSIZE);
	if (phentsize != ELF_PHDR_SIZE)
		return fail(p, ERR_NOEXEC, "program headers of %u bytes, not %u", phentsize,
			    ELF_PHDR_SIZE);
	*entry = le32(eh + EH_ENTRY);
	*phoff = le32(eh + EH_PHOFF);
	*phnum = le16(eh + EH_PHNUM);
	if (*phnum == 0)
		return fail(p, ERR_NOEXEC, "no loadable segment (no program headers)");
	if (*phnum > ELF_PHNUM_MAX)
		return fail(p, ERR_NOEXEC, "%u program headers, at most %u are read", *phnum,
			    ELF_PHNUM_MAX);
	table_end = (uint64_t)*phoff + (uint64_t)*phnum * ELF_PHDR_SIZE;
	if (table_end > file_size)
		return fail(p, ERR_NOEXEC, "truncated: program headers end at %llu, file is %u bytes",
			    (unsigned long long)table_end, file_size);
	return 0;
}

/* One PT_LOAD on its own: sizes, its bytes in the file, its pages in user space. */
static int check_segment(struct parse *p, unsigned index, const struct elf_segment *s,
			 uint32_t file_size, uint32_t user_start, uint32_t user_end)
{
	uint64_t file_end = (uint64_t)s->offset + s->filesz;
	uint64_t mem_end = (uint64_t)s->vaddr + s->memsz;

	if (s->filesz > s->memsz)
		return fail(p, ERR_NOEXEC, "segment %u: file size 0x%X exceeds memory size 0x%X", index,
			    s->filesz, s->memsz);
	if (s->filesz > 0 && file_end > file_size)
		return fail(p, ERR_NOEXEC, "truncated: segment %u ends at %llu, file is %u bytes", index,
			    (unsigned long long)file_end, file_size);
	if (s->vaddr % ELF_PAGE_SIZE != s->offset % ELF_PAGE_SIZE)
		return fail(p, ERR_NOEXEC,
			    "segment %u: vaddr 0x%08X and offset 0x%X differ modulo the page size",
			    index, s->vaddr, s->offset);
	if (s->vaddr < user_start || mem_end > user_end)
		return fail(
			p, ERR_NOEXEC,
			"segment %u at 0x%08X-0x%08llX overlaps the kernel (user space is 0x%08X-0x%08X)",
			index, s->vaddr, (unsigned long long)mem_end, user_start, user_end - 1);
	return 0;
}

static uint32_t seg_flags(uint32_t pflags)
{
	return ((pflags & PF_R) ? ELF_SEG_READ : 0) | ((pflags & PF_W) ? ELF_SEG_WRITE : 0) |
	       ((pflags & PF_X) ? ELF_SEG_EXEC : 0);
}

/* The program headers one by one: refuses dynamic linking, keeps each non-empty PT_LOAD. */
static int collect_segments(struct parse *p, const uint8_t *table, uint32_t phnum, uint32_t file_size,
			    uint32_t user_start, uint32_t user_end, struct elf_image *out)
{
	for (unsigned i = 0; i < phnum; i++) {
		const uint8_t *ph = table + (size_t)i * ELF_PHDR_SIZE;
		uint32_t type = le32(ph + PH_TYPE);
		struct elf_segment s;
		int err;

		if (type == PT_INTERP || type == PT_DYNAMIC)
			return fail(p, ERR_NOEXEC,
				    "dynamically linked (%s): VlsOs runs static programs only",
				    type == PT_INTERP ? "PT_INTERP" : "PT_DYNAMIC");
		if (type != PT_LOAD)
			continue; /* PT_NOTE, PT_PHDR, PT_GNU_STACK...: nothing to map */
		s.vaddr = le32(ph + PH_VADDR);
		s.memsz = le32(ph + PH_MEMSZ);
		s.offset = le32(ph + PH_OFFSET);
		s.filesz = le32(ph + PH_FILESZ);
		s.flags = seg_flags(le32(ph + PH_FLAGS));
		if (s.memsz == 0 && s.filesz == 0)
			continue; /* occupies nothing */
		err = check_segment(p, i, &s, file_size, user_start, user_end);
		if (err != 0)
			return err;
		if (out->count == ELF_SEGMENTS_MAX)
			return fail(p, ERR_NOEXEC, "more than %u loadable segments", ELF_SEGMENTS_MAX);
		p->phdr_index[out->count] = i;
		out->seg[out->count++] = s;
	}
	return 0;
}

/* The segments together: any at all, their total memory, no page shared. Sets out->end. */
static int check_together(struct parse *p, uint32_t max_bytes, struct elf_image *out)
{
	uint64_t total = 0, end = 0;
	char have[24], limit[24];

	if (out->count == 0)
		return fail(p, ERR_NOEXEC, "no loadable segment");
	for (unsigned i = 0; i < out->count; i++) {
		const struct elf_segment *a = &out->seg[i];
		uint64_t a_start = page_down(a->vaddr), a_end = page_up((uint64_t)a->vaddr + a->memsz);

		total += a_end - a_start;
		if (a_end > end)
			end = a_end;
	}
	if (total > max_bytes) {
		size_text(have, sizeof have, total);
		size_text(limit, sizeof limit, max_bytes);
		return fail(p, ERR_TOOBIG, "too big: %s of segments, the limit is %s", have, limit);
	}
	for (unsigned i = 0; i < out->count; i++) {
		const struct elf_segment *a = &out->seg[i];
		uint64_t a_start = page_down(a->vaddr), a_end = page_up((uint64_t)a->vaddr + a->memsz);

		for (unsigned j = i + 1; j < out->count; j++) {
			const struct elf_segment *b = &out->seg[j];
			uint64_t b_start = page_down(b->vaddr),
				 b_end = page_up((uint64_t)b->vaddr + b->memsz);

			if (a_start < b_end && b_start < a_end)
				return fail(p, ERR_NOEXEC, "segments %u and %u overlap at page 0x%08llX",
					    p->phdr_index[i], p->phdr_index[j],
					    (unsigned long long)(a_start > b_start ? a_start : b_start));
		}
	}
	out->end = (uint32_t)end; /* at most user_end, page-aligned: it fits */
	return 0;
}

static int check_entry(struct parse *p, const struct elf_image *out)
{
	for (unsigned i = 0; i < out->count; i++) {
		const struct elf_segment *s = &out->seg[i];

		if ((s->flags & ELF_SEG_EXEC) && out->entry >= s->vaddr &&
		    out->entry - s->vaddr < s->memsz)
			return 0;
	}
	return fail(p, ERR_NOEXEC, "entry point 0x%08X is in no executable segment", out->entry);
}

static int parse(struct parse *p, elf_read_fn read, void *ctx, uint32_t file_size, uint32_t user_start,
		 uint32_t user_end, uint32_t max_bytes, struct elf_image *out)
{
	uint8_t table[ELF_PHNUM_MAX * ELF_PHDR_SIZE];
	uint32_t phoff, phnum;
	int err;

	if (user_start >= user_end || user_start % ELF_PAGE_SIZE != 0 || user_end % ELF_PAGE_SIZE != 0)
		return fail(p, ERR_INVAL, "user space 0x%08X-0x%08X is empty or not page-aligned",
			    user_start, user_end);
	err = check_header(p, read, ctx, file_size, &out->entry, &phoff, &phnum);
	if (err == 0)
		err = read_bytes(p, read, ctx, phoff, table, phnum * ELF_PHDR_SIZE, "program headers");
	if (err == 0)
		err = collect_segments(p, table, phnum, file_size, user_start, user_end, out);
	if (err == 0)
		err = check_together(p, max_bytes, out);
	if (err == 0)
		err = check_entry(p, out);
	return err;
}

int elf_parse(elf_read_fn read, void *ctx, uint32_t file_size, uint32_t user_start, uint32_t user_end,
	      uint32_t max_bytes, struct elf_image *out, char *why, size_t why_size)
{
	struct parse p = { .why = why, .why_size = why_size };
	int err;

	LIB_NAME(memset)(out, 0, sizeof *out);
	if (why_size > 0)
		why[0] = '\0';
	err = parse(&p, read, ctx, file_size, user_start, user_end, max_bytes, out);
	if (err != 0)
		LIB_NAME(memset)(out, 0, sizeof *out);
	return err;
}
