/* cat.c: CAT [FILE...]: each file's bytes in turn on stdout; without a file,
 * stdin until its end (Ctrl-D on the console). */
#include "ulib.h"

static const struct command cat_command = {
	.name = "cat",
	.usage = "CAT [FILE...]",
	.about = "Writes each FILE to stdout in turn; without one, stdin until its end (Ctrl-D).\n"
		 "A file it cannot read is named on stderr and the others still follow (status 2;\n"
		 "1 when reading failed).\n",
};

#define CHUNK 4096

static char buf[CHUNK];

/* copies fd to stdout; 0 or the read's error */
static int copy_out(int fd)
{
	for (;;) {
		int got = sys_read(fd, buf, sizeof(buf));
		if (got <= 0)
			return got;
		sys_write(FD_STDOUT, buf, (uint32_t)got);
	}
}

int main(int argc, char **argv)
{
	int status = 0;

	cmd_start(&cat_command, argc, argv);
	if (argc == 1) {
		int err = copy_out(FD_STDIN);
		if (err < 0)
			cmd_fail("cannot read stdin: %s", error_name(err));
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		struct vls_stat st;
		int err = sys_stat(argv[i], &st);
		if (err == 0 && st.type == VLS_TYPE_DIR)
			err = ERR_ISDIR;
		int fd = err < 0 ? err : sys_open(argv[i], O_RDONLY);
		if (fd >= 0) {
			err = copy_out(fd);
			sys_close(fd);
		} else {
			err = fd;
		}
		if (err < 0) {
			cmd_warn("%s: %s", argv[i], error_name(err));
			if (cmd_path_status(err) > status)
				status = cmd_path_status(err);
		}
	}
	return status;
}
