/* swap.c: swap devices and their slots (swap.h). */
#include "swap.h"
#include "swap_header.h"
#include "errors.h"
#include "lib.h"
#include "../dev/block.h"
#include "../kernel.h"
#include "../mm/mm.h"

#define MBR_TYPE_LINUX_SWAP 0x82
#define SECTORS_PER_PAGE (SWAP_PAGE_SIZE / BLOCK_SECTOR_SIZE)

struct swap_device {
	struct block_device *dev;
	uint32_t *used;  /* a bit per page of the partition: slot 0 (the header) and bad pages set */
	uint32_t pages;  /* bits in `used`: the header's last_page + 1, at most SWAP_SLOTS_MAX + 1 */
	uint32_t free;   /* slots clear in `used` */
	uint32_t next;   /* where the search for a free slot starts: slots go out in
			   * order, so pages evicted together lie together on the disk */
	uint32_t usable; /* slots that were not bad at boot */
	uint32_t bad;    /* slots marked bad since */
};

static struct swap_device devices[SWAP_DEVICES_MAX];
static unsigned device_count;
static struct swap_stats counts;

static bool bit_test(const uint32_t *map, uint32_t i)
{
	return map[i / 32] >> (i % 32) & 1;
}

static void bit_set(uint32_t *map, uint32_t i)
{
	map[i / 32] |= 1u << (i % 32);
}

static void bit_clear(uint32_t *map, uint32_t i)
{
	map[i / 32] &= ~(1u << (i % 32));
}

/* header: room for the partition's first page; info: for what it says */
static void add_device(struct block_device *dev, uint8_t *header, struct swap_header_info *info)
{
	char why[SWAP_ERROR_MAX];
	uint64_t partition_pages = dev->sectors / SECTORS_PER_PAGE;

	if (device_count == SWAP_DEVICES_MAX) {
		kprintf("Swap: %s not used: VlsOs uses at most %u swap partitions\n", dev->name,
			SWAP_DEVICES_MAX);
		return;
	}
	if (block_read(dev, 0, SECTORS_PER_PAGE, header) < 0) {
		kprintf("Swap: %s not used: %s\n", dev->name, dev->error);
		return;
	}
	if (swap_header_parse(header,
			      partition_pages > UINT32_MAX ? UINT32_MAX : (uint32_t)partition_pages,
			      info, why) < 0) {
		kprintf("Swap: %s not used: %s\n", dev->name, why);
		return;
	}
	uint32_t pages = info->last_page + 1;
	if (pages > SWAP_SLOTS_MAX + 1)
		pages = SWAP_SLOTS_MAX + 1;
	uint32_t *used = kcalloc((pages + 31) / 32, sizeof *used);
	if (!used) {
		kprintf("Swap: %s not used: no memory for its bitmap of %u slots\n", dev->name, pages);
		return;
	}
	bit_set(used, 0);
	uint32_t free = pages - 1;
	for (uint32_t i = 0; i < info->bad_pages; i++)
		if (info->bad[i] < pages && !bit_test(used, info->bad[i])) {
			bit_set(used, info->bad[i]);
			free--;
		}
	devices[device_count++] = (struct swap_device){ dev, used, pages, free, 1, free, 0 };
	counts.devices = device_count;
	counts.slots += free;
	kprintf("Swap: %s, %u MiB, %u slots of 4 KiB", dev->name,
		(unsigned)(dev->sectors * BLOCK_SECTOR_SIZE >> 20), free);
	if (info->label[0])
		kprintf(", label \"%s\"", info->label);
	if (info->bad_pages)
		kprintf(", %u bad pages listed", info->bad_pages);
	if (info->last_page + 1 > pages)
		kprintf(" (the first %u of its %u pages: a device's limit)", pages, info->last_page + 1);
	kprintf("\n");
}

/* The header's page and what it says (6.6 KiB) are the boot's only: taken
 * from the heap for the scan, not kept in .bss (which must leave the
 * kernel's region room for a 900 KiB image: test_big_kernel.sh). */
void swap_init(void)
{
	unsigned seen = 0;
	uint8_t *header = kmalloc(SWAP_PAGE_SIZE);
	struct swap_header_info *info = kmalloc(sizeof *info);

	for (unsigned i = 0; i < block_count(); i++) {
		struct block_device *dev = block_at(i);
		if (dev->partition && dev->type == MBR_TYPE_LINUX_SWAP) {
			seen++;
			if (header && info)
				add_device(dev, header, info);
			else
				kprintf("Swap: %s not used: no memory to read its header\n", dev->name);
		}
	}
	kfree(header);
	kfree(info);
	if (seen == 0)
		kprintf("Swap: none: no partition of type 82h on any disk; running without swap\n");
	else if (device_count == 0)
		kprintf("Swap: none usable (the lines above say why); running without swap\n");
}

void swap_reset(void)
{
	for (unsigned d = 0; d < device_count; d++)
		kfree(devices[d].used);
	device_count = 0;
	counts = (struct swap_stats){ 0 };
}

bool swap_present(void)
{
	return device_count > 0;
}

swap_slot_t swap_alloc(void)
{
	for (unsigned d = 0; d < device_count; d++) {
		struct swap_device *s = &devices[d];
		if (s->free == 0)
			continue;
		for (uint32_t n = 0; n < s->pages; n++) {
			uint32_t i = s->next;
			s->next = i + 1 == s->pages ? 1 : i + 1;
			if (!bit_test(s->used, i)) {
				bit_set(s->used, i);
				s->free--;
				counts.used++;
				return (swap_slot_t)d << SWAP_SLOT_BITS | i;
			}
		}
	}
	return 0;
}

/* the device and page of a slot, or NULL for a slot swap_alloc never gave */
static struct swap_device *device_of(swap_slot_t slot, uint32_t *page)
{
	unsigned d = slot >> SWAP_SLOT_BITS;
	*page = slot & SWAP_SLOTS_MAX;
	if (d >= device_count || *page == 0 || *page >= devices[d].pages ||
	    !bit_test(devices[d].used, *page)) {
		kprintf("swap: slot %u.%u is not in use\n", d, *page);
		return NULL;
	}
	return &devices[d];
}

uint32_t swap_free_slots(void)
{
	return counts.slots - counts.used;
}

void swap_free(swap_slot_t slot)
{
	uint32_t page;
	struct swap_device *s = device_of(slot, &page);

	if (!s)
		return;
	bit_clear(s->used, page);
	s->free++;
	counts.used--;
}

void swap_mark_bad(swap_slot_t slot)
{
	uint32_t page;
	struct swap_device *s = device_of(slot, &page);

	if (!s)
		return;
	s->bad++;
	counts.bad++;
	counts.slots--;
	counts.used--; /* bad, not used: it stays set in the bitmap for good */
}

static int transfer(swap_slot_t slot, void *page_buf, bool write, char *error)
{
	uint32_t page;
	struct swap_device *s = device_of(slot, &page);

	if (!s) {
		LIB_NAME(snprintf)(error, SWAP_IO_ERROR_MAX, "swap slot %u is not in use",
				   (unsigned)slot);
		return ERR_INVAL;
	}
	uint64_t lba = (uint64_t)page * SECTORS_PER_PAGE;
	int err = write ? block_write(s->dev, lba, SECTORS_PER_PAGE, page_buf)
			: block_read(s->dev, lba, SECTORS_PER_PAGE, page_buf);
	uint64_t *count = write ? (err < 0 ? &counts.write_errors : &counts.writes)
				: (err < 0 ? &counts.read_errors : &counts.reads);
	(*count)++;
	if (err < 0)
		LIB_NAME(snprintf)(error, SWAP_IO_ERROR_MAX, "%s (slot %u)", s->dev->error, page);
	return err;
}

int swap_write(swap_slot_t slot, const void *page, char *error)
{
	return transfer(slot, (void *)page, true, error);
}

int swap_read(swap_slot_t slot, void *page, char *error)
{
	return transfer(slot, page, false, error);
}

void swap_stats(struct swap_stats *out)
{
	*out = counts;
}
