/* sleep.c: SLEEP SECONDS: sleeps that long (whole seconds, or with a fraction
 * to the millisecond: 0.25), using no CPU meanwhile. */
#include "ulib.h"

#define MS_PER_SECOND 1000u
#define MAX_SECONDS 86400u /* a day */

/* "12", "0.5", "3.125": milliseconds, or -1 when it is not such a number */
static long parse_ms(const char *s)
{
	unsigned long whole = 0, fraction = 0, scale = MS_PER_SECOND;
	const char *c = s;

	if (!*c)
		return -1;
	for (; *c >= '0' && *c <= '9'; c++) {
		whole = whole * 10 + (unsigned long)(*c - '0');
		if (whole > MAX_SECONDS)
			return -1;
	}
	if (*c == '.')
		for (c++; *c >= '0' && *c <= '9'; c++)
			if (scale > 1) {
				scale /= 10;
				fraction += (unsigned long)(*c - '0') * scale;
			}
	return *c ? -1 : (long)(whole * MS_PER_SECOND + fraction);
}

int main(int argc, char **argv)
{
	long ms = argc == 2 ? parse_ms(argv[1]) : -1;

	if (ms < 0) {
		fprintf(FD_STDERR, "usage: SLEEP SECONDS (0 to %u, with up to three decimals)\n",
			MAX_SECONDS);
		return 2;
	}
	sys_sleep((uint32_t)ms);
	return 0;
}
