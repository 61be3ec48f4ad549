/* kill.c: KILL PID...: ends each process (SYS_KILL); its parent's wait then
 * gives STATUS_KILLED. */
#include "ulib.h"

static const struct command kill_command = {
	.name = "kill",
	.usage = "KILL PID...",
	.about = "Ends each process named (ps lists them); its parent sees the status KILLED.\n",
};

int main(int argc, char **argv)
{
	cmd_start(&kill_command, argc, argv);
	if (argc < 2)
		cmd_bad("which process? a pid is needed");
	/* every pid is checked before any process is ended */
	for (int i = 1; i < argc; i++) {
		uint32_t pid = cmd_number(argv[i], "pid");
		if (pid == 0 || pid > INT32_MAX)
			cmd_bad("pid %s is not a process's (pids start at 1)", argv[i]);
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
