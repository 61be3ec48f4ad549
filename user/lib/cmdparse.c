/* cmdparse.c: the commands' number reading, sizes and hexdump lines
 * (ucmd.h). Plain C over lib/ only, no system call, so that
 * test/host/test_cmdparse.c runs it on the host. */
#include "errors.h"
#include "lib.h"
#include "ucmd.h"

#define HEX_BASE 16
#define DECIMAL_BASE 10
#define BYTES_PER_UNIT_SHIFT 10 /* KiB, MiB, ...: each 1024 of the one before */
#define ASCII_FIRST_PRINTABLE 0x20
#define ASCII_LAST_PRINTABLE 0x7e

static int digit_in_base(char c, unsigned base)
{
	int value = -1;

	if (c >= '0' && c <= '9')
		value = c - '0';
	else if (c >= 'a' && c <= 'f')
		value = c - 'a' + 10;
	else if (c >= 'A' && c <= 'F')
		value = c - 'A' + 10;
	return value >= 0 && (unsigned)value < base ? value : -1;
}

int parse_u32(const char *s, uint32_t *out)
{
	unsigned base = DECIMAL_BASE;
	uint64_t value = 0;
	bool too_big = false;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = HEX_BASE;
		s += 2;
	}
	if (*s == '\0')
		return ERR_INVAL;
	for (; *s; s++) {
		int digit = digit_in_base(*s, base);
		if (digit < 0)
			return ERR_INVAL;
		/* once past 32 bits it stays past: stop growing so 64 bits never wrap */
		if (!too_big)
			value = value * base + (uint64_t)digit;
		if (value > UINT32_MAX)
			too_big = true;
	}
	if (too_big)
		return ERR_RANGE;
	*out = (uint32_t)value;
	return 0;
}

const char *human_size(uint64_t bytes, char buf[HUMAN_SIZE_LEN])
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned unit = 0;

	while (unit + 1 < sizeof(units) / sizeof(units[0]) &&
	       bytes >> ((unit + 1) * BYTES_PER_UNIT_SHIFT) != 0)
		unit++;
	unsigned shift = unit * BYTES_PER_UNIT_SHIFT;
	uint64_t whole = bytes >> shift, rest = bytes - (whole << shift);
	/* rest < 2^60, so rest * 10 fits in 64 bits; shifts only: no 64-bit division in ring 3 */
	unsigned tenths = (unsigned)((rest * 10) >> shift);

	if (rest == 0)
		LIB_NAME(snprintf)(buf, HUMAN_SIZE_LEN, "%u %s", (unsigned)whole, units[unit]);
	else
		LIB_NAME(snprintf)(buf, HUMAN_SIZE_LEN, "%u.%u %s", (unsigned)whole, tenths,
				   units[unit]);
	return buf;
}

void hexdump_format(char line[HEXDUMP_LINE_LEN], uint32_t addr, const uint8_t *bytes, uint32_t count)
{
	int used = LIB_NAME(snprintf)(line, HEXDUMP_LINE_LEN, "%08x ", (unsigned)addr);

	if (count > HEXDUMP_WIDTH)
		count = HEXDUMP_WIDTH;
	for (uint32_t i = 0; i < HEXDUMP_WIDTH; i++) {
		const char *gap = i == HEXDUMP_WIDTH / 2 ? "  " : " ";
		if (i < count)
			used += LIB_NAME(snprintf)(line + used, HEXDUMP_LINE_LEN - (size_t)used,
						   "%s%02x", gap, bytes[i]);
		else
			used += LIB_NAME(snprintf)(line + used, HEXDUMP_LINE_LEN - (size_t)used, "%s  ",
						   gap);
	}
	used += LIB_NAME(snprintf)(line + used, HEXDUMP_LINE_LEN - (size_t)used, "  |");
	for (uint32_t i = 0; i < count; i++) {
		uint8_t b = bytes[i];
		line[used++] = b >= ASCII_FIRST_PRINTABLE && b <= ASCII_LAST_PRINTABLE ? (char)b : '.';
	}
	line[used++] = '|';
	line[used] = '\0';
}
