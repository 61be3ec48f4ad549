/* hello.c: prints "hello, world" and its arguments, one a line. */
#include "ulib.h"

int main(int argc, char **argv)
{
	printf("hello, world\n");
	for (int i = 1; i < argc; i++)
		printf("%s\n", argv[i]);
	return 0;
}
