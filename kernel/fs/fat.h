/* fat.h: a read-only FAT12, FAT16 and FAT32 reader over sectors its caller supplies.
 * Plain C with no hardware and no allocation: the kernel hands it a block device's
 * sectors, the host tests an image file or a buffer. A volume is mounted once; paths
 * are looked up into nodes (a node is a file or directory and its stat); files are
 * read at any offset, directories listed with a cursor.
 *
 * Damage is refused by name: every function returns 0 (or a count) or a negative
 * ERR_* from errors.h, and on failure leaves one line in vol->error saying what is
 * wrong ("bad BPB: 300 bytes per sector", "cluster 70000 out of range in the chain
 * of /BIN/SH", "loop in the chain of /DOCS"). ERR_CORRUPT is damage on the volume,
 * ERR_NOENT, ERR_NOTDIR and ERR_ISDIR are a path's fault, and a failed read of the
 * source returns the source's own error code. No cluster chain is followed further
 * than the volume has clusters, and no sector past fat_source.sectors is asked for.
 *
 * Not thread-safe: a volume keeps one sector buffer and a node its read position,
 * so callers serialise the calls on one volume. */
#ifndef VLSOS_FAT_H
#define VLSOS_FAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FAT_SECTOR_SIZE 512     /* the only sector size the reader takes */
#define FAT_ERROR_MAX 128       /* vol->error: one line */
#define FAT_PATH_MAX 96         /* a node's path, kept for messages; longer ones are cut */
#define FAT_LONG_NAME_UNITS 255 /* UCS-2 units in a long name, at most */
#define FAT_LFN_UNITS 13        /* of a long name in each of its directory entries */
#define FAT_LFN_ENTRIES_MAX 20  /* directory entries of a long name, at most */
#define FAT_NAME_MAX (FAT_LONG_NAME_UNITS * 3 + 1) /* a long name in UTF-8, and its NUL */
#define FAT_SHORT_NAME_MAX 13                      /* "NAME.EXT" and its NUL */
#define FAT_LABEL_MAX 12                           /* 11 characters and a NUL */

/* directory entry attributes */
#define FAT_ATTR_READ_ONLY 0x01
#define FAT_ATTR_HIDDEN 0x02
#define FAT_ATTR_SYSTEM 0x04
#define FAT_ATTR_VOLUME_ID 0x08
#define FAT_ATTR_DIRECTORY 0x10
#define FAT_ATTR_ARCHIVE 0x20

/* Where a volume's sectors come from. */
struct fat_source {
	void *ctx;
	/* Read count 512-byte sectors at lba (relative to the volume's first sector)
	 * into buf: 0, or a negative ERR_* that the reader passes on. */
	int (*read)(void *ctx, uint32_t lba, uint32_t count, void *buf);
	uint32_t sectors; /* the device's size: the reader never asks past it */
	/* Optional (NULL: none): count sectors at lba that reads will follow, to
	 * bring in at once if the source caches. The reader asks on a file's
	 * first read for its first FAT_READ_AHEAD_SECTORS, as far as they lie in
	 * a row, and ignores the answer: the reads that follow report failures. */
	int (*read_ahead)(void *ctx, uint32_t lba, uint32_t count);
};

#define FAT_READ_AHEAD_SECTORS 32 /* a file's first read asks the source for this much */

struct fat_stat {
	uint32_t size;          /* bytes; 0 for a directory */
	uint32_t first_cluster; /* 0 for an empty file and FAT12/16's root directory */
	uint8_t attributes;     /* FAT_ATTR_* */
	bool is_dir;
};

/* A file or directory, as fat_lookup found it. Its chain was checked then (in range,
 * no loop, as long as the file's size needs), so reads fail only if the volume
 * changes or the source fails. */
struct fat_node {
	struct fat_stat stat;
	char path[FAT_PATH_MAX]; /* "/BIN/SH", as looked up: what messages call it */
	/* the reader's own: */
	uint32_t clusters;     /* the chain's length */
	uint32_t seek_index;   /* where the last read ended: the chain's seek_index-th */
	uint32_t seek_cluster; /* cluster is seek_cluster (0: no read yet) */
};

/* One entry of a directory listing. Its name is the long name (UTF-8) when it has a
 * valid one, else the 8.3 name "NAME.EXT" in the case its NT flags give. */
struct fat_dirent {
	char name[FAT_NAME_MAX];
	char short_name[FAT_SHORT_NAME_MAX]; /* the 8.3 name as stored: "LONGNA~1.TXT" */
	struct fat_stat stat;
};

struct fat_volume {
	struct fat_source src;
	unsigned type;             /* 12, 16 or 32, by the cluster count as Microsoft's spec says */
	uint32_t sectors;          /* the volume's size as its BPB gives it */
	uint32_t clusters;         /* data clusters, numbered 2 to clusters + 1 */
	unsigned cluster_shift;    /* log2 of the bytes in a cluster */
	uint32_t fat_start;        /* the FAT read: the first, or FAT32's active one */
	uint32_t root_start;       /* FAT12/16: the fixed root directory's first sector */
	uint32_t root_entries;     /* and its size in entries */
	uint32_t data_start;       /* cluster 2's first sector */
	char label[FAT_LABEL_MAX]; /* from the BPB, spaces trimmed; "" when it has none */
	struct fat_node root;
	char error[FAT_ERROR_MAX]; /* the last failure */
	/* the reader's own: one sector of FAT, directory or file, and a long name being
	 * gathered from its directory entries */
	bool cached;
	uint32_t cached_lba;
	uint8_t sector[FAT_SECTOR_SIZE];
	uint16_t long_name[FAT_LFN_ENTRIES_MAX * FAT_LFN_UNITS];
};

/* Reads the boot sector and checks the BPB (512-byte sectors, clusters of a power of
 * two, the FATs big enough for the clusters, the volume inside its device, the
 * layout the cluster count's FAT type needs) and, on FAT32, the root directory's
 * chain. ERR_CORRUPT with "bad BPB: ..." in vol->error when it is not a FAT volume
 * this reader can trust. */
int fat_mount(struct fat_volume *vol, const struct fat_source *src);

/* Looks up path: components separated by '/', each matching a long name or an 8.3
 * name ("KERNEL.BIN", "kernel.bin", "LONGNA~1.TXT") without regard to ASCII case;
 * "." and ".." as usual. An absolute path, or dir == NULL, starts at the root;
 * otherwise at dir. "" and "/" are the root. */
int fat_lookup_at(struct fat_volume *vol, const struct fat_node *dir, const char *path,
		  struct fat_node *node);
int fat_lookup(struct fat_volume *vol, const char *path, struct fat_node *node);

/* fat_lookup's stat alone. */
int fat_stat(struct fat_volume *vol, const char *path, struct fat_stat *stat);

/* Reads up to len bytes of a file from offset: the count read (0 at or past the end;
 * at most INT32_MAX), or a negative ERR_*. Contiguous clusters go to the source as
 * one read when whole sectors land in buf; node remembers where it stopped, so
 * reading on from there does not walk the chain again. ERR_ISDIR for a directory. */
int fat_read(struct fat_volume *vol, struct fat_node *node, uint32_t offset, void *buf, uint32_t len);

/* Lists a directory: set *cursor to 0, then each call fills entry with the next
 * entry and returns 1, or returns 0 at the end (and again after it), or a negative
 * ERR_*. "." and "..", volume labels and deleted entries are skipped. */
int fat_readdir(struct fat_volume *vol, struct fat_node *dir, uint32_t *cursor,
		struct fat_dirent *entry);

#endif
