/* test_memmap.c: what the loader recorded, checked against what QEMU's SeaBIOS
 * is known to report, and the E820 questions the kernel asks of it. */
#include "ktest.h"
#include "../mm/mm.h"
#include "layout.h"

static void boot_info_low_memory_sane(struct ktest *t)
{
	const struct boot_info *bi = t->bi;
	EXPECT(t, bi->conv_kib >= 512 && bi->conv_kib <= 640);
	EXPECT(t, bi->ebda_base == 0 || (bi->ebda_base >= 0x80000 && bi->ebda_base < 0xA0000));
	EXPECT(t, bi->com_ports[0] != 0);
	EXPECT(t, bi->ivt_set[0] != 0);
}

static void e820_has_usable_ram_at_1m(struct ktest *t)
{
	const struct boot_info *bi = t->bi;
	EXPECT(t, bi->e820_count > 0);
	EXPECT(t, memmap_range_usable(bi->e820, bi->e820_count, REGION_KERNEL_START, REGION_HEAP_END));
	EXPECT(t,
	       memmap_usable_total(bi->e820, bi->e820_count) >= REGION_HEAP_END - REGION_KERNEL_START);
}

static void memmap_range_usable_rejects_reserved_overlap(struct ktest *t)
{
	const struct e820_entry map[] = {
		{ 0x0, 0x9FC00, E820_USABLE, 1 },
		{ 0x100000, 0x300000, E820_USABLE, 1 },
		{ 0x200000, 0x1000, E820_RESERVED, 1 },
	};
	EXPECT(t, memmap_range_usable(map, 3, 0x100000, 0x200000));
	EXPECT(t, !memmap_range_usable(map, 3, 0x100000, 0x201000));
	EXPECT(t, !memmap_range_usable(map, 3, 0x9F000, 0x101000));
	EXPECT_EQ(t, memmap_usable_total(map, 3), 0x9FC00 + 0x300000 - 0x1000);
}

static void kernel_loaded_where_the_loader_says(struct ktest *t)
{
	EXPECT_EQ(t, t->bi->kernel_addr, REGION_KERNEL_START);
	EXPECT(t, t->bi->kernel_read_calls > 0);
	EXPECT(t, t->bi->stack_low_water >= REGION_BOOT_STACK_START);
}

KTEST_SUITE(memmap_suite, "memmap", KTEST_CASE(boot_info_low_memory_sane),
	    KTEST_CASE(e820_has_usable_ram_at_1m),
	    KTEST_CASE(memmap_range_usable_rejects_reserved_overlap),
	    KTEST_CASE(kernel_loaded_where_the_loader_says));
