/* boot_stamps.c: the boot's timeline in TSC stamps, stage 2's steps (from the
 * boot_info) and then the kernel's, so that the boot-time benchmark can say
 * where the time goes. A stamp is one RDTSC and two stores, which every boot
 * pays; printing them costs far more (each byte on COM1 is thousands of cycles
 * under QEMU), so they are printed only when BOOT.CFG has the word `stamps`,
 * on COM1 alone, after the first output of a user program. */
#include <stdarg.h>

#include "kernel.h"
#include "arch/arch.h"
#include "dev/bios_disk.h"
#include "dev/block.h"
#include "dev/dev.h"
#include "lib.h"

#define BOOT_STAMPS_MAX 24
#define STAMP_LINE_MAX 96
#define US_PER_MS 1000u

struct boot_stamp {
	const char *name;
	uint64_t tsc;
};

static const char *const stage2_names[BOOT_STAMPS] = {
	[BOOT_STAMP_ENTRY] = "loader: stage 2 entered",
	[BOOT_STAMP_DISK] = "loader: boot disk found",
	[BOOT_STAMP_MEMORY] = "loader: memory map probed",
	[BOOT_STAMP_A20] = "loader: A20 on",
	[BOOT_STAMP_FAT] = "loader: FAT volume mounted",
	[BOOT_STAMP_KERNEL_READ] = "loader: KERNEL.BIN read",
	[BOOT_STAMP_KERNEL_UNPACKED] = "loader: KERNEL.BIN unpacked",
	[BOOT_STAMP_KERNEL_CHECKED] = "loader: KERNEL.BIN checked (CRC-32)",
	[BOOT_STAMP_CONFIG] = "loader: BOOT.CFG read",
	[BOOT_STAMP_PMODE] = "loader: protected mode",
};

static struct boot_stamp stamps[BOOT_STAMPS_MAX];
/* the kernel's disk reads up to the first output: the stamps' companion */
static uint64_t disk_calls, disk_sectors;
static struct block_cache_stats disk_cache;
static unsigned stamp_count, stamps_lost;
static bool have_tsc, print_asked, first_output_seen;
static const struct boot_info *boot_info;

void boot_stamps_start(const struct boot_info *bi)
{
	boot_info = bi;
	/* stage 2 found a TSC (a 486 may have none): then RDTSC is safe here too */
	have_tsc = bi->stage2_tsc[BOOT_STAMP_ENTRY] != 0;
	print_asked = cmdline_has(bi, "stamps");
}

void boot_stamp(const char *name)
{
	if (!have_tsc)
		return;
	if (stamp_count == BOOT_STAMPS_MAX) {
		stamps_lost++;
		return;
	}
	stamps[stamp_count].name = name;
	stamps[stamp_count].tsc = read_tsc();
	stamp_count++;
}

/* one line on COM1 only: the screen is for people, the stamps for the benchmark */
static void serial_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void serial_line(const char *fmt, ...)
{
	char line[STAMP_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n > 0)
		serial_write(line, n < (int)sizeof line ? (size_t)n : sizeof line - 1);
}

static void print_stamp(const char *name, uint64_t tsc, uint64_t previous, uint32_t khz)
{
	uint64_t cycles = tsc - previous;
	uint32_t us = khz ? (uint32_t)arch_div64_32(cycles * US_PER_MS, khz) : 0;

	serial_line("stamp: %llu +%llu cycles (%u.%03u ms) %s\n", (unsigned long long)tsc,
		    (unsigned long long)cycles, us / US_PER_MS, us % US_PER_MS, name);
}

static void print_all(void)
{
	uint32_t khz = clock_tsc_khz();
	uint64_t previous = 0; /* QEMU's TSC counts from the machine's start */

	/* on a line of its own: the first output may not have ended one (the
	 * shell's prompt does not) */
	serial_line("\nstamps: %u from stage 2, %u from the kernel, TSC at %u kHz\n", BOOT_STAMPS,
		    stamp_count, khz);
	serial_line(
		"stamps: kernel disk reads: %llu BIOS calls, %llu sectors; %llu sectors kept, %llu hits\n",
		(unsigned long long)disk_calls, (unsigned long long)disk_sectors,
		(unsigned long long)disk_cache.seeded, (unsigned long long)disk_cache.hits);
	for (unsigned i = 0; i < BOOT_STAMPS; i++) {
		print_stamp(stage2_names[i], boot_info->stage2_tsc[i], previous, khz);
		previous = boot_info->stage2_tsc[i];
	}
	for (unsigned i = 0; i < stamp_count; i++) {
		print_stamp(stamps[i].name, stamps[i].tsc, previous, khz);
		previous = stamps[i].tsc;
	}
	if (stamps_lost)
		serial_line("stamps: %u more were not kept (room for %u)\n", stamps_lost,
			    BOOT_STAMPS_MAX);
}

bool boot_stamps_first_output(void)
{
	if (first_output_seen)
		return false;
	first_output_seen = true;
	boot_stamp("first output of a user program");
	const struct bios_drive *d;
	for (unsigned i = 0; (d = bios_disk_at(i)) != NULL; i++) {
		disk_calls += d->calls;
		disk_sectors += d->sectors_moved;
	}
	block_cache_stats(&disk_cache);
	return true;
}

void boot_stamps_print_if_asked(void)
{
	if (print_asked && have_tsc)
		print_all();
}
