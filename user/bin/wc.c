/* wc.c: WC [FILE...] counts the lines, words and bytes of each FILE, or of
 * its standard input without one (the other end of a pipe: the shell's tests
 * count what a program wrote into it). */
#include "ulib.h"

#define CHUNK 512

struct counts {
	uint32_t lines, words, bytes;
};

/* Adds what FD holds to C; 0, or the read's error. */
static int count(int fd, struct counts *c)
{
	char buf[CHUNK];
	bool in_word = false;
	int got;

	while ((got = sys_read(fd, buf, sizeof(buf))) > 0) {
		for (int i = 0; i < got; i++) {
			bool space = buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\t' || buf[i] == '\r';
			c->lines += buf[i] == '\n';
			c->words += in_word && space;
			in_word = !space;
		}
		c->bytes += (uint32_t)got;
	}
	c->words += in_word;
	return got;
}

int main(int argc, char **argv)
{
	struct counts c = { 0, 0, 0 };
	int status = 0;

	if (argc == 1) {
		int err = count(FD_STDIN, &c);
		if (err < 0) {
			fprintf(FD_STDERR, "wc: standard input: %s\n", error_name(err));
			return 1;
		}
		printf("%u %u %u\n", c.lines, c.words, c.bytes);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		int fd = sys_open(argv[i], O_RDONLY), err = fd;
		if (fd >= 0) {
			c = (struct counts){ 0, 0, 0 };
			err = count(fd, &c);
			sys_close(fd);
		}
		if (err < 0) {
			fprintf(FD_STDERR, "wc: %s: %s\n", argv[i], error_name(err));
			status = 1;
			continue;
		}
		printf("%u %u %u %s\n", c.lines, c.words, c.bytes, argv[i]);
	}
	return status;
}
