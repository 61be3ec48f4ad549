/* proc.c: the process table, and the life of a process: spawned from a
 * program on the boot volume, ended by exit, a fault or kill, reaped by its
 * parent's wait. Processes are made by spawn, not fork: a new program gets a
 * new address space, so nothing of the parent's is copied (docs/processes.md
 * says why). */
#include "proc.h"
#include "../vm/swap.h"
#include "errors.h"
#include "lib.h"
#include "../arch/arch.h"
#include "../kernel.h"

#define EFLAGS_IF 0x200u
#define EFLAGS_RESERVED 0x2u

static struct proc table[PROC_MAX];
static int next_pid = 1;
static unsigned live; /* processes that have not ended */
static int init_pid, init_status;

struct proc *proc_slot(int slot)
{
	return &table[slot];
}

int proc_slot_of(const struct proc *p)
{
	return (int)(p - table);
}

unsigned proc_count(void)
{
	return live;
}

struct proc *proc_by_pid(int pid)
{
	for (int i = 0; i < PROC_MAX; i++)
		if (table[i].state != PROC_FREE && table[i].pid == pid)
			return &table[i];
	return NULL;
}

/* the file name of path, lower-cased: what messages call the process */
static void name_from_path(char *name, const char *path)
{
	const char *base = path;

	for (const char *c = path; *c; c++)
		if (*c == '/')
			base = c + 1;
	unsigned i = 0;
	for (; base[i] && base[i] != '.' && i < PROC_NAME_MAX - 1; i++)
		name[i] = (base[i] >= 'A' && base[i] <= 'Z') ? (char)(base[i] - 'A' + 'a') : base[i];
	name[i] = '\0';
}

/* A new process starts where every return to ring 3 ends, at trap_return,
 * on a frame that enters the program; arch_switch gets there through here. */
static void __attribute__((noreturn)) first_entry(void)
{
	struct proc *p = proc_current();

	sched_finish_switch();
	__asm__ volatile("mov %0, %%esp\n\t"
			 "jmp trap_return"
			 :
			 : "r"(p->kstack_top - sizeof(struct trap_frame))
			 : "memory");
	__builtin_unreachable();
}

/* The kernel stack a switch to a new process finds: arch_switch's four
 * saved registers and its return into first_entry, above them the frame. */
static void build_first_stack(struct proc *p, uint32_t entry, uint32_t user_esp)
{
	struct trap_frame *f = (struct trap_frame *)(p->kstack_top - sizeof(struct trap_frame));
	uint32_t user_data = SEL_USER_DATA | RPL_USER;

	memset(f, 0, sizeof *f);
	f->ds = f->es = f->fs = f->gs = f->user_ss = user_data;
	f->cs = SEL_USER_CODE | RPL_USER;
	f->eip = entry;
	f->eflags = EFLAGS_IF | EFLAGS_RESERVED;
	f->user_esp = user_esp;
	uint32_t *sp = (uint32_t *)f;
	*--sp = 0;                     /* first_entry's return address: it never returns */
	*--sp = (uint32_t)first_entry; /* arch_switch's ret */
	*--sp = 0;                     /* ebp */
	*--sp = 0;                     /* ebx */
	*--sp = 0;                     /* esi */
	*--sp = 0;                     /* edi */
	p->esp = (uint32_t)sp;
}

void proc_release(struct proc *p)
{
	if (p->kstack_slot >= 0)
		kstack_free(p->kstack_slot);
	memset(p, 0, sizeof *p);
	p->state = PROC_FREE;
	p->kstack_slot = -1;
}

int proc_spawn(struct proc *parent, const char *path, char *const *args, unsigned nargs)
{
	struct proc *p = NULL;
	uint32_t entry, esp;

	for (int i = 0; i < PROC_MAX && !p; i++)
		if (table[i].state == PROC_FREE)
			p = &table[i];
	if (!p)
		return ERR_AGAIN;
	memset(p, 0, sizeof *p);
	p->kstack_slot = -1;
	int err = vm_create(&p->vm);
	if (err == 0)
		err = loader_load(&p->vm, path, args, nargs, &entry, &esp);
	if (err == 0) {
		p->kstack_slot = kstack_alloc(&p->kstack_top);
		if (p->kstack_slot < 0)
			err = p->kstack_slot;
	}
	if (err < 0) {
		vm_destroy(&p->vm);
		proc_release(p);
		return err;
	}
	p->pid = next_pid++;
	name_from_path(p->name, path);
	p->parent = parent;
	build_first_stack(p, entry, esp);
	if (parent) {
		file_inherit(p, parent);
		memcpy(p->cwd, parent->cwd, sizeof p->cwd);
	} else {
		file_install_console(p);
		snprintf(p->cwd, sizeof p->cwd, "/");
	}
	live++;
	sched_add(p);
	return p->pid;
}

void proc_exit(int status)
{
	struct proc *p = proc_current();

	file_close_all(p);
	vm_destroy(&p->vm);
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *child = &table[i];
		if (child->state == PROC_FREE || child->parent != p)
			continue;
		child->parent = NULL;
		if (child->state == PROC_ZOMBIE)
			proc_release(child);
	}
	p->status = status;
	p->state = PROC_ZOMBIE;
	if (p->pid == init_pid)
		init_status = status;
	live--;
	if (p->parent)
		sched_wakeup(p->parent);
	sched_exit_current();
}

int proc_wait(int pid, int *status)
{
	struct proc *self = proc_current();

	for (;;) {
		bool any = false;
		for (int i = 0; i < PROC_MAX; i++) {
			struct proc *child = &table[i];
			if (child->state == PROC_FREE || child->parent != self ||
			    (pid != -1 && child->pid != pid))
				continue;
			any = true;
			if (child->state != PROC_ZOMBIE)
				continue;
			int found = child->pid;
			*status = child->status;
			proc_release(child);
			return found;
		}
		if (!any)
			return ERR_CHILD;
		if (self->killed)
			return ERR_AGAIN; /* it ends on its way out */
		sched_sleep(self, 0);
	}
}

static int end_process(int pid, int status)
{
	struct proc *p = proc_by_pid(pid);

	if (!p || p->state == PROC_ZOMBIE)
		return ERR_SRCH;
	p->killed = true;
	p->kill_status = status;
	sched_wake(p);
	return 0;
}

int proc_kill(int pid)
{
	return end_process(pid, STATUS_KILLED);
}

int proc_interrupt(int pid)
{
	return end_process(pid, STATUS_INTERRUPTED);
}

void proc_init(void)
{
	for (int i = 0; i < PROC_MAX; i++)
		table[i].kstack_slot = -1;
	sched_init();
	syscall_init();
	fault_init();
	file_console_init();
}

static const struct boot_info *boot_info_copy;

const struct boot_info *proc_boot_info(void)
{
	return boot_info_copy;
}

#define INIT_DEFAULT "/BIN/SH" /* the shell, on the screen and COM1 */
#define INIT_ARGS_MAX 16

/* init= takes the rest of the command line: the program, then its arguments */
void proc_run_init(const struct boot_info *bi)
{
	static char line[BOOT_CMDLINE_MAX];
	char *args[INIT_ARGS_MAX];
	unsigned nargs = 0;
	const char *rest = cmdline_rest(bi, "init=");

	boot_info_copy = bi; /* the boot_info page is kept from the allocator (memory.c) */

	snprintf(line, sizeof line, "%s", rest ? rest : INIT_DEFAULT);
	for (char *c = line; *c && nargs < INIT_ARGS_MAX;) {
		while (*c == ' ')
			*c++ = '\0';
		if (!*c)
			break;
		args[nargs++] = c;
		while (*c && *c != ' ')
			c++;
	}
	if (nargs == 0)
		panic("init= names no program");
	int pid = proc_spawn(NULL, args[0], args, nargs);
	init_pid = pid;
	if (pid < 0)
		panic("cannot start init %s: %s", args[0], error_name(pid));
	boot_stamp("kernel: init loaded");
	sched_run();
	uint64_t total, idle;
	sched_ticks(&total, &idle);
	kprintf("All processes have ended (init's status %d): halting.\n", init_status);
	kprintf("Idle: halted for %llu of the %llu ticks the processes took\n", (unsigned long long)idle,
		(unsigned long long)total);
	if (swap_present()) { /* and every slot */
		struct swap_stats swap;
		swap_stats(&swap);
		kprintf("Swap: %u of %u slots in use, %u marked bad\n", swap.used, swap.slots, swap.bad);
	}
	report_memory_accounting(); /* every frame of theirs is back */
	qemu_exit_if_asked(init_status == 0);
	arch_halt_forever();
}
