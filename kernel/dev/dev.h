/* dev.h: the kernel's devices. */
#ifndef VLSOS_DEV_H
#define VLSOS_DEV_H

#include <stddef.h>
#include <stdint.h>

/* serial.c: 16550 UART */
void serial_init(uint16_t port); /* port 0: no serial output */
void serial_write(const char *s, size_t n);

/* vga.c: 80x25 colour text mode at 0xB8000 */
void vga_init(unsigned cursor_row, unsigned cursor_col); /* continue below the loader's text */
void vga_write(const char *s, size_t n);
uint16_t vga_read_cell(unsigned screen_row, unsigned screen_col); /* attribute << 8 | char */
unsigned vga_cursor_row(void);

/* console.c: every byte to every console */
void console_init(uint16_t com1_port, unsigned cursor_row, unsigned cursor_col);
void console_write(const char *s, size_t n);

#endif
