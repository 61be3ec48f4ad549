/* kernel.h: what the files in kernel/ export to each other: panic, the boot report, the
 * command line and the in-kernel tests. */
#ifndef VLSOS_KERNEL_H
#define VLSOS_KERNEL_H

#include <stdbool.h>
#include <stdint.h>

#include "boot_info.h"

#define VLSOS_VERSION "0.1"

/* panic.c: "PANIC: <where>: <what>", then halt (or leave QEMU when testing).
 * A CPU exception's registers are kernel/arch/trap.c's (trap_panic). */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void panic_exit_qemu_on_panic(bool on);

/* stack_protector.c: the guard -fstack-protector-strong compares, from a boot's
 * TSC (kernel/arch/cpu.c reads it; called before kmain, nothing checked under way) */
void stack_protector_seed(uint64_t tsc);

/* cmdline.c */
bool cmdline_has(const struct boot_info *bi, const char *word);

/* report.c: the CPU, and the seed's memory tables measured on this machine */
struct cpu_info;
void report_cpu(const struct cpu_info *cpu);
void report_memory_layout(const struct boot_info *bi);
void report_memory_usage(const struct boot_info *bi);
void report_memory_accounting(void);

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

/* linker symbols (kernel/linker.ld) */
extern char __kernel_start[], __kernel_end[], __kernel_image_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __bss_start[], __bss_end[];

#endif
