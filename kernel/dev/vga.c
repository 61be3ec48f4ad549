/* vga.c: the 80x25 text screen the BIOS left us in, written directly, scrolling
 * when full, with the hardware cursor kept after the last character. */
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

/* The screen is a window of VGA_ROWS rows that starts at row `top` of text
 * memory. Scrolling moves the window (CRTC start address) and clears one row,
 * instead of copying 24 rows, which costs 4000 slow MMIO accesses under QEMU's
 * TCG; only when the window reaches the end of text memory are its rows copied
 * back to the start. */
static volatile uint16_t *const text = (volatile uint16_t *)VGA_TEXT_ADDR;
static unsigned top, row, col;

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
	} else {
		text[(top + row) * VGA_COLS + col] = cell(c);
		if (++col == VGA_COLS)
			newline();
	}
}

void vga_write(const char *s, size_t n)
{
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
