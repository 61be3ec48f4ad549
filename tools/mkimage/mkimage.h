/* mkimage.h: what the parts of tools/mkimage offer each other. */
#ifndef MKIMAGE_H
#define MKIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "layout.h"

/* layout.c, layout_parse.c, layout_check.c, layout_syms.c: the passes of
 * layout_load (layout.h) and what they share. */
#define MAX_KEYS 8 /* keys a statement kind may have */

/* the statement kinds, in the order of layout_parse.c's grammar table */
enum stmt_kind { K_REGION, K_DISK, K_AREA, K_PARTITION, K_VOLUME, K_FILE };

/* one line of the layout after pass 1: KIND NAME key=value ... */
struct stmt {
	int line;
	int kind; /* enum stmt_kind */
	char name[NAME_MAX_LEN];
	int present[MAX_KEYS]; /* indexed as the kind's keys */
	uint64_t num[MAX_KEYS];
	char str[MAX_KEYS][FILE_MAX_LEN];
};

struct msg;
struct layout_ctx {
	const char *path;
	struct msg *msgs; /* the problems found, printed at the end */
	int nmsgs, capmsgs;
	struct stmt *st; /* the statements pass 1 accepted */
	int nst, capst;
};

/* layout.c: records "PATH:LINE: text", printed sorted by line at the end */
void layout_problem(struct layout_ctx *c, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* layout_parse.c: pass 1, one line (modified in place); a bad one is a problem */
void layout_parse_line(struct layout_ctx *c, int line, char *text);
/* the value of key KEY of S (KEY must be one of its kind's) */
int stmt_has(const struct stmt *s, const char *key);
uint64_t stmt_num(const struct stmt *s, const char *key);
const char *stmt_str(const struct stmt *s, const char *key);
const char *stmt_kind(const struct stmt *s); /* "region", "disk", ... */
/* layout_check.c: pass 2, every statement into L, relations checked; LAST_LINE
 * is where "no disk declared" is reported */
void layout_check(struct layout_ctx *c, struct layout *L, int last_line);
/* layout_syms.c: L->syms from a layout that passed layout_check */
void layout_syms(struct layout_ctx *c, struct layout *L);

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
int mbr_build(const struct disk *d, const char *name, const uint8_t *stage1, size_t len,
	      uint8_t out[512]);

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
	uint32_t clusters; /* data clusters */
	int fat_bits;      /* 12 or 16 from the cluster count */
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
int fat_copy_files(const struct layout *L, const char *image, uint64_t off, const struct bpb *b,
		   const char *builddir, const struct disk *d);

/* svg.c: draws the regions of L in address order into OUT; 0 ok. */
int cmd_svg(const struct layout *L, const char *out);

/* build.c */
int cmd_build(const struct layout *L, const char *builddir, char *const disks[], int ndisks);

#endif
