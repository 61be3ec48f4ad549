/* kill.c: KILL PID...: ends each process (SYS_KILL); its parent's wait then
 * gives STATUS_KILLED. */
#include "ulib.h"

static const struct command kill_command = {
	.name = "kill",
	.usage = "KILL PID...",
	.about = "Ends each process named (ps lists them); its parent sees the status KILLED.\n",
};

static struct vls_procinfo table[PROC_MAX];

static bool is_live(int pid, int count)
{
	for (int i = 0; i < count; i++)
		if (table[i].pid == pid)
			return table[i].state != PROC_STATE_ZOMBIE;
	return false;
}

int main(int argc, char **argv)
{
	cmd_start(&kill_command, argc, argv);
	if (argc < 2)
		cmd_bad("which process? a pid is needed");
	/* every pid is checked, against the process table as ps sees it, before
	 * any process is ended: KILL 5 99 with no 99 ends nothing */
	int count = sys_ps(table, PROC_MAX);
	if (count < 0)
		cmd_bad("cannot read the process table: %s", error_name(count));
	for (int i = 1; i < argc; i++) {
		uint32_t pid = cmd_number(argv[i], "pid");
		if (pid == 0 || pid > INT32_MAX)
			cmd_bad("pid %s is not a process's (pids start at 1)", argv[i]);
		if (!is_live((int)pid, count))
			cmd_bad("no process has pid %u", (unsigned)pid);
	}
	int status = 0;
	for (int i = 1; i < argc; i++) {
		int pid = (int)cmd_number(argv[i], "pid");
		int err = sys_kill(pid);
		if (err == ERR_SRCH)
			cmd_bad("no process has pid %d", pid);
		if (err < 0) {
			cmd_warn("cannot end process %d: %s", pid, error_name(err));
			status = 1;
		}
	}
	return status;
}
