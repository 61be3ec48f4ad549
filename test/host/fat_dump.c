/* fat_dump.c: kernel/fs/fat.c on a FAT volume in an image file, for test_fat_mtools.sh
 * (and anyone curious about an image):
 *
 *   fat_dump IMAGE[@BYTE_OFFSET] mount         the FAT type and cluster count
 *   fat_dump IMAGE[@BYTE_OFFSET] list          every path, as mtools' "mdir -/ -b" has
 *                                              them: ::/DIR/ and ::/DIR/FILE
 *   fat_dump IMAGE[@BYTE_OFFSET] crc           "CRC32 SIZE PATH" for every file
 *   fat_dump IMAGE[@BYTE_OFFSET] extract DIR   the tree, copied under DIR
 *   fat_dump IMAGE[@BYTE_OFFSET] cat PATH      one file to stdout
 *   fat_dump IMAGE[@BYTE_OFFSET] stat PATH     "SIZE FIRST_CLUSTER ATTRIBUTES d|f"
 *
 * Files are read in chunks of changing sizes (1 byte to 100 KB), so that reads start
 * and end everywhere in sectors and clusters. Errors go to stderr as "fat_dump: "
 * and the reader's message; a walk goes on past a damaged file or directory and
 * exits 1 at its end. The volume's device is the file from BYTE_OFFSET to its end. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errors.h"
#include "lib.h"
#include "../../kernel/fs/fat.h"

#define SECTOR 512
#define DEPTH_MAX 32
#define HOST_PATH_MAX 4096

static const uint32_t chunk_sizes[] = { 1, 511, 4096, 513, 3, 100000, 512, 65536, 7, 2048, 1000 };

static struct fat_volume vol;
static int image_fd;
static off_t image_offset;
static int status;

static int file_read(void *ctx, uint32_t lba, uint32_t count, void *buf)
{
	size_t bytes = (size_t)count * SECTOR;
	ssize_t got;

	(void)ctx;
	got = pread(image_fd, buf, bytes, image_offset + (off_t)lba * SECTOR);
	return got == (ssize_t)bytes ? 0 : ERR_IO;
}

static void complain(const char *what)
{
	fprintf(stderr, "fat_dump: %s: %s\n", what, vol.error);
	status = 1;
}

/* Reads a whole file in changing chunks; each chunk goes to out (if any) and the CRC. */
static int read_file(struct fat_node *node, const char *path, FILE *out, uint32_t *crc)
{
	static uint8_t buf[100000];
	uint32_t offset = 0;
	unsigned k = 0;
	int got;

	*crc = 0;
	for (;;) {
		got = fat_read(&vol, node, offset, buf,
			       chunk_sizes[k++ % (sizeof chunk_sizes / sizeof chunk_sizes[0])]);
		if (got < 0) {
			complain(path);
			return -1;
		}
		if (got == 0)
			break;
		*crc = lib_crc32_update(*crc, buf, (size_t)got);
		if (out != NULL && fwrite(buf, 1, (size_t)got, out) != (size_t)got) {
			perror("fat_dump: write");
			exit(2);
		}
		offset += (uint32_t)got;
	}
	if (offset != node->stat.size) {
		fprintf(stderr, "fat_dump: %s: read %u of its %u bytes\n", path, offset,
			node->stat.size);
		status = 1;
	}
	return 0;
}

enum walk_mode { LIST, CRC, EXTRACT };

/* path: dir's whole path (a node keeps only FAT_PATH_MAX bytes of it, for messages) */
static void walk(struct fat_node *dir, const char *path, enum walk_mode mode, const char *host_dir,
		 int depth)
{
	struct fat_dirent entry;
	struct fat_node node;
	uint32_t cursor = 0, crc;
	char host_path[HOST_PATH_MAX], child[HOST_PATH_MAX];
	FILE *out;
	int r;

	if (depth > DEPTH_MAX) {
		fprintf(stderr, "fat_dump: %s: deeper than %d directories\n", dir->path, DEPTH_MAX);
		status = 1;
		return;
	}
	while ((r = fat_readdir(&vol, dir, &cursor, &entry)) == 1) {
		snprintf(child, sizeof child, "%s/%s", path, entry.name);
		if (fat_lookup_at(&vol, dir, entry.name, &node) != 0) {
			complain(child);
			continue;
		}
		snprintf(host_path, sizeof host_path, "%s/%s", host_dir, entry.name);
		if (node.stat.is_dir) {
			if (mode == LIST)
				printf("::%s/\n", child);
			if (mode == EXTRACT && mkdir(host_path, 0755) != 0 && errno != EEXIST) {
				perror(host_path);
				exit(2);
			}
			walk(&node, child, mode, host_path, depth + 1);
			continue;
		}
		if (mode == LIST) {
			printf("::%s\n", child);
			continue;
		}
		out = NULL;
		if (mode == EXTRACT && (out = fopen(host_path, "wb")) == NULL) {
			perror(host_path);
			exit(2);
		}
		if (read_file(&node, child, out, &crc) == 0 && mode == CRC)
			printf("%08x %u %s\n", crc, node.stat.size, child);
		if (out != NULL)
			fclose(out);
	}
	if (r < 0)
		complain(path[0] != '\0' ? path : "/");
}

static int usage(void)
{
	fprintf(stderr,
		"usage: fat_dump IMAGE[@BYTE_OFFSET] mount|list|crc|extract DIR|cat PATH|stat PATH\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct fat_source src = { .read = file_read };
	struct fat_node node;
	struct stat st;
	char *image, *at;
	const char *cmd;
	uint32_t crc;

	if (argc < 3)
		return usage();
	image = argv[1];
	cmd = argv[2];
	if ((at = strrchr(image, '@')) != NULL) {
		*at = '\0';
		image_offset = strtoll(at + 1, NULL, 0);
	}
	image_fd = open(image, O_RDONLY);
	if (image_fd < 0 || fstat(image_fd, &st) != 0) {
		perror(image);
		return 2;
	}
	src.sectors = st.st_size > image_offset ? (uint32_t)((st.st_size - image_offset) / SECTOR) : 0;
	if (fat_mount(&vol, &src) != 0) {
		complain("mount");
		return 1;
	}
	if (strcmp(cmd, "mount") == 0) {
		printf("FAT%u, %u clusters of %u bytes, label \"%s\"\n", vol.type, vol.clusters,
		       1u << vol.cluster_shift, vol.label);
	} else if (strcmp(cmd, "list") == 0 || strcmp(cmd, "crc") == 0) {
		walk(&vol.root, "", cmd[0] == 'l' ? LIST : CRC, "", 0);
	} else if (strcmp(cmd, "extract") == 0 && argc == 4) {
		walk(&vol.root, "", EXTRACT, argv[3], 0);
	} else if ((strcmp(cmd, "cat") == 0 || strcmp(cmd, "stat") == 0) && argc == 4) {
		if (fat_lookup(&vol, argv[3], &node) != 0) {
			complain(argv[3]);
		} else if (cmd[0] == 's') {
			printf("%u %u 0x%02x %c\n", node.stat.size, node.stat.first_cluster,
			       node.stat.attributes, node.stat.is_dir ? 'd' : 'f');
		} else if (node.stat.is_dir) {
			fprintf(stderr, "fat_dump: %s is a directory\n", node.path);
			status = 1;
		} else {
			read_file(&node, argv[3], stdout, &crc);
		}
	} else {
		return usage();
	}
	fflush(stdout);
	return status;
}
