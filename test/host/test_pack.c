/* sources: tools/mkimage/pack.c */
/* test_pack.c - the packed KERNEL.BIN's stream (tools/mkimage/pack.c): every
 * kind of input packs and unpacks to itself within kernel_pack_bound, hand-made
 * streams exercise each rule of the format, and every damage stage 2 checks for
 * is refused at the sequence it is in, never read or written out of bounds
 * (ASan watches the buffers, which are allocated to the exact size). */
#include "check.h"
#include "kernel_header.h"
#include "../../tools/mkimage/pack.h"

#define BIG (256 * 1024)

/* packs IN (LEN bytes) and unpacks it again into a buffer of exactly LEN */
static bool round_trip(const uint8_t *in, size_t len, size_t *packed_len)
{
	uint8_t *stream = malloc(kernel_pack_bound(len));
	uint8_t *out = malloc(len ? len : 1);
	size_t n = kernel_pack(in, len, stream), at = 0;
	bool ok = CHECK_MSG(n <= kernel_pack_bound(len), "%zu bytes packed to %zu, bound %zu", len, n,
			    kernel_pack_bound(len));
	ok = ok && CHECK_EQ_INT(kernel_unpack(stream, n, out, len, &at), 0);
	ok = ok && CHECK_EQ_MEM(out, in, len);
	if (packed_len)
		*packed_len = n;
	free(stream);
	free(out);
	return ok;
}

static uint8_t *random_bytes(size_t len, unsigned alphabet)
{
	uint8_t *b = malloc(len ? len : 1);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)check_rand_below(alphabet);
	return b;
}

static void test_kinds_of_input(void)
{
	static const size_t sizes[] = { 0, 1, 2, 3, 4, 6, 7, 8, 22, 262, 263, 517, 4096, 65537, BIG };
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		size_t len = sizes[s];
		uint8_t *noise = random_bytes(len, 256), *text = random_bytes(len, 4);
		uint8_t *zeros = calloc(len ? len : 1, 1);
		round_trip(noise, len, NULL);
		round_trip(text, len, NULL);
		round_trip(zeros, len, NULL);
		free(noise);
		free(text);
		free(zeros);
	}
}

/* long runs need the extension bytes (255, 255, ..., n) of both counts */
static void test_long_runs_and_far_offsets(void)
{
	size_t len = 3 * 65536 + 1000, packed;
	uint8_t *b = random_bytes(len, 256);
	/* a block repeated 65536 back (the longest offset), and at 257 (the first long one) */
	memcpy(b + 65536 + 500, b + 500, 700);
	memmove(b + 2 * 65536, b + 2 * 65536 - 257, 300);
	memset(b + 3 * 65536, 'z', 1000); /* offset 1 over a long run */
	round_trip(b, len, &packed);
	/* about 2,000 bytes repeat; all literals would take the bound */
	CHECK_MSG(packed < kernel_pack_bound(len) - 1500, "repeats not found: %zu of %zu", packed, len);
	free(b);

	/* one literal run longer than 255 + 7 + 255 needs two 255s in a row */
	b = random_bytes(600, 256);
	round_trip(b, 600, &packed);
	free(b);
}

static void test_packs_repetition_small(void)
{
	uint8_t *b = calloc(BIG, 1);
	size_t packed;
	round_trip(b, BIG, &packed);
	CHECK_MSG(packed < BIG / 100, "%d zero bytes packed to %zu", BIG, packed);
	free(b);
}

static void test_deterministic(void)
{
	size_t len = 20000;
	uint8_t *in = random_bytes(len, 8);
	uint8_t *a = malloc(kernel_pack_bound(len)), *b = malloc(kernel_pack_bound(len));
	size_t na = kernel_pack(in, len, a), nb = kernel_pack(in, len, b);
	if (CHECK_EQ_UINT(na, nb))
		CHECK_EQ_MEM(a, b, na);
	free(in);
	free(a);
	free(b);
}

/* the hand-made streams: each byte of the format as include/kernel_header.h says */
static int unpack_exact(const uint8_t *stream, size_t len, const uint8_t *want, size_t want_len,
			size_t *at)
{
	uint8_t *s = malloc(len ? len : 1), *out = malloc(want_len ? want_len : 1);
	if (len)
		memcpy(s, stream, len);
	int rc = kernel_unpack(s, len, out, want_len, at);
	if (rc == 0 && want)
		CHECK_EQ_MEM(out, want, want_len);
	free(s);
	free(out);
	return rc;
}

#define TOKEN(lits, match) ((uint8_t)((lits) << KERNEL_PACK_LITERAL_SHIFT | (match)))

static void test_format_by_hand(void)
{
	size_t at;
	/* "ab", then a match of 3 at offset 2: "ababa", then the end */
	static const uint8_t s1[] = { TOKEN(2, 0), 'a', 'b', 1, TOKEN(0, 0) };
	CHECK_EQ_INT(unpack_exact(s1, sizeof s1, (const uint8_t *)"ababa", 5, &at), 0);
	/* offset 1 repeats a byte: "x" then 3 + 15 + 2 more: 21 x's */
	static const uint8_t s2[] = { TOKEN(1, 15), 'x', 0, 2, TOKEN(0, 0) };
	CHECK_EQ_INT(unpack_exact(s2, sizeof s2, (const uint8_t *)"xxxxxxxxxxxxxxxxxxxxx", 21, &at), 0);
	/* a two-byte offset field: 0x0001 + 1 = 2 */
	static const uint8_t s3[] = {
		KERNEL_PACK_LONG_OFFSET | TOKEN(2, 0), 'p', 'q', 1, 0, TOKEN(0, 0)
	};
	CHECK_EQ_INT(unpack_exact(s3, sizeof s3, (const uint8_t *)"pqpqp", 5, &at), 0);
	/* literal count 7 + 255 + 1 = 263 */
	uint8_t s4[3 + 263];
	s4[0] = TOKEN(7, 0);
	s4[1] = 255;
	s4[2] = 1;
	for (int i = 0; i < 263; i++)
		s4[3 + i] = (uint8_t)i;
	CHECK_EQ_INT(unpack_exact(s4, sizeof s4, s4 + 3, 263, &at), 0);
	/* the stream may end right after literals that make the image whole */
	static const uint8_t s5[] = { TOKEN(3, 0), 'e', 'n', 'd' };
	CHECK_EQ_INT(unpack_exact(s5, sizeof s5, (const uint8_t *)"end", 3, &at), 0);
}

/* damage, and the sequence it is reported at */
static void test_damage_by_hand(void)
{
	size_t at;
	/* a match before the output's start: offset 2 after 1 byte */
	static const uint8_t before[] = { TOKEN(1, 0), 'a', 1, TOKEN(0, 0) };
	CHECK_EQ_INT(unpack_exact(before, sizeof before, NULL, 4, &at), -1);
	CHECK_EQ_UINT(at, 0);
	/* a match past the output's end: 1 + 3 bytes into 3 */
	static const uint8_t past[] = { TOKEN(1, 0), 'a', 0, TOKEN(0, 0) };
	CHECK_EQ_INT(unpack_exact(past, sizeof past, NULL, 3, &at), -1);
	/* literals past the output's end, and past the stream's */
	static const uint8_t lits[] = { TOKEN(3, 0), 'a', 'b', 'c' };
	CHECK_EQ_INT(unpack_exact(lits, sizeof lits, NULL, 2, &at), -1);
	CHECK_EQ_INT(unpack_exact(lits, 3, NULL, 3, &at), -1);
	/* bytes after the image is whole */
	static const uint8_t after[] = { TOKEN(1, 0), 'a', 0 };
	CHECK_EQ_INT(unpack_exact(after, sizeof after, NULL, 1, &at), -1);
	CHECK_EQ_UINT(at, 0);
	/* the stream ends in an extension, and in an offset field */
	static const uint8_t ext[] = { TOKEN(7, 0), 255 };
	CHECK_EQ_INT(unpack_exact(ext, sizeof ext, NULL, 1000, &at), -1);
	static const uint8_t off[] = { TOKEN(1, 0) | KERNEL_PACK_LONG_OFFSET, 'a', 0 };
	CHECK_EQ_INT(unpack_exact(off, sizeof off, NULL, 10, &at), -1);
	/* an extension counting past the image (a long run of 255s) is refused early */
	uint8_t huge[1 + 40];
	huge[0] = TOKEN(7, 0);
	memset(huge + 1, 255, 40);
	CHECK_EQ_INT(unpack_exact(huge, sizeof huge, NULL, 5000, &at), -1);
	/* the second sequence is the damaged one: reported at its token */
	static const uint8_t second[] = { TOKEN(2, 0), 'a', 'b', 1, TOKEN(0, 0), 9 };
	CHECK_EQ_INT(unpack_exact(second, sizeof second, NULL, 5, &at), -1);
	CHECK_EQ_UINT(at, 4);
	/* an empty stream for a non-empty image */
	CHECK_EQ_INT(unpack_exact(NULL, 0, NULL, 1, &at), -1);
}

/* every truncation of a real stream is refused; random flips never reach
 * outside the buffers (ASan) and are refused or change the output */
static void test_damage_at_random(void)
{
	size_t len = 30000, at;
	uint8_t *in = random_bytes(len, 16);
	memcpy(in + 20000, in + 100, 5000);
	uint8_t *stream = malloc(kernel_pack_bound(len)), *out = malloc(len);
	size_t n = kernel_pack(in, len, stream);
	for (size_t cut = 0; cut < n; cut += 1 + cut / 64) {
		uint8_t *s = malloc(cut ? cut : 1);
		memcpy(s, stream, cut);
		if (!CHECK_EQ_INT(kernel_unpack(s, cut, out, len, &at), -1)) {
			free(s);
			break;
		}
		free(s);
	}
	unsigned caught = 0, flips = 2000;
	for (unsigned i = 0; i < flips; i++) {
		uint8_t *s = malloc(n);
		memcpy(s, stream, n);
		s[check_rand_below(n)] ^= (uint8_t)(1 + check_rand_below(255));
		caught += kernel_unpack(s, n, out, len, &at) < 0 || memcmp(out, in, len) != 0;
		free(s);
	}
	/* a flipped offset may copy equal bytes from elsewhere: nearly all, not all */
	CHECK_MSG(caught >= flips * 9 / 10, "only %u of %u flips noticed", caught, flips);
	free(in);
	free(stream);
	free(out);
}

int main(void)
{
	check_seed(0x9ac4);
	RUN(test_kinds_of_input);
	RUN(test_long_runs_and_far_offsets);
	RUN(test_packs_repetition_small);
	RUN(test_deterministic);
	RUN(test_format_by_hand);
	RUN(test_damage_by_hand);
	RUN(test_damage_at_random);
	return check_done();
}
