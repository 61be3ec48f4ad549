/* sources: user/lib/cmdparse.c lib/format.c lib/string.c */
/* test_cmdparse.c: the commands' shared parsing and printing (user/lib/
 * cmdparse.c): numbers in decimal and 0x hex with every way to overflow 32
 * bits, sizes for people at each unit's edges, and hexdump lines. */
#include "check.h"
#include "errors.h"
#include "lib.h"
#include "../../user/lib/ucmd.h"

static void test_parse_good(void)
{
	static const struct {
		const char *text;
		uint32_t value;
	} good[] = {
		{ "0", 0 },
		{ "7", 7 },
		{ "4294967295", 0xFFFFFFFFu },
		{ "0x0", 0 },
		{ "0xFFFFFFFF", 0xFFFFFFFFu },
		{ "0X40400000", 0x40400000u },
		{ "0xabcDEF", 0xABCDEF },
		{ "000012", 12 },
		{ "0x00000000000000001", 1 },
	};

	for (unsigned i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint32_t value = 12345;
		CHECK_MSG(parse_u32(good[i].text, &value) == 0, "%s refused", good[i].text);
		CHECK_EQ_UINT(value, good[i].value);
	}
}

static void test_parse_bad(void)
{
	static const char *const nonsense[] = { "",   "0x",  "x1",  "-1",  "+1", " 1",
						"1 ", "12a", "0xG", "1.5", "0b1" };
	static const char *const too_big[] = { "4294967296", "0x100000000", "0xFFFFFFFFFF",
					       "99999999999999999999999999999999",
					       "0x10000000000000000000000" };

	for (unsigned i = 0; i < sizeof(nonsense) / sizeof(nonsense[0]); i++) {
		uint32_t value = 77;
		CHECK_EQ_INT(parse_u32(nonsense[i], &value), ERR_INVAL);
		CHECK_EQ_UINT(value, 77); /* untouched on failure */
	}
	for (unsigned i = 0; i < sizeof(too_big) / sizeof(too_big[0]); i++) {
		uint32_t value = 77;
		CHECK_MSG(parse_u32(too_big[i], &value) == ERR_RANGE, "%s not ERR_RANGE", too_big[i]);
		CHECK_EQ_UINT(value, 77);
	}
	/* a digit after an overflow still has to be a digit */
	CHECK_EQ_INT(parse_u32("99999999999z", &(uint32_t){ 0 }), ERR_INVAL);
}

static void test_human_size(void)
{
	static const struct {
		uint64_t bytes;
		const char *text;
	} sizes[] = {
		{ 0, "0 B" },
		{ 1023, "1023 B" },
		{ 1024, "1 KiB" },
		{ 1536, "1.5 KiB" },
		{ 1025, "1.0 KiB" }, /* not exact: the decimal says so */
		{ 1048575, "1023.9 KiB" },
		{ 1048576, "1 MiB" },
		{ 1052672, "1.0 MiB" },
		{ 66583552, "63.4 MiB" },
		{ 3ull << 30, "3 GiB" },
		{ 0xFFFFFFFFFFFFFFFFull, "15.9 EiB" },
	};
	char buf[HUMAN_SIZE_LEN];

	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		CHECK_EQ_STR(human_size(sizes[i].bytes, buf), sizes[i].text);
}

static void test_hexdump_line(void)
{
	const uint8_t bytes[] = "VLSK\x01\x00 \x00\x7f~0123456789";
	char line[HEXDUMP_LINE_LEN];

	hexdump_format(line, 0x00100000, bytes, 16);
	CHECK_EQ_STR(line,
		     "00100000  56 4c 53 4b 01 00 20 00  7f 7e 30 31 32 33 34 35  |VLSK.. ..~012345|");
	hexdump_format(line, 0xFFFFFFF0, bytes, 3); /* the ASCII column stays where it was */
	CHECK_EQ_STR(line, "fffffff0  56 4c 53"
			   "                                          "
			   "|VLS|");
	hexdump_format(line, 0, bytes, 40); /* more than a line: one line's worth */
	CHECK(strlen(line) < HEXDUMP_LINE_LEN);
	CHECK_EQ_INT((int)strlen(line), 78);
}

int main(void)
{
	RUN(test_parse_good);
	RUN(test_parse_bad);
	RUN(test_human_size);
	RUN(test_hexdump_line);
	return check_done();
}
