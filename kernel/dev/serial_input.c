/* serial_input.c: what a 16550 UART receives (PC16550D data sheet), on its
 * IRQ (COM1: IRQ 4) into the console's input (input.c): the receive FIFO is
 * emptied at each interrupt, which comes at 14 bytes or when the line goes
 * quiet. Apart from serial.c because it sits above kernel/arch (it claims an
 * IRQ), while output is below it (a PANIC prints through it). */
#include "dev.h"
#include "../arch/arch.h"

#define UART_RBR 0 /* receive buffer (DLAB=0) */
#define UART_IER 1
#define UART_IER_RX 0x01 /* an interrupt when received data is available */
#define UART_FCR 2
/* FIFOs on and the receiver's emptied; what the transmitter still holds goes
 * out (Bochs sends it at the line's rate: clearing it lost the report's end) */
#define UART_FCR_ENABLE_CLEAR_RX 0x03
#define UART_FCR_TRIGGER_14 0xC0 /* interrupt at 14 bytes, or on a timeout */
#define UART_MCR 4
#define UART_MCR_DTR_RTS 0x03
#define UART_MCR_OUT2 0x08 /* on a PC, OUT2 gates the UART's interrupt line */
#define UART_LSR 5
#define UART_LSR_DATA_READY 0x01
#define UART_RX_MAX 64 /* bytes an interrupt takes: a stuck DR bit ends it */

static void serial_irq(unsigned irq)
{
	uint16_t uart = serial_port();

	(void)irq;
	for (int i = 0; i < UART_RX_MAX && (inb(uart + UART_LSR) & UART_LSR_DATA_READY); i++) {
		char c = (char)inb(uart + UART_RBR);
		input_put(c == '\r' ? '\n' : c); /* a terminal's Enter */
	}
}

void serial_input_init(unsigned irq)
{
	uint16_t uart = serial_port();

	if (!uart)
		return;
	outb(uart + UART_FCR, UART_FCR_ENABLE_CLEAR_RX | UART_FCR_TRIGGER_14);
	outb(uart + UART_MCR, UART_MCR_DTR_RTS | UART_MCR_OUT2);
	irq_set_handler(irq, serial_irq);
	irq_poll_after_bios(irq);
	outb(uart + UART_IER, UART_IER_RX);
}
