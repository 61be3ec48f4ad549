/* layout_syms.c: the generated names of a checked layout (struct sym), the
 * table `mkimage gen` (gen.c) writes as NASM, C and linker symbols: every
 * statement's KIND, NAME and key in capitals, e.g. REGION_HEAP_START; a disk's
 * parts go by the disk's name and theirs: HDD_STAGE2_LBA, HDD_SWAP_SECTORS
 * (partition hdd name=swap), HDD_PART_LBA (the partition without a name). */
#include "mkimage.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void upper(char *dst, size_t n, const char *src)
{
	size_t i;
	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = 0;
}

static void add_sym(struct layout_ctx *c, struct layout *L, int line, const char *group, uint64_t value,
		    int hex, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static void add_sym(struct layout_ctx *c, struct layout *L, int line, const char *group, uint64_t value,
		    int hex, const char *fmt, ...)
{
	if (L->nsyms == MAX_SYMS) {
		layout_problem(c, line, "too many generated names (max %d)", MAX_SYMS);
		return;
	}
	struct sym *y = &L->syms[L->nsyms];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(y->name, sizeof y->name, fmt, ap);
	va_end(ap);
	for (char *p = y->name; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	for (int i = 0; i < L->nsyms; i++)
		if (!strcmp(L->syms[i].name, y->name)) {
			layout_problem(c, line, "generated name %s collides with the one from line %d",
				       y->name, L->syms[i].line);
			return;
		}
	y->value = value;
	y->hex = hex;
	y->line = line;
	snprintf(y->group, sizeof y->group, "%s", group);
	L->nsyms++;
}

void layout_syms(struct layout_ctx *c, struct layout *L)
{
	char g[64], up[NAME_MAX_LEN], an[NAME_MAX_LEN];

	add_sym(c, L, 0, "sector size", SECTOR_BYTES, 0, "SECTOR_SIZE");
	for (int i = 0; i < L->nregions; i++) {
		const struct region *r = &L->regions[i];
		upper(up, sizeof up, r->name);
		snprintf(g, sizeof g, "region %s", r->name);
		add_sym(c, L, r->line, g, r->start, 8, "REGION_%s_START", up);
		add_sym(c, L, r->line, g, r->size, 8, "REGION_%s_SIZE", up);
		add_sym(c, L, r->line, g, r->end, 8, "REGION_%s_END", up);
	}
	for (int i = 0; i < L->ndisks; i++) {
		const struct disk *d = &L->disks[i];
		upper(up, sizeof up, d->name);
		snprintf(g, sizeof g, "disk %s (%s)", d->name, d->file);
		add_sym(c, L, d->line, g, d->sectors, 0, "%s_SECTORS", up);
		add_sym(c, L, d->line, g, d->signature, 8, "%s_SIGNATURE", up);
		for (int j = 0; j < d->nareas; j++) {
			const struct area *a = &d->areas[j];
			upper(an, sizeof an, a->name);
			add_sym(c, L, a->line, g, a->lba, 0, "%s_%s_LBA", up, an);
			add_sym(c, L, a->line, g, a->sectors, 0, "%s_%s_SECTORS", up, an);
		}
		for (int j = 0; j < d->nparts; j++) {
			const struct partition *p = &d->parts[j];
			/* the partition without a name= is DISK_PART */
			upper(an, sizeof an, p->name[0] ? p->name : "part");
			add_sym(c, L, p->line, g, p->lba, 0, "%s_%s_LBA", up, an);
			add_sym(c, L, p->line, g, p->sectors, 0, "%s_%s_SECTORS", up, an);
			add_sym(c, L, p->line, g, p->type, 2, "%s_%s_TYPE", up, an);
			add_sym(c, L, p->line, g, (uint64_t)p->number, 0, "%s_%s_ENTRY", up, an);
		}
		if (d->vol.present)
			add_sym(c, L, d->vol.line, g, d->vol.reserved, 0, "%s_RESERVED", up);
	}
}
