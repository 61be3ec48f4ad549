/* boot_info.h: the one structure stage 2 hands the kernel (in EBX on entry).
 * Defined once here; build/gen/boot_info.inc (NASM offsets) is generated from
 * it by tools/geninc, and its size is pinned below. */
#ifndef VLSOS_BOOT_INFO_H
#define VLSOS_BOOT_INFO_H

#include <stddef.h>
#include <stdint.h>

#define BOOT_INFO_MAGIC 0x424C5356u /* "VSLB" in memory order */
#define BOOT_INFO_VERSION 5

#define BOOT_E820_MAX 128
#define BOOT_CMDLINE_MAX 256

/* E820 types (ACPI 6.x table 15.4) */
#define E820_USABLE 1
#define E820_RESERVED 2
#define E820_ACPI_RECLAIM 3
#define E820_ACPI_NVS 4
#define E820_BAD 5

/* how the loader read the disk */
#define BOOT_READ_EDD 1 /* INT 13h AH=42h extended reads */
#define BOOT_READ_CHS 2 /* INT 13h AH=02h, geometry from AH=08h */

/* how A20 came on */
#define A20_WAS_ON 1
#define A20_BIOS 2 /* INT 15h AX=2401h */
#define A20_KBC 3  /* 8042 output port */
#define A20_FAST 4 /* port 0x92 */

/* where the memory size came from */
#define MEM_FROM_E820 1
#define MEM_FROM_E801 2
#define MEM_FROM_88 3

/* boot_info.flags */
#define BOOT_FLAG_DL_FIXED 0x01     /* BIOS passed a DL out of range; 0x80 assumed */
#define BOOT_FLAG_E820_ACPI3 0x02   /* 24-byte entries whose attribute bit 0 was honoured */
#define BOOT_FLAG_HAVE_CMDLINE 0x04 /* BOOT.CFG was found */
#define BOOT_FLAG_ATA_GAVE_UP 0x08  /* an ATA PIO read failed: INT 13h read the rest */

/* boot_info.stage2_tsc: the TSC at each of stage 2's steps, in their order,
 * so a benchmark can say where the loader's time goes (all 0 without a TSC).
 * Each step's time includes its line of the loader's report. */
#define BOOT_STAMP_ENTRY 0           /* stage 2's first instruction (boot_info zeroed) */
#define BOOT_STAMP_DISK 1            /* the boot drive and its read method found */
#define BOOT_STAMP_MEMORY 2          /* low memory, BDA and the E820 map probed */
#define BOOT_STAMP_A20 3             /* A20 on */
#define BOOT_STAMP_FAT 4             /* the FAT volume mounted */
#define BOOT_STAMP_KERNEL_READ 5     /* KERNEL.BIN read (to the top of the kernel's region) */
#define BOOT_STAMP_KERNEL_UNPACKED 6 /* the image unpacked (or moved) to its home */
#define BOOT_STAMP_KERNEL_CHECKED 7  /* its header and CRC-32 checked */
#define BOOT_STAMP_CONFIG 8          /* BOOT.CFG read */
#define BOOT_STAMP_PMODE 9           /* the last instruction before protected mode */
#define BOOT_STAMPS 10

/* boot_info.kept: sectors of the boot drive stage 2 read and left in its
 * sector buffer (the drive's sector 0, the volume's boot sector, the root
 * directory's and the FAT's last), which the kernel copies before it sets up
 * memory and puts in its buffer cache for that drive: each is a read through
 * the BIOS less. */
#define BOOT_KEPT_MAX 5

struct boot_kept_sector {
	uint32_t lba;  /* the drive's sector (not the volume's) */
	uint32_t addr; /* where its 512 bytes are */
} __attribute__((packed));

struct e820_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t attr; /* ACPI 3.0 extended attributes, 1 when absent */
} __attribute__((packed));

struct boot_info {
	uint32_t magic;
	uint16_t version;
	uint16_t size; /* sizeof(struct boot_info) */
	uint32_t flags;

	/* drive */
	uint8_t boot_drive;  /* the INT 13h drive number used */
	uint8_t bios_drive;  /* DL as the BIOS passed it */
	uint8_t read_method; /* BOOT_READ_* */
	uint8_t a20_method;  /* A20_* */
	uint16_t chs_heads;  /* geometry from AH=08h (0 when EDD) */
	uint16_t chs_sectors;
	uint32_t kernel_read_calls; /* reads (INT 13h calls, ATA commands) that loaded KERNEL.BIN */
	uint32_t kernel_read_sectors;
	uint32_t disk_retries;       /* reads that failed and were retried */
	uint32_t kernel_read_cycles; /* TSC cycles the reads of KERNEL.BIN took (0: no TSC) */

	/* low memory, as the BIOS reports it */
	uint16_t conv_kib;     /* INT 12h */
	uint16_t equipment;    /* BDA 0x410 */
	uint16_t com_ports[4]; /* BDA 0x400 */
	uint16_t lpt_ports[3]; /* BDA 0x408 */
	uint16_t ebda_segment; /* BDA 0x40E, 0 when none */
	uint32_t ebda_base;    /* bytes */
	uint32_t ebda_size;    /* bytes: first EBDA byte in KiB, else to 0xA0000 */
	uint32_t ivt_set[8];   /* bit n: vector n points into the BIOS (not 0:0) */

	/* extended memory */
	uint8_t mem_source;      /* MEM_FROM_* */
	uint8_t e820_entry_size; /* 20 or 24, as the BIOS answered */
	uint16_t e820_count;
	uint32_t e801_below_16m_kib; /* E801 AX/CX */
	uint32_t e801_above_16m_64k; /* E801 BX/DX */
	uint32_t ext_88_kib;         /* INT 15h AH=88h */
	uint32_t stack_low_water;    /* lowest loader SP seen (from the fill pattern) */
	uint8_t cursor_row;          /* INT 10h AH=03h just before protected mode, so */
	uint8_t cursor_col;          /* the kernel writes on below the loader's lines */
	uint16_t bios_pic_mask;      /* the 8259s' masks as the BIOS had them (slave << 8) */

	/* kernel */
	uint32_t kernel_addr;
	uint32_t kernel_size; /* the image's bytes (KERNEL.BIN's, when it is not packed) */
	uint32_t cmdline_len;
	char cmdline[BOOT_CMDLINE_MAX];
	struct e820_entry e820[BOOT_E820_MAX];

	/* version 3: at the end, so earlier fields kept their offsets; version 4:
	 * one stamp more (BOOT_STAMP_KERNEL_UNPACKED), and the kept sectors */
	uint64_t stage2_tsc[BOOT_STAMPS]; /* BOOT_STAMP_*: the TSC then, 0 without one */
	uint32_t kept_count;              /* entries of kept in use */
	struct boot_kept_sector kept[BOOT_KEPT_MAX];

	/* version 5: stage 2's fast path (boot/ata.inc): the IDE command block it
	 * read the boot disk through by ATA PIO, 0 when every read was INT 13h */
	uint16_t ata_port;
	uint8_t ata_slave; /* 0 master, 1 slave */
	uint8_t ata_block; /* sectors per READ MULTIPLE data block */
} __attribute__((packed));

/* whether stage 2 read KERNEL.BIN by its ATA fast path to the end (not given
 * up for INT 13h on the way) */
static inline int boot_read_by_ata(const struct boot_info *bi)
{
	return bi->ata_port && !(bi->flags & BOOT_FLAG_ATA_GAVE_UP);
}

_Static_assert(sizeof(struct e820_entry) == 24, "E820 entries are 24 bytes");
_Static_assert(sizeof(struct boot_info) == 3588, "boot_info size is pinned");
_Static_assert(offsetof(struct boot_info, e820) % 4 == 0, "E820 array aligned");

#endif
