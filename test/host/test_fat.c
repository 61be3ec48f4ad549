/* sources: kernel/fs/fat.c lib/string.c lib/format.c */
/* test_fat.c - kernel/fs/fat.c on volumes this test lays out in memory, sector by
 * sector, so that each damage is exactly the one planted: every BPB refusal with its
 * message, chains that loop, leave the volume, end early or go on too long, long
 * names (checksums, orders, UTF-8, a name split across sectors), NT case flags,
 * lookups, reads at random offsets across fragmented chains, and how many source
 * reads they cost; what a file's first read asks the source to read ahead. The source refuses (and the test fails on) any read past the
 * device's end. test_fat_mtools.sh checks the reader against mtools' volumes. */
#include "check.h"
#include "errors.h"
#include "lib.h"
#include "../../kernel/fs/fat.h"

#define SECTOR 512
#define FAT32_DEVICE_SECTORS 72000 /* enough for 65525 one-sector clusters */
#define EOC12 0xFFF
#define EOC16 0xFFFF
#define EOC32 0x0FFFFFFF
#define ENTRY 32

/* the volume under test and its source */
static struct image {
	uint8_t *bytes;
	uint32_t sectors; /* the device */
	unsigned type;
	uint32_t per_cluster, reserved, fats, fat_sectors, root_entries, root_start, data_start;
	uint32_t clusters, root_cluster, next_free;
	/* what the reader did */
	unsigned calls, data_calls;
	uint32_t fail_lba; /* a read touching it fails with ERR_IO */
	bool past_end;     /* it asked for a sector past the device */
	/* read_ahead's calls, and the last one's range */
	unsigned ahead_calls;
	uint32_t ahead_lba, ahead_count;
} img;

static struct fat_volume vol;

static int image_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
	struct image *im = ctx;

	if (count == 0 || lba >= im->sectors || count > im->sectors - lba) {
		im->past_end = true;
		return ERR_RANGE;
	}
	im->calls++;
	if (lba >= im->data_start)
		im->data_calls++;
	if (im->fail_lba >= lba && im->fail_lba - lba < count)
		return ERR_IO;
	memcpy(buf, im->bytes + (size_t)lba * SECTOR, (size_t)count * SECTOR);
	return 0;
}

static int image_read_ahead(void *ctx, uint32_t lba, uint32_t count)
{
	struct image *im = ctx;

	if (count == 0 || lba >= im->sectors || count > im->sectors - lba)
		im->past_end = true;
	im->ahead_calls++;
	im->ahead_lba = lba;
	im->ahead_count = count;
	return ERR_IO; /* advice only: the reader must not care */
}

static uint8_t *sector(uint32_t lba)
{
	return img.bytes + (size_t)lba * SECTOR;
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v);
	put16(p + 2, v >> 16);
}

static uint32_t fat_bytes_for(unsigned type, uint32_t clusters)
{
	uint32_t last = clusters + 1;

	return type == 12 ? last + last / 2 + 2 : (last + 1) * (type / 8);
}

/* Lays out an empty volume filling the device: FAT type, sectors per cluster, and
 * root entries (0 for FAT32). */
static void lay_out(unsigned type, uint32_t sectors, uint32_t per_cluster, uint32_t root_entries)
{
	uint32_t root_sectors = root_entries * ENTRY / SECTOR;
	uint8_t *b;

	free(img.bytes);
	memset(&img, 0, sizeof img);
	img.bytes = calloc(sectors, SECTOR);
	img.sectors = sectors;
	img.type = type;
	img.per_cluster = per_cluster;
	img.reserved = type == 32 ? 32 : 1;
	img.fats = 2;
	img.root_entries = root_entries;
	img.fail_lba = UINT32_MAX;
	for (img.fat_sectors = 1;; img.fat_sectors++) {
		img.data_start = img.reserved + img.fats * img.fat_sectors + root_sectors;
		img.clusters = (sectors - img.data_start) / per_cluster;
		if (fat_bytes_for(type, img.clusters) <= img.fat_sectors * SECTOR)
			break;
	}
	img.root_start = img.reserved + img.fats * img.fat_sectors;
	img.next_free = 2;
	b = sector(0);
	b[0] = 0xEB;
	b[1] = 0x3C;
	b[2] = 0x90;
	memcpy(b + 3, "VLSTEST ", 8);
	put16(b + 11, SECTOR);
	b[13] = (uint8_t)per_cluster;
	put16(b + 14, img.reserved);
	b[16] = (uint8_t)img.fats;
	put16(b + 17, root_entries);
	if (sectors < 0x10000)
		put16(b + 19, sectors);
	else
		put32(b + 32, sectors);
	b[21] = 0xF8;
	if (type == 32) {
		put32(b + 36, img.fat_sectors);
		put32(b + 44, 2);
		b[66] = 0x29;
		memcpy(b + 71, "TEST VOLUME", 11);
	} else {
		put16(b + 22, img.fat_sectors);
		b[38] = 0x29;
		memcpy(b + 43, "TESTVOL    ", 11);
	}
	b[510] = 0x55;
	b[511] = 0xAA;
}

static void set_fat(uint32_t cluster, uint32_t value)
{
	for (uint32_t f = 0; f < img.fats; f++) {
		uint8_t *fat = sector(img.reserved + f * img.fat_sectors);

		if (img.type == 12) {
			uint8_t *p = fat + cluster + cluster / 2;
			uint32_t old = p[0] | p[1] << 8;
			uint32_t v = cluster & 1 ? (old & 0x000F) | value << 4
						 : (old & 0xF000) | (value & 0xFFF);

			put16(p, v);
		} else if (img.type == 16) {
			put16(fat + cluster * 2, value);
		} else {
			put32(fat + cluster * 4, value);
		}
	}
}

static uint32_t get_fat(uint32_t cluster)
{
	uint8_t *fat = sector(img.reserved);

	if (img.type == 12) {
		uint32_t v = fat[cluster + cluster / 2] | fat[cluster + cluster / 2 + 1] << 8;
		return cluster & 1 ? v >> 4 : v & 0xFFF;
	}
	if (img.type == 16)
		return fat[cluster * 2] | fat[cluster * 2 + 1] << 8;
	return (fat[cluster * 4] | fat[cluster * 4 + 1] << 8 | fat[cluster * 4 + 2] << 16 |
		(uint32_t)fat[cluster * 4 + 3] << 24) &
	       0x0FFFFFFF;
}

static uint32_t eoc(void)
{
	return img.type == 12 ? EOC12 : img.type == 16 ? EOC16 : EOC32;
}

static uint8_t *cluster_data(uint32_t cluster)
{
	return sector(img.data_start + (cluster - 2) * img.per_cluster);
}

static uint32_t cluster_bytes(void)
{
	return img.per_cluster * SECTOR;
}

/* Links clusters[0..n) into a chain ending with an end mark. */
static void link_chain(const uint32_t *clusters, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		set_fat(clusters[i], i + 1 < n ? clusters[i + 1] : eoc());
}

/* n fresh clusters side by side, chained; the first */
static uint32_t alloc_run(uint32_t n)
{
	uint32_t first = img.next_free;

	for (uint32_t i = 0; i < n; i++)
		set_fat(first + i, i + 1 < n ? first + i + 1 : eoc());
	img.next_free += n;
	return first;
}

/* Entry `index` of the directory starting at cluster dir (0: the fixed root, or
 * FAT32's root), following the image's own FAT. */
static uint8_t *slot(uint32_t dir, uint32_t index)
{
	uint32_t per = cluster_bytes() / ENTRY;

	if (dir == 0 && img.type != 32)
		return sector(img.root_start) + index * ENTRY;
	if (dir == 0)
		dir = img.root_cluster ? img.root_cluster : 2;
	while (index >= per) {
		dir = get_fat(dir);
		index -= per;
	}
	return cluster_data(dir) + index * ENTRY;
}

/* an 8.3 entry; name is 11 bytes as stored */
static void put_entry(uint32_t dir, uint32_t index, const char *name, uint8_t attr, uint32_t cluster,
		      uint32_t size)
{
	uint8_t *e = slot(dir, index);

	memset(e, 0, ENTRY);
	memcpy(e, name, 11);
	e[11] = attr;
	put16(e + 20, cluster >> 16);
	put16(e + 26, cluster);
	put32(e + 28, size);
}

static uint8_t checksum(const char *name)
{
	uint8_t sum = 0;

	for (int i = 0; i < 11; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + (uint8_t)name[i]);
	return sum;
}

/* Long-name entries for units[0..n) before an 8.3 entry; returns the index after
 * them (where the 8.3 entry goes). */
static uint32_t put_long_units(uint32_t dir, uint32_t index, const uint16_t *units, uint32_t n,
			       const char *short_name)
{
	static const int offsets[13] = { 1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30 };
	uint32_t parts = (n + 12) / 13;

	for (uint32_t p = parts; p >= 1; p--, index++) {
		uint8_t *e = slot(dir, index);

		memset(e, 0, ENTRY);
		e[0] = (uint8_t)(p | (p == parts ? 0x40 : 0));
		e[11] = 0x0F;
		e[13] = checksum(short_name);
		for (int i = 0; i < 13; i++) {
			uint32_t k = (p - 1) * 13 + i;
			put16(e + offsets[i], k < n ? units[k] : k == n ? 0x0000 : 0xFFFF);
		}
	}
	return index;
}

static uint32_t put_long(uint32_t dir, uint32_t index, const char *name, const char *short_name,
			 uint8_t attr, uint32_t cluster, uint32_t size)
{
	uint16_t units[260];
	uint32_t n = (uint32_t)strlen(name);

	for (uint32_t i = 0; i < n; i++)
		units[i] = (uint8_t)name[i];
	index = put_long_units(dir, index, units, n, short_name);
	put_entry(dir, index, short_name, attr, cluster, size);
	return index + 1;
}

static uint8_t pattern(uint32_t id, uint32_t offset)
{
	return (uint8_t)(offset * 7 + id * 13 + (offset >> 9) * 3);
}

/* Fills a file's clusters with its pattern. */
static void fill_chain(uint32_t first, uint32_t id, uint32_t size)
{
	uint32_t cluster = first;

	for (uint32_t off = 0; off < size; off += cluster_bytes()) {
		uint8_t *d = cluster_data(cluster);

		for (uint32_t i = 0; i < cluster_bytes() && off + i < size; i++)
			d[i] = pattern(id, off + i);
		cluster = get_fat(cluster);
	}
}

static int mount(void)
{
	struct fat_source src = { .ctx = &img, .read = image_read, .sectors = img.sectors };
	int err = fat_mount(&vol, &src);

	CHECK_MSG(!img.past_end, "the reader asked for a sector past the device");
	return err;
}

/* mount fails with ERR_CORRUPT and a message containing `expected` */
static bool refused(int err, const char *expected)
{
	if (!CHECK_EQ_INT(err, ERR_CORRUPT))
		return false;
	return CHECK_MSG(strstr(vol.error, expected) != NULL, "\"%s\" does not say \"%s\"", vol.error,
			 expected);
}

static void small_fat12(void)
{
	lay_out(12, 2880, 1, 224);
}

static void small_fat16(void)
{
	lay_out(16, 8192, 1, 512);
}

static void fat32(void)
{
	lay_out(32, FAT32_DEVICE_SECTORS, 1, 0);
	img.root_cluster = alloc_run(1);
}

/* ---- mount ---- */

static void test_mount_each_type(void)
{
	small_fat12();
	if (CHECK_EQ_INT(mount(), 0)) {
		CHECK_EQ_UINT(vol.type, 12);
		CHECK_EQ_UINT(vol.clusters, img.clusters);
		CHECK_EQ_STR(vol.label, "TESTVOL");
		CHECK(vol.root.stat.is_dir);
		CHECK_EQ_STR(vol.root.path, "/");
	}
	small_fat16();
	if (CHECK_EQ_INT(mount(), 0)) {
		CHECK_EQ_UINT(vol.type, 16);
		CHECK_EQ_UINT(vol.data_start, img.data_start);
	}
	fat32();
	if (CHECK_EQ_INT(mount(), 0)) {
		CHECK_EQ_UINT(vol.type, 32);
		CHECK_EQ_UINT(vol.clusters, img.clusters);
		CHECK_EQ_STR(vol.label, "TEST VOLUME");
		CHECK_EQ_UINT(vol.root.stat.first_cluster, 2);
	}
}

/* each case damages a fresh volume's boot sector */
struct bpb_case {
	const char *what;
	void (*make)(void);
	uint32_t offset, width, value;
	const char *expected;
};

static const struct bpb_case bpb_cases[] = {
	{ "bytes per sector", small_fat16, 11, 2, 300, "bad BPB: 300 bytes per sector" },
	{ "4096-byte sectors", small_fat16, 11, 2, 4096, "bad BPB: 4096 bytes per sector" },
	{ "3 sectors per cluster", small_fat16, 13, 1, 3, "bad BPB: 3 sectors per cluster" },
	{ "0 sectors per cluster", small_fat16, 13, 1, 0, "bad BPB: 0 sectors per cluster" },
	{ "no reserved sectors", small_fat12, 14, 2, 0, "bad BPB: no reserved sectors" },
	{ "no FATs", small_fat12, 16, 1, 0, "bad BPB: 0 FATs" },
	{ "3 FATs", small_fat12, 16, 1, 3, "bad BPB: 3 FATs" },
	{ "media", small_fat12, 21, 1, 0x12, "bad BPB: media descriptor 0x12" },
	{ "boot signature", small_fat12, 510, 2, 0, "bad BPB: no boot signature" },
	{ "no size", small_fat12, 19, 2, 0, "bad BPB: a volume of 0 sectors" },
	{ "larger than the device", small_fat12, 19, 2, 40000,
	  "bad BPB: volume of 40000 sectors larger than its device (2880)" },
	{ "FAT32 size field larger than the device", fat32, 32, 4, 80000,
	  "bad BPB: volume of 80000 sectors larger than its device (72000)" },
	{ "no FAT sectors", fat32, 36, 4, 0, "bad BPB: FATs of 0 sectors" },
	{ "FAT too small", small_fat16, 22, 2, 20, "bad BPB: FATs of 20 sectors, too small for" },
	{ "no root entries", small_fat16, 17, 2, 0, "bad BPB: no root directory entries" },
	{ "no room for data", small_fat12, 14, 2, 2870, "leave no clusters in 2880" },
	{ "FAT32 with root entries", fat32, 17, 2, 512,
	  "bad BPB: FAT32 with 512 root directory entries" },
	{ "FAT32 version 1.0", fat32, 42, 2, 0x100, "bad BPB: FAT32 version 1.0" },
	{ "FAT32 active FAT 2 of 2", fat32, 40, 1, 0x82, "bad BPB: active FAT 2 of 2" },
	{ "FAT32 root out of range", fat32, 44, 4, 99999999,
	  "cluster 99999999 out of range in the chain of /" },
	{ "FAT32 root cluster 0", fat32, 44, 4, 0, "cluster 0 out of range in the chain of /" },
};

static void test_bpb_refusals(void)
{
	for (size_t i = 0; i < sizeof bpb_cases / sizeof bpb_cases[0]; i++) {
		const struct bpb_case *c = &bpb_cases[i];
		uint8_t *b;

		c->make();
		b = sector(0);
		if (c->width == 1)
			b[c->offset] = (uint8_t)c->value;
		else if (c->width == 2)
			put16(b + c->offset, c->value);
		else
			put32(b + c->offset, c->value);
		if (!refused(mount(), c->expected))
			printf("#   in case \"%s\"\n", c->what);
	}
}

static void test_bpb_fat16_with_too_many_clusters(void)
{
	/* the FAT32-sized device, laid out with FAT16's 16-bit BPB: 65525+ clusters */
	lay_out(16, FAT32_DEVICE_SECTORS, 1, 512);
	refused(mount(), "clusters make FAT32, but the BPB is FAT12/16's");
}

static void test_bpb_fat32_with_too_few_clusters(void)
{
	lay_out(32, 60000, 1, 0);
	refused(mount(), "too few for FAT32");
}

static void test_mount_empty_device_and_read_error(void)
{
	struct fat_source src = { .ctx = &img, .read = image_read, .sectors = 0 };

	small_fat12();
	refused(fat_mount(&vol, &src), "the device is empty");
	img.fail_lba = 0;
	CHECK_EQ_INT(mount(), ERR_IO);
	CHECK_MSG(strstr(vol.error, "read of 1 sectors at 0 failed") != NULL, "%s", vol.error);
}

/* a device a little larger than the volume is fine (a partition in a bigger disk) */
static void test_mount_volume_smaller_than_device(void)
{
	small_fat12();
	put16(sector(0) + 19, 2000);
	if (CHECK_EQ_INT(mount(), 0))
		CHECK_EQ_UINT(vol.sectors, 2000);
}

/* ---- lookups and listings ---- */

/* /README.TXT, /BIN/SH, /BIN/LONG file name.text, /BIN/EMPTY, /kernel.bin (NT
 * lower case), /DOCS/ with a second cluster of entries */
static uint32_t bin_cluster, docs_cluster;

static void populate(void)
{
	uint32_t sh, readme, longf, kernel, i;

	bin_cluster = alloc_run(1);
	docs_cluster = alloc_run(2);
	readme = alloc_run(3);
	sh = alloc_run(5);
	longf = alloc_run(1);
	kernel = alloc_run(2);
	i = 0;
	put_entry(0, i++, "VLSOS      ", 0x08, 0, 0); /* the volume label */
	put_entry(0, i++, "README  TXT", 0x20, readme, 3 * cluster_bytes() - 10);
	put_entry(0, i++, "BIN        ", 0x10, bin_cluster, 0);
	put_entry(0, i++, "\xE5OLD    TXT", 0x20, 77, 100); /* deleted */
	put_entry(0, i++, "KERNEL  BIN", 0x20, kernel, cluster_bytes() + 1);
	slot(0, i - 1)[12] = 0x18;
	put_entry(0, i++, "DOCS       ", 0x10, docs_cluster, 0);
	fill_chain(readme, 1, 3 * cluster_bytes() - 10);
	fill_chain(kernel, 4, cluster_bytes() + 1);

	put_entry(bin_cluster, 0, ".          ", 0x10, bin_cluster, 0);
	put_entry(bin_cluster, 1, "..         ", 0x10, 0, 0);
	put_entry(bin_cluster, 2, "SH         ", 0x20, sh, 5 * cluster_bytes());
	fill_chain(sh, 2, 5 * cluster_bytes());
	i = put_long(bin_cluster, 3, "LONG file name.text", "LONGFI~1TEX", 0x20, longf, 5);
	fill_chain(longf, 3, 5);
	put_entry(bin_cluster, i, "EMPTY      ", 0x20, 0, 0);

	put_entry(docs_cluster, 0, ".          ", 0x10, docs_cluster, 0);
	put_entry(docs_cluster, 1, "..         ", 0x10, 0, 0);
	/* fill the first cluster with deleted entries, the file sits in the second */
	for (i = 2; i < cluster_bytes() / ENTRY; i++)
		put_entry(docs_cluster, i, "\xE5ONE    TXT", 0x20, 0, 0);
	put_entry(docs_cluster, i, "FAR     TXT", 0x20, 0, 0);
}

static bool looks_up(const char *path, struct fat_node *node)
{
	int err = fat_lookup(&vol, path, node);

	return CHECK_MSG(err == 0, "lookup of %s: %d (%s)", path, err, vol.error);
}

static void test_lookup_paths(void)
{
	struct fat_node node, dir;
	struct fat_stat st;

	small_fat16();
	populate();
	if (!CHECK_EQ_INT(mount(), 0))
		return;
	if (looks_up("/BIN/SH", &node)) {
		CHECK_EQ_UINT(node.stat.size, 5 * cluster_bytes());
		CHECK(!node.stat.is_dir);
		CHECK_EQ_STR(node.path, "/BIN/SH");
	}
	looks_up("bin/sh", &node);
	looks_up("//Bin///sH", &node);
	if (looks_up("/BIN", &dir)) {
		CHECK(dir.stat.is_dir);
		CHECK_EQ_UINT(dir.stat.first_cluster, bin_cluster);
		CHECK_EQ_INT(fat_lookup_at(&vol, &dir, "sh", &node), 0);
		CHECK_EQ_STR(node.path, "/BIN/SH");
		CHECK_EQ_INT(fat_lookup_at(&vol, &dir, "/README.TXT", &node), 0);
		CHECK_EQ_INT(fat_lookup_at(&vol, &dir, "../readme.txt", &node), 0);
		CHECK_EQ_UINT(node.stat.size, 3 * cluster_bytes() - 10);
	}
	looks_up("/./BIN/../BIN/./SH", &node);
	if (looks_up("/../..", &node))
		CHECK(node.stat.is_dir && node.stat.first_cluster == 0);
	if (looks_up("", &node))
		CHECK(node.stat.is_dir);
	if (looks_up("/kernel.bin", &node))
		CHECK_EQ_UINT(node.stat.size, cluster_bytes() + 1);
	if (looks_up("/BIN/EMPTY", &node))
		CHECK_EQ_UINT(node.stat.size, 0);
	looks_up("/DOCS/FAR.TXT", &node);
	CHECK_EQ_INT(fat_stat(&vol, "/BIN/SH", &st), 0);
	CHECK_EQ_UINT(st.size, 5 * cluster_bytes());
	CHECK_EQ_UINT(st.attributes, 0x20);

	CHECK_EQ_INT(fat_lookup(&vol, "/BIN/CSH", &node), ERR_NOENT);
	CHECK_EQ_STR(vol.error, "no CSH in /BIN");
	CHECK_EQ_INT(fat_lookup(&vol, "/OLD.TXT", &node), ERR_NOENT); /* deleted */
	CHECK_EQ_INT(fat_lookup(&vol, "/VLSOS", &node), ERR_NOENT);   /* a label */
	CHECK_EQ_INT(fat_lookup(&vol, "/SH", &node), ERR_NOENT);
	CHECK_EQ_INT(fat_lookup(&vol, "/BIN/SH/X", &node), ERR_NOTDIR);
	CHECK_EQ_STR(vol.error, "/BIN/SH is not a directory");
	CHECK_EQ_INT(fat_lookup(&vol, "/README.TXTX", &node), ERR_NOENT);
	CHECK_EQ_INT(fat_lookup(&vol, "/README.TX", &node), ERR_NOENT);
	CHECK(!img.past_end);
}

static void test_errors_of_wrong_kinds(void)
{
	struct fat_node node;
	struct fat_dirent entry;
	uint32_t cursor = 0;
	char buf[8];

	small_fat12();
	populate();
	if (!CHECK_EQ_INT(mount(), 0))
		return;
	if (looks_up("/BIN", &node)) {
		CHECK_EQ_INT(fat_read(&vol, &node, 0, buf, sizeof buf), ERR_ISDIR);
		CHECK_EQ_STR(vol.error, "/BIN is a directory");
	}
	if (looks_up("/BIN/SH", &node)) {
		CHECK_EQ_INT(fat_readdir(&vol, &node, &cursor, &entry), ERR_NOTDIR);
		CHECK_EQ_STR(vol.error, "/BIN/SH is not a directory");
	}
}

/* Lists dir into "name size d|f;" text. */
static void listing(struct fat_node *dir, char *out, size_t size)
{
	struct fat_dirent entry;
	uint32_t cursor = 0;
	size_t used = 0;
	int r;

	out[0] = '\0';
	while ((r = fat_readdir(&vol, dir, &cursor, &entry)) == 1)
		used += (size_t)snprintf(out + used, size - used, "%s %u %c;", entry.name,
					 entry.stat.size, entry.stat.is_dir ? 'd' : 'f');
	CHECK_MSG(r == 0, "readdir of %s: %d (%s)", dir->path, r, vol.error);
	CHECK_EQ_INT(fat_readdir(&vol, dir, &cursor, &entry), 0); /* and again at the end */
}

static void test_readdir(void)
{
	struct fat_node node;
	char text[4096], expected[256];

	small_fat16();
	populate();
	if (!CHECK_EQ_INT(mount(), 0))
		return;
	listing(&vol.root, text, sizeof text);
	snprintf(expected, sizeof expected, "README.TXT %u f;BIN 0 d;kernel.bin %u f;DOCS 0 d;",
		 3 * cluster_bytes() - 10, cluster_bytes() + 1);
	CHECK_EQ_STR(text, expected);
	if (looks_up("/BIN", &node)) {
		listing(&node, text, sizeof text);
		snprintf(expected, sizeof expected, "SH %u f;LONG file name.text 5 f;EMPTY 0 f;",
			 5 * cluster_bytes());
		CHECK_EQ_STR(text, expected);
	}
	if (looks_up("/DOCS", &node)) {
		listing(&node, text, sizeof text);
		CHECK_EQ_STR(text, "FAR.TXT 0 f;");
	}
}

/* an entry past a free (0x00) one is not there */
static void test_readdir_stops_at_free_entry(void)
{
	struct fat_node node;
	char text[256];

	small_fat12();
	put_entry(0, 0, "A          ", 0x20, 0, 0);
	put_entry(0, 2, "B          ", 0x20, 0, 0);
	if (!CHECK_EQ_INT(mount(), 0))
		return;
	listing(&vol.root, text, sizeof text);
	CHECK_EQ_STR(text, "A 0 f;");
	CHECK_EQ_INT(fat_lookup(&vol, "/B", &node), ERR_NOENT);
}

/* every entry of the fixed root used: the listing ends at its last */
static void test_full_root_directory(void)
{
	struct fat_node node;
	char name[12];

	small_fat12();
	for (uint32_t i = 0; i < img.root_entries; i++) {
		snprintf(name, sizeof name, "F%-7uTXT", i);
		put_entry(0, i, name, 0x20, 0, 0);
	}
	if (!CHECK_EQ_INT(mount(), 0))
		return;
	looks_up("/F223.TXT", &node);
	CHECK_EQ_INT(fat_lookup(&vol, "/F224.TXT", &node), ERR_NOENT);
}

/* ---- long names ---- */

static void test_long_names(void)
{
	static const uint16_t utf16[] = {
		'c', 0xE9, '-', 0x20AC, '-', 0xD83D, 0xDE00, '-', 0xD800, 'x'
	};
	char name255[256], text[4096], expected[1024];
	struct fat_node node;
	uint32_t i = 0, file = 0;

	small_fat12();
	memset(name255, 'n', 255);
	name255[0] = 'N';
	name255[255] = '\0';
	/* a name of 26 units exactly fills two entries (no terminator) */
	i = put_long(0, i, "Exactly-twenty-six-chars.a", "EXACTL~1A  ", 0x20, file, 0);
	i = put_long(0, i, name255, "NNNNNN~1   ", 0x20, file, 0);
	i = put_long_units(0, i, utf16, sizeof utf16 / sizeof utf16[0], "CE-~1      ");
	put_entry(0, i++, "CE-~1      ", 0x20, 0, 0);
	/* a checksum that does not match its 8.3 entry: the 8.3 name shows */
	i = put_long_units(0, i, (const uint16_t[]){ 'w', 'r', 'o', 'n', 'g' }, 5, "OTHER   TXT");
	put_entry(0, i++, "CHECKSUMTXT", 0x20, 0, 0);
	/* parts out of order (2 missing): the 8.3 name shows */
	i = put_long(0, i, "a name in three parts, forty chars long!", "ANAMEI~1   ", 0x20, 0, 0);
	slot(0, i - 3)[0] = 0xE5;
	/* an orphan part before a name of its own */
	i = put_long_units(0, i, (const uint16_t[]){ 'o', 'r', 'p', 'h' }, 4, "ORPHAN     ");
	i = put_long(0, i, "Good.Name", "GOOD    NAM", 0x20, 0, 0);
	/* 8.3 with the NT lower-case flags, base only */
	put_entry(0, i, "LOWER   TXT", 0x20, 0, 0);
	slot(0, i++)[12] = 0x08;
	if (!CHECK_EQ_INT(mount(), 0))
		return;
	listing(&vol.root, text, sizeof text);
	snprintf(expected, sizeof expected,
		 "Exactly-twenty-six-chars.a 0 f;%s 0 f;c\xC3\xA9-\xE2\x82\xAC-\xF0\x9F\x98\x80-?x 0 f;"
		 "CHECKSUM.TXT 0 f;ANAMEI~1 0 f;Good.Name 0 f;lower.TXT 0 f;",
		 name255);
	CHECK_EQ_STR(text, expected);
	looks_up("/exactly-TWENTY-six-chars.A", &node);
	looks_up("/EXACTL~1.A", &node);
	looks_up(name255, &node);
	looks_up("/NNNNNN~1", &node);
	looks_up("/c\xC3\xA9-\xE2\x82\xAC-\xF0\x9F\x98\x80-?x", &node);
	if (looks_up("/good.name", &node))
		CHECK_EQ_STR(node.path, "/Good.Name");
	looks_up("/LOWER.TXT", &node);
	looks_up("/lower.txt", &node);
	CHECK_EQ_INT(fat_lookup(&vol, "/wrong", &node), ERR_NOENT);
	CHECK_EQ_INT(fat_lookup(&vol, "/orph", &node), ERR_NOENT);
}

/* a long name whose parts lie in two sectors and two clusters */
static void test_long_name_across_clusters(void)
{
	uint32_t dir, i, file;
	struct fat_node node;
	uint8_t buf[64];

	small_fat12();
	dir = alloc_run(1);
	alloc_run(1); /* a gap */
	set_fat(dir, alloc_run(1));
	file = alloc_run(1);
	put_entry(0, 0, "D          ", 0x10, dir, 0);
	for (i = 0; i < cluster_bytes() / ENTRY - 2; i++)
		put_entry(dir, i, "\xE5          ", 0x20, 0, 0);
	i = put_long(dir, i, "a long name across two clusters.data", "ALONGN~1DAT", 0x20, file, 40);
	fill_chain(file, 9, 40);
	if (!CHECK_EQ_INT(mount(), 0))
		return;
	if (looks_up("/D/A LONG NAME ACROSS TWO CLUSTERS.DATA", &node) &&
	    CHECK_EQ_INT(fat_read(&vol, &node, 0, buf, sizeof buf), 40))
		CHECK_EQ_UINT(buf[39], pattern(9, 39));
}

/* ---- damaged chains ---- */

/* /F (size `size`) with the chain `clusters` exactly as given (not linked) */
static void damaged_file(uint32_t size, uint32_t first)
{
	small_fat16();
	put_entry(0, 0, "F          ", 0x20, first, size);
}

static void check_lookup_refused(const char *path, const char *expected)
{
	struct fat_node node;

	if (!CHECK_EQ_INT(mount(), 0))
		return;
	refused(fat_lookup(&vol, path, &node), expected);
	CHECK(!img.past_end);
}

static void test_chain_loop(void)
{
	uint32_t cb;

	/* 10 -> 11 -> 12 -> 10: the file needs 5 clusters, finds the loop first */
	damaged_file(5 * 512, 10);
	link_chain((const uint32_t[]){ 10, 11, 12 }, 3);
	set_fat(12, 10);
	check_lookup_refused("/F", "loop in the chain of /F at cluster 10");
	/* a loop that starts later: 20 -> 21 -> 22 -> 23 -> 22 */
	damaged_file(9 * 512, 20);
	link_chain((const uint32_t[]){ 20, 21, 22, 23 }, 4);
	set_fat(23, 22);
	check_lookup_refused("/F", "loop in the chain of /F");
	/* a cluster linked to itself */
	damaged_file(3 * 512, 30);
	set_fat(30, 30);
	check_lookup_refused("/F", "loop in the chain of /F at cluster 30");
	/* a long loop through all of a FAT16 volume's clusters: found without walking forever */
	small_fat16();
	for (uint32_t c = 2; c < img.clusters + 2; c++)
		set_fat(c, c + 1 < img.clusters + 2 ? c + 1 : 2);
	put_entry(0, 0, "F          ", 0x20, 2, 0xFFFFFFFF);
	img.calls = 0;
	check_lookup_refused("/F", "loop in the chain of /F");
	CHECK_MSG(img.calls < 200, "%u reads to find the loop", img.calls);
	/* a loop between two FAT sectors: each step would read one, so a walk bounded
	 * only by the cluster count would cost thousands of reads */
	damaged_file(100 * 512, 10);
	link_chain((const uint32_t[]){ 10, 300, 11, 301, 12, 302 }, 6);
	set_fat(302, 11);
	img.calls = 0;
	check_lookup_refused("/F", "loop in the chain of /F");
	CHECK_MSG(img.calls < 40, "%u reads to find a loop of 4 clusters", img.calls);
	/* a directory whose chain loops */
	small_fat12();
	cb = alloc_run(2);
	set_fat(cb + 1, cb);
	put_entry(0, 0, "DOCS       ", 0x10, cb, 0);
	check_lookup_refused("/DOCS/X", "loop in the chain of /DOCS");
}

static void test_chain_out_of_range(void)
{
	/* FAT16 entries cannot hold 90000; FAT32's can */
	fat32();
	put_entry(0, 0, "SH         ", 0x20, alloc_run(2), 3 * 512);
	set_fat(img.next_free - 1, 90000);
	put_entry(0, 1, "BIN        ", 0x10, 90000, 0);
	check_lookup_refused("/SH", "cluster 90000 out of range in the chain of /SH (after cluster 4)");
	check_lookup_refused("/BIN", "cluster 90000 out of range in the chain of /BIN");
	damaged_file(512, 1);
	check_lookup_refused("/F", "cluster 1 out of range in the chain of /F");
	damaged_file(512, 0xFFF0);
	check_lookup_refused("/F", "cluster 65520 out of range in the chain of /F");
	/* a FAT12 entry in the reserved range 0xFF0-0xFF6 */
	small_fat12();
	put_entry(0, 0, "F          ", 0x20, 5, 2 * 512);
	set_fat(5, 0xFF0);
	check_lookup_refused("/F", "cluster 4080 out of range in the chain of /F");
	/* a FAT32 entry's top four bits are not part of it */
	fat32();
	put_entry(0, 0, "F          ", 0x20, alloc_run(2), 2 * 512);
	set_fat(img.next_free - 2, 0xF0000000 | (img.next_free - 1));
	if (CHECK_EQ_INT(mount(), 0)) {
		struct fat_node node;
		looks_up("/F", &node);
	}
}

static void test_chain_short_long_free_bad(void)
{
	damaged_file(3 * 512 - 1, 10);
	link_chain((const uint32_t[]){ 10, 11 }, 2);
	check_lookup_refused("/F", "the chain of /F ends after 2 clusters, its 1535 bytes need 3");
	damaged_file(512, 10);
	link_chain((const uint32_t[]){ 10, 11 }, 2);
	check_lookup_refused("/F", "the chain of /F goes on past the 1 clusters its 512 bytes need");
	damaged_file(3 * 512, 10);
	set_fat(10, 11);
	check_lookup_refused("/F", "free cluster 11 in the chain of /F");
	damaged_file(3 * 512, 10);
	set_fat(10, 0xFFF7);
	check_lookup_refused("/F", "bad cluster 10 in the chain of /F");
	damaged_file(100, 0);
	check_lookup_refused("/F", "/F has 100 bytes but no cluster");
	/* larger than the volume: the chain ends long before */
	damaged_file(0xFFFFFFFF, 10);
	set_fat(10, EOC16);
	check_lookup_refused("/F", "the chain of /F ends after 1 clusters");
	small_fat12();
	put_entry(0, 0, "DIR        ", 0x10, 0, 0);
	check_lookup_refused("/DIR", "directory /DIR has no cluster");
	/* a directory of more than 65536 entries */
	small_fat16();
	put_entry(0, 0, "HUGE       ", 0x10, alloc_run(65536 * 32 / 512 + 1), 0);
	check_lookup_refused("/HUGE", "directory /HUGE is longer than 65536 entries");
}

/* ---- reading ---- */

/* a file of n clusters scattered (every third, then back), its size n * cb - 7 */
static uint32_t scattered_file(uint32_t n, uint32_t id)
{
	uint32_t chain[600];

	/* pairs side by side, gaps between them; the second half backwards, above */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t k = i < n / 2 ? i : n - i;

		chain[i] = (i < n / 2 ? 100 : 100 + 2 * n + 10) + 2 * k - (k % 3 == 2);
	}
	link_chain(chain, n);
	put_entry(0, 0, "FRAG    DAT", 0x20, chain[0], n * cluster_bytes() - 7);
	fill_chain(chain[0], id, n * cluster_bytes() - 7);
	return n * cluster_bytes() - 7;
}

static void check_random_reads(uint32_t size, uint32_t id)
{
	static uint8_t buf[90000];
	struct fat_node node;

	if (!looks_up("/FRAG.DAT", &node))
		return;
	for (int it = 0; it < 400; it++) {
		uint32_t offset = (uint32_t)check_rand_below(size + 600);
		uint32_t len =
			(uint32_t)(it % 3 == 0 ? check_rand_below(40) : check_rand_below(sizeof buf));
		uint32_t expect = offset >= size ? 0 : size - offset < len ? size - offset : len;
		int got;

		memset(buf, 0xAA, sizeof buf);
		got = fat_read(&vol, &node, offset, buf, len);
		if (!CHECK_EQ_INT(got, (int)expect))
			break;
		for (uint32_t i = 0; i < expect; i++) {
			if (buf[i] != pattern(id, offset + i)) {
				CHECK_FAIL("byte %u of a read of %u at %u: 0x%02x", i, len, offset,
					   buf[i]);
				return;
			}
		}
		if (expect < sizeof buf && buf[expect] != 0xAA) {
			CHECK_FAIL("a read of %u at %u wrote past its %u bytes", len, offset, expect);
			return;
		}
	}
	CHECK(!img.past_end);
}

static void test_read_random_offsets(void)
{
	static const unsigned per_cluster[] = { 1, 2, 4, 8 };
	uint32_t size;

	for (size_t k = 0; k < 4; k++) {
		lay_out(16, 4400 * per_cluster[k] + 100, per_cluster[k], 512);
		size = scattered_file(40, 5);
		if (CHECK_EQ_INT(mount(), 0))
			check_random_reads(size, 5);
	}
	lay_out(12, 2880, 1, 224);
	size = scattered_file(200, 6);
	if (CHECK_EQ_INT(mount(), 0))
		check_random_reads(size, 6);
	fat32();
	size = scattered_file(100, 7);
	if (CHECK_EQ_INT(mount(), 0))
		check_random_reads(size, 7);
}

/* FAT12 entries 341 and 342 straddle the first FAT sector's end */
static void test_fat12_entry_across_sectors(void)
{
	uint8_t buf[4 * 512];
	struct fat_node node;

	small_fat12();
	link_chain((const uint32_t[]){ 340, 341, 342, 683, 684 }, 5);
	put_entry(0, 0, "F          ", 0x20, 340, 4 * 512 + 1);
	fill_chain(340, 8, 4 * 512 + 1);
	if (!CHECK_EQ_INT(mount(), 0) || !looks_up("/F", &node))
		return;
	CHECK_EQ_INT(fat_read(&vol, &node, 1, buf, sizeof buf), 4 * 512);
	CHECK_EQ_UINT(buf[0], pattern(8, 1));
	CHECK_EQ_UINT(buf[sizeof buf - 1], pattern(8, 4 * 512));
}

/* a contiguous file goes to the source as one read, in whole sectors */
static void test_contiguous_read_is_one_call(void)
{
	static uint8_t buf[64 * 512];
	struct fat_node node;

	lay_out(16, 20000, 4, 512);
	put_entry(0, 0, "BIG        ", 0x20, alloc_run(16), sizeof buf);
	fill_chain(2, 3, sizeof buf);
	if (!CHECK_EQ_INT(mount(), 0) || !looks_up("/BIG", &node))
		return;
	img.data_calls = 0;
	CHECK_EQ_INT(fat_read(&vol, &node, 0, buf, sizeof buf), (int)sizeof buf);
	CHECK_EQ_UINT(img.data_calls, 1);
	CHECK_EQ_UINT(buf[sizeof buf - 1], pattern(3, sizeof buf - 1));
	/* unaligned: a head, the middle in one, a tail */
	img.data_calls = 0;
	CHECK_EQ_INT(fat_read(&vol, &node, 100, buf, 20 * 512), 20 * 512);
	CHECK_EQ_UINT(img.data_calls, 3);
	CHECK_EQ_UINT(buf[0], pattern(3, 100));
}

/* reading on from where the last read stopped does not walk the chain from its
 * start: a chain whose links alternate between two FAT sectors costs about one
 * FAT sector read per cluster, where walking from the start would cost n^2/2 */
static void test_sequential_reads_do_not_rewalk(void)
{
	uint32_t chain[400], n = 400, calls;
	uint8_t buf[512];
	struct fat_node node;

	small_fat16();
	for (uint32_t i = 0; i < n; i++)
		chain[i] = i % 2 ? 1000 + i : 10 + i;
	link_chain(chain, n);
	put_entry(0, 0, "F          ", 0x20, chain[0], n * 512);
	fill_chain(chain[0], 11, n * 512);
	if (!CHECK_EQ_INT(mount(), 0) || !looks_up("/F", &node))
		return;
	img.calls = 0;
	for (uint32_t off = 0; off < n * 512; off += sizeof buf) {
		if (!CHECK_EQ_INT(fat_read(&vol, &node, off, buf, sizeof buf), (int)sizeof buf))
			return;
		if (buf[7] != pattern(11, off + 7)) {
			CHECK_FAIL("wrong data at %u", off);
			return;
		}
	}
	calls = img.calls;
	CHECK_MSG(calls < 3 * n, "%u source reads for %u clusters", calls, n);
	/* and going back to the start works */
	CHECK_EQ_INT(fat_read(&vol, &node, 3, buf, 1), 1);
	CHECK_EQ_UINT(buf[0], pattern(11, 3));
}

static void test_read_error_passed_on(void)
{
	uint8_t buf[3 * 512];
	struct fat_node node;

	small_fat16();
	put_entry(0, 0, "F          ", 0x20, alloc_run(3), sizeof buf);
	if (!CHECK_EQ_INT(mount(), 0) || !looks_up("/F", &node))
		return;
	img.fail_lba = img.data_start + 1;
	CHECK_EQ_INT(fat_read(&vol, &node, 0, buf, sizeof buf), ERR_IO);
	CHECK_MSG(strstr(vol.error, "failed (error -6)") != NULL, "%s", vol.error);
	img.fail_lba = img.root_start;
	vol.cached = false;
	CHECK_EQ_INT(fat_lookup(&vol, "/F", &node), ERR_IO);
}

/* a source that writes a positive number is not success either */
static int positive_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
	int err = image_read(ctx, lba, count, buf);

	return err ? err : lba == 0 ? 0 : 1;
}

static void test_source_returning_positive(void)
{
	struct fat_source src = { .ctx = &img, .read = positive_read };
	struct fat_node node;

	small_fat16();
	put_entry(0, 0, "F          ", 0x20, 0, 0);
	src.sectors = img.sectors;
	if (CHECK_EQ_INT(fat_mount(&vol, &src), 0))
		CHECK_EQ_INT(fat_lookup(&vol, "/F", &node), ERR_IO);
}

/* a file's first read tells the source of its first sectors in a row, at most
 * FAT_READ_AHEAD_SECTORS, and of nothing past the file or a gap in its chain;
 * reads at other offsets do not, and the answer changes nothing */
static void ahead_case(const char *path, uint32_t offset, unsigned calls, uint32_t lba, uint32_t count)
{
	struct fat_source src = {
		.ctx = &img, .read = image_read, .sectors = img.sectors, .read_ahead = image_read_ahead
	};
	struct fat_node node;
	uint8_t buf[700];

	if (!CHECK_EQ_INT(fat_mount(&vol, &src), 0) || !CHECK_EQ_INT(fat_lookup(&vol, path, &node), 0))
		return;
	img.ahead_calls = 0;
	img.ahead_lba = img.ahead_count = 0;
	uint32_t want = node.stat.size - offset < sizeof buf ? node.stat.size - offset : sizeof buf;
	CHECK_EQ_INT(fat_read(&vol, &node, offset, buf, sizeof buf), (int)want);
	CHECK_EQ_UINT(buf[want - 1], pattern(21, offset + want - 1));
	CHECK_MSG(img.ahead_calls == calls, "%s at %u: %u read_ahead calls", path, offset,
		  img.ahead_calls);
	CHECK_EQ_UINT(img.ahead_lba, lba);
	CHECK_EQ_UINT(img.ahead_count, count);
	CHECK(!img.past_end);
}

static void test_read_ahead(void)
{
	uint32_t gap[5] = { 100, 101, 102, 120, 121 };

	lay_out(16, 20000, 2, 512);
	uint32_t small = alloc_run(5), big = alloc_run(40);
	put_entry(0, 0, "SMALL      ", 0x20, small, 9 * 512 + 10); /* 10 sectors, 5 clusters */
	fill_chain(small, 21, 9 * 512 + 10);
	put_entry(0, 1, "BIG        ", 0x20, big, 80 * 512);
	fill_chain(big, 21, 80 * 512);
	link_chain(gap, 5);
	put_entry(0, 2, "GAP        ", 0x20, gap[0], 10 * 512);
	fill_chain(gap[0], 21, 10 * 512);
	uint32_t data = img.data_start;
	ahead_case("/SMALL", 0, 1, data + (small - 2) * 2, 10);
	ahead_case("/BIG", 0, 1, data + (big - 2) * 2, FAT_READ_AHEAD_SECTORS);
	ahead_case("/GAP", 0, 1, data + (100 - 2) * 2, 6); /* three clusters, then the gap */
	ahead_case("/BIG", 512, 0, 0, 0);
}

int main(void)
{
	check_seed(1313);
	RUN(test_mount_each_type);
	RUN(test_bpb_refusals);
	RUN(test_bpb_fat16_with_too_many_clusters);
	RUN(test_bpb_fat32_with_too_few_clusters);
	RUN(test_mount_empty_device_and_read_error);
	RUN(test_mount_volume_smaller_than_device);
	RUN(test_lookup_paths);
	RUN(test_errors_of_wrong_kinds);
	RUN(test_readdir);
	RUN(test_readdir_stops_at_free_entry);
	RUN(test_full_root_directory);
	RUN(test_long_names);
	RUN(test_long_name_across_clusters);
	RUN(test_chain_loop);
	RUN(test_chain_out_of_range);
	RUN(test_chain_short_long_free_bad);
	RUN(test_read_random_offsets);
	RUN(test_fat12_entry_across_sectors);
	RUN(test_contiguous_read_is_one_call);
	RUN(test_sequential_reads_do_not_rewalk);
	RUN(test_read_error_passed_on);
	RUN(test_source_returning_positive);
	RUN(test_read_ahead);
	free(img.bytes);
	return check_done();
}
