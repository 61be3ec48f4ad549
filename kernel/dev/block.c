/* block.c: the block devices: a static table of disks (from drivers) and
 * their primary MBR partitions, and bounds-checked transfers that translate a
 * partition's sectors to its disk's and name the device in every error.
 * block_cache.c stands between these transfers and the drivers. */
#include "block.h"
#include "errors.h"
#include "lib.h"

/* The classic MBR (sector 0): four 16-byte entries at 446, then 55 AA */
#define MBR_TABLE_OFFSET 446
#define MBR_ENTRY_BYTES 16
#define MBR_ENTRIES 4
#define MBR_SIGNATURE_OFFSET 510
#define MBR_SIGNATURE_0 0x55
#define MBR_SIGNATURE_1 0xAA
#define MBR_STATUS_INACTIVE 0x00
#define MBR_STATUS_ACTIVE 0x80
#define MBR_TYPE_EMPTY 0x00
/* an entry's fields, from its start; bytes 1-3 and 5-7 are CHS, which LBA
 * makes redundant and which is wrong on every disk past 8 GiB */
#define MBR_ENTRY_STATUS 0
#define MBR_ENTRY_TYPE 4
#define MBR_ENTRY_LBA 8
#define MBR_ENTRY_SECTORS 12

/* A FAT boot sector (BPB, Microsoft's FAT specification) in sector 0 means
 * a volume without a partition table: its boot code would fill the table's
 * bytes with nonsense. These fields are enough to tell one from an MBR. */
#define BPB_JUMP_SHORT 0xEB /* EB xx 90 */
#define BPB_JUMP_NOP 0x90
#define BPB_JUMP_NEAR 0xE9 /* E9 xx xx */
#define BPB_BYTES_PER_SECTOR 0x0B
#define BPB_SECTORS_PER_CLUSTER 0x0D
#define BPB_RESERVED_SECTORS 0x0E
#define BPB_FATS 0x10
#define BPB_MEDIA 0x15
#define BPB_MAX_FATS 2
#define BPB_MEDIA_FLOPPY 0xF0 /* the lowest media byte; F0 and F8-FF are valid */
#define BPB_MEDIA_FIXED_LOW 0xF8

/* The name a partition gets: the disk's and "p" and a digit */
#define PARTITION_SUFFIX_CHARS 2

static struct block_device devices[BLOCK_DEVICES_MAX];
static unsigned ndevices;

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool is_disk(const struct block_device *dev)
{
	return dev->disk == dev;
}

void block_reset(void)
{
	LIB_NAME(memset)(devices, 0, sizeof devices);
	ndevices = 0;
	block_cache_forget();
}

unsigned block_count(void)
{
	return ndevices;
}

struct block_device *block_at(unsigned i)
{
	return i < ndevices ? &devices[i] : NULL;
}

struct block_device *block_find(const char *name)
{
	if (!name)
		return NULL;
	for (unsigned i = 0; i < ndevices; i++)
		if (!LIB_NAME(strcmp)(devices[i].name, name))
			return &devices[i];
	return NULL;
}

/* The next free slot of the table, zeroed; NULL when full */
static struct block_device *new_device(void)
{
	if (ndevices == BLOCK_DEVICES_MAX)
		return NULL;
	struct block_device *dev = &devices[ndevices++];
	LIB_NAME(memset)(dev, 0, sizeof *dev);
	return dev;
}

struct block_device *block_add_disk(const char *name, uint64_t sectors, uint32_t signature,
				    const struct block_ops *ops, void *driver)
{
	if (!name || !ops || !ops->read)
		return NULL;
	size_t len = LIB_NAME(strnlen)(name, BLOCK_NAME_MAX);
	if (len == 0 || len > BLOCK_NAME_MAX - 1 - PARTITION_SUFFIX_CHARS || block_find(name))
		return NULL;
	struct block_device *dev = new_device();
	if (!dev)
		return NULL;
	LIB_NAME(memcpy)(dev->name, name, len);
	dev->sectors = sectors;
	dev->disk = dev;
	dev->ops = ops;
	dev->driver = driver;
	dev->signature = signature;
	return dev;
}

/* ---- transfers ------------------------------------------------------------- */

/* DEV's last failure: its name, ": ", then the line FMT makes */
static void set_error(struct block_device *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_error(struct block_device *dev, const char *fmt, ...)
{
	char line[BLOCK_ERROR_MAX];
	va_list ap;

	va_start(ap, fmt);
	LIB_NAME(vsnprintf)(line, sizeof line, fmt, ap);
	va_end(ap);
	LIB_NAME(snprintf)(dev->error, sizeof dev->error, "%s: %s", dev->name, line);
}

static const char *plural(uint32_t count)
{
	return count == 1 ? "" : "s";
}

/* Checks a transfer against DEV's size; 0 or ERR_RANGE with a message */
static int check_range(struct block_device *dev, const char *what, uint64_t lba, uint32_t count)
{
	/* written so that lba + count cannot wrap */
	if (lba < dev->sectors && count <= dev->sectors - lba)
		return 0;
	set_error(dev, "%s of %u sector%s at %llu reaches past the end (%llu sectors)", what, count,
		  plural(count), (unsigned long long)lba, (unsigned long long)dev->sectors);
	return ERR_RANGE;
}

/* The driver's line under DEV's name; a driver that fails without a line
 * still gets one naming the sectors and its code. */
static int driver_failed(struct block_device *dev, int rc, const char *driver_line, const char *what,
			 uint64_t disk_lba, uint32_t count)
{
	if (rc > 0)
		rc = ERR_IO; /* a driver's mistake; a failure all the same */
	if (driver_line[0])
		set_error(dev, "%s", driver_line);
	else
		set_error(dev, "%s of %u sector%s at %llu failed (driver error %d)", what, count,
			  plural(count), (unsigned long long)disk_lba, rc);
	return rc;
}

/* One transfer for block_read (INTO is the buffer) or block_write (FROM is) */
static int transfer(struct block_device *dev, bool write, uint64_t lba, uint32_t count, void *into,
		    const void *from)
{
	const char *what = write ? "write" : "read";
	if (!dev)
		return ERR_INVAL;
	if (write ? !from : !into) {
		set_error(dev, "%s without a buffer", what);
		return ERR_INVAL;
	}
	if (write && !dev->disk->ops->write) {
		set_error(dev, "the driver of %s cannot write", dev->disk->name);
		return ERR_INVAL;
	}
	if (count == 0)
		return 0;
	int rc = check_range(dev, what, lba, count);
	if (rc)
		return rc;
	char line[BLOCK_ERROR_MAX] = "";
	uint64_t disk_lba = dev->start + lba;
	rc = write ? block_cache_write(dev->disk, disk_lba, count, from, line)
		   : block_cache_read(dev->disk, disk_lba, count, into, line);
	return rc ? driver_failed(dev, rc, line, what, disk_lba, count) : 0;
}

int block_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf)
{
	return transfer(dev, false, lba, count, buf, NULL);
}

int block_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf)
{
	return transfer(dev, true, lba, count, NULL, buf);
}

int block_read_ahead(struct block_device *dev, uint64_t lba, uint32_t count)
{
	if (!dev || lba >= dev->sectors || count == 0)
		return 0;
	if (count > dev->sectors - lba)
		count = (uint32_t)(dev->sectors - lba);
	if (count > BLOCK_READ_AHEAD_MAX)
		count = BLOCK_READ_AHEAD_MAX;
	char line[BLOCK_ERROR_MAX] = "";
	uint64_t disk_lba = dev->start + lba;
	int rc = block_cache_read_ahead(dev->disk, disk_lba, count, line);
	return rc ? driver_failed(dev, rc, line, "read", disk_lba, count) : 0;
}

/* ---- the MBR partition table ------------------------------------------------ */

static bool looks_like_fat_boot_sector(const uint8_t *sector)
{
	bool jump =
		(sector[0] == BPB_JUMP_SHORT && sector[2] == BPB_JUMP_NOP) || sector[0] == BPB_JUMP_NEAR;
	uint8_t per_cluster = sector[BPB_SECTORS_PER_CLUSTER];
	uint8_t fats = sector[BPB_FATS];
	uint8_t media = sector[BPB_MEDIA];
	return jump && le16(sector + BPB_BYTES_PER_SECTOR) == BLOCK_SECTOR_SIZE && per_cluster &&
	       !(per_cluster & (per_cluster - 1)) && le16(sector + BPB_RESERVED_SECTORS) && fats >= 1 &&
	       fats <= BPB_MAX_FATS && (media == BPB_MEDIA_FLOPPY || media >= BPB_MEDIA_FIXED_LOW);
}

struct mbr_entry {
	uint8_t slot; /* 1-4 */
	uint8_t status;
	uint8_t type;
	uint32_t start;
	uint32_t sectors;
};

static void parse_entry(const uint8_t *sector, unsigned index, struct mbr_entry *e)
{
	const uint8_t *raw = sector + MBR_TABLE_OFFSET + index * MBR_ENTRY_BYTES;
	e->slot = (uint8_t)(index + 1);
	e->status = raw[MBR_ENTRY_STATUS];
	e->type = raw[MBR_ENTRY_TYPE];
	e->start = le32(raw + MBR_ENTRY_LBA);
	e->sectors = le32(raw + MBR_ENTRY_SECTORS);
}

/* Why the entry cannot be a partition of DISK (into why, "" when it can);
 * ACCEPTED are the entries taken before it. */
static void judge_entry(const struct block_device *disk, const struct mbr_entry *e,
			const struct mbr_entry *accepted, unsigned naccepted, char *why, size_t len)
{
	uint64_t end = (uint64_t)e->start + e->sectors; /* one past the last sector */
	why[0] = 0;
	if (e->status != MBR_STATUS_INACTIVE && e->status != MBR_STATUS_ACTIVE) {
		LIB_NAME(snprintf)(why, len, "status byte 0x%02x is neither 0x00 nor 0x80", e->status);
	} else if (e->start == 0) {
		LIB_NAME(snprintf)(why, len, "starts at sector 0, the partition table's own");
	} else if (e->sectors == 0) {
		LIB_NAME(snprintf)(why, len, "has 0 sectors");
	} else if (end > disk->sectors) {
		LIB_NAME(snprintf)(why, len, "sectors %u..%llu reach past the disk's end (%llu sectors)",
				   e->start, (unsigned long long)end - 1,
				   (unsigned long long)disk->sectors);
	} else {
		for (unsigned i = 0; i < naccepted; i++) {
			const struct mbr_entry *o = &accepted[i];
			if (e->start < (uint64_t)o->start + o->sectors && o->start < end) {
				LIB_NAME(snprintf)(
					why, len, "sectors %u..%llu overlap partition %u (%u..%llu)",
					e->start, (unsigned long long)end - 1, o->slot, o->start,
					(unsigned long long)o->start + o->sectors - 1);
				return;
			}
		}
	}
}

static struct block_device *add_partition(struct block_device *disk, const struct mbr_entry *e)
{
	struct block_device *part = new_device();
	if (!part)
		return NULL;
	LIB_NAME(snprintf)(part->name, sizeof part->name, "%sp%u", disk->name, e->slot);
	part->sectors = e->sectors;
	part->start = e->start;
	part->disk = disk;
	part->ops = disk->ops;
	part->driver = disk->driver;
	part->partition = e->slot;
	part->type = e->type;
	part->active = e->status == MBR_STATUS_ACTIVE;
	return part;
}

/* Extended partitions (types 0x05, 0x0F, 0x85) are added as what they are,
 * one device over the whole container; the chain of logical partitions
 * inside is not followed. VlsOs's images have none, and the swap issue
 * needs a primary partition. */
/* 55 AA and not a FAT boot sector (a volume over the whole disk: a floppy) */
static bool has_partition_table(const uint8_t *sector)
{
	return sector[MBR_SIGNATURE_OFFSET] == MBR_SIGNATURE_0 &&
	       sector[MBR_SIGNATURE_OFFSET + 1] == MBR_SIGNATURE_1 &&
	       !looks_like_fat_boot_sector(sector);
}

uint64_t block_mbr_extent(const uint8_t *sector)
{
	uint64_t end = 0;

	if (!has_partition_table(sector))
		return 0;
	for (unsigned i = 0; i < MBR_ENTRIES; i++) {
		struct mbr_entry e;
		parse_entry(sector, i, &e);
		if (e.type != MBR_TYPE_EMPTY && (uint64_t)e.start + e.sectors > end)
			end = (uint64_t)e.start + e.sectors;
	}
	return end;
}

int block_scan_partitions(struct block_device *disk)
{
	if (!disk || !is_disk(disk))
		return ERR_INVAL;
	for (unsigned i = 0; i < ndevices; i++)
		if (devices[i].disk == disk && &devices[i] != disk) {
			set_error(disk, "partitions scanned already (%s)", devices[i].name);
			return ERR_EXIST;
		}
	disk->error[0] = 0;
	if (disk->sectors == 0)
		return 0;

	uint8_t sector[BLOCK_SECTOR_SIZE];
	int rc = block_read(disk, 0, 1, sector);
	if (rc)
		return rc;
	if (!has_partition_table(sector))
		return 0;

	struct mbr_entry accepted[MBR_ENTRIES];
	unsigned naccepted = 0;
	int added = 0;
	for (unsigned i = 0; i < MBR_ENTRIES; i++) {
		struct mbr_entry e;
		char why[BLOCK_ERROR_MAX];
		parse_entry(sector, i, &e);
		if (e.type == MBR_TYPE_EMPTY)
			continue;
		judge_entry(disk, &e, accepted, naccepted, why, sizeof why);
		if (!why[0] && !add_partition(disk, &e))
			LIB_NAME(snprintf)(why, sizeof why, "no room (%u devices at most)",
					   BLOCK_DEVICES_MAX);
		if (why[0]) {
			if (!disk->error[0])
				set_error(disk, "partition %u skipped: %s", e.slot, why);
			continue;
		}
		accepted[naccepted++] = e;
		added++;
	}
	return added;
}
