/* fat.c: the FAT side of an image, done by driving mtools (mformat, mcopy)
 * and then reading back what they wrote to make sure it is what the layout
 * and the loaders expect. */
#include "mkimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* BPB offsets (FAT12/16 layout) */
#define BPB_BYTES_PER_SEC 0x0B
#define BPB_SEC_PER_CLUS 0x0D
#define BPB_RESERVED 0x0E
#define BPB_FATS 0x10
#define BPB_ROOT_ENTRIES 0x11
#define BPB_TOTAL16 0x13
#define BPB_MEDIA 0x15
#define BPB_FAT_SECTORS 0x16
#define BPB_SPT 0x18
#define BPB_HEADS 0x1A
#define BPB_HIDDEN 0x1C
#define BPB_TOTAL32 0x20
#define BPB_DRIVE 0x24
#define BPB_BOOT_SIG 0x26
#define BPB_SERIAL 0x27
#define BPB_LABEL 0x2B
#define BPB_FS_TYPE 0x36
#define BPB_END 0x3E /* first byte after the BPB: boot code */

/* 1.44 MB floppy geometry */
#define FDD_SPT 18
#define FDD_HEADS 2

int bpb_parse(const uint8_t s[512], struct bpb *b)
{
	memset(b, 0, sizeof *b);
	b->bytes_per_sector = get16(s + BPB_BYTES_PER_SEC);
	b->sectors_per_cluster = s[BPB_SEC_PER_CLUS];
	b->reserved = get16(s + BPB_RESERVED);
	b->fats = s[BPB_FATS];
	b->root_entries = get16(s + BPB_ROOT_ENTRIES);
	b->total_sectors = get16(s + BPB_TOTAL16);
	if (!b->total_sectors)
		b->total_sectors = get32(s + BPB_TOTAL32);
	b->media = s[BPB_MEDIA];
	b->fat_sectors = get16(s + BPB_FAT_SECTORS);
	b->sectors_per_track = get16(s + BPB_SPT);
	b->heads = get16(s + BPB_HEADS);
	b->hidden = get32(s + BPB_HIDDEN);
	b->drive = s[BPB_DRIVE];
	b->boot_sig = s[BPB_BOOT_SIG];
	b->serial = get32(s + BPB_SERIAL);
	memcpy(b->label, s + BPB_LABEL, 11);
	memcpy(b->fs_type, s + BPB_FS_TYPE, 8);
	if (b->bytes_per_sector != SECTOR_BYTES || !b->sectors_per_cluster || !b->fats ||
	    !b->fat_sectors)
		return -1;
	uint32_t root = ((uint32_t)b->root_entries * 32 + SECTOR_BYTES - 1) / SECTOR_BYTES;
	uint64_t meta = (uint64_t)b->reserved + (uint64_t)b->fats * b->fat_sectors + root;
	if (meta >= b->total_sectors)
		return -1;
	b->clusters = (uint32_t)((b->total_sectors - meta) / b->sectors_per_cluster);
	/* Microsoft's rule: the cluster count alone decides the FAT type */
	b->fat_bits = b->clusters < 4085 ? 12 : b->clusters < 65525 ? 16 : 32;
	return 0;
}

int vbr_check(const char *name, const uint8_t *s, size_t len)
{
	if (len != SECTOR_BYTES) {
		fprintf(stderr,
			"mkimage: %s: the FAT boot sector stage 1 is %zu bytes, it must be exactly %u\n",
			name, len, SECTOR_BYTES);
		return -1;
	}
	if (s[510] != 0x55 || s[511] != 0xAA) {
		fprintf(stderr,
			"mkimage: %s: does not end in the boot signature 55 AA (has %02X %02X)\n", name,
			s[510], s[511]);
		return -1;
	}
	for (unsigned i = 3; i < BPB_END; i++)
		if (s[i]) {
			fprintf(stderr,
				"mkimage: %s: byte 0x%02X is 0x%02X; bytes 0x03..0x3D must be zero "
				"(the BPB goes there; the loader may keep no code or data in it)\n",
				name, i, s[i]);
			return -1;
		}
	/* some BIOSes only boot a floppy whose sector 0 starts with a jump */
	int target = -1;
	if (s[0] == 0xEB && s[2] == 0x90)
		target = 2 + (int8_t)s[1];
	else if (s[0] == 0xE9)
		target = 3 + (int16_t)get16(s + 1);
	if (target < BPB_END || target >= 510) {
		fprintf(stderr,
			"mkimage: %s: must start with a jump over the BPB to 0x3E..0x1FD "
			"(EB xx 90 or E9 xx xx); it starts %02X %02X %02X\n",
			name, s[0], s[1], s[2]);
		return -1;
	}
	return 0;
}

void vbr_overlay(uint8_t sector[512], const uint8_t stage1[512])
{
	memcpy(sector, stage1, 3);
	memcpy(sector + BPB_END, stage1 + BPB_END, SECTOR_BYTES - BPB_END);
}

static void image_spec(char *buf, size_t n, const char *image, uint64_t off)
{
	if (off)
		snprintf(buf, n, "%s@@%llu", image, (unsigned long long)off);
	else
		snprintf(buf, n, "%s", image);
}

static int rw_sector(const char *image, uint64_t off, uint8_t s[512], int write)
{
	int fd = open(image, write ? O_WRONLY : O_RDONLY);
	int r = fd < 0  ? -1
		: write ? pwrite_all(fd, s, SECTOR_BYTES, off)
			: pread_all(fd, s, SECTOR_BYTES, off);
	if (fd >= 0 && close(fd) < 0)
		r = -1;
	if (r < 0)
		fprintf(stderr, "mkimage: %s: %s\n", image, strerror(errno));
	return r;
}

int fat_format_partition(const char *image, const struct disk *d)
{
	const struct partition *p = disk_fat_partition(d);
	char spec[FILE_MAX_LEN + 300], total[16], hidden[16], clus[8], serial[16];

	/* mformat picks FAT12 with big clusters for small volumes; ask for the
	 * smallest cluster that keeps the count within FAT16's limit */
	unsigned c = 1;
	while (c < 64 && p->sectors / c > 65524)
		c *= 2;
	image_spec(spec, sizeof spec, image, (uint64_t)p->lba * SECTOR_BYTES);
	snprintf(total, sizeof total, "%u", p->sectors);
	snprintf(hidden, sizeof hidden, "%u", p->lba);
	snprintf(clus, sizeof clus, "%u", c);
	snprintf(serial, sizeof serial, "%08X", d->signature);
	const char *argv[24] = { "mformat", "-i", spec,   "-T", total, "-h", "255", "-s",
				 "63",      "-H", hidden, "-c", clus,  "-N", serial };
	int n = 15;
	if (p->label[0]) {
		argv[n++] = "-v";
		argv[n++] = p->label;
	}
	argv[n++] = "::";
	argv[n] = NULL;
	if (run_tool(argv))
		return -1;

	/* a hard-disk volume names drive 0x80 (mformat writes 0x00) */
	uint8_t s[512];
	uint64_t off = (uint64_t)p->lba * SECTOR_BYTES;
	if (rw_sector(image, off, s, 0) < 0)
		return -1;
	s[BPB_DRIVE] = 0x80;
	return rw_sector(image, off, s, 1);
}

int fat_format_floppy(const char *image, const struct disk *d)
{
	const struct volume *v = &d->vol;
	char reserved[16], serial[16];
	snprintf(reserved, sizeof reserved, "%u", v->reserved);
	snprintf(serial, sizeof serial, "%08X", d->signature);
	const char *argv[16] = { "mformat", "-i", image, "-f", "1440", "-R", reserved, "-N", serial };
	int n = 9;
	if (v->label[0]) {
		argv[n++] = "-v";
		argv[n++] = v->label;
	}
	argv[n++] = "::";
	argv[n] = NULL;
	return run_tool(argv) ? -1 : 0;
}

#define WANT(cond, ...)                                          \
	do {                                                     \
		if (!(cond)) {                                   \
			fprintf(stderr, "mkimage: %s: ", image); \
			fprintf(stderr, __VA_ARGS__);            \
			fputc('\n', stderr);                     \
			return -1;                               \
		}                                                \
	} while (0)

int fat_check(const char *image, uint64_t off, int want_bits, const struct disk *d, struct bpb *b)
{
	uint8_t s[512];
	if (rw_sector(image, off, s, 0) < 0)
		return -1;
	WANT(bpb_parse(s, b) == 0, "no valid FAT BPB at byte %llu after mformat",
	     (unsigned long long)off);
	WANT(s[510] == 0x55 && s[511] == 0xAA, "boot sector at byte %llu lacks 55 AA",
	     (unsigned long long)off);
	WANT(b->fat_bits == want_bits,
	     "mformat made a FAT%d volume (%u clusters of %u sectors) where the layout asks for fat%d",
	     b->fat_bits, b->clusters, b->sectors_per_cluster, want_bits);
	char want_type[9];
	snprintf(want_type, sizeof want_type, "FAT%d   ", want_bits);
	WANT(!memcmp(b->fs_type, want_type, 8), "file-system type string is \"%s\", expected \"%s\"",
	     b->fs_type, want_type);
	WANT(b->boot_sig == 0x29, "no extended boot signature (0x%02X at 0x26)", b->boot_sig);
	WANT(b->serial == d->signature, "volume serial 0x%08X is not the disk signature 0x%08X",
	     b->serial, d->signature);
	const struct partition *p = disk_fat_partition(d);
	if (p) {
		WANT(b->total_sectors == p->sectors, "volume has %u sectors, the partition %u",
		     b->total_sectors, p->sectors);
		WANT(b->hidden == p->lba, "hidden sectors %u, the partition starts at %u", b->hidden,
		     p->lba);
	} else {
		WANT(b->total_sectors == d->sectors, "volume has %u sectors, the disk %u",
		     b->total_sectors, d->sectors);
		WANT(b->reserved == d->vol.reserved,
		     "volume has %u reserved sectors, the layout says %u", b->reserved, d->vol.reserved);
		WANT(b->sectors_per_track == FDD_SPT && b->heads == FDD_HEADS && b->media == 0xF0 &&
			     b->hidden == 0,
		     "not a standard 1.44 MB BPB (spt %u, heads %u, media 0x%02X, hidden %u)",
		     b->sectors_per_track, b->heads, b->media, b->hidden);
	}
	return 0;
}

/* A directory entry, and the characters of a name one long-name entry holds */
#define DIR_ENTRY_BYTES 32
#define LFN_CHARS_PER_ENTRY 13
#define DOT_ENTRIES 2 /* "." and ".." open every directory but the root */

/* Directory entries NAME takes: its own, and the long-name ones before it */
static uint32_t entries_for(const char *name)
{
	if (fat_is_83(name))
		return 1;
	return 1 + (uint32_t)((strlen(name) + LFN_CHARS_PER_ENTRY - 1) / LFN_CHARS_PER_ENTRY);
}

/* Entries the layout's directories and files take in the directory PATH
 * ("" for the root) */
static uint32_t entries_in(const struct layout *L, const char *path)
{
	char parent[FILE_MAX_LEN];
	uint32_t n = 0;
	for (int i = 0; i < L->ndirs; i++) {
		path_parent(L->dirs[i].path, parent);
		if (!strcasecmp(parent, path))
			n += entries_for(path_last(L->dirs[i].path));
	}
	for (int i = 0; i < L->nfiles; i++) {
		path_parent(L->files[i].path, parent);
		if (!strcasecmp(parent, path))
			n += entries_for(path_last(L->files[i].path));
	}
	return n;
}

/* Checks that the layout's directories and files fit on the volume:
 * entries in the root, clusters for directories and files. */
static int check_fit(const struct layout *L, const char *image, const struct bpb *b,
		     const char *builddir, const struct disk *d)
{
	uint32_t clus_bytes = (uint32_t)b->sectors_per_cluster * SECTOR_BYTES;
	uint32_t root = 1 + entries_in(L, ""); /* one goes to the volume label */
	if (root > b->root_entries) {
		fprintf(stderr,
			"mkimage: %s: the files and directories in the root take %u entries; the "
			"root directory of disk %s has %u\n",
			image, root, d->name, b->root_entries);
		return -1;
	}
	uint64_t need = 0;
	for (int i = 0; i < L->ndirs; i++) {
		uint64_t bytes =
			(uint64_t)DIR_ENTRY_BYTES * (DOT_ENTRIES + entries_in(L, L->dirs[i].path));
		need += (bytes + clus_bytes - 1) / clus_bytes;
	}
	for (int i = 0; i < L->nfiles; i++) {
		const struct file_entry *f = &L->files[i];
		char *src = f->generated ? NULL : path_join(builddir, f->src);
		uint64_t size = f->gen_size;
		struct stat st;
		if (src && (stat(src, &st) < 0 || !S_ISREG(st.st_mode))) {
			fprintf(stderr, "mkimage: %s: %s (src of file %s, layout line %d)\n", src,
				errno == ENOENT ? "missing" : strerror(errno), f->path, f->line);
			free(src);
			return -1;
		}
		if (src)
			size = (uint64_t)st.st_size;
		uint64_t c = (size + clus_bytes - 1) / clus_bytes;
		need += c;
		if (need > b->clusters) {
			fprintf(stderr,
				"mkimage: %s: %llu bytes do not fit on the %s volume: it holds %llu bytes "
				"(%u clusters of %u bytes), %llu of them left for %s%s\n",
				src ? src : image, (unsigned long long)size, d->name,
				(unsigned long long)b->clusters * clus_bytes, b->clusters, clus_bytes,
				(unsigned long long)(b->clusters - (need - c)) * clus_bytes, f->path,
				f->generated ? " (generated)" : "");
			free(src);
			return -1;
		}
		free(src);
	}
	return 0;
}

/* mmd, parents before their children */
static int make_layout_dirs(const struct layout *L, const char *spec)
{
	int deepest = 0;
	for (int i = 0; i < L->ndirs; i++)
		if (path_depth(L->dirs[i].path) > deepest)
			deepest = path_depth(L->dirs[i].path);
	for (int depth = 1; depth <= deepest; depth++)
		for (int i = 0; i < L->ndirs; i++) {
			if (path_depth(L->dirs[i].path) != depth)
				continue;
			char dst[FILE_MAX_LEN + 2];
			snprintf(dst, sizeof dst, "::%s", L->dirs[i].path);
			const char *argv[] = { "mmd", "-i", spec, dst, NULL };
			if (run_tool(argv))
				return -1;
		}
	return 0;
}

int fat_copy_files(const struct layout *L, const char *image, uint64_t off, const struct bpb *b,
		   const char *builddir, const struct disk *d)
{
	char spec[FILE_MAX_LEN + 300];
	if (check_fit(L, image, b, builddir, d) < 0)
		return -1;
	image_spec(spec, sizeof spec, image, off);
	if (make_layout_dirs(L, spec) < 0)
		return -1;

	/* a generated file goes through one temp file beside the image */
	char *tmp = NULL;
	int fd = -1, r = 0;
	for (int i = 0; i < L->nfiles && r == 0; i++) {
		const struct file_entry *f = &L->files[i];
		char *src = NULL;
		if (f->generated) {
			if (fd < 0 && (fd = temp_beside(image, &tmp)) < 0) {
				fprintf(stderr, "mkimage: %s: cannot create a temp file: %s\n", image,
					strerror(errno));
				return -1;
			}
			if (gen_write_temp(f, fd) < 0) {
				fprintf(stderr, "mkimage: %s: %s\n", tmp, strerror(errno));
				r = -1;
				break;
			}
		} else {
			src = path_join(builddir, f->src);
		}
		char dst[FILE_MAX_LEN + 2];
		snprintf(dst, sizeof dst, "::%s", f->path);
		const char *argv[] = { "mcopy", "-i", spec, "-D", "o", src ? src : tmp, dst, NULL };
		r = run_tool(argv) ? -1 : 0;
		free(src);
	}
	if (fd >= 0) {
		close(fd);
		unlink(tmp);
	}
	free(tmp);
	return r;
}
