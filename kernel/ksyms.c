/* ksyms.c: looks an address up in the symbol table tools/ksyms.py generates
 * (its docstring has the format). Plain C on a byte table, so the host test
 * (test/host/test_ksyms.sh) runs this very code on the generator's output. */
#include "ksyms.h"
#include "lib.h"

#define KSYM_MAGIC 0x4D59534Bu /* "KSYM" read as a little-endian u32 */

struct ksym_header {
	uint32_t magic;
	uint32_t count;
	uint32_t end; /* __text_end: the last function stops here */
	uint32_t addr[];
};

const char *ksym_lookup_in(const void *table, uint32_t addr, uint32_t *offset)
{
	const struct ksym_header *h = table;

	if (!h || h->magic != KSYM_MAGIC || h->count == 0)
		return NULL;
	if (addr < h->addr[0] || addr >= h->end)
		return NULL;
	/* the last entry at or below addr: a function runs to the next one's start */
	uint32_t lo = 0, hi = h->count;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (h->addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	const uint16_t *name_offset = (const uint16_t *)&h->addr[h->count];
	const char *names = (const char *)&name_offset[h->count];
	if (offset)
		*offset = addr - h->addr[lo];
	return names + name_offset[lo];
}

/* LIB_NAME: lib's snprintf in the kernel and in the host test alike */
const char *ksym_format(char *buf, size_t size, uint32_t addr)
{
	uint32_t offset;
	const char *name = ksym_lookup(addr, &offset);

	if (!name)
		LIB_NAME(snprintf)(buf, size, "0x%08x", (unsigned)addr);
	else if (offset == 0)
		LIB_NAME(snprintf)(buf, size, "%s", name);
	else
		LIB_NAME(snprintf)(buf, size, "%s+0x%x", name, (unsigned)offset);
	return buf;
}

const char *ksym_format_return(char *buf, size_t size, uint32_t ret)
{
	uint32_t offset;
	const char *name = ret ? ksym_lookup(ret - 1, &offset) : NULL;

	if (!name)
		LIB_NAME(snprintf)(buf, size, "0x%08x", (unsigned)ret);
	else
		LIB_NAME(snprintf)(buf, size, "%s+0x%x", name, (unsigned)offset + 1);
	return buf;
}

void ksym_print(uint32_t addr)
{
	char buf[KSYM_TEXT_MAX];

	kprintf("%s", ksym_format(buf, sizeof(buf), addr));
}

#ifndef LIB_HOST
/* the table build.sh assembles into section .ksyms (empty in the first link) */
extern const struct ksym_header ksym_table;

const char *ksym_lookup(uint32_t addr, uint32_t *offset)
{
	return ksym_lookup_in(&ksym_table, addr, offset);
}
#endif
