/* swap.h: swap partitions. At boot every block device of MBR type 0x82
 * whose first page is a Linux swap header (version 1, as util-linux's mkswap
 * writes it: swap_header.c reads it) becomes a swap device; its pages after
 * the header are slots, handed out from a bitmap. A slot is named by a
 * swap_slot_t that is never 0, so that it fits in a not-present page-table
 * entry (reclaim.c keeps it there). Only the slots' own sectors are ever
 * written. */
#ifndef VLSOS_VM_SWAP_H
#define VLSOS_VM_SWAP_H

#include <stdbool.h>
#include <stdint.h>

#define SWAP_DEVICES_MAX 4
#define SWAP_SLOT_BITS 18 /* a device's slots: up to 2^18 - 1 pages (1 GiB) are used */
#define SWAP_SLOTS_MAX ((1u << SWAP_SLOT_BITS) - 1)

/* device index << SWAP_SLOT_BITS | the page's number in the partition (>= 1) */
typedef uint32_t swap_slot_t;

void swap_init(void);  /* finds the swap devices; prints a line for each, or for none */
void swap_reset(void); /* forgets them all: for host tests, which start each case afresh */
bool swap_present(void);
swap_slot_t swap_alloc(void);     /* a free slot, or 0 when every slot is used */
void swap_free(swap_slot_t slot); /* back to the bitmap; a bad slot stays out */
uint32_t swap_free_slots(void);   /* of every device */
/* one page to or from its slot: 0, or the block layer's error, with a line
 * naming the device, the slot and the cause in error (SWAP_IO_ERROR_MAX bytes) */
#define SWAP_IO_ERROR_MAX 160
int swap_write(swap_slot_t slot, const void *page, char *error);
int swap_read(swap_slot_t slot, void *page, char *error);
void swap_mark_bad(swap_slot_t slot); /* held for good: never handed out again */

struct swap_stats {
	uint32_t devices;
	uint32_t slots; /* usable slots of all devices (the header's bad pages not counted) */
	uint32_t used;  /* handed out now */
	uint32_t bad;   /* marked bad after an error */
	uint64_t writes, reads, write_errors, read_errors;
};
void swap_stats(struct swap_stats *out);

#endif
