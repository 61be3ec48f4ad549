/* elf.h: the ELF32 parser the program loader uses, and the format's constants (after the
 * System V ABI's "ELF" chapter and its Intel386 supplement). Plain C with no kernel calls
 * and no allocation: the kernel hands it a file of the boot volume, the host tests a
 * buffer, and tools/elfbad uses the constants to damage a program on purpose.
 *
 * elf_parse reads the ELF header and the program headers through the caller's read
 * function and decides whether VlsOs can run the file: a static i386 executable whose
 * loadable segments lie inside the file and inside user space, on pages of their own,
 * no larger in total than the caller allows, with the entry point in an executable
 * segment. What it accepts the loader can map without checking again: every segment's
 * bytes are in the file, every page it touches is a user page no other segment touches.
 * What it refuses it names in one line (docs/processes.md lists them). */
#ifndef VLSOS_ELF_H
#define VLSOS_ELF_H

#include <stddef.h>
#include <stdint.h>

/* ---- the file format ---- */

/* e_ident: the first 16 bytes */
#define EI_MAG0 0
#define EI_MAG1 1
#define EI_MAG2 2
#define EI_MAG3 3
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_NIDENT 16
#define ELFMAG0 0x7f
#define ELFMAG1 'E'
#define ELFMAG2 'L'
#define ELFMAG3 'F'
#define ELFCLASS32 1
#define ELFDATA2LSB 1
#define EV_CURRENT 1

/* the ELF header's fields after e_ident: byte offsets, little-endian */
#define EH_TYPE 16      /* 2 bytes: ET_* */
#define EH_MACHINE 18   /* 2: EM_* */
#define EH_VERSION 20   /* 4: EV_CURRENT */
#define EH_ENTRY 24     /* 4 */
#define EH_PHOFF 28     /* 4: where the program headers start */
#define EH_PHENTSIZE 42 /* 2: ELF_PHDR_SIZE */
#define EH_PHNUM 44     /* 2 */
#define ELF_EHDR_SIZE 52

#define ET_NONE 0
#define ET_REL 1
#define ET_EXEC 2
#define ET_DYN 3
#define ET_CORE 4
#define EM_386 3

/* a program header's fields: byte offsets, little-endian, 4 bytes each */
#define PH_TYPE 0
#define PH_OFFSET 4
#define PH_VADDR 8
#define PH_FILESZ 16
#define PH_MEMSZ 20
#define PH_FLAGS 24
#define ELF_PHDR_SIZE 32

#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PF_X 1
#define PF_W 2
#define PF_R 4

/* i386's page: segments are mapped a page at a time */
#define ELF_PAGE_SIZE 4096u

/* ---- the parser ---- */

#define ELF_SEGMENTS_MAX 8 /* PT_LOAD segments a program may have */
#define ELF_PHNUM_MAX 32   /* program headers, of every type; read into one buffer on the stack */
#define ELF_WHY_MAX 128    /* the refusal message */

#define ELF_SEG_READ 1
#define ELF_SEG_WRITE 2
#define ELF_SEG_EXEC 4

/* A loadable segment: memsz bytes at vaddr, the first filesz of them from the file at
 * offset, the rest zeros. flags are ELF_SEG_*. */
struct elf_segment {
	uint32_t vaddr, memsz, offset, filesz, flags;
};

struct elf_image {
	uint32_t entry;
	unsigned count; /* seg[0..count): in program-header order, each with memsz > 0 */
	struct elf_segment seg[ELF_SEGMENTS_MAX];
	uint32_t end; /* highest vaddr+memsz, page-rounded up: where the heap starts */
};

/* Reads bytes [offset, offset+len) of the file; 0 or a negative ERR_*. */
typedef int (*elf_read_fn)(void *ctx, uint32_t offset, void *buf, uint32_t len);

/* Checks the file of file_size bytes and fills *out. User space is [user_start, user_end),
 * both page-aligned; max_bytes bounds the segments' page-rounded memory together.
 * Returns 0, or
 *   ERR_NOEXEC  not an executable VlsOs can run; also truncated, overlapping, outside
 *   ERR_TOOBIG  the segments' total memory is above max_bytes
 *   ERR_INVAL   the caller's user space is empty or not page-aligned
 *   the read's own error (a read that returns a positive value counts as ERR_IO).
 * On failure *out is zeroed and why (if why_size > 0) holds one line naming the fault,
 * e.g. "not an i386 program (machine 62)"; on success it holds "". Segments are numbered
 * by their program header's index, as readelf -l numbers them. The read function is
 * asked for nothing past file_size and never for 0 bytes: two reads in all. */
int elf_parse(elf_read_fn read, void *ctx, uint32_t file_size, uint32_t user_start, uint32_t user_end,
	      uint32_t max_bytes, struct elf_image *out, char *why, size_t why_size);

#endif
