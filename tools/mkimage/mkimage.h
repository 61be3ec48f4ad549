/* mkimage.h: what the parts of tools/mkimage offer each other. */
#ifndef MKIMAGE_H
#define MKIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* util.c */
void *xmalloc(size_t n);
char *path_join(const char *dir, const char *name);
/* 0 ok; -1 with errno set (ENOENT when missing) */
int slurp(const char *path, uint8_t **buf, size_t *len);
/* A temp file next to PATH: returns an fd and sets *tmp (malloc'd), or -1. */
int temp_beside(const char *path, char **tmp);
/* Writes BUF to a temp file next to PATH; *tmp gets its name. 0 ok. */
int write_temp(const char *path, const void *buf, size_t len, char **tmp);
/* 1 when PATH exists and holds exactly BUF */
int same_content(const char *path, const void *buf, size_t len);
/* Runs a tool without a shell; returns its exit status, or -1. The command
 * line is printed on failure. Output goes to our stderr. */
int run_tool(const char *const argv[]);
uint16_t get16(const uint8_t *p);
uint32_t get32(const uint8_t *p);
void put16(uint8_t *p, uint16_t v);
void put32(uint8_t *p, uint32_t v);
int pwrite_all(int fd, const void *buf, size_t len, uint64_t off);
int pread_all(int fd, void *buf, size_t len, uint64_t off);

/* gen.c */
int cmd_gen(const struct layout *L, const char *outdir);

/* seal.c: header checks shared by `seal` and `build`. Both print
 * "mkimage: NAME: problem" and return -1 on failure. */
int kernel_check_header(const struct layout *L, const char *name, const uint8_t *buf, size_t len);
uint32_t kernel_crc(const uint8_t *buf, size_t len);
int kernel_check_sealed(const struct layout *L, const char *name, const uint8_t *buf, size_t len);
int cmd_seal(const struct layout *L, const char *path);

/* mbr.c */
void chs_encode(uint32_t lba, uint8_t out[3]);
/* Checks STAGE1 (LEN bytes, named NAME) and builds the disk's sector 0. */
int mbr_build(const struct disk *d, const char *name, const uint8_t *stage1, size_t len, uint8_t out[512]);

/* fat.c */
struct bpb {
	uint16_t bytes_per_sector;
	uint8_t sectors_per_cluster;
	uint16_t reserved;
	uint8_t fats;
	uint16_t root_entries;
	uint32_t total_sectors;
	uint8_t media;
	uint16_t fat_sectors;
	uint16_t sectors_per_track;
	uint16_t heads;
	uint32_t hidden;
	uint8_t drive;
	uint8_t boot_sig;
	uint32_t serial;
	char label[12];
	char fs_type[9];
	uint32_t clusters;          /* data clusters */
	int fat_bits;               /* 12 or 16 from the cluster count */
};
int bpb_parse(const uint8_t sec[512], struct bpb *b);
/* Check that a stage-1 boot sector for a FAT volume leaves the BPB alone. */
int vbr_check(const char *name, const uint8_t *stage1, size_t len);
/* Overlay stage 1 on a formatted boot sector, keeping 0x03..0x3D. */
void vbr_overlay(uint8_t sector[512], const uint8_t stage1[512]);
int fat_format_partition(const char *image, const struct disk *d);
int fat_format_floppy(const char *image, const struct disk *d);
/* Reads and checks the BPB mformat wrote at byte offset OFF; fills *b. */
int fat_check(const char *image, uint64_t off, int want_bits, const struct disk *d, struct bpb *b);
/* Copies every layout file from BUILDDIR into the root of the volume. */
int fat_copy_files(const struct layout *L, const char *image, uint64_t off,
                   const struct bpb *b, const char *builddir, const struct disk *d);

/* svg.c: draws the regions of L in address order into OUT; 0 ok. */
int cmd_svg(const struct layout *L, const char *out);

/* build.c */
int cmd_build(const struct layout *L, const char *builddir, char *const disks[], int ndisks);

#endif
