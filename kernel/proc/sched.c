/* sched.c: round robin over the process table. A process runs until it
 * sleeps, yields, ends, or the tick finds another runnable one when it next
 * returns to ring 3 (the kernel itself is never preempted). The boot's own
 * stack is the idle context: when nothing can run, it halts the CPU with
 * interrupts on until the next interrupt, and sched_run returns once no
 * process is left. Switches go straight from one process to the next; the
 * idle context is switched to only when there is nothing to run. */
#include "proc.h"
#include "../arch/arch.h"
#include "../arch/tss.h"
#include "../kernel.h"

static struct proc *current; /* NULL: the idle context */
static uint32_t idle_esp;
static struct proc *finished; /* ended with nobody to wait: released once off its stack */
static volatile bool need_resched;
static int last_slot = -1;               /* where the round robin goes on from */
static uint64_t ticks_total, ticks_idle; /* since sched_init; idle: in the idle loop's hlt */

struct proc *proc_current(void)
{
	return current;
}

/* the next runnable process after the current one (or after the last run),
 * the current one last; NULL when none is runnable */
static struct proc *pick_next(void)
{
	int start = current ? proc_slot_of(current) : last_slot;

	for (int i = 1; i <= PROC_MAX; i++) {
		struct proc *p = proc_slot((start + i + PROC_MAX) % PROC_MAX);
		if (p->state == PROC_RUNNABLE)
			return p;
	}
	return NULL;
}

/* What the context switched to does first: release a process that ended
 * with nobody to wait for it, now that no one runs on its stack. */
void sched_finish_switch(void)
{
	if (finished && finished != current) {
		proc_release(finished);
		finished = NULL;
	}
}

static void switch_to(struct proc *next)
{
	struct proc *prev = current;
	uint32_t *save = prev ? &prev->esp : &idle_esp;

	current = next;
	if (next) {
		last_slot = proc_slot_of(next);
		tss_set_kernel_stack(next->kstack_top);
		paging_space_switch(next->vm.space);
		arch_switch(save, next->esp);
	} else {
		arch_switch(save, idle_esp);
	}
	sched_finish_switch();
}

/* the current process stops running for now (it has set its state) */
static void run_another(void)
{
	struct proc *next = pick_next();

	if (next != current)
		switch_to(next);
}

void sched_yield(void)
{
	need_resched = false;
	run_another();
}

void sched_sleep(const void *channel, uint64_t wake_ns)
{
	current->state = PROC_SLEEPING;
	current->channel = channel;
	current->wake_ns = wake_ns;
	run_another();
}

void sched_wake(struct proc *p)
{
	if (p->state == PROC_SLEEPING) {
		p->state = PROC_RUNNABLE;
		p->channel = NULL;
		p->wake_ns = 0;
	}
}

void sched_wakeup(const void *channel)
{
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *p = proc_slot(i);
		if (p->state == PROC_SLEEPING && p->channel == channel)
			sched_wake(p);
	}
}

void sched_exit_current(void)
{
	if (!current->parent)
		finished = current;
	run_another();
	panic("sched: an ended process ran again");
}

/* The tick, in IRQ 0: sleepers whose time has come wake, and the running
 * process gives way at its next return to ring 3 when another can run. */
static void tick(void)
{
	uint64_t now = clock_ns();

	ticks_total++;
	if (current)
		current->ticks++;
	else
		ticks_idle++;
	for (int i = 0; i < PROC_MAX; i++) {
		struct proc *p = proc_slot(i);
		if (p->state == PROC_SLEEPING && p->wake_ns && p->wake_ns <= now)
			sched_wake(p);
	}
	need_resched = true;
}

void sched_user_return(struct trap_frame *frame)
{
	(void)frame;
	if (need_resched)
		sched_yield();
	if (current->killed)
		proc_exit(current->kill_status);
}

void sched_init(void)
{
	pit_set_tick_hook(tick);
	trap_set_user_return(sched_user_return);
}

void sched_run(void)
{
	for (;;) {
		struct proc *next = pick_next();
		if (next) {
			switch_to(next);
			continue;
		}
		if (proc_count() == 0)
			return;
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	}
}

void sched_ticks(uint64_t *total, uint64_t *idle)
{
	*total = ticks_total;
	*idle = ticks_idle;
}

void sched_add(struct proc *p)
{
	p->state = PROC_RUNNABLE;
}
