/* ubsan.h: the test kernel's UndefinedBehaviorSanitizer runtime (ubsan.c). The
 * test build (build.sh: kernel-test) compiles with -fsanitize=undefined; each
 * report prints "UBSAN: <kind> at <file>:<line>:<col>" and the values, and the
 * kernel goes on. The counters let a KTAP case check that a report came. */
#ifndef VLSOS_UBSAN_H
#define VLSOS_UBSAN_H

#include <stdbool.h>
#include <stdint.h>

struct ubsan_report {
	const char *kind; /* "signed integer overflow", "shift out of bounds", ... */
	const char *file;
	uint32_t line, column;
};

/* false in kernels built without -fsanitize=undefined (no reports can come) */
bool ubsan_enabled(void);
/* reports printed since boot */
unsigned ubsan_report_count(void);
/* the last one printed; kind NULL before the first */
const struct ubsan_report *ubsan_last_report(void);

#endif
