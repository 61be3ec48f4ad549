/* vmmap.c: VMMAP [PID]: a process's regions with their permissions as
 * mapped and how many of their pages have a frame now, from SYS_VMMAP. */
#include "ulib.h"

static const struct command vmmap_command = {
	.name = "vmmap",
	.usage = "VMMAP [PID]",
	.about = "The regions of process PID (without it: vmmap's own): start-end, size, kind,\n"
		 "permissions as the page tables give them (x is the absence of NX, so every\n"
		 "readable page is x on a CPU without NX) and the pages present of the total.\n",
};

#define PAGE_SIZE 4096u
#define REGIONS_MAX 64 /* more than a process has: program segments, heap, mmaps, stack */

static const char *kind_name(uint32_t kind)
{
	switch (kind) {
	case VLS_REGION_PROGRAM: return "program";
	case VLS_REGION_HEAP: return "heap";
	case VLS_REGION_MMAP: return "mmap";
	case VLS_REGION_STACK: return "stack";
	default: return "unknown";
	}
}

int main(int argc, char **argv)
{
	cmd_start(&vmmap_command, argc, argv);
	if (argc > 2)
		cmd_bad("one pid at most");
	int pid = 0;
	if (argc == 2) {
		uint32_t n = cmd_number(argv[1], "pid");
		if (n == 0 || n > INT32_MAX)
			cmd_bad("pid %s is not a process's (pids start at 1)", argv[1]);
		pid = (int)n;
	}
	/* from the heap: so vmmap's own map shows one */
	struct vls_region *regions = malloc(REGIONS_MAX * sizeof(*regions));
	if (!regions)
		cmd_fail("no memory for %u regions", REGIONS_MAX);
	int count = sys_vmmap(pid, regions, REGIONS_MAX);
	if (count == ERR_SRCH)
		cmd_bad("no process has pid %d", pid);
	if (count < 0)
		cmd_fail("cannot read the regions: %s", error_name(count));

	printf("%-21s %10s %-8s %-5s %s\n", "start-end", "size", "kind", "perms", "present/pages");
	for (int i = 0; i < count && i < REGIONS_MAX; i++) {
		const struct vls_region *r = &regions[i];
		char size[HUMAN_SIZE_LEN];
		uint32_t pages = (r->end - r->start + PAGE_SIZE - 1) / PAGE_SIZE;
		printf("%08x-%08x %10s %-8s %c%c%c   %u/%u\n", r->start, r->end,
		       human_size(r->end - r->start, size), kind_name(r->kind),
		       r->perms & VLS_PERM_READ ? 'r' : '-', r->perms & VLS_PERM_WRITE ? 'w' : '-',
		       r->perms & VLS_PERM_EXEC ? 'x' : '-', r->present, pages);
	}
	return 0;
}
