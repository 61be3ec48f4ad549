/* mm_glue.c: the kernel's end of kernel/mm/glue.h: allocator misuse goes to
 * the console as "mm: <report>", code addresses are named from the kernel's
 * symbol table, and an allocation that finds memory out gets memdebug's
 * report when memdebug is on. */
#include <stdarg.h>

#include "kernel.h"
#include "ksyms.h"
#include "lib.h"
#include "mm/mm.h"

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

void mm_out_of_memory(size_t size)
{
	if (memdebug_enabled())
		memdebug_oom_report(size);
}
