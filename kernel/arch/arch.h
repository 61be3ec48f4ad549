/* arch.h: what only an i386 knows, for the rest of the kernel. Port I/O,
 * control registers, descriptor tables, exceptions (Intel SDM vol. 3A). */
#ifndef VLSOS_ARCH_H
#define VLSOS_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#include "bios_call.h"

/* io.c-free inline port I/O */
static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;
	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline void outw(uint16_t port, uint16_t value)
{
	__asm__ volatile("outw %0, %1" : : "a"(value), "Nd"(port));
}

/* control registers */
#define CR0_PE 0x00000001u /* protected mode */
#define CR0_WP 0x00010000u /* ring 0 honours read-only pages */
#define CR0_PG 0x80000000u /* paging */

static inline uint32_t read_cr0(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

static inline void write_cr0(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint32_t read_cr2(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint32_t read_cr3(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void invlpg(uint32_t addr)
{
	__asm__ volatile("invlpg (%0)" : : "r"(addr) : "memory");
}

/* Maskable interrupts off (an NMI still comes), for the panic paths */
static inline void arch_disable_interrupts(void)
{
	__asm__ volatile("cli" : : : "memory");
}

static inline void __attribute__((noreturn)) arch_halt_forever(void)
{
	for (;;)
		__asm__ volatile("cli; hlt");
}

/* QEMU's isa-debug-exit device, which the test runner adds as `-device
 * isa-debug-exit,iobase=0xf4,iosize=0x04`: QEMU exits with status
 * (value << 1) | 1; on real hardware the write does nothing. Inline, so that
 * panic.c, below kernel/arch, can leave QEMU without calling up into it. */
#define ISA_DEBUG_EXIT_PORT 0xf4
#define QEMU_EXIT_PASSED 0x10 /* QEMU exit status 33 */
#define QEMU_EXIT_FAILED 0x11 /* QEMU exit status 35 */

static inline void qemu_exit(bool passed)
{
	outb(ISA_DEBUG_EXIT_PORT, passed ? QEMU_EXIT_PASSED : QEMU_EXIT_FAILED);
}

/* cpu.c: CPUID, asked once at boot */
struct cpu_info {
	bool has_cpuid;
	uint32_t max_leaf;
	char vendor[13];
	unsigned family, model;
	bool tsc, pse, pae, cx8, cmov, nx;
};
const struct cpu_info *cpu_detect(void);
const struct cpu_info *cpu_info(void);
void cpu_seed_stack_guard(void); /* called by entry.asm, before kmain */

/* the time-stamp counter: only where cpu_info()->tsc */
static inline uint64_t read_tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* gdt.c */
#define SEL_KERNEL_CODE 0x08
#define SEL_KERNEL_DATA 0x10
#define SEL_BIOS_CODE16 0x28 /* bios_call's way down to real mode (after tss.h's two) */
#define SEL_BIOS_DATA16 0x30
#define SEL_USER_CODE 0x38 /* ring 3's flat segments; a selector for ring 3 adds RPL_USER */
#define SEL_USER_DATA 0x40
#define RPL_USER 3
void gdt_init(void);

#define TRAP_VECTORS 32 /* the CPU's own exceptions, 0-31: a gate and a name for each */

/* isr.asm: each vector's entry stub, and the registers a stub saves, in push
 * order reversed */
extern const uint32_t isr_table[TRAP_VECTORS];
extern const uint32_t irq_table[16]; /* IRQ 0-15, at PIC_KERNEL_BASE */
extern const char isr_syscall[];     /* int 0x80 */
extern const char trap_return[];     /* restores a trap frame and irets */
/* The frame isr.asm builds. user_esp and user_ss are there only when the
 * trap came from ring 3 (the CPU pushes them on the switch to the kernel's
 * stack); from ring 0 the interrupted code's stack goes on where they lie. */
struct trap_frame {
	uint32_t edi, esi, ebp, esp_at_trap, ebx, edx, ecx, eax;
	uint32_t gs, fs, es, ds;
	uint32_t vector, error_code;
	uint32_t eip, cs, eflags;
	uint32_t user_esp, user_ss;
};

static inline bool trap_from_user(const struct trap_frame *frame)
{
	return (frame->cs & RPL_USER) != 0;
}

/* ESP as it was when the trap came: the user's, or the kernel's just above
 * the words the CPU pushed */
static inline uint32_t trap_esp(const struct trap_frame *frame)
{
	return trap_from_user(frame) ? frame->user_esp : (uint32_t)&frame->user_esp;
}

/* isr.asm: the context switch (proc.c says how it is used) */
void arch_switch(uint32_t *save_esp, uint32_t esp);

/* A handler returns true when it dealt with the exception (execution resumes
 * at frame->eip, which it may change), false to let the exception panic. */
typedef bool (*trap_handler_fn)(struct trap_frame *frame);

/* idt.c: a gate for each vector to its stub in isr.asm */
void idt_init(void);

/* trap.c: what an exception does; one nobody claims panics with its registers.
 * Exceptions from ring 3 go to the user handler instead (the processes' code,
 * which resolves or kills and never panics); int 0x80 to the system-call
 * handler; and every trap that returns to ring 3 passes the return hook last
 * (where a process is switched away from or ends). */
/* returns the handler it replaces, so a caller can put it back */
trap_handler_fn trap_set_handler(unsigned vector, trap_handler_fn handler);
const char *trap_name(unsigned vector);
void trap_dispatch(struct trap_frame *frame); /* called by isr.asm */
void trap_set_user_handler(trap_handler_fn handler);
void trap_set_syscall_handler(void (*handler)(struct trap_frame *frame));
void trap_set_user_return(void (*hook)(struct trap_frame *frame));
/* "PANIC: CPU exception ..." with the frame's registers and CR0/CR2/CR3, then
 * the generic panic()'s halt */
void trap_panic(const struct trap_frame *frame) __attribute__((noreturn));

#define VECTOR_PAGE_FAULT 14

/* paging.c: the seed's paging interface, on PAE tables with NX where the CPU
 * has both (Intel SDM vol. 3A 4.4), else on 32-bit tables (4.3) */
#define CR4_PAE 0x00000020u  /* 64-bit entries, three levels */
#define MSR_EFER 0xC0000080u /* extended feature enable register */
#define EFER_NXE 0x00000800u /* entries' bit 63 means no-execute, not reserved */

static inline uint32_t read_cr4(void)
{
	uint32_t v;
	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

static inline void write_cr4(uint32_t v)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

#define PF_PRESENT 0x01u /* page fault error code: a protection violation, not a missing page */
#define PF_WRITE 0x02u   /* ... on a write */
#define PF_FETCH 0x10u   /* ... on an instruction fetch (only reported with NX) */

#define PAGING_NOT_MAPPED 0xFFFFFFFFu /* virt_to_phys/phys_to_virt: no mapping */
#define PAGE_FLAG_WRITABLE 0x002u     /* map_page flags */
#define PAGE_FLAG_EXECUTABLE 0x200u   /* without it map_page's page is NX (under PAE) */
#define PAGE_FLAG_USER 0x004u         /* ring 3 may use the page (paging_space_map sets it) */
void paging_init(void);               /* identity map of RAM, seed permissions; says which tables */
void paging_enable(void);             /* CR4.PAE and EFER.NXE (PAE), CR3, CR0.PG and CR0.WP */
bool paging_is_enabled(void);         /* this and paging_table_pages: paging_tables.c */
bool paging_has_nx(void);             /* PAE tables with NX: data cannot be executed */
const char *
paging_nx_missing(void); /* what the CPU lacks for NX ("PAE or NX", "NX"...), NULL: nothing */
int map_page(uint32_t virt, uint32_t phys, uint32_t flags); /* 0, ERR_EXIST, ERR_NOMEM, ERR_INVAL */
int unmap_page(uint32_t virt);        /* 0, ERR_NOTMAPPED, ERR_INVAL; flushes the TLB entry */
uint32_t virt_to_phys(uint32_t virt); /* walks the tables */
uint32_t phys_to_virt(uint32_t phys); /* identity where mapped */
bool paging_is_writable(uint32_t virt);
bool paging_is_executable(uint32_t virt); /* mapped, and not NX; true for everything without paging */
/* bytes the mapping that holds virt covers: 4 KiB, or a large page's 4 MiB
 * (2 MiB under PAE); 0 when virt is not mapped or paging is off */
uint32_t paging_mapping_size(uint32_t virt);
unsigned paging_table_pages(void); /* page directories + tables (PAE's 32-byte PDPT is in .bss) */
const char *paging_region_name(uint32_t addr);
bool page_fault_report(struct trap_frame *frame) __attribute__((noreturn));
/* Address spaces (vm_layout.h): each shares the kernel's parts of the map and
 * has its own user part. map_page, unmap_page and virt_to_phys act on the
 * live space's user part and on the kernel's tables elsewhere. A space is a
 * handle (its root table); NULL stands for the kernel's own tables. */
void *paging_space_create(void); /* NULL: no memory */
/* free_frame gets every frame still mapped in the user part */
void paging_space_destroy(void *space, void (*free_frame)(uint32_t phys));
void paging_space_switch(void *space); /* CR3 */
void *paging_live_space(void);
/* a user page (PAGE_FLAG_USER added): 0, ERR_EXIST, ERR_NOMEM, ERR_INVAL outside user space */
int paging_space_map(void *space, uint32_t virt, uint32_t phys, uint32_t flags);
uint32_t paging_space_unmap(void *space, uint32_t virt); /* the frame, or PAGING_NOT_MAPPED */
/* virt's physical address and PAGE_FLAG_* (present pages); PAGING_NOT_MAPPED */
uint32_t paging_space_lookup(void *space, uint32_t virt, uint32_t *flags);
/* A user page that is not present may hold a value of the kernel's in its
 * entry (bit 0, present, clear; swap.c's slot marks): the value, or 0 */
uint32_t paging_space_absent(void *space, uint32_t virt);
/* Replaces virt's entry, present or not, with VALUE (present bit clear; 0 for
 * nothing): the frame it mapped, or PAGING_NOT_MAPPED */
uint32_t paging_space_set_absent(void *space, uint32_t virt, uint32_t value);
/* Reads and clears a present user page's accessed bit: PAGING_AGE_* of what
 * the entry said, or ERR_NOTMAPPED */
#define PAGING_AGE_ACCESSED 0x1
#define PAGING_AGE_DIRTY 0x2
int paging_space_age(void *space, uint32_t virt);
/* A frame the kernel can read and write: its own address in the direct map,
 * else mapped at one of 4 fixed pages (slot 0-3) until that slot's next use.
 * Each user has a slot of its own, so that none unmaps another's page: a
 * fault's page can be written to swap while the loader fills another. */
enum kmap_slot { KMAP_FAULT, KMAP_LOADER, KMAP_PHYSREAD, KMAP_RECLAIM };
void *paging_kmap(unsigned slot, uint32_t phys);
uint32_t paging_kernel_area_start(void); /* the kernel area's first page after the kmap slots */
void *paging_kmap_slot(unsigned slot, uint32_t phys); /* the same, always through the slot */
unsigned paging_space_table_pages(void *space);       /* the space's own table pages */
/* The entries a walk of space's tables (NULL: the kernel's) for virt reads, top
 * level first (PDPTE, PDE, PTE), and each one's table's physical address;
 * returns how many it read, *levels how many a walk to a 4 KiB page reads. */
unsigned paging_walk(void *space, uint32_t virt, uint64_t *entries, uint32_t *table_addrs,
		     unsigned *levels);

/* two bytes of ud2 in .data: executing them faults under NX, else raises #UD */
extern uint8_t paging_exec_probe[];

/* pic.c: the two 8259s (Intel 8259A data sheet). The BIOS leaves them at
 * vectors 08h and 70h, where IRQ 0-7 would land on CPU exceptions; the kernel
 * moves them to PIC_KERNEL_BASE and masks every IRQ (no device interrupts are
 * used yet: a driver unmasks its line with pic_unmask). bios_call puts the
 * BIOS's bases and masks back while the BIOS runs. */
#define PIC_KERNEL_BASE 0x20 /* IRQ 0-7 at 20h-27h, IRQ 8-15 at 28h-2Fh */
#define PIC_IRQS 16
void pic_init(uint16_t bios_masks); /* the BIOS's masks, as the loader found them */
void pic_unmask(unsigned irq);
void pic_mask(unsigned irq);
uint16_t pic_kernel_mask(void);    /* bit n: IRQ n masked in the kernel's state */
uint16_t pic_bios_mask(void);      /* ... in the BIOS's, as it last left it */
uint16_t pic_read_mask(void);      /* ... in the 8259s now */
void pic_enter_bios(void);         /* bios_call, interrupts off: the BIOS's state */
void pic_eoi(unsigned irq);        /* end of interrupt: to the slave too for IRQ 8-15 */
bool pic_in_service(unsigned irq); /* the in-service bit: false for a spurious IRQ 7/15 */

/* irq.c: what an IRQ does. A handler runs with interrupts off and the IRQ's
 * line not yet acknowledged; irq.c sends the EOI after it. A spurious IRQ 7 or
 * 15 (the 8259 raised INTR, then found nothing in service) runs no handler and
 * is counted. */
typedef void (*irq_handler_fn)(unsigned irq);
void irq_set_handler(unsigned irq, irq_handler_fn handler); /* and unmasks the line */
void irq_dispatch(struct trap_frame *frame);                /* trap.c, for vectors 32-47 */
uint64_t irq_count(unsigned irq);
uint64_t irq_spurious_count(unsigned irq); /* 7 or 15 */
/* irq's handler also runs after every BIOS call (it must do nothing when its
 * device has nothing): bios_call calls irq_poll with interrupts off */
void irq_poll_after_bios(unsigned irq);
void irq_poll(void);

static inline void arch_enable_interrupts(void)
{
	__asm__ volatile("sti" : : : "memory");
}

/* Waits for the next interrupt with interrupts on, forever: the idle loop */
static inline void __attribute__((noreturn)) arch_idle_forever(void)
{
	for (;;)
		__asm__ volatile("sti; hlt" : : : "memory");
}

/* n / d where the quotient may need 64 bits, with 32-bit divisions only (the
 * kernel links no libgcc) */
static inline uint64_t arch_div64_32(uint64_t n, uint32_t d)
{
	uint32_t hi = (uint32_t)(n >> 32), q_lo, rem;

	__asm__("divl %4" : "=a"(q_lo), "=d"(rem) : "a"((uint32_t)n), "d"(hi % d), "rm"(d));
	return (uint64_t)(hi / d) << 32 | q_lo;
}

/* pit.c: the 8254 timer. Channel 0 ticks the kernel at PIT_HZ; while the BIOS
 * runs (bios_call) it runs at the BIOS's 18.2 Hz, which the BIOS's own counts
 * and timeouts assume. Channel 2 measures the TSC's rate. */
#define PIT_INPUT_HZ 1193182
#define PIT_HZ 100   /* 10 ms a tick */
void pit_init(void); /* channel 0 at PIT_HZ, IRQ 0 counting ticks */
uint64_t pit_ticks(void);
void pit_set_tick_hook(void (*hook)(void)); /* called on every kernel tick, in the IRQ */
void pit_enter_bios(void);                  /* bios_call: the BIOS's rate */
void pit_leave_bios(void);                  /* and the kernel's */
/* The TSC's rate against channel 2: open the window, go on with the boot (no
 * BIOS calls, which may use channel 2), then close it: it waits until at least
 * 10 ms have passed and measures again when more than 55 ms did. kHz; 0 when
 * channel 2 never counted. pit_measure_tsc_khz is the two at once. */
void pit_tsc_window_open(void);
uint32_t pit_tsc_window_close(void);
uint32_t pit_measure_tsc_khz(void);
void pic_leave_bios(void); /* and back to the kernel's */

/* bios_call.c: a BIOS interrupt from protected mode. Drops to real mode in the
 * trampoline below 1 MiB (disk.img.layout's bios_call region), runs INT vector
 * with in's registers (the BIOS sees DS and ES from in, IF on), and comes back
 * with paging, GDT, IDT, PICs and the interrupt flag as they were and A20 on;
 * out gets every register the BIOS left, of which a caller trusts only what the
 * call documents. Buffers the BIOS reads or writes must be below 1 MiB:
 * bios_bounce() (disk.img.layout's bounce region, 64 KiB aligned) and
 * bios_scratch() (a small area in the trampoline, for DAPs and parameter
 * blocks). Not reentrant: interrupt handlers must not call it. */
void bios_call_init(void); /* copies the trampoline; before the first call */
void bios_call(uint8_t vector, const struct bios_regs *in, struct bios_regs *out);
void *bios_bounce(uint32_t *size); /* the bounce buffer and its size */
void *bios_scratch(uint32_t *size);
uint16_t bios_segment(const void *p); /* real-mode segment:offset of a buffer below 1 MiB */
uint16_t bios_offset(const void *p);
struct bios_call_stats {
	uint64_t calls;
	uint64_t cycles; /* TSC cycles inside bios_call, all calls (0 without a TSC) */
	uint32_t a20_repairs;
	uint64_t bios_ticks; /* the BIOS's 18.2 Hz ticks that passed inside calls */
};
void bios_call_stats(struct bios_call_stats *out);

/* jump.asm: a setjmp/longjmp pair, so a test can survive a fault it provokes */
struct jump_state {
	uint32_t ebx, esi, edi, ebp, esp, eip;
};
int arch_setjmp(struct jump_state *state) __attribute__((returns_twice));
void arch_longjmp(struct jump_state *state, int value) __attribute__((noreturn));

#endif
