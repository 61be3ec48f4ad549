/* umalloc.h: the user library's heap (user/lib/malloc.c), over sbrk. Every
 * block is aligned to MALLOC_ALIGN. Named through LIB_NAME (lib/lib.h) so the
 * host test can link it beside the host's own malloc. */
#ifndef VLSOS_UMALLOC_H
#define VLSOS_UMALLOC_H

#include <stddef.h>

#include "lib.h"

#define MALLOC_ALIGN 16

void *LIB_NAME(malloc)(size_t size);
void LIB_NAME(free)(void *p);
void *LIB_NAME(calloc)(size_t count, size_t size);
void *LIB_NAME(realloc)(void *p, size_t size);

#endif
