/* ucmd.h: what the commands in /BIN share (docs/console.md): reading numbers
 * with overflow detection, sizes for people, hexdump lines (user/lib/cmdparse.c,
 * plain C the host test runs as it is), and the conventions every command
 * keeps (user/lib/cmd.c): -h prints the usage, bad input is one line on fd 2
 * and status 2, a failure at run time one line and status 1. */
#ifndef VLSOS_UCMD_H
#define VLSOS_UCMD_H

#include <stddef.h>
#include <stdint.h>

/* ---- user/lib/cmdparse.c ---- */
/* "1234" or "0x4d2" (0X, hex digits either case) -> 0 and *out; ERR_INVAL
 * for anything else (empty, signs, spaces, trailing characters), ERR_RANGE for
 * a number above 0xFFFFFFFF (however many digits it has). */
int parse_u32(const char *s, uint32_t *out);

/* "512 B", "4 KiB", "63.5 MiB": bytes in the largest binary unit that
 * leaves at least 1, with one decimal (cut, not rounded) unless exact:
 * 1052672 bytes are "1.0 MiB", 1048576 "1 MiB". */
#define HUMAN_SIZE_LEN 16
const char *human_size(uint64_t bytes, char buf[HUMAN_SIZE_LEN]);

/* One hexdump line of up to HEXDUMP_WIDTH bytes: the address, the bytes in
 * hex (a gap after the eighth) and as ASCII ('.' for the unprintable),
 * without a newline: "00100000  56 4c 53 4b ...  |VLSK....|". */
#define HEXDUMP_WIDTH 16
#define HEXDUMP_LINE_LEN 80
void hexdump_format(char line[HEXDUMP_LINE_LEN], uint32_t addr, const uint8_t *bytes, uint32_t count);

/* ---- user/lib/cmd.c ---- */
struct command {
	const char *name;  /* as messages begin: "v2p" */
	const char *usage; /* after "usage: ", e.g. "V2P ADDR [PID]" */
	const char *about; /* what it does, lines of the -h text */
};
/* Remembers the command for the calls below; an argument "-h" prints
 * "usage: ..." and the about text on stdout and exits 0. */
void cmd_start(const struct command *cmd, int argc, char **argv);
/* cmd_start for a command that takes no argument: any is refused */
void cmd_start_no_arguments(const struct command *cmd, int argc, char **argv);
/* "NAME: MESSAGE (usage: USAGE)" on fd 2, exit(2): bad input */
void cmd_bad(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* "NAME: MESSAGE" on fd 2, exit(1): the command could not do its work */
void cmd_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* "NAME: MESSAGE" on fd 2, and go on */
void cmd_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* parse_u32 of ARG, or cmd_bad naming WHAT ("address", "pid") and the fault */
uint32_t cmd_number(const char *arg, const char *what);
/* the status for an error on a path: 2 (bad input) when the path is wrong
 * (not there, not a directory, a directory, too long), 1 when reading failed */
int cmd_path_status(int err);
/* SYS_MEMINFO into *info, or cmd_fail */
struct vls_meminfo;
void cmd_meminfo(struct vls_meminfo *info);
/* hexdump_format lines for LEN bytes of BYTES, the first at address ADDR */
void cmd_hexdump(uint32_t addr, const uint8_t *bytes, uint32_t len);

#endif
