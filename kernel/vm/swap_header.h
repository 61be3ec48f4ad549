/* swap_header.h: the header page of a Linux swap area, version 1 ("SWAPSPACE2"), as
 * util-linux's mkswap writes it and Linux's swapon reads it, and its parser. Plain C with
 * no kernel calls and no allocation: the kernel hands it the first page of a swap
 * partition, the host tests a buffer, and tools/mkimage what mkswap made for the image.
 *
 * The header is the area's first page, 4096 bytes on i386 (mkswap -p 4096):
 *   0     bootbits      1024 bytes left for a boot loader or a disk label, ignored
 *   1024  version       u32, 1
 *   1028  last_page     u32, the highest page number that holds swap: pages 1..last_page
 *                       are the slots (page 0 is this header)
 *   1032  nr_badpages   u32, how many page numbers the list at 1536 holds
 *   1036  uuid          16 bytes
 *   1052  label         16 bytes, padded with NULs
 *   1068  padding       up to 1536
 *   1536  badpages[]    u32 each: pages never to use, up to the signature
 *   4086  "SWAPSPACE2"  the signature, the page's last 10 bytes
 * Numbers are in the byte order of the machine that wrote them: little-endian here (a
 * header from a big-endian machine is recognised and refused by name). */
#ifndef VLSOS_SWAP_HEADER_H
#define VLSOS_SWAP_HEADER_H

#include <stdint.h>

#define SWAP_PAGE_SIZE 4096u

#define SWAP_VERSION_OFFSET 1024 /* the bytes before it are the bootbits */
#define SWAP_LAST_PAGE_OFFSET 1028
#define SWAP_BAD_COUNT_OFFSET 1032
#define SWAP_UUID_OFFSET 1036
#define SWAP_UUID_SIZE 16
#define SWAP_LABEL_OFFSET 1052
#define SWAP_LABEL_SIZE 16
#define SWAP_BAD_LIST_OFFSET 1536
#define SWAP_SIGNATURE "SWAPSPACE2"
#define SWAP_SIGNATURE_V0 "SWAP-SPACE" /* the version 0 format, a bitmap of good pages */
#define SWAP_SIGNATURE_SIZE 10
#define SWAP_SIGNATURE_OFFSET (SWAP_PAGE_SIZE - SWAP_SIGNATURE_SIZE)
#define SWAP_VERSION 1

/* the bad-page list's room: u32 entries from its offset up to the signature (637) */
#define SWAP_BAD_MAX ((SWAP_SIGNATURE_OFFSET - SWAP_BAD_LIST_OFFSET) / 4)
#define SWAP_ERROR_MAX 128 /* the refusal message, with its NUL */

/* What a valid header says. 2.6 KiB with the bad-page list: not for a small stack. */
struct swap_header_info {
	uint32_t last_page; /* pages 1..last_page are the slots */
	uint32_t pages;     /* the usable slots: last_page less the bad ones */
	uint32_t bad_pages;
	uint32_t bad[SWAP_BAD_MAX];      /* bad_pages of them, ascending, each in 1..last_page */
	char label[SWAP_LABEL_SIZE + 1]; /* up to the first NUL; anything unprintable as '?' */
	uint8_t uuid[SWAP_UUID_SIZE];
};

/* PAGE is the swap area's first SWAP_PAGE_SIZE bytes, PARTITION_PAGES the area's size in
 * pages (its sectors / 8). Returns 0 with *OUT filled in, or a negative ERR_* having
 * written one line naming the fault into ERROR (SWAP_ERROR_MAX bytes; "" on success):
 * no "SWAPSPACE2" signature (the old "SWAP-SPACE" format is named), a version other
 * than 1, last_page 0 or beyond the partition, more bad pages than the list holds, a
 * bad page outside 1..last_page or listed twice, no usable page. *OUT is meaningful only
 * after 0. */
int swap_header_parse(const uint8_t *page, uint32_t partition_pages, struct swap_header_info *out,
		      char *error);

#endif
