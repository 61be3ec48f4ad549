/* ulib.h: the user library, what every program in user/bin/ includes: the
 * system calls (raw: a negative ERR_* from errors.h on failure, no errno),
 * printf and friends, string functions (lib/lib.h's and a few more), malloc.
 * include/syscall.h holds the numbers and structures (docs/processes.md). */
#ifndef VLSOS_ULIB_H
#define VLSOS_ULIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "lib.h"
#include "syscall.h"
#include "ucmd.h"
#include "umalloc.h"
#include "usys.h"
#include "vm_layout.h"

/* ---- user/lib/syscall.c: conveniences ---- */
void exit(int status) __attribute__((noreturn)); /* flushes nothing: output is never held */
void abort(void) __attribute__((noreturn));      /* "abort" on stderr, exit(ABORT_STATUS) */
#define ABORT_STATUS 134
uint64_t uptime_ns(void); /* 0 when the call fails */
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}
/* n / d with 32-bit divisions only (no libgcc here); d must not be 0 */
uint64_t udiv64_32(uint64_t n, uint32_t d);

/* ---- lib/errors.c (through lib.h): error_name(ERR_BADF) = "bad file descriptor" ---- */

/* ---- user/lib/stdio.c: output. A call's output goes out by its last
 * newline at the latest (each call flushes before it returns); write errors
 * are ignored. ---- */
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int fprintf(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int vfprintf(int fd, const char *fmt, va_list ap);
int puts(const char *s); /* s and a newline */
int putchar(int c);

/* ---- user/lib/ustring.c: beyond lib/string.c ---- */
char *strcpy(char *restrict dst, const char *restrict src);
char *strncpy(char *restrict dst, const char *restrict src, size_t n);
char *strcat(char *restrict dst, const char *restrict src);
char *strrchr(const char *s, int c);
unsigned long strtoul(const char *restrict s, char **restrict end, int base);
int atoi(const char *s);

#endif
