/* geninc: print NASM's view of the C contracts in include/ (boot_info.h,
 * kernel_header.h), so that the loader never types an offset of its own. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "bios_call.h"
#include "boot_info.h"
#include "kernel_header.h"

#define DEF(name, value) printf("%%define %-28s 0x%lx\n", name, (unsigned long)(value))
#define OFF(prefix, type, field) DEF(prefix #field, offsetof(struct type, field))

static void boot_info_offsets(void)
{
	OFF("BI_", boot_info, magic);
	OFF("BI_", boot_info, version);
	OFF("BI_", boot_info, size);
	OFF("BI_", boot_info, flags);
	OFF("BI_", boot_info, boot_drive);
	OFF("BI_", boot_info, bios_drive);
	OFF("BI_", boot_info, read_method);
	OFF("BI_", boot_info, a20_method);
	OFF("BI_", boot_info, chs_heads);
	OFF("BI_", boot_info, chs_sectors);
	OFF("BI_", boot_info, kernel_read_calls);
	OFF("BI_", boot_info, kernel_read_sectors);
	OFF("BI_", boot_info, disk_retries);
	OFF("BI_", boot_info, kernel_read_cycles);
	OFF("BI_", boot_info, conv_kib);
	OFF("BI_", boot_info, equipment);
	OFF("BI_", boot_info, com_ports);
	OFF("BI_", boot_info, lpt_ports);
	OFF("BI_", boot_info, ebda_segment);
	OFF("BI_", boot_info, ebda_base);
	OFF("BI_", boot_info, ebda_size);
	OFF("BI_", boot_info, ivt_set);
	OFF("BI_", boot_info, mem_source);
	OFF("BI_", boot_info, e820_entry_size);
	OFF("BI_", boot_info, e820_count);
	OFF("BI_", boot_info, e801_below_16m_kib);
	OFF("BI_", boot_info, e801_above_16m_64k);
	OFF("BI_", boot_info, ext_88_kib);
	OFF("BI_", boot_info, stack_low_water);
	OFF("BI_", boot_info, cursor_row);
	OFF("BI_", boot_info, cursor_col);
	OFF("BI_", boot_info, bios_pic_mask);
	OFF("BI_", boot_info, kernel_addr);
	OFF("BI_", boot_info, kernel_size);
	OFF("BI_", boot_info, cmdline_len);
	OFF("BI_", boot_info, cmdline);
	OFF("BI_", boot_info, e820);
	OFF("BI_", boot_info, stage2_tsc);
	OFF("BI_", boot_info, kept_count);
	OFF("BI_", boot_info, kept);
	OFF("BI_", boot_info, ata_port);
	OFF("BI_", boot_info, ata_slave);
	OFF("BI_", boot_info, ata_block);
	DEF("BOOT_KEPT_MAX", BOOT_KEPT_MAX);
	DEF("KEPT_SIZE", sizeof(struct boot_kept_sector));
	OFF("KEPT_", boot_kept_sector, lba);
	OFF("KEPT_", boot_kept_sector, addr);
	DEF("BOOT_INFO_SIZE", sizeof(struct boot_info));
	DEF("BOOT_INFO_MAGIC", BOOT_INFO_MAGIC);
	DEF("BOOT_INFO_VERSION", BOOT_INFO_VERSION);
	DEF("BOOT_E820_MAX", BOOT_E820_MAX);
	DEF("BOOT_CMDLINE_MAX", BOOT_CMDLINE_MAX);
	DEF("E820_ENTRY_SIZE", sizeof(struct e820_entry));
	OFF("E820_", e820_entry, base);
	OFF("E820_", e820_entry, length);
	OFF("E820_", e820_entry, type);
	OFF("E820_", e820_entry, attr);
}

static void constants(void)
{
	DEF("BOOT_READ_EDD", BOOT_READ_EDD);
	DEF("BOOT_READ_CHS", BOOT_READ_CHS);
	DEF("A20_WAS_ON", A20_WAS_ON);
	DEF("A20_BIOS", A20_BIOS);
	DEF("A20_KBC", A20_KBC);
	DEF("A20_FAST", A20_FAST);
	DEF("MEM_FROM_E820", MEM_FROM_E820);
	DEF("MEM_FROM_E801", MEM_FROM_E801);
	DEF("MEM_FROM_88", MEM_FROM_88);
	DEF("BOOT_FLAG_DL_FIXED", BOOT_FLAG_DL_FIXED);
	DEF("BOOT_FLAG_E820_ACPI3", BOOT_FLAG_E820_ACPI3);
	DEF("BOOT_FLAG_HAVE_CMDLINE", BOOT_FLAG_HAVE_CMDLINE);
	DEF("BOOT_FLAG_ATA_GAVE_UP", BOOT_FLAG_ATA_GAVE_UP);
	DEF("E820_USABLE", E820_USABLE);
	DEF("BOOT_STAMP_ENTRY", BOOT_STAMP_ENTRY);
	DEF("BOOT_STAMP_DISK", BOOT_STAMP_DISK);
	DEF("BOOT_STAMP_MEMORY", BOOT_STAMP_MEMORY);
	DEF("BOOT_STAMP_A20", BOOT_STAMP_A20);
	DEF("BOOT_STAMP_FAT", BOOT_STAMP_FAT);
	DEF("BOOT_STAMP_KERNEL_READ", BOOT_STAMP_KERNEL_READ);
	DEF("BOOT_STAMP_KERNEL_UNPACKED", BOOT_STAMP_KERNEL_UNPACKED);
	DEF("BOOT_STAMP_KERNEL_CHECKED", BOOT_STAMP_KERNEL_CHECKED);
	DEF("BOOT_STAMP_CONFIG", BOOT_STAMP_CONFIG);
	DEF("BOOT_STAMP_PMODE", BOOT_STAMP_PMODE);
	DEF("BOOT_STAMPS", BOOT_STAMPS);
}

static void kernel_header_offsets(void)
{
	OFF("KH_", kernel_header, magic);
	OFF("KH_", kernel_header, version);
	OFF("KH_", kernel_header, header_size);
	OFF("KH_", kernel_header, load_addr);
	OFF("KH_", kernel_header, entry);
	OFF("KH_", kernel_header, image_size);
	OFF("KH_", kernel_header, bss_size);
	OFF("KH_", kernel_header, crc32);
	OFF("KH_", kernel_header, reserved);
	DEF("KERNEL_HEADER_SIZE", sizeof(struct kernel_header));
	DEF("KERNEL_MAGIC", KERNEL_MAGIC);
	DEF("KERNEL_HEADER_VERSION", KERNEL_HEADER_VERSION);
	OFF("KP_", kernel_packed_header, magic);
	OFF("KP_", kernel_packed_header, image_size);
	OFF("KP_", kernel_packed_header, stream_size);
	OFF("KP_", kernel_packed_header, reserved);
	DEF("KERNEL_PACKED_HEADER_SIZE", sizeof(struct kernel_packed_header));
	DEF("KERNEL_PACKED_MAGIC", KERNEL_PACKED_MAGIC);
	DEF("KERNEL_PACK_LONG_OFFSET", KERNEL_PACK_LONG_OFFSET);
	DEF("KERNEL_PACK_LITERAL_SHIFT", KERNEL_PACK_LITERAL_SHIFT);
	DEF("KERNEL_PACK_LITERAL_FIELD", KERNEL_PACK_LITERAL_FIELD);
	DEF("KERNEL_PACK_MATCH_FIELD", KERNEL_PACK_MATCH_FIELD);
	DEF("KERNEL_PACK_MATCH_MIN", KERNEL_PACK_MATCH_MIN);
	DEF("KERNEL_PACK_EXTEND_MORE", KERNEL_PACK_EXTEND_MORE);
}

static void bios_call_offsets(void)
{
	OFF("BR_", bios_regs, eax);
	OFF("BR_", bios_regs, ebx);
	OFF("BR_", bios_regs, ecx);
	OFF("BR_", bios_regs, edx);
	OFF("BR_", bios_regs, esi);
	OFF("BR_", bios_regs, edi);
	OFF("BR_", bios_regs, ebp);
	OFF("BR_", bios_regs, ds);
	OFF("BR_", bios_regs, es);
	OFF("BR_", bios_regs, eflags);
	OFF("BC_", bios_call_block, regs);
	OFF("BC_", bios_call_block, vector);
	OFF("BC_", bios_call_block, kernel_esp);
	OFF("BC_", bios_call_block, cr0);
	OFF("BC_", bios_call_block, cr3);
	OFF("BC_", bios_call_block, cr4);
	OFF("BC_", bios_call_block, efer_low);
	OFF("BC_", bios_call_block, efer_high);
	OFF("BC_", bios_call_block, has_efer);
	OFF("BC_", bios_call_block, sel_data16);
	OFF("BC_", bios_call_block, sel_data32);
	OFF("BC_", bios_call_block, to_pm16);
	OFF("BC_", bios_call_block, to_pm32);
	OFF("BC_", bios_call_block, kernel_return);
	OFF("BC_", bios_call_block, gdtr);
	OFF("BC_", bios_call_block, idtr);
	OFF("BC_", bios_call_block, a20_repairs);
	OFF("BC_", bios_call_block, bda_ticks_before);
	OFF("BC_", bios_call_block, bda_ticks_after);
	OFF("BC_", bios_call_block, scratch);
	DEF("BIOS_CALL_BLOCK_SIZE", sizeof(struct bios_call_block));
}

/* geninc: boot_info.inc; geninc bios_call: bios_call.inc */
int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "bios_call") == 0) {
		printf("; generated from include/bios_call.h by tools/geninc: do not edit\n");
		bios_call_offsets();
		return 0;
	}
	printf("; generated from include/boot_info.h and include/kernel_header.h\n");
	printf("; by tools/geninc: do not edit\n");
	boot_info_offsets();
	constants();
	kernel_header_offsets();
	return 0;
}
