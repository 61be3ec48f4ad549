/* init.c: the first process unless BOOT.CFG's init= names another: says that
 * user space runs and lists what there is to run (the programs in /BIN, read
 * from the volume), then exits. */
#include "ulib.h"

#define LINE 72 /* the listing wraps before the screen's 80 columns */

int main(void)
{
	struct vls_dirent entry;
	unsigned column = 0;

	printf("init: VlsOs user space is running (pid %d). Programs in /BIN:\n", sys_getpid());
	int fd = sys_open("/BIN", O_RDONLY);
	if (fd < 0) {
		printf("init: cannot list /BIN: %s\n", error_name(fd));
		return 1;
	}
	while (sys_readdir(fd, &entry) == 1) {
		unsigned width = (unsigned)strlen(entry.name) + 1;
		if (column + width > LINE) {
			printf("\n");
			column = 0;
		}
		printf("%s%s", column ? " " : "  ", entry.name);
		column += width + (column ? 0 : 1);
	}
	sys_close(fd);
	printf("\ninit: BOOT.CFG's init=/BIN/NAME ARGS runs another program first\n");
	return 0;
}
