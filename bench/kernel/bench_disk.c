/* bench_disk.c: what reaching a disk through the BIOS costs the kernel, timed
 * with RDTSC: `bench=disk` on the command line (bench/bench_kernel_disk.sh).
 *   round trip: INT 13h AH=01h (return the last status: the BIOS does next to
 *     nothing), so the figure is bios_call's two mode switches and the PICs.
 *   read: KERNEL.BIN's sectors read by the kernel through fat_read (whole
 *     cluster runs, past the buffer cache), against stage 2's read of the very
 *     same sectors at boot (boot_info.kernel_read_cycles, the loader's TSC). */
#include "../../kernel/tests/ktest.h"
#include "../../kernel/kernel.h"
#include "../../kernel/arch/arch.h"
#include "../../kernel/dev/bios_disk.h"
#include "../../kernel/dev/block.h"
#include "../../kernel/fs/fat.h"
#include "lib.h"

#define INT13 0x13
#define INT13_GET_STATUS 0x0100
#define ROUND_TRIPS 255
#define READ_REPS 9

static void sort(uint32_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint32_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
}

static void round_trip(const struct boot_info *bi)
{
	static uint32_t cycles[ROUND_TRIPS];
	struct bios_regs in = { .eax = INT13_GET_STATUS, .edx = bi->boot_drive }, out;

	for (unsigned i = 0; i < ROUND_TRIPS; i++) {
		uint64_t t0 = read_tsc();
		bios_call(INT13, &in, &out);
		cycles[i] = (uint32_t)(read_tsc() - t0);
	}
	sort(cycles, ROUND_TRIPS);
	kprintf("bench: bios round trip  %u cycles median, %u min, %u max (%u calls of INT 13h AH=01h)\n",
		cycles[ROUND_TRIPS / 2], cycles[0], cycles[ROUND_TRIPS - 1], ROUND_TRIPS);
}

static void read_kernel_file(const struct boot_info *bi)
{
	static uint32_t cycles[READ_REPS];
	struct fat_volume *vol = boot_volume();
	struct fat_node node;
	uint8_t *buf = malloc(bi->kernel_size);
	uint32_t sectors = (bi->kernel_size + BLOCK_SECTOR_SIZE - 1) / BLOCK_SECTOR_SIZE;
	const struct bios_drive *d = vol ? bios_disk_of(boot_volume_device()->disk) : NULL;
	uint64_t calls = 0;

	if (!vol || !buf || fat_lookup(vol, "/KERNEL.BIN", &node) != 0) {
		kprintf("bench: disk read: no boot volume or no memory; not measured\n");
		free(buf);
		return;
	}
	for (unsigned i = 0; i < READ_REPS; i++) {
		uint64_t calls_before = d->calls, t0 = read_tsc();
		int got = fat_read(vol, &node, 0, buf, bi->kernel_size);
		cycles[i] = (uint32_t)(read_tsc() - t0);
		calls = d->calls - calls_before;
		if (got != (int)bi->kernel_size) {
			kprintf("bench: disk read: %s\n", boot_volume_error(got));
			free(buf);
			return;
		}
	}
	sort(cycles, READ_REPS);
	kprintf("bench: kernel read      %u bytes (%u sectors) in %u cycles median (%u cycles/sector), "
		"%u BIOS calls\n",
		(unsigned)bi->kernel_size, (unsigned)sectors, cycles[READ_REPS / 2],
		cycles[READ_REPS / 2] / sectors, (unsigned)calls);
	if (bi->kernel_read_cycles)
		kprintf("bench: stage 2 read     %u bytes (%u sectors) in %u cycles (%u cycles/sector), "
			"%u BIOS calls\n",
			(unsigned)bi->kernel_size, (unsigned)sectors, (unsigned)bi->kernel_read_cycles,
			(unsigned)bi->kernel_read_cycles / sectors, (unsigned)bi->kernel_read_calls);
	else
		kprintf("bench: stage 2 read     not timed (no TSC)\n");
	free(buf);
}

void bench_disk_run(const struct boot_info *bi)
{
	if (!cpu_info()->tsc) {
		kprintf("bench: no TSC on this CPU: nothing to time with\n");
		return;
	}
	round_trip(bi);
	read_kernel_file(bi);
	kprintf("bench: disk done\n");
}
