/* elf_check.c: kernel/proc/elf.c on ELF files, for test_elf_real.sh and test_elfbad.sh
 * (and anyone wondering whether VlsOs would run a program):
 *
 *   elf_check FILE...
 *
 * prints for each file either
 *   FILE: accepted: entry 0x40401120 end 0x4040C000
 *   FILE: segment vaddr=0x40400000 memsz=0x112 offset=0x0 filesz=0x112 flags=R
 *   ...                                       (flags R, W and E as readelf shows them)
 * or
 *   FILE: refused (-15): not an i386 program (machine 62)
 * with VlsOs's user space (include/vm_layout.h) and a 64 MiB limit. Exits 0 when every
 * file could be read (accepted or not), 1 when an accepted image breaks a promise to
 * the loader (elf_promises.h), 2 on a usage or I/O error. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "lib.h"
#include "vm_layout.h"
#include "../../kernel/proc/elf.h"
#include "elf_promises.h"

#define LIMIT (64u << 20)

static int stdio_read(void *ctx, uint32_t offset, void *buf, uint32_t len)
{
	FILE *f = ctx;

	if (fseek(f, offset, SEEK_SET) != 0 || fread(buf, 1, len, f) != len)
		return ERR_IO;
	return 0;
}

static int check(const char *path)
{
	struct elf_image img;
	char why[ELF_WHY_MAX];
	const char *broken;
	FILE *f = fopen(path, "rb");
	long size;
	int err;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || size > UINT32_MAX) {
		perror(path);
		return 2;
	}
	err = elf_parse(stdio_read, f, (uint32_t)size, VM_USER_START, VM_USER_END, LIMIT, &img, why,
			sizeof why);
	fclose(f);
	if (err != 0) {
		printf("%s: refused (%d): %s\n", path, err, why);
		return 0;
	}
	printf("%s: accepted: entry 0x%08X end 0x%08X\n", path, img.entry, img.end);
	for (unsigned i = 0; i < img.count; i++) {
		const struct elf_segment *s = &img.seg[i];

		printf("%s: segment vaddr=0x%X memsz=0x%X offset=0x%X filesz=0x%X flags=%s%s%s\n", path,
		       s->vaddr, s->memsz, s->offset, s->filesz, s->flags & ELF_SEG_READ ? "R" : "",
		       s->flags & ELF_SEG_WRITE ? "W" : "", s->flags & ELF_SEG_EXEC ? "E" : "");
	}
	broken = elf_broken_promise(&img, (uint32_t)size, VM_USER_START, VM_USER_END, LIMIT);
	if (broken != NULL) {
		printf("%s: accepted, but %s\n", path, broken);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int status = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: elf_check FILE...\n");
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		int s = check(argv[i]);

		if (s > status)
			status = s;
	}
	return status;
}
