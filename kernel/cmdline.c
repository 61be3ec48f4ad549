/* cmdline.c: the kernel command line, from BOOT.CFG via the loader. Words are
 * separated by spaces. */
#include "kernel.h"
#include "lib.h"

bool cmdline_has(const struct boot_info *bi, const char *word)
{
	size_t len = strlen(word);
	const char *p = bi->cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		const char *end = p;
		while (*end && *end != ' ')
			end++;
		if ((size_t)(end - p) == len && memcmp(p, word, len) == 0)
			return true;
		p = end;
	}
	return false;
}

/* The rest of the line after the first word that starts with key (say
 * "init="), which may hold spaces: such a word comes last. NULL when absent. */
const char *cmdline_rest(const struct boot_info *bi, const char *key)
{
	size_t len = strlen(key);
	const char *p = bi->cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, len) == 0)
			return p + len;
		while (*p && *p != ' ')
			p++;
	}
	return NULL;
}
