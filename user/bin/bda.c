/* bda.c: BDA: the BIOS data area (physical 0x400-0x4FF, SYS_PHYSREAD)
 * decoded: ports, equipment, memory, keyboard, video, timer and disks. */
#include "layout.h"
#include "ulib.h"

static const struct command bda_command = {
	.name = "bda",
	.usage = "BDA",
	.about = "Decodes the BIOS data area at physical 0x400 as the BIOS left it: serial and\n"
		 "parallel ports, the EBDA's segment, the equipment word, conventional memory,\n"
		 "keyboard flags, video mode and size, the timer's ticks, hard disks.\n",
};

/* offsets in the BDA (IBM PC/AT Technical Reference; Ralf Brown's MEMORY.LST) */
#define BDA_COM_PORTS 0x00 /* 4 words */
#define BDA_LPT_PORTS 0x08 /* 3 words */
#define BDA_EBDA_SEGMENT 0x0E
#define BDA_EQUIPMENT 0x10
#define BDA_MEMORY_KIB 0x13
#define BDA_KEYBOARD_FLAGS 0x17 /* 2 bytes */
#define BDA_KEYBOARD_HEAD 0x1A
#define BDA_KEYBOARD_TAIL 0x1C
#define BDA_VIDEO_MODE 0x49
#define BDA_VIDEO_COLUMNS 0x4A
#define BDA_VIDEO_PAGE_SIZE 0x4C
#define BDA_CURSOR_POS 0x50 /* page 0: column, row */
#define BDA_CRTC_PORT 0x63
#define BDA_TIMER_TICKS 0x6C
#define BDA_TIMER_MIDNIGHT 0x70
#define BDA_HARD_DISKS 0x75
#define BDA_VIDEO_ROWS_MINUS_1 0x84 /* EGA and later */
#define COM_PORTS 4
#define LPT_PORTS 3

/* the equipment word's fields */
#define EQUIP_FLOPPY 0x0001
#define EQUIP_X87 0x0002
#define EQUIP_VIDEO_SHIFT 4
#define EQUIP_VIDEO_MASK 0x3
#define EQUIP_FLOPPIES_SHIFT 6
#define EQUIP_FLOPPIES_MASK 0x3
#define EQUIP_SERIAL_SHIFT 9
#define EQUIP_SERIAL_MASK 0x7
#define EQUIP_PARALLEL_SHIFT 14
#define EQUIP_PARALLEL_MASK 0x3

#define PIT_TICKS_PER_HOUR 65543u /* 1193182 Hz / 65536 = 18.2065 ticks a second */
#define PARAGRAPH 16

static uint8_t bda[REGION_BDA_SIZE];

static uint16_t word_at(unsigned offset)
{
	return (uint16_t)(bda[offset] | bda[offset + 1] << 8);
}

static uint32_t dword_at(unsigned offset)
{
	return word_at(offset) | (uint32_t)word_at(offset + 2) << 16;
}

static void print_ports(const char *name, unsigned offset, unsigned count)
{
	for (unsigned i = 0; i < count; i++) {
		uint16_t port = word_at(offset + 2 * i);
		if (port)
			printf("  %s%u at 0x%03X\n", name, i + 1, port);
		else
			printf("  %s%u none\n", name, i + 1);
	}
}

static void print_keyboard(void)
{
	static const char *const flag_names[] = { "right-shift", "left-shift", "ctrl",      "alt",
						  "scroll-lock", "num-lock",   "caps-lock", "insert" };
	uint8_t flags = bda[BDA_KEYBOARD_FLAGS];

	printf("Keyboard flags: 0x%02x", flags);
	for (unsigned bit = 0; bit < 8; bit++)
		if (flags & (1u << bit))
			printf(" %s", flag_names[bit]);
	printf("%s; buffer %s\n", flags ? "" : " (none)",
	       word_at(BDA_KEYBOARD_HEAD) == word_at(BDA_KEYBOARD_TAIL) ? "empty" : "holds keys");
}

int main(int argc, char **argv)
{
	static const char *const video_at_boot[] = { "EGA/VGA", "40x25 colour", "80x25 colour",
						     "80x25 mono" };

	cmd_start_no_arguments(&bda_command, argc, argv);
	int got = sys_physread(REGION_BDA_START, bda, sizeof(bda));
	if (got < 0)
		cmd_fail("cannot read the BDA at 0x%x: %s", REGION_BDA_START, error_name(got));
	if ((uint32_t)got != sizeof(bda))
		cmd_fail("the kernel gave %d bytes of the BDA's %u", got, (unsigned)sizeof(bda));

	printf("BIOS data area at 0x%03x-0x%03x:\n", REGION_BDA_START, REGION_BDA_END - 1);
	printf("Serial ports:\n");
	print_ports("COM", BDA_COM_PORTS, COM_PORTS);
	printf("Parallel ports:\n");
	print_ports("LPT", BDA_LPT_PORTS, LPT_PORTS);
	uint16_t ebda = word_at(BDA_EBDA_SEGMENT);
	if (ebda)
		printf("EBDA segment: 0x%04X (at 0x%05x)\n", ebda, (unsigned)ebda * PARAGRAPH);
	else
		printf("EBDA segment: none\n");

	uint16_t equip = word_at(BDA_EQUIPMENT);
	printf("Equipment word: 0x%04x\n", equip);
	printf("  floppy drives: %u\n",
	       equip & EQUIP_FLOPPY ? ((equip >> EQUIP_FLOPPIES_SHIFT) & EQUIP_FLOPPIES_MASK) + 1 : 0);
	printf("  x87 FPU: %s\n", equip & EQUIP_X87 ? "yes" : "no");
	printf("  video at boot: %s\n", video_at_boot[(equip >> EQUIP_VIDEO_SHIFT) & EQUIP_VIDEO_MASK]);
	printf("  serial ports: %u, parallel ports: %u\n",
	       (equip >> EQUIP_SERIAL_SHIFT) & EQUIP_SERIAL_MASK,
	       (equip >> EQUIP_PARALLEL_SHIFT) & EQUIP_PARALLEL_MASK);
	printf("Conventional memory: %u KiB\n", word_at(BDA_MEMORY_KIB));
	print_keyboard();
	printf("Video: mode 0x%02x, %u columns, %u rows, page of %u bytes, cursor at row %u column %u, CRTC at 0x%03X\n",
	       bda[BDA_VIDEO_MODE], word_at(BDA_VIDEO_COLUMNS), bda[BDA_VIDEO_ROWS_MINUS_1] + 1u,
	       word_at(BDA_VIDEO_PAGE_SIZE), bda[BDA_CURSOR_POS + 1], bda[BDA_CURSOR_POS],
	       word_at(BDA_CRTC_PORT));
	uint32_t ticks = dword_at(BDA_TIMER_TICKS);
	uint32_t minutes = ticks / (PIT_TICKS_PER_HOUR / 60);
	printf("Timer: %u ticks since midnight (about %02u:%02u)%s\n", ticks, minutes / 60, minutes % 60,
	       bda[BDA_TIMER_MIDNIGHT] ? ", midnight passed" : "");
	printf("Hard disks: %u\n", bda[BDA_HARD_DISKS]);
	return 0;
}
