/* tests_absent.c: the production kernel's answer when the command line asks
 * for the in-kernel tests, which it leaves out to load faster (build.sh);
 * kernel.h makes it the production kernel's ktest_on_request. */
#include "kernel.h"
#include "arch/arch.h"
#include "lib.h"

/* Under QEMU a test run then fails at once instead of waiting for its time
 * limit; on hardware the exit port does nothing and the boot goes on. */
void tests_absent_on_request(const struct boot_info *bi)
{
	bool testing = cmdline_has(bi, "test");

	if (!testing && !cmdline_has(bi, "bench"))
		return;
	kprintf("kernel: `%s` asks for the in-kernel tests, but this is the production kernel "
		"without them: boot build/kernel-test.bin (`test`) or build/kernel-bench.bin "
		"(`bench`) as KERNEL.BIN\n",
		testing ? "test" : "bench");
	qemu_exit(false);
}
