/* fat.c: a read-only FAT12/FAT16/FAT32 reader (fat.h), after Microsoft's "FAT32 File
 * System Specification" (version 1.03, 2000) and its long-name section.
 *
 * Trust: the BPB is checked once at mount, so every sector number computed from a
 * cluster in 2..clusters+1 lies inside the volume, and the volume inside its device.
 * A chain is checked when its node is looked up: each link in range, not free, not
 * marked bad, no loop (Brent's cycle finding, which needs no memory), and exactly as
 * long as a file's size needs; a directory's at most 65536 entries. Reads walk only
 * as far as that checked length, and still check each link, so a volume that
 * changes underneath a node cannot make them loop or leave the volume.
 *
 * Speed: reads of whole sectors go from the source straight into the caller's
 * buffer, a run of contiguous clusters in one call; FAT and directory sectors (and
 * the partial sectors at a read's ends) go through one cached sector. A file's
 * first read (offset 0) tells the source, when it has read_ahead, of the file's
 * first sectors in a row: a program's loader reads page by page, which would
 * otherwise be a few source reads a page. */
#include "fat.h"
#include "errors.h"
#include "lib.h"

/* boot sector and BPB offsets */
#define BPB_BYTES_PER_SECTOR 11
#define BPB_SECTORS_PER_CLUSTER 13
#define BPB_RESERVED_SECTORS 14
#define BPB_FAT_COUNT 16
#define BPB_ROOT_ENTRIES 17
#define BPB_TOTAL_SECTORS_16 19
#define BPB_MEDIA 21
#define BPB_FAT_SECTORS_16 22
#define BPB_TOTAL_SECTORS_32 32
#define BPB16_EXTENDED_SIGNATURE 38
#define BPB16_LABEL 43
#define BPB32_FAT_SECTORS 36
#define BPB32_FLAGS 40
#define BPB32_VERSION 42
#define BPB32_ROOT_CLUSTER 44
#define BPB32_EXTENDED_SIGNATURE 66
#define BPB32_LABEL 71
#define BOOT_SIGNATURE 510 /* 0x55 0xAA */
#define BOOT_SIGNATURE_0 0x55
#define BOOT_SIGNATURE_1 0xAA
#define EXTENDED_SIGNATURE 0x29 /* the serial number and label are there */
#define LABEL_LENGTH 11
#define MEDIA_FIXED_MIN 0xF8 /* media descriptors: 0xF0, or 0xF8 to 0xFF */
#define MEDIA_REMOVABLE 0xF0
#define FAT32_NO_MIRRORING 0x80 /* BPB32_FLAGS: only the active FAT is in use */
#define FAT32_ACTIVE_FAT 0x0F
#define FAT_COUNT_MAX 2

#define SECTOR_SHIFT 9 /* log2 FAT_SECTOR_SIZE */

/* The FAT type is the cluster count's (the spec's "only" way to tell) */
#define FAT12_CLUSTERS_MAX 4084
#define FAT16_CLUSTERS_MAX 65524
#define FAT32_CLUSTERS_MAX 0x0FFFFFF4 /* cluster numbers below the reserved values */
#define FIRST_CLUSTER 2

/* FAT entries: 0 free, then cluster numbers, then reserved values, "bad", end marks */
#define FAT_FREE 0
#define FAT12_BAD 0xFF7
#define FAT16_BAD 0xFFF7
#define FAT32_BAD 0x0FFFFFF7
#define FAT32_ENTRY_MASK 0x0FFFFFFF /* the top 4 bits are reserved */
#define FAT12_ENTRY_MASK 0xFFF
#define FAT12_ODD_SHIFT 4 /* an odd cluster's entry is the high 12 bits of its two bytes */

/* directory entries */
#define DIR_ENTRY_SIZE 32
#define DIR_ENTRY_SHIFT 5
#define DIR_ENTRIES_MAX 65536 /* in one directory */
#define DIR_NAME 0
#define DIR_NAME_LENGTH 11
#define DIR_BASE_LENGTH 8
#define DIR_EXT_LENGTH 3
#define DIR_ATTRIBUTES 11
#define DIR_NT_CASE 12 /* Windows NT's lower-case flags for an 8.3 name */
#define DIR_CLUSTER_HIGH 20
#define DIR_CLUSTER_LOW 26
#define DIR_SIZE 28
#define DIR_FREE_REST 0x00 /* name byte 0: this and every later entry are free */
#define DIR_DELETED 0xE5
#define DIR_NAME_E5 0x05 /* name byte 0 standing for 0xE5 */
#define NT_LOWER_BASE 0x08
#define NT_LOWER_EXT 0x10
#define ATTR_LONG_NAME 0x0F /* read-only, hidden, system and volume id together */
#define ATTR_LONG_NAME_MASK 0x3F

/* long-name entries */
#define LFN_ORDER 0
#define LFN_LAST 0x40 /* in LFN_ORDER: the first entry on disk, the name's end */
#define LFN_ORDER_MASK 0x3F
#define LFN_TYPE 12 /* 0 for a name part */
#define LFN_CHECKSUM 13
#define LFN_END 0x0000

/* UTF-16 surrogates: a high one (D800-DBFF) and a low one (DC00-DFFF) carry 10 bits
 * each of a character from 0x10000 on */
#define SURROGATE_HIGH 0xD800
#define SURROGATE_LOW 0xDC00
#define SURROGATE_END 0xE000
#define SURROGATE_BITS 10
#define PLANE_1 0x10000

/* UTF-8 */
#define UTF8_BYTES_MAX 4
#define UTF8_1_BYTE_END 0x80
#define UTF8_2_BYTES_END 0x800
#define UTF8_CONTINUATION 0x80
#define UTF8_BITS 6
#define UTF8_BITS_MASK 0x3F

#define CHAIN_TOO_LONG 1 /* check_chain: the chain goes on past its limit */

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static __attribute__((format(printf, 3, 4))) int fail(struct fat_volume *vol, int err, const char *fmt,
						      ...)
{
	va_list ap;

	va_start(ap, fmt);
	LIB_NAME(vsnprintf)(vol->error, sizeof vol->error, fmt, ap);
	va_end(ap);
	return err;
}

/* ---- sectors ---- */

static int source_read(struct fat_volume *vol, uint32_t lba, uint32_t count, void *buf)
{
	int err;

	if (lba >= vol->src.sectors || count > vol->src.sectors - lba)
		return fail(vol, ERR_RANGE,
			    "read of %u sectors at %u is past the device's end (%u sectors)", count, lba,
			    vol->src.sectors);
	err = vol->src.read(vol->src.ctx, lba, count, buf);
	if (err != 0)
		return fail(vol, err < 0 ? err : ERR_IO, "read of %u sectors at %u failed (error %d)",
			    count, lba, err);
	return 0;
}

/* Brings sector lba into vol->sector. */
static int load_sector(struct fat_volume *vol, uint32_t lba)
{
	int err;

	if (vol->cached && vol->cached_lba == lba)
		return 0;
	vol->cached = false;
	err = source_read(vol, lba, 1, vol->sector);
	if (err)
		return err;
	vol->cached = true;
	vol->cached_lba = lba;
	return 0;
}

/* ---- the FAT ---- */

static bool cluster_in_range(const struct fat_volume *vol, uint32_t cluster)
{
	return cluster >= FIRST_CLUSTER && cluster - FIRST_CLUSTER < vol->clusters;
}

static uint32_t cluster_lba(const struct fat_volume *vol, uint32_t cluster)
{
	return vol->data_start + ((cluster - FIRST_CLUSTER) << (vol->cluster_shift - SECTOR_SHIFT));
}

static int fat_byte(struct fat_volume *vol, uint32_t offset, uint8_t *byte)
{
	int err = load_sector(vol, vol->fat_start + (offset >> SECTOR_SHIFT));

	if (err)
		return err;
	*byte = vol->sector[offset & (FAT_SECTOR_SIZE - 1)];
	return 0;
}

/* The FAT's entry for a cluster in range (mount made sure the FAT holds it). */
static int fat_entry(struct fat_volume *vol, uint32_t cluster, uint32_t *value)
{
	uint8_t low, high;
	uint32_t offset;
	int err;

	if (vol->type == 12) {
		/* 12-bit entries, two in three bytes: they can straddle two sectors */
		offset = cluster + cluster / 2;
		err = fat_byte(vol, offset, &low);
		if (!err)
			err = fat_byte(vol, offset + 1, &high);
		if (err)
			return err;
		*value = (uint32_t)(low | high << 8);
		*value = cluster & 1 ? *value >> FAT12_ODD_SHIFT : *value & FAT12_ENTRY_MASK;
		return 0;
	}
	offset = cluster << (vol->type == 16 ? 1 : 2);
	err = load_sector(vol, vol->fat_start + (offset >> SECTOR_SHIFT));
	if (err)
		return err;
	offset &= FAT_SECTOR_SIZE - 1;
	if (vol->type == 16)
		*value = le16(vol->sector + offset);
	else
		*value = le32(vol->sector + offset) & FAT32_ENTRY_MASK;
	return 0;
}

/* The cluster after `cluster` (in range) in path's chain: 0 with *next in range,
 * 1 when the chain ends there, or ERR_CORRUPT naming what the FAT holds instead. */
static int follow(struct fat_volume *vol, const char *path, uint32_t cluster, uint32_t *next)
{
	uint32_t bad = vol->type == 12 ? FAT12_BAD : vol->type == 16 ? FAT16_BAD : FAT32_BAD;
	uint32_t value;
	int err = fat_entry(vol, cluster, &value);

	if (err)
		return err;
	if (value > bad)
		return 1;
	/* "bad" and "free" describe the cluster itself, a number the next one */
	if (value == bad)
		return fail(vol, ERR_CORRUPT, "bad cluster %u in the chain of %s", cluster, path);
	if (value == FAT_FREE)
		return fail(vol, ERR_CORRUPT, "free cluster %u in the chain of %s", cluster, path);
	if (!cluster_in_range(vol, value))
		return fail(vol, ERR_CORRUPT,
			    "cluster %u out of range in the chain of %s (after cluster %u)", value, path,
			    cluster);
	*next = value;
	return 0;
}

/* Walks node's chain to its end mark and sets node->clusters to its length: 0,
 * CHAIN_TOO_LONG when it goes on past limit clusters, or ERR_CORRUPT (a link out of
 * range, free or bad, or a loop). A loop is found by Brent's method: keep one
 * cluster, replace it at every power of two steps; a loop brings it back. A chain
 * longer than its limit is walked on (only to tell a loop from a long chain), and
 * none longer than the volume's clusters can be without a loop. */
static int check_chain(struct fat_volume *vol, struct fat_node *node, uint32_t limit)
{
	uint32_t cluster = node->stat.first_cluster, length = 1, kept = cluster, power = 1, steps = 0;
	uint32_t next;
	int r;

	if (!cluster_in_range(vol, cluster))
		return fail(vol, ERR_CORRUPT, "cluster %u out of range in the chain of %s", cluster,
			    node->path);
	while ((r = follow(vol, node->path, cluster, &next)) == 0) {
		if (next == kept || length >= vol->clusters)
			return fail(vol, ERR_CORRUPT, "loop in the chain of %s at cluster %u",
				    node->path, next);
		length++;
		if (++steps == power) {
			kept = next;
			power *= 2;
			steps = 0;
		}
		cluster = next;
	}
	if (r < 0)
		return r;
	node->clusters = length;
	return length > limit ? CHAIN_TOO_LONG : 0;
}

/* The cluster index-th (from 0) in node's chain, from where the last call stopped
 * when that is not past it. */
static int seek(struct fat_volume *vol, struct fat_node *node, uint32_t index, uint32_t *cluster)
{
	uint32_t next;
	int r;

	if (index >= node->clusters)
		return fail(vol, ERR_CORRUPT, "%s: cluster %u of a chain of %u", node->path, index,
			    node->clusters);
	if (node->seek_cluster == 0 || index < node->seek_index) {
		node->seek_index = 0;
		node->seek_cluster = node->stat.first_cluster;
	}
	while (node->seek_index < index) {
		r = follow(vol, node->path, node->seek_cluster, &next);
		if (r > 0)
			return fail(vol, ERR_CORRUPT,
				    "the chain of %s ends after %u clusters (it changed?)", node->path,
				    node->seek_index + 1);
		if (r < 0)
			return r;
		node->seek_index++;
		node->seek_cluster = next;
	}
	*cluster = node->seek_cluster;
	return 0;
}

/* ---- reading ---- */

static bool is_fixed_root(const struct fat_node *node)
{
	return node->stat.is_dir && node->stat.first_cluster == 0;
}

/* Bytes of sectors starting at lba, from byte skip of the first, into out. */
static int read_sectors(struct fat_volume *vol, uint32_t lba, uint32_t skip, uint8_t *out,
			uint32_t bytes)
{
	uint32_t n, whole;
	int err;

	if (skip != 0 || bytes < FAT_SECTOR_SIZE) {
		n = FAT_SECTOR_SIZE - skip < bytes ? FAT_SECTOR_SIZE - skip : bytes;
		err = load_sector(vol, lba);
		if (err)
			return err;
		LIB_NAME(memcpy)(out, vol->sector + skip, n);
		out += n;
		bytes -= n;
		lba++;
	}
	whole = bytes >> SECTOR_SHIFT;
	if (whole != 0) {
		err = source_read(vol, lba, whole, out);
		if (err)
			return err;
		out += whole << SECTOR_SHIFT;
		bytes -= whole << SECTOR_SHIFT;
		lba += whole;
	}
	if (bytes != 0) {
		err = load_sector(vol, lba);
		if (err)
			return err;
		LIB_NAME(memcpy)(out, vol->sector, bytes);
	}
	return 0;
}

/* the first FAT_READ_AHEAD_SECTORS of node's data, as far as its clusters lie in a
 * row, to the source's read_ahead */
static void read_ahead(struct fat_volume *vol, struct fat_node *node)
{
	uint32_t per_cluster = 1u << (vol->cluster_shift - SECTOR_SHIFT), cluster, next, clusters = 1;
	uint32_t want = (node->stat.size + FAT_SECTOR_SIZE - 1) >> SECTOR_SHIFT;
	uint64_t lba;

	if (!vol->src.read_ahead || !cluster_in_range(vol, node->stat.first_cluster))
		return;
	if (want > FAT_READ_AHEAD_SECTORS)
		want = FAT_READ_AHEAD_SECTORS;
	cluster = node->stat.first_cluster;
	while ((uint64_t)clusters * per_cluster < want && clusters < node->clusters &&
	       follow(vol, node->path, cluster, &next) == 0 && next == cluster + 1) {
		cluster = next;
		clusters++;
	}
	if ((uint64_t)clusters * per_cluster < want)
		want = clusters * per_cluster;
	lba = cluster_lba(vol, node->stat.first_cluster);
	if (lba < vol->src.sectors && want <= vol->src.sectors - lba)
		vol->src.read_ahead(vol->src.ctx, (uint32_t)lba, want);
}

int fat_read(struct fat_volume *vol, struct fat_node *node, uint32_t offset, void *buf, uint32_t len)
{
	uint32_t cluster_bytes = 1u << vol->cluster_shift, done = 0, cluster, within, rest, spans, run,
		 next;
	uint64_t run_bytes;
	int err;

	if (node->stat.is_dir)
		return fail(vol, ERR_ISDIR, "%s is a directory", node->path);
	if (offset >= node->stat.size)
		return 0;
	if (len > node->stat.size - offset)
		len = node->stat.size - offset;
	if (len > INT32_MAX)
		len = INT32_MAX;
	if (offset == 0)
		read_ahead(vol, node);
	while (done < len) {
		within = (offset + done) & (cluster_bytes - 1);
		err = seek(vol, node, (offset + done) >> vol->cluster_shift, &cluster);
		if (err)
			return err;
		/* gather the clusters after it that follow on the disk too */
		rest = len - done;
		spans = (uint32_t)(((uint64_t)within + rest - 1) >> vol->cluster_shift) + 1;
		for (run = 1; run < spans; run++) {
			err = follow(vol, node->path, node->seek_cluster, &next);
			if (err > 0)
				return fail(vol, ERR_CORRUPT, "the chain of %s ends early (it changed?)",
					    node->path);
			if (err < 0)
				return err;
			/* the walk moves on either way: a gap makes the next run's start */
			node->seek_index++;
			node->seek_cluster = next;
			if (next != cluster + run)
				break;
		}
		run_bytes = ((uint64_t)run << vol->cluster_shift) - within;
		if (run_bytes > rest)
			run_bytes = rest;
		err = read_sectors(vol, cluster_lba(vol, cluster) + (within >> SECTOR_SHIFT),
				   within & (FAT_SECTOR_SIZE - 1), (uint8_t *)buf + done,
				   (uint32_t)run_bytes);
		if (err)
			return err;
		done += (uint32_t)run_bytes;
	}
	return (int)done;
}

/* ---- directories ---- */

static uint32_t dir_entries(const struct fat_volume *vol, const struct fat_node *dir)
{
	if (is_fixed_root(dir))
		return vol->root_entries;
	return dir->clusters << (vol->cluster_shift - DIR_ENTRY_SHIFT);
}

/* Entry `index` of dir, in vol->sector; NULL past the directory's end. */
static int dir_entry(struct fat_volume *vol, struct fat_node *dir, uint32_t index, const uint8_t **entry)
{
	uint32_t offset = index << DIR_ENTRY_SHIFT, lba, cluster;
	int err;

	*entry = NULL;
	if (index >= dir_entries(vol, dir))
		return 0;
	if (is_fixed_root(dir)) {
		lba = vol->root_start + (offset >> SECTOR_SHIFT);
	} else {
		err = seek(vol, dir, offset >> vol->cluster_shift, &cluster);
		if (err)
			return err;
		lba = cluster_lba(vol, cluster) +
		      ((offset & ((1u << vol->cluster_shift) - 1)) >> SECTOR_SHIFT);
	}
	err = load_sector(vol, lba);
	if (err)
		return err;
	*entry = vol->sector + (offset & (FAT_SECTOR_SIZE - 1));
	return 0;
}

/* A long name as its entries arrive: the last part first, down to part 1, and then
 * the 8.3 entry they belong to (the checksum of its name in each). */
struct long_name {
	bool valid;
	uint8_t parts; /* as the first entry said */
	uint8_t next;  /* the order expected next; 0 once all arrived */
	uint8_t checksum;
};

static void gather_long_name(struct fat_volume *vol, struct long_name *ln, const uint8_t *e)
{
	/* where an entry's 13 units lie: 5 at byte 1, 6 at 14, 2 at 28 */
	static const uint8_t unit_offsets[FAT_LFN_UNITS] = { 1,  3,  5,  7,  9,  14, 16,
							     18, 20, 22, 24, 28, 30 };
	unsigned order = e[LFN_ORDER] & LFN_ORDER_MASK;

	if (e[LFN_ORDER] & LFN_LAST) {
		ln->valid = true;
		ln->parts = (uint8_t)order;
		ln->checksum = e[LFN_CHECKSUM];
	} else if (!ln->valid || order != ln->next || e[LFN_CHECKSUM] != ln->checksum) {
		ln->valid = false;
	}
	if (order == 0 || order > FAT_LFN_ENTRIES_MAX || e[LFN_TYPE] != 0)
		ln->valid = false;
	if (!ln->valid)
		return;
	for (unsigned i = 0; i < FAT_LFN_UNITS; i++)
		vol->long_name[(order - 1) * FAT_LFN_UNITS + i] = le16(e + unit_offsets[i]);
	ln->next = (uint8_t)(order - 1);
}

static uint8_t short_name_checksum(const uint8_t *name)
{
	uint8_t sum = 0;

	for (unsigned i = 0; i < DIR_NAME_LENGTH; i++)
		sum = (uint8_t)(((sum & 1) << 7) + (sum >> 1) + name[i]);
	return sum;
}

/* One character in UTF-8: a lead byte, then 6 bits in each continuation byte. */
static char *put_utf8(char *p, uint32_t code)
{
	static const uint8_t lead[UTF8_BYTES_MAX] = { 0x00, 0xC0, 0xE0, 0xF0 };
	unsigned more = code < UTF8_1_BYTE_END    ? 0
			: code < UTF8_2_BYTES_END ? 1
			: code < PLANE_1          ? 2
						  : 3;

	*p++ = (char)(lead[more] | code >> (UTF8_BITS * more));
	while (more-- > 0)
		*p++ = (char)(UTF8_CONTINUATION | (code >> (UTF8_BITS * more) & UTF8_BITS_MASK));
	return p;
}

/* The long name gathered in vol->long_name as UTF-8 in out (FAT_NAME_MAX bytes);
 * false when it is empty or too long. A pair of surrogates is one character beyond
 * UCS-2 (as Windows writes them); a lone one becomes '?'. */
static bool long_name_utf8(const struct fat_volume *vol, unsigned parts, char *out)
{
	const uint16_t *u = vol->long_name;
	unsigned length = 0, limit = parts * FAT_LFN_UNITS;
	uint32_t code;
	char *p = out;

	while (length < limit && u[length] != LFN_END)
		length++;
	if (length == 0 || length > FAT_LONG_NAME_UNITS)
		return false;
	for (unsigned i = 0; i < length; i++) {
		code = u[i];
		if (code >= SURROGATE_HIGH && code < SURROGATE_END) {
			if (code < SURROGATE_LOW && i + 1 < length && u[i + 1] >= SURROGATE_LOW &&
			    u[i + 1] < SURROGATE_END) {
				code = PLANE_1 + ((code - SURROGATE_HIGH) << SURROGATE_BITS) +
				       (u[i + 1] - SURROGATE_LOW);
				i++;
			} else {
				code = '?';
			}
		}
		p = put_utf8(p, code);
	}
	*p = '\0';
	return true;
}

/* Copies an 8.3 name part without its padding, lower-cased when asked. */
static char *name_part(char *out, const uint8_t *part, unsigned length, bool lower)
{
	while (length > 0 && part[length - 1] == ' ')
		length--;
	for (unsigned i = 0; i < length; i++) {
		char c = (char)part[i];
		*out++ = lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	return out;
}

/* "NAME.EXT" from a directory entry, in the NT case flags' case when nt_case. */
static void short_name(const uint8_t *e, char *out, bool nt_case)
{
	uint8_t base[DIR_BASE_LENGTH];
	char *p;

	LIB_NAME(memcpy)(base, e + DIR_NAME, sizeof base);
	if (base[0] == DIR_NAME_E5)
		base[0] = DIR_DELETED;
	p = name_part(out, base, DIR_BASE_LENGTH, nt_case && (e[DIR_NT_CASE] & NT_LOWER_BASE));
	if (e[DIR_NAME + DIR_BASE_LENGTH] != ' ') {
		*p++ = '.';
		p = name_part(p, e + DIR_NAME + DIR_BASE_LENGTH, DIR_EXT_LENGTH,
			      nt_case && (e[DIR_NT_CASE] & NT_LOWER_EXT));
	}
	*p = '\0';
}

static bool is_dot_entry(const uint8_t *e)
{
	return e[DIR_NAME] == '.' &&
	       (e[DIR_NAME + 1] == ' ' || (e[DIR_NAME + 1] == '.' && e[DIR_NAME + 2] == ' '));
}

/* The next entry of dir from *cursor on: 1 with entry filled, 0 at the end. */
static int next_entry(struct fat_volume *vol, struct fat_node *dir, uint32_t *cursor,
		      struct fat_dirent *entry, bool with_dots)
{
	struct long_name ln = { 0 };
	const uint8_t *e;
	int err;

	for (;;) {
		err = dir_entry(vol, dir, *cursor, &e);
		if (err)
			return err;
		if (e == NULL || e[DIR_NAME] == DIR_FREE_REST)
			return 0;
		(*cursor)++;
		if (e[DIR_NAME] == DIR_DELETED) {
			ln.valid = false;
		} else if ((e[DIR_ATTRIBUTES] & ATTR_LONG_NAME_MASK) == ATTR_LONG_NAME) {
			gather_long_name(vol, &ln, e);
		} else if ((e[DIR_ATTRIBUTES] & FAT_ATTR_VOLUME_ID) || (!with_dots && is_dot_entry(e))) {
			ln.valid = false;
		} else {
			break;
		}
	}
	entry->stat.attributes = e[DIR_ATTRIBUTES];
	entry->stat.is_dir = (e[DIR_ATTRIBUTES] & FAT_ATTR_DIRECTORY) != 0;
	entry->stat.size = entry->stat.is_dir ? 0 : le32(e + DIR_SIZE);
	entry->stat.first_cluster = le16(e + DIR_CLUSTER_LOW);
	if (vol->type == 32)
		entry->stat.first_cluster |= (uint32_t)le16(e + DIR_CLUSTER_HIGH) << 16;
	short_name(e, entry->short_name, false);
	if (!ln.valid || ln.next != 0 || ln.checksum != short_name_checksum(e + DIR_NAME) ||
	    !long_name_utf8(vol, ln.parts, entry->name))
		short_name(e, entry->name, true);
	return 1;
}

int fat_readdir(struct fat_volume *vol, struct fat_node *dir, uint32_t *cursor, struct fat_dirent *entry)
{
	if (!dir->stat.is_dir)
		return fail(vol, ERR_NOTDIR, "%s is not a directory", dir->path);
	return next_entry(vol, dir, cursor, entry, false);
}

/* ---- lookup ---- */

static bool same_name(const char *name, const char *component, size_t length)
{
	for (size_t i = 0; i < length; i++) {
		char a = name[i], b = component[i];

		if (a >= 'a' && a <= 'z')
			a = (char)(a - 'a' + 'A');
		if (b >= 'a' && b <= 'z')
			b = (char)(b - 'a' + 'A');
		if (a != b || a == '\0')
			return false;
	}
	return name[length] == '\0';
}

/* The node for an entry of parent, its chain checked. */
static int open_entry(struct fat_volume *vol, const struct fat_node *parent,
		      const struct fat_dirent *entry, struct fat_node *node)
{
	uint32_t size = entry->stat.size, needed;
	int r;

	if (entry->stat.is_dir && entry->stat.first_cluster == 0 &&
	    LIB_NAME(strcmp)(entry->short_name, "..") == 0) {
		*node = vol->root; /* a ".." entry says the root so */
		return 0;
	}
	LIB_NAME(memset)(node, 0, sizeof *node);
	node->stat = entry->stat;
	LIB_NAME(snprintf)(node->path, sizeof node->path, "%s%s%s", parent->path,
			   parent->path[1] == '\0' ? "" : "/", entry->name);
	if (entry->stat.is_dir) {
		if (entry->stat.first_cluster == 0)
			return fail(vol, ERR_CORRUPT, "directory %s has no cluster", node->path);
		r = check_chain(vol, node, DIR_ENTRIES_MAX >> (vol->cluster_shift - DIR_ENTRY_SHIFT));
		if (r == CHAIN_TOO_LONG)
			return fail(vol, ERR_CORRUPT, "directory %s is longer than %u entries",
				    node->path, DIR_ENTRIES_MAX);
		return r;
	}
	if (size == 0)
		return 0;
	if (entry->stat.first_cluster == 0)
		return fail(vol, ERR_CORRUPT, "%s has %u bytes but no cluster", node->path, size);
	needed = (size >> vol->cluster_shift) + ((size & ((1u << vol->cluster_shift) - 1)) != 0);
	r = check_chain(vol, node, needed);
	if (r == CHAIN_TOO_LONG)
		return fail(vol, ERR_CORRUPT,
			    "the chain of %s goes on past the %u clusters its %u bytes need", node->path,
			    needed, size);
	if (r == 0 && node->clusters < needed)
		return fail(vol, ERR_CORRUPT,
			    "the chain of %s ends after %u clusters, its %u bytes need %u", node->path,
			    node->clusters, size, needed);
	return r;
}

int fat_lookup_at(struct fat_volume *vol, const struct fat_node *dir, const char *path,
		  struct fat_node *node)
{
	struct fat_node here = path[0] == '/' || dir == NULL ? vol->root : *dir, child;
	struct fat_dirent entry;
	const char *end;
	size_t length;
	uint32_t cursor;
	bool dots;
	int r;

	for (;; path = end) {
		while (*path == '/')
			path++;
		if (*path == '\0')
			break;
		for (end = path; *end != '\0' && *end != '/'; end++)
			;
		length = (size_t)(end - path);
		if (!here.stat.is_dir)
			return fail(vol, ERR_NOTDIR, "%s is not a directory", here.path);
		dots = path[0] == '.' && (length == 1 || (length == 2 && path[1] == '.'));
		if (dots && (length == 1 || is_fixed_root(&here) ||
			     here.stat.first_cluster == vol->root.stat.first_cluster))
			continue; /* "." anywhere and ".." at the root stay */
		cursor = 0;
		while ((r = next_entry(vol, &here, &cursor, &entry, dots)) > 0) {
			if (same_name(entry.name, path, length) ||
			    same_name(entry.short_name, path, length))
				break;
		}
		if (r < 0)
			return r;
		if (r == 0)
			return fail(vol, ERR_NOENT, "no %.*s in %s",
				    length > FAT_NAME_MAX ? FAT_NAME_MAX : (int)length, path, here.path);
		r = open_entry(vol, &here, &entry, &child);
		if (r)
			return r;
		here = child;
	}
	*node = here;
	node->seek_cluster = 0;
	return 0;
}

int fat_lookup(struct fat_volume *vol, const char *path, struct fat_node *node)
{
	return fat_lookup_at(vol, NULL, path, node);
}

int fat_stat(struct fat_volume *vol, const char *path, struct fat_stat *stat)
{
	struct fat_node node;
	int err = fat_lookup(vol, path, &node);

	if (err)
		return err;
	*stat = node.stat;
	return 0;
}

/* ---- mount ---- */

static void read_label(struct fat_volume *vol, const uint8_t *label)
{
	unsigned length = LABEL_LENGTH;

	while (length > 0 && label[length - 1] == ' ')
		length--;
	for (unsigned i = 0; i < length; i++)
		vol->label[i] = label[i] >= ' ' && label[i] < 0x7F ? (char)label[i] : '?';
	vol->label[length] = '\0';
}

static unsigned log2_of(uint32_t power_of_two)
{
	unsigned shift = 0;

	while ((1u << shift) < power_of_two)
		shift++;
	return shift;
}

/* The BPB's numbers, checked one by one; fat_mount's first half. */
static int check_bpb(struct fat_volume *vol, const uint8_t *b)
{
	uint32_t bytes_per_sector = le16(b + BPB_BYTES_PER_SECTOR),
		 per_cluster = b[BPB_SECTORS_PER_CLUSTER];
	uint32_t reserved = le16(b + BPB_RESERVED_SECTORS), fats = b[BPB_FAT_COUNT],
		 media = b[BPB_MEDIA];
	uint32_t root_entries = le16(b + BPB_ROOT_ENTRIES), total = le16(b + BPB_TOTAL_SECTORS_16);
	uint32_t fat_sectors = le16(b + BPB_FAT_SECTORS_16), root_sectors, clusters, last, active = 0;
	bool fat32_layout = fat_sectors == 0;
	uint64_t metadata, fat_bytes;
	unsigned type;

	if (b[BOOT_SIGNATURE] != BOOT_SIGNATURE_0 || b[BOOT_SIGNATURE + 1] != BOOT_SIGNATURE_1)
		return fail(vol, ERR_CORRUPT, "bad BPB: no boot signature (55 AA) at byte %u",
			    BOOT_SIGNATURE);
	if (bytes_per_sector != FAT_SECTOR_SIZE)
		return fail(vol, ERR_CORRUPT, "bad BPB: %u bytes per sector (only %u is supported)",
			    bytes_per_sector, FAT_SECTOR_SIZE);
	if (per_cluster == 0 || (per_cluster & (per_cluster - 1)) != 0)
		return fail(vol, ERR_CORRUPT, "bad BPB: %u sectors per cluster, not a power of two",
			    per_cluster);
	if (reserved == 0)
		return fail(vol, ERR_CORRUPT, "bad BPB: no reserved sectors (the boot sector is one)");
	if (fats == 0 || fats > FAT_COUNT_MAX)
		return fail(vol, ERR_CORRUPT, "bad BPB: %u FATs (1 or %u expected)", fats,
			    FAT_COUNT_MAX);
	if (media != MEDIA_REMOVABLE && media < MEDIA_FIXED_MIN)
		return fail(vol, ERR_CORRUPT,
			    "bad BPB: media descriptor 0x%02X (F0 or F8 to FF expected)", media);
	if (total == 0)
		total = le32(b + BPB_TOTAL_SECTORS_32);
	if (total == 0)
		return fail(vol, ERR_CORRUPT, "bad BPB: a volume of 0 sectors");
	if (total > vol->src.sectors)
		return fail(vol, ERR_CORRUPT,
			    "bad BPB: volume of %u sectors larger than its device (%u)", total,
			    vol->src.sectors);
	if (fat32_layout)
		fat_sectors = le32(b + BPB32_FAT_SECTORS);
	if (fat_sectors == 0)
		return fail(vol, ERR_CORRUPT, "bad BPB: FATs of 0 sectors");
	root_sectors = (root_entries * DIR_ENTRY_SIZE + FAT_SECTOR_SIZE - 1) >> SECTOR_SHIFT;
	metadata = reserved + (uint64_t)fats * fat_sectors + root_sectors;
	if (metadata >= total)
		return fail(
			vol, ERR_CORRUPT,
			"bad BPB: %u reserved, %u FAT and %u root directory sectors leave no clusters in %u",
			reserved, fat_sectors, root_sectors, total);
	clusters = (total - (uint32_t)metadata) >> log2_of(per_cluster);
	type = clusters <= FAT12_CLUSTERS_MAX ? 12 : clusters <= FAT16_CLUSTERS_MAX ? 16 : 32;
	if (clusters == 0)
		return fail(vol, ERR_CORRUPT,
			    "bad BPB: no whole cluster after the FATs and root directory");
	if (type == 32 && !fat32_layout)
		return fail(vol, ERR_CORRUPT,
			    "bad BPB: %u clusters make FAT32, but the BPB is FAT12/16's", clusters);
	if (type != 32 && fat32_layout)
		return fail(vol, ERR_CORRUPT,
			    "bad BPB: FAT32's layout with %u clusters, too few for FAT32", clusters);
	if (type == 32) {
		if (clusters > FAT32_CLUSTERS_MAX)
			return fail(vol, ERR_CORRUPT, "bad BPB: %u clusters, more than FAT32 can number",
				    clusters);
		if (root_entries != 0)
			return fail(vol, ERR_CORRUPT,
				    "bad BPB: FAT32 with %u root directory entries (0 expected)",
				    root_entries);
		if (le16(b + BPB32_VERSION) != 0)
			return fail(vol, ERR_CORRUPT, "bad BPB: FAT32 version %u.%u (0.0 expected)",
				    b[BPB32_VERSION + 1], b[BPB32_VERSION]);
		if (b[BPB32_FLAGS] & FAT32_NO_MIRRORING)
			active = b[BPB32_FLAGS] & FAT32_ACTIVE_FAT;
		if (active >= fats)
			return fail(vol, ERR_CORRUPT, "bad BPB: active FAT %u of %u", active, fats);
	} else if (root_entries == 0) {
		return fail(vol, ERR_CORRUPT, "bad BPB: no root directory entries");
	}
	/* the FAT has entries for clusters 0 and 1 too; a 12-bit entry n starts at byte n * 1.5 */
	last = clusters + FIRST_CLUSTER - 1;
	fat_bytes = type == 12 ? (uint64_t)last + last / 2 + 2 : ((uint64_t)last + 1) * (type / 8);
	if (fat_bytes > (uint64_t)fat_sectors * FAT_SECTOR_SIZE)
		return fail(vol, ERR_CORRUPT, "bad BPB: FATs of %u sectors, too small for %u clusters",
			    fat_sectors, clusters);
	vol->type = type;
	vol->sectors = total;
	vol->clusters = clusters;
	vol->cluster_shift = SECTOR_SHIFT + log2_of(per_cluster);
	vol->fat_start = reserved + active * fat_sectors;
	vol->root_start = reserved + fats * fat_sectors;
	vol->root_entries = root_entries;
	vol->data_start = (uint32_t)metadata;
	if (type == 32)
		vol->root.stat.first_cluster = le32(b + BPB32_ROOT_CLUSTER) & FAT32_ENTRY_MASK;
	if (b[type == 32 ? BPB32_EXTENDED_SIGNATURE : BPB16_EXTENDED_SIGNATURE] == EXTENDED_SIGNATURE)
		read_label(vol, b + (type == 32 ? BPB32_LABEL : BPB16_LABEL));
	return 0;
}

int fat_mount(struct fat_volume *vol, const struct fat_source *src)
{
	int err;

	LIB_NAME(memset)(vol, 0, sizeof *vol);
	vol->src = *src;
	vol->root.stat.is_dir = true;
	vol->root.stat.attributes = FAT_ATTR_DIRECTORY;
	vol->root.path[0] = '/';
	if (src->sectors == 0)
		return fail(vol, ERR_CORRUPT, "bad BPB: the device is empty");
	err = load_sector(vol, 0);
	if (err)
		return err;
	err = check_bpb(vol, vol->sector);
	if (err)
		return err;
	if (vol->type != 32)
		return 0;
	err = check_chain(vol, &vol->root, DIR_ENTRIES_MAX >> (vol->cluster_shift - DIR_ENTRY_SHIFT));
	if (err == CHAIN_TOO_LONG)
		return fail(vol, ERR_CORRUPT, "the root directory is longer than %u entries",
			    DIR_ENTRIES_MAX);
	return err;
}
