/* sources: kernel/proc/elf.c lib/string.c lib/format.c */
/* test_elf.c - kernel/proc/elf.c on ELF files this test lays out in memory, header and
 * program headers field by field, so that each fault is exactly the one planted: every
 * refusal with its return code and its message, the good shapes (one segment; headers,
 * text, data and bss; ignored header types), the boundaries (a segment ending exactly
 * at user space's end and at the file's end, and one byte more), a read function that
 * fails, and random damage to a good file. The read function fails the test on any
 * read past the file's end or of 0 bytes. test_elf_real.sh parses programs clang and
 * ld.lld link, test_fuzz_elf.sh fuzzes the parser. */
#include "check.h"
#include "errors.h"
#include "lib.h"
#include "vm_layout.h"
#include "../../kernel/proc/elf.h"
#include "elf_promises.h"

#define FILE_MAX 0x10000
#define MAX_BYTES (64u << 20) /* the limit the tests pass: 64 MiB */
#define USER VM_USER_START
#define PAGE ELF_PAGE_SIZE
#define PT_NOTE 4
#define PT_PHDR 6
#define PT_GNU_STACK 0x6474e551
#define PT_GNU_RELRO 0x6474e552
#define EM_X86_64 62

/* the file under test and what the parser did with it */
static struct file {
	uint8_t bytes[FILE_MAX];
	uint32_t size;
	int fail_on_read; /* this read (1, 2, ...) returns fail_err */
	int fail_err;
	unsigned reads;
	bool bad_read; /* past the end, or of 0 bytes */
} file;

static struct elf_image img;
static char why[ELF_WHY_MAX];

static int file_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
	struct file *f = ctx;

	f->reads++;
	if (len == 0 || offset > f->size || len > f->size - offset) {
		f->bad_read = true;
		return ERR_RANGE;
	}
	if ((int)f->reads == f->fail_on_read)
		return f->fail_err;
	memcpy(buf, f->bytes + offset, len);
	return 0;
}

static void put16(uint32_t at, uint32_t v)
{
	file.bytes[at] = (uint8_t)v;
	file.bytes[at + 1] = (uint8_t)(v >> 8);
}

static void put32(uint32_t at, uint32_t v)
{
	put16(at, v & 0xFFFF);
	put16(at + 2, v >> 16);
}

static uint32_t get16(uint32_t at)
{
	return file.bytes[at] | (uint32_t)file.bytes[at + 1] << 8;
}

/* begin SIZE: an empty i386 executable of SIZE bytes, program headers right after
 * the ELF header, none yet */
static void begin(uint32_t size)
{
	memset(&file, 0, sizeof file);
	file.size = size;
	file.bytes[EI_MAG0] = ELFMAG0;
	file.bytes[EI_MAG1] = ELFMAG1;
	file.bytes[EI_MAG2] = ELFMAG2;
	file.bytes[EI_MAG3] = ELFMAG3;
	file.bytes[EI_CLASS] = ELFCLASS32;
	file.bytes[EI_DATA] = ELFDATA2LSB;
	file.bytes[EI_VERSION] = EV_CURRENT;
	put16(EH_TYPE, ET_EXEC);
	put16(EH_MACHINE, EM_386);
	put32(EH_VERSION, EV_CURRENT);
	put32(EH_PHOFF, ELF_EHDR_SIZE);
	put16(EH_PHENTSIZE, ELF_PHDR_SIZE);
}

/* a program header after the others; returns its index */
static unsigned add(uint32_t type, uint32_t offset, uint32_t vaddr, uint32_t filesz, uint32_t memsz,
		    uint32_t flags)
{
	unsigned n = get16(EH_PHNUM);
	uint32_t at = ELF_EHDR_SIZE + n * ELF_PHDR_SIZE;

	put32(at + PH_TYPE, type);
	put32(at + PH_OFFSET, offset);
	put32(at + PH_VADDR, vaddr);
	put32(at + PH_FILESZ, filesz);
	put32(at + PH_MEMSZ, memsz);
	put32(at + PH_FLAGS, flags);
	put16(EH_PHNUM, n + 1);
	return n;
}

static uint32_t ph(unsigned index, uint32_t field)
{
	return ELF_EHDR_SIZE + index * ELF_PHDR_SIZE + field;
}

/* the usual shape of a linked program: headers and read-only data, text, then data
 * and bss, with a stack note; 0x3100 bytes */
static void good_program(void)
{
	begin(0x3100);
	add(PT_LOAD, 0, USER, 0x200, 0x200, PF_R);
	add(PT_LOAD, 0x1000, USER + 0x1000, 0x1800, 0x1800, PF_R | PF_X);
	add(PT_LOAD, 0x3000, USER + 0x3000, 0x100, 0x5000, PF_R | PF_W);
	add(PT_GNU_STACK, 0, 0, 0, 0, PF_R | PF_W);
	put32(EH_ENTRY, USER + 0x1010);
}

static int parse_with(uint32_t max_bytes)
{
	return elf_parse(file_read, &file, file.size, VM_USER_START, VM_USER_END, max_bytes, &img, why,
			 sizeof why);
}

static int parse(void)
{
	return parse_with(MAX_BYTES);
}

static bool accepted(void)
{
	int err = parse();

	CHECK(!file.bad_read);
	return CHECK_MSG(err == 0, "refused with %d: %s", err, why) && CHECK_EQ_STR(why, "");
}

/* refused ERR MESSAGE: parse() fails with ERR and a message holding MESSAGE, *out zeroed */
static bool refused(int err, const char *message)
{
	static const struct elf_image zero;
	int got = parse();
	bool ok = CHECK(!file.bad_read);

	ok = CHECK_MSG(got == err, "returned %d, not %d (\"%s\")", got, err, why) && ok;
	ok = CHECK_MSG(strstr(why, message) != NULL, "\"%s\" does not say \"%s\"", why, message) && ok;
	ok = CHECK(strlen(why) < sizeof why && strchr(why, '\n') == NULL) && ok;
	return CHECK(memcmp(&img, &zero, sizeof img) == 0) && ok;
}

static void check_segment(unsigned i, uint32_t vaddr, uint32_t memsz, uint32_t offset, uint32_t filesz,
			  uint32_t flags)
{
	CHECK_EQ_UINT(img.seg[i].vaddr, vaddr);
	CHECK_EQ_UINT(img.seg[i].memsz, memsz);
	CHECK_EQ_UINT(img.seg[i].offset, offset);
	CHECK_EQ_UINT(img.seg[i].filesz, filesz);
	CHECK_EQ_UINT(img.seg[i].flags, flags);
}

/* ---- good files ---- */

static void test_one_segment(void)
{
	begin(0x800);
	add(PT_LOAD, 0, USER, 0x800, 0x800, PF_R | PF_X);
	put32(EH_ENTRY, USER + 0x74);
	if (!accepted())
		return;
	CHECK_EQ_UINT(img.count, 1);
	check_segment(0, USER, 0x800, 0, 0x800, ELF_SEG_READ | ELF_SEG_EXEC);
	CHECK_EQ_UINT(img.entry, USER + 0x74);
	CHECK_EQ_UINT(img.end, USER + PAGE);
	CHECK_EQ_UINT(file.reads, 2); /* the header, the program headers */
}

static void test_text_data_bss(void)
{
	good_program();
	if (!accepted())
		return;
	CHECK_EQ_UINT(img.count, 3);
	check_segment(0, USER, 0x200, 0, 0x200, ELF_SEG_READ);
	check_segment(1, USER + 0x1000, 0x1800, 0x1000, 0x1800, ELF_SEG_READ | ELF_SEG_EXEC);
	check_segment(2, USER + 0x3000, 0x5000, 0x3000, 0x100, ELF_SEG_READ | ELF_SEG_WRITE);
	CHECK_EQ_UINT(img.entry, USER + 0x1010);
	CHECK_EQ_UINT(img.end, USER + 0x8000);
}

/* end: the highest segment's end rounded up to a page, whichever segment is last */
static void test_end_rounding(void)
{
	good_program();
	put32(ph(2, PH_MEMSZ), 0x5001);
	if (accepted())
		CHECK_EQ_UINT(img.end, USER + 0x9000);
	good_program();
	put32(ph(2, PH_MEMSZ), 0x4FFF);
	if (accepted())
		CHECK_EQ_UINT(img.end, USER + 0x8000);
	/* the highest segment first in the table */
	begin(0x3000);
	add(PT_LOAD, 0x2000, USER + 0x12000, 0x10, 0x10, PF_R | PF_W);
	add(PT_LOAD, 0x1000, USER + 0x1000, 0x100, 0x100, PF_R | PF_X);
	put32(EH_ENTRY, USER + 0x1000);
	if (accepted())
		CHECK_EQ_UINT(img.end, USER + 0x13000);
}

static void test_ignored_types(void)
{
	begin(0x3100);
	add(PT_PHDR, ELF_EHDR_SIZE, USER + ELF_EHDR_SIZE, 0xE0, 0xE0, PF_R);
	add(PT_NULL, 0x7777, 0x12345, 0xFFFF, 0xFFFF, 0);
	add(PT_LOAD, 0, USER, 0x200, 0x200, PF_R);
	add(PT_NOTE, 0x150, USER + 0x150, 0x20, 0x20, PF_R);
	add(PT_LOAD, 0x1000, USER + 0x1000, 0x1800, 0x1800, PF_R | PF_X);
	add(PT_LOAD, 0x2800, USER + 0x1800, 0, 0, PF_R); /* empty: occupies nothing */
	add(PT_GNU_RELRO, 0x3000, USER + 0x3000, 0x100, 0x1000, PF_R);
	add(PT_LOAD, 0x3000, USER + 0x3000, 0x100, 0x5000, PF_R | PF_W);
	add(PT_GNU_STACK, 0, 0, 0, 0, PF_R | PF_W);
	put32(EH_ENTRY, USER + 0x1000);
	if (!accepted())
		return;
	CHECK_EQ_UINT(img.count, 3);
	check_segment(1, USER + 0x1000, 0x1800, 0x1000, 0x1800, ELF_SEG_READ | ELF_SEG_EXEC);
	CHECK_EQ_UINT(img.end, USER + 0x8000);
}

/* every program-header slot there is, and the most loadable segments */
static void test_limits(void)
{
	begin(0x2000);
	for (unsigned i = 0; i < ELF_SEGMENTS_MAX; i++)
		add(PT_LOAD, 0x1000, USER + 0x1000 + i * PAGE, 0x10, 0x10, PF_R | PF_X);
	while (get16(EH_PHNUM) < ELF_PHNUM_MAX)
		add(PT_NOTE, 0, 0, 0, 0, 0);
	put32(EH_ENTRY, USER + 0x1000);
	if (accepted())
		CHECK_EQ_UINT(img.count, ELF_SEGMENTS_MAX);
	/* exactly the limit of memory */
	begin(0x2000);
	add(PT_LOAD, 0x1000, USER + 0x1000, 0x10, MAX_BYTES, PF_R | PF_X);
	put32(EH_ENTRY, USER + 0x1000);
	accepted();
}

/* a segment may end exactly at user space's end, and its bytes exactly at the file's */
static void test_boundaries(void)
{
	begin(0x2000);
	add(PT_LOAD, 0x1000, VM_USER_END - PAGE, 0x1000, 0x1000, PF_R | PF_X);
	put32(EH_ENTRY, VM_USER_END - 1);
	if (accepted())
		CHECK_EQ_UINT(img.end, VM_USER_END);
	put32(ph(0, PH_MEMSZ), 0x1001);
	refused(ERR_NOEXEC, "segment 0 at 0xBFFFF000-0xC0000001 overlaps the kernel "
			    "(user space is 0x40400000-0xBFFFFFFF)");
	/* exactly the file's end, then a byte past it */
	begin(0x1234);
	add(PT_LOAD, 0, USER, 0x1234, 0x1234, PF_R | PF_X);
	put32(EH_ENTRY, USER);
	accepted();
	file.size = 0x1233;
	refused(ERR_NOEXEC, "truncated: segment 0 ends at 4660, file is 4659 bytes");
	/* the program headers end exactly at the file's end */
	begin(ELF_EHDR_SIZE + ELF_PHDR_SIZE);
	add(PT_LOAD, 0, USER, ELF_EHDR_SIZE + ELF_PHDR_SIZE, 0x100, PF_R | PF_X);
	put32(EH_ENTRY, USER + 0xFF);
	accepted();
	/* the entry at a segment's last byte, then one past it */
	put32(EH_ENTRY, USER + 0x100);
	refused(ERR_NOEXEC, "entry point 0x40400100 is in no executable segment");
	/* segments on neighbouring pages share none */
	begin(0x3000);
	add(PT_LOAD, 0x1000, USER + 0x1000, 0x1000, 0x1000, PF_R | PF_X);
	add(PT_LOAD, 0x2000, USER + 0x2000, 0x10, 0x10, PF_R | PF_W);
	put32(EH_ENTRY, USER + 0x1000);
	accepted();
}

/* ---- what the file is ---- */

static void test_not_elf(void)
{
	for (unsigned i = EI_MAG0; i <= EI_MAG3; i++) {
		good_program();
		file.bytes[i] ^= 0x20;
		refused(ERR_NOEXEC, "not an ELF file (magic 7f 45 4c 46 missing)");
	}
	good_program();
	file.size = 0;
	refused(ERR_NOEXEC, "not an ELF file");
	CHECK_EQ_UINT(file.reads, 0);
	good_program();
	file.size = EI_MAG3;
	refused(ERR_NOEXEC, "not an ELF file");
	good_program();
	file.size = ELF_EHDR_SIZE - 1;
	refused(ERR_NOEXEC, "truncated: the ELF header ends at 52, file is 51 bytes");
}

static void test_ident(void)
{
	good_program();
	file.bytes[EI_CLASS] = 2;
	refused(ERR_NOEXEC, "not 32-bit (class 2)");
	good_program();
	file.bytes[EI_DATA] = 2;
	refused(ERR_NOEXEC, "not little-endian (data encoding 2)");
	good_program();
	file.bytes[EI_VERSION] = 0;
	refused(ERR_NOEXEC, "unknown ELF version 0");
	good_program();
	put32(EH_VERSION, 2);
	refused(ERR_NOEXEC, "unknown ELF version 2");
}

static void test_type_and_machine(void)
{
	static const struct {
		uint32_t type;
		const char *message;
	} types[] = {
		{ ET_NONE, "not an executable (type 0: none)" },
		{ ET_REL, "not an executable (type 1: relocatable object)" },
		{ ET_DYN, "not an executable (type 3: shared object)" },
		{ ET_CORE, "not an executable (type 4: core file)" },
		{ 0xFE00, "not an executable (type 65024: unknown)" },
	};

	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
		good_program();
		put16(EH_TYPE, types[i].type);
		refused(ERR_NOEXEC, types[i].message);
	}
	good_program();
	put16(EH_MACHINE, EM_X86_64);
	refused(ERR_NOEXEC, "not an i386 program (machine 62)");
}

static void test_program_header_table(void)
{
	good_program();
	put16(EH_PHENTSIZE, 56);
	refused(ERR_NOEXEC, "program headers of 56 bytes, not 32");
	good_program();
	put16(EH_PHNUM, 0);
	refused(ERR_NOEXEC, "no loadable segment");
	good_program();
	put16(EH_PHNUM, ELF_PHNUM_MAX + 1);
	refused(ERR_NOEXEC, "33 program headers, at most 32");
	good_program();
	put32(EH_PHOFF, 5000 - 4 * ELF_PHDR_SIZE);
	file.size = 4000;
	refused(ERR_NOEXEC, "truncated: program headers end at 5000, file is 4000 bytes");
	/* an offset near 4 GiB must not wrap around to the start */
	good_program();
	put32(EH_PHOFF, 0xFFFFFFF0);
	refused(ERR_NOEXEC, "truncated: program headers end at 4294967408, file is 12544 bytes");
}

/* ---- segments on their own ---- */

static void test_dynamic(void)
{
	good_program();
	add(PT_INTERP, 0x200, USER + 0x200, 0x13, 0x13, PF_R);
	refused(ERR_NOEXEC, "dynamically linked (PT_INTERP): VlsOs runs static programs only");
	good_program();
	add(PT_DYNAMIC, 0x3000, USER + 0x3000, 0x80, 0x80, PF_R | PF_W);
	refused(ERR_NOEXEC, "dynamically linked (PT_DYNAMIC)");
}

static void test_segment_sizes(void)
{
	good_program();
	put32(ph(2, PH_FILESZ), 0x5001);
	refused(ERR_NOEXEC, "segment 2: file size 0x5001 exceeds memory size 0x5000");
	/* no memory but bytes in the file */
	good_program();
	put32(ph(0, PH_MEMSZ), 0);
	refused(ERR_NOEXEC, "segment 0: file size 0x200 exceeds memory size 0x0");
	good_program();
	put32(ph(1, PH_FILESZ), 0x2101);
	put32(ph(1, PH_MEMSZ), 0x3000);
	refused(ERR_NOEXEC, "truncated: segment 1 ends at 12545, file is 12544 bytes");
	/* offset + filesz above 4 GiB must not wrap */
	good_program();
	put32(ph(1, PH_OFFSET), 0xFFFFF000);
	put32(ph(1, PH_VADDR), 0x7FFFF000);
	put32(ph(1, PH_FILESZ), 0x2000);
	put32(ph(1, PH_MEMSZ), 0x2000);
	refused(ERR_NOEXEC, "truncated: segment 1 ends at 4294971392, file is 12544 bytes");
	good_program();
	put32(ph(1, PH_OFFSET), 0x1010);
	refused(ERR_NOEXEC, "segment 1: vaddr 0x40401000 and offset 0x1010 differ modulo the page size");
}

static void test_outside_user_space(void)
{
	good_program();
	put32(ph(0, PH_VADDR), 0x00100000);
	put32(ph(0, PH_MEMSZ), 0x1000);
	put32(ph(0, PH_FILESZ), 0x1000);
	refused(ERR_NOEXEC, "segment 0 at 0x00100000-0x00101000 overlaps the kernel "
			    "(user space is 0x40400000-0xBFFFFFFF)");
	/* one page below: the kernel area */
	good_program();
	put32(ph(0, PH_VADDR), USER - PAGE);
	refused(ERR_NOEXEC, "segment 0 at 0x403FF000-0x403FF200 overlaps the kernel");
	/* above user space, and wrapping around 4 GiB into it */
	good_program();
	put32(ph(2, PH_VADDR), VM_USER_END);
	refused(ERR_NOEXEC, "segment 2 at 0xC0000000-0xC0005000 overlaps the kernel");
	good_program();
	put32(ph(2, PH_VADDR), 0xFFFFF000);
	put32(ph(2, PH_MEMSZ), 0x40402000);
	refused(ERR_NOEXEC, "segment 2 at 0xFFFFF000-0x140401000 overlaps the kernel");
}

/* ---- segments together ---- */

static void test_count(void)
{
	begin(0x2000);
	for (unsigned i = 0; i <= ELF_SEGMENTS_MAX; i++)
		add(PT_LOAD, 0x1000, USER + 0x1000 + i * PAGE, 0x10, 0x10, PF_R | PF_X);
	put32(EH_ENTRY, USER + 0x1000);
	refused(ERR_NOEXEC, "more than 8 loadable segments");
	/* only ignored and empty ones */
	begin(0x2000);
	add(PT_NOTE, 0x100, USER, 0x20, 0x20, PF_R);
	add(PT_LOAD, 0x1000, USER + 0x1000, 0, 0, PF_R | PF_X);
	refused(ERR_NOEXEC, "no loadable segment");
}

static void test_overlap(void)
{
	/* data's page is text's last */
	good_program();
	put32(ph(1, PH_MEMSZ), 0x2001);
	put32(ph(1, PH_FILESZ), 0x2001);
	refused(ERR_NOEXEC, "segments 1 and 2 overlap at page 0x40403000");
	/* two segments on one page, no byte shared */
	good_program();
	put32(ph(1, PH_VADDR), USER + 0x200);
	put32(ph(1, PH_OFFSET), 0x200);
	put32(ph(1, PH_FILESZ), 0x100);
	put32(ph(1, PH_MEMSZ), 0x100);
	put32(EH_ENTRY, USER + 0x200);
	refused(ERR_NOEXEC, "segments 0 and 1 overlap at page 0x40400000");
	/* one inside another, named by their program headers (0 is a note) */
	begin(0x3000);
	add(PT_NOTE, 0, 0, 0, 0, 0);
	add(PT_LOAD, 0x1000, USER + 0x1000, 0x100, 0x10000, PF_R | PF_X);
	add(PT_LOAD, 0x2000, USER + 0x4000, 0x100, 0x100, PF_R | PF_W);
	put32(EH_ENTRY, USER + 0x1000);
	refused(ERR_NOEXEC, "segments 1 and 2 overlap at page 0x40404000");
}

static void test_too_big(void)
{
	good_program();
	put32(ph(2, PH_MEMSZ), (300u << 20) - 0x4000 + 0x10);
	refused(ERR_TOOBIG, "too big: 300 MiB of segments, the limit is 64 MiB");
	/* one page over the limit, in KiB */
	begin(0x2000);
	add(PT_LOAD, 0x1000, USER + 0x1000, 0x10, MAX_BYTES + 1, PF_R | PF_X);
	put32(EH_ENTRY, USER + 0x1000);
	refused(ERR_TOOBIG, "too big: 65540 KiB of segments, the limit is 64 MiB");
	/* segments that fill user space */
	begin(0x2000);
	add(PT_LOAD, 0, USER, 0x10, 0x80000000 - USER, PF_R | PF_X);
	add(PT_LOAD, 0x1000, 0x80000000, 0x10, VM_USER_END - 0x80000000, PF_R | PF_W);
	put32(EH_ENTRY, USER);
	CHECK_EQ_INT(parse_with(0xFFFFFFFF), 0);
	refused(ERR_TOOBIG, "too big: 2044 MiB of segments, the limit is 64 MiB");
}

static void test_entry(void)
{
	good_program();
	put32(EH_ENTRY, USER + 0x10); /* in the read-only segment */
	refused(ERR_NOEXEC, "entry point 0x40400010 is in no executable segment");
	good_program();
	put32(EH_ENTRY, USER + 0x3010); /* in data */
	refused(ERR_NOEXEC, "entry point 0x40403010 is in no executable segment");
	good_program();
	put32(EH_ENTRY, 0);
	refused(ERR_NOEXEC, "entry point 0x00000000 is in no executable segment");
	good_program();
	put32(EH_ENTRY, USER + 0x2800); /* one past the text */
	refused(ERR_NOEXEC, "entry point 0x40402800 is in no executable segment");
	good_program();
	put32(EH_ENTRY, USER + 0x27FF);
	accepted();
}

/* ---- the caller's side ---- */

static void test_read_fails(void)
{
	good_program();
	file.fail_on_read = 1;
	file.fail_err = ERR_IO;
	refused(ERR_IO, "cannot read the ELF header (52 bytes at 0): error -6");
	good_program();
	file.fail_on_read = 2;
	file.fail_err = ERR_CORRUPT;
	refused(ERR_CORRUPT, "cannot read the program headers (128 bytes at 52): error -10");
	/* a read that breaks its promise of 0 or a negative error */
	good_program();
	file.fail_on_read = 2;
	file.fail_err = 7;
	refused(ERR_IO, "cannot read the program headers");
}

static void test_arguments(void)
{
	char small[12];

	good_program();
	CHECK_EQ_INT(
		elf_parse(file_read, &file, file.size, USER, USER, MAX_BYTES, &img, why, sizeof why),
		ERR_INVAL);
	CHECK_EQ_INT(elf_parse(file_read, &file, file.size, USER + 1, VM_USER_END, MAX_BYTES, &img, why,
			       sizeof why),
		     ERR_INVAL);
	CHECK_EQ_INT(elf_parse(file_read, &file, file.size, USER, VM_USER_END - 1, MAX_BYTES, &img, why,
			       sizeof why),
		     ERR_INVAL);
	CHECK(strstr(why, "not page-aligned") != NULL);
	/* a message cut to the caller's buffer, and none at all */
	put16(EH_MACHINE, EM_X86_64);
	memset(small, 'x', sizeof small);
	CHECK_EQ_INT(elf_parse(file_read, &file, file.size, USER, VM_USER_END, MAX_BYTES, &img, small,
			       sizeof small),
		     ERR_NOEXEC);
	CHECK_EQ_STR(small, "not an i386");
	CHECK_EQ_INT(elf_parse(file_read, &file, file.size, USER, VM_USER_END, MAX_BYTES, &img, NULL, 0),
		     ERR_NOEXEC);
	/* a smaller user space and limit, as a caller may pass */
	good_program();
	CHECK_EQ_INT(elf_parse(file_read, &file, file.size, USER, USER + 0x8000, 0x8000, &img, why,
			       sizeof why),
		     0);
	CHECK_EQ_INT(elf_parse(file_read, &file, file.size, USER, USER + 0x7000, 0x8000, &img, why,
			       sizeof why),
		     ERR_NOEXEC);
	CHECK_EQ_INT(elf_parse(file_read, &file, file.size, USER, USER + 0x8000, 0x7000, &img, why,
			       sizeof why),
		     ERR_TOOBIG);
	CHECK(strstr(why, "too big: 32 KiB of segments, the limit is 28 KiB") != NULL);
}

/* random bytes of a good file changed: no read past the end, a known result, a line */
static void test_random_damage(void)
{
	unsigned accepts = 0;

	for (int round = 0; round < 20000; round++) {
		int err;

		good_program();
		for (uint64_t n = 1 + check_rand_below(4); n > 0; n--) {
			uint32_t at = (uint32_t)check_rand_below(ELF_EHDR_SIZE + 4 * ELF_PHDR_SIZE);

			file.bytes[at] = (uint8_t)check_rand();
		}
		if (check_rand_below(8) == 0)
			file.size = (uint32_t)check_rand_below(file.size + 1);
		err = parse();
		if (!CHECK(!file.bad_read) ||
		    !CHECK_MSG(err == 0 || err == ERR_NOEXEC || err == ERR_TOOBIG, "returned %d", err))
			return;
		if (err == 0) {
			const char *broken = elf_broken_promise(&img, file.size, VM_USER_START,
								VM_USER_END, MAX_BYTES);

			accepts++;
			if (!CHECK_MSG(broken == NULL, "accepted, but %s", broken))
				return;
		} else {
			CHECK(why[0] != '\0' && strlen(why) < sizeof why);
		}
	}
	CHECK_MSG(accepts > 100, "only %u damaged files accepted", accepts);
}

int main(void)
{
	check_seed(14);
	RUN(test_one_segment);
	RUN(test_text_data_bss);
	RUN(test_end_rounding);
	RUN(test_ignored_types);
	RUN(test_limits);
	RUN(test_boundaries);
	RUN(test_not_elf);
	RUN(test_ident);
	RUN(test_type_and_machine);
	RUN(test_program_header_table);
	RUN(test_dynamic);
	RUN(test_segment_sizes);
	RUN(test_outside_user_space);
	RUN(test_count);
	RUN(test_overlap);
	RUN(test_too_big);
	RUN(test_entry);
	RUN(test_read_fails);
	RUN(test_arguments);
	RUN(test_random_damage);
	return check_done();
}
