/* init.c: the first process unless BOOT.CFG's init= names another: says that
 * user space runs and what there is to run, then exits. */
#include "ulib.h"

int main(void)
{
	printf("init: VlsOs user space is running (pid %d)\n", sys_getpid());
	printf("init: programs in /BIN: HELLO ARGS CRASH SPIN TRUE FALSE UTESTS PBENCH; "
	       "BOOT.CFG's init=/BIN/NAME starts one instead of INIT\n");
	return 0;
}
