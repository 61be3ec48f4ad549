/* mm_report.h: how the allocators report misuse (double free, foreign pointer,
 * wrong cache). One line, no trailing newline; the allocator then goes on as
 * if the call had not been made. The kernel prints it (mm_report.c); a host
 * test or benchmark defines its own to record or count the reports. */
#ifndef VLSOS_MM_REPORT_H
#define VLSOS_MM_REPORT_H

#include <stddef.h>
#include <stdint.h>

void mm_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The kernel's: how many reports mm_report has printed (the KTAP suites'
 * misuse cases count them). */
unsigned long mm_report_count(void);
/* Writes a code address as a report names it ("function+0x1c (0x00101234)"
 * where the kernel has a symbol table, else the hex address) into buf. */
void mm_describe_site(char *buf, size_t len, uintptr_t site);

#endif
