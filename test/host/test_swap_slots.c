/* sources: kernel/vm/swap.c kernel/vm/swap_header.c kernel/dev/block.c kernel/dev/block_cache.c lib/kprintf.c lib/format.c lib/string.c */
/* test_swap_slots.c: swap.c over a disk in memory whose second partition is
 * a swap area made by util-linux's mkswap: the partition found and named,
 * every slot handed out once and the whole partition usable, freed slots
 * used again, bad slots kept out, transfers landing in the slot's own
 * sectors and nowhere else, and partitions that are refused by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "errors.h"
#include "lib.h"
#include "../../kernel/dev/block.h"
#include "../../kernel/vm/swap.h"
#include "../../kernel/vm/swap_header.h"

#define SECTOR BLOCK_SECTOR_SIZE
#define SWAP_START 2048u  /* the swap partition's first sector */
#define SWAP_SECTORS 800u /* 100 pages: 99 slots */
#define DISK_SECTORS (SWAP_START + SWAP_SECTORS + 8)
#define SLOTS (SWAP_SECTORS / 8 - 1)

/* the kernel's allocator, as the host has it */
void *kcalloc(size_t n, size_t size)
{
	return calloc(n, size);
}

void *kmalloc(size_t size)
{
	return malloc(size);
}

void kfree(void *p)
{
	free(p);
}

static char said[4096];
static void capture(const char *text, size_t len)
{
	size_t have = strlen(said);
	if (have + len < sizeof said) {
		memcpy(said + have, text, len);
		said[have + len] = '\0';
	}
}

static uint8_t *disk;
static uint64_t fail_write_at = UINT64_MAX;

static int ram_io(uint64_t lba, uint32_t count, void *buf, const void *from, char *error)
{
	if (lba + count > DISK_SECTORS)
		return ERR_RANGE;
	if (from && fail_write_at >= lba && fail_write_at < lba + count) {
		snprintf(error, BLOCK_ERROR_MAX, "write of sector %llu failed: injected",
			 (unsigned long long)fail_write_at);
		return ERR_IO;
	}
	if (from)
		memcpy(disk + lba * SECTOR, from, (size_t)count * SECTOR);
	else
		memcpy(buf, disk + lba * SECTOR, (size_t)count * SECTOR);
	return 0;
}

static int ram_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf, char *error)
{
	(void)dev;
	return ram_io(lba, count, buf, NULL, error);
}

static int ram_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf,
		     char *error)
{
	(void)dev;
	return ram_io(lba, count, NULL, buf, error);
}

static const struct block_ops ram_ops = { ram_read, ram_write };

static void put_entry(int slot, uint8_t type, uint32_t lba, uint32_t sectors)
{
	uint8_t *e = disk + 446 + 16 * slot;
	e[4] = type;
	memcpy(e + 8, &lba, 4);
	memcpy(e + 12, &sectors, 4);
}

/* a disk with a FAT-typed first partition and a swap area second; HEADER
 * true: made by mkswap, else left as zeroes */
static void make_disk(bool header)
{
	free(disk);
	disk = calloc(DISK_SECTORS, SECTOR);
	put_entry(0, 0x06, 8, 64);
	put_entry(1, 0x82, SWAP_START, SWAP_SECTORS);
	disk[510] = 0x55;
	disk[511] = 0xAA;
	if (header) {
		char path[] = "/tmp/vlsos-swap-XXXXXX", cmd[128];
		int fd = mkstemp(path);
		CHECK(fd >= 0);
		FILE *f = fdopen(fd, "wb");
		for (unsigned i = 0; i < SWAP_SECTORS * SECTOR; i++)
			fputc(0, f);
		fclose(f);
		snprintf(cmd, sizeof cmd, "PATH=$PATH:/usr/sbin:/sbin mkswap -q -L TESTSWAP %s", path);
		CHECK(system(cmd) == 0);
		f = fopen(path, "rb");
		CHECK(fread(disk + SWAP_START * SECTOR, SECTOR, SWAP_SECTORS, f) == SWAP_SECTORS);
		fclose(f);
		remove(path);
	}
	block_reset();
	swap_reset();
	said[0] = '\0';
	struct block_device *d = block_add_disk("hd0", DISK_SECTORS, 0, &ram_ops, NULL);
	CHECK(d != NULL);
	CHECK_EQ_INT(block_scan_partitions(d), 2);
}

static void test_found_and_every_slot(void)
{
	static uint8_t page[4096], back[4096];
	swap_slot_t slots[SLOTS + 1];

	make_disk(true);
	swap_init();
	CHECK(strstr(said, "Swap: hd0p2, 0 MiB, 99 slots of 4 KiB, label \"TESTSWAP\"") != NULL);
	CHECK(swap_present());
	CHECK_EQ_INT(swap_free_slots(), SLOTS);
	for (unsigned i = 0; i < SLOTS; i++) {
		slots[i] = swap_alloc();
		CHECK_EQ_INT(slots[i] & SWAP_SLOTS_MAX, i + 1); /* in order, the header's page never */
	}
	CHECK_EQ_INT(swap_alloc(), 0); /* all used: the whole partition */
	CHECK_EQ_INT(swap_free_slots(), 0);
	/* a page goes to its slot's own sectors, and back */
	uint8_t *before = malloc((size_t)DISK_SECTORS * SECTOR);
	memcpy(before, disk, (size_t)DISK_SECTORS * SECTOR);
	memset(page, 0xA5, sizeof page);
	char why[SWAP_IO_ERROR_MAX];
	CHECK_EQ_INT(swap_write(slots[41], page, why), 0);
	for (uint64_t s = 0; s < DISK_SECTORS; s++) {
		bool inside = s >= SWAP_START + 42 * 8 && s < SWAP_START + 43 * 8;
		CHECK(inside == (memcmp(before + s * SECTOR, disk + s * SECTOR, SECTOR) != 0));
	}
	CHECK_EQ_INT(swap_read(slots[41], back, why), 0);
	CHECK(memcmp(page, back, sizeof page) == 0);
	free(before);
	/* freed slots come back; a bad one never does */
	swap_free(slots[10]);
	swap_free(slots[20]);
	CHECK_EQ_INT(swap_free_slots(), 2);
	swap_slot_t again = swap_alloc();
	CHECK(again == slots[10] || again == slots[20]);
	swap_mark_bad(again);
	CHECK_EQ_INT(swap_free_slots(), 1);
	CHECK(swap_alloc() != again);
	CHECK_EQ_INT(swap_alloc(), 0);
	struct swap_stats st;
	swap_stats(&st);
	CHECK_EQ_INT(st.bad, 1);
	CHECK_EQ_INT(st.slots, SLOTS - 1);
	/* a failed write names the device and the slot */
	fail_write_at = SWAP_START + 5 * 8 + 3;
	CHECK(swap_write(slots[4], page, why) < 0);
	CHECK(strstr(why, "hd0p2") != NULL && strstr(why, "(slot 5)") != NULL);
	fail_write_at = UINT64_MAX;
	/* a slot not in use is refused, not written */
	said[0] = '\0';
	swap_free(slots[4]);
	CHECK(swap_write(slots[4], page, why) < 0);
	CHECK(strstr(said, "is not in use") != NULL);
}

/* no header, and a swap partition too small to hold one: each refused by name */
static void test_refused(void)
{
	make_disk(false);
	swap_init();
	CHECK(strstr(said, "Swap: hd0p2 not used: ") != NULL);
	CHECK(strstr(said, "SWAPSPACE2") != NULL);
	CHECK(strstr(said, "Swap: none usable (the lines above say why); running without swap") != NULL);
	CHECK(!swap_present());
	CHECK_EQ_INT(swap_alloc(), 0);
	make_disk(true);
	put_entry(1, 0x06, SWAP_START, SWAP_SECTORS); /* not type 82h: not looked at */
	block_reset();
	swap_reset();
	said[0] = '\0';
	CHECK_EQ_INT(block_scan_partitions(block_add_disk("hd0", DISK_SECTORS, 0, &ram_ops, NULL)), 2);
	swap_init();
	CHECK(strstr(said, "Swap: none: no partition of type 82h on any disk; running without swap") !=
	      NULL);
}

int main(void)
{
	kprintf_set_output(capture);
	RUN(test_found_and_every_slot);
	RUN(test_refused);
	free(disk);
	swap_reset();
	return check_done();
}
