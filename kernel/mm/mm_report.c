/* mm_report.c: the kernel's end of mm_report.h: allocator misuse goes to the
 * console as "mm: <report>". Host tests define their own mm_report instead
 * and never compile this file. */
#include <stdarg.h>

#include "lib.h"
#include "mm_report.h"
#include "../ksyms.h"

static unsigned long reports;

unsigned long mm_report_count(void)
{
	return reports;
}

void mm_report(const char *fmt, ...)
{
	va_list ap;

	reports++;
	va_start(ap, fmt);
	kprintf("mm: ");
	kvprintf(fmt, ap);
	kprintf("\n");
	va_end(ap);
}

void mm_describe_site(char *buf, size_t len, uintptr_t site)
{
	char name[KSYM_TEXT_MAX];

	if (ksym_lookup((uint32_t)site, NULL))
		snprintf(buf, len, "%s (0x%08lx)", ksym_format(name, sizeof name, (uint32_t)site),
			 (unsigned long)site);
	else
		snprintf(buf, len, "0x%08lx", (unsigned long)site);
}
