/* bios_disk.h: the disks the BIOS offers, through INT 13h (bios_disk.c). */
#ifndef VLSOS_BIOS_DISK_H
#define VLSOS_BIOS_DISK_H

#include <stdbool.h>
#include <stdint.h>

struct block_device;

struct bios_drive {
	uint8_t number;     /* INT 13h DL: 00h.. floppies, 80h.. hard disks (and USB sticks) */
	bool edd;           /* packet calls (AH=42h/43h) and AH=48h's size; else CHS */
	bool unusable;      /* sectors other than 512 bytes (a CD) */
	bool medium_unread; /* a floppy drive not booted from: its medium is not read at
			     * boot (an empty drive answers only after seconds of timeouts) */
	uint32_t cylinders, heads, sectors_per_track; /* AH=08h */
	uint64_t sectors;
	struct block_device *dev;
	uint64_t calls, retries, failures, sectors_moved; /* transfers only */
};

/* Asks the BIOS for every floppy (the equipment word's count) and hard disk
 * (AH=08h's count) and adds each as a block device, "fd0".. and "hd0..", with
 * the signature the build writes (an MBR's, or a bare FAT volume's serial),
 * read from every hard disk and from the floppy booted from.
 * Returns how many. */
unsigned bios_disk_probe(uint16_t equipment, uint8_t boot_drive);
/* A sector of BIOS drive DRIVE that was read before the kernel (the loader's,
 * boot_info.kept): when bios_disk_probe adds that drive the sector goes into
 * the buffer cache, so reading it costs no BIOS call. DATA must stay valid
 * until then. At most BIOS_DISK_KEPT_MAX are kept; more are dropped. */
#define BIOS_DISK_KEPT_MAX 8
void bios_disk_keep(uint8_t drive, uint64_t lba, const void *data);
const struct bios_drive *bios_disk_at(unsigned i);
const struct bios_drive *bios_disk_of(const struct block_device *dev);
const char *bios_disk_status_name(uint8_t status);

#endif
