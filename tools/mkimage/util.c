/* util.c: files, temp files, running tools, little-endian fields. */
#include "mkimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p) {
		fprintf(stderr, "mkimage: out of memory\n");
		exit(1);
	}
	return p;
}

char *path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = xmalloc(a + b + 2);
	memcpy(p, dir, a);
	size_t n = a;
	if (a && dir[a - 1] != '/')
		p[n++] = '/';
	memcpy(p + n, name, b + 1);
	return p;
}

int make_dirs(const char *dir)
{
	char *p = path_join(dir, "");
	int r = 0;
	for (char *q = p + 1; *q && r == 0; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			r = -1;
		*q = '/';
	}
	free(p);
	return r;
}

int slurp(const char *path, uint8_t **buf, size_t *len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	struct stat st;
	int e = 0;
	if (fstat(fd, &st) < 0)
		e = errno;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	else if (!S_ISREG(st.st_mode))
		e = EINVAL;
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	size_t n = (size_t)st.st_size;
	uint8_t *p = xmalloc(n);
	if (pread_all(fd, p, n, 0) < 0) {
		int e = errno;
		free(p);
		close(fd);
		errno = e;
		return -1;
	}
	close(fd);
	*buf = p;
	*len = n;
	return 0;
}

int temp_beside(const char *path, char **tmp)
{
	const char *slash = strrchr(path, '/');
	size_t dl = slash ? (size_t)(slash - path + 1) : 0;
	const char *base = path + dl;
	size_t n = dl + strlen(base) + 16;
	char *t = xmalloc(n);
	snprintf(t, n, "%.*s.%s.tmpXXXXXX", (int)dl, path, base);
	int fd = mkstemp(t);
	if (fd < 0) {
		int e = errno;
		free(t);
		errno = e;
		return -1;
	}
	fchmod(fd, 0644);
	*tmp = t;
	return fd;
}

int write_temp(const char *path, const void *buf, size_t len, char **tmp)
{
	int fd = temp_beside(path, tmp);
	if (fd < 0) {
		fprintf(stderr, "mkimage: %s: cannot create a temp file: %s\n", path, strerror(errno));
		return -1;
	}
	if (pwrite_all(fd, buf, len, 0) < 0 || close(fd) < 0) {
		fprintf(stderr, "mkimage: %s: %s\n", *tmp, strerror(errno));
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
		return -1;
	}
	return 0;
}

int same_content(const char *path, const void *buf, size_t len)
{
	uint8_t *old;
	size_t n;
	if (slurp(path, &old, &n) < 0)
		return 0;
	int same = n == len && !memcmp(old, buf, len);
	free(old);
	return same;
}

char *find_tool(const char *name)
{
	if (strchr(name, '/'))
		return access(name, X_OK) == 0 ? path_join("", name) : NULL;
	const char *path = getenv("PATH");
	/* the system tools of util-linux live in sbin, which a user's PATH may leave out */
	size_t n = (path ? strlen(path) : 0) + sizeof ":/usr/sbin:/sbin";
	char *dirs = xmalloc(n), *found = NULL;
	snprintf(dirs, n, "%s:/usr/sbin:/sbin", path ? path : "");
	for (char *dir = strtok(dirs, ":"); dir && !found; dir = strtok(NULL, ":")) {
		char *candidate = path_join(dir, name);
		if (access(candidate, X_OK) == 0)
			found = candidate;
		else
			free(candidate);
	}
	free(dirs);
	return found;
}

int run_tool(const char *const argv[])
{
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0) {
		perror("mkimage: fork");
		return -1;
	}
	if (pid == 0) {
		/* mtools talks on stdout too; keep our stdout for our own use */
		dup2(2, 1);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "mkimage: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("mkimage: waitpid");
			return -1;
		}
	int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (rc) {
		fprintf(stderr, "mkimage: command failed (status %d):", rc);
		for (int i = 0; argv[i]; i++)
			fprintf(stderr, " %s", argv[i]);
		fprintf(stderr, "\n");
	}
	return rc;
}

uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}
uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n, len -= (size_t)n, off += (uint64_t)n;
	}
	return 0;
}

int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = EIO; /* file shorter than expected */
			return -1;
		}
		p += n, len -= (size_t)n, off += (uint64_t)n;
	}
	return 0;
}
