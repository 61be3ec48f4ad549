/* block_cache.c: between the block devices and the drivers. For now every
 * transfer goes straight to the driver; the buffers come next. */
#include "block.h"
#include "errors.h"
#include "lib.h"

static struct block_cache_stats stats;

size_t block_cache_size_for(uint64_t free_bytes)
{
	(void)free_bytes;
	return 0;
}

void block_cache_init(void *memory, size_t bytes)
{
	(void)memory;
	(void)bytes;
	LIB_NAME(memset)(&stats, 0, sizeof stats);
}

void block_cache_forget(void)
{
}

void block_cache_stats(struct block_cache_stats *out)
{
	*out = stats;
}

int block_cache_read(struct block_device *disk, uint64_t lba, uint32_t count, void *buf, char *error)
{
	int rc = disk->ops->read(disk, lba, count, buf, error);
	if (!rc)
		stats.reads += count;
	return rc;
}

int block_cache_write(struct block_device *disk, uint64_t lba, uint32_t count, const void *buf,
		      char *error)
{
	int rc = disk->ops->write(disk, lba, count, buf, error);
	if (!rc)
		stats.writes += count;
	return rc;
}
