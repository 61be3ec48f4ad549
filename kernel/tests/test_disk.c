/* test_disk.c: the BIOS call, the block layer and the boot volume, in the
 * kernel. Every file of the test tree (disk.img.layout's /TEST, CRC-32s the
 * build computed) is read through INT 13h and checked; the kernel's state is
 * compared across BIOS calls; the cache's counters are checked; a scratch
 * disk, when the test attaches one, is written and read back. */
#include "ktest.h"
#include "../arch/arch.h"
#include "../dev/bios_disk.h"
#include "../dev/block.h"
#include "../fs/fat.h"
#include "../kernel.h"
#include "errors.h"
#include "layout.h"
#include "lib.h"
#include "test_files.h"

#define INT11_EQUIPMENT 0x11
#define INT12_MEMORY_SIZE 0x12
#define INT13 0x13
#define INT13_GET_STATUS 0x0100
#define EFLAGS_IF 0x200u
#define EFLAGS_DF 0x400u
#define CHUNK_BYTES 1000 /* not a sector's multiple: reads start and end mid-sector */
/* The scratch disk a test attaches: this signature in its MBR, nothing else on it */
#define SCRATCH_SIGNATURE 0x48435253u /* "SRCH" */
#define SCRATCH_FIRST 100             /* sectors the test writes, and checks from the host */
#define SCRATCH_SECTORS 300

/* the build's manifest of the test tree (disk.img.layout's generated files) */
struct test_file {
	const char *path;
	uint32_t size, crc32;
};
static const struct test_file test_files[TEST_FILE_COUNT] = TEST_FILES;

struct cpu_state {
	uint32_t cr0, cr3, cr4, eflags;
	uint64_t efer;
	uint16_t cs, ds, es, fs, gs, ss;
	uint8_t gdtr[6], idtr[6];
	uint16_t pic_mask;
};

static void cpu_state(struct cpu_state *s)
{
	memset(s, 0, sizeof(*s));
	s->cr0 = read_cr0();
	s->cr3 = read_cr3();
	s->cr4 = read_cr4();
	if (cpu_info()->nx)
		s->efer = rdmsr(MSR_EFER);
	__asm__ volatile("pushfl; popl %0" : "=r"(s->eflags));
	__asm__ volatile("mov %%cs, %0; mov %%ds, %1; mov %%es, %2"
			 : "=r"(s->cs), "=r"(s->ds), "=r"(s->es));
	__asm__ volatile("mov %%fs, %0; mov %%gs, %1; mov %%ss, %2"
			 : "=r"(s->fs), "=r"(s->gs), "=r"(s->ss));
	__asm__ volatile("sgdt %0; sidt %1" : "=m"(s->gdtr), "=m"(s->idtr));
	s->pic_mask = pic_read_mask();
}

static void expect_same_state(struct ktest *t, const struct cpu_state *a, const struct cpu_state *b)
{
	EXPECT_EQ(t, a->cr0, b->cr0);
	EXPECT_EQ(t, a->cr3, b->cr3);
	EXPECT_EQ(t, a->cr4, b->cr4);
	EXPECT_EQ(t, a->efer, b->efer);
	EXPECT_EQ(t, a->eflags & (EFLAGS_IF | EFLAGS_DF), b->eflags & (EFLAGS_IF | EFLAGS_DF));
	EXPECT_EQ(t, a->cs, b->cs);
	EXPECT_EQ(t, a->ds, b->ds);
	EXPECT_EQ(t, a->es, b->es);
	EXPECT_EQ(t, a->fs, b->fs);
	EXPECT_EQ(t, a->gs, b->gs);
	EXPECT_EQ(t, a->ss, b->ss);
	EXPECT(t, memcmp(a->gdtr, b->gdtr, sizeof(a->gdtr)) == 0);
	EXPECT(t, memcmp(a->idtr, b->idtr, sizeof(a->idtr)) == 0);
	EXPECT_EQ(t, a->pic_mask, b->pic_mask);
	EXPECT_EQ(t, b->pic_mask, pic_kernel_mask());
}

/* junk in every register the call does not document, so a BIOS that keeps
 * them, or one that does not, makes no difference to the kernel */
static const struct bios_regs junk = { .eax = INT13_GET_STATUS,
				       .ebx = 0xDEADBEEF,
				       .ecx = 0x12345678,
				       .esi = 0xA5A5A5A5,
				       .edi = 0x5A5A5A5A,
				       .ebp = 0xCAFEF00D,
				       .ds = 0x1234,
				       .es = 0xF000 };

static void bios_call_keeps_the_kernel_state(struct ktest *t)
{
	struct cpu_state before, after;
	struct bios_regs in = junk, out;

	in.edx = t->bi->boot_drive;
	cpu_state(&before);
	bios_call(INT13, &in, &out);
	cpu_state(&after);
	expect_same_state(t, &before, &after);
}

static void bios_call_keeps_interrupts_on(struct ktest *t)
{
	struct cpu_state before, after;
	struct bios_regs in = junk, out;

	in.edx = t->bi->boot_drive;
	/* every IRQ is masked at the PICs in the kernel's state, so IF on is safe */
	__asm__ volatile("sti");
	cpu_state(&before);
	bios_call(INT13, &in, &out);
	cpu_state(&after);
	__asm__ volatile("cli");
	EXPECT(t, after.eflags & EFLAGS_IF);
	expect_same_state(t, &before, &after);
}

static void bios_call_returns_documented_outputs(struct ktest *t)
{
	struct bios_regs in = { 0 }, out;

	bios_call(INT12_MEMORY_SIZE, &in, &out);
	EXPECT_EQ(t, out.eax & 0xFFFF, t->bi->conv_kib);
	bios_call(INT11_EQUIPMENT, &in, &out);
	EXPECT_EQ(t, out.eax & 0xFFFF, t->bi->equipment);
}

/* A20 off would fold the address one MiB up onto the low one: writing the low
 * one would change what the high one (the kernel's, only read) reads */
static void bios_call_leaves_a20_on(struct ktest *t)
{
	struct bios_call_stats stats;
	volatile uint32_t *low = (volatile uint32_t *)REGION_BOUNCE_START;
	volatile const uint32_t *high = (volatile const uint32_t *)(REGION_BOUNCE_START + 0x100000);
	uint32_t saved = *low, before = *high;

	*low = ~before;
	EXPECT_EQ(t, *high, before);
	*low = saved;
	bios_call_stats(&stats);
	EXPECT(t, stats.calls > 0);
	EXPECT_EQ(t, stats.a20_repairs, 0);
}

static void every_disk_is_listed(struct ktest *t)
{
	unsigned disks = 0;

	for (unsigned i = 0; bios_disk_at(i); i++) {
		const struct bios_drive *d = bios_disk_at(i);
		EXPECT(t, d->dev != NULL);
		EXPECT(t, d->sectors > 0);
		disks++;
	}
	EXPECT(t, disks >= 1);
	EXPECT(t, bios_disk_of(boot_volume_device() ? boot_volume_device()->disk : NULL) != NULL);
}

static void boot_volume_is_mounted(struct ktest *t)
{
	struct fat_volume *vol = boot_volume();
	struct fat_stat st;

	EXPECT(t, vol != NULL);
	if (!vol)
		return;
	EXPECT(t, vol->type == 12 || vol->type == 16);
	EXPECT_EQ(t, fat_stat(vol, "/KERNEL.BIN", &st), 0);
	EXPECT_EQ(t, st.size, t->bi->kernel_size);
	EXPECT_EQ(t, fat_stat(vol, "/no/such/file", &st), ERR_NOENT);
}

/* reads a whole file at once, then again in CHUNK_BYTES pieces from the end
 * backwards, and compares both CRC-32s with the build's */
static void check_file(struct ktest *t, struct fat_volume *vol, const struct test_file *f)
{
	struct fat_node node;
	uint8_t *buf = f->size ? malloc(f->size) : NULL;
	int err = fat_lookup(vol, f->path, &node);

	if (err) {
		kprintf("    # %s: %s\n", f->path, boot_volume_error(err));
		EXPECT_EQ(t, err, 0);
		free(buf);
		return;
	}
	EXPECT_EQ(t, node.stat.size, f->size);
	if (f->size && !buf) {
		EXPECT(t, buf != NULL);
		return;
	}
	int got = fat_read(vol, &node, 0, buf, f->size);
	if (got < 0) /* the caller reports: the device, the sector, the BIOS status */
		kprintf("    # %s: %s\n", f->path, boot_volume_error(got));
	EXPECT_EQ(t, got, f->size);
	EXPECT_EQ(t, crc32(buf, f->size), f->crc32);
	memset(buf, 0, f->size);
	for (uint32_t end = f->size; end > 0;) {
		uint32_t start = end > CHUNK_BYTES ? end - CHUNK_BYTES : 0;
		got = fat_read(vol, &node, start, buf + start, end - start);
		EXPECT_EQ(t, got, end - start);
		if (got != (int)(end - start))
			break;
		end = start;
	}
	EXPECT_EQ(t, crc32(buf, f->size), f->crc32);
	free(buf);
}

static void every_test_file_matches_its_crc(struct ktest *t)
{
	struct fat_volume *vol = boot_volume();

	if (!vol)
		KTEST_SKIP(t, "no boot volume");
	for (unsigned i = 0; i < TEST_FILE_COUNT; i++)
		check_file(t, vol, &test_files[i]);
}

static bool same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a >= 'a' && *a <= 'z' ? *a - 32 : *a,
		     y = *b >= 'a' && *b <= 'z' ? *b - 32 : *b;
		if (x != y)
			return false;
	}
	return *a == *b;
}

static void test_tree_lists_every_file(struct ktest *t)
{
	struct fat_volume *vol = boot_volume();
	unsigned listed = 0;

	if (!vol)
		KTEST_SKIP(t, "no boot volume");
	for (unsigned i = 0; i < TEST_FILE_COUNT; i++) {
		struct fat_node dir;
		struct fat_dirent *e = malloc(sizeof(*e));
		char parent[FAT_PATH_MAX];
		const char *path = test_files[i].path, *slash = path;
		for (const char *p = path; *p; p++)
			if (*p == '/')
				slash = p;
		size_t len = (size_t)(slash - path);
		uint32_t cursor = 0;
		bool found = false;

		EXPECT(t, e != NULL);
		if (!e)
			return;
		memcpy(parent, path, len);
		parent[len] = 0;
		EXPECT_EQ(t, fat_lookup(vol, parent, &dir), 0);
		while (fat_readdir(vol, &dir, &cursor, e) == 1)
			if (same_name(e->name, slash + 1) || same_name(e->short_name, slash + 1))
				found = e->stat.size == test_files[i].size;
		listed += found;
		free(e);
	}
	EXPECT_EQ(t, listed, TEST_FILE_COUNT);
}

/* The volume's last sector the BIOS reaches, which nothing has read: its
 * last, or on a CHS disk whose geometry falls short of the partition
 * (bios_disk.c) the last one CHS reaches. */
static uint64_t last_readable_sector(const struct block_device *dev)
{
	const struct bios_drive *d = bios_disk_of(dev->disk);
	uint64_t end = dev->start + dev->sectors;

	if (d && d->sectors < end && d->sectors > dev->start)
		end = d->sectors;
	return end - 1 - dev->start;
}

static void cache_counts_hits_and_misses(struct ktest *t)
{
	struct block_device *dev = boot_volume_device();
	struct block_cache_stats a, b, c;
	uint8_t sector[BLOCK_SECTOR_SIZE];
	uint64_t lba;

	if (!dev)
		KTEST_SKIP(t, "no boot volume");
	lba = last_readable_sector(dev);
	block_cache_stats(&a);
	EXPECT_EQ(t, block_read(dev, lba, 1, sector), 0);
	block_cache_stats(&b);
	EXPECT(t, a.buffers > 0);
	EXPECT_EQ(t, b.misses, a.misses + 1);
	EXPECT_EQ(t, b.hits, a.hits);
	EXPECT_EQ(t, block_read(dev, lba, 1, sector), 0);
	block_cache_stats(&c);
	EXPECT_EQ(t, c.hits, b.hits + 1);
	EXPECT_EQ(t, c.misses, b.misses);
	EXPECT_EQ(t, c.writes, a.writes);
}

/* what the loader kept for the kernel (boot_info.kept) is in the cache, and
 * is what the disk holds: each sector read again straight from the driver */
static void loader_sectors_are_the_disks(struct ktest *t)
{
	struct block_device *dev = boot_volume_device();
	struct block_cache_stats st;
	uint8_t cached[BLOCK_SECTOR_SIZE], direct[BLOCK_SECTOR_SIZE];
	char error[BLOCK_ERROR_MAX] = "";

	if (!dev)
		KTEST_SKIP(t, "no boot volume");
	block_cache_stats(&st);
	EXPECT(t, t->bi->kept_count >= 3); /* sector 0, the volume's, a directory's at least */
	EXPECT(t, st.seeded >= 3);
	for (unsigned i = 0; i < t->bi->kept_count && i < BOOT_KEPT_MAX; i++) {
		uint32_t lba = t->bi->kept[i].lba;
		EXPECT_EQ(t, block_read(dev->disk, lba, 1, cached), 0);
		EXPECT_EQ(t, dev->disk->ops->read(dev->disk, lba, 1, direct, error), 0);
		EXPECT(t, memcmp(cached, direct, BLOCK_SECTOR_SIZE) == 0);
	}
}

static void reads_past_the_end_are_refused(struct ktest *t)
{
	struct block_device *dev = boot_volume_device();
	uint8_t sector[BLOCK_SECTOR_SIZE];

	if (!dev)
		KTEST_SKIP(t, "no boot volume");
	EXPECT_EQ(t, block_read(dev, dev->sectors, 1, sector), ERR_RANGE);
	EXPECT(t, strncmp(dev->error, dev->name, strlen(dev->name)) == 0);
	EXPECT_EQ(t, block_read(dev->disk, dev->disk->sectors - 1, 2, sector), ERR_RANGE);
}

static struct block_device *scratch_disk(void)
{
	for (unsigned i = 0; i < block_count(); i++)
		if (block_at(i)->disk == block_at(i) && block_at(i)->signature == SCRATCH_SIGNATURE)
			return block_at(i);
	return NULL;
}

static uint8_t scratch_byte(uint64_t lba, unsigned i)
{
	return (uint8_t)(lba * 7 + i * 13 + (i >> 8));
}

/* Writes SCRATCH_SECTORS sectors from SCRATCH_FIRST (one, then runs longer
 * than a BIOS call moves), reads them back around and through the cache; the
 * host compares the disk afterwards (test/boot/test_disks.sh). */
static void scratch_disk_writes_read_back(struct ktest *t)
{
	struct block_device *dev = scratch_disk();
	uint8_t *buf = malloc(SCRATCH_SECTORS * BLOCK_SECTOR_SIZE);
	bool same = true;

	if (!dev) {
		free(buf);
		KTEST_SKIP(t, "no scratch disk attached");
	}
	EXPECT(t, buf != NULL);
	if (!buf)
		return;
	for (unsigned s = 0; s < SCRATCH_SECTORS; s++)
		for (unsigned i = 0; i < BLOCK_SECTOR_SIZE; i++)
			buf[s * BLOCK_SECTOR_SIZE + i] = scratch_byte(SCRATCH_FIRST + s, i);
	EXPECT_EQ(t, block_write(dev, SCRATCH_FIRST, 1, buf), 0);
	EXPECT_EQ(t, block_write(dev, SCRATCH_FIRST + 1, SCRATCH_SECTORS - 1, buf + BLOCK_SECTOR_SIZE),
		  0);
	memset(buf, 0, SCRATCH_SECTORS * BLOCK_SECTOR_SIZE);
	EXPECT_EQ(t, block_read(dev, SCRATCH_FIRST, SCRATCH_SECTORS, buf), 0);
	for (unsigned s = 0; s < SCRATCH_SECTORS; s++) {
		uint8_t one[BLOCK_SECTOR_SIZE];
		EXPECT_EQ(t, block_read(dev, SCRATCH_FIRST + s, 1, one), 0);
		for (unsigned i = 0; i < BLOCK_SECTOR_SIZE; i++)
			same &= one[i] == scratch_byte(SCRATCH_FIRST + s, i) &&
				buf[s * BLOCK_SECTOR_SIZE + i] == one[i];
	}
	EXPECT(t, same);
	kprintf("    # scratch disk %s: %u sectors written from %u\n", dev->name, SCRATCH_SECTORS,
		SCRATCH_FIRST);
	free(buf);
}

/* "file=/PATH" on the command line: that file's size and CRC-32, for a test
 * that copies a file into the image after the build */
static void file_on_the_command_line(struct ktest *t)
{
	const char *p = t->bi->cmdline, *word = NULL;
	char path[FAT_PATH_MAX];
	struct fat_volume *vol = boot_volume();
	struct fat_node node;
	size_t len = 0;

	for (; *p; p++)
		if ((p == t->bi->cmdline || p[-1] == ' ') && strncmp(p, "file=", 5) == 0)
			word = p + 5;
	if (!word)
		KTEST_SKIP(t, "no file= on the command line");
	while (word[len] && word[len] != ' ' && len + 1 < sizeof(path))
		len++;
	memcpy(path, word, len);
	path[len] = 0;
	EXPECT(t, vol != NULL);
	if (!vol)
		return;
	int err = fat_lookup(vol, path, &node);
	if (err) {
		kprintf("    # file %s: %s\n", path, boot_volume_error(err));
		EXPECT_EQ(t, err, 0);
		return;
	}
	uint8_t *buf = malloc(node.stat.size ? node.stat.size : 1);
	EXPECT(t, buf != NULL);
	if (!buf)
		return;
	EXPECT_EQ(t, fat_read(vol, &node, 0, buf, node.stat.size), node.stat.size);
	kprintf("    # file %s: %u bytes, CRC-32 %08x\n", path, (unsigned)node.stat.size,
		(unsigned)crc32(buf, node.stat.size));
	free(buf);
}

/* last, so that it counts what the suite did: each drive's calls and retries */
static void drive_counters(struct ktest *t)
{
	struct bios_call_stats stats;

	for (unsigned i = 0; bios_disk_at(i); i++) {
		const struct bios_drive *d = bios_disk_at(i);
		kprintf("    # %s: %llu calls, %llu retries, %llu failures, %llu sectors\n",
			d->dev->name, (unsigned long long)d->calls, (unsigned long long)d->retries,
			(unsigned long long)d->failures, (unsigned long long)d->sectors_moved);
		EXPECT(t, d->calls > 0 || d->medium_unread);
	}
	bios_call_stats(&stats);
	kprintf("    # BIOS calls: %llu, A20 repaired %u times\n", (unsigned long long)stats.calls,
		(unsigned)stats.a20_repairs);
}

KTEST_SUITE(disk_suite, "disk", KTEST_CASE(bios_call_keeps_the_kernel_state),
	    KTEST_CASE(bios_call_keeps_interrupts_on), KTEST_CASE(bios_call_returns_documented_outputs),
	    KTEST_CASE(bios_call_leaves_a20_on), KTEST_CASE(every_disk_is_listed),
	    KTEST_CASE(boot_volume_is_mounted), KTEST_CASE(every_test_file_matches_its_crc),
	    KTEST_CASE(test_tree_lists_every_file), KTEST_CASE(cache_counts_hits_and_misses),
	    KTEST_CASE(loader_sectors_are_the_disks), KTEST_CASE(reads_past_the_end_are_refused),
	    KTEST_CASE(scratch_disk_writes_read_back), KTEST_CASE(file_on_the_command_line),
	    KTEST_CASE(drive_counters));
