/* serial.c: output on a 16550 UART (PC16550D data sheet), 115200 8N1, polled.
 * Its input is serial_input.c's. */
#include "dev.h"
#include "../arch/arch.h"

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_FCR_ENABLE_CLEAR 0x07
#define UART_LCR 3
#define UART_LCR_DLAB 0x80
#define UART_LCR_8N1 0x03
#define UART_MCR 4
#define UART_MCR_DTR_RTS 0x03
#define UART_LSR 5
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40 /* transmitter empty: FIFO and shift register */
#define UART_RBR 0         /* receive buffer (DLAB=0) */
#define UART_IER_RX 0x01   /* an interrupt when received data is available */
#define UART_MCR_OUT2 0x08 /* on a PC, OUT2 gates the UART's interrupt line */
#define UART_RX_MAX 64     /* bytes an interrupt takes: a stuck DR bit ends it */
#define UART_DIVISOR_115200 1
#define UART_FIFO_BYTES 16     /* with FIFOs on, THRE means all 16 slots are free */
#define UART_WAIT_LOOPS 100000 /* a dead UART costs a bounded wait, not a hang */

static uint16_t uart;

void serial_init(uint16_t port)
{
	uart = port;
	if (!uart)
		return;
	/* the loader's last bytes leave first: the FIFO reset below would drop them */
	for (int i = 0; i < UART_WAIT_LOOPS && !(inb(uart + UART_LSR) & UART_LSR_TEMT); i++)
		;
	outb(uart + UART_IER, 0);
	outb(uart + UART_LCR, UART_LCR_DLAB);
	outb(uart + UART_DLL, UART_DIVISOR_115200);
	outb(uart + UART_DLM, 0);
	outb(uart + UART_LCR, UART_LCR_8N1);
	outb(uart + UART_FCR, UART_FCR_ENABLE_CLEAR);
	outb(uart + UART_MCR, UART_MCR_DTR_RTS);
}

static uint16_t fifo_room;

/* Waits (boundedly) for an empty transmit FIFO once per UART_FIFO_BYTES bytes
 * instead of once per byte: half the port I/O, which is what QEMU charges for. */
static void serial_putc(char c)
{
	if (fifo_room == 0) {
		for (int i = 0; i < UART_WAIT_LOOPS; i++)
			if (inb(uart + UART_LSR) & UART_LSR_THRE)
				break;
		fifo_room = UART_FIFO_BYTES;
	}
	fifo_room--;
	outb(uart + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	if (!uart)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			serial_putc('\r');
		serial_putc(s[i]);
	}
}

uint16_t serial_port(void)
{
	return uart;
}
