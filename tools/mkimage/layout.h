/* layout.h: the parsed and checked form of disk.img.layout.
 *
 * layout_load() reads the file, reports every problem as
 * "FILE:LINE: problem" on stderr and fills struct layout only when the whole
 * file is valid. It also derives the table of generated names (syms) that
 * `mkimage gen` writes out, so every consumer sees the same numbers. */
#ifndef MKIMAGE_LAYOUT_H
#define MKIMAGE_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define SECTOR_BYTES 512u
#define FDD_1440_SECTORS 2880u /* 80 cylinders x 2 heads x 18 sectors */
#define PART_ALIGN 2048u       /* 1 MiB in sectors */

#define NAME_MAX_LEN 32
#define FILE_MAX_LEN 128
#define FAT_LABEL_MAX_LEN 11             /* a FAT volume label */
#define SWAP_LABEL_MAX_LEN 15            /* a swap label: mkswap keeps 15 characters and a NUL */
#define LABEL_MAX_LEN SWAP_LABEL_MAX_LEN /* label=, the longest; its fs= says more */
#define UUID_TEXT_LEN 36                 /* 8-4-4-4-12 hex digits */
#define SYM_MAX_LEN 96

#define MAX_REGIONS 64
#define MAX_DISKS 8
#define MAX_AREAS 8
#define MBR_ENTRIES 4 /* a classic MBR's partition table: the partitions a disk may have */
#define MAX_FILES 256
#define MAX_DIRS 16
#define MAX_SYMS 512
#define MAX_GEN_BYTES (4u * 1024 * 1024) /* a generated file's size at most */
#define FAT_LONG_NAME_MAX 255            /* characters in a VFAT long name */

/* a FAT type is its bits; swap is no FAT */
enum fs_type { FS_NONE = 0, FS_SWAP = 1, FS_FAT12 = 12, FS_FAT16 = 16 };

struct region {
	char name[NAME_MAX_LEN];
	uint32_t start;
	uint32_t size;
	uint64_t end; /* start + size, may be exactly 4 GiB */
	int line;
};

struct area {
	char name[NAME_MAX_LEN];
	uint32_t lba;
	uint32_t sectors;
	char src[FILE_MAX_LEN];
	int line;
};

/* A primary partition: its MBR entry is the NUMBERth, in the order the layout
 * declares them. The FAT16 one holds the files; a swap one is made by mkswap. */
struct partition {
	char name[NAME_MAX_LEN]; /* "" when the layout gives none: DISK_PART_* names */
	int number;              /* 1..MBR_ENTRIES: hd0p2 is number 2 */
	uint32_t lba;
	uint32_t sectors;
	uint8_t type;
	enum fs_type fs;
	char label[LABEL_MAX_LEN + 1]; /* "" when the layout gives none */
	char uuid[UUID_TEXT_LEN + 1];  /* fs=swap: the fixed UUID mkswap -U writes */
	int active;
	int line;
};

struct volume {
	int present;
	enum fs_type fs;
	uint32_t reserved;
	char label[LABEL_MAX_LEN + 1];
	int line;
};

struct disk {
	char name[NAME_MAX_LEN];
	char file[FILE_MAX_LEN];
	uint32_t sectors;
	uint32_t signature;
	int line;
	struct area areas[MAX_AREAS];
	int nareas;
	struct partition parts[MBR_ENTRIES]; /* none on a disk with a volume */
	int nparts;
	struct volume vol;
};

/* A file on every volume. path is from the root, "/KERNEL.BIN",
 * "/TEST/SUB/B.BIN" (the layout may write a root file without its '/'); each
 * name in it is an upper-case 8.3 name or gets a VFAT long name. */
struct file_entry {
	char path[FILE_MAX_LEN];
	char src[FILE_MAX_LEN]; /* in the build directory; "" for a generated file */
	int generated;          /* gen=SIZE: gen_size bytes of gen_content() */
	uint32_t gen_size;
	int line;
};

/* A directory on every volume, "/TEST/SUB"; its parent is declared too */
struct dir_entry {
	char path[FILE_MAX_LEN];
	int line;
};

/* One generated name. */
struct sym {
	char name[SYM_MAX_LEN];
	uint64_t value;
	int hex;        /* hex digits to print (addresses, ids), 0 = decimal */
	int line;       /* layout line it comes from, 0 = built in */
	char group[64]; /* heading the generators print above it */
};

struct layout {
	const char *path;
	struct region regions[MAX_REGIONS];
	int nregions;
	struct disk disks[MAX_DISKS];
	int ndisks;
	struct file_entry files[MAX_FILES];
	int nfiles;
	struct dir_entry dirs[MAX_DIRS];
	int ndirs;
	struct sym syms[MAX_SYMS];
	int nsyms;
};

/* Returns a heap-allocated, fully checked layout, or NULL after printing
 * every problem found. */
struct layout *layout_load(const char *path);
void layout_free(struct layout *L);

const struct region *layout_region(const struct layout *L, const char *name);
const struct disk *layout_disk(const struct layout *L, const char *name);
const struct sym *layout_sym(const struct layout *L, const char *name);
/* D's FAT16 partition (the one the files go to), NULL on a disk without partitions */
const struct partition *disk_fat_partition(const struct disk *d);

/* The parts of a path from the root: "/TEST/SUB" has depth 2, its parent is
 * "/TEST" (PARENT gets FILE_MAX_LEN bytes; the root's is ""), its last name
 * "SUB". */
int path_depth(const char *path);
void path_parent(const char *path, char *parent);
const char *path_last(const char *path);
/* 1 when NAME is an upper-case 8.3 name, which needs no long-name entry */
int fat_is_83(const char *name);

/* "stage2" -> "stage 2"; other names unchanged. */
void area_title(const struct area *a, char *out, size_t outlen);
/* how messages name a partition: "hdd" (no name=), "hdd swap" */
void partition_title(const struct disk *d, const struct partition *p, char *out, size_t outlen);

#endif
