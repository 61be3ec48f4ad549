/* syscall.c: int 0x80 (include/syscall.h). The number is in EAX, the
 * arguments in EBX, ECX, EDX, ESI and EDI; the result goes back in EAX.
 * Every pointer is checked against the caller's regions before the kernel
 * touches it (vm.c's copies), so a bad one is ERR_FAULT, never a fault. */
#include "proc.h"
#include "errors.h"
#include "lib.h"
#include "../arch/arch.h"
#include "../kernel.h"
#include "../mm/mm.h"

#define NS_PER_MS 1000000ull

typedef int32_t (*syscall_fn)(struct proc *p, const struct trap_frame *f);

static int32_t sys_exit(struct proc *p, const struct trap_frame *f)
{
	(void)p;
	proc_exit((int)(f->ebx & 0xFF));
}

static int32_t sys_read(struct proc *p, const struct trap_frame *f)
{
	return file_read(p, (int)f->ebx, f->ecx, f->edx);
}

static int32_t sys_write(struct proc *p, const struct trap_frame *f)
{
	return file_write(p, (int)f->ebx, f->ecx, f->edx);
}

static int copy_path(struct proc *p, char *path, uint32_t user_path)
{
	int len = vm_copy_string_in(&p->vm, path, user_path, PATH_MAX);
	return len < 0 ? len : 0;
}

static int32_t sys_open(struct proc *p, const struct trap_frame *f)
{
	char path[PATH_MAX];
	int err = copy_path(p, path, f->ebx);

	if (err < 0)
		return err;
	if (f->ecx != O_RDONLY)
		return ERR_INVAL;
	return file_open(p, path);
}

static int32_t sys_close(struct proc *p, const struct trap_frame *f)
{
	return file_close(p, (int)f->ebx);
}

static int32_t sys_stat(struct proc *p, const struct trap_frame *f)
{
	char path[PATH_MAX];
	struct vls_stat st;
	int err = copy_path(p, path, f->ebx);

	if (err < 0)
		return err;
	if (!vm_range_ok(&p->vm, f->ecx, sizeof st, true))
		return ERR_FAULT;
	err = file_stat(path, &st);
	return err < 0 ? err : vm_copy_out(&p->vm, f->ecx, &st, sizeof st);
}

static int32_t sys_readdir(struct proc *p, const struct trap_frame *f)
{
	static struct vls_dirent entry;

	if (!vm_range_ok(&p->vm, f->ecx, sizeof entry, true))
		return ERR_FAULT;
	int got = file_readdir(p, (int)f->ebx, &entry);
	if (got <= 0)
		return got;
	int err = vm_copy_out(&p->vm, f->ecx, &entry, sizeof entry);
	return err < 0 ? err : got;
}

static int32_t sys_sbrk(struct proc *p, const struct trap_frame *f)
{
	return vm_sbrk(&p->vm, (int32_t)f->ebx);
}

static int32_t sys_mmap(struct proc *p, const struct trap_frame *f)
{
	return vm_mmap(&p->vm, f->ebx, (int)f->ecx);
}

static int32_t sys_munmap(struct proc *p, const struct trap_frame *f)
{
	return vm_munmap(&p->vm, f->ebx, f->ecx);
}

static int32_t sys_getpid(struct proc *p, const struct trap_frame *f)
{
	(void)f;
	return p->pid;
}

/* The arguments are gathered into one kernel buffer of ARG_MAX bytes. */
static int32_t sys_spawn(struct proc *p, const struct trap_frame *f)
{
	char path[PATH_MAX];
	char *args[ARGS_MAX];
	unsigned nargs = 0;
	uint32_t used = 0;
	int err = copy_path(p, path, f->ebx);

	if (err < 0)
		return err;
	char *buffer = malloc(ARG_MAX);
	if (!buffer)
		return ERR_NOMEM;
	for (uint32_t at = f->ecx;; at += sizeof(uint32_t)) {
		uint32_t user_arg;
		if ((err = vm_copy_in(&p->vm, &user_arg, at, sizeof user_arg)) < 0)
			break;
		if (!user_arg)
			break;
		if (nargs == ARGS_MAX) {
			err = ERR_TOOBIG;
			break;
		}
		int len = vm_copy_string_in(&p->vm, buffer + used, user_arg, ARG_MAX - used);
		if (len < 0) {
			err = len;
			break;
		}
		args[nargs++] = buffer + used;
		used += (uint32_t)len + 1;
	}
	if (err == 0 && nargs == 0)
		err = ERR_INVAL; /* argv[0] is the program's name */
	if (err == 0)
		err = proc_spawn(p, path, args, nargs);
	free(buffer);
	return err;
}

static int32_t sys_wait(struct proc *p, const struct trap_frame *f)
{
	int status;

	if (f->ecx && !vm_range_ok(&p->vm, f->ecx, sizeof status, true))
		return ERR_FAULT;
	int pid = proc_wait((int)f->ebx, &status);
	if (pid < 0 || !f->ecx)
		return pid;
	int err = vm_copy_out(&p->vm, f->ecx, &status, sizeof status);
	return err < 0 ? err : pid;
}

static int32_t sys_kill(struct proc *p, const struct trap_frame *f)
{
	(void)p;
	return proc_kill((int)f->ebx);
}

static int32_t sys_yield(struct proc *p, const struct trap_frame *f)
{
	(void)p;
	(void)f;
	sched_yield();
	return 0;
}

static int32_t sys_sleep(struct proc *p, const struct trap_frame *f)
{
	uint64_t until = clock_ns() + f->ebx * NS_PER_MS;

	while (clock_ns() < until && !p->killed)
		sched_sleep(NULL, until);
	return 0;
}

static int32_t sys_uptime(struct proc *p, const struct trap_frame *f)
{
	uint64_t ns = clock_ns();
	return vm_copy_out(&p->vm, f->ebx, &ns, sizeof ns);
}

static void fill_meminfo(struct vls_meminfo *m)
{
	struct memory_accounting a;
	struct accounting_row rows[ACCOUNTING_ROWS_MAX];

	memset(m, 0, sizeof *m);
	memory_accounting(&a);
	m->usable = a.usable;
	m->rows = memory_accounting_rows(&a, rows);
	for (unsigned i = 0; i < m->rows && i < MEMINFO_ROWS_MAX; i++) {
		snprintf(m->row[i].name, MEMINFO_NAME_MAX, "%s", rows[i].name);
		m->row[i].bytes = rows[i].bytes;
	}
	m->zones = memory_zone_info(m->zone, MEMINFO_ZONES_MAX);
	struct kmem_cache *c = NULL;
	while ((c = slab_next_cache(c)) && m->caches < MEMINFO_CACHES_MAX) {
		struct kmem_cache_stats s;
		struct vls_cache_info *out = &m->cache[m->caches++];
		kmem_cache_stats(c, &s);
		snprintf(out->name, MEMINFO_NAME_MAX, "%s", s.name);
		out->object_size = (uint32_t)s.object_size;
		out->stride = (uint32_t)s.stride;
		out->objects_per_slab = (uint32_t)s.objects_per_slab;
		out->pages_per_slab = (uint32_t)s.pages_per_slab;
		out->inuse = (uint32_t)s.inuse;
		out->total = (uint32_t)s.total;
		out->in_magazines = (uint32_t)s.in_magazines;
		out->magazines = (uint32_t)s.magazines;
		out->slabs_full = (uint32_t)s.slabs_full;
		out->slabs_partial = (uint32_t)s.slabs_partial;
		out->slabs_empty = (uint32_t)s.slabs_empty;
		out->pages = (uint32_t)s.pages;
	}
}

static int32_t sys_meminfo(struct proc *p, const struct trap_frame *f)
{
	uint32_t size = f->ecx < sizeof(struct vls_meminfo) ? f->ecx : sizeof(struct vls_meminfo);

	if (!vm_range_ok(&p->vm, f->ebx, size, true))
		return ERR_FAULT;
	struct vls_meminfo *m = malloc(sizeof *m);
	if (!m)
		return ERR_NOMEM;
	fill_meminfo(m);
	int err = vm_copy_out(&p->vm, f->ebx, m, size);
	free(m);
	return err;
}

static const syscall_fn calls[SYS_CALLS] = {
	[SYS_EXIT] = sys_exit,       [SYS_READ] = sys_read,     [SYS_WRITE] = sys_write,
	[SYS_OPEN] = sys_open,       [SYS_CLOSE] = sys_close,   [SYS_STAT] = sys_stat,
	[SYS_READDIR] = sys_readdir, [SYS_SBRK] = sys_sbrk,     [SYS_MMAP] = sys_mmap,
	[SYS_MUNMAP] = sys_munmap,   [SYS_GETPID] = sys_getpid, [SYS_SPAWN] = sys_spawn,
	[SYS_WAIT] = sys_wait,       [SYS_KILL] = sys_kill,     [SYS_YIELD] = sys_yield,
	[SYS_SLEEP] = sys_sleep,     [SYS_UPTIME] = sys_uptime, [SYS_MEMINFO] = sys_meminfo,
};

void syscall_dispatch(struct trap_frame *frame)
{
	struct proc *p = proc_current();
	syscall_fn call = frame->eax < SYS_CALLS ? calls[frame->eax] : NULL;

	frame->eax = (uint32_t)(call ? call(p, frame) : ERR_NOSYS);
}

void syscall_init(void)
{
	trap_set_syscall_handler(syscall_dispatch);
}
