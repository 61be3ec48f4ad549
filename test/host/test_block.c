/* sources: kernel/dev/block.c kernel/dev/block_cache.c lib/string.c lib/format.c */
/* test_block.c: the block layer over a disk in memory: the device table, MBR
 * partition scanning (good, overlapping, past the end, at sector 0, bad
 * status, no 55 AA, a FAT boot sector, empty entries), bounds checks,
 * partition offsets, and errors that name the device and the sector; the
 * buffer cache: its size policy, exact hits, misses and evictions for
 * scripted accesses, LRU order, write-through coherence with direct reads,
 * reads ahead (one call, then hits for long and short reads; their limits),
 * sectors seeded from a copy,
 * failed reads and writes, no buffers at all, and a random run against a
 * model LRU. */
#include "check.h"
#include "errors.h"
#include "../../kernel/dev/block.h"

#define SECTOR BLOCK_SECTOR_SIZE
#define DISK_SECTORS 10000u
#define NO_FAILURE UINT64_MAX

/* ---- a RAM disk with injectable failures ------------------------------------ */

struct ram_disk {
	uint8_t *data;
	uint64_t sectors;
	uint64_t fail_read_at; /* a read covering this sector fails; NO_FAILURE: none */
	uint64_t fail_write_at;
	bool silent;    /* fail without a line, as a careless driver would */
	unsigned reads; /* driver calls */
	unsigned writes;
	uint64_t sectors_read;
	uint64_t last_lba; /* of the last call */
	uint32_t last_count;
	bool overrun; /* a call reached past the disk: the layer let it through */
};

static bool covers(uint64_t lba, uint32_t count, uint64_t sector)
{
	return sector >= lba && sector - lba < count;
}

static int ram_transfer(struct block_device *dev, uint64_t lba, uint32_t count, char *error, bool write,
			uint8_t **at)
{
	struct ram_disk *rd = dev->driver;
	uint64_t fail = write ? rd->fail_write_at : rd->fail_read_at;
	rd->last_lba = lba;
	rd->last_count = count;
	if (write)
		rd->writes++;
	else
		rd->reads++;
	if (lba > rd->sectors || count > rd->sectors - lba) {
		rd->overrun = true;
		snprintf(error, BLOCK_ERROR_MAX, "overrun");
		return ERR_RANGE;
	}
	if (fail != NO_FAILURE && covers(lba, count, fail)) {
		if (!rd->silent)
			snprintf(
				error, BLOCK_ERROR_MAX,
				"%s of sector %llu failed after 3 tries: BIOS status 0x01 (invalid function)",
				write ? "write" : "read", (unsigned long long)fail);
		return ERR_IO;
	}
	*at = rd->data + lba * SECTOR;
	return 0;
}

static int ram_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf, char *error)
{
	uint8_t *at;
	int rc = ram_transfer(dev, lba, count, error, false, &at);
	if (rc)
		return rc;
	memcpy(buf, at, (size_t)count * SECTOR);
	((struct ram_disk *)dev->driver)->sectors_read += count;
	return 0;
}

static int ram_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf,
		     char *error)
{
	uint8_t *at;
	int rc = ram_transfer(dev, lba, count, error, true, &at);
	if (rc)
		return rc;
	memcpy(at, buf, (size_t)count * SECTOR);
	return 0;
}

static const struct block_ops ram_ops = { ram_read, ram_write };
static const struct block_ops read_only_ops = { ram_read, NULL };

/* byte I of sector LBA as the disk is made */
static uint8_t pattern(uint64_t lba, unsigned i)
{
	return (uint8_t)(lba * 31 + (lba >> 8) + i * 7 + 1);
}

static struct ram_disk ram;

/* A fresh table and a fresh disk of SECTORS sectors with the pattern in it */
static void ram_make(uint64_t sectors)
{
	static uint8_t read_ahead_buffer[BLOCK_READ_AHEAD_MAX * SECTOR];

	block_cache_read_ahead_buffer(read_ahead_buffer);
	block_reset();
	block_cache_init(NULL, 0);
	free(ram.data);
	memset(&ram, 0, sizeof ram);
	ram.data = malloc(sectors * SECTOR);
	ram.sectors = sectors;
	ram.fail_read_at = ram.fail_write_at = NO_FAILURE;
	for (uint64_t s = 0; s < sectors; s++)
		for (unsigned i = 0; i < SECTOR; i++)
			ram.data[s * SECTOR + i] = pattern(s, i);
}

static struct block_device *ram_disk_add(const char *name)
{
	return block_add_disk(name, ram.sectors, 0x564C534F, &ram_ops, &ram);
}

static bool sector_is(const uint8_t *buf, uint64_t lba)
{
	for (unsigned i = 0; i < SECTOR; i++)
		if (buf[i] != pattern(lba, i))
			return CHECK_FAIL("byte %u of what should be sector %llu is 0x%02x, not 0x%02x",
					  i, (unsigned long long)lba, buf[i], pattern(lba, i));
	return true;
}

/* ---- partition tables ------------------------------------------------------- */

struct entry {
	uint8_t status, type;
	uint32_t start, sectors;
};

static void put32le(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Writes an MBR with these four entries (and 55 AA when SIGNED) as sector 0 */
static void write_mbr(const struct entry e[4], bool signed_)
{
	uint8_t *s = ram.data;
	memset(s, 0, SECTOR);
	s[0] = 0xEB, s[1] = 0x3C, s[2] = 0x90; /* our stage 1's jump, BPB area zero */
	for (int i = 0; i < 4; i++) {
		uint8_t *r = s + 446 + 16 * i;
		r[0] = e[i].status;
		r[4] = e[i].type;
		put32le(r + 8, e[i].start);
		put32le(r + 12, e[i].sectors);
	}
	if (signed_)
		s[510] = 0x55, s[511] = 0xAA;
}

static const struct entry good_table[4] = {
	{ 0x80, 0x06, 2048, 4096 },
	{ 0, 0, 0, 0 },
	{ 0x00, 0x82, 6144, 2048 },
	{ 0x00, 0x05, 8192, 1808 }, /* extended: listed, not followed; ends at the last sector */
};

static void scan_good_table(void)
{
	ram_make(DISK_SECTORS);
	write_mbr(good_table, true);
	struct block_device *hd = ram_disk_add("hd0");
	if (!CHECK(hd))
		return;
	CHECK_EQ_INT(block_scan_partitions(hd), 3);
	CHECK_EQ_STR(hd->error, "");
	CHECK_EQ_UINT(block_count(), 4);
	struct block_device *p1 = block_find("hd0p1"), *p3 = block_find("hd0p3"),
			    *p4 = block_find("hd0p4");
	CHECK(block_find("hd0p2") == NULL);
	if (!CHECK(p1 && p3 && p4))
		return;
	CHECK_EQ_PTR(block_at(0), hd);
	CHECK_EQ_PTR(block_at(1), p1);
	CHECK_EQ_PTR(block_at(2), p3);
	CHECK_EQ_PTR(block_at(3), p4);
	CHECK(block_at(4) == NULL);
	CHECK_EQ_UINT(p1->start, 2048);
	CHECK_EQ_UINT(p1->sectors, 4096);
	CHECK_EQ_UINT(p1->type, 0x06);
	CHECK(p1->active);
	CHECK_EQ_UINT(p1->partition, 1);
	CHECK_EQ_PTR(p1->disk, hd);
	CHECK_EQ_PTR(p1->driver, &ram);
	CHECK_EQ_UINT(p3->start, 6144);
	CHECK_EQ_UINT(p3->type, 0x82);
	CHECK(!p3->active);
	CHECK_EQ_UINT(p3->partition, 3);
	CHECK_EQ_UINT(p4->type, 0x05);
	CHECK_EQ_UINT(p4->sectors, 1808);
	CHECK_EQ_PTR(hd->disk, hd);
	CHECK_EQ_UINT(hd->start, 0);
	CHECK_EQ_UINT(hd->partition, 0);
	CHECK_EQ_UINT(hd->signature, 0x564C534F);
	CHECK_EQ_INT(block_scan_partitions(hd), ERR_EXIST);
	CHECK_EQ_UINT(block_count(), 4);
	CHECK_EQ_INT(block_scan_partitions(p1), ERR_INVAL);
	CHECK_EQ_INT(block_scan_partitions(NULL), ERR_INVAL);
}

/* scan_rejects: the table with entry 2 replaced by BAD; entry 2 must be
 * skipped with a message containing WHY, the others kept */
static void scan_rejects(struct entry bad, const char *why)
{
	struct entry t[4] = { good_table[0], bad, good_table[2], { 0, 0, 0, 0 } };
	ram_make(DISK_SECTORS);
	write_mbr(t, true);
	struct block_device *hd = ram_disk_add("hd0");
	CHECK_EQ_INT(block_scan_partitions(hd), 2);
	CHECK(block_find("hd0p1") && block_find("hd0p3"));
	CHECK(block_find("hd0p2") == NULL);
	CHECK_MSG(strstr(hd->error, "hd0: partition 2 skipped: ") == hd->error && strstr(hd->error, why),
		  "error \"%s\" does not say \"hd0: partition 2 skipped: ...%s\"", hd->error, why);
}

static void scan_overlap(void)
{
	scan_rejects((struct entry){ 0, 0x83, 6000, 100 },
		     "sectors 6000..6099 overlap partition 1 (2048..6143)");
}

static void scan_past_end(void)
{
	scan_rejects((struct entry){ 0, 0x83, 9000, 1001 },
		     "sectors 9000..10000 reach past the disk's end (10000 sectors)");
	/* a start beyond 32 bits of sectors does not wrap into range */
	scan_rejects((struct entry){ 0, 0x83, 0xFFFFFFFF, 0xFFFFFFFF }, "reach past the disk's end");
}

static void scan_start_zero(void)
{
	scan_rejects((struct entry){ 0, 0x83, 0, 100 }, "starts at sector 0");
}

static void scan_zero_sectors(void)
{
	scan_rejects((struct entry){ 0, 0x83, 9000, 0 }, "has 0 sectors");
}

static void scan_bad_status(void)
{
	scan_rejects((struct entry){ 0x12, 0x83, 9000, 100 },
		     "status byte 0x12 is neither 0x00 nor 0x80");
}

/* the first entry skipped is the one named */
static void scan_names_first_rejected(void)
{
	struct entry t[4] = { { 0, 0x83, 0, 10 }, good_table[0], { 0, 0x83, 2048, 10 }, { 7, 1, 1, 1 } };
	ram_make(DISK_SECTORS);
	write_mbr(t, true);
	struct block_device *hd = ram_disk_add("hd0");
	CHECK_EQ_INT(block_scan_partitions(hd), 1);
	CHECK(block_find("hd0p2") != NULL);
	CHECK_EQ_STR(hd->error,
		     "hd0: partition 1 skipped: starts at sector 0, the partition table's own");
}

static void scan_no_signature(void)
{
	ram_make(DISK_SECTORS);
	write_mbr(good_table, false);
	struct block_device *hd = ram_disk_add("fd0");
	CHECK_EQ_INT(block_scan_partitions(hd), 0);
	CHECK_EQ_UINT(block_count(), 1);
	CHECK_EQ_STR(hd->error, "");
}

/* a floppy's boot sector: a BPB, 55 AA, and boot code where a table would be */
static void scan_fat_boot_sector(void)
{
	ram_make(2880);
	write_mbr(good_table, true);
	uint8_t *s = ram.data;
	s[11] = 0x00, s[12] = 0x02; /* 512 bytes a sector */
	s[13] = 1;                  /* a sector a cluster */
	s[14] = 33, s[15] = 0;      /* reserved */
	s[16] = 2;                  /* FATs */
	s[21] = 0xF0;               /* media */
	struct block_device *fd = ram_disk_add("fd0");
	CHECK_EQ_INT(block_scan_partitions(fd), 0);
	CHECK_EQ_UINT(block_count(), 1);
	CHECK_EQ_STR(fd->error, "");
	/* the same sector with 3 FATs is no BPB: its entries are read, and
	 * skipped, since none fits in 2880 sectors */
	s[16] = 3;
	block_reset();
	fd = ram_disk_add("fd0");
	CHECK_EQ_INT(block_scan_partitions(fd), 0);
	CHECK_MSG(strstr(fd->error, "fd0: partition 1 skipped: sectors 2048..6143 reach past"),
		  "error \"%s\"", fd->error);
}

static void scan_empty_table(void)
{
	static const struct entry none[4];
	ram_make(DISK_SECTORS);
	write_mbr(none, true);
	struct block_device *hd = ram_disk_add("hd0");
	CHECK_EQ_INT(block_scan_partitions(hd), 0);
	CHECK_EQ_UINT(block_count(), 1);
	CHECK_EQ_STR(hd->error, "");
	/* an entry of type 0 is unused whatever else it holds */
	struct entry t[4] = { { 0x55, 0, 1, 1 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };
	write_mbr(t, true);
	block_reset();
	hd = ram_disk_add("hd0");
	CHECK_EQ_INT(block_scan_partitions(hd), 0);
	CHECK_EQ_STR(hd->error, "");
}

static void scan_read_error(void)
{
	ram_make(DISK_SECTORS);
	write_mbr(good_table, true);
	ram.fail_read_at = 0;
	struct block_device *hd = ram_disk_add("hd0");
	CHECK_EQ_INT(block_scan_partitions(hd), ERR_IO);
	CHECK_EQ_UINT(block_count(), 1);
	CHECK_EQ_STR(hd->error,
		     "hd0: read of sector 0 failed after 3 tries: BIOS status 0x01 (invalid function)");
}

static void scan_table_full(void)
{
	ram_make(DISK_SECTORS);
	write_mbr(good_table, true);
	char name[8];
	for (unsigned i = 0; i < BLOCK_DEVICES_MAX - 2; i++) {
		snprintf(name, sizeof name, "x%u", i);
		CHECK(ram_disk_add(name) != NULL);
	}
	struct block_device *hd = ram_disk_add("hd0");
	CHECK_EQ_INT(block_scan_partitions(hd), 1);
	CHECK_EQ_UINT(block_count(), BLOCK_DEVICES_MAX);
	CHECK(block_find("hd0p1") != NULL);
	CHECK_EQ_STR(hd->error, "hd0: partition 3 skipped: no room (24 devices at most)");
}

/* ---- the table of devices --------------------------------------------------- */

static void add_disk_rules(void)
{
	ram_make(16);
	CHECK_EQ_UINT(block_count(), 0);
	CHECK(block_at(0) == NULL);
	CHECK(block_find("hd0") == NULL);
	CHECK(block_find(NULL) == NULL);
	CHECK(ram_disk_add(NULL) == NULL);
	CHECK(ram_disk_add("") == NULL);
	CHECK(ram_disk_add("123456789") != NULL); /* 9 characters, and "p4" fits */
	CHECK(ram_disk_add("1234567890") == NULL);
	CHECK(ram_disk_add("123456789") == NULL); /* twice */
	CHECK(block_add_disk("nr", 16, 0, NULL, &ram) == NULL);
	static const struct block_ops no_read = { NULL, ram_write };
	CHECK(block_add_disk("nr", 16, 0, &no_read, &ram) == NULL);
	CHECK_EQ_UINT(block_count(), 1);
	char name[8];
	for (unsigned i = 1; i < BLOCK_DEVICES_MAX; i++) {
		snprintf(name, sizeof name, "d%u", i);
		if (!CHECK(ram_disk_add(name) != NULL))
			return;
	}
	CHECK(ram_disk_add("full") == NULL);
	CHECK_EQ_UINT(block_count(), BLOCK_DEVICES_MAX);
	CHECK_EQ_STR(block_at(BLOCK_DEVICES_MAX - 1)->name, "d23");
	CHECK_EQ_PTR(block_find("d5"), block_at(5));
	block_reset();
	CHECK_EQ_UINT(block_count(), 0);
	CHECK(block_find("d5") == NULL);
}

/* ---- transfers -------------------------------------------------------------- */

static struct block_device *disk_with_partitions(void)
{
	ram_make(DISK_SECTORS);
	write_mbr(good_table, true);
	struct block_device *hd = ram_disk_add("hd0");
	CHECK_EQ_INT(block_scan_partitions(hd), 3);
	return hd;
}

static void bounds_checked(void)
{
	struct block_device *hd = disk_with_partitions();
	struct block_device *p1 = block_find("hd0p1");
	uint8_t buf[4 * SECTOR];
	unsigned calls = ram.reads;

	CHECK_EQ_INT(block_read(p1, 4096, 1, buf), ERR_RANGE);
	CHECK_EQ_STR(p1->error, "hd0p1: read of 1 sector at 4096 reaches past the end (4096 sectors)");
	CHECK_EQ_INT(block_read(p1, 4094, 3, buf), ERR_RANGE);
	CHECK_EQ_INT(block_read(p1, UINT64_MAX - 1, 3, buf), ERR_RANGE);
	CHECK_EQ_INT(block_read(p1, 1, UINT32_MAX, buf), ERR_RANGE);
	CHECK_EQ_INT(block_write(p1, 4095, 2, buf), ERR_RANGE);
	CHECK_EQ_STR(p1->error, "hd0p1: write of 2 sectors at 4095 reaches past the end (4096 sectors)");
	CHECK_EQ_INT(block_read(hd, DISK_SECTORS, 1, buf), ERR_RANGE);
	CHECK_EQ_UINT(ram.reads, calls);
	CHECK_EQ_UINT(ram.writes, 0);

	CHECK_EQ_INT(block_read(p1, 4094, 2, buf), 0);
	CHECK(sector_is(buf + SECTOR, 2048 + 4095));
	CHECK_EQ_INT(block_read(hd, DISK_SECTORS - 4, 4, buf), 0);
	CHECK(sector_is(buf + 3 * SECTOR, DISK_SECTORS - 1));
	CHECK_EQ_INT(block_read(p1, 4096, 0, buf), 0); /* nothing, wherever */
	CHECK_EQ_INT(block_read(p1, 0, 1, NULL), ERR_INVAL);
	CHECK_EQ_STR(p1->error, "hd0p1: read without a buffer");
	CHECK_EQ_INT(block_write(p1, 0, 1, NULL), ERR_INVAL);
	CHECK_EQ_INT(block_read(NULL, 0, 1, buf), ERR_INVAL);
	CHECK_EQ_INT(block_write(NULL, 0, 1, buf), ERR_INVAL);
	CHECK(!ram.overrun);
}

static void partition_offsets(void)
{
	disk_with_partitions();
	struct block_device *p1 = block_find("hd0p1"), *p3 = block_find("hd0p3");
	uint8_t buf[2 * SECTOR];

	CHECK_EQ_INT(block_read(p1, 5, 2, buf), 0);
	CHECK_EQ_UINT(ram.last_lba, 2053);
	CHECK_EQ_UINT(ram.last_count, 2);
	CHECK(sector_is(buf, 2053));
	CHECK(sector_is(buf + SECTOR, 2054));

	memset(buf, 0xA5, SECTOR);
	CHECK_EQ_INT(block_write(p3, 0, 1, buf), 0);
	CHECK_EQ_UINT(ram.last_lba, 6144);
	CHECK_EQ_MEM(ram.data + 6144 * SECTOR, buf, SECTOR);
	CHECK(sector_is(ram.data + 6143 * SECTOR, 6143));
	CHECK(sector_is(ram.data + 6145 * SECTOR, 6145));
	memset(buf, 0, SECTOR);
	CHECK_EQ_INT(block_read(block_find("hd0"), 6144, 1, buf), 0);
	CHECK(buf[0] == 0xA5 && buf[SECTOR - 1] == 0xA5);
}

static void errors_name_device_and_sector(void)
{
	disk_with_partitions();
	struct block_device *p1 = block_find("hd0p1");
	uint8_t buf[8 * SECTOR];

	ram.fail_read_at = 2100;
	CHECK_EQ_INT(block_read(p1, 52, 1, buf), ERR_IO);
	CHECK_EQ_STR(
		p1->error,
		"hd0p1: read of sector 2100 failed after 3 tries: BIOS status 0x01 (invalid function)");
	CHECK_EQ_INT(block_read(p1, 50, 8, buf), ERR_IO);
	CHECK_EQ_STR(
		p1->error,
		"hd0p1: read of sector 2100 failed after 3 tries: BIOS status 0x01 (invalid function)");
	CHECK_EQ_INT(block_read(p1, 53, 1, buf), 0); /* its neighbour reads */
	CHECK(sector_is(buf, 2101));

	ram.fail_write_at = 6145;
	memset(buf, 1, sizeof buf);
	CHECK_EQ_INT(block_write(block_find("hd0p3"), 0, 4, buf), ERR_IO);
	CHECK_EQ_STR(
		block_find("hd0p3")->error,
		"hd0p3: write of sector 6145 failed after 3 tries: BIOS status 0x01 (invalid function)");

	/* a driver that fails without a word still gets a line */
	ram.silent = true;
	CHECK_EQ_INT(block_read(p1, 52, 1, buf), ERR_IO);
	CHECK_EQ_STR(p1->error, "hd0p1: read of 1 sector at 2100 failed (driver error -6)");
}

static void read_only_driver(void)
{
	ram_make(16);
	struct block_device *ro = block_add_disk("ro0", 16, 0, &read_only_ops, &ram);
	uint8_t buf[SECTOR] = { 0 };
	CHECK_EQ_INT(block_write(ro, 0, 1, buf), ERR_INVAL);
	CHECK_EQ_STR(ro->error, "ro0: the driver of ro0 cannot write");
	CHECK_EQ_UINT(ram.writes, 0);
	CHECK_EQ_INT(block_read(ro, 3, 1, buf), 0);
	CHECK(sector_is(buf, 3));
}

/* ---- the buffer cache ------------------------------------------------------- */

static uint8_t *cache_memory;

/* A cache of exactly N buffers in memory of the least size that gives N,
 * starting at an odd address (the cache aligns it); ASan catches a byte
 * used past the end */
static void cache_of(size_t n)
{
	struct block_cache_stats st;
	size_t bytes = n * SECTOR;
	do {
		free(cache_memory);
		cache_memory = malloc(bytes + 1);
		block_cache_init(cache_memory + 1, bytes);
		block_cache_stats(&st);
		bytes++;
	} while (st.buffers < n);
	CHECK_EQ_UINT(st.buffers, n);
	CHECK_EQ_UINT(st.cached, 0);
	/* one byte less holds one buffer less */
	block_cache_init(cache_memory + 1, bytes - 2);
	block_cache_stats(&st);
	CHECK_EQ_UINT(st.buffers, n - 1);
	block_cache_init(cache_memory + 1, bytes - 1);
}

static struct block_cache_stats stats_now(void)
{
	struct block_cache_stats st;
	block_cache_stats(&st);
	CHECK_EQ_UINT(st.reads, st.misses + st.direct_reads + st.read_ahead);
	return st;
}

/* reads sector LBA of DEV alone and checks what came back */
static bool read_one(struct block_device *dev, uint64_t lba)
{
	uint8_t buf[SECTOR];
	if (!CHECK_EQ_INT(block_read(dev, lba, 1, buf), 0))
		return false;
	return sector_is(buf, dev->start + lba);
}

static void cache_size_policy(void)
{
	CHECK_EQ_UINT(block_cache_size_for(0), 0);
	CHECK_EQ_UINT(block_cache_size_for(10 * 1024), 0);    /* a quarter is 2.5 KiB: no page */
	CHECK_EQ_UINT(block_cache_size_for(32 * 1024), 8192); /* 16 KiB would be half of it */
	CHECK_EQ_UINT(block_cache_size_for(64 * 1024), 16384);
	CHECK_EQ_UINT(block_cache_size_for(1 << 20), 16384); /* 1/64 is 16 KiB */
	CHECK_EQ_UINT(block_cache_size_for(2 << 20), 32768);
	CHECK_EQ_UINT(block_cache_size_for(60u << 20), 983040); /* 960 KiB */
	CHECK_EQ_UINT(block_cache_size_for(61u << 20), 999424); /* 976 KiB, rounded down to pages */
	CHECK_EQ_UINT(block_cache_size_for(64u << 20), 1 << 20);
	CHECK_EQ_UINT(block_cache_size_for(3ull << 30), 1 << 20);
	CHECK_EQ_UINT(block_cache_size_for(UINT64_MAX), 1 << 20);
	/* the sizes the kernel sees give buffers */
	static uint8_t mem[16384];
	struct block_cache_stats st;
	block_cache_init(mem, sizeof mem);
	block_cache_stats(&st);
	CHECK_MSG(st.buffers >= 28 && st.buffers < 32, "16 KiB gives %llu buffers",
		  (unsigned long long)st.buffers);
	block_cache_init(NULL, 0);
}

/* hits, misses and evictions, exactly, for single-sector reads through 3 buffers */
static void cache_scripted_counts(void)
{
	static const struct {
		uint64_t lba;
		bool hit;
	} script[] = {
		{ 1, false }, { 2, false }, { 3, false }, { 1, true }, /* 1 newest: 1 3 2 */
		{ 4, false },              /* evicts 2, the oldest, not 1, the first read (FIFO would) */
		{ 2, false },              /* evicts 3 */
		{ 5, false },              /* evicts 1 */
		{ 1, false },              /* evicts 4: 1 5 2 */
		{ 2, true },  { 5, true }, /* 5 2 1 */
		{ 6, false },              /* evicts 1 */
		{ 2, true },  { 1, false }, /* evicts 5 */
	};
	ram_make(DISK_SECTORS);
	struct block_device *hd = ram_disk_add("hd0");
	cache_of(3);
	uint64_t hits = 0, misses = 0;
	for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
		unsigned calls = ram.reads;
		if (!read_one(hd, script[i].lba))
			return;
		CHECK_MSG(ram.reads == calls + !script[i].hit, "step %zu (sector %llu): %s expected", i,
			  (unsigned long long)script[i].lba, script[i].hit ? "a hit" : "a miss");
		script[i].hit ? hits++ : misses++;
	}
	struct block_cache_stats st = stats_now();
	CHECK_EQ_UINT(st.hits, hits);
	CHECK_EQ_UINT(st.hits, 4);
	CHECK_EQ_UINT(st.misses, 9);
	CHECK_EQ_UINT(st.evictions, 6);
	CHECK_EQ_UINT(st.reads, 9);
	CHECK_EQ_UINT(st.direct_reads, 0);
	CHECK_EQ_UINT(st.cached, 3);
	CHECK_EQ_UINT(ram.sectors_read, misses);
}

/* a short read takes what is cached and reads each run of the rest in one call */
static void cache_short_runs(void)
{
	ram_make(DISK_SECTORS);
	struct block_device *hd = ram_disk_add("hd0");
	cache_of(8);
	read_one(hd, 11);
	read_one(hd, 14);
	unsigned calls = ram.reads;
	uint8_t buf[7 * SECTOR];
	CHECK_EQ_INT(block_read(hd, 10, 7, buf), 0); /* 10 | 11 | 12 13 | 14 | 15 16 */
	for (unsigned i = 0; i < 7; i++)
		CHECK(sector_is(buf + i * SECTOR, 10 + i));
	CHECK_EQ_UINT(ram.reads - calls, 3);
	struct block_cache_stats st = stats_now();
	CHECK_EQ_UINT(st.hits, 2);
	CHECK_EQ_UINT(st.misses, 2 + 5);
	CHECK_EQ_UINT(st.cached, 7);
	/* all of them cached now */
	CHECK_EQ_INT(block_read(hd, 10, 7, buf), 0);
	CHECK_EQ_UINT(ram.reads - calls, 3);
	CHECK_EQ_UINT(stats_now().hits, 2 + 7);
}

/* BLOCK_DIRECT_SECTORS or more: one driver call, nothing cached or evicted */
static void cache_direct_reads(void)
{
	ram_make(DISK_SECTORS);
	struct block_device *hd = ram_disk_add("hd0");
	cache_of(4);
	read_one(hd, 100);
	unsigned calls = ram.reads;
	uint8_t buf[BLOCK_DIRECT_SECTORS * SECTOR];
	CHECK_EQ_INT(block_read(hd, 96, BLOCK_DIRECT_SECTORS, buf), 0);
	CHECK_EQ_UINT(ram.reads - calls, 1);
	CHECK_EQ_UINT(ram.last_count, BLOCK_DIRECT_SECTORS);
	for (unsigned i = 0; i < BLOCK_DIRECT_SECTORS; i++)
		CHECK(sector_is(buf + i * SECTOR, 96 + i));
	struct block_cache_stats st = stats_now();
	CHECK_EQ_UINT(st.direct_reads, BLOCK_DIRECT_SECTORS);
	CHECK_EQ_UINT(st.cached, 1);
	CHECK_EQ_UINT(st.hits, 0);
	read_one(hd, 100); /* still there */
	read_one(hd, 97);  /* never was */
	CHECK_EQ_UINT(ram.reads - calls, 2);
	CHECK_EQ_UINT(stats_now().hits, 1);
}

/* a read ahead brings a range in with one call, from its first sector not
 * cached to its last; then a read of it, long or short, costs no call */
static void cache_read_ahead(void)
{
	ram_make(DISK_SECTORS);
	struct block_device *hd = ram_disk_add("hd0");
	cache_of(40);
	read_one(hd, 100); /* cached at the start: not read again */
	read_one(hd, 104); /* in the middle: read again with the rest */
	unsigned calls = ram.reads;
	CHECK_EQ_INT(block_read_ahead(hd, 100, 12), 0);
	CHECK_EQ_UINT(ram.reads - calls, 1);
	CHECK_EQ_UINT(ram.last_lba, 101);
	CHECK_EQ_UINT(ram.last_count, 11);
	struct block_cache_stats st = stats_now();
	CHECK_EQ_UINT(st.read_ahead, 11);
	CHECK_EQ_UINT(st.cached, 12);
	uint8_t buf[12 * SECTOR], two[2 * SECTOR];
	CHECK_EQ_INT(block_read(hd, 100, 12, buf), 0); /* a long read, all of it cached */
	CHECK_EQ_INT(block_read(hd, 103, 2, two), 0);
	CHECK_EQ_UINT(ram.reads - calls, 1);
	for (unsigned i = 0; i < 12; i++)
		CHECK(sector_is(buf + i * SECTOR, 100 + i));
	CHECK(sector_is(two, 103) && sector_is(two + SECTOR, 104));
	CHECK_EQ_UINT(stats_now().hits, 12 + 2);
	/* all of it cached already: no call */
	CHECK_EQ_INT(block_read_ahead(hd, 102, 8), 0);
	CHECK_EQ_UINT(ram.reads - calls, 1);
	/* a long read with one sector not cached goes to the driver whole, as before */
	CHECK_EQ_INT(block_read(hd, 105, 8, buf), 0);
	CHECK_EQ_UINT(ram.reads - calls, 2);
	CHECK_EQ_UINT(ram.last_count, 8);
}

/* a read ahead is cut at the device's end, at BLOCK_READ_AHEAD_MAX and at the
 * cache's size (it must not push out what it brings in); with no cache it
 * reads nothing; a failure is the device's, and caches nothing */
static void cache_read_ahead_limits(void)
{
	struct block_device *hd = disk_with_partitions();
	struct block_device *p1 = block_find("hd0p1");
	cache_of(BLOCK_READ_AHEAD_MAX + 8);
	unsigned calls = ram.reads;
	CHECK_EQ_INT(block_read_ahead(p1, p1->sectors - 3, 10), 0);
	CHECK_EQ_UINT(ram.last_lba, p1->start + p1->sectors - 3);
	CHECK_EQ_UINT(ram.last_count, 3);
	CHECK(!ram.overrun);
	CHECK_EQ_INT(block_read_ahead(p1, p1->sectors, 10), 0); /* nothing left to read */
	CHECK_EQ_INT(block_read_ahead(hd, 0, 0), 0);
	CHECK_EQ_INT(block_read_ahead(NULL, 0, 1), 0);
	CHECK_EQ_UINT(ram.reads - calls, 1);
	CHECK_EQ_INT(block_read_ahead(hd, 500, 100), 0);
	CHECK_EQ_UINT(ram.last_count, BLOCK_READ_AHEAD_MAX);
	cache_of(4);
	CHECK_EQ_INT(block_read_ahead(hd, 600, 10), 0);
	CHECK_EQ_UINT(ram.last_count, 4);
	CHECK_EQ_UINT(stats_now().cached, 4);
	block_cache_init(NULL, 0);
	calls = ram.reads;
	CHECK_EQ_INT(block_read_ahead(hd, 700, 10), 0);
	CHECK_EQ_UINT(ram.reads, calls);
	cache_of(16);
	ram.fail_read_at = 805;
	CHECK_EQ_INT(block_read_ahead(hd, 800, 10), ERR_IO);
	CHECK_MSG(strncmp(hd->error, "hd0: ", 5) == 0, "error line: %s", hd->error);
	CHECK_EQ_UINT(stats_now().cached, 0);
	CHECK_EQ_UINT(stats_now().read_ahead, 0);
}

/* a sector read before the cache (the loader's) goes in unless it is there
 * already, and then costs no call */
static void cache_seed(void)
{
	ram_make(DISK_SECTORS);
	struct block_device *hd = ram_disk_add("hd0");
	uint8_t copy[SECTOR], buf[SECTOR];
	memcpy(copy, ram.data + 7 * SECTOR, SECTOR);
	block_cache_init(NULL, 0);
	block_cache_seed(hd, 7, copy); /* no buffers: nothing */
	CHECK_EQ_UINT(stats_now().seeded, 0);
	cache_of(4);
	block_cache_seed(hd, 7, copy);
	unsigned calls = ram.reads;
	CHECK(read_one(hd, 7));
	CHECK_EQ_UINT(ram.reads, calls);
	struct block_cache_stats st = stats_now();
	CHECK_EQ_UINT(st.seeded, 1);
	CHECK_EQ_UINT(st.hits, 1);
	/* cached already: the copy is not taken */
	memset(copy, 0xEE, SECTOR);
	block_cache_seed(hd, 7, copy);
	CHECK_EQ_INT(block_read(hd, 7, 1, buf), 0);
	CHECK(sector_is(buf, 7));
	CHECK_EQ_UINT(stats_now().seeded, 1);
	CHECK_EQ_UINT(ram.reads, calls);
}

/* the key is the disk's sector: a partition and its disk share a buffer,
 * two disks do not */
static void cache_keys(void)
{
	struct block_device *hd = disk_with_partitions();
	struct block_device *p1 = block_find("hd0p1");
	cache_of(4);
	read_one(p1, 0);
	unsigned calls = ram.reads;
	read_one(hd, 2048);
	CHECK_EQ_UINT(ram.reads, calls);
	struct block_device *hd1 = block_add_disk("hd1", ram.sectors, 0, &ram_ops, &ram);
	read_one(hd1, 2048);
	CHECK_EQ_UINT(ram.reads, calls + 1);
	CHECK_EQ_UINT(stats_now().cached, 2);
	/* block_reset forgets the sectors: a new disk in the same slot is not served them */
	block_reset();
	hd = ram_disk_add("hd0");
	CHECK_EQ_UINT(stats_now().cached, 0);
	read_one(hd, 2048);
	CHECK_EQ_UINT(ram.reads, calls + 2);
}

/* writes go to the disk at once and into the cached copies */
static void cache_write_through(void)
{
	ram_make(DISK_SECTORS);
	struct block_device *hd = ram_disk_add("hd0");
	cache_of(4);
	read_one(hd, 20);
	read_one(hd, 22);
	uint8_t fresh[BLOCK_DIRECT_SECTORS * SECTOR], buf[BLOCK_DIRECT_SECTORS * SECTOR];
	memset(fresh, 0x5A, SECTOR);
	CHECK_EQ_INT(block_write(hd, 20, 1, fresh), 0);
	CHECK_EQ_MEM(ram.data + 20 * SECTOR, fresh, SECTOR);
	unsigned calls = ram.reads;
	CHECK_EQ_INT(block_read(hd, 20, 1, buf), 0);
	CHECK_EQ_UINT(ram.reads, calls); /* a hit, and the new data */
	CHECK_EQ_MEM(buf, fresh, SECTOR);
	/* a direct read sees it: the disk had it at once */
	CHECK_EQ_INT(block_read(hd, 16, BLOCK_DIRECT_SECTORS, buf), 0);
	CHECK_EQ_MEM(buf + 4 * SECTOR, fresh, SECTOR);
	CHECK(sector_is(buf + 5 * SECTOR, 21));
	/* a long write refreshes every copy in its range */
	for (unsigned i = 0; i < BLOCK_DIRECT_SECTORS; i++)
		memset(fresh + i * SECTOR, 0xC0 + i, SECTOR);
	CHECK_EQ_INT(block_write(hd, 18, BLOCK_DIRECT_SECTORS, fresh), 0);
	calls = ram.reads;
	CHECK_EQ_INT(block_read(hd, 22, 1, buf), 0);
	CHECK_EQ_UINT(ram.reads, calls);
	CHECK_EQ_MEM(buf, fresh + 4 * SECTOR, SECTOR);
	CHECK_EQ_INT(block_read(hd, 20, 1, buf), 0);
	CHECK_EQ_MEM(buf, fresh + 2 * SECTOR, SECTOR);
	CHECK_EQ_UINT(ram.reads, calls);
	struct block_cache_stats st = stats_now();
	CHECK_EQ_UINT(st.writes, 1 + BLOCK_DIRECT_SECTORS);
	CHECK_EQ_UINT(st.updates, 1 + 2);
	CHECK_EQ_UINT(st.cached, 2); /* writes do not fill buffers */
}

static void cache_failures(void)
{
	ram_make(DISK_SECTORS);
	struct block_device *hd = ram_disk_add("hd0");
	cache_of(8);
	/* a failed read caches nothing: not the sector, not its run */
	ram.fail_read_at = 30;
	uint8_t buf[4 * SECTOR];
	CHECK_EQ_INT(block_read(hd, 30, 1, buf), ERR_IO);
	CHECK_EQ_INT(block_read(hd, 28, 4, buf), ERR_IO);
	struct block_cache_stats st = stats_now();
	CHECK_EQ_UINT(st.cached, 0);
	CHECK_EQ_UINT(st.misses, 0);
	ram.fail_read_at = NO_FAILURE;
	unsigned calls = ram.reads;
	read_one(hd, 30);
	CHECK_EQ_UINT(ram.reads, calls + 1);
	/* a failed write drops the copies it was writing over: they may be stale */
	read_one(hd, 31);
	read_one(hd, 40);
	ram.fail_write_at = 32;
	memset(buf, 0xEE, sizeof buf);
	CHECK_EQ_INT(block_write(hd, 30, 4, buf), ERR_IO);
	st = stats_now();
	CHECK_EQ_UINT(st.invalidations, 2);
	CHECK_EQ_UINT(st.cached, 1);
	CHECK_EQ_UINT(st.writes, 0);
	calls = ram.reads;
	read_one(hd, 40);
	CHECK_EQ_UINT(ram.reads, calls);
	/* the disk's bytes, whatever they are now, come from the disk */
	ram.data[30 * SECTOR] ^= 0xFF;
	CHECK_EQ_INT(block_read(hd, 30, 1, buf), 0);
	CHECK_EQ_UINT(ram.reads, calls + 1);
	CHECK_EQ_UINT(buf[0], ram.data[30 * SECTOR]);
	ram.data[30 * SECTOR] ^= 0xFF;
}

/* with no buffers every transfer goes to the driver and still works */
static void cache_without_buffers(void)
{
	static uint8_t little[SECTOR];
	ram_make(DISK_SECTORS);
	struct block_device *hd = ram_disk_add("hd0");
	for (int round = 0; round < 2; round++) {
		if (round == 0)
			block_cache_init(NULL, 4096);
		else
			block_cache_init(little, sizeof little); /* a sector, no room for its header */
		unsigned calls = ram.reads;
		read_one(hd, 7);
		read_one(hd, 7);
		uint8_t buf[3 * SECTOR], fresh[SECTOR];
		CHECK_EQ_INT(block_read(hd, 6, 3, buf), 0);
		CHECK(sector_is(buf + 2 * SECTOR, 8));
		CHECK_EQ_UINT(ram.reads, calls + 3);
		memset(fresh, round, SECTOR);
		CHECK_EQ_INT(block_write(hd, 7, 1, fresh), 0);
		CHECK_EQ_INT(block_read(hd, 7, 1, buf), 0);
		CHECK_EQ_MEM(buf, fresh, SECTOR);
		struct block_cache_stats st = stats_now();
		CHECK_EQ_UINT(st.buffers, 0);
		CHECK_EQ_UINT(st.hits, 0);
		CHECK_EQ_UINT(st.misses, 1 + 1 + 3 + 1);
		CHECK_EQ_UINT(st.cached, 0);
		/* the pattern back for the next round */
		for (unsigned i = 0; i < SECTOR; i++)
			ram.data[7 * SECTOR + i] = pattern(7, i);
	}
}

/* ---- a random run against a model LRU ---------------------------------------- */

#define MODEL_BUFFERS 13
#define RANDOM_STEPS 20000
#define RANDOM_SPAN 40 /* sectors each disk is read in: collisions and evictions */

struct model_key {
	const struct block_device *disk;
	uint64_t lba;
};
static struct model_key model[MODEL_BUFFERS]; /* newest first */
static unsigned model_n;

/* true on a hit; the key becomes the newest either way */
static bool model_touch(const struct block_device *disk, uint64_t lba, uint64_t *evictions)
{
	unsigned i;
	for (i = 0; i < model_n; i++)
		if (model[i].disk == disk && model[i].lba == lba)
			break;
	bool hit = i < model_n;
	if (!hit) {
		if (model_n == MODEL_BUFFERS)
			++*evictions;
		else
			model_n++;
		i = model_n - 1;
	}
	memmove(model + 1, model, i * sizeof model[0]);
	model[0] = (struct model_key){ disk, lba };
	return hit;
}

static void cache_random_against_model(void)
{
	ram_make(DISK_SECTORS);
	/* a second disk of its own: its own RAM, the same bytes to begin with */
	struct ram_disk ram1 = ram;
	ram1.data = malloc(DISK_SECTORS * SECTOR);
	memcpy(ram1.data, ram.data, DISK_SECTORS * SECTOR);
	struct block_device *disks[2] = { ram_disk_add("hd0"),
					  block_add_disk("hd1", DISK_SECTORS, 0, &ram_ops, &ram1) };
	uint8_t *shadow[2] = { malloc(DISK_SECTORS * SECTOR), malloc(DISK_SECTORS * SECTOR) };
	memcpy(shadow[0], ram.data, DISK_SECTORS * SECTOR);
	memcpy(shadow[1], ram.data, DISK_SECTORS * SECTOR);
	cache_of(MODEL_BUFFERS);
	model_n = 0;
	uint64_t hits = 0, misses = 0, evictions = 0;
	uint8_t buf[BLOCK_DIRECT_SECTORS * SECTOR];
	for (unsigned step = 0; step < RANDOM_STEPS; step++) {
		unsigned which = (unsigned)check_rand_below(2);
		struct block_device *d = disks[which];
		uint64_t lba = check_rand_below(RANDOM_SPAN);
		unsigned kind = (unsigned)check_rand_below(10);
		uint32_t count = kind < 6   ? 1
				 : kind < 8 ? 1 + (uint32_t)check_rand_below(4)
					    : BLOCK_DIRECT_SECTORS;
		if (kind == 9) { /* a write, of a short or a long run */
			for (uint32_t i = 0; i < count * SECTOR; i++)
				buf[i] = (uint8_t)check_rand();
			if (!CHECK_EQ_INT(block_write(d, lba, count, buf), 0))
				break;
			memcpy(shadow[which] + lba * SECTOR, buf, count * SECTOR);
			continue;
		}
		if (!CHECK_EQ_INT(block_read(d, lba, count, buf), 0))
			break;
		if (!CHECK_EQ_MEM(buf, shadow[which] + lba * SECTOR, count * SECTOR)) {
			printf("# step %u: %s sectors %llu+%u\n", step, d->name, (unsigned long long)lba,
			       count);
			break;
		}
		if (count >= BLOCK_DIRECT_SECTORS)
			continue;
		for (uint32_t i = 0; i < count; i++)
			model_touch(d, lba + i, &evictions) ? hits++ : misses++;
		struct block_cache_stats st = stats_now();
		if (!CHECK_EQ_UINT(st.hits, hits) || !CHECK_EQ_UINT(st.misses, misses) ||
		    !CHECK_EQ_UINT(st.evictions, evictions)) {
			printf("# step %u: %s sectors %llu+%u\n", step, d->name, (unsigned long long)lba,
			       count);
			break;
		}
	}
	CHECK_EQ_UINT(stats_now().cached, MODEL_BUFFERS);
	CHECK_MSG(hits > 1000 && evictions > 1000,
		  "hits %llu, evictions %llu: the run tested too little", (unsigned long long)hits,
		  (unsigned long long)evictions);
	CHECK(!ram.overrun && !ram1.overrun);
	free(shadow[0]);
	free(shadow[1]);
	free(ram1.data);
}

int main(void)
{
	check_seed(1313);
	RUN(add_disk_rules);
	RUN(scan_good_table);
	RUN(scan_overlap);
	RUN(scan_past_end);
	RUN(scan_start_zero);
	RUN(scan_zero_sectors);
	RUN(scan_bad_status);
	RUN(scan_names_first_rejected);
	RUN(scan_no_signature);
	RUN(scan_fat_boot_sector);
	RUN(scan_empty_table);
	RUN(scan_read_error);
	RUN(scan_table_full);
	RUN(bounds_checked);
	RUN(partition_offsets);
	RUN(errors_name_device_and_sector);
	RUN(read_only_driver);
	RUN(cache_size_policy);
	RUN(cache_scripted_counts);
	RUN(cache_short_runs);
	RUN(cache_direct_reads);
	RUN(cache_read_ahead);
	RUN(cache_read_ahead_limits);
	RUN(cache_seed);
	RUN(cache_keys);
	RUN(cache_write_through);
	RUN(cache_failures);
	RUN(cache_without_buffers);
	RUN(cache_random_against_model);
	free(ram.data);
	free(cache_memory);
	return check_done();
}
