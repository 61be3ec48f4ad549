/* layout_check.c: pass 2 of layout_load (layout.c): the statements pass 1
 * (layout_parse.c) made become regions, disks and files, and how they relate is
 * checked: duplicates, overlaps, alignment, fit. */
#include "mkimage.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static struct disk *find_disk(struct layout *L, const char *name)
{
	for (int i = 0; i < L->ndisks; i++)
		if (!strcasecmp(L->disks[i].name, name))
			return &L->disks[i];
	return NULL;
}

static int ranges_overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1; /* half-open [a0,a1) and [b0,b1) */
}

static void build_regions(struct layout_ctx *c, struct layout *L)
{
	for (int i = 0; i < c->nst; i++) {
		const struct stmt *s = &c->st[i];
		if (s->kind != K_REGION)
			continue;
		const struct region *dup = layout_region(L, s->name);
		if (dup) {
			layout_problem(c, s->line, "duplicate region '%s' (first declared on line %d)",
				       s->name, dup->line);
			continue;
		}
		if (L->nregions == MAX_REGIONS) {
			layout_problem(c, s->line, "too many regions (max %d)", MAX_REGIONS);
			continue;
		}
		uint64_t start = stmt_num(s, "start"), size = stmt_num(s, "size");
		if (start + size > 0x100000000ull) {
			layout_problem(
				c, s->line,
				"region %s wraps past 4 GiB: start 0x%08llX + size 0x%llX = 0x%llX",
				s->name, (unsigned long long)start, (unsigned long long)size,
				(unsigned long long)(start + size));
			continue;
		}
		struct region *r = &L->regions[L->nregions];
		/* an identifier: layout_parse.c kept it shorter than NAME_MAX_LEN */
		snprintf(r->name, sizeof r->name, "%.*s", NAME_MAX_LEN - 1, s->name);
		r->start = (uint32_t)start;
		r->size = (uint32_t)size;
		r->end = start + size;
		r->line = s->line;
		for (int j = 0; j < L->nregions; j++) {
			const struct region *o = &L->regions[j];
			if (ranges_overlap(r->start, r->end, o->start, o->end))
				layout_problem(
					c, s->line,
					"region %s [0x%08X, 0x%08llX) overlaps region %s [0x%08X, 0x%08llX) from line %d",
					r->name, r->start, (unsigned long long)r->end, o->name, o->start,
					(unsigned long long)o->end, o->line);
		}
		L->nregions++;
	}
}

static void build_disks(struct layout_ctx *c, struct layout *L)
{
	for (int i = 0; i < c->nst; i++) {
		const struct stmt *s = &c->st[i];
		if (s->kind != K_DISK)
			continue;
		const struct disk *dup = find_disk(L, s->name);
		if (dup) {
			layout_problem(c, s->line, "duplicate disk '%s' (first declared on line %d)",
				       s->name, dup->line);
			continue;
		}
		int bad = 0;
		uint64_t sectors = 0;
		if (stmt_has(s, "sectors") && stmt_has(s, "size")) {
			layout_problem(c, s->line, "disk %s: give sectors= or size=, not both", s->name);
			bad = 1;
		} else if (stmt_has(s, "sectors")) {
			sectors = stmt_num(s, "sectors");
		} else if (stmt_has(s, "size")) {
			uint64_t size = stmt_num(s, "size");
			if (size % SECTOR_BYTES) {
				layout_problem(
					c, s->line,
					"disk %s: size=%llu is not a whole number of %u-byte sectors (%llu bytes left over)",
					s->name, (unsigned long long)size, SECTOR_BYTES,
					(unsigned long long)(size % SECTOR_BYTES));
				bad = 1;
			}
			sectors = size / SECTOR_BYTES;
		} else {
			layout_problem(c, s->line, "disk %s: missing key sectors= (or size=)", s->name);
			bad = 1;
		}
		for (int j = 0; j < L->ndisks; j++)
			if (!strcmp(L->disks[j].file, stmt_str(s, "file"))) {
				layout_problem(
					c, s->line,
					"disk %s: file=%s is already the image of disk %s (line %d)",
					s->name, stmt_str(s, "file"), L->disks[j].name,
					L->disks[j].line);
				bad = 1;
			}
		if (bad)
			continue;
		if (L->ndisks == MAX_DISKS) {
			layout_problem(c, s->line, "too many disks (max %d)", MAX_DISKS);
			continue;
		}
		struct disk *d = &L->disks[L->ndisks++];
		memset(d, 0, sizeof *d);
		/* an identifier: layout_parse.c kept it shorter than NAME_MAX_LEN */
		snprintf(d->name, sizeof d->name, "%.*s", NAME_MAX_LEN - 1, s->name);
		snprintf(d->file, sizeof d->file, "%s", stmt_str(s, "file"));
		d->sectors = (uint32_t)sectors;
		d->signature = (uint32_t)stmt_num(s, "signature");
		d->line = s->line;
	}
}

static void add_partition(struct layout_ctx *c, struct disk *d, const struct stmt *s)
{
	const char *name = stmt_has(s, "name") ? stmt_str(s, "name") : "";
	for (int j = 0; j < d->nparts; j++) {
		const struct partition *o = &d->parts[j];
		if (strcasecmp(o->name, name))
			continue;
		if (name[0])
			layout_problem(c, s->line,
				       "duplicate partition '%s' on disk %s (first declared on line %d)",
				       name, d->name, o->line);
		else
			layout_problem(
				c, s->line,
				"a second partition of disk %s without name= (the first on line %d): the generated names need one",
				d->name, o->line);
		return;
	}
	if (d->nparts == MBR_ENTRIES) {
		layout_problem(c, s->line, "too many partitions on disk %s (an MBR holds %d)", d->name,
			       MBR_ENTRIES);
		return;
	}
	struct partition *p = &d->parts[d->nparts++];
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name);
	p->number = d->nparts;
	p->lba = (uint32_t)stmt_num(s, "lba");
	p->sectors = (uint32_t)stmt_num(s, "sectors");
	p->type = (uint8_t)stmt_num(s, "type");
	const char *fs = stmt_str(s, "fs");
	p->fs = !strcmp(fs, "fat12") ? FS_FAT12 : !strcmp(fs, "fat16") ? FS_FAT16 : FS_SWAP;
	snprintf(p->label, sizeof p->label, "%s", stmt_str(s, "label"));
	/* swaplabel and blkid print a UUID in lower case */
	for (int i = 0; stmt_str(s, "uuid")[i]; i++)
		p->uuid[i] = (char)tolower((unsigned char)stmt_str(s, "uuid")[i]);
	p->active = stmt_has(s, "active");
	p->line = s->line;
}

static void build_disk_parts(struct layout_ctx *c, struct layout *L)
{
	for (int i = 0; i < c->nst; i++) {
		const struct stmt *s = &c->st[i];
		if (s->kind != K_AREA && s->kind != K_PARTITION && s->kind != K_VOLUME)
			continue;
		struct disk *d = find_disk(L, s->name);
		if (!d) {
			/* a disk line that failed its own checks has been reported already */
			int declared = 0;
			for (int j = 0; j < c->nst; j++)
				if (c->st[j].kind == K_DISK && !strcasecmp(c->st[j].name, s->name))
					declared = 1;
			if (!declared)
				layout_problem(
					c, s->line,
					"%s for undeclared disk '%s' (declare it with `disk %s file=... sectors=... signature=...`)",
					stmt_kind(s), s->name, s->name);
			continue;
		}
		if (s->kind == K_AREA) {
			struct area *dupa = NULL;
			for (int j = 0; j < d->nareas; j++)
				if (!strcasecmp(d->areas[j].name, stmt_str(s, "name")))
					dupa = &d->areas[j];
			if (dupa) {
				layout_problem(
					c, s->line,
					"duplicate area '%s' on disk %s (first declared on line %d)",
					dupa->name, d->name, dupa->line);
				continue;
			}
			if (d->nareas == MAX_AREAS) {
				layout_problem(c, s->line, "too many areas on disk %s (max %d)", d->name,
					       MAX_AREAS);
				continue;
			}
			struct area *a = &d->areas[d->nareas++];
			snprintf(a->name, sizeof a->name, "%s", stmt_str(s, "name"));
			a->lba = (uint32_t)stmt_num(s, "lba");
			a->sectors = (uint32_t)stmt_num(s, "sectors");
			snprintf(a->src, sizeof a->src, "%s", stmt_str(s, "src"));
			a->line = s->line;
		} else if (s->kind == K_PARTITION) {
			add_partition(c, d, s);
		} else {
			if (d->vol.present) {
				layout_problem(c, s->line,
					       "duplicate volume on disk %s (first declared on line %d)",
					       d->name, d->vol.line);
				continue;
			}
			struct volume *v = &d->vol;
			v->present = 1;
			v->fs = !strcmp(stmt_str(s, "fs"), "fat12") ? FS_FAT12 : FS_FAT16;
			v->reserved = (uint32_t)stmt_num(s, "reserved");
			snprintf(v->label, sizeof v->label, "%s", stmt_str(s, "label"));
			v->line = s->line;
		}
	}
}

static void check_fat_label(struct layout_ctx *c, int line, const char *label)
{
	if (!fat_label_ok(label))
		layout_problem(
			c, line,
			"label=%s is not a FAT volume label (at most %u upper-case letters, digits or !#$%%&'()-@^_`{}~)",
			label, FAT_LABEL_MAX_LEN);
}

/* What a partition's file system asks of it */
static void check_partition_fs(struct layout_ctx *c, const struct disk *d, const struct partition *p)
{
	char t[48];
	partition_title(d, p, t, sizeof t);
	switch (p->fs) {
	case FS_FAT16:
		if (p->type == MBR_TYPE_SWAP)
			layout_problem(c, p->line,
				       "partition %s: type=0x%02X is Linux swap's, not fs=fat16's", t,
				       MBR_TYPE_SWAP);
		check_fat_label(c, p->line, p->label);
		if (p->uuid[0])
			layout_problem(
				c, p->line,
				"partition %s: uuid= is for swap; a FAT volume's serial is the disk signature",
				t);
		if (!p->active)
			layout_problem(
				c, p->line,
				"partition %s is not marked active; the MBR needs exactly one active entry (some BIOSes refuse a table without one)",
				t);
		break;
	case FS_SWAP:
		if (p->type != MBR_TYPE_SWAP)
			layout_problem(
				c, p->line,
				"partition %s: fs=swap needs type=0x%02X (Linux swap), not 0x%02X", t,
				MBR_TYPE_SWAP, p->type);
		if (p->sectors % SWAP_PAGE_SECTORS)
			layout_problem(
				c, p->line,
				"partition %s: %u sectors is not a whole number of %u KiB pages (%u sectors each; %u left over)",
				t, p->sectors, SWAP_PAGE_SIZE / 1024, SWAP_PAGE_SECTORS,
				p->sectors % SWAP_PAGE_SECTORS);
		else if (p->sectors / SWAP_PAGE_SECTORS < MKSWAP_MIN_PAGES)
			layout_problem(
				c, p->line,
				"partition %s: %u pages are too few for swap (mkswap wants at least %u, %u sectors)",
				t, p->sectors / SWAP_PAGE_SECTORS, MKSWAP_MIN_PAGES,
				MKSWAP_MIN_PAGES * SWAP_PAGE_SECTORS);
		if (!p->uuid[0])
			layout_problem(
				c, p->line,
				"partition %s: fs=swap needs uuid= (a fixed UUID makes every build's image the same)",
				t);
		for (const char *q = p->label; *q; q++)
			if (!isgraph((unsigned char)*q)) {
				layout_problem(
					c, p->line,
					"partition %s: a swap label is printable ASCII, byte 0x%02X is not",
					t, (unsigned char)*q);
				break;
			}
		if (p->active)
			layout_problem(c, p->line,
				       "partition %s: a swap partition cannot be the active (boot) one",
				       t);
		break;
	default:
		layout_problem(c, p->line,
			       "partition %s: fs=fat12 is not supported on a partition (fat16 or swap)",
			       t);
		break;
	}
}

static void check_partition(struct layout_ctx *c, const struct disk *d, const struct partition *p)
{
	char t[48];
	partition_title(d, p, t, sizeof t);
	uint64_t end = (uint64_t)p->lba + p->sectors;
	if (p->lba == 0)
		layout_problem(c, p->line, "partition %s starts at LBA 0, which is the MBR", t);
	else if (p->lba % PART_ALIGN)
		layout_problem(
			c, p->line,
			"partition %s at LBA %u is not 1 MiB aligned (LBA a multiple of %u; nearest %u or %u)",
			t, p->lba, PART_ALIGN, p->lba / PART_ALIGN * PART_ALIGN,
			(p->lba / PART_ALIGN + 1) * PART_ALIGN);
	if (end > d->sectors)
		layout_problem(
			c, p->line,
			"partition %s (LBA %u..%llu) does not fit on disk %s (%u sectors, last LBA %u, line %d)",
			t, p->lba, (unsigned long long)end - 1, d->name, d->sectors, d->sectors - 1,
			d->line);
	for (const struct partition *o = d->parts; o < p; o++)
		if (ranges_overlap(p->lba, end, o->lba, (uint64_t)o->lba + o->sectors)) {
			char ot[48];
			partition_title(d, o, ot, sizeof ot);
			layout_problem(
				c, p->line,
				"partition %s (LBA %u..%llu) overlaps partition %s (LBA %u..%llu, line %d)",
				t, p->lba, (unsigned long long)end - 1, ot, o->lba,
				(unsigned long long)o->lba + o->sectors - 1, o->line);
		}
	check_partition_fs(c, d, p);
}

static void check_disk(struct layout_ctx *c, const struct disk *d)
{
	const struct volume *v = &d->vol;

	if (!d->nparts && !v->present)
		layout_problem(c, d->line, "disk %s has neither a partition nor a volume", d->name);
	if (d->nparts && v->present)
		layout_problem(c, v->line,
			       "disk %s has both a partition (line %d) and a volume; give one", d->name,
			       d->parts[0].line);

	const struct partition *fat = NULL;
	for (int i = 0; i < d->nparts; i++) {
		const struct partition *p = &d->parts[i];
		check_partition(c, d, p);
		if (p->fs != FS_FAT16)
			continue;
		if (fat)
			layout_problem(
				c, p->line,
				"a second fat16 partition on disk %s (the first on line %d); the files go to one",
				d->name, fat->line);
		else
			fat = p;
	}
	if (d->nparts && !fat)
		layout_problem(c, d->line,
			       "disk %s has no fat16 partition for the loader and the files to go to",
			       d->name);
	if (v->present) {
		check_fat_label(c, v->line, v->label);
		if (v->fs != FS_FAT12)
			layout_problem(
				c, v->line,
				"volume %s: fs=fat16 is not supported for an unpartitioned volume (fat12, 1.44 MB floppy)",
				d->name);
		else if (d->sectors != FDD_1440_SECTORS)
			layout_problem(
				c, v->line,
				"volume %s: a fat12 volume is a 1.44 MB floppy, but disk %s has %u sectors, not %u",
				d->name, d->name, d->sectors, FDD_1440_SECTORS);
		uint64_t need = 0;
		const struct area *worst = NULL;
		for (int i = 0; i < d->nareas; i++) {
			uint64_t e = (uint64_t)d->areas[i].lba + d->areas[i].sectors;
			if (e > need)
				need = e, worst = &d->areas[i];
		}
		if (worst && v->reserved < need) {
			char t[48];
			area_title(worst, t, sizeof t);
			layout_problem(
				c, v->line,
				"volume %s: reserved=%u is smaller than %u + the %u sectors of %s (line %d): it needs at least %llu",
				d->name, v->reserved, worst->lba, worst->sectors, t, worst->line,
				(unsigned long long)need);
		}
	}

	for (int i = 0; i < d->nareas; i++) {
		const struct area *a = &d->areas[i];
		uint64_t end = (uint64_t)a->lba + a->sectors;
		if (end > d->sectors)
			layout_problem(c, a->line,
				       "area %s %s (LBA %u..%llu) does not fit on disk %s (%u sectors)",
				       d->name, a->name, a->lba, (unsigned long long)end - 1, d->name,
				       d->sectors);
		if (a->lba == 0 && a->sectors != 1)
			layout_problem(
				c, a->line,
				"area %s %s at LBA 0 is the boot sector and must be 1 sector, not %u",
				d->name, a->name, a->sectors);
		for (int j = 0; j < i; j++) {
			const struct area *o = &d->areas[j];
			if (ranges_overlap(a->lba, end, o->lba, (uint64_t)o->lba + o->sectors))
				layout_problem(
					c, a->line,
					"area %s %s (LBA %u..%llu) overlaps area %s (LBA %u..%llu, line %d)",
					d->name, a->name, a->lba, (unsigned long long)end - 1, o->name,
					o->lba, (unsigned long long)o->lba + o->sectors - 1, o->line);
		}
		for (const struct partition *p = d->parts; p < d->parts + d->nparts; p++) {
			if (!ranges_overlap(a->lba, end, p->lba, (uint64_t)p->lba + p->sectors))
				continue;
			char t[48], pt[48];
			area_title(a, t, sizeof t);
			partition_title(d, p, pt, sizeof pt);
			if (a->lba < p->lba)
				layout_problem(
					c, a->line,
					"%s (%u sectors, LBA %u..%llu) is larger than the gap between the MBR and the partition at LBA %u (room for %u sectors, line %d)",
					t, a->sectors, a->lba, (unsigned long long)end - 1, p->lba,
					p->lba - a->lba, p->line);
			else
				layout_problem(
					c, a->line,
					"area %s %s (LBA %u..%llu) overlaps partition %s (LBA %u..%llu, line %d)",
					d->name, a->name, a->lba, (unsigned long long)end - 1, pt,
					p->lba, (unsigned long long)p->lba + p->sectors - 1, p->line);
		}
	}
}

/* Names on FAT match without regard to case, so paths do too */
static const struct dir_entry *find_dir(const struct layout *L, const char *path)
{
	for (int i = 0; i < L->ndirs; i++)
		if (!strcasecmp(L->dirs[i].path, path))
			return &L->dirs[i];
	return NULL;
}

static const struct file_entry *find_file(const struct layout *L, const char *path)
{
	for (int i = 0; i < L->nfiles; i++)
		if (!strcasecmp(L->files[i].path, path))
			return &L->files[i];
	return NULL;
}

/* A dir's or file's parent must be declared: a misspelt directory is a
 * mistake to name, not a directory to make */
static void check_parent(struct layout_ctx *c, const struct layout *L, const char *kind,
			 const char *path, int line)
{
	char parent[FILE_MAX_LEN];
	path_parent(path, parent);
	if (parent[0] && !find_dir(L, parent))
		layout_problem(c, line, "%s %s: its directory %s is not declared (add `dir %s`)", kind,
			       path, parent, parent);
}

static void build_dirs(struct layout_ctx *c, struct layout *L)
{
	for (int i = 0; i < c->nst; i++) {
		const struct stmt *s = &c->st[i];
		if (s->kind != K_DIR)
			continue;
		const struct dir_entry *dup = find_dir(L, s->name);
		if (dup) {
			layout_problem(c, s->line, "duplicate dir %s (first declared on line %d)",
				       s->name, dup->line);
			continue;
		}
		if (L->ndirs == MAX_DIRS) {
			layout_problem(c, s->line, "too many directories (max %d)", MAX_DIRS);
			continue;
		}
		struct dir_entry *d = &L->dirs[L->ndirs++];
		snprintf(d->path, sizeof d->path, "%s", s->name);
		d->line = s->line;
	}
	for (int i = 0; i < L->ndirs; i++)
		check_parent(c, L, "dir", L->dirs[i].path, L->dirs[i].line);
}

static void build_files(struct layout_ctx *c, struct layout *L)
{
	for (int i = 0; i < c->nst; i++) {
		const struct stmt *s = &c->st[i];
		if (s->kind != K_FILE)
			continue;
		const struct file_entry *dup = find_file(L, s->name);
		if (dup) {
			layout_problem(c, s->line, "duplicate file %s (first declared on line %d)",
				       s->name, dup->line);
			continue;
		}
		const struct dir_entry *dir = find_dir(L, s->name);
		if (dir) {
			layout_problem(c, s->line,
				       "file %s: a directory of that name is declared on line %d",
				       s->name, dir->line);
			continue;
		}
		int src = stmt_has(s, "src"), gen = stmt_has(s, "gen");
		if (src == gen) {
			layout_problem(
				c, s->line,
				src ? "file %s: give src= or gen=, not both"
				    : "file %s: missing key src= (a file of the build) or gen= (a size to generate)",
				s->name);
			continue;
		}
		if (L->nfiles == MAX_FILES) {
			layout_problem(c, s->line, "too many files (max %d)", MAX_FILES);
			continue;
		}
		struct file_entry *f = &L->files[L->nfiles++];
		snprintf(f->path, sizeof f->path, "%s", s->name);
		snprintf(f->src, sizeof f->src, "%s", src ? stmt_str(s, "src") : "");
		f->generated = gen;
		f->gen_size = (uint32_t)stmt_num(s, "gen");
		f->line = s->line;
		check_parent(c, L, "file", f->path, f->line);
	}
}

void layout_check(struct layout_ctx *c, struct layout *L, int last_line)
{
	build_regions(c, L);
	build_disks(c, L);
	build_disk_parts(c, L);
	build_dirs(c, L);
	build_files(c, L);
	for (int i = 0; i < L->ndisks; i++)
		check_disk(c, &L->disks[i]);
	if (!L->ndisks && !c->nmsgs)
		layout_problem(c, last_line, "no disk declared");
}
