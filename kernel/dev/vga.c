/* vga.c: the 80x25 text screen the BIOS left us in, written directly, scrolling
 * when full, with the hardware cursor kept after the last character, and a
 * scrollback of the last SCROLLBACK_ROWS rows written: Shift+PgUp/PgDn
 * (keyboard.c) page through it, and new output or any key returns to the
 * bottom. */
#include "dev.h"
#include "../arch/arch.h"
#include "lib.h"

#define VGA_TEXT_ADDR 0xB8000
#define VGA_TEXT_CELLS 0x4000 /* 32 KiB of text memory in colour mode: 204 rows */
#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_ATTR_GREY_ON_BLACK 0x07
#define VGA_CRTC_INDEX 0x3D4
#define VGA_CRTC_DATA 0x3D5
#define CRTC_START_HIGH 0x0C /* first cell shown: scrolling moves this */
#define CRTC_START_LOW 0x0D
#define CRTC_CURSOR_HIGH 0x0E
#define CRTC_CURSOR_LOW 0x0F
#define TAB_WIDTH 8
#define SCROLLBACK_ROWS 1024 /* every row written, the last 1024: a boot report is ~150 */

/* The screen is a window of VGA_ROWS rows that starts at row `top` of text
 * memory. Scrolling moves the window (CRTC start address) and clears one row,
 * instead of copying 24 rows, which costs 4000 slow MMIO accesses under QEMU's
 * TCG; only when the window reaches the end of text memory are its rows copied
 * back to the start. */
static volatile uint16_t *const text = (volatile uint16_t *)VGA_TEXT_ADDR;
static unsigned top, row, col;

/* Every character written is also kept here (NUL: nothing written), a row per line: the screen's row
 * r is history row (first + r) % SCROLLBACK_ROWS, and `written` counts the rows
 * the ring has held (capped at its size). While `back` > 0 the screen shows
 * history `back` rows above the bottom instead. */
static char history[SCROLLBACK_ROWS][VGA_COLS];
static unsigned first, written = VGA_ROWS, back;

static char *history_row(unsigned screen_row)
{
	return history[(first + screen_row) % SCROLLBACK_ROWS];
}

static uint16_t cell(char c)
{
	return (uint16_t)(VGA_ATTR_GREY_ON_BLACK << 8 | (uint8_t)c);
}

static void crtc_write16(uint8_t high_reg, unsigned value)
{
	outb(VGA_CRTC_INDEX, high_reg);
	outb(VGA_CRTC_DATA, (uint8_t)(value >> 8));
	outb(VGA_CRTC_INDEX, high_reg + 1);
	outb(VGA_CRTC_DATA, (uint8_t)value);
}

static void move_cursor(void)
{
	crtc_write16(CRTC_CURSOR_HIGH, (top + row) * VGA_COLS + col);
}

static void clear_row(unsigned text_row)
{
	for (unsigned i = 0; i < VGA_COLS; i++)
		text[text_row * VGA_COLS + i] = cell(' ');
}

static void scroll(void)
{
	if ((top + VGA_ROWS + 1) * VGA_COLS > VGA_TEXT_CELLS) {
		for (unsigned i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
			text[i] = text[(top + 1) * VGA_COLS + i];
		top = 0;
	} else {
		top++;
	}
	clear_row(top + VGA_ROWS - 1);
	crtc_write16(CRTC_START_HIGH, top * VGA_COLS);
	row = VGA_ROWS - 1;
	first = (first + 1) % SCROLLBACK_ROWS;
	memset(history_row(VGA_ROWS - 1), 0, VGA_COLS);
	if (written < SCROLLBACK_ROWS)
		written++;
}

/* the window's rows from history, `back` rows above the bottom */
static void show_history(void)
{
	for (unsigned r = 0; r < VGA_ROWS; r++) {
		const char *h = history[(first + r + SCROLLBACK_ROWS - back) % SCROLLBACK_ROWS];
		for (unsigned c = 0; c < VGA_COLS; c++)
			text[(top + r) * VGA_COLS + c] = cell(h[c] ? h[c] : ' ');
	}
}

void vga_scroll_back(int rows)
{
	int want = (int)back + rows, most = (int)(written - VGA_ROWS);

	want = want < 0 ? 0 : want > most ? most : want;
	if ((unsigned)want == back)
		return;
	back = (unsigned)want;
	show_history();
}

void vga_scroll_to_bottom(void)
{
	if (back)
		vga_scroll_back(-(int)back);
}

unsigned vga_scrolled_back(void)
{
	return back;
}

static void newline(void)
{
	col = 0;
	if (++row == VGA_ROWS)
		scroll();
}

/* Goes on where the loader's text ends rather than clearing the screen: the
 * loader's lines stay readable above the kernel's, and clearing 2000 cells is
 * the slowest thing a TCG boot would do here. */
void vga_init(unsigned cursor_row, unsigned cursor_col)
{
	/* the loader's rows, read back once (.bss is zero: a NUL shows as a blank) */
	for (unsigned r = 0; r <= cursor_row && r < VGA_ROWS; r++)
		for (unsigned c = 0; c < VGA_COLS; c++)
			history[r][c] = (char)(text[r * VGA_COLS + c] & 0xFF);
	top = 0;
	row = cursor_row < VGA_ROWS ? cursor_row : VGA_ROWS - 1;
	col = cursor_col < VGA_COLS ? cursor_col : 0;
	if (col)
		newline();
	crtc_write16(CRTC_START_HIGH, 0);
	move_cursor();
}

static void vga_putc(char c)
{
	if (c == '\n') {
		newline();
	} else if (c == '\r') {
		col = 0;
	} else if (c == '\t') {
		do
			vga_putc(' ');
		while (col % TAB_WIDTH);
	} else if (c == '\b') { /* back one cell, to the row above from its start */
		if (col) {
			col--;
		} else if (row) {
			row--;
			col = VGA_COLS - 1;
		}
	} else {
		text[(top + row) * VGA_COLS + col] = cell(c);
		history_row(row)[col] = c;
		if (++col == VGA_COLS)
			newline();
	}
}

void vga_write(const char *s, size_t n)
{
	vga_scroll_to_bottom();
	for (size_t i = 0; i < n; i++)
		vga_putc(s[i]);
	move_cursor();
}

uint16_t vga_read_cell(unsigned screen_row, unsigned screen_col)
{
	return text[(top + screen_row) * VGA_COLS + screen_col];
}

unsigned vga_cursor_row(void)
{
	return row;
}
