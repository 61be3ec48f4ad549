/* layout_parse.c: pass 1 of layout_load (layout.c): each line of
 * disk.img.layout to a statement, its kind, name and typed key values checked
 * against the grammar table below. How statements relate is layout_check.c's. */
#include "mkimage.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- statement grammar -------------------------------------------------- */

enum vtype { V_NUM, V_FILE, V_IDENT, V_FS, V_LABEL, V_UUID, V_FLAG };

struct keyspec {
	const char *key;
	enum vtype type;
	int required;
	uint64_t min, max; /* V_NUM only */
	int hex;           /* print limits in hex */
};

enum name_type { N_IDENT, N_FILE_PATH, N_DIR_PATH };

struct kindspec {
	const char *kind;
	const char *what; /* what the NAME token is */
	enum name_type name_type;
	struct keyspec keys[MAX_KEYS];
};

#define U32 0xFFFFFFFFull

/* indexed by enum stmt_kind (mkimage.h) */
static const struct kindspec kinds[] = {
	[K_REGION] = { "region",
		       "region name",
		       N_IDENT,
		       { { "start", V_NUM, 1, 0, U32, 1 }, { "size", V_NUM, 1, 1, U32, 1 }, { 0 } } },
	[K_DISK] = { "disk",
		     "disk name",
		     N_IDENT,
		     { { "file", V_FILE, 1, 0, 0, 0 },
		       { "sectors", V_NUM, 0, 1, U32, 0 },
		       { "size", V_NUM, 0, SECTOR_BYTES, U32, 0 },
		       { "signature", V_NUM, 1, 1, U32, 1 },
		       { 0 } } },
	[K_AREA] = { "area",
		     "disk name",
		     N_IDENT,
		     { { "name", V_IDENT, 1, 0, 0, 0 },
		       { "lba", V_NUM, 1, 0, U32, 0 },
		       { "sectors", V_NUM, 1, 1, U32, 0 },
		       { "src", V_FILE, 1, 0, 0, 0 },
		       { 0 } } },
	[K_PARTITION] = { "partition",
			  "disk name",
			  N_IDENT,
			  { { "name", V_IDENT, 0, 0, 0, 0 },
			    { "lba", V_NUM, 1, 0, U32, 0 },
			    { "sectors", V_NUM, 1, 1, U32, 0 },
			    { "type", V_NUM, 1, 1, 0xFF, 1 },
			    { "fs", V_FS, 1, 0, 0, 0 },
			    { "label", V_LABEL, 0, 0, 0, 0 },
			    { "uuid", V_UUID, 0, 0, 0, 0 },
			    { "active", V_FLAG, 0, 0, 0, 0 },
			    { 0 } } },
	[K_VOLUME] = { "volume",
		       "disk name",
		       N_IDENT,
		       { { "fs", V_FS, 1, 0, 0, 0 },
			 { "reserved", V_NUM, 1, 1, 0xFFFF, 0 },
			 { "label", V_LABEL, 0, 0, 0, 0 },
			 { 0 } } },
	[K_DIR] = { "dir", "directory path", N_DIR_PATH, { { 0 } } },
	/* one of src= and gen= (layout_check.c) */
	[K_FILE] = { "file",
		     "file name",
		     N_FILE_PATH,
		     { { "src", V_FILE, 0, 0, 0, 0 },
		       { "gen", V_NUM, 0, 0, MAX_GEN_BYTES, 0 },
		       { 0 } } },
};
#define NKINDS ((int)(sizeof kinds / sizeof kinds[0]))

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

int fat_label_ok(const char *label)
{
	if (strlen(label) > FAT_LABEL_MAX_LEN)
		return 0;
	for (const char *p = label; *p; p++)
		if (!fat_char((unsigned char)*p))
			return 0;
	return 1;
}

/* 8-4-4-4-12 hex digits, as mkswap -U and swaplabel write a UUID */
static int is_uuid(const char *s)
{
	if (strlen(s) != UUID_TEXT_LEN)
		return 0;
	for (int i = 0; i < UUID_TEXT_LEN; i++)
		if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-'
							    : !isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

int fat_is_83(const char *s)
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

/* A VFAT long name: printable ASCII but for the characters Windows refuses
 * (a space would have ended the word), not ending in a dot */
static int is_long_name(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > FAT_LONG_NAME_MAX || s[n - 1] == '.')
		return 0;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || strchr("\"*/:<>?\\|", *s))
			return 0;
	return 1;
}

/* Checks one name of a path; 0 with a problem recorded when it is bad */
static int check_path_name(struct layout_ctx *c, int line, const char *kind, const char *path,
			   const char *name)
{
	char upper[FILE_MAX_LEN];
	size_t i;
	for (i = 0; name[i] && i + 1 < sizeof upper; i++)
		upper[i] = (char)toupper((unsigned char)name[i]);
	upper[i] = 0;
	if (!*name) {
		layout_problem(c, line, "%s %s: an empty name (// or a '/' at the end)", kind, path);
	} else if (!strcmp(name, ".") || !strcmp(name, "..")) {
		layout_problem(c, line, "%s %s: '%s' is not a name the layout may use", kind, path,
			       name);
	} else if (fat_is_83(name)) {
		return 1;
	} else if (fat_is_83(upper)) {
		/* FAT keeps such a name short, in capitals with a lower-case flag:
		 * what a reader lists would not be what the layout says */
		layout_problem(c, line, "%s %s: write '%s' in capitals, %s (an 8.3 name is upper case)",
			       kind, path, name, upper);
	} else if (!is_long_name(name)) {
		layout_problem(
			c, line,
			"%s %s: '%s' is neither an upper-case 8.3 name nor a long name (at most %d of the printable characters but \" * / : < > ? \\ |, not ending in '.')",
			kind, path, name, FAT_LONG_NAME_MAX);
	} else {
		return 1;
	}
	return 0;
}

/* Checks TOK, a dir's or a file's path, and writes it from the root into
 * OUT (FILE_MAX_LEN bytes): a file in the root may be named without its
 * '/'. 0 with a problem recorded when it is bad. */
static int check_path(struct layout_ctx *c, int line, const char *kind, int is_dir, const char *tok,
		      char *out)
{
	if (tok[0] != '/' && (is_dir || strchr(tok, '/'))) {
		layout_problem(c, line, "%s %s: a path from the root, starting with '/' (e.g. /%s)",
			       kind, tok, tok);
		return 0;
	}
	if (strlen(tok) + (tok[0] != '/') >= FILE_MAX_LEN) {
		layout_problem(c, line, "%s %s: the path is longer than %d characters", kind, tok,
			       FILE_MAX_LEN - 1);
		return 0;
	}
	snprintf(out, FILE_MAX_LEN, "%s%s", tok[0] == '/' ? "" : "/", tok);
	if (!strcmp(out, "/")) {
		layout_problem(c, line, "%s /: the root directory is always there and is no %s", kind,
			       is_dir ? "directory to make" : "file");
		return 0;
	}
	char name[FILE_MAX_LEN];
	const char *p = out + 1;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		memcpy(name, p, n);
		name[n] = 0;
		if (!check_path_name(c, line, kind, out, name))
			return 0;
		if (!slash)
			return 1;
		p = slash + 1;
	}
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
static int parse_kv(struct layout_ctx *c, int line, const struct kindspec *k, struct stmt *s,
		    const char *tok)
{
	const char *eq = strchr(tok, '=');
	size_t klen = eq ? (size_t)(eq - tok) : strlen(tok);
	int i = find_key(k, tok, klen);
	char keys[128];

	if (i < 0) {
		known_keys(k, keys, sizeof keys);
		layout_problem(c, line, "unknown key '%.*s' for %s (known: %s)", (int)klen, tok, k->kind,
			       keys);
		return 0;
	}
	const struct keyspec *ks = &k->keys[i];
	if (s->present[i]) {
		layout_problem(c, line, "key '%s' given twice", ks->key);
		return 0;
	}
	s->present[i] = 1; /* mentioned: no "missing key" on top of a bad value */
	if (ks->type == V_FLAG) {
		if (eq) {
			layout_problem(c, line, "'%s' is a flag and takes no value", ks->key);
			return 0;
		}
		s->present[i] = 1;
		return 1;
	}
	if (!eq) {
		layout_problem(c, line, "key '%s' needs a value (%s=...)", ks->key, ks->key);
		return 0;
	}
	const char *val = eq + 1;
	if (!*val) {
		layout_problem(c, line, "key '%s' has an empty value", ks->key);
		return 0;
	}
	if (strlen(val) >= FILE_MAX_LEN) {
		layout_problem(c, line, "value of '%s' is too long", ks->key);
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
			layout_problem(
				c, line,
				"malformed number '%s' for %s= (decimal, 0x-hex, optional K or M suffix)",
				val, ks->key);
			return 0;
		}
		if (r == -2 || v < ks->min || v > ks->max) {
			layout_problem(c, line, "%s=%s is out of range (%s..%s)", ks->key, val, lo, hi);
			return 0;
		}
		s->num[i] = v;
		break;
	}
	case V_FILE:
		if (!is_filename(val)) {
			layout_problem(c, line, "%s=%s is not a plain file name (no '/', no spaces)",
				       ks->key, val);
			return 0;
		}
		break;
	case V_IDENT:
		if (!is_ident(val) || strlen(val) >= NAME_MAX_LEN) {
			layout_problem(
				c, line,
				"%s=%s is not a name (letters, digits, '_', starting with a letter, at most %d)",
				ks->key, val, NAME_MAX_LEN - 1);
			return 0;
		}
		break;
	case V_FS:
		if (strcmp(val, "fat12") && strcmp(val, "fat16") && strcmp(val, "swap")) {
			layout_problem(c, line, "fs=%s is not supported (fat12, fat16 or swap)", val);
			return 0;
		}
		break;
	case V_LABEL:
		/* what a label may hold depends on fs= (layout_check.c); none is longer */
		if (strlen(val) > LABEL_MAX_LEN) {
			layout_problem(c, line, "label=%s is longer than %u characters", val,
				       LABEL_MAX_LEN);
			return 0;
		}
		break;
	case V_UUID:
		if (!is_uuid(val)) {
			layout_problem(
				c, line,
				"uuid=%s is not a UUID (8-4-4-4-12 hex digits, e.g. 564c534f-0000-4000-8000-000000000000)",
				val);
			return 0;
		}
		break;
	case V_FLAG: break;
	}
	snprintf(s->str[i], sizeof s->str[i], "%s", val);
	s->present[i] = 1;
	return 1;
}

void layout_parse_line(struct layout_ctx *c, int line, char *text)
{
	char *hash = strchr(text, '#');
	if (hash)
		*hash = 0;

	char *tok[64];
	int ntok = 0;
	for (char *p = strtok(text, " \t\r\n\f\v"); p; p = strtok(NULL, " \t\r\n\f\v")) {
		if (ntok == (int)(sizeof tok / sizeof tok[0])) {
			layout_problem(c, line, "too many words in one statement");
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
		layout_problem(c, line,
			       "unknown kind '%s' (region, disk, area, partition, volume, dir or file)",
			       tok[0]);
		return;
	}
	const struct kindspec *ks = &kinds[k];

	struct stmt s;
	memset(&s, 0, sizeof s);
	s.line = line;
	s.kind = k;

	if (ntok < 2 || strchr(tok[1], '=')) {
		layout_problem(c, line, "%s: missing %s", ks->kind, ks->what);
		return;
	}
	if (ks->name_type != N_IDENT) {
		if (!check_path(c, line, ks->kind, ks->name_type == N_DIR_PATH, tok[1], s.name))
			return;
	} else if (!is_ident(tok[1]) || strlen(tok[1]) >= NAME_MAX_LEN) {
		layout_problem(
			c, line,
			"%s: '%s' is not a valid %s (letters, digits, '_', starting with a letter, at most %d)",
			ks->kind, tok[1], ks->what, NAME_MAX_LEN - 1);
		return;
	} else {
		snprintf(s.name, sizeof s.name, "%s", tok[1]);
	}

	int ok = 1;
	for (int i = 2; i < ntok; i++)
		ok &= parse_kv(c, line, ks, &s, tok[i]);
	for (int i = 0; i < MAX_KEYS && ks->keys[i].key; i++)
		if (ks->keys[i].required && !s.present[i]) {
			layout_problem(c, line, "%s %s: missing key %s=", ks->kind, s.name,
				       ks->keys[i].key);
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

/* ---- statement accessors (the key must exist in the statement's kind) ---- */

static int kidx(const struct stmt *s, const char *key)
{
	return find_key(&kinds[s->kind], key, strlen(key));
}
int stmt_has(const struct stmt *s, const char *key)
{
	return s->present[kidx(s, key)];
}
uint64_t stmt_num(const struct stmt *s, const char *key)
{
	return s->num[kidx(s, key)];
}
const char *stmt_str(const struct stmt *s, const char *key)
{
	return s->str[kidx(s, key)];
}
const char *stmt_kind(const struct stmt *s)
{
	return kinds[s->kind].kind;
}
