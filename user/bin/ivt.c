/* ivt.c: IVT [-a]: the real-mode interrupt vector table at physical 0
 * (SYS_PHYSREAD) as segment:offset, with the well-known vectors named. */
#include "layout.h"
#include "ulib.h"

static const struct command ivt_command = {
	.name = "ivt",
	.usage = "IVT [-a]",
	.about = "The real-mode interrupt vectors at physical 0 as the BIOS left them, as\n"
		 "segment:offset and the physical address, the well-known ones named. Without -a:\n"
		 "the named vectors and those with a handler of their own; the many that share the\n"
		 "BIOS's catch-all handler (the most common target) and the empty ones (0000:0000)\n"
		 "are counted. -a: all 256.\n",
};

#define VECTORS 256
#define PARAGRAPH 16

struct vector_name {
	uint8_t vector;
	const char *name;
};

/* IBM PC/AT Technical Reference and Ralf Brown's interrupt list; 1Dh-1Fh, 41h
 * and 46h point at tables, not code */
static const struct vector_name names[] = {
	{ 0x00, "divide error" },
	{ 0x01, "single step" },
	{ 0x02, "NMI" },
	{ 0x03, "breakpoint" },
	{ 0x04, "overflow" },
	{ 0x05, "print screen / BOUND" },
	{ 0x06, "invalid opcode" },
	{ 0x07, "no coprocessor" },
	{ 0x08, "IRQ 0: timer" },
	{ 0x09, "IRQ 1: keyboard" },
	{ 0x0A, "IRQ 2: cascade" },
	{ 0x0B, "IRQ 3: COM2" },
	{ 0x0C, "IRQ 4: COM1" },
	{ 0x0D, "IRQ 5: LPT2" },
	{ 0x0E, "IRQ 6: floppy" },
	{ 0x0F, "IRQ 7: LPT1" },
	{ 0x10, "video services" },
	{ 0x11, "equipment list" },
	{ 0x12, "memory size" },
	{ 0x13, "disk services" },
	{ 0x14, "serial services" },
	{ 0x15, "system services" },
	{ 0x16, "keyboard services" },
	{ 0x17, "printer services" },
	{ 0x18, "no boot device / ROM BASIC" },
	{ 0x19, "bootstrap loader" },
	{ 0x1A, "time of day, PCI BIOS" },
	{ 0x1B, "Ctrl-Break" },
	{ 0x1C, "user timer tick" },
	{ 0x1D, "video parameter table (data)" },
	{ 0x1E, "floppy parameter table (data)" },
	{ 0x1F, "graphics characters (data)" },
	{ 0x40, "floppy services (moved by a disk BIOS)" },
	{ 0x41, "hard disk 0 parameters (data)" },
	{ 0x43, "EGA/VGA graphics characters (data)" },
	{ 0x46, "hard disk 1 parameters (data)" },
	{ 0x4A, "RTC alarm" },
	{ 0x70, "IRQ 8: real-time clock" },
	{ 0x71, "IRQ 9: redirected IRQ 2" },
	{ 0x72, "IRQ 10" },
	{ 0x73, "IRQ 11" },
	{ 0x74, "IRQ 12: PS/2 mouse" },
	{ 0x75, "IRQ 13: FPU" },
	{ 0x76, "IRQ 14: primary IDE" },
	{ 0x77, "IRQ 15: secondary IDE" },
};

static uint32_t ivt[VECTORS]; /* offset in the low word, segment in the high word */

static const char *name_of(unsigned vector)
{
	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].vector == vector)
			return names[i].name;
	return NULL;
}

/* the target most vectors share: the BIOS's catch-all handler */
static uint32_t most_common_target(void)
{
	uint32_t best = 0;
	unsigned best_count = 0;

	for (unsigned i = 0; i < VECTORS; i++) {
		unsigned count = 0;
		for (unsigned j = 0; j < VECTORS; j++)
			count += ivt[j] == ivt[i];
		if (ivt[i] != 0 && count > best_count) {
			best = ivt[i];
			best_count = count;
		}
	}
	return best;
}

int main(int argc, char **argv)
{
	bool all = false;

	cmd_start(&ivt_command, argc, argv);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-a") == 0)
			all = true;
		else
			cmd_bad("unexpected argument '%s'", argv[i]);
	}
	int got = sys_physread(REGION_IVT_START, ivt, sizeof(ivt));
	if (got < 0)
		cmd_fail("cannot read the IVT at 0x%x: %s", REGION_IVT_START, error_name(got));
	if ((uint32_t)got != sizeof(ivt))
		cmd_fail("the kernel gave %d bytes of the IVT's %u", got, (unsigned)sizeof(ivt));

	uint32_t common = most_common_target();
	unsigned shared = 0, empty = 0;
	printf("vector  segment:offset  physical  name\n");
	for (unsigned v = 0; v < VECTORS; v++) {
		const char *name = name_of(v);
		uint16_t segment = (uint16_t)(ivt[v] >> 16), offset = (uint16_t)ivt[v];
		if (!all && !name && (ivt[v] == common || ivt[v] == 0)) {
			shared += ivt[v] == common;
			empty += ivt[v] == 0;
			continue;
		}
		printf("  %02Xh   %04X:%04X       0x%05x   %s%s\n", v, segment, offset,
		       (unsigned)segment * PARAGRAPH + offset, name ? name : "",
		       ivt[v] == common && common ? (name ? " (catch-all)" : "catch-all") : "");
	}
	if (!all)
		printf("%u more vectors point to %04X:%04X (the most common target: the BIOS's catch-all), %u are "
		       "0000:0000; IVT -a lists all %u\n",
		       shared, common >> 16, common & 0xFFFF, empty, VECTORS);
	return 0;
}
