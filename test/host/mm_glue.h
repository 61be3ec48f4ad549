/* mm_glue.h: what test/host/mm_glue.c, the host tests' end of
 * kernel/mm/glue.h, keeps for the tests: the reports kernel/mm made. */
#ifndef VLSOS_MM_GLUE_HOST_H
#define VLSOS_MM_GLUE_HOST_H

#include <stdbool.h>

struct host_reports {
	unsigned count; /* mm_report calls since the last reports_clear */
	char last[512]; /* the last one's text */
	bool print;     /* also print each as a TAP comment */
};
extern struct host_reports reports;

#endif
