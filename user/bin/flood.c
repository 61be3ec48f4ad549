/* flood.c: FLOOD [N] prints N numbered lines (default 100000) as fast as it
 * can, for the tests that the console, a pipe and the shell keep up with a
 * program that floods them. */
#include "ulib.h"

#define DEFAULT_LINES 100000u
#define MAX_LINES 100000000u

int main(int argc, char **argv)
{
	uint32_t lines = DEFAULT_LINES;
	char *end;

	if (argc > 2 || (argc == 2 && ((lines = (uint32_t)strtoul(argv[1], &end, 10)) > MAX_LINES ||
				       *end || !*argv[1]))) {
		fprintf(FD_STDERR, "usage: FLOOD [LINES] (0 to %u, default %u)\n", MAX_LINES,
			DEFAULT_LINES);
		return 2;
	}
	for (uint32_t i = 1; i <= lines; i++)
		printf("flood: line %u of %u\n", i, lines);
	return 0;
}
