/* fuzz_fat.c: libFuzzer target for kernel/fs/fat.c. The input is a sparse volume:
 * 4 bytes (little-endian) giving the device's size in sectors, then records of a
 * 4-byte sector number and that sector's 512 bytes (a later record wins); every other
 * sector reads as zeros. So a 40 MB FAT32 volume fits in a few KB, and the fuzzer
 * changes the device's size, the BPB, FAT entries and directory entries alike.
 *
 * Each input is mounted, then every directory walked (depth and entries bounded: a
 * damaged tree may hold cycles), each entry looked up and each file read in chunks,
 * at offsets, and past its end. The target aborts when the reader asks for a sector
 * past the device, returns more bytes than asked or than the file has, returns a
 * value no function of fat.h may, or leaves an unterminated string, and when a read
 * or a listing fails on a node that fat_lookup accepted: the lookup checked its
 * chain, and this source never fails. ASan and UBSan catch the rest. Built and run by test/host/test_fuzz_fat.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"
#include "lib.h"
#include "../../kernel/fs/fat.h"

#define SECTOR 512
#define RECORD (4 + SECTOR)
#define DEVICE_SECTORS_MAX (1u << 22) /* 2 GiB of mostly zeros */
#define DEPTH_MAX 6
#define ENTRIES_MAX 600           /* looked up per input */
#define ENTRIES_PER_DIR_MAX 200   /* each lookup scans its directory again */
#define READ_MAX (1u << 20)       /* read from one file */
#define READ_TOTAL_MAX (4u << 20) /* from all files of an input */

static struct {
	const uint8_t *records;
	size_t count;
	uint32_t sectors;
} device;

static struct fat_volume vol;
static unsigned entries_seen;
static uint32_t read_total;
static uint8_t buf[256 * 1024 + 1];

#define FAIL(...)                                                                     \
	do {                                                                          \
		fprintf(stderr, "fuzz_fat: " __VA_ARGS__);                            \
		fprintf(stderr, " (last message: %.*s)\n", FAT_ERROR_MAX, vol.error); \
		abort();                                                              \
	} while (0)

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int sparse_read(void *ctx, uint32_t lba, uint32_t count, void *out)
{
	(void)ctx;
	if (count == 0 || lba >= device.sectors || count > device.sectors - lba)
		FAIL("read of %u sectors at %u, past the device's %u", count, lba, device.sectors);
	memset(out, 0, (size_t)count * SECTOR);
	for (size_t i = 0; i < device.count; i++) {
		const uint8_t *r = device.records + i * RECORD;
		uint32_t at = le32(r);

		if (at >= lba && at - lba < count)
			memcpy((uint8_t *)out + (size_t)(at - lba) * SECTOR, r + 4, SECTOR);
	}
	return 0;
}

/* every failure is one of the errors fat.h names, with its message */
static void check_error(int err, const char *what)
{
	if (err != ERR_CORRUPT && err != ERR_NOENT && err != ERR_NOTDIR && err != ERR_ISDIR)
		FAIL("%s returned %d", what, err);
	if (strnlen(vol.error, FAT_ERROR_MAX) == FAT_ERROR_MAX || vol.error[0] == '\0')
		FAIL("%s left no message, or no terminated one", what);
}

static void read_file(struct fat_node *node)
{
	uint32_t size = node->stat.size, offset = 0, chunk = 1, want;
	int got;

	while (offset < size && offset < READ_MAX && read_total < READ_TOTAL_MAX) {
		want = chunk;
		got = fat_read(&vol, node, offset, buf, want);
		if (got < 0)
			FAIL("fat_read of %u at %u of %s after its lookup: %d", want, offset, node->path,
			     got);
		if ((uint32_t)got > want || (uint32_t)got > size - offset || got == 0)
			FAIL("fat_read of %u at %u in %u bytes gave %d", want, offset, size, got);
		offset += (uint32_t)got;
		read_total += (uint32_t)got;
		chunk = chunk * 7 + 509;
		if (chunk > sizeof buf)
			chunk = chunk % (sizeof buf - 1) + 1;
	}
	/* at the end, past it, and back at the start */
	got = fat_read(&vol, node, size, buf, 16);
	if (got != 0)
		FAIL("fat_read at the end of %u bytes gave %d", size, got);
	got = fat_read(&vol, node, size > 3 ? size - 3 : 0, buf, 16);
	if (got < 0 || got > 3)
		FAIL("fat_read of the last bytes of %u gave %d", size, got);
	got = fat_read(&vol, node, 0, buf, 1);
	if (got != (size > 0))
		FAIL("fat_read of the first byte of %u gave %d", size, got);
}

static void walk(struct fat_node *dir, int depth)
{
	struct fat_dirent entry;
	struct fat_node node;
	uint32_t cursor = 0;
	unsigned here = 0;
	int r, err;

	while ((r = fat_readdir(&vol, dir, &cursor, &entry)) != 0) {
		if (r < 0)
			FAIL("fat_readdir of %s after its lookup: %d", dir->path, r);
		if (r != 1)
			FAIL("fat_readdir returned %d", r);
		if (strnlen(entry.name, FAT_NAME_MAX) == FAT_NAME_MAX ||
		    strnlen(entry.short_name, FAT_SHORT_NAME_MAX) == FAT_SHORT_NAME_MAX)
			FAIL("an unterminated name");
		if (++here > ENTRIES_PER_DIR_MAX || ++entries_seen > ENTRIES_MAX)
			return;
		err = fat_lookup_at(&vol, dir, entry.name, &node);
		if (err != 0) {
			check_error(err, "fat_lookup_at");
			continue;
		}
		if (strnlen(node.path, FAT_PATH_MAX) == FAT_PATH_MAX)
			FAIL("an unterminated path");
		if (node.stat.is_dir) {
			if (depth < DEPTH_MAX)
				walk(&node, depth + 1);
			if (fat_read(&vol, &node, 0, buf, 1) != ERR_ISDIR)
				FAIL("fat_read of a directory did not say ERR_ISDIR");
		} else {
			read_file(&node);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fat_source src = { .read = sparse_read };
	struct fat_node node;
	int err;

	if (size < 4)
		return 0;
	device.sectors = le32(data);
	if (device.sectors > DEVICE_SECTORS_MAX)
		device.sectors = DEVICE_SECTORS_MAX;
	device.records = data + 4;
	device.count = (size - 4) / RECORD;
	src.sectors = device.sectors;
	entries_seen = 0;
	read_total = 0;
	err = fat_mount(&vol, &src);
	if (err != 0) {
		check_error(err, "fat_mount");
		return 0;
	}
	if (vol.clusters == 0 || vol.sectors > device.sectors ||
	    strnlen(vol.label, FAT_LABEL_MAX) == FAT_LABEL_MAX)
		FAIL("mounted a volume of %u clusters, %u sectors", vol.clusters, vol.sectors);
	walk(&vol.root, 0);
	/* a few paths that need more than one directory */
	err = fat_lookup(&vol, "/BIN/../BIN/./SH", &node);
	if (err != 0)
		check_error(err, "fat_lookup");
	err = fat_lookup(&vol, "/A/B/C/D/E/F/G/H", &node);
	if (err != 0)
		check_error(err, "fat_lookup");
	return 0;
}
