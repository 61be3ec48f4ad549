/* mm_report.h: how the allocators report misuse (double free, foreign pointer,
 * wrong cache). One line, no trailing newline; the allocator then goes on as
 * if the call had not been made. The kernel prints it (mm_report.c); a host
 * test or benchmark defines its own to record or count the reports. */
#ifndef VLSOS_MM_REPORT_H
#define VLSOS_MM_REPORT_H

void mm_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
