/* uptime.c: UPTIME: the time since the kernel's clock started. */
#include "ulib.h"

static const struct command uptime_command = {
	.name = "uptime",
	.usage = "UPTIME",
	.about = "The time since the kernel's clock started at boot, to the millisecond.\n",
};

#define NS_PER_MS 1000000u
#define MS_PER_S 1000u
#define S_PER_MIN 60u
#define MIN_PER_HOUR 60u

int main(int argc, char **argv)
{
	uint64_t ns;

	cmd_start_no_arguments(&uptime_command, argc, argv);
	int err = sys_uptime(&ns);
	if (err < 0)
		cmd_fail("no clock: %s", error_name(err));
	uint64_t ms = udiv64_32(ns, NS_PER_MS);
	uint64_t seconds = udiv64_32(ms, MS_PER_S);
	uint32_t millis = (uint32_t)(ms - seconds * MS_PER_S);
	uint64_t minutes = udiv64_32(seconds, S_PER_MIN);
	uint64_t hours = udiv64_32(minutes, MIN_PER_HOUR);
	printf("up %llu.%03u s (%llu:%02u:%02u)\n", (unsigned long long)seconds, millis,
	       (unsigned long long)hours, (unsigned)(minutes - hours * MIN_PER_HOUR),
	       (unsigned)(seconds - minutes * S_PER_MIN));
	return 0;
}
