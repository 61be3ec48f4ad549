/* build.c: `mkimage build`: assemble each disk image from the files the
 * build left in BUILDDIR. The image is made in a temp file beside the
 * target and renamed over it only when every step succeeded. */
#include "mkimage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct input {
	const struct area *area;
	char *path;
	uint8_t *data;
	size_t len;
};

/* Reads and checks everything the disk needs before touching any file. */
static int load_inputs(const struct layout *L, const char *builddir, const struct disk *d,
		       struct input in[MAX_AREAS], uint8_t boot[512])
{
	int ok = 1;
	for (int i = 0; i < d->nareas; i++) {
		const struct area *a = &d->areas[i];
		in[i].area = a;
		in[i].path = path_join(builddir, a->src);
		if (slurp(in[i].path, &in[i].data, &in[i].len) < 0) {
			fprintf(stderr, "mkimage: %s: %s (src of area %s %s, layout line %d)\n",
				in[i].path, errno == ENOENT ? "missing" : strerror(errno), d->name,
				a->name, a->line);
			in[i].data = NULL;
			ok = 0;
			continue;
		}
		if (a->lba == 0) {
			if (d->nparts) {
				if (mbr_build(d, in[i].path, in[i].data, in[i].len, boot) < 0)
					ok = 0;
			} else if (vbr_check(in[i].path, in[i].data, in[i].len) < 0) {
				ok = 0;
			}
		} else if (in[i].len > (uint64_t)a->sectors * SECTOR_BYTES) {
			char t[48];
			area_title(a, t, sizeof t);
			fprintf(stderr,
				"mkimage: %s: %s is %zu bytes, its area holds %llu "
				"(%u sectors at LBA %u, layout line %d)\n",
				in[i].path, t, in[i].len, (unsigned long long)a->sectors * SECTOR_BYTES,
				a->sectors, a->lba, a->line);
			ok = 0;
		}
	}
	int has_boot = 0;
	for (int i = 0; i < d->nareas; i++)
		has_boot |= d->areas[i].lba == 0;
	if (!has_boot) {
		fprintf(stderr, "mkimage: disk %s: no area at LBA 0, so the image would not boot\n",
			d->name);
		ok = 0;
	}
	for (int i = 0; i < L->nfiles; i++) {
		const struct file_entry *f = &L->files[i];
		if (f->generated)
			continue;
		char *src = path_join(builddir, f->src);
		uint8_t *buf;
		size_t len;
		if (slurp(src, &buf, &len) < 0) {
			fprintf(stderr, "mkimage: %s: %s (src of file %s, layout line %d)\n", src,
				errno == ENOENT ? "missing" : strerror(errno), f->path, f->line);
			ok = 0;
		} else {
			/* the loader refuses a kernel that fails these, so refuse to ship one */
			if (!strcmp(f->path, "/KERNEL.BIN") && kernel_check_file(L, src, buf, len) < 0)
				ok = 0;
			free(buf);
		}
		free(src);
	}
	return ok ? 0 : -1;
}

static int write_area(int fd, const char *tmp, const struct input *in)
{
	size_t n = (size_t)in->area->sectors * SECTOR_BYTES;
	uint8_t *buf = xmalloc(n);
	memset(buf, 0, n);
	memcpy(buf, in->data, in->len);
	int r = pwrite_all(fd, buf, n, (uint64_t)in->area->lba * SECTOR_BYTES);
	free(buf);
	if (r < 0)
		fprintf(stderr, "mkimage: %s: %s\n", tmp, strerror(errno));
	return r;
}

static int assemble(const struct layout *L, const char *builddir, const struct disk *d, const char *tmp,
		    int fd, struct input in[MAX_AREAS], const uint8_t boot[512])
{
	struct bpb b;
	uint64_t off;

	if (ftruncate(fd, (off_t)d->sectors * SECTOR_BYTES) < 0) {
		fprintf(stderr, "mkimage: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	const struct partition *fat = disk_fat_partition(d);
	if (fat) {
		for (int i = 0; i < d->nparts; i++)
			if (d->parts[i].fs == FS_SWAP &&
			    swap_format_partition(tmp, fd, d, &d->parts[i]) < 0)
				return -1;
		off = (uint64_t)fat->lba * SECTOR_BYTES;
		if (fat_format_partition(tmp, d) < 0 || fat_check(tmp, off, 16, d, &b) < 0)
			return -1;
		for (int i = 0; i < d->nareas; i++)
			if (in[i].area->lba && write_area(fd, tmp, &in[i]) < 0)
				return -1;
		if (pwrite_all(fd, boot, SECTOR_BYTES, 0) < 0) {
			fprintf(stderr, "mkimage: %s: %s\n", tmp, strerror(errno));
			return -1;
		}
	} else {
		off = 0;
		if (fat_format_floppy(tmp, d) < 0 || fat_check(tmp, 0, 12, d, &b) < 0)
			return -1;
		uint8_t s[512];
		if (pread_all(fd, s, sizeof s, 0) < 0) {
			fprintf(stderr, "mkimage: %s: %s\n", tmp, strerror(errno));
			return -1;
		}
		for (int i = 0; i < d->nareas; i++) {
			if (in[i].area->lba == 0)
				vbr_overlay(s, in[i].data);
			else if (write_area(fd, tmp, &in[i]) < 0)
				return -1;
		}
		if (pwrite_all(fd, s, sizeof s, 0) < 0) {
			fprintf(stderr, "mkimage: %s: %s\n", tmp, strerror(errno));
			return -1;
		}
	}
	if (fat_copy_files(L, tmp, off, &b, builddir, d) < 0)
		return -1;
	/* mcopy must not have disturbed what the loader relies on */
	struct bpb after;
	if (fat_check(tmp, off, fat ? 16 : 12, d, &after) < 0)
		return -1;
	if (fsync(fd) < 0) {
		fprintf(stderr, "mkimage: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

static int build_disk(const struct layout *L, const char *builddir, const struct disk *d)
{
	struct input in[MAX_AREAS];
	uint8_t boot[512];
	char *out = path_join(builddir, d->file), *tmp = NULL;
	int rc = -1;

	memset(in, 0, sizeof in);
	memset(boot, 0, sizeof boot);
	if (load_inputs(L, builddir, d, in, boot) == 0) {
		int fd = temp_beside(out, &tmp);
		if (fd < 0) {
			fprintf(stderr, "mkimage: %s: cannot create a temp file: %s\n", out,
				strerror(errno));
		} else {
			rc = assemble(L, builddir, d, tmp, fd, in, boot);
			if (close(fd) < 0 && rc == 0) {
				fprintf(stderr, "mkimage: %s: %s\n", tmp, strerror(errno));
				rc = -1;
			}
			if (rc == 0 && rename(tmp, out) < 0) {
				fprintf(stderr, "mkimage: %s: %s\n", out, strerror(errno));
				rc = -1;
			}
			if (rc)
				unlink(tmp);
		}
	}
	if (rc)
		fprintf(stderr, "mkimage: %s: not built (disk %s); any previous image is unchanged\n",
			out, d->name);
	else
		printf("mkimage: %s: disk %s, %u sectors\n", out, d->name, d->sectors);
	for (int i = 0; i < d->nareas; i++) {
		free(in[i].path);
		free(in[i].data);
	}
	free(tmp);
	free(out);
	return rc;
}

int cmd_build(const struct layout *L, const char *builddir, char *const disks[], int ndisks)
{
	const struct disk *todo[MAX_DISKS];
	int n = 0, failed = 0;

	/* mtools: images are not real drives; no geometry sanity checks */
	setenv("MTOOLS_SKIP_CHECK", "1", 1);
	if (ndisks == 0) {
		for (int i = 0; i < L->ndisks; i++)
			todo[n++] = &L->disks[i];
	}
	for (int i = 0; i < ndisks; i++) {
		const struct disk *d = layout_disk(L, disks[i]);
		if (!d) {
			fprintf(stderr, "mkimage: no disk '%s' in %s (disks:", disks[i], L->path);
			for (int j = 0; j < L->ndisks; j++)
				fprintf(stderr, " %s", L->disks[j].name);
			fprintf(stderr, ")\n");
			return 1;
		}
		int dup = 0;
		for (int j = 0; j < n; j++)
			dup |= todo[j] == d;
		if (!dup)
			todo[n++] = d;
	}
	struct stat st;
	if (stat(builddir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "mkimage: %s: not a directory\n", builddir);
		return 1;
	}
	for (int i = 0; i < n; i++)
		if (build_disk(L, builddir, todo[i]) < 0)
			failed = 1;
	return failed;
}
