/* echo.c: ECHO ARGS...: its arguments, one space between, and a newline. */
#include "ulib.h"

static const struct command echo_command = {
	.name = "echo",
	.usage = "ECHO [ARGS...]",
	.about = "Prints its arguments with a space between and a newline after.\n",
};

int main(int argc, char **argv)
{
	if (argc == 2)
		cmd_start(&echo_command, argc, argv); /* only "echo -h" alone is a request for help */
	for (int i = 1; i < argc; i++)
		printf("%s%s", argv[i], i + 1 < argc ? " " : "");
	printf("\n");
	return 0;
}
