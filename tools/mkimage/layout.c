/* layout.c: reads disk.img.layout, checks it, and derives the generated names.
 *
 * Two passes. The first splits every line into a statement (kind, name and
 * typed key values, checked against the table below). The second turns the
 * statements into regions, disks and files and checks how they relate:
 * overlaps, alignment, fit. Problems are collected with their line number and
 * printed sorted by line, so one run shows every mistake in the file. */
#include "layout.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- statement grammar -------------------------------------------------- */

enum vtype { V_NUM, V_FILE, V_IDENT, V_FS, V_LABEL, V_FLAG };

struct keyspec {
	const char *key;
	enum vtype type;
	int required;
	uint64_t min, max;      /* V_NUM only */
	int hex;                /* print limits in hex */
};

#define MAX_KEYS 8

struct kindspec {
	const char *kind;
	const char *what;       /* what the NAME token is */
	int name_is_file;       /* NAME is an 8.3 file name, not an identifier */
	struct keyspec keys[MAX_KEYS];
};

#define U32 0xFFFFFFFFull

static const struct kindspec kinds[] = {
	{ "region", "region name", 0, {
		{ "start", V_NUM, 1, 0, U32, 1 },
		{ "size", V_NUM, 1, 1, U32, 1 },
		{ 0 } } },
	{ "disk", "disk name", 0, {
		{ "file", V_FILE, 1, 0, 0, 0 },
		{ "sectors", V_NUM, 0, 1, U32, 0 },
		{ "size", V_NUM, 0, SECTOR_BYTES, U32, 0 },
		{ "signature", V_NUM, 1, 1, U32, 1 },
		{ 0 } } },
	{ "area", "disk name", 0, {
		{ "name", V_IDENT, 1, 0, 0, 0 },
		{ "lba", V_NUM, 1, 0, U32, 0 },
		{ "sectors", V_NUM, 1, 1, U32, 0 },
		{ "src", V_FILE, 1, 0, 0, 0 },
		{ 0 } } },
	{ "partition", "disk name", 0, {
		{ "lba", V_NUM, 1, 0, U32, 0 },
		{ "sectors", V_NUM, 1, 1, U32, 0 },
		{ "type", V_NUM, 1, 1, 0xFF, 1 },
		{ "fs", V_FS, 1, 0, 0, 0 },
		{ "label", V_LABEL, 0, 0, 0, 0 },
		{ "active", V_FLAG, 0, 0, 0, 0 },
		{ 0 } } },
	{ "volume", "disk name", 0, {
		{ "fs", V_FS, 1, 0, 0, 0 },
		{ "reserved", V_NUM, 1, 1, 0xFFFF, 0 },
		{ "label", V_LABEL, 0, 0, 0, 0 },
		{ 0 } } },
	{ "file", "file name", 1, {
		{ "src", V_FILE, 1, 0, 0, 0 },
		{ 0 } } },
};
#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))
enum { K_REGION, K_DISK, K_AREA, K_PARTITION, K_VOLUME, K_FILE };

struct stmt {
	int line;
	int kind;
	char name[NAME_MAX_LEN];
	int present[MAX_KEYS];
	uint64_t num[MAX_KEYS];
	char str[MAX_KEYS][FILE_MAX_LEN];
};

/* ---- error collection --------------------------------------------------- */

struct msg {
	int line;
	int seq;
	char text[320];
};

struct ctx {
	const char *path;
	struct msg *msgs;
	int nmsgs, capmsgs;
	struct stmt *st;
	int nst, capst;
};

static void __attribute__((format(printf, 3, 4)))
problem(struct ctx *c, int line, const char *fmt, ...)
{
	if (c->nmsgs == c->capmsgs) {
		c->capmsgs = c->capmsgs ? c->capmsgs * 2 : 16;
		c->msgs = realloc(c->msgs, (size_t)c->capmsgs * sizeof *c->msgs);
		if (!c->msgs) {
			perror("mkimage");
			exit(1);
		}
	}
	struct msg *m = &c->msgs[c->nmsgs];
	m->line = line;
	m->seq = c->nmsgs++;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->text, sizeof m->text, fmt, ap);
	va_end(ap);
}

static int msg_cmp(const void *a, const void *b)
{
	const struct msg *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int flush_problems(struct ctx *c)
{
	if (c->nmsgs)
		qsort(c->msgs, (size_t)c->nmsgs, sizeof *c->msgs, msg_cmp);
	for (int i = 0; i < c->nmsgs; i++)
		fprintf(stderr, "%s:%d: %s\n", c->path, c->msgs[i].line, c->msgs[i].text);
	return c->nmsgs;
}

/* ---- value syntax ------------------------------------------------------- */

/* 0 ok, -1 malformed, -2 does not fit in 32 bits */
static int parse_num(const char *s, uint64_t *out)
{
	const char *p = s;
	unsigned base = 10;
	uint64_t v = 0;
	int any = 0, big = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	for (; *p; p++) {
		unsigned d;
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = (unsigned)(tolower((unsigned char)*p) - 'a' + 10);
		else
			break;
		v = v * base + d;
		if (v > U32)
			big = 1, v = U32 + 1;
		any = 1;
	}
	if (!any)
		return -1;
	uint64_t mul = 1;
	if (*p == 'K')
		mul = 1024, p++;
	else if (*p == 'M')
		mul = 1024 * 1024, p++;
	if (*p)
		return -1;
	v *= mul;
	*out = v;
	if (big || v > U32)
		return -2;
	return 0;
}

static int is_ident(const char *s)
{
	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* characters FAT allows in short names and labels, upper case only */
static int fat_char(int ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
	       (ch && strchr("!#$%&'()-@^_`{}~", ch));
}

static int is_83(const char *s)
{
	const char *dot = strchr(s, '.');
	size_t base = dot ? (size_t)(dot - s) : strlen(s);
	size_t ext = dot ? strlen(dot + 1) : 0;
	if (base < 1 || base > 8 || (dot && (ext < 1 || ext > 3)))
		return 0;
	for (const char *p = s; *p; p++)
		if (p != dot && !fat_char((unsigned char)*p))
			return 0;
	return 1;
}

static int is_filename(const char *s)
{
	if (!strcmp(s, ".") || !strcmp(s, ".."))
		return 0;
	for (; *s; s++)
		if (*s == '/' || !isgraph((unsigned char)*s))
			return 0;
	return 1;
}

static void fmt_num(char *buf, size_t n, uint64_t v, int hex)
{
	if (hex)
		snprintf(buf, n, "0x%llX", (unsigned long long)v);
	else
		snprintf(buf, n, "%llu", (unsigned long long)v);
}

/* ---- pass 1: lines to statements ---------------------------------------- */

static int find_key(const struct kindspec *k, const char *key, size_t len)
{
	for (int i = 0; i < MAX_KEYS && k->keys[i].key; i++)
		if (strlen(k->keys[i].key) == len && !strncmp(k->keys[i].key, key, len))
			return i;
	return -1;
}

static void known_keys(const struct kindspec *k, char *buf, size_t n)
{
	buf[0] = 0;
	for (int i = 0; i < MAX_KEYS && k->keys[i].key; i++) {
		size_t l = strlen(buf);
		snprintf(buf + l, n - l, "%s%s", i ? " " : "", k->keys[i].key);
	}
}

/* Parses one statement's key=value token; returns 0 when it was bad. */
static int parse_kv(struct ctx *c, int line, const struct kindspec *k,
                    struct stmt *s, const char *tok)
{
	const char *eq = strchr(tok, '=');
	size_t klen = eq ? (size_t)(eq - tok) : strlen(tok);
	int i = find_key(k, tok, klen);
	char keys[128];

	if (i < 0) {
		known_keys(k, keys, sizeof keys);
		problem(c, line, "unknown key '%.*s' for %s (known: %s)",
		        (int)klen, tok, k->kind, keys);
		return 0;
	}
	const struct keyspec *ks = &k->keys[i];
	if (s->present[i]) {
		problem(c, line, "key '%s' given twice", ks->key);
		return 0;
	}
	s->present[i] = 1;      /* mentioned: no "missing key" on top of a bad value */
	if (ks->type == V_FLAG) {
		if (eq) {
			problem(c, line, "'%s' is a flag and takes no value", ks->key);
			return 0;
		}
		s->present[i] = 1;
		return 1;
	}
	if (!eq) {
		problem(c, line, "key '%s' needs a value (%s=...)", ks->key, ks->key);
		return 0;
	}
	const char *val = eq + 1;
	if (!*val) {
		problem(c, line, "key '%s' has an empty value", ks->key);
		return 0;
	}
	if (strlen(val) >= FILE_MAX_LEN) {
		problem(c, line, "value of '%s' is too long", ks->key);
		return 0;
	}
	switch (ks->type) {
	case V_NUM: {
		uint64_t v;
		int r = parse_num(val, &v);
		char lo[24], hi[24];
		fmt_num(lo, sizeof lo, ks->min, ks->hex);
		fmt_num(hi, sizeof hi, ks->max, ks->hex);
		if (r == -1) {
			problem(c, line, "malformed number '%s' for %s= (decimal, 0x-hex, optional K or M suffix)",
			        val, ks->key);
			return 0;
		}
		if (r == -2 || v < ks->min || v > ks->max) {
			problem(c, line, "%s=%s is out of range (%s..%s)", ks->key, val, lo, hi);
			return 0;
		}
		s->num[i] = v;
		break;
	}
	case V_FILE:
		if (!is_filename(val)) {
			problem(c, line, "%s=%s is not a plain file name (no '/', no spaces)", ks->key, val);
			return 0;
		}
		break;
	case V_IDENT:
		if (!is_ident(val) || strlen(val) >= NAME_MAX_LEN) {
			problem(c, line, "%s=%s is not a name (letters, digits, '_', starting with a letter, at most %d)",
			        ks->key, val, NAME_MAX_LEN - 1);
			return 0;
		}
		break;
	case V_FS:
		if (strcmp(val, "fat12") && strcmp(val, "fat16")) {
			problem(c, line, "fs=%s is not supported (fat12 or fat16)", val);
			return 0;
		}
		break;
	case V_LABEL: {
		int ok = strlen(val) <= LABEL_MAX_LEN;
		for (const char *p = val; ok && *p; p++)
			ok = fat_char((unsigned char)*p);
		if (!ok) {
			problem(c, line, "label=%s is not a FAT volume label (at most %u upper-case letters, digits or !#$%%&'()-@^_`{}~)",
			        val, LABEL_MAX_LEN);
			return 0;
		}
		break;
	}
	case V_FLAG:
		break;
	}
	snprintf(s->str[i], sizeof s->str[i], "%s", val);
	s->present[i] = 1;
	return 1;
}

static void parse_line(struct ctx *c, int line, char *text)
{
	char *hash = strchr(text, '#');
	if (hash)
		*hash = 0;

	char *tok[64];
	int ntok = 0;
	for (char *p = strtok(text, " \t\r\n\f\v"); p; p = strtok(NULL, " \t\r\n\f\v")) {
		if (ntok == (int)(sizeof tok / sizeof tok[0])) {
			problem(c, line, "too many words in one statement");
			return;
		}
		tok[ntok++] = p;
	}
	if (!ntok)
		return;

	int k;
	for (k = 0; k < NKINDS; k++)
		if (!strcmp(tok[0], kinds[k].kind))
			break;
	if (k == NKINDS) {
		problem(c, line, "unknown kind '%s' (region, disk, area, partition, volume or file)", tok[0]);
		return;
	}
	const struct kindspec *ks = &kinds[k];

	struct stmt s;
	memset(&s, 0, sizeof s);
	s.line = line;
	s.kind = k;

	if (ntok < 2 || strchr(tok[1], '=')) {
		problem(c, line, "%s: missing %s", ks->kind, ks->what);
		return;
	}
	if (ks->name_is_file) {
		if (!is_83(tok[1])) {
			problem(c, line, "file %s: not an upper-case 8.3 name (e.g. KERNEL.BIN)", tok[1]);
			return;
		}
	} else if (!is_ident(tok[1]) || strlen(tok[1]) >= NAME_MAX_LEN) {
		problem(c, line, "%s: '%s' is not a valid %s (letters, digits, '_', starting with a letter, at most %d)",
		        ks->kind, tok[1], ks->what, NAME_MAX_LEN - 1);
		return;
	}
	snprintf(s.name, sizeof s.name, "%s", tok[1]);

	int ok = 1;
	for (int i = 2; i < ntok; i++)
		ok &= parse_kv(c, line, ks, &s, tok[i]);
	for (int i = 0; i < MAX_KEYS && ks->keys[i].key; i++)
		if (ks->keys[i].required && !s.present[i]) {
			problem(c, line, "%s %s: missing key %s=", ks->kind, s.name, ks->keys[i].key);
			ok = 0;
		}
	if (!ok)
		return;

	if (c->nst == c->capst) {
		c->capst = c->capst ? c->capst * 2 : 32;
		c->st = realloc(c->st, (size_t)c->capst * sizeof *c->st);
		if (!c->st) {
			perror("mkimage");
			exit(1);
		}
	}
	c->st[c->nst++] = s;
}

/* value of key KEY in statement S (key must exist in its kind) */
static int kidx(const struct stmt *s, const char *key)
{
	return find_key(&kinds[s->kind], key, strlen(key));
}
static int has(const struct stmt *s, const char *key) { return s->present[kidx(s, key)]; }
static uint64_t num(const struct stmt *s, const char *key) { return s->num[kidx(s, key)]; }
static const char *str(const struct stmt *s, const char *key) { return s->str[kidx(s, key)]; }

/* ---- pass 2: statements to the layout ------------------------------------ */

static void upper(char *dst, size_t n, const char *src)
{
	size_t i;
	for (i = 0; i + 1 < n && src[i]; i++)
		dst[i] = (char)toupper((unsigned char)src[i]);
	dst[i] = 0;
}

static void add_sym(struct ctx *c, struct layout *L, int line, const char *group,
                    uint64_t value, int hex, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));

static void add_sym(struct ctx *c, struct layout *L, int line, const char *group,
                    uint64_t value, int hex, const char *fmt, ...)
{
	if (L->nsyms == MAX_SYMS) {
		problem(c, line, "too many generated names (max %d)", MAX_SYMS);
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
			problem(c, line, "generated name %s collides with the one from line %d",
			        y->name, L->syms[i].line);
			return;
		}
	y->value = value;
	y->hex = hex;
	y->line = line;
	snprintf(y->group, sizeof y->group, "%s", group);
	L->nsyms++;
}

static struct disk *find_disk(struct layout *L, const char *name)
{
	for (int i = 0; i < L->ndisks; i++)
		if (!strcasecmp(L->disks[i].name, name))
			return &L->disks[i];
	return NULL;
}

static int ranges_overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	return a0 < b1 && b0 < a1;      /* half-open [a0,a1) and [b0,b1) */
}

static void build_regions(struct ctx *c, struct layout *L)
{
	for (int i = 0; i < c->nst; i++) {
		const struct stmt *s = &c->st[i];
		if (s->kind != K_REGION)
			continue;
		const struct region *dup = layout_region(L, s->name);
		if (dup) {
			problem(c, s->line, "duplicate region '%s' (first declared on line %d)", s->name, dup->line);
			continue;
		}
		if (L->nregions == MAX_REGIONS) {
			problem(c, s->line, "too many regions (max %d)", MAX_REGIONS);
			continue;
		}
		uint64_t start = num(s, "start"), size = num(s, "size");
		if (start + size > 0x100000000ull) {
			problem(c, s->line, "region %s wraps past 4 GiB: start 0x%08llX + size 0x%llX = 0x%llX",
			        s->name, (unsigned long long)start, (unsigned long long)size,
			        (unsigned long long)(start + size));
			continue;
		}
		struct region *r = &L->regions[L->nregions];
		snprintf(r->name, sizeof r->name, "%s", s->name);
		r->start = (uint32_t)start;
		r->size = (uint32_t)size;
		r->end = start + size;
		r->line = s->line;
		for (int j = 0; j < L->nregions; j++) {
			const struct region *o = &L->regions[j];
			if (ranges_overlap(r->start, r->end, o->start, o->end))
				problem(c, s->line,
				        "region %s [0x%08X, 0x%08llX) overlaps region %s [0x%08X, 0x%08llX) from line %d",
				        r->name, r->start, (unsigned long long)r->end,
				        o->name, o->start, (unsigned long long)o->end, o->line);
		}
		L->nregions++;
	}
}

static void build_disks(struct ctx *c, struct layout *L)
{
	for (int i = 0; i < c->nst; i++) {
		const struct stmt *s = &c->st[i];
		if (s->kind != K_DISK)
			continue;
		const struct disk *dup = find_disk(L, s->name);
		if (dup) {
			problem(c, s->line, "duplicate disk '%s' (first declared on line %d)", s->name, dup->line);
			continue;
		}
		int bad = 0;
		uint64_t sectors = 0;
		if (has(s, "sectors") && has(s, "size")) {
			problem(c, s->line, "disk %s: give sectors= or size=, not both", s->name);
			bad = 1;
		} else if (has(s, "sectors")) {
			sectors = num(s, "sectors");
		} else if (has(s, "size")) {
			uint64_t size = num(s, "size");
			if (size % SECTOR_BYTES) {
				problem(c, s->line, "disk %s: size=%llu is not a whole number of %u-byte sectors (%llu bytes left over)",
				        s->name, (unsigned long long)size, SECTOR_BYTES,
				        (unsigned long long)(size % SECTOR_BYTES));
				bad = 1;
			}
			sectors = size / SECTOR_BYTES;
		} else {
			problem(c, s->line, "disk %s: missing key sectors= (or size=)", s->name);
			bad = 1;
		}
		for (int j = 0; j < L->ndisks; j++)
			if (!strcmp(L->disks[j].file, str(s, "file"))) {
				problem(c, s->line, "disk %s: file=%s is already the image of disk %s (line %d)",
				        s->name, str(s, "file"), L->disks[j].name, L->disks[j].line);
				bad = 1;
			}
		if (bad)
			continue;
		if (L->ndisks == MAX_DISKS) {
			problem(c, s->line, "too many disks (max %d)", MAX_DISKS);
			continue;
		}
		struct disk *d = &L->disks[L->ndisks++];
		memset(d, 0, sizeof *d);
		snprintf(d->name, sizeof d->name, "%s", s->name);
		snprintf(d->file, sizeof d->file, "%s", str(s, "file"));
		d->sectors = (uint32_t)sectors;
		d->signature = (uint32_t)num(s, "signature");
		d->line = s->line;
	}
}

static void build_disk_parts(struct ctx *c, struct layout *L)
{
	for (int i = 0; i < c->nst; i++) {
		const struct stmt *s = &c->st[i];
		if (s->kind != K_AREA && s->kind != K_PARTITION && s->kind != K_VOLUME)
			continue;
		struct disk *d = find_disk(L, s->name);
		if (!d) {
			/* a disk line that failed its own checks has been reported already */
			int declared = 0;
			for (int j = 0; j < c->nst; j++)
				if (c->st[j].kind == K_DISK && !strcasecmp(c->st[j].name, s->name))
					declared = 1;
			if (!declared)
				problem(c, s->line, "%s for undeclared disk '%s' (declare it with `disk %s file=... sectors=... signature=...`)",
				        kinds[s->kind].kind, s->name, s->name);
			continue;
		}
		if (s->kind == K_AREA) {
			struct area *dupa = NULL;
			for (int j = 0; j < d->nareas; j++)
				if (!strcasecmp(d->areas[j].name, str(s, "name")))
					dupa = &d->areas[j];
			if (dupa) {
				problem(c, s->line, "duplicate area '%s' on disk %s (first declared on line %d)",
				        dupa->name, d->name, dupa->line);
				continue;
			}
			if (d->nareas == MAX_AREAS) {
				problem(c, s->line, "too many areas on disk %s (max %d)", d->name, MAX_AREAS);
				continue;
			}
			struct area *a = &d->areas[d->nareas++];
			snprintf(a->name, sizeof a->name, "%s", str(s, "name"));
			a->lba = (uint32_t)num(s, "lba");
			a->sectors = (uint32_t)num(s, "sectors");
			snprintf(a->src, sizeof a->src, "%s", str(s, "src"));
			a->line = s->line;
		} else if (s->kind == K_PARTITION) {
			if (d->part.present) {
				problem(c, s->line, "duplicate partition on disk %s (first declared on line %d; one is supported)",
				        d->name, d->part.line);
				continue;
			}
			struct partition *p = &d->part;
			p->present = 1;
			p->lba = (uint32_t)num(s, "lba");
			p->sectors = (uint32_t)num(s, "sectors");
			p->type = (uint8_t)num(s, "type");
			p->fs = !strcmp(str(s, "fs"), "fat12") ? FS_FAT12 : FS_FAT16;
			snprintf(p->label, sizeof p->label, "%s", str(s, "label"));
			p->active = has(s, "active");
			p->line = s->line;
		} else {
			if (d->vol.present) {
				problem(c, s->line, "duplicate volume on disk %s (first declared on line %d)",
				        d->name, d->vol.line);
				continue;
			}
			struct volume *v = &d->vol;
			v->present = 1;
			v->fs = !strcmp(str(s, "fs"), "fat12") ? FS_FAT12 : FS_FAT16;
			v->reserved = (uint32_t)num(s, "reserved");
			snprintf(v->label, sizeof v->label, "%s", str(s, "label"));
			v->line = s->line;
		}
	}
}

static void check_disk(struct ctx *c, const struct disk *d)
{
	const struct partition *p = &d->part;
	const struct volume *v = &d->vol;

	if (!p->present && !v->present)
		problem(c, d->line, "disk %s has neither a partition nor a volume", d->name);
	if (p->present && v->present)
		problem(c, v->line, "disk %s has both a partition (line %d) and a volume; give one",
		        d->name, p->line);

	if (p->present) {
		uint64_t end = (uint64_t)p->lba + p->sectors;
		if (p->lba == 0)
			problem(c, p->line, "partition %s starts at LBA 0, which is the MBR", d->name);
		else if (p->lba % PART_ALIGN)
			problem(c, p->line, "partition %s at LBA %u is not 1 MiB aligned (LBA a multiple of %u; nearest %u or %u)",
			        d->name, p->lba, PART_ALIGN, p->lba / PART_ALIGN * PART_ALIGN,
			        (p->lba / PART_ALIGN + 1) * PART_ALIGN);
		if (end > d->sectors)
			problem(c, p->line, "partition %s (LBA %u..%llu) does not fit on disk %s (%u sectors, last LBA %u, line %d)",
			        d->name, p->lba, (unsigned long long)end - 1, d->name, d->sectors,
			        d->sectors - 1, d->line);
		if (p->fs != FS_FAT16)
			problem(c, p->line, "partition %s: fs=fat12 is not supported on a partition (fat16)", d->name);
		if (!p->active)
			problem(c, p->line, "partition %s is not marked active; the MBR needs exactly one active entry (some BIOSes refuse a table without one)",
			        d->name);
	}
	if (v->present) {
		if (v->fs != FS_FAT12)
			problem(c, v->line, "volume %s: fs=fat16 is not supported for an unpartitioned volume (fat12, 1.44 MB floppy)",
			        d->name);
		else if (d->sectors != FDD_1440_SECTORS)
			problem(c, v->line, "volume %s: a fat12 volume is a 1.44 MB floppy, but disk %s has %u sectors, not %u",
			        d->name, d->name, d->sectors, FDD_1440_SECTORS);
		uint64_t need = 0;
		const struct area *worst = NULL;
		for (int i = 0; i < d->nareas; i++) {
			uint64_t e = (uint64_t)d->areas[i].lba + d->areas[i].sectors;
			if (e > need)
				need = e, worst = &d->areas[i];
		}
		if (worst && v->reserved < need) {
			char t[48];
			area_title(worst, t, sizeof t);
			problem(c, v->line, "volume %s: reserved=%u is smaller than %u + the %u sectors of %s (line %d): it needs at least %llu",
			        d->name, v->reserved, worst->lba, worst->sectors, t, worst->line,
			        (unsigned long long)need);
		}
	}

	for (int i = 0; i < d->nareas; i++) {
		const struct area *a = &d->areas[i];
		uint64_t end = (uint64_t)a->lba + a->sectors;
		if (end > d->sectors)
			problem(c, a->line, "area %s %s (LBA %u..%llu) does not fit on disk %s (%u sectors)",
			        d->name, a->name, a->lba, (unsigned long long)end - 1, d->name, d->sectors);
		if (a->lba == 0 && a->sectors != 1)
			problem(c, a->line, "area %s %s at LBA 0 is the boot sector and must be 1 sector, not %u",
			        d->name, a->name, a->sectors);
		for (int j = 0; j < i; j++) {
			const struct area *o = &d->areas[j];
			if (ranges_overlap(a->lba, end, o->lba, (uint64_t)o->lba + o->sectors))
				problem(c, a->line, "area %s %s (LBA %u..%llu) overlaps area %s (LBA %u..%llu, line %d)",
				        d->name, a->name, a->lba, (unsigned long long)end - 1, o->name, o->lba,
				        (unsigned long long)o->lba + o->sectors - 1, o->line);
		}
		if (p->present && ranges_overlap(a->lba, end, p->lba, (uint64_t)p->lba + p->sectors)) {
			char t[48];
			area_title(a, t, sizeof t);
			if (a->lba < p->lba)
				problem(c, a->line, "%s (%u sectors, LBA %u..%llu) is larger than the gap between the MBR and the partition at LBA %u (room for %u sectors, line %d)",
				        t, a->sectors, a->lba, (unsigned long long)end - 1, p->lba,
				        p->lba - a->lba, p->line);
			else
				problem(c, a->line, "area %s %s (LBA %u..%llu) overlaps partition %s (LBA %u..%llu, line %d)",
				        d->name, a->name, a->lba, (unsigned long long)end - 1, d->name, p->lba,
				        (unsigned long long)p->lba + p->sectors - 1, p->line);
		}
	}
}

static void build_files(struct ctx *c, struct layout *L)
{
	for (int i = 0; i < c->nst; i++) {
		const struct stmt *s = &c->st[i];
		if (s->kind != K_FILE)
			continue;
		int dup = 0;
		for (int j = 0; j < L->nfiles; j++)
			if (!strcmp(L->files[j].name, s->name)) {
				problem(c, s->line, "duplicate file '%s' (first declared on line %d)", s->name,
				        L->files[j].line);
				dup = 1;
			}
		if (dup)
			continue;
		if (L->nfiles == MAX_FILES) {
			problem(c, s->line, "too many files (max %d)", MAX_FILES);
			continue;
		}
		struct file_entry *f = &L->files[L->nfiles++];
		snprintf(f->name, sizeof f->name, "%.12s", s->name);
		snprintf(f->src, sizeof f->src, "%s", str(s, "src"));
		f->line = s->line;
	}
}

static void build_syms(struct ctx *c, struct layout *L)
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
		if (d->part.present) {
			add_sym(c, L, d->part.line, g, d->part.lba, 0, "%s_PART_LBA", up);
			add_sym(c, L, d->part.line, g, d->part.sectors, 0, "%s_PART_SECTORS", up);
			add_sym(c, L, d->part.line, g, d->part.type, 2, "%s_PART_TYPE", up);
		}
		if (d->vol.present)
			add_sym(c, L, d->vol.line, g, d->vol.reserved, 0, "%s_RESERVED", up);
	}
}

/* ---- public ------------------------------------------------------------- */

struct layout *layout_load(const char *path)
{
	struct ctx c;
	memset(&c, 0, sizeof c);
	c.path = path;

	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "mkimage: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	char *linebuf = NULL;
	size_t cap = 0;
	int line = 0;
	while (getline(&linebuf, &cap, f) != -1)
		parse_line(&c, ++line, linebuf);
	int rerr = ferror(f);
	free(linebuf);
	fclose(f);
	if (rerr) {
		fprintf(stderr, "mkimage: %s: read error\n", path);
		free(c.st);
		free(c.msgs);
		return NULL;
	}

	struct layout *L = calloc(1, sizeof *L);
	if (!L) {
		perror("mkimage");
		exit(1);
	}
	L->path = path;
	if (!c.nmsgs) {
		/* relations are only meaningful when every statement parsed */
		build_regions(&c, L);
		build_disks(&c, L);
		build_disk_parts(&c, L);
		build_files(&c, L);
		for (int i = 0; i < L->ndisks; i++)
			check_disk(&c, &L->disks[i]);
		if (!L->ndisks && !c.nmsgs)
			problem(&c, line, "no disk declared");
		if (!c.nmsgs)
			build_syms(&c, L);
	}
	int n = flush_problems(&c);
	free(c.st);
	free(c.msgs);
	if (n) {
		free(L);
		return NULL;
	}
	return L;
}

void layout_free(struct layout *L)
{
	free(L);
}

const struct region *layout_region(const struct layout *L, const char *name)
{
	for (int i = 0; i < L->nregions; i++)
		if (!strcasecmp(L->regions[i].name, name))
			return &L->regions[i];
	return NULL;
}

const struct disk *layout_disk(const struct layout *L, const char *name)
{
	for (int i = 0; i < L->ndisks; i++)
		if (!strcmp(L->disks[i].name, name))
			return &L->disks[i];
	return NULL;
}

const struct sym *layout_sym(const struct layout *L, const char *name)
{
	for (int i = 0; i < L->nsyms; i++)
		if (!strcmp(L->syms[i].name, name))
			return &L->syms[i];
	return NULL;
}

void area_title(const struct area *a, char *out, size_t outlen)
{
	size_t n = strlen(a->name), k = n;
	while (k > 0 && isdigit((unsigned char)a->name[k - 1]))
		k--;
	if (k > 0 && k < n && isalpha((unsigned char)a->name[k - 1]))
		snprintf(out, outlen, "%.*s %s", (int)k, a->name, a->name + k);
	else
		snprintf(out, outlen, "area %s", a->name);
}
