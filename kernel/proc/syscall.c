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
#include "../mm/page.h"
#include "../dev/dev.h"
#include "../vm/reclaim.h"
#include "../vm/text.h"
#include "boot_info.h"

#define NS_PER_MS 1000000ull
#define CHUNK_MAX 512         /* bytes copied through the kernel's stack at a time */
#define LEAKS_MAX (64 * 1024) /* the leak report's text, at most */

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
	err = file_stat(p, path, &st);
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
	char resolved[PATH_MAX];
	if (err == 0)
		err = file_resolve(p, path, resolved);
	if (err == 0)
		err = proc_spawn(p, resolved, args, nargs);
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

/* A: the accounting as it was before the call took its buffer */
static void fill_meminfo(struct vls_meminfo *m, const struct memory_accounting *a)
{
	struct accounting_row rows[ACCOUNTING_ROWS_MAX];

	memset(m, 0, sizeof *m);
	m->usable = a->usable;
	m->rows = memory_accounting_rows(a, rows);
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
	/* The rows are taken before the buffer below: its 5 KiB come from
	 * kmalloc's spans, which may have to take a fresh 64 KiB span for it, and
	 * a caller comparing free memory before and after some work (UTESTS)
	 * would see this call's own buffer as a leak. */
	struct memory_accounting a;
	memory_accounting(&a);
	struct vls_meminfo *m = malloc(sizeof *m);
	if (!m)
		return ERR_NOMEM;
	fill_meminfo(m, &a);
	int err = vm_copy_out(&p->vm, f->ebx, m, size);
	free(m);
	return err;
}

static int32_t sys_vmstat(struct proc *p, const struct trap_frame *f)
{
	uint32_t size = f->ecx < sizeof(struct vls_vmstat) ? f->ecx : sizeof(struct vls_vmstat);
	struct vls_vmstat v;
	struct reclaim_stats r;
	struct swap_stats s;
	struct memory_accounting a;
	struct text_stats t;

	reclaim_stats(&r);
	swap_stats(&s);
	memory_accounting(&a);
	text_stats(&t);
	v = (struct vls_vmstat){ .free_bytes = user_frames_free_bytes(),
				 .user_bytes = a.user,
				 .low_frames = RECLAIM_LOW_FRAMES,
				 .high_frames = RECLAIM_HIGH_FRAMES,
				 .minor_faults = r.minor_faults,
				 .major_faults = r.major_faults,
				 .minor_cycles = r.minor_cycles,
				 .major_cycles = r.major_cycles,
				 .swap_outs = r.swap_outs,
				 .dropped_clean = r.dropped_clean,
				 .scans = r.scans,
				 .sweeps = r.sweeps,
				 .spared = r.spared,
				 .reclaims = r.reclaims,
				 .oom = r.oom,
				 .swap_devices = s.devices,
				 .swap_slots = s.slots,
				 .swap_used = s.used,
				 .swap_bad = s.bad,
				 .swap_reads = s.reads,
				 .swap_writes = s.writes,
				 .swap_read_errors = s.read_errors,
				 .swap_write_errors = s.write_errors,
				 .text_images = t.images,
				 .text_pages = t.cached_pages,
				 .text_reads = t.reads,
				 .text_shares = t.shares };
	return vm_copy_out(&p->vm, f->ebx, &v, size);
}

/* ---- the console's commands ---- */

static int32_t sys_ps(struct proc *self, const struct trap_frame *f)
{
	struct vls_procinfo info;
	uint32_t max = f->ecx, n = 0;

	if (max > PROC_MAX)
		max = PROC_MAX;
	if (!vm_range_ok(&self->vm, f->ebx, max * sizeof info, true))
		return ERR_FAULT;
	for (int i = 0; i < PROC_MAX && n < max; i++) {
		const struct proc *p = proc_slot(i);
		if (p->state == PROC_FREE)
			continue;
		memset(&info, 0, sizeof info);
		info.pid = p->pid;
		info.ppid = p->parent ? p->parent->pid : 0;
		info.state = p->state == PROC_RUNNABLE   ? PROC_STATE_RUNNABLE
			     : p->state == PROC_SLEEPING ? PROC_STATE_SLEEPING
							 : PROC_STATE_ZOMBIE;
		memcpy(info.name, p->name, sizeof info.name);
		info.pages = p->vm.pages;
		info.swapped = p->vm.swapped;
		info.table_pages = vm_table_pages(&p->vm);
		info.regions = p->vm.count;
		info.ticks = p->ticks;
		int err = vm_copy_out(&self->vm, f->ebx + n * sizeof info, &info, sizeof info);
		if (err < 0)
			return err;
		n++;
	}
	return (int32_t)n;
}

/* pid 0: the caller */
static struct proc *target(struct proc *self, int pid)
{
	struct proc *p = pid ? proc_by_pid(pid) : self;
	return p && p->state != PROC_ZOMBIE ? p : NULL;
}

static int32_t sys_vmmap(struct proc *self, const struct trap_frame *f)
{
	struct proc *p = target(self, (int)f->ebx);
	struct vls_region r;
	uint32_t max = f->edx < VM_REGIONS_MAX ? f->edx : VM_REGIONS_MAX, n = 0;

	if (!p)
		return ERR_SRCH;
	if (!vm_range_ok(&self->vm, f->ecx, max * sizeof r, true))
		return ERR_FAULT;
	for (unsigned i = 0; i < p->vm.count && n < max; i++) {
		if (vm_describe(&p->vm, i, &r) < 0)
			continue; /* an empty heap */
		int err = vm_copy_out(&self->vm, f->ecx + n * sizeof r, &r, sizeof r);
		if (err < 0)
			return err;
		n++;
	}
	return (int32_t)n;
}

static int32_t sys_v2p(struct proc *self, const struct trap_frame *f)
{
	struct proc *p = target(self, (int)f->ebx);
	struct vls_walk w;

	if (!p)
		return ERR_SRCH;
	if (!vm_range_ok(&self->vm, f->edx, sizeof w, true))
		return ERR_FAULT;
	vm_walk(&p->vm, f->ecx, &w);
	return vm_copy_out(&self->vm, f->edx, &w, sizeof w);
}

#define KREAD_MAX 4096

/* kernel memory, read through the kernel's own mapping: every page of the
 * range must be mapped in it (the user part is refused: that is vmmap's) */
static int32_t sys_kread(struct proc *self, const struct trap_frame *f)
{
	uint32_t addr = f->ebx, len = f->edx;

	if (len > KREAD_MAX)
		return ERR_INVAL;
	if (!vm_range_ok(&self->vm, f->ecx, len, true))
		return ERR_FAULT;
	if ((uint64_t)addr + len > 0x100000000ull)
		return ERR_RANGE;
	for (uint64_t a = addr & ~(uint64_t)(PAGE_SIZE - 1); a < (uint64_t)addr + len; a += PAGE_SIZE)
		if (vm_is_user_address((uint32_t)a) || virt_to_phys((uint32_t)a) == PAGING_NOT_MAPPED)
			return ERR_NOTMAPPED;
	/* a copy from the heap, not .bss, which must leave a 900 KiB kernel room
	 * below the heap (test_big_kernel.sh) */
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return ERR_NOMEM;
	memcpy(copy, (const void *)addr, len);
	int err = vm_copy_out(&self->vm, f->ecx, copy, len);
	free(copy);
	return err < 0 ? err : (int32_t)len;
}

#define LOW_MEMORY_END 0x100000u /* physread's limit: the BIOS's first MiB */

static int32_t sys_physread(struct proc *self, const struct trap_frame *f)
{
	uint32_t phys = f->ebx, len = f->edx, done = 0;

	if ((uint64_t)phys + len > LOW_MEMORY_END)
		return ERR_RANGE;
	if (!vm_range_ok(&self->vm, f->ecx, len, true))
		return ERR_FAULT;
	while (done < len) {
		uint32_t at = phys + done, in_page = PAGE_SIZE - (at & (PAGE_SIZE - 1));
		uint32_t n = len - done < in_page ? len - done : in_page;
		/* through a kmap slot: page 0 (the IVT) is not mapped at its address */
		const uint8_t *page = paging_kmap_slot(KMAP_PHYSREAD, at & ~(PAGE_SIZE - 1));
		uint8_t copy[CHUNK_MAX];
		for (uint32_t part = 0; part < n; part += CHUNK_MAX) {
			uint32_t m = n - part < CHUNK_MAX ? n - part : CHUNK_MAX;
			memcpy(copy, page + (at & (PAGE_SIZE - 1)) + part, m);
			int err = vm_copy_out(&self->vm, f->ecx + done + part, copy, m);
			if (err < 0)
				return err;
		}
		done += n;
	}
	return (int32_t)done;
}

static int32_t sys_bootlog(struct proc *self, const struct trap_frame *f)
{
	const char *text;
	uint32_t n = console_boot_report(f->ebx, &text);

	if (n > f->edx)
		n = f->edx;
	int err = vm_copy_out(&self->vm, f->ecx, text, n);
	return err < 0 ? err : (int32_t)n;
}

static int32_t sys_bootinfo(struct proc *self, const struct trap_frame *f)
{
	uint32_t size = f->ecx < sizeof(struct boot_info) ? f->ecx : sizeof(struct boot_info);
	return vm_copy_out(&self->vm, f->ebx, proc_boot_info(), size);
}

/* memdebug's leak report, printed into the caller's buffer */
static char *leak_text;
static uint32_t leak_len, leak_max;

static void leak_sink(const char *s, size_t n)
{
	for (size_t i = 0; i < n && leak_len < leak_max; i++)
		leak_text[leak_len++] = s[i];
}

static int32_t sys_leaks(struct proc *self, const struct trap_frame *f)
{
	uint32_t len = f->ecx < LEAKS_MAX ? f->ecx : LEAKS_MAX;

	if (!memdebug_enabled())
		return ERR_NOSYS;
	if (!vm_range_ok(&self->vm, f->ebx, len, true))
		return ERR_FAULT;
	leak_text = malloc(len ? len : 1);
	if (!leak_text)
		return ERR_NOMEM;
	leak_len = 0;
	leak_max = len;
	kprintf_set_output(leak_sink);
	memdebug_leak_report("live allocations");
	kprintf_set_output(console_write);
	int err = vm_copy_out(&self->vm, f->ebx, leak_text, leak_len);
	free(leak_text);
	return err < 0 ? err : (int32_t)leak_len;
}

static int32_t sys_chdir(struct proc *p, const struct trap_frame *f)
{
	char path[PATH_MAX];
	int err = copy_path(p, path, f->ebx);

	return err < 0 ? err : file_chdir(p, path);
}

static int32_t sys_getcwd(struct proc *p, const struct trap_frame *f)
{
	uint32_t len = (uint32_t)strlen(p->cwd);

	if (f->ecx < len + 1)
		return ERR_RANGE;
	int err = vm_copy_out(&p->vm, f->ebx, p->cwd, len + 1);
	return err < 0 ? err : (int32_t)len;
}

static int32_t sys_pipe(struct proc *p, const struct trap_frame *f)
{
	int fds[2];

	if (!vm_range_ok(&p->vm, f->ebx, sizeof fds, true))
		return ERR_FAULT;
	int err = file_pipe(p, fds);
	if (err < 0)
		return err;
	err = vm_copy_out(&p->vm, f->ebx, fds, sizeof fds);
	if (err < 0) {
		file_close(p, fds[0]);
		file_close(p, fds[1]);
	}
	return err;
}

static int32_t sys_setfg(struct proc *p, const struct trap_frame *f)
{
	(void)p;
	return file_set_foreground((int)f->ebx);
}

static int32_t sys_dup2(struct proc *p, const struct trap_frame *f)
{
	return file_dup2(p, (int)f->ebx, (int)f->ecx);
}

static const syscall_fn calls[SYS_CALLS] = {
	[SYS_EXIT] = sys_exit,
	[SYS_READ] = sys_read,
	[SYS_WRITE] = sys_write,
	[SYS_OPEN] = sys_open,
	[SYS_CLOSE] = sys_close,
	[SYS_STAT] = sys_stat,
	[SYS_READDIR] = sys_readdir,
	[SYS_SBRK] = sys_sbrk,
	[SYS_MMAP] = sys_mmap,
	[SYS_MUNMAP] = sys_munmap,
	[SYS_GETPID] = sys_getpid,
	[SYS_SPAWN] = sys_spawn,
	[SYS_WAIT] = sys_wait,
	[SYS_KILL] = sys_kill,
	[SYS_YIELD] = sys_yield,
	[SYS_SLEEP] = sys_sleep,
	[SYS_UPTIME] = sys_uptime,
	[SYS_MEMINFO] = sys_meminfo,
	[SYS_PS] = sys_ps,
	[SYS_VMMAP] = sys_vmmap,
	[SYS_V2P] = sys_v2p,
	[SYS_KREAD] = sys_kread,
	[SYS_PHYSREAD] = sys_physread,
	[SYS_BOOTLOG] = sys_bootlog,
	[SYS_BOOTINFO] = sys_bootinfo,
	[SYS_LEAKS] = sys_leaks,
	[SYS_CHDIR] = sys_chdir,
	[SYS_GETCWD] = sys_getcwd,
	[SYS_PIPE] = sys_pipe,
	[SYS_SETFG] = sys_setfg,
	[SYS_DUP2] = sys_dup2,
	[SYS_VMSTAT] = sys_vmstat,
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
