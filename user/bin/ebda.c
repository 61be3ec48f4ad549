/* ebda.c: EBDA: the extended BIOS data area, found from the BDA's word at
 * 0x40E: where it is, its size (its first byte, in KiB) and its first bytes. */
#include "layout.h"
#include "ulib.h"

static const struct command ebda_command = {
	.name = "ebda",
	.usage = "EBDA",
	.about = "Finds the extended BIOS data area from the BDA's segment word at 0x40E, prints\n"
		 "where it is and its size (its first byte, in KiB) and a hexdump of its first\n"
		 "bytes; or says there is none.\n",
};

#define BDA_EBDA_SEGMENT 0x40E
#define PARAGRAPH 16
#define SHOWN 128
#define CONVENTIONAL_END 0xA0000 /* the EBDA lies below video memory */

int main(int argc, char **argv)
{
	uint16_t segment;
	uint8_t head[SHOWN];

	cmd_start_no_arguments(&ebda_command, argc, argv);
	int got = sys_physread(BDA_EBDA_SEGMENT, &segment, sizeof(segment));
	if (got != (int)sizeof(segment))
		cmd_fail("cannot read the BDA's word at 0x%x: %s", BDA_EBDA_SEGMENT,
			 got < 0 ? error_name(got) : "short read");
	if (segment == 0) {
		printf("No EBDA: the BDA's word at 0x%x is 0\n", BDA_EBDA_SEGMENT);
		return 0;
	}
	uint32_t base = (uint32_t)segment * PARAGRAPH;
	if (base < REGION_EBDA_FLOOR_START || base >= CONVENTIONAL_END) {
		printf("No EBDA: the BDA says segment 0x%04X (0x%05x), outside 0x%05x-0x%05x where one can be\n",
		       segment, base, REGION_EBDA_FLOOR_START, CONVENTIONAL_END - 1);
		return 0;
	}
	uint32_t shown = CONVENTIONAL_END - base < SHOWN ? CONVENTIONAL_END - base : SHOWN;
	got = sys_physread(base, head, shown);
	if (got != (int)shown)
		cmd_fail("cannot read the EBDA at 0x%05x: %s", base,
			 got < 0 ? error_name(got) : "short read");
	printf("EBDA: segment 0x%04X at 0x%05x, %u KiB by its first byte (%u bytes from there to 0x%05x)\n",
	       segment, base, head[0], CONVENTIONAL_END - base, CONVENTIONAL_END);
	printf("Its first %u bytes:\n", shown);
	cmd_hexdump(base, head, shown);
	return 0;
}
