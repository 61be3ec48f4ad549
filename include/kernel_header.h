/* kernel_header.h: the header at the start of KERNEL.BIN that stage 2 checks
 * before it jumps. Defined once here; NASM's view is generated from it. */
#ifndef VLSOS_KERNEL_HEADER_H
#define VLSOS_KERNEL_HEADER_H

#include <stddef.h>
#include <stdint.h>

#define KERNEL_MAGIC 0x4B534C56u /* "VLSK" in memory order */
#define KERNEL_HEADER_VERSION 1

/* The build (entry.asm + the linker) fills every field but crc32, which
 * `mkimage seal` computes over the whole image with crc32 taken as zero. */
struct kernel_header {
	uint32_t magic;
	uint16_t version;
	uint16_t header_size; /* sizeof(struct kernel_header) */
	uint32_t load_addr;   /* physical address the image must sit at */
	uint32_t entry;       /* physical address of the 32-bit entry point */
	uint32_t image_size;  /* bytes in KERNEL.BIN, this header included */
	uint32_t bss_size;    /* bytes to zero after the image */
	uint32_t crc32;       /* CRC-32 (IEEE 802.3) of the image, this field as 0 */
	uint32_t reserved;    /* 0 */
};

_Static_assert(sizeof(struct kernel_header) == 32, "kernel header is 32 bytes");
_Static_assert(offsetof(struct kernel_header, crc32) == 24, "crc32 at 24");

#endif
