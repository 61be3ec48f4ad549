/* bench_swap.c: the swap path's throughput against the block layer's own, on
 * the same partition in the same boot: `bench=swap` on the command line
 * (bench/bench_swap.sh). 4 MiB of the swap partition's slots written and
 * read back
 *   raw:  block_write/block_read of 64 KiB at a time (the largest transfer
 *         the bounce buffer takes, the block layer at its best)
 *   page: block_write/block_read of one 4 KiB page at a time
 *   swap: swap_write/swap_read of one slot at a time, as reclaim.c and a
 *         major fault use them
 * KiB/s from the TSC's rate, and swap's share of raw. Only slots are
 * written: the header page (slot 0) is not touched. */
#include "../../kernel/tests/ktest.h"
#include "../../kernel/kernel.h"
#include "../../kernel/arch/arch.h"
#include "../../kernel/dev/block.h"
#include "../../kernel/vm/swap.h"
#include "lib.h"

#define BENCH_BYTES (4u << 20)
#define RAW_CHUNK (64u << 10)
#define PAGE_BYTES 4096u
#define SECTORS(bytes) ((bytes) / BLOCK_SECTOR_SIZE)
#define MBR_TYPE_LINUX_SWAP 0x82

static struct block_device *swap_partition(void)
{
	for (unsigned i = 0; i < block_count(); i++)
		if (block_at(i)->partition && block_at(i)->type == MBR_TYPE_LINUX_SWAP)
			return block_at(i);
	return NULL;
}

/* cycles per KiB fit 32 bits: no 64-bit division in the kernel */
static uint32_t per_kib(uint64_t cycles)
{
	return (uint32_t)(cycles >> 12) ? (uint32_t)(cycles >> 12) : 1; /* BENCH_BYTES is 4096 KiB */
}

static unsigned kib_per_second(uint32_t hz, uint64_t cycles)
{
	return hz / per_kib(cycles);
}

static unsigned percent(uint64_t fast, uint64_t slow)
{
	return per_kib(fast) * 100u / per_kib(slow);
}

/* cycles to move BENCH_BYTES from the first slot on in transfers of CHUNK */
static uint64_t raw(struct block_device *dev, uint8_t *buf, uint32_t chunk, bool write)
{
	uint64_t t0 = read_tsc();
	for (uint32_t off = 0; off < BENCH_BYTES; off += chunk) {
		uint64_t lba = SECTORS(PAGE_BYTES + off);
		int err = write ? block_write(dev, lba, SECTORS(chunk), buf)
				: block_read(dev, lba, SECTORS(chunk), buf);
		if (err < 0) {
			kprintf("bench: swap: %s\n", dev->error);
			return 0;
		}
	}
	return read_tsc() - t0;
}

static uint64_t through_swap(swap_slot_t *slots, uint8_t *page, bool write)
{
	char why[SWAP_IO_ERROR_MAX];
	uint64_t t0 = read_tsc();

	for (uint32_t i = 0; i < BENCH_BYTES / PAGE_BYTES; i++)
		if ((write ? swap_write(slots[i], page, why) : swap_read(slots[i], page, why)) < 0) {
			kprintf("bench: swap: %s\n", why);
			return 0;
		}
	return read_tsc() - t0;
}

#define ROUNDS 5 /* interleaved, medians taken: a busy host slows one kind as much as another */
enum { RAW_W, RAW_R, PAGE_W, PAGE_R, SWAP_W, SWAP_R, KINDS };

static uint64_t median(uint64_t *v)
{
	for (unsigned i = 1; i < ROUNDS; i++)
		for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return v[ROUNDS / 2];
}

void bench_swap_run(void)
{
	static swap_slot_t slots[BENCH_BYTES / PAGE_BYTES];
	static uint64_t cycles[KINDS][ROUNDS];
	struct block_device *dev = swap_partition();
	uint32_t hz = clock_tsc_khz() * 1000;
	uint8_t *buf = malloc(RAW_CHUNK);

	if (!dev || !swap_present() || !buf || !hz) {
		kprintf("bench: swap: no swap partition, no memory or no TSC: not measured\n");
		free(buf);
		return;
	}
	memset(buf, 0x5A, RAW_CHUNK);
	for (uint32_t i = 0; i < BENCH_BYTES / PAGE_BYTES; i++)
		if (!(slots[i] = swap_alloc())) {
			kprintf("bench: swap: only %u slots free\n", i);
			return;
		}
	for (unsigned r = 0; r < ROUNDS; r++) {
		cycles[RAW_W][r] = raw(dev, buf, RAW_CHUNK, true);
		cycles[RAW_R][r] = raw(dev, buf, RAW_CHUNK, false);
		cycles[PAGE_W][r] = raw(dev, buf, PAGE_BYTES, true);
		cycles[PAGE_R][r] = raw(dev, buf, PAGE_BYTES, false);
		cycles[SWAP_W][r] = through_swap(slots, buf, true);
		cycles[SWAP_R][r] = through_swap(slots, buf, false);
	}
	for (uint32_t i = 0; i < BENCH_BYTES / PAGE_BYTES; i++)
		swap_free(slots[i]);
	free(buf);
	uint64_t m[KINDS];
	for (unsigned k = 0; k < KINDS; k++)
		m[k] = median(cycles[k]);
	kprintf("bench: swap write raw %u KiB/s page %u KiB/s swap %u KiB/s: swap is %u %% of raw\n",
		kib_per_second(hz, m[RAW_W]), kib_per_second(hz, m[PAGE_W]),
		kib_per_second(hz, m[SWAP_W]), percent(m[RAW_W], m[SWAP_W]));
	kprintf("bench: swap read raw %u KiB/s page %u KiB/s swap %u KiB/s: swap is %u %% of raw\n",
		kib_per_second(hz, m[RAW_R]), kib_per_second(hz, m[PAGE_R]),
		kib_per_second(hz, m[SWAP_R]), percent(m[RAW_R], m[SWAP_R]));
	kprintf("bench: swap done (%u MiB each way, median of %u rounds)\n", BENCH_BYTES >> 20, ROUNDS);
}
