/* console.c: the kernel's console is every output device at once, so a line on
 * the screen is also in the serial log the tests read. */
#include "dev.h"
#include "lib.h"

void console_init(uint16_t com1_port, unsigned cursor_row, unsigned cursor_col)
{
	serial_init(com1_port);
	vga_init(cursor_row, cursor_col);
	kprintf_set_output(console_write);
}

void console_write(const char *s, size_t n)
{
	serial_write(s, n);
	vga_write(s, n);
}
