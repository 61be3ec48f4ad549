/* gen.c: `mkimage gen`: the layout's numbers as NASM, C and linker symbols,
 * and the manifest of its directories and files (genfiles.c). */
#include "mkimage.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum lang { NASM, C, LD };
#define MANIFEST (LD + 1) /* after the three renderings, test_files.h */
#define OUTPUTS (MANIFEST + 1)

static void value(FILE *f, const struct sym *y)
{
	if (y->hex)
		fprintf(f, "0x%0*llX", y->hex, (unsigned long long)y->value);
	else
		fprintf(f, "%llu", (unsigned long long)y->value);
}

static char *render(const struct layout *L, enum lang lang, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	if (!f) {
		perror("mkimage");
		exit(1);
	}
	const char *cs = lang == NASM ? ";" : " *";
	if (lang == NASM)
		fprintf(f, "; layout.inc");
	else
		fprintf(f, "/* layout.%s", lang == C ? "h" : "ld");
	fprintf(f, ": GENERATED from %s by tools/mkimage (mkimage gen).\n", L->path);
	fprintf(f, "%s DO NOT EDIT: change %s and rebuild; nothing else types these numbers.\n", cs,
		L->path);
	if (lang != NASM)
		fprintf(f, " */\n");
	fprintf(f, "\n");
	if (lang == NASM)
		fprintf(f, "%%ifndef VLSOS_GEN_LAYOUT_INC\n%%define VLSOS_GEN_LAYOUT_INC\n");
	if (lang == C)
		fprintf(f, "#ifndef VLSOS_GEN_LAYOUT_H\n#define VLSOS_GEN_LAYOUT_H\n");

	const char *group = NULL;
	for (int i = 0; i < L->nsyms; i++) {
		const struct sym *y = &L->syms[i];
		if (!group || strcmp(group, y->group)) {
			group = y->group;
			if (y->line)
				fprintf(f,
					lang == NASM ? "\n; %s (line %d)\n" : "\n/* %s (line %d) */\n",
					group, y->line);
			else
				fprintf(f, lang == NASM ? "\n; %s\n" : "\n/* %s */\n", group);
		}
		switch (lang) {
		case NASM: fprintf(f, "%%define %s ", y->name); break;
		case C: fprintf(f, "#define %s ", y->name); break;
		case LD: fprintf(f, "%s = ", y->name); break;
		}
		value(f, y);
		fprintf(f, lang == LD ? ";\n" : "\n");
	}
	if (lang == NASM)
		fprintf(f, "\n%%endif\n");
	if (lang == C)
		fprintf(f, "\n#endif\n");
	if (fclose(f)) {
		perror("mkimage");
		exit(1);
	}
	return buf;
}

int cmd_gen(const struct layout *L, const char *outdir)
{
	/* the three renderings of the numbers, then the manifest */
	static const char *names[OUTPUTS] = { "layout.inc", "layout.h", "layout.ld", "test_files.h" };
	char *paths[OUTPUTS] = { 0 }, *tmps[OUTPUTS] = { 0 };
	int ok = 1;

	if (make_dirs(outdir) < 0) {
		fprintf(stderr, "mkimage: %s: %s\n", outdir, strerror(errno));
		return 1;
	}
	for (int i = 0; i < OUTPUTS && ok; i++) {
		size_t len;
		char *text = i == MANIFEST ? render_manifest(L, &len) : render(L, (enum lang)i, &len);
		paths[i] = path_join(outdir, names[i]);
		/* an unchanged file keeps its timestamp, so nothing rebuilds needlessly */
		if (!same_content(paths[i], text, len) && write_temp(paths[i], text, len, &tmps[i]) < 0)
			ok = 0;
		free(text);
	}
	for (int i = 0; i < OUTPUTS; i++) {
		if (tmps[i]) {
			if (ok && rename(tmps[i], paths[i]) < 0) {
				fprintf(stderr, "mkimage: %s: %s\n", paths[i], strerror(errno));
				ok = 0;
			}
			if (!ok)
				unlink(tmps[i]);
		}
		free(tmps[i]);
		free(paths[i]);
	}
	return ok ? 0 : 1;
}
