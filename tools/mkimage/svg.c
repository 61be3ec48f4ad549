/* svg.c: `mkimage svg`: the layout's memory plan drawn as an SVG picture
 * (docs/memory-map.svg), one row per region in address order, the gaps
 * between them named after the PC's fixed ranges where one fits. Rows are
 * not to scale: the map spans 1 KiB to 1 MiB. The output depends on the
 * layout alone (no date, no path), so the committed picture can be compared
 * byte for byte with a fresh one (test/image/test_memory_map_svg.sh). */
#include "mkimage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SVG_WIDTH 800
#define ROW_HEIGHT 28
#define TOP_MARGIN 76
#define BOTTOM_MARGIN 40
#define ADDR_X 120 /* right edge of the address column */
#define BOX_X 130
#define BOX_WIDTH 170
#define NOTE_X 312
#define COMMENT_MAX 160
#define MAX_ROWS (2 * MAX_REGIONS + 8)

/* Ranges every PC has, used only to name a gap the layout leaves (the
 * layout's own regions always win). Addresses from the IBM PC/AT memory map. */
static const struct {
	uint32_t start, size;
	const char *name, *note;
} pc_ranges[] = {
	{ 0x000A0000, 0x20000, "VGA memory",
	  "PC: graphics modes at 0xA0000, the text screen at 0xB8000" },
	{ 0x000C0000, 0x30000, "option ROMs", "PC: the VGA BIOS at 0xC0000, other adapters' ROMs" },
};

enum row_kind { ROW_REGION, ROW_PC, ROW_GAP };

struct row {
	enum row_kind kind;
	uint64_t start, end;
	const char *name;
	char note[COMMENT_MAX];
};

/* The comment after `#` on line LINE of PATH, trimmed; "" when none. */
static void layout_comment(const char *path, int line, char *out, size_t outlen)
{
	out[0] = 0;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	char buf[512];
	for (int n = 1; fgets(buf, sizeof buf, f); n++) {
		if (n != line)
			continue;
		char *hash = strchr(buf, '#');
		if (hash) {
			hash++;
			while (*hash == ' ' || *hash == '\t')
				hash++;
			size_t len = strcspn(hash, "\r\n");
			while (len && (hash[len - 1] == ' ' || hash[len - 1] == '\t'))
				len--;
			snprintf(out, outlen, "%.*s", (int)len, hash);
		}
		break;
	}
	fclose(f);
}

static int by_start(const void *a, const void *b)
{
	const struct region *x = *(const struct region *const *)a;
	const struct region *y = *(const struct region *const *)b;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void add_row(struct row *rows, int *n, enum row_kind kind, uint64_t start, uint64_t end,
		    const char *name, const char *note)
{
	struct row *r = &rows[(*n)++];
	r->kind = kind;
	r->start = start;
	r->end = end;
	r->name = name;
	snprintf(r->note, sizeof r->note, "%s", note);
}

/* The gap [start, end): a PC range where one lies inside it, unnamed rows
 * for the rest. */
static void add_gap(struct row *rows, int *n, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < sizeof pc_ranges / sizeof pc_ranges[0] && start < end; i++) {
		uint64_t s = pc_ranges[i].start, e = s + pc_ranges[i].size;
		if (s < start || e > end)
			continue;
		if (s > start)
			add_row(rows, n, ROW_GAP, start, s, "", "no region of the layout");
		add_row(rows, n, ROW_PC, s, e, pc_ranges[i].name, pc_ranges[i].note);
		start = e;
	}
	if (start < end)
		add_row(rows, n, ROW_GAP, start, end, "", "no region of the layout");
}

static int plan_rows(const struct layout *L, struct row *rows)
{
	const struct region *sorted[MAX_REGIONS];
	for (int i = 0; i < L->nregions; i++)
		sorted[i] = &L->regions[i];
	qsort(sorted, L->nregions, sizeof sorted[0], by_start);
	int n = 0;
	uint64_t at = 0;
	for (int i = 0; i < L->nregions; i++) {
		const struct region *r = sorted[i];
		if (r->start > at)
			add_gap(rows, &n, at, r->start);
		char note[COMMENT_MAX];
		layout_comment(L->path, r->line, note, sizeof note);
		add_row(rows, &n, ROW_REGION, r->start, r->end, r->name, note);
		at = r->end;
	}
	return n;
}

static void size_text(uint64_t bytes, char *out, size_t outlen)
{
	if (bytes >= 0x100000 && bytes % 0x100000 == 0)
		snprintf(out, outlen, "%llu MiB", (unsigned long long)(bytes >> 20));
	else if (bytes >= 0x400 && bytes % 0x400 == 0)
		snprintf(out, outlen, "%llu KiB", (unsigned long long)(bytes >> 10));
	else
		snprintf(out, outlen, "%llu B", (unsigned long long)bytes);
}

/* Text with XML's three special characters escaped. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		default: fputc(*s, f);
		}
	}
}

static const char *const row_style[] = {
	[ROW_REGION] = "fill=\"#cfe2f3\" stroke=\"#1c4587\"",
	[ROW_PC] = "fill=\"#eeeeee\" stroke=\"#666666\" stroke-dasharray=\"4 3\"",
	[ROW_GAP] = "fill=\"#ffffff\" stroke=\"#999999\" stroke-dasharray=\"1 3\"",
};

/* Row I (0 = lowest address) drawn with high addresses at the top, as memory
 * maps are drawn; its start address at its lower edge. */
static void draw_row(FILE *f, const struct row *r, int i, int nrows)
{
	int y = TOP_MARGIN + (nrows - 1 - i) * ROW_HEIGHT;
	int mid = y + ROW_HEIGHT / 2 + 5;
	char size[32];
	size_text(r->end - r->start, size, sizeof size);
	fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" %s/>\n", BOX_X, y, BOX_WIDTH,
		ROW_HEIGHT, row_style[r->kind]);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"addr\">0x%08llX</text>\n", ADDR_X,
		y + ROW_HEIGHT + 4, (unsigned long long)r->start);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"%s\">", BOX_X + BOX_WIDTH / 2, mid,
		r->kind == ROW_REGION ? "name" : "other");
	xml_text(f, r->kind == ROW_GAP ? "-" : r->name);
	fprintf(f, "</text>\n<text x=\"%d\" y=\"%d\" class=\"note\"><tspan class=\"size\">%s</tspan> ",
		NOTE_X, mid, size);
	xml_text(f, r->note);
	fprintf(f, "</text>\n");
}

static int render_svg(const struct layout *L, FILE *f)
{
	static struct row rows[MAX_ROWS];
	int n = plan_rows(L, rows);
	if (n == 0) {
		fprintf(stderr, "mkimage: %s: no regions to draw\n", L->path);
		return -1;
	}
	int height = TOP_MARGIN + n * ROW_HEIGHT + BOTTOM_MARGIN;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	/* the file's name only: the picture must not depend on where the tree is */
	const char *slash = strrchr(L->path, '/');
	const char *base = slash ? slash + 1 : L->path;
	fprintf(f, "<!-- GENERATED from %s by tools/mkimage (mkimage svg). DO NOT EDIT. -->\n", base);
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Verdana, sans-serif\" font-size=\"13\">\n",
		SVG_WIDTH, height, SVG_WIDTH, height);
	fprintf(f, "<style>.addr{font-family:DejaVu Sans Mono,monospace;text-anchor:end}"
		   ".name{font-weight:bold;text-anchor:middle}.other{fill:#555555;text-anchor:middle}"
		   ".size{font-weight:bold}.title{font-size:16px;font-weight:bold}</style>\n");
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	fprintf(f, "<text x=\"10\" y=\"24\" class=\"title\">VlsOs physical memory plan (%s)</text>\n",
		base);
	fprintf(f,
		"<text x=\"10\" y=\"42\">Rows in address order, high at the top; heights not to scale. "
		"Blue: a region of the layout; grey: the PC's own.</text>\n");
	for (int i = 0; i < n; i++)
		draw_row(f, &rows[i], i, n);
	fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"addr\">0x%08llX</text>\n", ADDR_X, TOP_MARGIN + 4,
		(unsigned long long)rows[n - 1].end);
	fprintf(f,
		"<text x=\"%d\" y=\"%d\" class=\"note\">above: the rest of RAM, as E820 reports it, "
		"for the page allocator</text>\n",
		NOTE_X, TOP_MARGIN - 4);
	fprintf(f, "</svg>\n");
	return 0;
}

int cmd_svg(const struct layout *L, const char *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f) {
		perror("mkimage");
		return 1;
	}
	int bad = render_svg(L, f);
	if (fclose(f) || bad) {
		free(buf);
		return 1;
	}
	char *tmp = NULL;
	int rc = 0;
	/* an unchanged picture keeps its timestamp, so make sees nothing new */
	if (!same_content(out, buf, len) && (write_temp(out, buf, len, &tmp) || rename(tmp, out))) {
		fprintf(stderr, "mkimage: cannot write %s\n", out);
		if (tmp)
			remove(tmp);
		rc = 1;
	}
	free(tmp);
	free(buf);
	return rc;
}
