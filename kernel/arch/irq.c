/* irq.c: the IRQs of the two 8259s (pic.c), after the exceptions in the IDT.
 * A line a driver claims gets its handler; every IRQ is counted; the EOI goes
 * out after the handler. A spurious IRQ 7 or 15 (its in-service bit clear:
 * the line fell before the 8259 could say which it was) runs nothing and gets
 * no EOI from its own 8259, but IRQ 15's master saw IRQ 2 and gets one. */
#include "arch.h"

#define IRQ_SPURIOUS_MASTER 7
#define IRQ_SPURIOUS_SLAVE 15
#define IRQ_CASCADE 2

static irq_handler_fn handlers[PIC_IRQS];
static uint64_t counts[PIC_IRQS];
static uint64_t spurious[PIC_IRQS];
static uint16_t polled; /* bit n: IRQ n's handler also runs after every BIOS call */

void irq_poll_after_bios(unsigned irq)
{
	if (irq < PIC_IRQS)
		polled |= (uint16_t)(1u << irq);
}

/* An edge that came while bios_call had the 8259s in the BIOS's state (or
 * reprogrammed them) is lost, and a device that raised it (the 8042 with a
 * byte, the 16550 with its FIFO) raises no other until it is served: the
 * keyboard would go silent. So each polled line's handler runs once after
 * the call; a handler finds nothing to do when its device has nothing. */
void irq_poll(void)
{
	for (unsigned irq = 0; irq < PIC_IRQS; irq++)
		if ((polled >> irq & 1) && handlers[irq])
			handlers[irq](irq);
}

void irq_set_handler(unsigned irq, irq_handler_fn handler)
{
	if (irq >= PIC_IRQS)
		return;
	handlers[irq] = handler;
	if (handler)
		pic_unmask(irq);
	else
		pic_mask(irq);
}

void irq_dispatch(struct trap_frame *frame)
{
	unsigned irq = frame->vector - PIC_KERNEL_BASE;

	if ((irq == IRQ_SPURIOUS_MASTER || irq == IRQ_SPURIOUS_SLAVE) && !pic_in_service(irq)) {
		spurious[irq]++;
		if (irq == IRQ_SPURIOUS_SLAVE)
			pic_eoi(IRQ_CASCADE);
		return;
	}
	counts[irq]++;
	if (handlers[irq])
		handlers[irq](irq);
	pic_eoi(irq);
}

uint64_t irq_count(unsigned irq)
{
	return irq < PIC_IRQS ? counts[irq] : 0;
}

uint64_t irq_spurious_count(unsigned irq)
{
	return irq < PIC_IRQS ? spurious[irq] : 0;
}
