/* bios_disk.c: every disk the BIOS offers, as a block device, read and written
 * through INT 13h from protected mode (kernel/arch/bios_call.c). The BIOS
 * drives the controller (floppy, IDE, AHCI, USB behind EHCI or xHCI); this
 * file does what the loader does (boot/disk.inc): EDD's packet calls where the
 * BIOS has them, track-clamped CHS otherwise, at most 127 sectors a call, the
 * request rebuilt before every try, three tries with a reset between. */
#include "bios_disk.h"
#include "block.h"
#include "errors.h"
#include "lib.h"
#include "../arch/arch.h"

#define INT13 0x13
#define INT13_RESET 0x00
#define INT13_READ_CHS 0x02
#define INT13_WRITE_CHS 0x03
#define INT13_GET_PARAMETERS 0x08 /* CHS geometry; DL out: the number of drives */
#define INT13_EXTENSIONS_CHECK 0x41
#define INT13_READ_EDD 0x42
#define INT13_WRITE_EDD 0x43
#define INT13_EDD_PARAMETERS 0x48
#define EDD_CHECK_IN 0x55AA
#define EDD_CHECK_OUT 0xAA55
#define EDD_HAS_PACKET_CALLS 0x0001 /* AH=41h CX bit 0: AH=42h-44h, 47h, 48h */
#define EDD_TRIES 3
#define EDD_MAX_SECTORS 127 /* Phoenix EDD 1.1: a packet moves at most 127 blocks */
#define STATUS_NO_MEDIA 0x31
#define STATUS_TIMEOUT 0x80
#define STATUS_NOT_READY 0xAA
#define DRIVE_FLOPPY_FIRST 0x00
#define DRIVE_HARD_FIRST 0x80
#define FLOPPIES_MAX 4
#define HARD_DISKS_MAX 8
#define EQUIPMENT_HAS_FLOPPY 0x0001 /* INT 11h / BDA 410h bit 0; bits 6-7: count - 1 */
#define EQUIPMENT_FLOPPY_SHIFT 6
#define MBR_SIGNATURE_OFFSET 440
#define BOOT_SIGNATURE_OFFSET 510    /* 55h AAh */
#define FAT_EXT_BOOT_SIG_OFFSET 0x26 /* 29h: the serial number that follows is there */
#define FAT_SERIAL_OFFSET 0x27
#define FAT_EXT_BOOT_SIG 0x29

/* Phoenix EDD 3.0 disk address packet (AH=42h/43h) */
struct edd_packet {
	uint8_t size; /* 16 */
	uint8_t reserved;
	uint16_t count; /* in: sectors to move; out: sectors moved */
	uint16_t buffer_offset, buffer_segment;
	uint64_t lba;
} __attribute__((packed));

/* AH=48h result buffer, EDD 1.1 part */
struct edd_parameters {
	uint16_t size; /* in: the buffer's size; out: what the BIOS filled */
	uint16_t flags;
	uint32_t cylinders, heads, sectors_per_track;
	uint64_t sectors;
	uint16_t bytes_per_sector;
} __attribute__((packed));

static struct bios_drive drives[FLOPPIES_MAX + HARD_DISKS_MAX];
static unsigned drive_count;

/* sectors read before the kernel, for add_drive to put in the cache */
struct kept_sector {
	uint8_t drive;
	uint64_t lba;
	const void *data;
};
static struct kept_sector kept[BIOS_DISK_KEPT_MAX];
static unsigned kept_count;

void bios_disk_keep(uint8_t drive, uint64_t lba, const void *data)
{
	if (kept_count < BIOS_DISK_KEPT_MAX)
		kept[kept_count++] = (struct kept_sector){ drive, lba, data };
}

static bool carry(const struct bios_regs *r)
{
	return r->eflags & BIOS_EFLAGS_CF;
}

static uint8_t status_of(const struct bios_regs *r)
{
	return (uint8_t)(r->eax >> 8);
}

/* the INT 13h status bytes (IBM PC/AT technical reference; EDD) */
const char *bios_disk_status_name(uint8_t status)
{
	switch (status) {
	case 0x00: return "no error";
	case 0x01: return "invalid function or parameter";
	case 0x02: return "address mark not found";
	case 0x03: return "write protected";
	case 0x04: return "sector not found";
	case 0x05: return "reset failed";
	case 0x06: return "disk changed";
	case 0x07: return "drive parameter activity failed";
	case 0x08: return "DMA overrun";
	case 0x09: return "DMA across a 64 KiB boundary";
	case 0x0A: return "bad sector";
	case 0x0C: return "unsupported track or invalid media";
	case 0x0D: return "invalid number of sectors";
	case 0x10: return "uncorrectable ECC or CRC error";
	case 0x11: return "ECC corrected data error";
	case 0x20: return "controller failure";
	case 0x31: return "no media in drive";
	case 0x40: return "seek failed";
	case 0x80: return "timeout (not ready)";
	case 0xAA: return "drive not ready";
	case 0xBB: return "undefined error";
	case 0xCC: return "write fault";
	case 0xFF: return "sense operation failed";
	default: return "unknown status";
	}
}

/* a drive without a medium answers so after its timeouts; trying again
 * only waits as long once more */
static bool no_medium(uint8_t status)
{
	return status == STATUS_TIMEOUT || status == STATUS_NOT_READY || status == STATUS_NO_MEDIA;
}

static void reset_drive(const struct bios_drive *d)
{
	struct bios_regs in = { .eax = INT13_RESET << 8, .edx = d->number }, out;
	bios_call(INT13, &in, &out);
}

/* One call of at most EDD_MAX_SECTORS, within one track for CHS, the data in
 * the bounce buffer. Returns the BIOS status (0: done). */
static uint8_t transfer_once(struct bios_drive *d, bool write, uint32_t lba_low, uint64_t lba,
			     uint32_t count, void *bounce)
{
	struct bios_regs in = { 0 }, out;

	d->calls++;
	if (d->edd) {
		uint32_t size;
		struct edd_packet *p = bios_scratch(&size);
		*p = (struct edd_packet){ .size = sizeof(*p),
					  .count = (uint16_t)count,
					  .buffer_offset = bios_offset(bounce),
					  .buffer_segment = bios_segment(bounce),
					  .lba = lba };
		in.eax = (uint32_t)(write ? INT13_WRITE_EDD : INT13_READ_EDD) << 8; /* AL 0: no verify */
		in.edx = d->number;
		in.ds = bios_segment(p);
		in.esi = bios_offset(p);
		bios_call(INT13, &in, &out);
		if (!carry(&out) && p->count != count)
			return 0x0D; /* moved fewer sectors than asked, with no error said */
	} else {
		uint32_t sector = lba_low % d->sectors_per_track + 1;
		uint32_t track = lba_low / d->sectors_per_track;
		uint32_t head = track % d->heads, cylinder = track / d->heads;
		in.eax = (uint32_t)(write ? INT13_WRITE_CHS : INT13_READ_CHS) << 8 | count;
		in.ecx = (cylinder & 0xFF) << 8 | (cylinder >> 8 & 0x3) << 6 | sector;
		in.edx = head << 8 | d->number;
		in.es = bios_segment(bounce);
		in.ebx = bios_offset(bounce);
		bios_call(INT13, &in, &out);
		if (!carry(&out) && (out.eax & 0xFF) != count && (out.eax & 0xFF) != 0)
			return 0x0D; /* AL: sectors moved, where the BIOS reports it */
	}
	if (!carry(&out))
		return 0;
	return status_of(&out) ? status_of(&out) : 0xBB; /* CF without a status: undefined */
}

static int transfer(struct block_device *dev, bool write, uint64_t lba, uint32_t count, void *buf,
		    char *error)
{
	struct bios_drive *d = dev->driver;
	uint32_t bounce_size;
	uint8_t *bounce = bios_bounce(&bounce_size), *p = buf;
	uint32_t max = bounce_size / BLOCK_SECTOR_SIZE;

	if (max > EDD_MAX_SECTORS)
		max = EDD_MAX_SECTORS;
	if (lba + count > d->sectors || lba + count < lba) {
		snprintf(error, BLOCK_ERROR_MAX, "%s of sectors %llu-%llu past %s (%llu sectors)",
			 write ? "write" : "read", (unsigned long long)lba,
			 (unsigned long long)(lba + count - 1),
			 d->edd ? "the disk's end" : "what CHS reaches", (unsigned long long)d->sectors);
		return ERR_RANGE;
	}
	while (count) {
		uint32_t chunk = count < max ? count : max;
		uint32_t lba_low = (uint32_t)lba; /* CHS disks end well below 2^32 sectors */
		uint8_t status = 0;

		if (!d->edd) {
			uint32_t to_track_end = d->sectors_per_track - lba_low % d->sectors_per_track;
			if (chunk > to_track_end)
				chunk = to_track_end;
		}
		if (write)
			memcpy(bounce, p, (size_t)chunk * BLOCK_SECTOR_SIZE);
		for (unsigned try = 1; try <= EDD_TRIES; try++) {
			status = transfer_once(d, write, lba_low, lba, chunk, bounce);
			if (status == 0 || no_medium(status))
				break;
			d->retries++;
			reset_drive(d);
		}
		if (status && chunk > 1 && !no_medium(status)) {
			/* A BIOS does not say which sector of a run failed: go one by
			 * one, so the error names it (and the run's good sectors arrive) */
			for (uint32_t i = 0; i < chunk; i++) {
				int err = transfer(dev, write, lba + i, 1,
						   p + (size_t)i * BLOCK_SECTOR_SIZE, error);
				if (err)
					return err;
			}
			p += (size_t)chunk * BLOCK_SECTOR_SIZE;
			lba += chunk;
			count -= chunk;
			continue;
		}
		if (status) {
			d->failures++;
			snprintf(error, BLOCK_ERROR_MAX,
				 "%s of sector %llu failed after %u tries: BIOS status 0x%02x (%s)",
				 write ? "write" : "read", (unsigned long long)lba,
				 no_medium(status) ? 1 : EDD_TRIES, status,
				 bios_disk_status_name(status));
			return ERR_IO;
		}
		if (!write)
			memcpy(p, bounce, (size_t)chunk * BLOCK_SECTOR_SIZE);
		d->sectors_moved += chunk;
		p += (size_t)chunk * BLOCK_SECTOR_SIZE;
		lba += chunk;
		count -= chunk;
	}
	return 0;
}

static int bios_disk_read(struct block_device *dev, uint64_t lba, uint32_t count, void *buf, char *error)
{
	return transfer(dev, false, lba, count, buf, error);
}

static int bios_disk_write(struct block_device *dev, uint64_t lba, uint32_t count, const void *buf,
			   char *error)
{
	return transfer(dev, true, lba, count, (void *)buf, error);
}

static const struct block_ops bios_disk_ops = { bios_disk_read, bios_disk_write };

/* AH=08h: CHS geometry. false when the BIOS does not know the drive. */
static bool chs_geometry(struct bios_drive *d, uint8_t *drives_out)
{
	struct bios_regs in = { .eax = INT13_GET_PARAMETERS << 8, .edx = d->number }, out;

	bios_call(INT13, &in, &out);
	if (carry(&out))
		return false;
	d->sectors_per_track = out.ecx & 0x3F;
	d->heads = (out.edx >> 8 & 0xFF) + 1;
	d->cylinders = ((out.ecx >> 8 & 0xFF) | (out.ecx & 0xC0) << 2) + 1;
	if (drives_out)
		*drives_out = (uint8_t)out.edx;
	return d->sectors_per_track != 0;
}

/* AH=41h, then AH=48h for the size. false: CHS only. */
static bool edd_geometry(struct bios_drive *d)
{
	struct bios_regs in = { .eax = INT13_EXTENSIONS_CHECK << 8,
				.ebx = EDD_CHECK_IN,
				.edx = d->number },
			 out;
	uint32_t size;
	struct edd_parameters *p = bios_scratch(&size);

	bios_call(INT13, &in, &out);
	if (carry(&out) || (out.ebx & 0xFFFF) != EDD_CHECK_OUT || !(out.ecx & EDD_HAS_PACKET_CALLS))
		return false;
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	in = (struct bios_regs){ .eax = INT13_EDD_PARAMETERS << 8,
				 .edx = d->number,
				 .ds = bios_segment(p),
				 .esi = bios_offset(p) };
	bios_call(INT13, &in, &out);
	if (carry(&out) || p->sectors == 0)
		return false;
	if (p->bytes_per_sector != BLOCK_SECTOR_SIZE) {
		kprintf("disks: BIOS drive %02Xh has %u-byte sectors; only %u-byte ones are used\n",
			d->number, p->bytes_per_sector, BLOCK_SECTOR_SIZE);
		d->unusable = true;
		return false;
	}
	d->sectors = p->sectors;
	return true;
}

/* the signature the build writes: an MBR's disk signature, or a bare FAT
 * volume's serial number (the floppy) */
static uint32_t read_signature(struct block_device *dev)
{
	uint8_t sector[BLOCK_SECTOR_SIZE];
	uint32_t sig;
	const struct bios_drive *d = dev->driver;

	/* through the cache: the partition scan reads sector 0 next */
	if (block_read(dev, 0, 1, sector) != 0)
		return 0;
	if (sector[BOOT_SIGNATURE_OFFSET] != 0x55 || sector[BOOT_SIGNATURE_OFFSET + 1] != 0xAA)
		return 0;
	/* A CHS disk's geometry is a translation the BIOS chose and may fall
	 * short of the disk (SeaBIOS gives a 32768-sector disk 371/11/8: 32648):
	 * a partition the MBR says reaches further is still the disk's, and its
	 * sectors beyond CHS's reach fail by name when read. */
	if (!d->edd && block_mbr_extent(sector) > dev->sectors)
		dev->sectors = block_mbr_extent(sector);
	if (dev->name[0] == 'f' && sector[FAT_EXT_BOOT_SIG_OFFSET] == FAT_EXT_BOOT_SIG)
		memcpy(&sig, sector + FAT_SERIAL_OFFSET, sizeof(sig));
	else
		memcpy(&sig, sector + MBR_SIGNATURE_OFFSET, sizeof(sig));
	return sig;
}

static void add_drive(uint8_t number, const char *prefix, unsigned index, bool read_medium)
{
	struct bios_drive *d = &drives[drive_count];
	char name[BLOCK_NAME_MAX];

	*d = (struct bios_drive){ .number = number };
	if (!chs_geometry(d, NULL))
		return;
	if (!edd_geometry(d)) {
		if (d->unusable)
			return;
		d->sectors = (uint64_t)d->cylinders * d->heads * d->sectors_per_track;
	} else {
		d->edd = true;
	}
	snprintf(name, sizeof(name), "%s%u", prefix, index);
	d->dev = block_add_disk(name, d->sectors, 0, &bios_disk_ops, d);
	if (!d->dev) {
		kprintf("disks: no room for BIOS drive %02Xh (%u devices at most)\n", number,
			BLOCK_DEVICES_MAX);
		return;
	}
	for (unsigned i = 0; i < kept_count; i++)
		if (kept[i].drive == number && kept[i].lba < d->sectors)
			block_cache_seed(d->dev, kept[i].lba, kept[i].data);
	d->medium_unread = !read_medium;
	if (read_medium)
		d->dev->signature = read_signature(d->dev);
	drive_count++;
}

unsigned bios_disk_probe(uint16_t equipment, uint8_t boot_drive)
{
	uint8_t hard_disks = 0;
	unsigned floppies =
		equipment & EQUIPMENT_HAS_FLOPPY ? ((equipment >> EQUIPMENT_FLOPPY_SHIFT) & 3) + 1 : 0;

	drive_count = 0;
	for (unsigned i = 0; i < floppies && i < FLOPPIES_MAX; i++)
		add_drive((uint8_t)(DRIVE_FLOPPY_FIRST + i), "fd", i,
			  DRIVE_FLOPPY_FIRST + i == boot_drive);
	/* AH=08h on the first hard disk answers how many there are */
	struct bios_drive probe = { .number = DRIVE_HARD_FIRST };
	if (!chs_geometry(&probe, &hard_disks))
		hard_disks = 0;
	for (unsigned i = 0; i < hard_disks && i < HARD_DISKS_MAX; i++)
		add_drive((uint8_t)(DRIVE_HARD_FIRST + i), "hd", i, true);
	return drive_count;
}

const struct bios_drive *bios_disk_at(unsigned i)
{
	return i < drive_count ? &drives[i] : NULL;
}

const struct bios_drive *bios_disk_of(const struct block_device *dev)
{
	for (unsigned i = 0; i < drive_count; i++)
		if (drives[i].dev == dev)
			return &drives[i];
	return NULL;
}
