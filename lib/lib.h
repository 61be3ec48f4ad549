/* lib.h - the freestanding C library shared by the kernel and host tests.
 * C11; string functions follow ISO C 7.24, snprintf/vsnprintf follow 7.21.6.
 * Only the compiler's freestanding headers may be included here. */
#ifndef VLSOS_LIB_H
#define VLSOS_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Naming: functions that share a name with the hosted C library (or zlib)
 * are declared through LIB_NAME(x).  On the target LIB_NAME(x) is plain `x`,
 * so the kernel gets the standard names the compiler emits calls to
 * (memcpy, memset).  Built with -DLIB_HOST, LIB_NAME(x) is `lib_x`, so a host
 * test can link lib/ and glibc into one program and compare lib_memcpy
 * against memcpy.  Always call these through LIB_NAME() inside lib/.
 */
#ifdef LIB_HOST
#define LIB_NAME(x) lib_##x
#else
#define LIB_NAME(x) x
#endif

/* ---- lib/string.c ---- */
void *LIB_NAME(memcpy)(void *restrict dst, const void *restrict src, size_t n);
void *LIB_NAME(memmove)(void *dst, const void *src, size_t n);
int LIB_NAME(memcmp)(const void *a, const void *b, size_t n);
void *LIB_NAME(memset)(void *dst, int c, size_t n);
size_t LIB_NAME(strlen)(const char *s);
size_t LIB_NAME(strnlen)(const char *s, size_t maxlen);
int LIB_NAME(strcmp)(const char *a, const char *b);
int LIB_NAME(strncmp)(const char *a, const char *b, size_t n);
char *LIB_NAME(strchr)(const char *s, int c);

/* ---- lib/format.c ---- */
/*
 * Conversions: %s %c %d %i %u %x %X %p %%; flags '-' and '0'; width as a
 * number or '*'; precision ('.N' or '.*') for %s and the integer
 * conversions; length modifiers hh h l ll z.  %p is "0x" followed by
 * 2*sizeof(void *) hex digits.  A NULL %s prints "(null)".  An unknown
 * conversion is copied to the output literally, e.g. "%q" -> "%q".
 */
typedef void (*format_sink_fn)(char c, void *ctx);
int format(format_sink_fn sink, void *ctx, const char *fmt, va_list ap);
int LIB_NAME(vsnprintf)(char *restrict buf, size_t size, const char *restrict fmt, va_list ap);
int LIB_NAME(snprintf)(char *restrict buf, size_t size, const char *restrict fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---- lib/kprintf.c ---- */
typedef void (*kprintf_write_fn)(const char *s, size_t n);
void kprintf_set_output(kprintf_write_fn write);
int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);

/* ---- lib/crc32.c ---- */
/* `crc` is the value returned by the previous call; start with 0. */
uint32_t LIB_NAME(crc32_update)(uint32_t crc, const void *buf, size_t len);
uint32_t LIB_NAME(crc32)(const void *buf, size_t len);

/* ---- lib/errors.c ---- */
/* A short name for a negative ERR_* (errors.h), "unknown error" for anything else. */
const char *error_name(int err);

/* ---- lib/e820.c ---- */
/* "usable", "reserved", "ACPI reclaimable", "ACPI NVS", "bad memory" for the
 * E820_* types of boot_info.h, "unknown type" for anything else. */
const char *e820_type_name(uint32_t type);

#endif /* VLSOS_LIB_H */
