/* leaks.c: LEAKS: the heap debugger's report of the kernel's live
 * allocations (SYS_LEAKS), when memdebug is on. */
#include "ulib.h"

static const struct command leaks_command = {
	.name = "leaks",
	.usage = "LEAKS",
	.about = "The kernel heap debugger's report: live allocations grouped by the code that\n"
		 "made them. It needs memdebug: add the word memdebug to BOOT.CFG.\n",
};

#define REPORT_MAX (64u * 1024)

static char report[REPORT_MAX];

int main(int argc, char **argv)
{
	cmd_start_no_arguments(&leaks_command, argc, argv);
	int len = sys_leaks(report, REPORT_MAX);
	if (len == ERR_NOSYS)
		cmd_fail("memdebug is off: add the word memdebug to BOOT.CFG");
	if (len < 0)
		cmd_fail("no report: %s", error_name(len));
	uint32_t shown = (uint32_t)len < REPORT_MAX ? (uint32_t)len : REPORT_MAX;
	sys_write(FD_STDOUT, report, shown);
	if (shown > 0 && report[shown - 1] != '\n')
		printf("\n");
	if ((uint32_t)len >= REPORT_MAX)
		cmd_warn("the report was cut at %u KiB", REPORT_MAX / 1024);
	return 0;
}
