/* string.c - memory and string primitives for the kernel (and host tests).
 * Follows ISO C11 7.24; mem* move a machine word at a time once aligned. */
#include "lib.h"

/*
 * These loops must never be turned back into calls to memcpy/memset: inside
 * memcpy that is infinite recursion.  The target build already passes
 * -fno-builtin, but the attribute keeps each function safe under any flags:
 * clang's no_builtin disables library-call idiom recognition for the
 * function, and gcc needs loop-distribute-patterns switched off (the same
 * trick glibc uses for its own string functions).
 * test/host/test_no_self_calls.sh checks the generated code.
 */
#if defined(__clang__)
#define NO_LIBCALLS __attribute__((no_builtin))
#elif defined(__GNUC__)
#define NO_LIBCALLS __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define NO_LIBCALLS
#endif

/*
 * Word accesses go through a type that may alias anything and needs no
 * alignment: x86 handles unaligned loads in hardware, and this keeps the
 * code free of strict-aliasing and alignment undefined behaviour.
 */
typedef size_t __attribute__((may_alias, aligned(1))) uword;
#define WORD sizeof(uword)

static size_t misalign(const void *p)
{
	return (uintptr_t)p & (WORD - 1);
}

/* Ascending copy; safe for overlap when dst < src (every word is loaded
 * before the store that could overwrite it). */
static NO_LIBCALLS void copy_fwd(unsigned char *d, const unsigned char *s, size_t n)
{
	while (n > 0 && misalign(d) != 0) {
		*d++ = *s++;
		n--;
	}
	for (; n >= WORD; n -= WORD, d += WORD, s += WORD)
		*(uword *)d = *(const uword *)s;
	while (n-- > 0)
		*d++ = *s++;
}

/* Descending copy for overlap with dst > src; aligns the end of dst. */
static NO_LIBCALLS void copy_bwd(unsigned char *d, const unsigned char *s, size_t n)
{
	d += n;
	s += n;
	while (n > 0 && misalign(d) != 0) {
		*--d = *--s;
		n--;
	}
	for (; n >= WORD; n -= WORD) {
		d -= WORD;
		s -= WORD;
		*(uword *)d = *(const uword *)s;
	}
	while (n-- > 0)
		*--d = *--s;
}

NO_LIBCALLS void *LIB_NAME(memcpy)(void *restrict dst, const void *restrict src, size_t n)
{
	copy_fwd(dst, src, n);
	return dst;
}

NO_LIBCALLS void *LIB_NAME(memmove)(void *dst, const void *src, size_t n)
{
	/* Compare as integers: relational operators on unrelated pointers are
     * undefined, and the regions may well be unrelated. */
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (d - s >= n) /* dst below src, or no overlap at all */
		copy_fwd(dst, src, n);
	else
		copy_bwd(dst, src, n);
	return dst;
}

NO_LIBCALLS int LIB_NAME(memcmp)(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	/* Skip equal words; the byte loop then locates the first difference,
     * which decides the sign regardless of byte order. */
	for (; n >= WORD && *(const uword *)p == *(const uword *)q; n -= WORD) {
		p += WORD;
		q += WORD;
	}
	for (; n > 0; n--, p++, q++) {
		if (*p != *q)
			return *p < *q ? -1 : 1;
	}
	return 0;
}

NO_LIBCALLS void *LIB_NAME(memset)(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	unsigned char byte = (unsigned char)c;
	size_t fill = ((size_t)-1 / 0xFF) * byte; /* byte in every lane */

	while (n > 0 && misalign(d) != 0) {
		*d++ = byte;
		n--;
	}
	for (; n >= WORD; n -= WORD, d += WORD)
		*(uword *)d = fill;
	while (n-- > 0)
		*d++ = byte;
	return dst;
}

/* The str* functions stay bytewise: reading a word could run past the
 * terminator into memory the caller never handed us. */
size_t LIB_NAME(strlen)(const char *s)
{
	const char *p = s;

	while (*p != '\0')
		p++;
	return (size_t)(p - s);
}

size_t LIB_NAME(strnlen)(const char *s, size_t maxlen)
{
	size_t i = 0;

	while (i < maxlen && s[i] != '\0')
		i++;
	return i;
}

int LIB_NAME(strcmp)(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	while (*p != '\0' && *p == *q) {
		p++;
		q++;
	}
	return (*p > *q) - (*p < *q);
}

int LIB_NAME(strncmp)(const char *a, const char *b, size_t n)
{
	const unsigned char *p = (const unsigned char *)a;
	const unsigned char *q = (const unsigned char *)b;

	for (; n > 0; n--, p++, q++) {
		if (*p != *q || *p == '\0')
			return (*p > *q) - (*p < *q);
	}
	return 0;
}

char *LIB_NAME(strchr)(const char *s, int c)
{
	char ch = (char)c; /* C 7.24.5.2: c is converted to char */

	for (;; s++) {
		if (*s == ch)
			return (char *)s;
		if (*s == '\0')
			return NULL;
	}
}
