/* main.c: mkimage, the host tool that turns disk.img.layout into generated
 * constants, seals KERNEL.BIN and assembles the disk images. */
#include "mkimage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: mkimage gen   LAYOUT OUTDIR              write OUTDIR/layout.inc, layout.h, layout.ld,\n"
		"                                                 test_files.h (the manifest of dirs and files)\n"
		"       mkimage check LAYOUT                     check the layout only\n"
		"       mkimage seal  LAYOUT KERNEL.BIN          check the kernel header, write its CRC-32\n"
		"       mkimage pack  LAYOUT IMAGE OUT           a sealed kernel image packed into OUT (KERNEL.BIN)\n"
		"       mkimage build LAYOUT BUILDDIR [DISK...]  assemble BUILDDIR/<file> for each disk (default all)\n"
		"       mkimage svg   LAYOUT OUT.svg             draw the memory plan (svg.c)\n"
		"       mkimage testfiles LAYOUT OUTDIR          write each generated file (gen=) as OUTDIR/PATH\n");
}

/* argc a command wants (its name and the program's counted); 0: no such command */
static int args_of(const char *cmd)
{
	static const char *const with_two[] = { "gen", "seal", "svg", "testfiles" };
	for (size_t i = 0; i < sizeof with_two / sizeof with_two[0]; i++)
		if (!strcmp(cmd, with_two[i]))
			return 4;
	return !strcmp(cmd, "check") ? 3 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		usage();
		return 2;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "build") ? argc < 4 : !strcmp(cmd, "pack") ? argc != 5 : argc != args_of(cmd)) {
		usage();
		return 2;
	}
	struct layout *L = layout_load(argv[2]);
	if (!L)
		return 1;
	int rc;
	if (!strcmp(cmd, "gen"))
		rc = cmd_gen(L, argv[3]);
	else if (!strcmp(cmd, "seal"))
		rc = cmd_seal(L, argv[3]);
	else if (!strcmp(cmd, "svg"))
		rc = cmd_svg(L, argv[3]);
	else if (!strcmp(cmd, "testfiles"))
		rc = cmd_testfiles(L, argv[3]);
	else if (!strcmp(cmd, "pack"))
		rc = cmd_pack(L, argv[3], argv[4]);
	else if (!strcmp(cmd, "build"))
		rc = cmd_build(L, argv[3], argv + 4, argc - 4);
	else
		rc = 0;
	layout_free(L);
	return rc;
}
