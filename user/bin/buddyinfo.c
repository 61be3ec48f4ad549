/* buddyinfo.c: BUDDYINFO: the page allocator's free blocks of each order in
 * each zone, as Linux's /proc/buddyinfo, from SYS_MEMINFO. */
#include "ulib.h"

static const struct command buddyinfo_command = {
	.name = "buddyinfo",
	.usage = "BUDDYINFO",
	.about = "Free blocks of each order (a block of order n is 2^n pages of 4 KiB) in each zone of\n"
		 "the page allocator, as Linux's /proc/buddyinfo, and the free pages they make.\n",
};

#define PAGE_SHIFT 12

static struct vls_meminfo info;

int main(int argc, char **argv)
{
	cmd_start_no_arguments(&buddyinfo_command, argc, argv);
	cmd_meminfo(&info);

	printf("%-8s", "order");
	for (unsigned order = 0; order < MEMINFO_ORDERS; order++)
		printf(" %6u", order);
	printf("  free pages\n");
	uint32_t zones = info.zones < MEMINFO_ZONES_MAX ? info.zones : MEMINFO_ZONES_MAX;
	for (uint32_t z = 0; z < zones; z++) {
		const struct vls_zone_info *zone = &info.zone[z];
		uint64_t pages = 0;
		char size[HUMAN_SIZE_LEN];

		printf("%-8s", zone->name);
		for (unsigned order = 0; order < MEMINFO_ORDERS; order++) {
			printf(" %6u", zone->free_blocks[order]);
			pages += (uint64_t)zone->free_blocks[order] << order;
		}
		printf("  %llu (%s)\n", (unsigned long long)pages,
		       human_size(pages << PAGE_SHIFT, size));
		printf("         frames %u-%u (%u)\n", zone->start_pfn,
		       zone->frames ? zone->start_pfn + zone->frames - 1 : zone->start_pfn,
		       zone->frames);
	}
	if (zones == 0)
		printf("(no zones)\n");
	return 0;
}
