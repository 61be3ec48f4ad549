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
#define LABEL_MAX_LEN 11
#define SYM_MAX_LEN 96

#define MAX_REGIONS 64
#define MAX_DISKS 8
#define MAX_AREAS 8
#define MAX_FILES 32
#define MAX_SYMS 512

enum fs_type { FS_NONE = 0, FS_FAT12 = 12, FS_FAT16 = 16 };

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

struct partition {
	int present;
	uint32_t lba;
	uint32_t sectors;
	uint8_t type;
	enum fs_type fs;
	char label[LABEL_MAX_LEN + 1]; /* "" when the layout gives none */
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
	struct partition part;
	struct volume vol;
};

struct file_entry {
	char name[13]; /* 8.3, upper case */
	char src[FILE_MAX_LEN];
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

/* "stage2" -> "stage 2"; other names unchanged. */
void area_title(const struct area *a, char *out, size_t outlen);

#endif
