/* v2p.c: V2P ADDR [PID]: the walk of a process's page tables for ADDR, each
 * entry on the way with its table and flags, and the physical address or
 * where the walk stopped (SYS_V2P). */
#include "ulib.h"

static const struct command v2p_command = {
	.name = "v2p",
	.usage = "V2P ADDR [PID]",
	.about = "Walks the page tables of process PID (without it: v2p's own) for the virtual\n"
		 "address ADDR (kernel addresses are in every process): each entry read, top level\n"
		 "first, with the physical address of its table, its value and flags, then the\n"
		 "physical address, or the entry where the walk stopped (status 1).\n",
};

/* page-table entry bits (Intel SDM vol. 3, 4.3 and 4.4) */
#define PTE_PRESENT (1ull << 0)
#define PTE_WRITE (1ull << 1)
#define PTE_USER (1ull << 2)
#define PTE_WRITE_THROUGH (1ull << 3)
#define PTE_CACHE_DISABLE (1ull << 4)
#define PTE_ACCESSED (1ull << 5)
#define PTE_DIRTY (1ull << 6)
#define PTE_LARGE (1ull << 7) /* in a PDE: a large page; in a PTE it is PAT */
#define PTE_GLOBAL (1ull << 8)
#define PTE_NX (1ull << 63)

#define PAE_LEVELS 3
#define PAGE_SHIFT 12
#define PAE_INDEX_BITS 9    /* 512 entries of 8 bytes a table */
#define PLAIN_INDEX_BITS 10 /* 1024 entries of 4 bytes */
#define PAE_PDPT_SHIFT 30

struct level {
	const char *name;
	unsigned shift, bits; /* the address bits that index its table */
};

static const struct level pae_levels[] = {
	{ "PDPTE", PAE_PDPT_SHIFT, 2 },
	{ "PDE", PAGE_SHIFT + PAE_INDEX_BITS, PAE_INDEX_BITS },
	{ "PTE", PAGE_SHIFT, PAE_INDEX_BITS },
};
static const struct level plain_levels[] = {
	{ "PDE", PAGE_SHIFT + PLAIN_INDEX_BITS, PLAIN_INDEX_BITS },
	{ "PTE", PAGE_SHIFT, PLAIN_INDEX_BITS },
};

static void print_flags(uint64_t entry, bool is_pde, bool is_pdpte)
{
	static const struct {
		uint64_t bit;
		const char *name;
	} flags[] = {
		{ PTE_PRESENT, "P" },         { PTE_WRITE, "RW" },
		{ PTE_USER, "US" },           { PTE_WRITE_THROUGH, "PWT" },
		{ PTE_CACHE_DISABLE, "PCD" }, { PTE_ACCESSED, "A" },
		{ PTE_DIRTY, "D" },           { PTE_LARGE, "PS" },
		{ PTE_GLOBAL, "G" },          { PTE_NX, "NX" },
	};

	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (!(entry & flags[i].bit))
			continue;
		/* a PAE PDPTE has P, PWT and PCD only; bit 7 of a PTE is PAT, not PS */
		if (is_pdpte && flags[i].bit != PTE_PRESENT && flags[i].bit != PTE_WRITE_THROUGH &&
		    flags[i].bit != PTE_CACHE_DISABLE)
			continue;
		printf(" %s", flags[i].bit == PTE_LARGE && !is_pde ? "PAT" : flags[i].name);
	}
	if (!(entry & PTE_PRESENT))
		printf(" (not present)");
}

int main(int argc, char **argv)
{
	cmd_start(&v2p_command, argc, argv);
	if (argc < 2)
		cmd_bad("which address? ADDR is needed");
	if (argc > 3)
		cmd_bad("unexpected argument '%s'", argv[3]);
	uint32_t addr = cmd_number(argv[1], "address");
	int pid = 0;
	if (argc == 3) {
		uint32_t n = cmd_number(argv[2], "pid");
		if (n == 0 || n > INT32_MAX)
			cmd_bad("pid %s is not a process's (pids start at 1)", argv[2]);
		pid = (int)n;
	}

	struct vls_walk walk;
	int err = sys_v2p(pid, addr, &walk);
	if (err == ERR_SRCH)
		cmd_bad("no process has pid %d", pid);
	if (err < 0)
		cmd_fail("cannot walk the page tables: %s", error_name(err));
	bool pae = walk.levels == PAE_LEVELS;
	const struct level *levels = pae ? pae_levels : plain_levels;
	uint32_t count = pae ? PAE_LEVELS : sizeof(plain_levels) / sizeof(plain_levels[0]);
	if (walk.levels != count || walk.read > count)
		cmd_fail("the kernel's walk has %u levels and %u entries read: not a walk v2p knows",
			 walk.levels, walk.read);

	printf("0x%08x in pid %d%s, %s tables:\n", addr, pid ? pid : sys_getpid(),
	       pid ? "" : " (v2p itself)", pae ? "PAE (64-bit entries)" : "32-bit");
	for (uint32_t i = 0; i < walk.read; i++) {
		const struct level *level = &levels[i];
		uint32_t index = (addr >> level->shift) & ((1u << level->bits) - 1);
		bool is_pde = strcmp(level->name, "PDE") == 0;
		printf("  %-5s %4u in the table at 0x%08llx: 0x%0*llx ", level->name, index,
		       (unsigned long long)walk.table[i], pae ? 16 : 8,
		       (unsigned long long)walk.entry[i]);
		print_flags(walk.entry[i], is_pde, pae && i == 0);
		printf("\n");
	}
	if (walk.mapped) {
		printf("physical 0x%08x%s\n", walk.phys,
		       walk.large ? (pae ? " (in a 2 MiB page)" : " (in a 4 MiB page)") : "");
		return 0;
	}
	printf("0x%08x is not mapped: not present at the %s\n", addr,
	       walk.read ? levels[walk.read - 1].name : levels[0].name);
	return 1;
}
