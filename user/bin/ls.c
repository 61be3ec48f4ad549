/* ls.c: LS [PATH...]: a directory's entries with their size and type; a
 * file names itself. */
#include "ulib.h"

static const struct command ls_command = {
	.name = "ls",
	.usage = "LS [PATH...]",
	.about = "Lists each directory PATH (without one: the current directory): name, size in\n"
		 "bytes and type of every entry; a file PATH is listed alone. A PATH that is not\n"
		 "there is named on stderr and the others still follow (status 2;\n"
		 "1 when reading failed).\n",
};

static void entry_line(const char *name, uint32_t size, uint32_t type)
{
	if (type == VLS_TYPE_DIR)
		printf("  %-24s %10s  dir\n", name, "");
	else
		printf("  %-24s %10u  file\n", name, size);
}

/* 0 or the error that stopped the listing */
static int list(const char *path, bool title)
{
	struct vls_stat st;
	struct vls_dirent entry;

	int err = sys_stat(path, &st);
	if (err < 0)
		return err;
	if (st.type != VLS_TYPE_DIR) {
		entry_line(path, st.size, st.type);
		return 0;
	}
	int fd = sys_open(path, O_RDONLY);
	if (fd < 0)
		return fd;
	if (title)
		printf("%s:\n", path);
	while ((err = sys_readdir(fd, &entry)) == 1)
		entry_line(entry.name, entry.size, entry.type);
	sys_close(fd);
	return err < 0 ? err : 0;
}

int main(int argc, char **argv)
{
	int status = 0;

	cmd_start(&ls_command, argc, argv);
	if (argc == 1) {
		int err = list(".", false);
		if (err < 0)
			cmd_fail("cannot list the current directory: %s", error_name(err));
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		int err = list(argv[i], argc > 2);
		if (err < 0) {
			cmd_warn("%s: %s", argv[i], error_name(err));
			if (cmd_path_status(err) > status)
				status = cmd_path_status(err);
		}
	}
	return status;
}
