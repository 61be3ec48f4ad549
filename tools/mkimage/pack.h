/* pack.h: the packed KERNEL.BIN's stream (include/kernel_header.h has the
 * format): packing for `mkimage pack`, and unpacking as stage 2 does it, with
 * every check stage 2 makes, for mkimage's own verification and the tests. */
#ifndef VLSOS_PACK_H
#define VLSOS_PACK_H

#include <stddef.h>
#include <stdint.h>

/* the most bytes kernel_pack writes for LEN bytes of input */
size_t kernel_pack_bound(size_t len);

/* Packs LEN bytes of IN into OUT (kernel_pack_bound(LEN) bytes); returns the
 * stream's length. Deterministic: the same input gives the same stream. */
size_t kernel_pack(const uint8_t *in, size_t len, uint8_t *out);

/* Unpacks STREAM (STREAM_LEN bytes) into OUT, which must come out exactly
 * IMAGE_SIZE bytes long. 0 when it did; -1 when the stream is damaged (a count
 * or offset reaching outside the input or output, or bytes left over), with
 * *DAMAGE_AT the stream offset of the sequence that failed. */
int kernel_unpack(const uint8_t *stream, size_t stream_len, uint8_t *out, size_t image_size,
		  size_t *damage_at);

#endif
