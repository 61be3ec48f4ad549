/* args.c: prints argc and every argv[i] as `argv[i] = "..."`, and exits with
 * the status atoi(argv[1]) when there is an argv[1] (UTESTS checks that
 * arguments and exit statuses travel). */
#include "ulib.h"

int main(int argc, char **argv)
{
	printf("argc = %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);
	if (argv[argc] != NULL) {
		printf("args: argv[%d] is not NULL\n", argc);
		return 254;
	}
	return argc > 1 ? atoi(argv[1]) : 0;
}
