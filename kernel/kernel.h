/* kernel.h: what the files in kernel/ export to each other: panic, the boot report, the
 * command line and the in-kernel tests. */
#ifndef VLSOS_KERNEL_H
#define VLSOS_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot_info.h"

#define VLSOS_VERSION "0.1"

/* panic.c: "PANIC: <where>: <what>", then halt (or leave QEMU when testing).
 * A CPU exception's registers are kernel/arch/trap.c's (trap_panic). */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_exit_qemu_on_panic(bool on);
/* leaves QEMU (isa-debug-exit) with that verdict when the command line asked
 * for it (`test` or `exit`); otherwise returns */
void qemu_exit_if_asked(bool passed);

/* stack_protector.c: the guard -fstack-protector-strong compares, from a boot's
 * TSC (kernel/arch/cpu.c reads it; called before kmain, nothing checked under way) */
void stack_protector_seed(uint64_t tsc);

/* cmdline.c */
bool cmdline_has(const struct boot_info *bi, const char *word);
const char *cmdline_rest(const struct boot_info *bi, const char *key);

/* report.c: the CPU, and the seed's memory tables measured on this machine */
struct cpu_info;
void report_cpu(const struct cpu_info *cpu);
void report_memory_layout(const struct boot_info *bi);
void report_memory_usage(const struct boot_info *bi);
void report_memory_accounting(void);

/* memory.c: the seed's memory interface and kernel/mm's bring-up over the E820 map */
enum page_owner { /* who took a page through page_alloc_zeroed */
		  PAGE_OWNER_PAGE_TABLES,
		  PAGE_OWNER_OTHER,
		  PAGE_OWNER_KERNEL_STACKS,
		  PAGE_OWNER_COUNT
};
enum reserved_reason {                       /* why a usable frame is never handed out */
		       RESERVED_BIOS_LOADER, /* page 0 (IVT, BDA), boot_info, the loader's code, EBDA */
		       RESERVED_BOOT_STACK,  /* the seed's boot stack and the guard page below it */
		       RESERVED_BIOS_CALL,   /* bios_call's trampoline and the bounce buffer */
		       RESERVED_CONSOLE,     /* the screen's scrollback, the boot report's copy */
		       RESERVED_KERNEL,      /* KERNEL.BIN's image and .bss */
		       RESERVED_EARLY_HEAP,  /* what the linear allocator handed out before the rest */
		       RESERVED_DESCRIPTORS, /* the page allocator's struct page array and live map */
		       RESERVED_COUNT
};
struct memory_accounting { /* bytes; the parts add up to `usable` exactly */
	uint64_t usable;   /* E820 usable, sanitised */
	uint64_t free, slab, large, page_tables, other;
	uint64_t free_high;     /* free frames above the direct map: user pages only */
	uint64_t user;          /* frames mapped in processes, from either zone */
	uint64_t kernel_stacks; /* processes' kernel stacks */
	uint64_t reserved[RESERVED_COUNT];
	uint64_t partial;                       /* usable bytes in pages only partly usable */
	uint64_t above_4g;                      /* usable RAM a 32-bit kernel does not manage */
	uint64_t zone_allocated, zone_reserved; /* the zone's own counters, to cross-check */
};
struct buddy_zone;

/* VLSOS_MEMDEBUG=1 builds (build.sh) have memdebug on whatever the command line says */
#ifdef VLSOS_MEMDEBUG
#define MEMDEBUG_ALWAYS true
#else
#define MEMDEBUG_ALWAYS false
#endif

void memory_map_init(const struct boot_info *bi);        /* sanitises the loader's E820 map */
const struct e820_entry *memory_map(unsigned *count);    /* the sanitised map */
void memory_init(const struct boot_info *bi);            /* PANIC when the heap is not RAM */
void memory_init_allocators(const struct boot_info *bi); /* buddy, slab, kmalloc over all RAM */
void *page_alloc_zeroed(enum page_owner owner);          /* one 4 KiB page, or NULL */
void page_free(void *page, enum page_owner owner);
/* A frame for a user page: above the direct map (vm_layout.h) while there
 * are any, else from the kernel's zone; its physical address, or 0 when RAM
 * is out. Not zeroed: paging_kmap it to write it. */
uint32_t user_frame_alloc(void);
void user_frame_free(uint32_t phys);
uint64_t user_frames_free_bytes(void); /* what user_frame_alloc can still give, both zones */
struct page;
struct page *user_frame_page(uint32_t phys); /* a frame's descriptor (mm/page.h) */
/* every frame of both zones, numbered from 0 (the direct zone's first): its
 * descriptor and its physical address (reclaim.c's clock turns over them) */
uint32_t memory_frame_count(void);
struct page *memory_frame(uint32_t i, uint32_t *phys);
/* the zones' free blocks by order, for meminfo: how many were filled */
struct vls_zone_info;
unsigned memory_zone_info(struct vls_zone_info *out, unsigned max);
struct buddy_zone *memory_zone(void);
void memory_accounting(struct memory_accounting *out);
/* report.c: the accounting as named rows, which add up to usable */
#define ACCOUNTING_ROWS_MAX (10 + RESERVED_COUNT)
struct accounting_row {
	const char *name;
	uint64_t bytes;
};
unsigned memory_accounting_rows(const struct memory_accounting *a, struct accounting_row *rows);
void *malloc(size_t size);
void free(void *ptr);
void *calloc(size_t count, size_t size);
void *realloc(void *ptr, size_t size);
void *kalloc_early(size_t size, size_t align); /* linear heap, before the allocators */
size_t heap_used(void);
size_t heap_free(void);
uintptr_t heap_start(void);
uintptr_t heap_end(void);

/* mm_glue.c: the kernel's end of kernel/mm/glue.h (mm_report and the rest);
 * how many reports mm_report has printed (the KTAP suites' misuse cases count them) */
unsigned long mm_report_count(void);

/* What the command line asks of the in-kernel tests, before "VlsOs ready":
 * `test` runs every suite and `bench` the allocator benchmark, each then
 * leaving QEMU; a crash word of the test kernel ends the boot. Returns when
 * nothing of the sort was asked. The test and bench kernels (build.sh,
 * VLSOS_KTEST) have it in tests/ktest.c; the production kernel leaves
 * kernel/tests/ out and only says so (tests_absent.c). */
#ifdef VLSOS_KTEST
void ktest_on_request(const struct boot_info *bi);
#else
void tests_absent_on_request(const struct boot_info *bi);
/* always_inline: at -Os clang kept this as a function, a call to a call */
static inline __attribute__((always_inline)) void ktest_on_request(const struct boot_info *bi)
{
	tests_absent_on_request(bi);
}
#endif

/* disks.c: the BIOS's disks as block devices, their partitions, the buffer
 * cache, and the boot volume: the FAT volume on the disk whose signature the
 * build wrote (its active partition, or the whole disk on a floppy), mounted
 * read-only. Reports each in the boot log; without a boot volume the kernel
 * goes on. */
struct fat_volume;
struct block_device;
void disks_init(const struct boot_info *bi);
/* Copies the sectors the loader left for the boot drive (boot_info.kept) for
 * disks_init's buffer cache: before the memory set-up, which frees their place. */
void disks_keep_loader_sectors(const struct boot_info *bi);
struct fat_volume *boot_volume(void);          /* NULL when none was mounted */
struct block_device *boot_volume_device(void); /* the device it is on */
/* the line that explains a FAT call's error: the device's for ERR_IO, else the volume's */
const char *boot_volume_error(int err);

/* clock.c: monotonic time since clock_init, in ns (the TSC measured against
 * the PIT where there is one, else the PIT's ticks) */
/* The TSC's rate is measured from clock_start_measuring (after cpu_detect) to
 * clock_init, at least 10 ms, while the boot goes on; no BIOS calls between. */
void clock_start_measuring(void);
void clock_init(void); /* starts the tick (pit.c) and says which clock it is */
uint64_t clock_ns(void);
uint32_t clock_tsc_khz(void);     /* 0 without a TSC clock */
void clock_sleep_ns(uint64_t ns); /* waits with interrupts on, then as the caller had them */

/* boot_stamps.c: the TSC at each step of the boot (stage 2's from the boot_info),
 * printed on COM1 after the first output of a user program when BOOT.CFG has
 * `stamps`. Without a TSC (stage 2 recorded none) a stamp does nothing. */
void boot_stamps_start(const struct boot_info *bi); /* before the kernel's first stamp */
void boot_stamp(const char *name);                  /* up to 24; name must stay valid */
bool boot_stamps_first_output(void);                /* stamps it; true the first time only */
void boot_stamps_print_if_asked(void);

/* linker symbols (kernel/linker.ld) */
extern char __kernel_start[], __kernel_end[], __kernel_image_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __bss_start[], __bss_end[];

#endif
