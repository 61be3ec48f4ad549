/* mem.c: MEM: the physical-memory accounting, like free(1): every row the
 * kernel counts (SYS_MEMINFO), their sum against the E820 usable total, and
 * a summary. Every figure is the kernel's; mem only adds them up. */
#include "ulib.h"

static const struct command mem_command = {
	.name = "mem",
	.usage = "MEM",
	.about = "The physical-memory accounting: every row the kernel keeps, in bytes; their sum\n"
		 "against the E820 usable total (\"adds up: exact\" when they match, as in the\n"
		 "boot report); then total, free, kernel and user memory.\n",
};

/* rows mem sorts into the summary, by the names the kernel gives them */
#define ROW_FREE_PREFIX "free pages"
#define ROW_USER "user pages"

static struct vls_meminfo info;

/* "  NAME  BYTES  SIZE" and TAIL: 63 columns before TAIL with figures up to 12
 * digits, so that a line with its TAIL stays within the 79 a VGA row shows
 * before it wraps */
static void print_row(const char *name, uint64_t bytes, const char *tail)
{
	char size[HUMAN_SIZE_LEN];

	printf("  %-36s %12llu  %10s%s\n", name, (unsigned long long)bytes, human_size(bytes, size),
	       tail);
}

static void summary_line(const char *what, uint64_t bytes, uint64_t usable)
{
	char size[HUMAN_SIZE_LEN];
	/* a percentage with shifts and 32-bit division: both sides scaled down to fit 32 bits */
	uint32_t scale = 0;

	while ((usable >> scale) > UINT32_MAX / 1000)
		scale++;
	uint32_t permille = usable ? (uint32_t)(bytes >> scale) * 1000 / (uint32_t)(usable >> scale) : 0;
	printf("  %-22s %12llu  %10s  %3u.%u %%\n", what, (unsigned long long)bytes,
	       human_size(bytes, size), permille / 10, permille % 10);
}

int main(int argc, char **argv)
{
	cmd_start_no_arguments(&mem_command, argc, argv);
	cmd_meminfo(&info);

	uint64_t sum = 0, free_bytes = 0, user = 0;
	uint32_t rows = info.rows < MEMINFO_ROWS_MAX ? info.rows : MEMINFO_ROWS_MAX;
	printf("Physical memory accounting (bytes), as the kernel counts it:\n");
	for (uint32_t i = 0; i < rows; i++) {
		const struct vls_mem_row *row = &info.row[i];
		print_row(row->name, row->bytes, "");
		sum += row->bytes;
		if (strncmp(row->name, ROW_FREE_PREFIX, strlen(ROW_FREE_PREFIX)) == 0)
			free_bytes += row->bytes;
		else if (strcmp(row->name, ROW_USER) == 0)
			user += row->bytes;
	}
	/* the verdict goes beside the usable figure, and a difference on a row of
	 * its own: a line after the figures "of USABLE E820 usable: ..." ran past
	 * the screen's 80 columns */
	print_row("total", sum, "");
	print_row("E820 usable", info.usable, sum == info.usable ? "  adds up: exact" : "  adds up: NO");
	if (sum > info.usable)
		print_row("total over the E820 usable by", sum - info.usable, "");
	else if (sum < info.usable)
		print_row("total under the E820 usable by", info.usable - sum, "");
	printf("Summary:\n");
	summary_line("usable RAM (E820)", info.usable, info.usable);
	summary_line("free", free_bytes, info.usable);
	summary_line("kernel and reserved", info.usable - free_bytes - user, info.usable);
	summary_line("user pages", user, info.usable);
	return sum == info.usable ? 0 : 1;
}
