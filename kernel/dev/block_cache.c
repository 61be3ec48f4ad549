/* block_cache.c: the buffer cache between the block devices and the
 * drivers. Sector buffers keyed by (disk, sector of the disk), found through a
 * hash table and reused least recently used first, both O(1). Reads shorter
 * than BLOCK_DIRECT_SECTORS go through it; longer ones (a file's run of
 * clusters) go straight to the driver without pushing everything else out,
 * unless every sector of them is cached: what a read ahead brought in (the
 * file system's first read of a file asks for its first sectors in one call,
 * which its reader, a program's loader, then takes page by page: each driver
 * call through the BIOS costs more than a few sectors more). Writes go through to the driver at once and refresh the copies the cache
 * holds, so the cache never holds a sector the disk does not: a direct read
 * never needs it, and nothing is lost when the machine stops. */
#include "block.h"
#include "errors.h"
#include "lib.h"

#define HASH_MULTIPLIER 0x9E3779B1u /* 2^32 / golden ratio: spreads near keys apart */
#define HEADER_ALIGN sizeof(uint64_t)

struct cache_buf {
	struct cache_buf *lru_prev, *lru_next; /* the recency list, newest first */
	struct cache_buf *hash_next;           /* this bucket's chain */
	struct cache_buf **hash_pprev;         /* what points at this one in the chain */
	struct block_device *disk;             /* NULL: the buffer holds nothing */
	uint64_t lba;
	uint8_t *data; /* BLOCK_SECTOR_SIZE bytes */
};

static struct {
	/* lru.lru_next is the most recently used buffer, lru.lru_prev the next to
	 * be reused; empty buffers are kept at that end, so they go first */
	struct cache_buf lru;
	struct cache_buf *bufs;
	size_t nbufs;
	struct cache_buf **buckets; /* a power of two of them, at most one a buffer */
	uint32_t bucket_mask;
	struct block_cache_stats stats;
} cache;

/* what a read ahead reads into before the sectors go to their buffers */
/* where a read-ahead lands; set by the kernel from its heap, not .bss, which must
 * leave a 900 KiB kernel room below the heap (test_big_kernel.sh) */
static uint8_t *read_ahead_buffer;

void block_cache_read_ahead_buffer(void *buffer)
{
	read_ahead_buffer = buffer;
}

size_t block_cache_size_for(uint64_t free_bytes)
{
	uint64_t size = free_bytes / BLOCK_CACHE_FREE_SHARE;
	if (size < BLOCK_CACHE_MIN_BYTES)
		size = BLOCK_CACHE_MIN_BYTES;
	if (size > BLOCK_CACHE_MAX_BYTES)
		size = BLOCK_CACHE_MAX_BYTES;
	if (size > free_bytes / BLOCK_CACHE_MAX_SHARE)
		size = free_bytes / BLOCK_CACHE_MAX_SHARE;
	return (size_t)(size & ~(uint64_t)(BLOCK_CACHE_GRANULE - 1));
}

/* ---- the recency list and the hash table ------------------------------------ */

static void lru_unlink(struct cache_buf *b)
{
	b->lru_prev->lru_next = b->lru_next;
	b->lru_next->lru_prev = b->lru_prev;
}

/* Links B after AT */
static void lru_link_after(struct cache_buf *at, struct cache_buf *b)
{
	b->lru_prev = at;
	b->lru_next = at->lru_next;
	at->lru_next->lru_prev = b;
	at->lru_next = b;
}

static void make_newest(struct cache_buf *b)
{
	lru_unlink(b);
	lru_link_after(&cache.lru, b);
}

static void make_oldest(struct cache_buf *b)
{
	lru_unlink(b);
	lru_link_after(cache.lru.lru_prev, b);
}

static struct cache_buf **bucket_of(const struct block_device *disk, uint64_t lba)
{
	uint32_t key = (uint32_t)lba ^ (uint32_t)(lba >> 32) ^ (uint32_t)((uintptr_t)disk >> 4);
	key *= HASH_MULTIPLIER;
	key ^= key >> 16; /* the multiply leaves the mixing in the high bits */
	return &cache.buckets[key & cache.bucket_mask];
}

static struct cache_buf *lookup(const struct block_device *disk, uint64_t lba)
{
	if (!cache.nbufs)
		return NULL;
	for (struct cache_buf *b = *bucket_of(disk, lba); b; b = b->hash_next)
		if (b->disk == disk && b->lba == lba)
			return b;
	return NULL;
}

static void unhash(struct cache_buf *b)
{
	*b->hash_pprev = b->hash_next;
	if (b->hash_next)
		b->hash_next->hash_pprev = b->hash_pprev;
	b->disk = NULL;
	cache.stats.cached--;
}

/* Empties B and puts it first in line for reuse */
static void drop(struct cache_buf *b)
{
	unhash(b);
	make_oldest(b);
}

/* A copy of DATA as (DISK, LBA), in the least recently used buffer */
static void insert(struct block_device *disk, uint64_t lba, const void *data)
{
	struct cache_buf *b = cache.lru.lru_prev;
	if (b->disk) {
		unhash(b);
		cache.stats.evictions++;
	}
	b->disk = disk;
	b->lba = lba;
	LIB_NAME(memcpy)(b->data, data, BLOCK_SECTOR_SIZE);
	struct cache_buf **head = bucket_of(disk, lba);
	b->hash_next = *head;
	b->hash_pprev = head;
	if (*head)
		(*head)->hash_pprev = &b->hash_next;
	*head = b;
	cache.stats.cached++;
	make_newest(b);
}

/* ---- set-up ------------------------------------------------------------------ */

void block_cache_forget(void)
{
	for (size_t i = 0; i < cache.nbufs; i++)
		if (cache.bufs[i].disk)
			drop(&cache.bufs[i]);
}

void block_cache_init(void *memory, size_t bytes)
{
	LIB_NAME(memset)(&cache, 0, sizeof cache);
	cache.lru.lru_next = cache.lru.lru_prev = &cache.lru;
	uintptr_t start = (uintptr_t)memory;
	uintptr_t aligned = (start + HEADER_ALIGN - 1) & ~(uintptr_t)(HEADER_ALIGN - 1);
	if (!memory || aligned < start || bytes < aligned - start)
		return;
	bytes -= aligned - start;

	/* each buffer costs its sector, its header and at most one bucket */
	size_t each = BLOCK_SECTOR_SIZE + sizeof(struct cache_buf) + sizeof(struct cache_buf *);
	size_t n = bytes / each;
	if (!n)
		return;
	size_t nbuckets = 1;
	while (nbuckets * 2 <= n)
		nbuckets *= 2;

	/* sectors first: they keep the alignment the headers after them need */
	uint8_t *data = (uint8_t *)aligned;
	cache.bufs = (struct cache_buf *)(data + n * BLOCK_SECTOR_SIZE);
	cache.buckets = (struct cache_buf **)(cache.bufs + n);
	cache.nbufs = n;
	cache.bucket_mask = (uint32_t)(nbuckets - 1);
	for (size_t i = 0; i < nbuckets; i++)
		cache.buckets[i] = NULL;
	for (size_t i = 0; i < n; i++) {
		struct cache_buf *b = &cache.bufs[i];
		b->disk = NULL;
		b->data = data + i * BLOCK_SECTOR_SIZE;
		lru_link_after(cache.lru.lru_prev, b);
	}
	cache.stats.buffers = n;
}

void block_cache_stats(struct block_cache_stats *out)
{
	*out = cache.stats;
}

/* ---- transfers --------------------------------------------------------------- */

static int driver_read(struct block_device *disk, uint64_t lba, uint32_t count, uint8_t *buf,
		       char *error)
{
	int rc = disk->ops->read(disk, lba, count, buf, error);
	if (!rc)
		cache.stats.reads += count;
	return rc;
}

static bool all_cached(const struct block_device *disk, uint64_t lba, uint32_t count)
{
	for (uint32_t i = 0; i < count; i++)
		if (!lookup(disk, lba + i))
			return false;
	return true;
}

int block_cache_read(struct block_device *disk, uint64_t lba, uint32_t count, void *buf, char *error)
{
	uint8_t *out = buf;
	if (count >= BLOCK_DIRECT_SECTORS && !all_cached(disk, lba, count)) {
		int rc = driver_read(disk, lba, count, out, error);
		if (!rc)
			cache.stats.direct_reads += count;
		return rc;
	}
	for (uint32_t i = 0; i < count;) {
		struct cache_buf *hit = lookup(disk, lba + i);
		if (hit) {
			LIB_NAME(memcpy)(out + i * BLOCK_SECTOR_SIZE, hit->data, BLOCK_SECTOR_SIZE);
			make_newest(hit);
			cache.stats.hits++;
			i++;
			continue;
		}
		/* the run of sectors not cached, read in one call straight into the
		 * caller's buffer: a failure leaves no buffer touched */
		uint32_t end = i + 1;
		while (end < count && !lookup(disk, lba + end))
			end++;
		int rc = driver_read(disk, lba + i, end - i, out + i * BLOCK_SECTOR_SIZE, error);
		if (rc)
			return rc;
		cache.stats.misses += end - i;
		for (; cache.nbufs && i < end; i++)
			insert(disk, lba + i, out + i * BLOCK_SECTOR_SIZE);
		i = end;
	}
	return 0;
}

int block_cache_read_ahead(struct block_device *disk, uint64_t lba, uint32_t count, char *error)
{
	if (!read_ahead_buffer)
		return 0; /* no room to read ahead into: the reads come as they are asked */
	if (count > BLOCK_READ_AHEAD_MAX)
		count = BLOCK_READ_AHEAD_MAX;
	if (count > cache.nbufs) /* what it brings in must not push itself out */
		count = (uint32_t)cache.nbufs;
	uint32_t first = 0, end = count;
	while (first < end && lookup(disk, lba + first))
		first++;
	while (end > first && lookup(disk, lba + end - 1))
		end--;
	if (first == end)
		return 0;
	/* one call from the first sector missing to the last, the cached ones
	 * between read again (the same bytes: the cache is never newer) */
	int rc = disk->ops->read(disk, lba + first, end - first, read_ahead_buffer, error);
	if (rc)
		return rc;
	cache.stats.reads += end - first;
	cache.stats.read_ahead += end - first;
	for (uint32_t i = first; i < end; i++) {
		struct cache_buf *b = lookup(disk, lba + i);
		if (b)
			make_newest(b);
		else
			insert(disk, lba + i,
			       read_ahead_buffer + (size_t)(i - first) * BLOCK_SECTOR_SIZE);
	}
	return 0;
}

void block_cache_seed(struct block_device *disk, uint64_t lba, const void *data)
{
	if (!cache.nbufs || lookup(disk, lba))
		return;
	insert(disk, lba, data);
	cache.stats.seeded++;
}

int block_cache_write(struct block_device *disk, uint64_t lba, uint32_t count, const void *buf,
		      char *error)
{
	const uint8_t *in = buf;
	int rc = disk->ops->write(disk, lba, count, in, error);
	if (!rc)
		cache.stats.writes += count;
	for (uint32_t i = 0; i < count; i++) {
		struct cache_buf *b = lookup(disk, lba + i);
		if (!b)
			continue;
		if (rc) {
			/* the driver may have written part: the old copy may be stale */
			drop(b);
			cache.stats.invalidations++;
		} else {
			LIB_NAME(memcpy)(b->data, in + i * BLOCK_SECTOR_SIZE, BLOCK_SECTOR_SIZE);
			cache.stats.updates++;
		}
	}
	return rc;
}
