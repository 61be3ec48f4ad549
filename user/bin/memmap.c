/* memmap.c: MEMMAP: the E820 map as the loader found it (SYS_BOOTINFO),
 * sorted, with its types, then the regions of disk.img.layout (the seed's
 * physical layout table) each with what the map says of its memory. */
#include "boot_info.h"
#include "layout.h"
#include "ulib.h"

static const struct command memmap_command = {
	.name = "memmap",
	.usage = "MEMMAP",
	.about = "The BIOS's E820 memory map as the loader recorded it, sorted by address, with\n"
		 "each entry's type and size and the usable total; then the physical regions\n"
		 "disk.img.layout plans, each with what the E820 map says of its memory.\n",
};

struct layout_region {
	const char *name;
	uint32_t start, end;
	const char *what;
};

#define REGION(NAME, name, what)                                       \
	{                                                              \
		name, REGION_##NAME##_START, REGION_##NAME##_END, what \
	}
static const struct layout_region regions[] = {
	REGION(IVT, "ivt", "real-mode interrupt vectors"),
	REGION(BDA, "bda", "BIOS data area"),
	REGION(BOOT_INFO, "boot_info", "the loader's hand-off, kept"),
	REGION(SECTOR_BUF, "sector_buf", "the loader's FAT and directory sectors"),
	REGION(CRC_TABLE, "crc_table", "the loader's CRC-32 table"),
	REGION(BIOS_CALL, "bios_call", "the kernel's real-mode calls"),
	REGION(STAGE1, "stage1", "boot sector"),
	REGION(STAGE2, "stage2", "the loader's second stage"),
	REGION(STACK_GUARD, "stack_guard", "unmapped: stack overflow faults"),
	REGION(BOOT_STACK, "boot_stack", "loader, then kernel stack"),
	REGION(BOUNCE, "bounce", "disk reads (DMA-safe)"),
	REGION(EBDA_FLOOR, "ebda_floor", "where an EBDA may lie"),
	REGION(ROM, "rom", "system BIOS"),
	REGION(KERNEL, "kernel", "KERNEL.BIN and .bss"),
	REGION(HEAP, "heap", "the seed's linear heap"),
};

static struct boot_info info;

/* insertion sort by base: the map has at most BOOT_E820_MAX entries */
static void sort_by_base(struct e820_entry *e, uint32_t count)
{
	for (uint32_t i = 1; i < count; i++) {
		struct e820_entry moving = e[i];
		uint32_t j = i;
		for (; j > 0 && e[j - 1].base > moving.base; j--)
			e[j] = e[j - 1];
		e[j] = moving;
	}
}

/* what the map says of [start, end): the type covering all of it, "partly
 * TYPE" when one type covers part and nothing else, or "not in the map" */
static const char *covered_by(const struct e820_entry *e, uint32_t count, uint64_t start, uint64_t end)
{
	static char answer[40];
	uint64_t covered = 0;
	uint32_t type = 0;
	bool mixed = false;

	for (uint32_t i = 0; i < count; i++) {
		uint64_t lo = e[i].base > start ? e[i].base : start;
		uint64_t hi = e[i].base + e[i].length < end ? e[i].base + e[i].length : end;
		if (lo >= hi)
			continue;
		mixed |= type != 0 && type != e[i].type;
		type = e[i].type;
		covered += hi - lo;
	}
	if (covered == 0)
		return "not in the map";
	if (mixed)
		return "mixed types";
	snprintf(answer, sizeof(answer), "%s%s", covered < end - start ? "partly " : "",
		 e820_type_name(type));
	return answer;
}

int main(int argc, char **argv)
{
	cmd_start_no_arguments(&memmap_command, argc, argv);
	int err = sys_bootinfo(&info, sizeof(info));
	if (err < 0)
		cmd_fail("the loader's hand-off is not available: %s", error_name(err));
	if (info.magic != BOOT_INFO_MAGIC)
		cmd_fail("the hand-off's magic is 0x%08x, not 0x%08x", info.magic, BOOT_INFO_MAGIC);
	uint32_t count = info.e820_count < BOOT_E820_MAX ? info.e820_count : BOOT_E820_MAX;
	sort_by_base(info.e820, count);

	uint64_t usable = 0;
	printf("E820 map, %u entries (%u-byte) from the BIOS, sorted:\n", count, info.e820_entry_size);
	for (uint32_t i = 0; i < count; i++) {
		const struct e820_entry *e = &info.e820[i];
		char size[HUMAN_SIZE_LEN];
		printf("  0x%016llx-0x%016llx %10s  %s", (unsigned long long)e->base,
		       (unsigned long long)(e->base + e->length - 1), human_size(e->length, size),
		       e820_type_name(e->type));
		if (e->type > E820_BAD)
			printf(" (%u)", e->type);
		if (info.e820_entry_size > 20 && e->attr != 1)
			printf(", attributes 0x%x", e->attr);
		printf("\n");
		if (e->type == E820_USABLE)
			usable += e->length;
	}
	char size[HUMAN_SIZE_LEN];
	printf("  usable: %llu bytes (%s) before the kernel's sanitising\n", (unsigned long long)usable,
	       human_size(usable, size));

	printf("Physical layout (disk.img.layout):\n");
	for (unsigned i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		const struct layout_region *r = &regions[i];
		printf("  %-12s 0x%08x-0x%08x %9s  %-38s %s\n", r->name, r->start, r->end - 1,
		       human_size(r->end - r->start, size), r->what,
		       covered_by(info.e820, count, r->start, r->end));
	}
	if (info.ebda_segment)
		printf("  EBDA (BIOS)  0x%08x-0x%08x %9s  measured: BDA 0x40E\n", info.ebda_base,
		       info.ebda_base + info.ebda_size - 1, human_size(info.ebda_size, size));
	return 0;
}
