/* ksyms_driver.c: test_ksyms.sh's window on kernel/ksyms.c. Loads a table made
 * by tools/ksyms.py and prints, for each hex address argument, "ADDR NAME OFF
 * TEXT": kernel/ksyms.c's answer (NAME "-" when it has none) and ksym_format's
 * text. The lookup code is the kernel's own, built for the host. */
#include <stdio.h>
#include <stdlib.h>

#include "ksyms.h"
#include "lib.h"

static const void *table;

/* the kernel's ksym_lookup reads its linked-in table; here, the loaded one */
const char *ksym_lookup(uint32_t addr, uint32_t *offset)
{
	return ksym_lookup_in(table, addr, offset);
}

int main(int argc, char **argv)
{
	static uint32_t buf[1 << 16]; /* u32 so the table is aligned as in the kernel */
	FILE *f;
	size_t len;

	if (argc < 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: ksyms_driver TABLE.bin [HEX-ADDRESS...]\n");
		return 2;
	}
	len = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (len == sizeof(buf)) {
		fprintf(stderr, "ksyms_driver: %s is too big\n", argv[1]);
		return 2;
	}
	table = buf;
	for (int i = 2; i < argc; i++) {
		uint32_t addr = (uint32_t)strtoul(argv[i], NULL, 16), offset = 0;
		const char *name = ksym_lookup(addr, &offset);
		char text[KSYM_TEXT_MAX];
		printf("%08x %s %x %s\n", (unsigned)addr, name ? name : "-", (unsigned)offset,
		       ksym_format(text, sizeof(text), addr));
	}
	return 0;
}
