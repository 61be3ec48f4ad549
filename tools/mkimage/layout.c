/* layout.c: layout_load reads disk.img.layout in two passes: each line to a
 * statement (layout_parse.c), then the statements to regions, disks and files
 * with their relations checked (layout_check.c), and derives the generated
 * names (layout_syms.c). Problems are collected with their line number and
 * printed sorted by line, so one run shows every mistake in the file. */
#include "mkimage.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- error collection --------------------------------------------------- */

struct msg {
	int line;
	int seq;
	char text[320];
};

void layout_problem(struct layout_ctx *c, int line, const char *fmt, ...)
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

static int flush_problems(struct layout_ctx *c)
{
	if (c->nmsgs)
		qsort(c->msgs, (size_t)c->nmsgs, sizeof *c->msgs, msg_cmp);
	for (int i = 0; i < c->nmsgs; i++)
		fprintf(stderr, "%s:%d: %s\n", c->path, c->msgs[i].line, c->msgs[i].text);
	return c->nmsgs;
}

/* ---- public ------------------------------------------------------------- */

struct layout *layout_load(const char *path)
{
	struct layout_ctx c;
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
		layout_parse_line(&c, ++line, linebuf);
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
		layout_check(&c, L, line);
		if (!c.nmsgs)
			layout_syms(&c, L);
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

const struct partition *disk_fat_partition(const struct disk *d)
{
	for (int i = 0; i < d->nparts; i++)
		if (d->parts[i].fs == FS_FAT16)
			return &d->parts[i];
	return NULL;
}

int path_depth(const char *path)
{
	int n = 0;
	for (; *path; path++)
		n += *path == '/';
	return n;
}

void path_parent(const char *path, char *parent)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	memcpy(parent, path, n);
	parent[n] = 0;
}

const char *path_last(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
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
void partition_title(const struct disk *d, const struct partition *p, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s%s%s", d->name, p->name[0] ? " " : "", p->name);
}
