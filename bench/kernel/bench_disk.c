/* bench_disk.c: what reaching a disk through the BIOS costs the kernel, timed
 * with RDTSC: `bench=disk` on the command line (bench/bench_kernel_disk.sh).
 *   round trip: INT 13h AH=01h (return the last status: the BIOS does next to
 *     nothing), so the figure is bios_call's two mode switches and the PICs.
 *   read: KERNEL.BIN's sectors read by the kernel through fat_read (whole
 *     cluster runs, past the buffer cache), the first time and again, against
 *     stage 2's read of the very same sectors at boot
 *     (boot_info.kernel_read_cycles, the loader's TSC); KiB/s from the TSC's
 *     rate measured against the PIT. */
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

/* KiB/s from cycles per sector at hz cycles a second */
static unsigned kib_per_second(uint32_t hz, uint32_t cycles_per_sector)
{
	return cycles_per_sector ? hz / cycles_per_sector / (1024 / BLOCK_SECTOR_SIZE) : 0;
}

static void read_kernel_file(const struct boot_info *bi, uint32_t hz)
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
	uint32_t first = cycles[0]; /* like stage 2's: the first read of these sectors */
	sort(cycles, READ_REPS);
	kprintf("bench: kernel read      %u bytes (%u sectors) in %u cycles the first time (%u cycles/sector), "
		"%u BIOS calls, %u KiB/s\n",
		(unsigned)bi->kernel_size, (unsigned)sectors, first, first / sectors, (unsigned)calls,
		kib_per_second(hz, first / sectors));
	kprintf("bench: kernel reread    %u cycles median of %u (%u cycles/sector), %u KiB/s\n",
		cycles[READ_REPS / 2], READ_REPS, cycles[READ_REPS / 2] / sectors,
		kib_per_second(hz, cycles[READ_REPS / 2] / sectors));
	if (bi->kernel_read_cycles)
		kprintf("bench: stage 2 read     %u bytes (%u sectors) in %u cycles (%u cycles/sector), "
			"%u %s reads, %u KiB/s\n",
			(unsigned)bi->kernel_size, (unsigned)sectors, (unsigned)bi->kernel_read_cycles,
			(unsigned)bi->kernel_read_cycles / sectors, (unsigned)bi->kernel_read_calls,
			boot_read_by_ata(bi) ? "ATA" : "INT 13h",
			kib_per_second(hz, bi->kernel_read_cycles / sectors));
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
	uint32_t khz = clock_tsc_khz() ? clock_tsc_khz() : pit_measure_tsc_khz();
	uint32_t hz = khz * 1000;
	kprintf("bench: TSC              %u kHz against the PIT\n", khz);
	round_trip(bi);
	read_kernel_file(bi, hz);
	kprintf("bench: disk done\n");
}
