/* disks.c: the kernel's disks at boot: every drive the BIOS offers
 * (dev/bios_disk.c), the partitions on each (dev/block.c), the buffer cache
 * in front of them, and the boot volume found and mounted (fs/fat.c). Says in
 * the boot log what it found and which volume it mounted. */
#include "kernel.h"
#include "dev/bios_disk.h"
#include "dev/block.h"
#include "fs/fat.h"
#include "errors.h"
#include "layout.h"
#include "lib.h"

/* MBR partition types a FAT volume may carry */
#define MBR_FAT12 0x01
#define MBR_FAT16_SMALL 0x04
#define MBR_FAT16 0x06
#define MBR_FAT32_CHS 0x0B
#define MBR_FAT32_LBA 0x0C
#define MBR_FAT16_LBA 0x0E

static struct fat_volume volume;
static struct block_device *volume_dev; /* NULL: no boot volume mounted */

static bool is_fat_type(uint8_t type)
{
	return type == MBR_FAT12 || type == MBR_FAT16_SMALL || type == MBR_FAT16 ||
	       type == MBR_FAT32_CHS || type == MBR_FAT32_LBA || type == MBR_FAT16_LBA;
}

static int read_volume_sectors(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
	return block_read(ctx, lba, count, buf);
}

static int read_ahead_volume_sectors(void *ctx, uint32_t lba, uint32_t count)
{
	return block_read_ahead(ctx, lba, count);
}

/* the loader's sectors, copied before the kernel's memory set-up may reuse the
 * sector buffer they are in */
static uint8_t kept[BOOT_KEPT_MAX][BLOCK_SECTOR_SIZE];

void disks_keep_loader_sectors(const struct boot_info *bi)
{
	unsigned n = bi->kept_count < BOOT_KEPT_MAX ? bi->kept_count : BOOT_KEPT_MAX;

	for (unsigned i = 0; i < n; i++) {
		uint32_t addr = bi->kept[i].addr;
		/* the loader keeps them in its sector buffer, and nowhere else */
		if (addr < REGION_SECTOR_BUF_START || addr > REGION_SECTOR_BUF_END - BLOCK_SECTOR_SIZE)
			continue;
		memcpy(kept[i], (const void *)(uintptr_t)addr, BLOCK_SECTOR_SIZE);
		bios_disk_keep(bi->boot_drive, bi->kept[i].lba, kept[i]);
	}
}

static unsigned size_mib(uint64_t sectors)
{
	return (unsigned)(sectors / (1024 * 1024 / BLOCK_SECTOR_SIZE));
}

/* "  hd0    80h EDD, 32768 sectors (16 MiB), signature 564C534F, boot disk":
 * within 80 columns for disks up to a terabyte */
static void report_disk(struct block_device *disk, bool boot)
{
	const struct bios_drive *d = bios_disk_of(disk);

	kprintf("  %-6s %02Xh ", disk->name, d->number);
	if (d->edd)
		kprintf("EDD");
	else
		kprintf("CHS %u/%u/%u", (unsigned)d->cylinders, (unsigned)d->heads,
			(unsigned)d->sectors_per_track);
	kprintf(", %llu sectors (%u MiB)", (unsigned long long)disk->sectors, size_mib(disk->sectors));
	if (d->medium_unread)
		kprintf(", medium not read");
	else if (disk->signature)
		kprintf(", signature %08X", (unsigned)disk->signature);
	kprintf("%s\n", boot ? ", boot disk" : "");
}

static void report_partitions(struct block_device *disk)
{
	for (unsigned i = 0; i < block_count(); i++) {
		struct block_device *p = block_at(i);
		if (p->disk != disk || p == disk)
			continue;
		kprintf("  %-6s type %02Xh, sectors %llu-%llu (%u MiB)%s\n", p->name, p->type,
			(unsigned long long)p->start, (unsigned long long)(p->start + p->sectors - 1),
			size_mib(p->sectors), p->active ? ", active" : "");
	}
	if (disk->error[0])
		kprintf("  %s\n", disk->error);
}

/* The disk the build signed (disk.img.layout's signatures); where two are,
 * the one the BIOS booted from. */
static struct block_device *find_boot_disk(uint8_t boot_drive)
{
	struct block_device *found = NULL;

	for (unsigned i = 0; i < block_count(); i++) {
		struct block_device *dev = block_at(i);
		if (dev->disk != dev ||
		    (dev->signature != HDD_SIGNATURE && dev->signature != FDD_SIGNATURE))
			continue;
		if (!found || bios_disk_of(dev)->number == boot_drive)
			found = dev;
	}
	return found;
}

/* the active FAT partition, else the first FAT one, else the disk itself
 * when it has no partition table (a floppy) */
static struct block_device *find_boot_partition(struct block_device *disk)
{
	struct block_device *first = NULL;
	bool has_partitions = false;

	for (unsigned i = 0; i < block_count(); i++) {
		struct block_device *p = block_at(i);
		if (p->disk != disk || p == disk)
			continue;
		has_partitions = true;
		if (!is_fat_type(p->type))
			continue;
		if (p->active)
			return p;
		if (!first)
			first = p;
	}
	/* a table whose entries were all refused is still a table, not a volume */
	return has_partitions || disk->error[0] ? first : disk;
}

static void cache_init(void)
{
	struct memory_accounting acc;
	size_t bytes;
	void *memory = NULL;

	memory_accounting(&acc);
	bytes = block_cache_size_for(acc.free);
	if (bytes)
		memory = malloc(bytes);
	if (!memory)
		bytes = 0;
	block_cache_init(memory, bytes);
	if (memory)
		block_cache_read_ahead_buffer(malloc(BLOCK_READ_AHEAD_MAX * BLOCK_SECTOR_SIZE));
	struct block_cache_stats stats;
	block_cache_stats(&stats);
	kprintf("Buffer cache: %u sectors in %u KiB (1/%u of free memory, at most %u KiB)\n",
		(unsigned)stats.buffers, (unsigned)(bytes / 1024), BLOCK_CACHE_FREE_SHARE,
		BLOCK_CACHE_MAX_BYTES / 1024);
}

void disks_init(const struct boot_info *bi)
{
	struct block_device *boot_disk, *boot;

	cache_init(); /* first: the probe's read of each sector 0 serves the partition scan too */
	unsigned drives = bios_disk_probe(bi->equipment, bi->boot_drive);
	kprintf("Disks: %u from the BIOS\n", drives);
	boot_disk = find_boot_disk(bi->boot_drive);
	for (unsigned i = 0; i < block_count(); i++) {
		struct block_device *disk = block_at(i);
		if (disk->disk != disk)
			continue;
		report_disk(disk, disk == boot_disk);
		if (bios_disk_of(disk)->medium_unread)
			continue;
		if (block_scan_partitions(disk) >= 0)
			report_partitions(disk);
		else
			kprintf("  %s\n", disk->error);
	}
	if (!boot_disk) {
		kprintf("Boot volume: none: no disk carries VlsOs's signature (%08X or %08X)\n",
			(unsigned)HDD_SIGNATURE, (unsigned)FDD_SIGNATURE);
		return;
	}
	boot = find_boot_partition(boot_disk);
	if (!boot) {
		kprintf("Boot volume: none: %s has no usable FAT partition\n", boot_disk->name);
		return;
	}
	struct fat_source src = { boot, read_volume_sectors, (uint32_t)boot->sectors,
				  read_ahead_volume_sectors };
	int err = fat_mount(&volume, &src);
	if (err) {
		kprintf("Boot volume: %s not mounted: %s\n", boot->name,
			err == ERR_IO ? boot->error : volume.error);
		return;
	}
	volume_dev = boot;
	kprintf("Boot volume: %s, FAT%u \"%s\", %u sectors, mounted read-only\n", boot->name,
		volume.type, volume.label, (unsigned)volume.sectors);
}

struct fat_volume *boot_volume(void)
{
	return volume_dev ? &volume : NULL;
}

struct block_device *boot_volume_device(void)
{
	return volume_dev;
}

const char *boot_volume_error(int err)
{
	return err == ERR_IO && volume_dev ? volume_dev->error : volume.error;
}
