/* proc.h: processes. Each runs in ring 3 in an address space of its own
 * (vm.c), with a kernel stack of its own (kstack.c) for its traps and system
 * calls, and is switched preemptively, round robin on the tick (sched.c).
 * The kernel is not preemptible: its code runs with interrupts off, and a
 * process that must wait sleeps, letting the next one run; with nothing to
 * run the CPU halts until the next interrupt. docs/processes.md describes it. */
#ifndef VLSOS_PROC_H
#define VLSOS_PROC_H

#include <stdbool.h>
#include <stdint.h>

#include "syscall.h"
#include "../vm/vm.h"

struct trap_frame;
struct file;
struct boot_info;

enum proc_state {
	PROC_FREE,     /* an unused slot */
	PROC_RUNNABLE, /* waiting for the CPU, or on it (proc_current) */
	PROC_SLEEPING, /* on a wait channel, a timer or both */
	PROC_ZOMBIE,   /* ended; its parent has not waited yet */
};

struct proc {
	int pid;
	enum proc_state state;
	char name[PROC_NAME_MAX];
	struct proc *parent; /* NULL: nobody will wait (its parent ended) */
	int status;          /* wait's status, once a zombie */
	bool killed;         /* ends with kill_status at its next return to ring 3 */
	int kill_status;
	uint32_t esp;        /* saved by arch_switch while it is not running */
	uint32_t kstack_top; /* ESP0 */
	int kstack_slot;     /* kstack.c's */
	struct vm_space vm;
	struct file *fd[FD_MAX];
	const void *channel; /* what it sleeps on (NULL: only a timer) */
	uint64_t wake_ns;    /* sleeping with a timer: when to wake (0: none) */
	uint64_t ticks;      /* ticks it was running for */
	char cwd[PATH_MAX];  /* where relative paths start: canonical, absolute */
};

/* kstack.c: kernel stacks in the kernel area, each with an unmapped page
 * below it, so an overflow faults instead of running into another stack */
#define KSTACK_PAGES 2
int kstack_alloc(uint32_t *top); /* its slot, or ERR_NOMEM / ERR_AGAIN */
void kstack_free(int slot);

/* proc.c */
void proc_init(void);
/* Starts the first process from the command line's init= (else /BIN/INIT),
 * then runs the processes until the last has ended; says so and halts (the
 * test kernel leaves QEMU: passed when init's status is 0). */
void proc_run_init(const struct boot_info *bi) __attribute__((noreturn));
struct proc *proc_current(void);
const struct boot_info *proc_boot_info(void); /* the loader's hand-off, for SYS_BOOTINFO */
/* a new process running path with args (argv[0] included, strings in kernel
 * memory), its parent `parent`: its pid or a negative ERR_* */
int proc_spawn(struct proc *parent, const char *path, char *const *args, unsigned nargs);
void proc_exit(int status) __attribute__((noreturn));
int proc_wait(int pid, int *status);
int proc_kill(int pid);
int proc_interrupt(int pid); /* Ctrl-C: ends with STATUS_INTERRUPTED */
unsigned proc_count(void);   /* processes that have not ended */
struct proc *proc_by_pid(int pid);
struct proc *proc_slot(int slot); /* the table's entries, 0 to PROC_MAX - 1 */
int proc_slot_of(const struct proc *p);
void proc_release(struct proc *p); /* an ended process's kernel stack and slot */

/* sched.c */
void sched_init(void);
void sched_add(struct proc *p);                          /* runnable from now */
void sched_yield(void);                                  /* the next runnable process, if any, runs */
void sched_sleep(const void *channel, uint64_t wake_ns); /* until woken, or the time */
void sched_wakeup(const void *channel);
void sched_wake(struct proc *p); /* this one, whatever it sleeps on */
/* this process ended: never runs again; its kernel stack is freed once off it */
void sched_exit_current(void) __attribute__((noreturn));
/* the boot's own context becomes the idle loop: runs processes until none
 * is left, then returns */
void sched_run(void);
void sched_user_return(struct trap_frame *frame);
void sched_finish_switch(void);
void sched_ticks(uint64_t *total, uint64_t *idle);
/* ticks since processes began, and idle ones */ /* first thing after a switch (a new process's too) */

/* fault.c: exceptions from ring 3 */
void fault_init(void);

/* syscall.c */
void syscall_init(void);
void syscall_dispatch(struct trap_frame *frame);

/* file.c: descriptors: the console, files and directories of the boot
 * volume (read-only), pipes; paths relative to a process's directory */
void file_console_init(void);
int file_set_foreground(int pid); /* Ctrl-C ends it; 0: none */
void file_install_console(struct proc *p);
void file_inherit(struct proc *child, const struct proc *parent);
void file_close_all(struct proc *p);
int file_open(struct proc *p, const char *path);
int file_close(struct proc *p, int fd);
int file_dup2(struct proc *p, int fd, int to);
int file_pipe(struct proc *p, int fds[2]);
int file_read(struct proc *p, int fd, uint32_t user_buf, uint32_t len);
int file_write(struct proc *p, int fd, uint32_t user_buf, uint32_t len);
int file_readdir(struct proc *p, int fd, struct vls_dirent *out);
int file_stat(const struct proc *p, const char *path, struct vls_stat *out);
int file_chdir(struct proc *p, const char *path);
/* path made absolute (from p's directory) and canonical ("." and ".." gone)
 * in out (PATH_MAX bytes): 0 or ERR_TOOBIG */
int file_resolve(const struct proc *p, const char *path, char *out);

/* loader.c: the program at path into a new space, with args on its stack */
int loader_load(struct vm_space *vm, const char *path, char *const *args, unsigned nargs,
		uint32_t *entry, uint32_t *esp);

#endif
