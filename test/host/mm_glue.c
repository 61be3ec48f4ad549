/* mm_glue.c: the host tests' end of kernel/mm/glue.h, built with every test
 * that uses kernel/mm (test/run.sh) and with the fuzz target: mm_report counts
 * the reports and keeps the last (mm_glue.h), code addresses are written in
 * hex, and running out of memory gets memdebug's report when memdebug is on,
 * as in the kernel (kernel/mm_glue.c). */
#include <stdarg.h>
#include <stdio.h>

#include "../../kernel/mm/mm.h"
#include "mm_glue.h"

struct host_reports reports;

void mm_report(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reports.last, sizeof reports.last, fmt, ap);
	va_end(ap);
	reports.count++;
	if (reports.print)
		printf("# mm_report: %s\n", reports.last);
}

void mm_describe_site(char *buf, size_t len, uintptr_t site)
{
	snprintf(buf, len, "0x%lx", (unsigned long)site);
}

void mm_out_of_memory(size_t size)
{
	if (memdebug_enabled())
		memdebug_oom_report(size);
}
