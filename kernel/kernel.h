/* kernel.h: what the files in kernel/ export to each other: panic, the boot report, the
 * command line and the in-kernel tests. */
#ifndef VLSOS_KERNEL_H
#define VLSOS_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "boot_info.h"

#define VLSOS_VERSION "0.1"

struct trap_frame;

/* panic.c: "PANIC: <where>: <what>", then halt (or leave QEMU when testing) */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_trap(const struct trap_frame *frame) __attribute__((noreturn));
void panic_exit_qemu_on_panic(bool on);

/* cmdline.c */
bool cmdline_has(const struct boot_info *bi, const char *word);

/* report.c: the CPU, and the seed's memory tables measured on this machine */
struct cpu_info;
void report_cpu(const struct cpu_info *cpu);
void report_memory_layout(const struct boot_info *bi);
void report_memory_usage(const struct boot_info *bi);
void report_memory_accounting(void);

/* tests/ktest.c: runs every in-kernel suite, prints KTAP, returns true when all passed */
bool ktest_run_all(const struct boot_info *bi);
/* tests/test_hardening.c (test kernels only): the crash words that show the
 * stack protector and the stack guard at work */
void hardening_crash_on_request(const struct boot_info *bi);

/* linker symbols (kernel/linker.ld) */
extern char __kernel_start[], __kernel_end[], __kernel_image_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __bss_start[], __bss_end[];

#endif
