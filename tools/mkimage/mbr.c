/* mbr.c: sector 0 of a partitioned disk: stage 1's code, the disk
 * signature, and the partition table, an entry for each partition in the
 * order the layout declares them. */
#include "mkimage.h"

#include <stdio.h>
#include <string.h>

#define MBR_SIG_OFF 440  /* 32-bit disk signature */
#define MBR_PROT_OFF 444 /* 16-bit, 0 (0x5A5A would mean copy-protected) */
#define MBR_TABLE_OFF 446
#define MBR_ENTRY_SIZE 16
#define MBR_MAGIC_OFF 510

/* CHS as the BIOS sees a disk translated to 255 heads x 63 sectors per
 * track; addresses past cylinder 1023 saturate to 1023/254/63. */
#define CHS_HEADS 255u
#define CHS_SPT 63u

void chs_encode(uint32_t lba, uint8_t out[3])
{
	uint32_t c = lba / (CHS_HEADS * CHS_SPT);
	uint32_t h = (lba / CHS_SPT) % CHS_HEADS;
	uint32_t s = lba % CHS_SPT + 1;
	if (c > 1023)
		c = 1023, h = CHS_HEADS - 1, s = CHS_SPT;
	out[0] = (uint8_t)h;
	out[1] = (uint8_t)(s | (c >> 8) << 6);
	out[2] = (uint8_t)c;
}

int mbr_build(const struct disk *d, const char *name, const uint8_t *stage1, size_t len,
	      uint8_t out[512])
{
	if (len != SECTOR_BYTES) {
		fprintf(stderr, "mkimage: %s: the MBR stage 1 is %zu bytes, it must be exactly %u\n",
			name, len, SECTOR_BYTES);
		return -1;
	}
	if (stage1[510] != 0x55 || stage1[511] != 0xAA) {
		fprintf(stderr,
			"mkimage: %s: does not end in the boot signature 55 AA (has %02X %02X)\n", name,
			stage1[510], stage1[511]);
		return -1;
	}
	for (unsigned i = MBR_SIG_OFF; i < MBR_MAGIC_OFF; i++)
		if (stage1[i]) {
			fprintf(stderr,
				"mkimage: %s: byte %u is 0x%02X; bytes 440..509 must be zero, "
				"or its code would overlap the disk signature/partition table\n",
				name, i, stage1[i]);
			return -1;
		}

	memcpy(out, stage1, SECTOR_BYTES);
	put32(out + MBR_SIG_OFF, d->signature);
	put16(out + MBR_PROT_OFF, 0);
	memset(out + MBR_TABLE_OFF, 0, MBR_ENTRIES * MBR_ENTRY_SIZE);
	for (int i = 0; i < d->nparts; i++) {
		const struct partition *p = &d->parts[i];
		uint8_t *e = out + MBR_TABLE_OFF + (p->number - 1) * MBR_ENTRY_SIZE;
		e[0] = p->active ? 0x80 : 0x00;
		chs_encode(p->lba, e + 1);
		e[4] = p->type;
		chs_encode(p->lba + p->sectors - 1, e + 5);
		put32(e + 8, p->lba);
		put32(e + 12, p->sectors);
	}
	out[MBR_MAGIC_OFF] = 0x55;
	out[MBR_MAGIC_OFF + 1] = 0xAA;
	return 0;
}
