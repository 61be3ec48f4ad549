/* hexdump.c: HEXDUMP ADDR LEN: kernel memory, read-only, through SYS_KREAD;
 * an unmapped page is refused with a message, never a fault. */
#include "ulib.h"

static const struct command hexdump_command = {
	.name = "hexdump",
	.usage = "HEXDUMP ADDR LEN",
	.about = "Shows LEN bytes of kernel memory from the virtual address ADDR, 16 a line with\n"
		 "their ASCII (LEN at most 64 KiB; more is cut, with a message). A range with an\n"
		 "unmapped page is refused at that page (status 2).\n",
};

#define LEN_MAX (64u * 1024)
#define KREAD_MAX 4096u /* SYS_KREAD's limit a call; also the page size, so a chunk is one page */

static uint8_t data[LEN_MAX];

int main(int argc, char **argv)
{
	cmd_start(&hexdump_command, argc, argv);
	if (argc != 3)
		cmd_bad(argc < 3 ? "ADDR and LEN are needed" : "unexpected argument '%s'",
			argv[argc - 1]);
	uint32_t addr = cmd_number(argv[1], "address");
	uint32_t len = cmd_number(argv[2], "length");
	if (len == 0)
		cmd_bad("length 0: nothing to show");
	if (len > LEN_MAX) {
		cmd_warn("length %u is more than %u: showing the first %u bytes", len, LEN_MAX, LEN_MAX);
		len = LEN_MAX;
	}
	if (len - 1 > UINT32_MAX - addr)
		cmd_bad("0x%08x + %u runs past the end of the address space", addr, len);

	/* all of it first, page by page, so that a refusal names the page that is
	 * not mapped and comes before any line */
	for (uint32_t done = 0; done < len;) {
		uint32_t at = addr + done;
		uint32_t n = KREAD_MAX - at % KREAD_MAX;
		if (n > len - done)
			n = len - done;
		int got = sys_kread(at, data + done, n);
		if (got == ERR_NOTMAPPED)
			cmd_bad("0x%08x is not mapped in kernel memory: nothing shown from there", at);
		if (got < 0)
			cmd_fail("cannot read 0x%08x: %s", at, error_name(got));
		if ((uint32_t)got != n)
			cmd_fail("the kernel gave %d bytes of the %u asked at 0x%08x", got, n, at);
		done += n;
	}
	cmd_hexdump(addr, data, len);
	return 0;
}
