/* file.c: a process's descriptors. 0, 1 and 2 are the console (reading the
 * keyboard and COM1 through dev/input.c, writing to the screen and COM1);
 * open gives files and directories of the boot volume, read-only. */
#include "proc.h"
#include "errors.h"
#include "lib.h"
#include "../dev/dev.h"
#include "../fs/fat.h"
#include "../kernel.h"

#define CHUNK 512 /* bytes copied through the kernel's stack at a time */

enum file_kind { FILE_CONSOLE, FILE_REGULAR, FILE_DIRECTORY };

struct file {
	enum file_kind kind;
	struct fat_node node;
	uint32_t offset; /* a file's read position */
	uint32_t cursor; /* a directory's, for fat_readdir */
};

static struct file console = { .kind = FILE_CONSOLE };

void file_install_console(struct proc *p)
{
	p->fd[FD_STDIN] = p->fd[FD_STDOUT] = p->fd[FD_STDERR] = &console;
}

static struct file *file_of(struct proc *p, int fd)
{
	return fd >= 0 && fd < FD_MAX ? p->fd[fd] : NULL;
}

int file_close(struct proc *p, int fd)
{
	struct file *f = file_of(p, fd);

	if (!f)
		return ERR_BADF;
	p->fd[fd] = NULL;
	if (f != &console)
		free(f);
	return 0;
}

void file_close_all(struct proc *p)
{
	for (int fd = 0; fd < FD_MAX; fd++)
		file_close(p, fd);
}

/* A volume error is the volume's to name: the caller gets the code. */
static int lookup(const char *path, struct fat_node *node)
{
	struct fat_volume *vol = boot_volume();

	if (!vol)
		return ERR_NOENT;
	return fat_lookup(vol, path, node);
}

int file_open(struct proc *p, const char *path)
{
	int fd = 0;

	while (fd < FD_MAX && p->fd[fd])
		fd++;
	if (fd == FD_MAX)
		return ERR_AGAIN;
	struct file *f = calloc(1, sizeof *f);
	if (!f)
		return ERR_NOMEM;
	int err = lookup(path, &f->node);
	if (err < 0) {
		free(f);
		return err;
	}
	f->kind = f->node.stat.is_dir ? FILE_DIRECTORY : FILE_REGULAR;
	p->fd[fd] = f;
	return fd;
}

int file_stat(const char *path, struct vls_stat *out)
{
	struct fat_node node;
	int err = lookup(path, &node);

	if (err < 0)
		return err;
	out->size = node.stat.size;
	out->type = node.stat.is_dir ? VLS_TYPE_DIR : VLS_TYPE_FILE;
	return 0;
}

/* The console's read waits for the first byte and then takes what has come. */
static int console_read(struct proc *p, uint32_t user_buf, uint32_t len)
{
	char chunk[CHUNK];
	uint32_t n = 0;
	int c;

	if (!vm_range_ok(&p->vm, user_buf, len, true))
		return ERR_FAULT;
	if (len == 0)
		return 0;
	while ((c = input_get()) < 0) {
		if (p->killed)
			return ERR_AGAIN;
		sched_sleep(&console, 0);
	}
	do
		chunk[n++] = (char)c;
	while (n < len && n < CHUNK && (c = input_get()) >= 0);
	int err = vm_copy_out(&p->vm, user_buf, chunk, n);
	return err < 0 ? err : (int)n;
}

static void input_arrived(void)
{
	sched_wakeup(&console);
}

int file_read(struct proc *p, int fd, uint32_t user_buf, uint32_t len)
{
	struct file *f = file_of(p, fd);
	char chunk[CHUNK];
	uint32_t done = 0;

	if (!f)
		return ERR_BADF;
	if (f->kind == FILE_CONSOLE) {
		input_set_notify(input_arrived);
		return console_read(p, user_buf, len);
	}
	if (f->kind == FILE_DIRECTORY)
		return ERR_ISDIR;
	if (!vm_range_ok(&p->vm, user_buf, len, true))
		return ERR_FAULT;
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

	if (!f || f->kind != FILE_CONSOLE)
		return ERR_BADF; /* the volume is read-only */
	if (!vm_range_ok(&p->vm, user_buf, len, false))
		return ERR_FAULT;
	if (len > INT32_MAX)
		return ERR_INVAL;
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
