/* vga.c: the 80x25 text screen the BIOS left us in, written directly, scrolling
 * when full, with the hardware cursor kept after the last character. */
#include "dev.h"
#include "../arch/arch.h"
#include "lib.h"

#define VGA_TEXT_ADDR 0xB8000
#define VGA_COLS 80
#define VGA_ROWS 25
#define VGA_ATTR_GREY_ON_BLACK 0x07
#define VGA_CRTC_INDEX 0x3D4
#define VGA_CRTC_DATA  0x3D5
#define   CRTC_CURSOR_HIGH 0x0E
#define   CRTC_CURSOR_LOW  0x0F
#define TAB_WIDTH 8

static volatile uint16_t *const screen = (volatile uint16_t *)VGA_TEXT_ADDR;
static unsigned row, col;

static uint16_t cell(char c)
{
	return (uint16_t)(VGA_ATTR_GREY_ON_BLACK << 8 | (uint8_t)c);
}

static void move_cursor(void)
{
	unsigned pos = row * VGA_COLS + col;

	outb(VGA_CRTC_INDEX, CRTC_CURSOR_HIGH);
	outb(VGA_CRTC_DATA, (uint8_t)(pos >> 8));
	outb(VGA_CRTC_INDEX, CRTC_CURSOR_LOW);
	outb(VGA_CRTC_DATA, (uint8_t)pos);
}

static void scroll(void)
{
	for (unsigned i = 0; i < (VGA_ROWS - 1) * VGA_COLS; i++)
		screen[i] = screen[i + VGA_COLS];
	for (unsigned i = 0; i < VGA_COLS; i++)
		screen[(VGA_ROWS - 1) * VGA_COLS + i] = cell(' ');
	row = VGA_ROWS - 1;
}

static void newline(void)
{
	col = 0;
	if (++row == VGA_ROWS)
		scroll();
}

void vga_init(void)
{
	for (unsigned i = 0; i < VGA_ROWS * VGA_COLS; i++)
		screen[i] = cell(' ');
	row = col = 0;
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
		screen[row * VGA_COLS + col] = cell(c);
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
