/* trace.c: traces in memory and their files (pagesim.h). */
#include "pagesim.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "errors.h"

#define TRACE_FIRST_CAPACITY 4096u
#define WINDOW_MARK "# window "
#define LINE_MAX_BYTES 256

int trace_add(struct trace *t, uint64_t page)
{
	if (t->length == t->capacity) {
		size_t capacity = t->capacity ? t->capacity * 2 : TRACE_FIRST_CAPACITY;
		uint32_t *refs = realloc(t->refs, capacity * sizeof *refs);
		if (!refs)
			return ERR_NOMEM;
		t->refs = refs;
		t->capacity = capacity;
	}
	int err = page_map_number(&t->numbers, page, &t->refs[t->length]);
	if (err)
		return err;
	t->length++;
	t->pages = t->numbers.count;
	return 0;
}

/* a decimal number that is the whole of S (a newline after it allowed) */
static bool whole_number(const char *s, uint64_t *value)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*value = strtoull(s, &end, 10);
	return errno == 0 && (*end == '\0' || !strcmp(end, "\n"));
}

int trace_read(FILE *in, const char *name, struct trace *t, char error[TRACE_ERROR_MAX])
{
	char line[LINE_MAX_BYTES];
	uint64_t line_number = 0, value;

	*t = (struct trace){ .window = 1 };
	while (fgets(line, sizeof line, in)) {
		line_number++;
		if (!strchr(line, '\n') && !feof(in)) {
			snprintf(error, TRACE_ERROR_MAX, "%s:%" PRIu64 ": a line longer than %d bytes",
				 name, line_number, LINE_MAX_BYTES - 2);
			return ERR_INVAL;
		}
		if (!strncmp(line, WINDOW_MARK, strlen(WINDOW_MARK))) {
			if (!whole_number(line + strlen(WINDOW_MARK), &value) || value == 0 ||
			    value > REDUCE_WINDOW_MAX) {
				snprintf(error, TRACE_ERROR_MAX,
					 "%s:%" PRIu64 ": the window is not a number from 1 to %d", name,
					 line_number, REDUCE_WINDOW_MAX);
				return ERR_INVAL;
			}
			t->window = (uint32_t)value;
			continue;
		}
		if (line[0] == '#' || !strcmp(line, "\n"))
			continue;
		if (!whole_number(line, &value)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(error, TRACE_ERROR_MAX,
				 "%s:%" PRIu64 ": \"%.40s\" is not a page number (decimal)", name,
				 line_number, line);
			return ERR_INVAL;
		}
		if (trace_add(t, value)) {
			snprintf(error, TRACE_ERROR_MAX, "%s: no memory for %zu references", name,
				 t->length + 1);
			return ERR_NOMEM;
		}
	}
	if (ferror(in)) {
		snprintf(error, TRACE_ERROR_MAX, "%s: read error after line %" PRIu64, name,
			 line_number);
		return ERR_IO;
	}
	return 0;
}

void trace_free(struct trace *t)
{
	free(t->refs);
	page_map_free(&t->numbers);
	*t = (struct trace){ .window = 1 };
}
