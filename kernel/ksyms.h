/* ksyms.h: the kernel's function names at run time, for reports such as
 * "allocated at kmalloc_test+0x1c". The table is made at build time from the
 * kernel's own ELF (tools/ksyms.py, build.sh) and lives at the end of .rodata. */
#ifndef VLSOS_KSYMS_H
#define VLSOS_KSYMS_H

#include <stddef.h>
#include <stdint.h>

/* "name+0xffffffff" fits with a name of up to this many characters */
#define KSYM_TEXT_MAX 64

/* The function containing addr, NULL when addr is in none (outside .text, or
 * the table is empty); *offset (if not NULL) gets addr minus its start. */
const char *ksym_lookup(uint32_t addr, uint32_t *offset);

/* "name+0xoff" (or "name" at offset 0), else the bare "0x%08x"; returns buf. */
const char *ksym_format(char *buf, size_t size, uint32_t addr);

/* The same for a return address: names the function that made the call. A
 * call to a noreturn function can be its caller's last instruction, so the
 * return address may already be the next function's first byte; ret - 1 is
 * looked up and the offset printed is ret's. */
const char *ksym_format_return(char *buf, size_t size, uint32_t ret);

/* ksym_format through kprintf */
void ksym_print(uint32_t addr);

/* The same lookup on any table in tools/ksyms.py's format (the host test's);
 * NULL also when the table's magic is wrong. */
const char *ksym_lookup_in(const void *table, uint32_t addr, uint32_t *offset);

#endif
