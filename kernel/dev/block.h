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
	void *driver;                /* the driver's own state (bios_disk.c: its struct bios_drive) */
	uint8_t partition;           /* 1-4 for a partition, 0 for a disk */
	uint8_t type;                /* MBR partition type (0x06 FAT16, 0x82 swap...), 0 for a disk */
	bool active;                 /* MBR boot flag 0x80 */
	uint32_t signature;          /* a disk's MBR disk signature (offset 440), 0 when none */
	char error[BLOCK_ERROR_MAX]; /* the last failure, "hd0: read of sector ..." */
};

/* ---- block.c: the table of devices, partitions, transfers ---------------- */

/* Registers a whole disk of `sectors` sectors served by ops (ops->read is
 * required; ops->write may be NULL for a read-only driver). NAME must be new,
 * 1 to BLOCK_NAME_MAX - 3 characters (room for the partitions' "p1".."p4").
 * Returns NULL when the table (BLOCK_DEVICES_MAX) is full or an argument is bad. */
struct block_device *block_add_disk(const char *name, uint64_t sectors, uint32_t signature,
				    const struct block_ops *ops, void *driver);

/* Reads DISK's sector 0 and adds each primary MBR partition as the device
 * "<disk>p<N>", N its slot 1-4. No 55 AA, or a FAT boot sector in sector 0 (a
 * floppy, a stick formatted without a table): no partitions, 0 returned.
 * An entry with a status byte other than 0x00/0x80, starting at sector 0,
 * of 0 sectors, reaching past the disk's end or overlapping an entry already
 * accepted is skipped; disk->error names the first one skipped ("" when none).
 * Returns the number of partitions added, or a negative ERR_* (the read of
 * sector 0 failed: disk->error says why; DISK is not a disk; scanned already). */
int block_scan_partitions(struct block_device *disk);

/* The sector just past the furthest non-empty entry of SECTOR's partition
 * table (a disk's sector 0), unjudged; 0 when it has no table. For a driver
 * whose idea of the disk's size is only a lower bound (CHS geometry). */
uint64_t block_mbr_extent(const uint8_t *sector);

/* COUNT sectors at LBA of DEV (a partition's sector 0 is its first), to or
 * from BUF. Returns 0, ERR_RANGE when the transfer would reach past the end
 * (nothing is transferred), ERR_INVAL for a NULL device or buffer, or the
 * driver's error. Every failure leaves one line in dev->error starting with
 * the device's name; after the name comes the driver's own line, whose
 * sector number is the disk's (a partition's sector 0 is the disk's
 * dev->start): "hd0p1: read of sector 2100 failed after 3 tries: ...".
 * Fewer than BLOCK_DIRECT_SECTORS sectors go through the buffer cache;
 * more go straight to the driver. Writes go through to the driver at once
 * and refresh the cached copies, so the cache never holds a sector newer
 * than the disk and a direct read never returns stale data. */
int block_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf);
int block_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf);

/* Brings COUNT sectors at LBA of DEV (at most BLOCK_READ_AHEAD_MAX; a range
 * reaching past the end is cut there) into the buffer cache with one driver
 * call, for reads that will follow: the stretch from the first sector not
 * cached to the last. Then a read of them, short or long, is served from the
 * buffers. Returns 0 (also when there is no cache), or as block_read. */
int block_read_ahead(struct block_device *dev, uint64_t lba, uint32_t count);

struct block_device *block_find(const char *name); /* NULL when there is none */
unsigned block_count(void);                        /* devices registered */
struct block_device *block_at(unsigned i);         /* in the order added; NULL past the end */
/* Forgets every device and every cached sector (the cache keeps its memory
 * and counters); for host tests, which start each case afresh. */
void block_reset(void);

/* ---- block_cache.c: the buffer cache between the devices and the drivers ---- */

#define BLOCK_DIRECT_SECTORS 8  /* transfers this long or longer bypass the cache... */
				/* ...unless every sector of them is in it (read ahead) */
#define BLOCK_READ_AHEAD_MAX 32 /* sectors one block_read_ahead brings in */

/* The cache's share of free memory, 1/BLOCK_CACHE_FREE_SHARE of it within
 * [BLOCK_CACHE_MIN_BYTES, BLOCK_CACHE_MAX_BYTES], but never more than
 * 1/BLOCK_CACHE_MAX_SHARE of it, so that a machine short of memory keeps it
 * (0 bytes: no cache). A multiple of BLOCK_CACHE_GRANULE. */
#define BLOCK_CACHE_FREE_SHARE 64
#define BLOCK_CACHE_MAX_SHARE 4
#define BLOCK_CACHE_MIN_BYTES (16 * 1024)
#define BLOCK_CACHE_MAX_BYTES (1024 * 1024)
#define BLOCK_CACHE_GRANULE 4096 /* a page */
size_t block_cache_size_for(uint64_t free_bytes);

/* Carves buffers of BLOCK_SECTOR_SIZE bytes, their headers and a hash table
 * out of MEMORY (BYTES long; NULL or too small: no buffers, every transfer
 * goes to the driver). Drops whatever was cached and zeroes the counters.
 * The memory stays the cache's until the next call. */
void block_cache_init(void *memory, size_t bytes);
/* Where block_read_ahead lands: BLOCK_READ_AHEAD_MAX sectors, kept across
 * block_cache_init. Without one, block_read_ahead reads nothing. */
void block_cache_read_ahead_buffer(void *buffer);

struct block_cache_stats {
	uint64_t hits;          /* sectors read from a buffer */
	uint64_t misses;        /* sectors of small reads that went to the driver */
	uint64_t evictions;     /* cached sectors dropped to make room for another */
	uint64_t reads;         /* sectors read from drivers: misses, direct reads, read ahead */
	uint64_t writes;        /* sectors written to drivers */
	uint64_t direct_reads;  /* reads of BLOCK_DIRECT_SECTORS or more (not cached) */
	uint64_t read_ahead;    /* sectors block_read_ahead brought in */
	uint64_t seeded;        /* sectors block_cache_seed put in */
	uint64_t updates;       /* cached sectors refreshed by a write */
	uint64_t invalidations; /* cached sectors dropped because a write failed */
	uint64_t buffers;       /* sector buffers the cache has */
	uint64_t cached;        /* of them, holding a sector now */
};
void block_cache_stats(struct block_cache_stats *out);

/* What block.c calls: transfers in a disk's own sectors (a partition's
 * already translated), bounds already checked. On failure ERROR holds the
 * driver's line (BLOCK_ERROR_MAX bytes). A failed read caches nothing; a
 * failed write drops the cached copies of the sectors it was writing. */
int block_cache_read(struct block_device *disk, uint64_t lba, uint32_t count, void *buf, char *error);
int block_cache_write(struct block_device *disk, uint64_t lba, uint32_t count, const void *buf,
		      char *error);
/* block_read_ahead's part, COUNT at most BLOCK_READ_AHEAD_MAX */
int block_cache_read_ahead(struct block_device *disk, uint64_t lba, uint32_t count, char *error);
/* A copy of DISK's sector LBA that someone read before the cache (the loader)
 * into a buffer, unless the sector is cached already or there are no buffers:
 * for a driver that knows the sector's bytes are the disk's. */
void block_cache_seed(struct block_device *disk, uint64_t lba, const void *data);
/* Drops every cached sector (block_reset) */
void block_cache_forget(void);

#endif
