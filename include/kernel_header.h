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

/* A packed KERNEL.BIN (`mkimage pack`): this header, then the sealed image
 * above as a stream of LZ77 sequences, which stage 2 unpacks to load_addr
 * before it checks the header and CRC-32 as for a plain one. Every disk read
 * of the loader costs boot time (SeaBIOS reads IDE one sector a request), so
 * fewer sectors are worth the unpacking. Stage 2 tells the two kinds apart by
 * their first four bytes.
 *
 * A sequence: a token byte, literals, then a match copied from the output
 * already written.
 *   token bit 7      the match's offset field is two bytes (else one)
 *   token bits 6-4   literal count, 0-6; 7: 7 plus extension bytes
 *   token bits 3-0   match length - KERNEL_PACK_MATCH_MIN, 0-14; 15: 15 plus
 *                    extension bytes
 *   extension bytes  each added to the count; a byte of 255 means another follows
 *   literals         copied as they are
 *   offset           one byte or two (little-endian): how far back the match
 *                    starts, minus 1
 *   match extension  the length's extension bytes, after the offset
 * When the output is whole right after a sequence's literals the stream ends
 * there; nothing may follow. A match may overlap the bytes it writes (offset 1
 * repeats a byte). Nothing may reach before the output's start or past its end. */
#define KERNEL_PACKED_MAGIC 0x5A4C5356u /* "VSLZ" in memory order */
#define KERNEL_PACK_LONG_OFFSET 0x80
#define KERNEL_PACK_LITERAL_SHIFT 4
#define KERNEL_PACK_LITERAL_FIELD 7 /* the literal count's mask, and "more follows" */
#define KERNEL_PACK_MATCH_FIELD 15  /* the match length's mask, and "more follows" */
#define KERNEL_PACK_MATCH_MIN 3
#define KERNEL_PACK_EXTEND_MORE 255
#define KERNEL_PACK_SHORT_OFFSET_MAX 256  /* a one-byte offset field reaches this far */
#define KERNEL_PACK_LONG_OFFSET_MAX 65536 /* a two-byte one this far */

struct kernel_packed_header {
	uint32_t magic;       /* KERNEL_PACKED_MAGIC */
	uint32_t image_size;  /* bytes the stream unpacks to: the whole sealed image */
	uint32_t stream_size; /* bytes of stream after this header: the rest of the file */
	uint32_t reserved;    /* 0 */
};

_Static_assert(sizeof(struct kernel_packed_header) == 16, "packed kernel header is 16 bytes");

#endif
