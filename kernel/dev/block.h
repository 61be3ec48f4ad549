/* block.h: block devices. A disk comes from a driver (bios_disk.c: INT 13h
 * through the real-mode call); each primary MBR partition on it becomes a
 * block device of its own. Reads and writes of single sectors go through a
 * buffer cache (block_cache.c); multi-sector transfers go to the driver and
 * keep the cache coherent. Plain C with no hardware in it, so host tests run
 * it over a disk in memory. */
#ifndef VLSOS_BLOCK_H
#define VLSOS_BLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BLOCK_SECTOR_SIZE 512 /* the only sector size VlsOs handles */
#define BLOCK_NAME_MAX 12     /* "hd0p4" and its NUL, with room */
#define BLOCK_ERROR_MAX 112   /* one line naming device, sector and cause */
#define BLOCK_DEVICES_MAX 24  /* disks and their partitions */

struct block_device;

/* A driver's transfers: count sectors at lba, relative to the disk. Return 0,
 * or a negative ERR_* having written one line to error (BLOCK_ERROR_MAX bytes)
 * that names the sector and the cause, e.g. "read of sector 2100 failed after
 * 3 tries: BIOS status 0x01 (invalid function or parameter)". */
struct block_ops {
	int (*read)(struct block_device *dev, uint64_t lba, uint32_t count, void *buf, char *error);
	int (*write)(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf,
		     char *error);
};

struct block_device {
	char name[BLOCK_NAME_MAX]; /* "hd0", "hd0p1", "fd0" */
	uint64_t sectors;          /* size in BLOCK_SECTOR_SIZE sectors */
	uint64_t start;            /* a partition's first sector on its disk; 0 for a disk */
	struct block_device *disk; /* a partition's disk; the device itself for a disk */
	const struct block_ops *ops;
	void *driver;          /* the driver's own state (bios_disk.c: its struct bios_drive) */
	uint8_t partition;     /* 1-4 for a partition, 0 for a disk */
	uint8_t type;          /* MBR partition type (0x06 FAT16, 0x82 swap...), 0 for a disk */
	bool active;           /* MBR boot flag 0x80 */
	uint32_t signature;    /* a disk's MBR disk signature (offset 440), 0 when none */
	char error[BLOCK_ERROR_MAX]; /* the last failure, "hd0: read of sector ..." */
};

#endif
