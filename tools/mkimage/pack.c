/* pack.c: LZ77 packing of KERNEL.BIN (the format: include/kernel_header.h).
 *
 * The packer parses optimally for its cost model: going backwards over the
 * input, each position's cheapest encoding of the rest is a literal or one of
 * its matches, every match length up to PARSE_LENGTHS weighed and beyond that
 * only the longest. Matches come from hash chains of the 3-byte prefix, the
 * nearest first, at most CHAIN_MAX a position, none longer than MATCH_LONGEST
 * (a longer run is several matches, a byte or two each). A literal is counted as one
 * byte (its share of a token is ignored), a match as its token, offset and
 * extension bytes. The kernel (about 100 KB) packs in a fraction of a second.
 *
 * The unpacker is stage 2's (boot/kernel_check.inc) in C: the same order of
 * reads and the same checks, so mkimage can prove a stream unpacks before it
 * ships one, and the tests can feed it damage. */
#include "pack.h"

#include <stdlib.h>
#include <string.h>

#include "kernel_header.h"

#define HASH_BITS 16
#define HASH_SIZE (1u << HASH_BITS)
#define HASH_MULTIPLIER 2654435761u /* Knuth's: spreads 24-bit prefixes over the table */
#define CHAIN_MAX 512               /* earlier positions a position looks at */
#define PARSE_LENGTHS 64            /* lengths weighed one by one; longer: only the longest */
#define MATCH_LONGEST \
	1024 /* a match is cut here, and one this long ends the search:
				     * a run of zeros stays linear to pack, not quadratic */
#define NONE UINT32_MAX

static uint32_t hash3(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
	return (v * HASH_MULTIPLIER) >> (32 - HASH_BITS);
}

/* bytes a count of V takes past a field holding at most FIELD - 1 */
static size_t extension_bytes(size_t v, size_t field)
{
	return v < field ? 0 : (v - field) / KERNEL_PACK_EXTEND_MORE + 1;
}

static size_t match_cost(size_t len, size_t offset)
{
	return 1 + (offset > KERNEL_PACK_SHORT_OFFSET_MAX ? 2 : 1) +
	       extension_bytes(len - KERNEL_PACK_MATCH_MIN, KERNEL_PACK_MATCH_FIELD);
}

size_t kernel_pack_bound(size_t len)
{
	/* all literals in one sequence: the token, the count's extension, the bytes */
	return 1 + extension_bytes(len, KERNEL_PACK_LITERAL_FIELD) + len;
}

static uint8_t *put_extension(uint8_t *o, size_t v)
{
	while (v >= KERNEL_PACK_EXTEND_MORE) {
		*o++ = KERNEL_PACK_EXTEND_MORE;
		v -= KERNEL_PACK_EXTEND_MORE;
	}
	*o++ = (uint8_t)v;
	return o;
}

/* one sequence: LITS literals at LIT, then a match of LEN at OFFSET (LEN 0: none, the last) */
static uint8_t *put_sequence(uint8_t *o, const uint8_t *lit, size_t lits, size_t len, size_t offset)
{
	size_t lit_field = lits < KERNEL_PACK_LITERAL_FIELD ? lits : KERNEL_PACK_LITERAL_FIELD;
	size_t m = len ? len - KERNEL_PACK_MATCH_MIN : 0;
	size_t match_field = m < KERNEL_PACK_MATCH_FIELD ? m : KERNEL_PACK_MATCH_FIELD;
	int long_offset = len && offset > KERNEL_PACK_SHORT_OFFSET_MAX;

	*o++ = (uint8_t)((long_offset ? KERNEL_PACK_LONG_OFFSET : 0) |
			 lit_field << KERNEL_PACK_LITERAL_SHIFT | match_field);
	if (lit_field == KERNEL_PACK_LITERAL_FIELD)
		o = put_extension(o, lits - KERNEL_PACK_LITERAL_FIELD);
	memcpy(o, lit, lits);
	o += lits;
	if (!len)
		return o;
	*o++ = (uint8_t)(offset - 1);
	if (long_offset)
		*o++ = (uint8_t)((offset - 1) >> 8);
	if (match_field == KERNEL_PACK_MATCH_FIELD)
		o = put_extension(o, m - KERNEL_PACK_MATCH_FIELD);
	return o;
}

/* the best encoding of IN[i..] given the costs of every later position */
static void weigh_position(const uint8_t *in, size_t len, size_t i, const uint32_t *prev, uint32_t *cost,
			   uint32_t *take_len, uint32_t *take_offset)
{
	size_t best = 1 + cost[i + 1], longest = KERNEL_PACK_MATCH_MIN - 1;

	take_len[i] = 1;
	take_offset[i] = 0;
	if (i + KERNEL_PACK_MATCH_MIN > len)
		goto done;
	unsigned looked = 0;
	for (uint32_t j = prev[i]; j != NONE && looked < CHAIN_MAX; j = prev[j], looked++) {
		size_t offset = i - j;
		if (offset > KERNEL_PACK_LONG_OFFSET_MAX)
			break;
		size_t n = 0, most = len - i < MATCH_LONGEST ? len - i : MATCH_LONGEST;
		while (n < most && in[j + n] == in[i + n])
			n++;
		if (n <= longest)
			continue;
		/* this nearest offset is the cheapest for every length it adds */
		for (size_t l = longest + 1; l <= n; l++) {
			if (l > PARSE_LENGTHS && l < n)
				l = n;
			size_t c = match_cost(l, offset) + cost[i + l];
			if (c < best) {
				best = c;
				take_len[i] = (uint32_t)l;
				take_offset[i] = (uint32_t)offset;
			}
		}
		longest = n;
		if (n == most)
			break;
	}
done:
	cost[i] = (uint32_t)best;
}

size_t kernel_pack(const uint8_t *in, size_t len, uint8_t *out)
{
	uint32_t *head = malloc(HASH_SIZE * sizeof *head);
	uint32_t *prev = malloc((len + 1) * sizeof *prev);
	uint32_t *cost = malloc((len + 1) * sizeof *cost);
	uint32_t *take_len = malloc((len + 1) * sizeof *take_len);
	uint32_t *take_offset = malloc((len + 1) * sizeof *take_offset);
	if (!head || !prev || !cost || !take_len || !take_offset)
		abort();

	/* each position's chain: the earlier positions with the same prefix's hash */
	for (size_t h = 0; h < HASH_SIZE; h++)
		head[h] = NONE;
	for (size_t i = 0; i < len; i++) {
		prev[i] = NONE;
		if (i + KERNEL_PACK_MATCH_MIN <= len) {
			uint32_t h = hash3(in + i);
			prev[i] = head[h];
			head[h] = (uint32_t)i;
		}
	}
	cost[len] = 0;
	for (size_t i = len; i-- > 0;)
		weigh_position(in, len, i, prev, cost, take_len, take_offset);

	uint8_t *o = out;
	size_t lit_start = 0;
	for (size_t i = 0; i < len;) {
		if (take_offset[i] == 0) {
			i++;
			continue;
		}
		o = put_sequence(o, in + lit_start, i - lit_start, take_len[i], take_offset[i]);
		i += take_len[i];
		lit_start = i;
	}
	o = put_sequence(o, in + lit_start, len - lit_start, 0, 0);
	free(head);
	free(prev);
	free(cost);
	free(take_len);
	free(take_offset);
	return (size_t)(o - out);
}

/* an extension's bytes added to *V; false when the stream ends first or *V
 * passes LIMIT (the output's room: no larger count can be right) */
static int get_extension(const uint8_t *s, size_t len, size_t *i, size_t *v, size_t limit)
{
	uint8_t b;
	do {
		if (*i >= len)
			return 0;
		b = s[(*i)++];
		*v += b;
		if (*v > limit)
			return 0;
	} while (b == KERNEL_PACK_EXTEND_MORE);
	return 1;
}

int kernel_unpack(const uint8_t *s, size_t len, uint8_t *out, size_t image_size, size_t *damage_at)
{
	size_t i = 0, o = 0;

	for (;;) {
		*damage_at = i;
		if (i >= len)
			return -1;
		uint8_t token = s[i++];
		size_t lits = token >> KERNEL_PACK_LITERAL_SHIFT & KERNEL_PACK_LITERAL_FIELD;
		if (lits == KERNEL_PACK_LITERAL_FIELD && !get_extension(s, len, &i, &lits, image_size))
			return -1;
		if (lits > len - i || lits > image_size - o)
			return -1;
		memcpy(out + o, s + i, lits);
		i += lits;
		o += lits;
		if (o == image_size)
			return i == len ? 0 : -1;
		size_t offset_bytes = token & KERNEL_PACK_LONG_OFFSET ? 2 : 1;
		if (offset_bytes > len - i)
			return -1;
		size_t offset = s[i++];
		if (offset_bytes == 2)
			offset |= (size_t)s[i++] << 8;
		offset++;
		size_t m = token & KERNEL_PACK_MATCH_FIELD;
		if (m == KERNEL_PACK_MATCH_FIELD && !get_extension(s, len, &i, &m, image_size))
			return -1;
		size_t n = m + KERNEL_PACK_MATCH_MIN;
		if (offset > o || n > image_size - o)
			return -1;
		for (size_t k = 0; k < n; k++, o++) /* forward, byte by byte: it may overlap */
			out[o] = out[o - offset];
	}
}
