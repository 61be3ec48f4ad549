/* test_vga.c: the text console keeps the last lines on screen however far it
 * scrolls, including past the end of VGA text memory, where the window wraps. */
#include "ktest.h"
#include "../dev/dev.h"
#include "lib.h"

#define VGA_ROWS 25
#define LINES_PAST_TEXT_MEMORY 260 /* 32 KiB of text memory holds 204 rows */

static bool screen_row_is(unsigned row, const char *s)
{
	for (unsigned i = 0; s[i]; i++)
		if ((vga_read_cell(row, i) & 0xFF) != (uint8_t)s[i])
			return false;
	return true;
}

static void vga_scroll_keeps_last_lines(struct ktest *t)
{
	char line[32];

	for (unsigned i = 0; i < LINES_PAST_TEXT_MEMORY; i++) {
		int n = snprintf(line, sizeof line, "vga line %u\n", i);
		vga_write(line, (size_t)n);
	}
	EXPECT_EQ(t, vga_cursor_row(), VGA_ROWS - 1);
	snprintf(line, sizeof line, "vga line %u", LINES_PAST_TEXT_MEMORY - 1);
	EXPECT(t, screen_row_is(VGA_ROWS - 2, line));
	snprintf(line, sizeof line, "vga line %u", LINES_PAST_TEXT_MEMORY - VGA_ROWS + 1);
	EXPECT(t, screen_row_is(0, line));
	EXPECT_EQ(t, vga_read_cell(VGA_ROWS - 1, 0) & 0xFF, ' ');
}

KTEST_SUITE(vga_suite, "vga", KTEST_CASE(vga_scroll_keeps_last_lines));
