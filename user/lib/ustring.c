/* ustring.c: the string functions programs commonly need beyond lib/string.c
 * (ISO C 7.24 and 7.22.1); the kernel has no use for them, so they live here. */
#include "ulib.h"

char *strcpy(char *restrict dst, const char *restrict src)
{
	return memcpy(dst, src, strlen(src) + 1);
}

char *strncpy(char *restrict dst, const char *restrict src, size_t n)
{
	size_t len = strnlen(src, n);

	memcpy(dst, src, len);
	memset(dst + len, 0, n - len); /* ISO C pads with NULs to n */
	return dst;
}

char *strcat(char *restrict dst, const char *restrict src)
{
	strcpy(dst + strlen(dst), src);
	return dst;
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	do {
		if (*s == (char)c)
			last = s;
	} while (*s++ != '\0');
	return (char *)last;
}

static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 36; /* above every base */
}

/* Base 0 takes 0x as hex and a leading 0 as octal; a value past ULONG_MAX
 * gives ULONG_MAX (there is no errno to set). */
unsigned long strtoul(const char *restrict s, char **restrict end, int base)
{
	const char *p = s;
	bool negative = false, any = false, overflow = false;
	unsigned long value = 0;

	while (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		p++;
	if (*p == '+' || *p == '-')
		negative = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = *p == '0' ? 8 : 10;
	}
	if (base < 2 || base > 36) {
		if (end)
			*end = (char *)s;
		return 0;
	}
	for (int d; (d = digit_value(*p)) < base; p++) {
		any = true;
		if (value > (~0UL - (unsigned long)d) / (unsigned long)base)
			overflow = true;
		value = value * (unsigned long)base + (unsigned long)d;
	}
	if (end)
		*end = (char *)(any ? p : s);
	if (overflow)
		return ~0UL;
	return negative ? -value : value;
}

int atoi(const char *s)
{
	return (int)strtoul(s, NULL, 10);
}
