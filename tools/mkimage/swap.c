/* swap.c: a swap partition of a disk image, in the standard Linux format. util-linux's
 * mkswap formats a scratch file of exactly the partition's size (mkswap before 2.39 has
 * no --offset), with the layout's label and fixed UUID so that every build writes the
 * same bytes; its header is then read back with the kernel's own parser
 * (kernel/vm/swap_header.c), so the build ships no swap area the kernel would refuse,
 * and the file is copied to the partition's place in the image. */
#include "mkimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK (64u * 1024) /* bytes copied at a time; all-zero chunks are skipped */

/* "564c534f-..." to its 16 bytes, as mkswap stores them (in the text's order) */
static void uuid_bytes(const char *text, uint8_t out[SWAP_UUID_SIZE])
{
	int n = 0;
	for (const char *q = text; *q && n < 2 * SWAP_UUID_SIZE; q++) {
		if (*q == '-')
			continue;
		int digit = *q <= '9' ? *q - '0' : (*q | 0x20) - 'a' + 10;
		if (n % 2 == 0)
			out[n / 2] = (uint8_t)(digit << 4);
		else
			out[n / 2] |= (uint8_t)digit;
		n++;
	}
}

/* mkswap on SCRATCH, which holds the partition's size of zeros */
static int run_mkswap(const char *mkswap, const char *scratch, const struct partition *p)
{
	char page_size[16];
	snprintf(page_size, sizeof page_size, "%u", SWAP_PAGE_SIZE);
	/* -p: the page size of the machine the swap is for, not of the one building it */
	const char *argv[12] = { mkswap, "-q", "-p", page_size, "-U", p->uuid };
	int n = 6;
	if (p->label[0]) {
		argv[n++] = "-L";
		argv[n++] = p->label;
	}
	argv[n++] = scratch;
	argv[n] = NULL;
	return run_tool(argv) ? -1 : 0;
}

/* What mkswap wrote is what the layout asked for and what the kernel reads */
static int check_header(const char *scratch, int fd, const struct partition *p, const char *title)
{
	static uint8_t page[SWAP_PAGE_SIZE];
	static struct swap_header_info info;
	char error[SWAP_ERROR_MAX];
	uint32_t pages = p->sectors / SWAP_PAGE_SECTORS;
	uint8_t uuid[SWAP_UUID_SIZE];
	struct stat st;

	if (fstat(fd, &st) < 0 || pread_all(fd, page, sizeof page, 0) < 0) {
		fprintf(stderr, "mkimage: %s: %s\n", scratch, strerror(errno));
		return -1;
	}
	if ((uint64_t)st.st_size != (uint64_t)p->sectors * SECTOR_BYTES) {
		fprintf(stderr,
			"mkimage: partition %s: mkswap left %lld bytes, the partition has %llu\n", title,
			(long long)st.st_size, (unsigned long long)p->sectors * SECTOR_BYTES);
		return -1;
	}
	if (swap_header_parse(page, pages, &info, error) < 0) {
		fprintf(stderr, "mkimage: partition %s: the kernel would refuse what mkswap made: %s\n",
			title, error);
		return -1;
	}
	uuid_bytes(p->uuid, uuid);
	if (info.last_page != pages - 1 || info.bad_pages || strcmp(info.label, p->label) ||
	    memcmp(info.uuid, uuid, sizeof uuid)) {
		fprintf(stderr,
			"mkimage: partition %s: mkswap wrote last_page %u, %u bad pages, label \"%s\"; the layout wants %u, 0, \"%s\" and UUID %s\n",
			title, info.last_page, info.bad_pages, info.label, pages - 1, p->label, p->uuid);
		return -1;
	}
	return 0;
}

/* The scratch file into the partition; the image is zero there already (ftruncate),
 * so chunks of zeros are left out and the image stays sparse */
static int copy_in(const char *scratch, int from, const char *image, int to, const struct partition *p)
{
	static uint8_t chunk[COPY_CHUNK], zeros[COPY_CHUNK];
	uint64_t size = (uint64_t)p->sectors * SECTOR_BYTES;
	uint64_t base = (uint64_t)p->lba * SECTOR_BYTES;

	for (uint64_t off = 0; off < size; off += COPY_CHUNK) {
		size_t n = size - off < COPY_CHUNK ? (size_t)(size - off) : COPY_CHUNK;
		if (pread_all(from, chunk, n, off) < 0) {
			fprintf(stderr, "mkimage: %s: %s\n", scratch, strerror(errno));
			return -1;
		}
		if (!memcmp(chunk, zeros, n))
			continue;
		if (pwrite_all(to, chunk, n, base + off) < 0) {
			fprintf(stderr, "mkimage: %s: %s\n", image, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int swap_format_partition(const char *image, int fd, const struct disk *d, const struct partition *p)
{
	char title[48], *scratch = NULL;
	partition_title(d, p, title, sizeof title);

	/* MKSWAP names another mkswap (a test's, one built from source) */
	const char *wanted = getenv("MKSWAP") && *getenv("MKSWAP") ? getenv("MKSWAP") : "mkswap";
	char *mkswap = find_tool(wanted);
	if (!mkswap) {
		fprintf(stderr,
			"mkimage: %s not found (on PATH, in /usr/sbin or /sbin): install util-linux "
			"(apt-get install util-linux) to make swap partition %s (layout line %d)\n",
			wanted, title, p->line);
		return -1;
	}
	int rc = -1, sfd = temp_beside(image, &scratch);
	if (sfd < 0) {
		fprintf(stderr, "mkimage: %s: cannot create a scratch file: %s\n", image,
			strerror(errno));
		free(mkswap);
		return -1;
	}
	/* a swap file is its owner's alone (mkswap warns otherwise) */
	if (fchmod(sfd, 0600) < 0 || ftruncate(sfd, (off_t)p->sectors * SECTOR_BYTES) < 0)
		fprintf(stderr, "mkimage: %s: %s\n", scratch, strerror(errno));
	else if (run_mkswap(mkswap, scratch, p) == 0 && check_header(scratch, sfd, p, title) == 0)
		rc = copy_in(scratch, sfd, image, fd, p);
	close(sfd);
	unlink(scratch);
	free(scratch);
	free(mkswap);
	return rc;
}
