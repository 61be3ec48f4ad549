/* dev.h: the kernel's devices. */
#ifndef VLSOS_DEV_H
#define VLSOS_DEV_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* serial.c: 16550 UART */
void serial_init(uint16_t port); /* port 0: no serial output */
void serial_write(const char *s, size_t n);
uint16_t serial_port(void); /* 0: none */
/* serial_input.c: received bytes to input.c, on that IRQ */
void serial_input_init(unsigned irq);

/* vga.c: 80x25 colour text mode at 0xB8000 */
void vga_init(unsigned cursor_row, unsigned cursor_col); /* continue below the loader's text */
void vga_write(const char *s, size_t n);
uint16_t vga_read_cell(unsigned screen_row, unsigned screen_col); /* attribute << 8 | char */
unsigned vga_cursor_row(void);
void vga_scroll_back(int rows); /* the view that many rows further back (negative: forward) */
void vga_scroll_to_bottom(void);
unsigned vga_scrolled_back(void); /* rows the view is above the bottom */

/* console.c: every byte to every console */
void console_init(uint16_t com1_port, unsigned cursor_row, unsigned cursor_col);
void console_write(const char *s, size_t n);
void console_end_boot_report(void); /* after "VlsOs ready": the copy is complete */
/* the boot report's bytes from offset: *text and how many (0 past its end) */
uint32_t console_boot_report(uint32_t offset, const char **text);

/* input.c: the console's input ring (256 bytes), filled by interrupt handlers */
void input_put(char c); /* a full ring drops c, counted */
int input_get(void);    /* the next byte, or -1 when none */
uint64_t input_dropped(void);
void input_set_notify(void (*hook)(void)); /* called after each byte put, in the IRQ */

/* keyboard.c: the PS/2 keyboard, IRQ 1, scancode set 1, US layout */
/* tty.c: the console's line discipline over input.c. interrupt: Ctrl-C's hook,
 * true when it ended a foreground process; line_ready: a line (or the end of
 * input) can be read. Both run in the input's interrupt. */
void tty_init(bool (*interrupt)(void), void (*line_ready)(void));
/* the next finished line's bytes (at most len), 0 at the end of input, -1 when
 * no line is finished yet; interrupts off */
int tty_read(char *buf, uint32_t len);
uint64_t tty_lost(void); /* bytes a full line or queue lost */

void keyboard_init(void);
void keyboard_scancode(uint8_t code); /* one byte as IRQ 1 reads it (tests feed it too) */

#endif
