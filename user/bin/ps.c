/* ps.c: PS: every process (zombies too) with its state and memory, from
 * SYS_PS. */
#include "ulib.h"

static const struct command ps_command = {
	.name = "ps",
	.usage = "PS",
	.about = "Every process: pid, parent, state, user pages mapped, page-table pages of its\n"
		 "own, regions, clock ticks it ran for, name.\n",
};

static const char *state_name(uint32_t state)
{
	switch (state) {
	case PROC_STATE_RUNNABLE: return "runnable";
	case PROC_STATE_SLEEPING: return "sleeping";
	case PROC_STATE_ZOMBIE: return "zombie";
	default: return "unknown";
	}
}

static struct vls_procinfo procs[PROC_MAX];

int main(int argc, char **argv)
{
	cmd_start_no_arguments(&ps_command, argc, argv);
	int count = sys_ps(procs, PROC_MAX);
	if (count < 0)
		cmd_fail("cannot list the processes: %s", error_name(count));

	printf("%5s %5s %-9s %6s %6s %7s %10s  %s\n", "pid", "ppid", "state", "pages", "tables",
	       "regions", "ticks", "name");
	for (int i = 0; i < count && i < PROC_MAX; i++) {
		const struct vls_procinfo *p = &procs[i];
		printf("%5d %5d %-9s %6u %6u %7u %10llu  %.*s\n", p->pid, p->ppid, state_name(p->state),
		       p->pages, p->table_pages, p->regions, (unsigned long long)p->ticks, PROC_NAME_MAX,
		       p->name);
	}
	return 0;
}
