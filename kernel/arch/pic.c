/* pic.c: the two 8259A interrupt controllers of the PC, cascaded on IRQ 2
 * (Intel 8259A data sheet: ICW1-ICW4 initialise, OCW1 is the mask). Two
 * states: the kernel's (vectors from PIC_KERNEL_BASE, its masks) and the
 * BIOS's (vectors 08h/70h, the masks the BIOS keeps), switched by bios_call. */
#include "arch.h"

#define PIC1_COMMAND 0x20
#define PIC1_DATA 0x21 /* OCW1: the interrupt mask register */
#define PIC2_COMMAND 0xA0
#define PIC2_DATA 0xA1
#define ICW1_INIT 0x10                 /* start initialisation: edge triggered, cascaded */
#define ICW1_NEED_ICW4 0x01            /* ICW4 follows */
#define ICW3_MASTER_SLAVE_ON_IRQ2 0x04 /* master: bit 2, a slave hangs there */
#define ICW3_SLAVE_ID 0x02             /* slave: its cascade identity, 2 */
#define ICW4_8086 0x01                 /* 8086 mode, normal EOI */
#define OCW2_EOI 0x20                  /* non-specific end of interrupt */
#define OCW3_READ_ISR 0x0B             /* the next command-port read gives the ISR */
#define IRQ_CASCADE 2
#define BIOS_PIC1_BASE 0x08 /* the IBM PC/AT's vectors, which every BIOS keeps */
#define BIOS_PIC2_BASE 0x70
#define POST_CODE_PORT 0x80 /* a write here takes about 1 us: the 8259's recovery time */

static uint16_t kernel_mask = 0xFFFF; /* bit n: IRQ n masked */
static uint16_t bios_mask;

static void io_wait(void)
{
	outb(POST_CODE_PORT, 0);
}

/* ICW1-ICW4 to both, then the masks. An initialisation forgets the mask
 * (the data sheet: ICW1 clears it), so the mask goes last. */
static void pic_program(uint8_t base1, uint8_t base2, uint16_t mask)
{
	outb(PIC1_COMMAND, ICW1_INIT | ICW1_NEED_ICW4);
	io_wait();
	outb(PIC2_COMMAND, ICW1_INIT | ICW1_NEED_ICW4);
	io_wait();
	outb(PIC1_DATA, base1);
	io_wait();
	outb(PIC2_DATA, base2);
	io_wait();
	outb(PIC1_DATA, ICW3_MASTER_SLAVE_ON_IRQ2);
	io_wait();
	outb(PIC2_DATA, ICW3_SLAVE_ID);
	io_wait();
	outb(PIC1_DATA, ICW4_8086);
	io_wait();
	outb(PIC2_DATA, ICW4_8086);
	io_wait();
	outb(PIC1_DATA, mask & 0xFF);
	outb(PIC2_DATA, mask >> 8);
}

uint16_t pic_read_mask(void)
{
	return (uint16_t)(inb(PIC1_DATA) | inb(PIC2_DATA) << 8);
}

void pic_init(uint16_t bios_masks)
{
	bios_mask = bios_masks;
	kernel_mask = 0xFFFF & ~(1u << IRQ_CASCADE); /* the slave's line stays open */
	pic_program(PIC_KERNEL_BASE, PIC_KERNEL_BASE + 8, kernel_mask);
}

void pic_unmask(unsigned irq)
{
	if (irq >= PIC_IRQS)
		return;
	kernel_mask &= (uint16_t) ~(1u << irq);
	outb(irq < 8 ? PIC1_DATA : PIC2_DATA, irq < 8 ? kernel_mask & 0xFF : kernel_mask >> 8);
}

void pic_mask(unsigned irq)
{
	if (irq >= PIC_IRQS || irq == IRQ_CASCADE)
		return;
	kernel_mask |= (uint16_t)(1u << irq);
	outb(irq < 8 ? PIC1_DATA : PIC2_DATA, irq < 8 ? kernel_mask & 0xFF : kernel_mask >> 8);
}

uint16_t pic_kernel_mask(void)
{
	return kernel_mask;
}

uint16_t pic_bios_mask(void)
{
	return bios_mask;
}

void pic_enter_bios(void)
{
	pic_program(BIOS_PIC1_BASE, BIOS_PIC2_BASE, bios_mask);
}

/* The BIOS may have opened a line for itself (the floppy's IRQ 6 during a
 * read): its mask is kept for its next call, not imposed on the kernel. */
void pic_leave_bios(void)
{
	bios_mask = pic_read_mask();
	pic_program(PIC_KERNEL_BASE, PIC_KERNEL_BASE + 8, kernel_mask);
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_COMMAND, OCW2_EOI);
	outb(PIC1_COMMAND, OCW2_EOI);
}

bool pic_in_service(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_COMMAND : PIC2_COMMAND;

	outb(port, OCW3_READ_ISR);
	return inb(port) & (1u << (irq & 7));
}
