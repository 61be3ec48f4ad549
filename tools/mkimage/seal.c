/* seal.c: `mkimage seal`: check KERNEL.BIN's header against the layout and
 * write the CRC-32 of the whole image (crc32 field as zero) into it; `mkimage
 * pack`: a sealed image packed (pack.c) into the KERNEL.BIN the build ships.
 * The same checks guard `mkimage build`, which refuses an unsealed kernel and
 * a packed one that does not unpack to a sealed one. */
#include "mkimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kernel_header.h"
#include "lib.h"
#include "pack.h"

#define CRC_OFF offsetof(struct kernel_header, crc32)

static int __attribute__((format(printf, 2, 3))) bad(const char *name, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mkimage: %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

int kernel_check_header(const struct layout *L, const char *name, const uint8_t *buf, size_t len)
{
	const struct region *k = layout_region(L, "kernel");
	if (!k)
		return bad(name, "the layout %s has no region kernel to check against", L->path);
	if (len < sizeof(struct kernel_header))
		return bad(name, "%zu bytes is too short for the %zu-byte kernel header", len,
			   sizeof(struct kernel_header));

	uint32_t magic = get32(buf + offsetof(struct kernel_header, magic));
	uint16_t version = get16(buf + offsetof(struct kernel_header, version));
	uint16_t hsize = get16(buf + offsetof(struct kernel_header, header_size));
	uint32_t load = get32(buf + offsetof(struct kernel_header, load_addr));
	uint32_t entry = get32(buf + offsetof(struct kernel_header, entry));
	uint32_t isize = get32(buf + offsetof(struct kernel_header, image_size));
	uint32_t bss = get32(buf + offsetof(struct kernel_header, bss_size));
	uint32_t resv = get32(buf + offsetof(struct kernel_header, reserved));

	if (magic != KERNEL_MAGIC)
		return bad(name, "bad magic 0x%08X, expected 0x%08X (\"VLSK\")", magic, KERNEL_MAGIC);
	if (version != KERNEL_HEADER_VERSION)
		return bad(name, "header version %u, expected %u", version, KERNEL_HEADER_VERSION);
	if (hsize != sizeof(struct kernel_header))
		return bad(name, "header_size %u, expected %zu", hsize, sizeof(struct kernel_header));
	if (resv != 0)
		return bad(name, "reserved field is 0x%08X, expected 0", resv);
	if (load != k->start)
		return bad(name, "load_addr 0x%08X is not REGION_KERNEL_START 0x%08X", load, k->start);
	if (isize != len)
		return bad(name, "image_size %u does not match the file's size %zu", isize, len);
	if (entry < (uint64_t)load + hsize || entry >= (uint64_t)load + isize)
		return bad(name, "entry 0x%08X is outside the image's code [0x%08llX, 0x%08llX)", entry,
			   (unsigned long long)load + hsize, (unsigned long long)load + isize);
	if ((uint64_t)isize + bss > k->size)
		return bad(
			name,
			"image_size %u + bss_size %u = %llu bytes exceeds REGION_KERNEL_SIZE %u (0x%X) by %llu: the kernel would reach 0x%08llX, past REGION_KERNEL_END 0x%08llX",
			isize, bss, (unsigned long long)isize + bss, k->size, k->size,
			(unsigned long long)isize + bss - k->size,
			(unsigned long long)load + isize + bss, (unsigned long long)k->end);
	return 0;
}

uint32_t kernel_crc(const uint8_t *buf, size_t len)
{
	static const uint8_t zero[4];
	uint32_t crc = LIB_NAME(crc32_update)(0, buf, CRC_OFF);
	crc = LIB_NAME(crc32_update)(crc, zero, sizeof zero);
	return LIB_NAME(crc32_update)(crc, buf + CRC_OFF + 4, len - CRC_OFF - 4);
}

int kernel_check_sealed(const struct layout *L, const char *name, const uint8_t *buf, size_t len)
{
	if (kernel_check_header(L, name, buf, len) < 0)
		return -1;
	uint32_t want = kernel_crc(buf, len), have = get32(buf + CRC_OFF);
	if (want != have)
		return bad(
			name,
			"not sealed or corrupt: crc32 field 0x%08X, the image's CRC-32 is 0x%08X (run mkimage seal)",
			have, want);
	return 0;
}

/* PATH's bytes (malloc'd), which CHECK passed; NULL, with the problem said, when
 * the file cannot be read or CHECK refuses it */
static uint8_t *read_kernel(const struct layout *L, const char *path, size_t *len,
			    int (*check)(const struct layout *, const char *, const uint8_t *, size_t))
{
	uint8_t *buf;
	if (slurp(path, &buf, len) < 0) {
		bad(path, "%s", strerror(errno));
		return NULL;
	}
	if (check(L, path, buf, *len) < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int cmd_seal(const struct layout *L, const char *path)
{
	size_t len;
	uint8_t *buf = read_kernel(L, path, &len, kernel_check_header);
	if (!buf)
		return 1;
	uint8_t field[4];
	put32(field, kernel_crc(buf, len));
	int same = !memcmp(field, buf + CRC_OFF, 4);
	free(buf);
	if (same)
		return 0; /* already sealed: leave the file and its timestamp alone */
	int fd = open(path, O_WRONLY);
	if (fd < 0 || pwrite_all(fd, field, 4, CRC_OFF) < 0 || close(fd) < 0) {
		bad(path, "cannot write the crc32 field: %s", strerror(errno));
		return 1;
	}
	return 0;
}

/* the packed header's fields, checked; the image unpacked into *IMAGE (malloc'd) */
static int unpack_file(const struct layout *L, const char *name, const uint8_t *buf, size_t len,
		       uint8_t **image, size_t *image_len)
{
	const struct region *k = layout_region(L, "kernel");
	const size_t head = sizeof(struct kernel_packed_header);
	if (!k)
		return bad(name, "the layout %s has no region kernel to check against", L->path);
	if (len < head)
		return bad(name, "%zu bytes is too short for the %zu-byte packed header", len, head);
	uint32_t isize = get32(buf + offsetof(struct kernel_packed_header, image_size));
	uint32_t ssize = get32(buf + offsetof(struct kernel_packed_header, stream_size));
	uint32_t resv = get32(buf + offsetof(struct kernel_packed_header, reserved));
	if (ssize != len - head)
		return bad(name, "the packed header says a stream of %u bytes, the file holds %zu",
			   ssize, len - head);
	if (resv != 0)
		return bad(name, "the packed header's reserved field is 0x%08X, expected 0", resv);
	/* stage 2 reads the file to the region's top and unpacks below it */
	if ((uint64_t)isize + len + sizeof(uint32_t) > k->size)
		return bad(
			name,
			"unpacks to %u bytes, which with the %zu-byte file exceed REGION_KERNEL_SIZE %u",
			isize, len, k->size);
	size_t at;
	*image = xmalloc(isize ? isize : 1);
	*image_len = isize;
	if (kernel_unpack(buf + head, ssize, *image, isize, &at) < 0) {
		free(*image);
		return bad(name, "the packed stream is damaged at byte %zu of %u", at, ssize);
	}
	return 0;
}

int kernel_check_file(const struct layout *L, const char *name, const uint8_t *buf, size_t len)
{
	if (len < sizeof(uint32_t) || get32(buf) != KERNEL_PACKED_MAGIC)
		return kernel_check_sealed(L, name, buf, len);
	uint8_t *image;
	size_t image_len;
	if (unpack_file(L, name, buf, len, &image, &image_len) < 0)
		return -1;
	int rc = kernel_check_sealed(L, name, image, image_len);
	free(image);
	return rc;
}

int cmd_pack(const struct layout *L, const char *in, const char *out)
{
	size_t len, head = sizeof(struct kernel_packed_header);
	uint8_t *buf = read_kernel(L, in, &len, kernel_check_sealed);
	if (!buf)
		return 1;
	uint8_t *file = xmalloc(head + kernel_pack_bound(len));
	size_t stream = kernel_pack(buf, len, file + head);
	put32(file + offsetof(struct kernel_packed_header, magic), KERNEL_PACKED_MAGIC);
	put32(file + offsetof(struct kernel_packed_header, image_size), (uint32_t)len);
	put32(file + offsetof(struct kernel_packed_header, stream_size), (uint32_t)stream);
	put32(file + offsetof(struct kernel_packed_header, reserved), 0);

	/* what stage 2 will do, done here first: the file must give the image back */
	uint8_t *image;
	size_t image_len;
	int rc = 1;
	if (unpack_file(L, out, file, head + stream, &image, &image_len) == 0) {
		if (image_len != len || memcmp(image, buf, len))
			bad(out, "unpacks to something other than %s (a packer bug)", in);
		else
			rc = 0;
		free(image);
	}
	char *tmp = NULL;
	if (rc == 0 && (write_temp(out, file, head + stream, &tmp) < 0 || rename(tmp, out) < 0)) {
		bad(out, "%s", strerror(errno));
		if (tmp)
			unlink(tmp);
		rc = 1;
	}
	free(tmp);
	free(file);
	free(buf);
	return rc;
}
