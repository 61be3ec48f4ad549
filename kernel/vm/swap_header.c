/* swap_header.c: the parser of a Linux swap area's header page (swap_header.h), after
 * the layout util-linux's mkswap writes and Linux's swapon accepts.
 *
 * Trust: nothing in the page is believed until checked, and the page is read only
 * within its SWAP_PAGE_SIZE bytes: the bad-page list is bounded by SWAP_BAD_MAX before it
 * is read. Checks run in the order that tells the most: what the page is (signature,
 * version), then how large the area says it is, then its bad pages. The bad-page list is
 * kept sorted by insertion (at most 637 entries), so a page listed twice is found and
 * the swap code can search it. */
#include "swap_header.h"
#include "errors.h"
#include "lib.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t byte_swapped(uint32_t v)
{
	return v >> 24 | (v >> 8 & 0xFF00u) | (v << 8 & 0xFF0000u) | v << 24;
}

static __attribute__((format(printf, 3, 4))) int fail(char *error, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	LIB_NAME(vsnprintf)(error, SWAP_ERROR_MAX, fmt, ap);
	va_end(ap);
	return err;
}

static bool signature_is(const uint8_t *page, const char *signature)
{
	return LIB_NAME(memcmp)(page + SWAP_SIGNATURE_OFFSET, signature, SWAP_SIGNATURE_SIZE) == 0;
}

static int check_version(const uint8_t *page, char *error)
{
	uint32_t version = le32(page + SWAP_VERSION_OFFSET);

	if (version == SWAP_VERSION)
		return 0;
	if (byte_swapped(version) == SWAP_VERSION)
		return fail(error, ERR_CORRUPT,
			    "swap version field 0x%08x: a big-endian machine's swap area", version);
	return fail(error, ERR_CORRUPT, "swap version %u: only version %u is supported", version,
		    SWAP_VERSION);
}

/* The bad-page list into OUT->bad, ascending. LAST_PAGE was checked already. */
static int read_bad_pages(const uint8_t *page, struct swap_header_info *out, char *error)
{
	uint32_t count = le32(page + SWAP_BAD_COUNT_OFFSET);

	if (count > SWAP_BAD_MAX)
		return fail(error, ERR_CORRUPT, "%u bad pages listed: the header holds at most %u",
			    count, (unsigned)SWAP_BAD_MAX);
	for (uint32_t i = 0; i < count; i++) {
		uint32_t bad = le32(page + SWAP_BAD_LIST_OFFSET + 4 * i);
		uint32_t at = i;

		if (bad == 0 || bad > out->last_page)
			return fail(error, ERR_CORRUPT,
				    "bad page %u (entry %u of the list) is outside the slots 1..%u", bad,
				    i + 1, out->last_page);
		while (at > 0 && out->bad[at - 1] > bad) {
			out->bad[at] = out->bad[at - 1];
			at--;
		}
		if (at > 0 && out->bad[at - 1] == bad)
			return fail(error, ERR_CORRUPT, "bad page %u is listed twice", bad);
		out->bad[at] = bad;
	}
	out->bad_pages = count;
	return 0;
}

static void copy_label(const uint8_t *page, char *label)
{
	unsigned i;

	for (i = 0; i < SWAP_LABEL_SIZE && page[SWAP_LABEL_OFFSET + i]; i++) {
		uint8_t c = page[SWAP_LABEL_OFFSET + i];
		/* the label goes into messages: nothing that moves the console's cursor */
		label[i] = c >= ' ' && c <= '~' ? (char)c : '?';
	}
	label[i] = 0;
}

int swap_header_parse(const uint8_t *page, uint32_t partition_pages, struct swap_header_info *out,
		      char *error)
{
	int err;

	if (!error)
		return ERR_INVAL;
	error[0] = 0;
	if (!page || !out)
		return fail(error, ERR_INVAL, "no page or no place for the result");
	if (partition_pages < 2)
		return fail(error, ERR_INVAL,
			    "a partition of %u pages has no room for swap (the header and a slot)",
			    partition_pages);
	LIB_NAME(memset)(out, 0, sizeof *out);

	if (signature_is(page, SWAP_SIGNATURE_V0))
		return fail(error, ERR_CORRUPT,
			    "old swap format (version 0, \"" SWAP_SIGNATURE_V0
			    "\"): not supported, make it again with mkswap");
	if (!signature_is(page, SWAP_SIGNATURE))
		return fail(
			error, ERR_CORRUPT,
			"no swap signature \"" SWAP_SIGNATURE
			"\" at the end of the first 4 KiB: not a swap area, or made for other pages");
	err = check_version(page, error);
	if (err)
		return err;

	out->last_page = le32(page + SWAP_LAST_PAGE_OFFSET);
	if (out->last_page == 0)
		return fail(error, ERR_CORRUPT, "last_page 0: the swap area has no slot");
	if (out->last_page >= partition_pages)
		return fail(error, ERR_RANGE,
			    "last_page %u is beyond the partition (%u pages: slots 1..%u at most)",
			    out->last_page, partition_pages, partition_pages - 1);
	err = read_bad_pages(page, out, error);
	if (err)
		return err;
	out->pages = out->last_page - out->bad_pages;
	if (out->pages == 0)
		return fail(error, ERR_CORRUPT, "all %u slots are listed as bad", out->last_page);

	LIB_NAME(memcpy)(out->uuid, page + SWAP_UUID_OFFSET, SWAP_UUID_SIZE);
	copy_label(page, out->label);
	return 0;
}
