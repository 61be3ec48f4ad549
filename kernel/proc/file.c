/* file.c: a process's descriptors. 0, 1 and 2 start as the console (the
 * line discipline of dev/tty.c for reading, the screen and COM1 for writing);
 * open gives files and directories of the boot volume, read-only; pipe gives
 * the two ends of a 4 KiB pipe. A descriptor names a shared, counted file:
 * spawn hands the child every one its parent has, and dup2 copies one. */
#include "proc.h"
#include "errors.h"
#include "lib.h"
#include "../dev/dev.h"
#include "../fs/fat.h"
#include "../kernel.h"

#define CHUNK 512 /* bytes copied through the kernel's stack at a time */
#define PIPE_SIZE 4096

enum file_kind { FILE_CONSOLE, FILE_REGULAR, FILE_DIRECTORY, FILE_PIPE_READ, FILE_PIPE_WRITE };

struct pipe {
	char buf[PIPE_SIZE];
	uint32_t head, count;      /* buf[head] is the oldest byte */
	unsigned readers, writers; /* open ends */
};

struct file {
	enum file_kind kind;
	unsigned refs; /* descriptors naming it, in every process */
	struct fat_node node;
	uint32_t offset; /* a file's read position */
	uint32_t cursor; /* a directory's, for fat_readdir */
	struct pipe *pipe;
};

static struct file console = { .kind = FILE_CONSOLE }; /* never freed: refs not counted */
static int foreground;                                 /* the process Ctrl-C ends; 0: none */

/* ---- descriptors ---- */

void file_install_console(struct proc *p)
{
	p->fd[FD_STDIN] = p->fd[FD_STDOUT] = p->fd[FD_STDERR] = &console;
}

static struct file *get(struct file *f)
{
	f->refs++;
	return f;
}

void file_inherit(struct proc *child, const struct proc *parent)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		child->fd[fd] = parent->fd[fd] ? get(parent->fd[fd]) : NULL;
}

static struct file *file_of(struct proc *p, int fd)
{
	return fd >= 0 && fd < FD_MAX ? p->fd[fd] : NULL;
}

static void put(struct file *f)
{
	if (f == &console || --f->refs)
		return;
	if (f->pipe) {
		if (f->kind == FILE_PIPE_READ)
			f->pipe->readers--;
		else
			f->pipe->writers--;
		sched_wakeup(f->pipe); /* a reader sees the end, a writer the broken pipe */
		if (!f->pipe->readers && !f->pipe->writers)
			free(f->pipe);
	}
	free(f);
}

int file_close(struct proc *p, int fd)
{
	struct file *f = file_of(p, fd);

	if (!f)
		return ERR_BADF;
	p->fd[fd] = NULL;
	put(f);
	return 0;
}

void file_close_all(struct proc *p)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		file_close(p, fd);
}

static int free_fd(struct proc *p)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		if (!p->fd[fd])
			return fd;
	return ERR_AGAIN;
}

int file_dup2(struct proc *p, int fd, int to)
{
	struct file *f = file_of(p, fd);

	if (!f || to < 0 || to >= FD_MAX)
		return ERR_BADF;
	if (fd != to) {
		get(f);
		if (p->fd[to])
			file_close(p, to);
		p->fd[to] = f;
	}
	return to;
}

/* ---- paths: relative ones start at the process's directory ---- */

/* Appends the component [c, c + len) to out (of length *n), or goes up one for
 * "..", nothing for "." */
static int add_component(char *out, size_t *n, const char *c, size_t len)
{
	if (len == 1 && c[0] == '.')
		return 0;
	if (len == 2 && c[0] == '.' && c[1] == '.') {
		while (*n > 0 && out[*n - 1] != '/')
			(*n)--;
		if (*n > 0)
			(*n)--; /* the slash too; the root stays "" until the end */
		return 0;
	}
	if (*n + 1 + len >= PATH_MAX)
		return ERR_TOOBIG;
	out[(*n)++] = '/';
	memcpy(out + *n, c, len);
	*n += len;
	return 0;
}

int file_resolve(const struct proc *p, const char *path, char *out)
{
	size_t n = 0;
	int err = 0;

	for (int pass = path[0] == '/'; pass < 2 && err == 0; pass++) {
		const char *s = pass == 0 ? p->cwd : path;
		while (*s && err == 0) {
			while (*s == '/')
				s++;
			const char *end = s;
			while (*end && *end != '/')
				end++;
			if (end > s)
				err = add_component(out, &n, s, (size_t)(end - s));
			s = end;
		}
	}
	if (err < 0)
		return err;
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
	return 0;
}

/* A volume error is the volume's to name: the caller gets the code. */
static int lookup(const char *path, struct fat_node *node)
{
	struct fat_volume *vol = boot_volume();

	if (!vol)
		return ERR_NOENT;
	return fat_lookup(vol, path, node);
}

int file_chdir(struct proc *p, const char *path)
{
	char resolved[PATH_MAX];
	static struct fat_node node;
	int err = file_resolve(p, path, resolved);

	if (err == 0)
		err = lookup(resolved, &node);
	if (err == 0 && !node.stat.is_dir)
		err = ERR_NOTDIR;
	if (err == 0)
		memcpy(p->cwd, resolved, strlen(resolved) + 1);
	return err;
}

int file_open(struct proc *p, const char *path)
{
	char resolved[PATH_MAX];
	int fd = free_fd(p), err = file_resolve(p, path, resolved);

	if (err < 0)
		return err;
	if (fd < 0)
		return fd;
	struct file *f = calloc(1, sizeof *f);
	if (!f)
		return ERR_NOMEM;
	err = lookup(resolved, &f->node);
	if (err < 0) {
		free(f);
		return err;
	}
	f->kind = f->node.stat.is_dir ? FILE_DIRECTORY : FILE_REGULAR;
	p->fd[fd] = get(f);
	return fd;
}

int file_stat(const struct proc *p, const char *path, struct vls_stat *out)
{
	char resolved[PATH_MAX];
	static struct fat_node node;
	int err = file_resolve(p, path, resolved);

	if (err == 0)
		err = lookup(resolved, &node);
	if (err < 0)
		return err;
	out->size = node.stat.size;
	out->type = node.stat.is_dir ? VLS_TYPE_DIR : VLS_TYPE_FILE;
	return 0;
}

/* ---- pipes ---- */

int file_pipe(struct proc *p, int fds[2])
{
	int r = free_fd(p);
	if (r < 0)
		return r;
	p->fd[r] = &console; /* held while the second is found */
	int w = free_fd(p);
	p->fd[r] = NULL;
	if (w < 0)
		return w;
	struct pipe *pipe = calloc(1, sizeof *pipe);
	struct file *rf = calloc(1, sizeof *rf), *wf = calloc(1, sizeof *wf);
	if (!pipe || !rf || !wf) {
		free(pipe);
		free(rf);
		free(wf);
		return ERR_NOMEM;
	}
	rf->kind = FILE_PIPE_READ;
	wf->kind = FILE_PIPE_WRITE;
	rf->pipe = wf->pipe = pipe;
	pipe->readers = pipe->writers = 1;
	p->fd[r] = get(rf);
	p->fd[w] = get(wf);
	fds[0] = r;
	fds[1] = w;
	return 0;
}

static int pipe_read(struct proc *p, struct pipe *pipe, uint32_t user_buf, uint32_t len)
{
	char chunk[CHUNK];

	while (pipe->count == 0) {
		if (pipe->writers == 0)
			return 0;
		if (p->killed)
			return ERR_AGAIN;
		sched_sleep(pipe, 0);
	}
	uint32_t n = len < pipe->count ? len : pipe->count;
	n = n < CHUNK ? n : CHUNK;
	for (uint32_t i = 0; i < n; i++)
		chunk[i] = pipe->buf[(pipe->head + i) % PIPE_SIZE];
	int err = vm_copy_out(&p->vm, user_buf, chunk, n);
	if (err < 0)
		return err;
	pipe->head = (pipe->head + n) % PIPE_SIZE;
	pipe->count -= n;
	sched_wakeup(pipe);
	return (int)n;
}

static int pipe_write(struct proc *p, struct pipe *pipe, uint32_t user_buf, uint32_t len)
{
	char chunk[CHUNK];
	uint32_t done = 0;

	while (done < len) {
		if (pipe->readers == 0)
			return done ? (int)done : ERR_IO; /* nobody will read it: a broken pipe */
		if (p->killed)
			return done ? (int)done : ERR_AGAIN;
		uint32_t room = PIPE_SIZE - pipe->count;
		if (room == 0) {
			sched_sleep(pipe, 0);
			continue;
		}
		uint32_t n = len - done < room ? len - done : room;
		n = n < CHUNK ? n : CHUNK;
		int err = vm_copy_in(&p->vm, chunk, user_buf + done, n);
		if (err < 0)
			return err;
		for (uint32_t i = 0; i < n; i++)
			pipe->buf[(pipe->head + pipe->count + i) % PIPE_SIZE] = chunk[i];
		pipe->count += n;
		done += n;
		sched_wakeup(pipe);
	}
	return (int)done;
}

/* ---- the console ---- */

/* The line discipline's Ctrl-C: the foreground process ends */
static bool interrupt_foreground(void)
{
	return foreground && proc_interrupt(foreground) == 0;
}

static void line_ready(void)
{
	sched_wakeup(&console);
}

void file_console_init(void)
{
	tty_init(interrupt_foreground, line_ready);
}

int file_set_foreground(int pid)
{
	if (pid && !proc_by_pid(pid))
		return ERR_SRCH;
	foreground = pid;
	return 0;
}

static int console_read(struct proc *p, uint32_t user_buf, uint32_t len)
{
	char chunk[CHUNK];
	int n;

	if (!vm_range_ok(&p->vm, user_buf, len, true))
		return ERR_FAULT;
	if (len == 0)
		return 0;
	while ((n = tty_read(chunk, len < CHUNK ? len : CHUNK)) < 0) {
		if (p->killed)
			return ERR_AGAIN;
		sched_sleep(&console, 0);
	}
	int err = vm_copy_out(&p->vm, user_buf, chunk, (uint32_t)n);
	return err < 0 ? err : n;
}

/* ---- read, write, readdir ---- */

int file_read(struct proc *p, int fd, uint32_t user_buf, uint32_t len)
{
	struct file *f = file_of(p, fd);
	char chunk[CHUNK];
	uint32_t done = 0;

	if (!f || f->kind == FILE_PIPE_WRITE)
		return ERR_BADF;
	if (f->kind == FILE_CONSOLE)
		return console_read(p, user_buf, len);
	if (f->kind == FILE_DIRECTORY)
		return ERR_ISDIR;
	if (!vm_range_ok(&p->vm, user_buf, len, true))
		return ERR_FAULT;
	if (f->kind == FILE_PIPE_READ)
		return pipe_read(p, f->pipe, user_buf, len);
	while (done < len) {
		uint32_t want = len - done < CHUNK ? len - done : CHUNK;
		int got = fat_read(boot_volume(), &f->node, f->offset, chunk, want);
		if (got < 0)
			return done ? (int)done : got;
		if (got == 0)
			break;
		int err = vm_copy_out(&p->vm, user_buf + done, chunk, (uint32_t)got);
		if (err < 0)
			return err;
		f->offset += (uint32_t)got;
		done += (uint32_t)got;
	}
	return (int)done;
}

int file_write(struct proc *p, int fd, uint32_t user_buf, uint32_t len)
{
	struct file *f = file_of(p, fd);
	char chunk[CHUNK];

	if (!f || (f->kind != FILE_CONSOLE && f->kind != FILE_PIPE_WRITE))
		return ERR_BADF; /* the volume is read-only */
	if (!vm_range_ok(&p->vm, user_buf, len, false))
		return ERR_FAULT;
	if (len > INT32_MAX)
		return ERR_INVAL;
	if (f->kind == FILE_PIPE_WRITE)
		return pipe_write(p, f->pipe, user_buf, len);
	for (uint32_t done = 0; done < len;) {
		uint32_t n = len - done < CHUNK ? len - done : CHUNK;
		int err = vm_copy_in(&p->vm, chunk, user_buf + done, n);
		if (err < 0)
			return err;
		console_write(chunk, n);
		done += n;
	}
	return (int)len;
}

int file_readdir(struct proc *p, int fd, struct vls_dirent *out)
{
	struct file *f = file_of(p, fd);
	static struct fat_dirent entry; /* 1 KiB: not on a kernel stack of 8 */

	if (!f)
		return ERR_BADF;
	if (f->kind != FILE_DIRECTORY)
		return ERR_NOTDIR;
	int got = fat_readdir(boot_volume(), &f->node, &f->cursor, &entry);
	if (got <= 0)
		return got;
	snprintf(out->name, sizeof out->name, "%s", entry.name);
	out->size = entry.stat.size;
	out->type = entry.stat.is_dir ? VLS_TYPE_DIR : VLS_TYPE_FILE;
	return 1;
}
