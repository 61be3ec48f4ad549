/* bootlog.c: BOOTLOG: the boot report again, from the copy the kernel kept
 * of what it printed up to "VlsOs ready" (SYS_BOOTLOG). */
#include "ulib.h"

static const struct command bootlog_command = {
	.name = "bootlog",
	.usage = "BOOTLOG",
	.about = "The kernel's boot report, as it printed it up to \"VlsOs ready\" (the loader's\n"
		 "lines and what scrolled off the screen included).\n",
};

#define CHUNK 1024

int main(int argc, char **argv)
{
	char buf[CHUNK];
	uint32_t offset = 0;

	cmd_start_no_arguments(&bootlog_command, argc, argv);
	for (;;) {
		int got = sys_bootlog(offset, buf, sizeof(buf));
		if (got < 0)
			cmd_fail("cannot read the boot report at byte %u: %s", offset, error_name(got));
		if (got == 0)
			break;
		sys_write(FD_STDOUT, buf, (uint32_t)got);
		offset += (uint32_t)got;
	}
	if (offset == 0)
		cmd_fail("the kernel kept no boot report");
	return 0;
}
