/* main.c: mkimage, the host tool that turns disk.img.layout into generated
 * constants, seals KERNEL.BIN and assembles the disk images. */
#include "mkimage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: mkimage gen   LAYOUT OUTDIR              write OUTDIR/layout.inc, layout.h, layout.ld\n"
		"       mkimage check LAYOUT                     check the layout only\n"
		"       mkimage seal  LAYOUT KERNEL.BIN          check the kernel header, write its CRC-32\n"
		"       mkimage build LAYOUT BUILDDIR [DISK...]  assemble BUILDDIR/<file> for each disk (default all)\n"
		"       mkimage svg   LAYOUT OUT.svg             draw the memory plan (svg.c)\n");
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		usage();
		return 2;
	}
	const char *cmd = argv[1];
	int want = !strcmp(cmd, "gen") || !strcmp(cmd, "seal") || !strcmp(cmd, "svg") ? 4
		   : !strcmp(cmd, "check")                                            ? 3
										      : 0;
	if (!strcmp(cmd, "build") ? argc < 4 : argc != want) {
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
	else if (!strcmp(cmd, "build"))
		rc = cmd_build(L, argv[3], argv + 4, argc - 4);
	else
		rc = 0;
	layout_free(L);
	return rc;
}
