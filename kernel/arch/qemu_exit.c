/* qemu_exit.c: leaves QEMU through its isa-debug-exit device, which the test
 * runner adds as `-device isa-debug-exit,iobase=0xf4,iosize=0x04`. QEMU exits
 * with status (value << 1) | 1; on real hardware the write does nothing. */
#include "arch.h"

#define ISA_DEBUG_EXIT_PORT 0xf4
#define QEMU_EXIT_PASSED    0x10 /* QEMU exit status 33 */
#define QEMU_EXIT_FAILED    0x11 /* QEMU exit status 35 */

void qemu_exit(bool passed)
{
	outb(ISA_DEBUG_EXIT_PORT, passed ? QEMU_EXIT_PASSED : QEMU_EXIT_FAILED);
}
