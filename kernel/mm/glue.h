/* glue.h: kernel/mm's only contact with its surroundings (as musl mallocng's
 * glue.h is): the freestanding library, the shared error list and E820 entry,
 * and three functions the surroundings provide. The kernel's are in
 * kernel/mm_glue.c; a host test's in test/host/mm_glue.c; the host benchmark
 * has its own. No file of kernel/mm includes anything else from outside it. */
#ifndef VLSOS_MM_GLUE_H
#define VLSOS_MM_GLUE_H

#include <stddef.h>
#include <stdint.h>

#include "boot_info.h" /* struct e820_entry, as the loader records it */
#include "errors.h"
#include "lib.h"

/* Misuse (double free, foreign pointer, wrong cache) and memdebug's findings:
 * one line, no trailing newline; the allocator then goes on as if the bad call
 * had not been made. */
void mm_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Writes a code address as a report names it ("function+0x1c (0x00101234)"
 * where there is a symbol table, else the hex address) into buf. */
void mm_describe_site(char *buf, size_t len, uintptr_t site);
/* A request for `size` bytes failed although every magazine was drained and
 * every empty slab given back: what that means is the surroundings' call (the
 * kernel and the host tests print memdebug_oom_report when memdebug is on). */
void mm_out_of_memory(size_t size);

#endif
