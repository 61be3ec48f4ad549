/* sh.c: /BIN/SH, the shell. Reads command lines from fd 0 (the console's line
 * discipline hands over one whole line a read) with the prompt "$ ", or from
 * a script: SH [-x] FILE [ARGS...] runs FILE's lines and exits with the last
 * status (-x prints each line first, "+ LINE"). A line is words (spaces
 * inside "..." kept; $? becomes the last status), '#' starts a comment, `|`
 * joins commands by pipes, a final `&` runs them in the background.
 * Builtins: cd, pwd, exit, help; a word without '/' names /BIN/WORD.
 * docs/console.md ("The shell") describes it for its users. */
#include "ulib.h"

#define LINE_MAX 256 /* a command line with its '\n' */
#define STAGES_MAX 8 /* commands of one pipeline */
#define TOKENS_MAX (LINE_MAX / 2)
#define TEXT_MAX (2 * LINE_MAX) /* the words, NUL-ended; $? may lengthen them */
#define JOBS_MAX 16             /* background processes remembered for their "done" line */
#define SAVED_STDIN 11          /* where a pipeline keeps the shell's own fd 0 and 1 */
#define SAVED_STDOUT 10         /* (console-abi: fd 10 and 11, below FD_MAX) */
#define STATUS_SYNTAX 2
#define STATUS_CANNOT_RUN 126
#define STATUS_NOT_FOUND 127
#define EXIT_ABNORMAL 255 /* what `exit` and a script's end make of a status above 255 */
#define BIN_DIR "/BIN"    /* where a name without '/' is looked up */
#define HELP_COLUMNS 72

enum token_kind { TOKEN_WORD, TOKEN_PIPE, TOKEN_BACKGROUND };

struct token {
	enum token_kind kind;
	char *word;
};

struct command_line {
	struct token token[TOKENS_MAX];
	unsigned tokens;
	char text[TEXT_MAX];
};

struct stage {
	const char *argv[ARGS_MAX + 1];
	unsigned argc;
	int pid;
	int status;
	bool running;
	bool ended_by_shell; /* killed here because the pipeline's last command ended */
};

struct pipeline {
	struct stage stage[STAGES_MAX];
	unsigned stages;
	bool background;
};

/* input split into lines: a console read gives one line, a file or pipe read
 * may give several or part of one */
struct line_reader {
	int fd;
	char buf[LINE_MAX + 1]; /* + 1: room for the NUL after a last line without '\n' */
	uint32_t start, end;
	bool at_end;
};

enum read_result { READ_LINE, READ_END, READ_TOO_LONG, READ_ERROR };

static int last_status;
static int jobs[JOBS_MAX]; /* pids running in the background, 0: free */

/* ---- reading lines ---- */

/* The next line, its '\n' replaced by a NUL, in *line (inside r->buf, valid
 * until the next call). A last line without '\n' counts as a line. */
static enum read_result read_line(struct line_reader *r, char **line, int *error)
{
	bool discarding = false;

	for (;;) {
		char *newline = NULL;
		for (uint32_t i = r->start; i < r->end; i++)
			if (r->buf[i] == '\n') {
				newline = &r->buf[i];
				break;
			}
		if (newline) {
			*newline = '\0';
			*line = &r->buf[r->start];
			r->start = (uint32_t)(newline - r->buf) + 1;
			return discarding ? READ_TOO_LONG : READ_LINE;
		}
		if (r->at_end) {
			if (r->start == r->end || discarding) {
				r->start = r->end = 0;
				return discarding ? READ_TOO_LONG : READ_END;
			}
			r->buf[r->end] = '\0';
			*line = &r->buf[r->start];
			r->start = r->end;
			return READ_LINE;
		}
		if (r->start > 0) { /* keep the partial line at the front */
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		if (r->end == LINE_MAX) { /* full without '\n': drop up to the next one */
			discarding = true;
			r->end = 0;
		}
		int got = sys_read(r->fd, r->buf + r->end, LINE_MAX - r->end);
		if (got < 0) {
			*error = got;
			return READ_ERROR;
		}
		if (got == 0)
			r->at_end = true;
		r->end += (uint32_t)got;
		if (discarding && r->at_end)
			return READ_TOO_LONG;
	}
}

/* ---- splitting a line into words ---- */

struct text_out {
	struct command_line *cl;
	uint32_t used;
};

static bool put_char(struct text_out *out, char c)
{
	if (out->used >= TEXT_MAX)
		return false;
	out->cl->text[out->used++] = c;
	return true;
}

/* Splits LINE into cl's tokens: NULL, or what is wrong with it. */
static const char *tokenize(const char *line, struct command_line *cl)
{
	struct text_out out = { cl, 0 };
	const char *c = line;

	cl->tokens = 0;
	for (;;) {
		while (*c == ' ' || *c == '\t' || *c == '\r')
			c++;
		if (*c == '\0' || *c == '#')
			return NULL;
		if (cl->tokens == TOKENS_MAX)
			return "too many words";
		struct token *t = &cl->token[cl->tokens++];
		if (*c == '|' || *c == '&') {
			t->kind = *c == '|' ? TOKEN_PIPE : TOKEN_BACKGROUND;
			t->word = NULL;
			c++;
			continue;
		}
		t->kind = TOKEN_WORD;
		t->word = &cl->text[out.used];
		bool quoted = false;
		for (; *c && (quoted || !strchr(" \t\r|&", *c)); c++) {
			if (*c == '"') {
				quoted = !quoted;
			} else if (c[0] == '$' && c[1] == '?') {
				char digits[12];
				snprintf(digits, sizeof(digits), "%d", last_status);
				for (char *d = digits; *d; d++)
					if (!put_char(&out, *d))
						return "line too long after $? expansion";
				c++;
			} else if (!put_char(&out, *c)) {
				return "line too long after $? expansion";
			}
		}
		if (quoted)
			return "a \" is not closed";
		if (!put_char(&out, '\0'))
			return "line too long after $? expansion";
	}
}

/* Groups cl's tokens into commands: NULL, or what is wrong. */
static const char *parse(struct command_line *cl, struct pipeline *p)
{
	struct stage *s;

	memset(p, 0, sizeof(*p));
	if (cl->tokens == 0)
		return NULL;
	p->stages = 1;
	s = &p->stage[0];
	for (unsigned i = 0; i < cl->tokens; i++) {
		struct token *t = &cl->token[i];
		if (t->kind == TOKEN_WORD) {
			if (s->argc == ARGS_MAX)
				return "too many arguments";
			s->argv[s->argc++] = t->word;
		} else if (t->kind == TOKEN_BACKGROUND) {
			if (i != cl->tokens - 1)
				return "'&' must end the line";
			p->background = true;
		} else {
			if (s->argc == 0 || i == cl->tokens - 1)
				return "'|' needs a command on each side";
			if (p->stages == STAGES_MAX)
				return "too many commands in one pipe";
			s = &p->stage[p->stages++];
		}
	}
	if (s->argc == 0)
		return "'&' needs a command before it";
	return NULL;
}

/* ---- statuses ---- */

static const char *fault_name(unsigned vector)
{
	static const char *const names[] = {
		[0] = "divide error",         [1] = "debug exception",
		[3] = "breakpoint",           [4] = "overflow",
		[5] = "bound range exceeded", [6] = "invalid opcode",
		[7] = "device not available", [11] = "segment not present",
		[12] = "stack-segment fault", [13] = "general protection fault",
		[14] = "page fault",          [16] = "x87 floating-point error",
		[17] = "alignment check",     [19] = "SIMD floating-point exception",
	};
	if (vector < sizeof(names) / sizeof(names[0]) && names[vector])
		return names[vector];
	return "a CPU exception";
}

/* The line for a command that did not exit on its own, or nothing. */
static void report_abnormal(const char *name, int status)
{
	if (STATUS_IS_EXIT(status))
		return;
	if (status == STATUS_INTERRUPTED)
		fprintf(FD_STDERR, "sh: %s: interrupted (status %d)\n", name, status);
	else if (status == STATUS_KILLED)
		fprintf(FD_STDERR, "sh: %s: killed (status %d)\n", name, status);
	else if ((status & ~0xFF) == STATUS_FAULT(0))
		fprintf(FD_STDERR, "sh: %s: killed by %s (status %d)\n", name, fault_name(status & 0xFF),
			status);
	else
		fprintf(FD_STDERR, "sh: %s: ended with status %d\n", name, status);
}

static int exit_code(int status)
{
	return STATUS_IS_EXIT(status) ? status : EXIT_ABNORMAL;
}

/* ---- background processes ---- */

static void job_add(int pid)
{
	for (unsigned i = 0; i < JOBS_MAX; i++)
		if (jobs[i] == 0) {
			jobs[i] = pid;
			return;
		}
	/* the table is full: its "done" line comes all the same, when reaped */
}

/* A child the shell was not waiting for has ended: a background one. */
static void job_reaped(int pid, int status)
{
	for (unsigned i = 0; i < JOBS_MAX; i++)
		if (jobs[i] == pid)
			jobs[i] = 0;
	printf("[%d] done (status %d)\n", pid, status);
}

/* ---- builtins ---- */

static int builtin_cd(int argc, const char *const *argv)
{
	const char *dir = argc > 1 ? argv[1] : "/";

	if (argc > 2) {
		fprintf(FD_STDERR, "sh: cd: too many arguments (cd DIR)\n");
		return 1;
	}
	int err = sys_chdir(dir);
	if (err < 0) {
		fprintf(FD_STDERR, "sh: cd: %s: %s\n", dir, error_name(err));
		return 1;
	}
	return 0;
}

static int builtin_pwd(int argc, const char *const *argv)
{
	char cwd[PATH_MAX];

	(void)argv;
	if (argc > 1) {
		fprintf(FD_STDERR, "sh: pwd: takes no arguments\n");
		return 1;
	}
	int err = sys_getcwd(cwd, sizeof(cwd));
	if (err < 0) {
		fprintf(FD_STDERR, "sh: pwd: %s\n", error_name(err));
		return 1;
	}
	printf("%s\n", cwd);
	return 0;
}

/* "0" to "255", or -1 */
static int parse_exit_code(const char *s)
{
	int value = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		value = value * 10 + (*s - '0');
		if (value > 255)
			return -1;
	}
	return value;
}

static int builtin_exit(int argc, const char *const *argv)
{
	int code = exit_code(last_status);

	if (argc > 2) {
		fprintf(FD_STDERR, "sh: exit: too many arguments (exit [N])\n");
		return 1;
	}
	if (argc == 2 && (code = parse_exit_code(argv[1])) < 0) {
		fprintf(FD_STDERR, "sh: exit: %s: not a status from 0 to 255\n", argv[1]);
		return STATUS_SYNTAX;
	}
	exit(code);
}

static void list_programs(void)
{
	struct vls_dirent entry;
	unsigned column = 0;
	int fd = sys_open(BIN_DIR, O_RDONLY);

	if (fd < 0) {
		printf("  (cannot list %s: %s)\n", BIN_DIR, error_name(fd));
		return;
	}
	while (sys_readdir(fd, &entry) == 1) {
		if (entry.type != VLS_TYPE_FILE)
			continue;
		unsigned width = (unsigned)strlen(entry.name) + 1;
		if (column > 0 && column + width > HELP_COLUMNS) {
			printf("\n");
			column = 0;
		}
		printf(" %s", entry.name);
		column += width;
	}
	sys_close(fd);
	printf("\n");
}

static int builtin_help(int argc, const char *const *argv)
{
	(void)argc;
	(void)argv;
	printf("VlsOs shell. Builtins:\n"
	       "  cd [DIR]    change the current directory (default /); programs inherit it\n"
	       "  pwd         print the current directory\n"
	       "  exit [N]    leave the shell with status N (default: the last command's)\n"
	       "  help        this text\n"
	       "Lines: PROGRAM ARGS... (a name without '/' is /BIN/NAME; \"...\" keeps spaces),\n"
	       "  A | B (pipe), COMMAND & (background), $? (the last status), # comment.\n"
	       "  sh FILE runs a script; Ctrl-C ends the program running, Ctrl-D leaves.\n"
	       "Programs in " BIN_DIR ":\n");
	list_programs();
	return 0;
}

static const struct {
	const char *name;
	int (*run)(int argc, const char *const *argv);
} builtins[] = {
	{ "cd", builtin_cd },
	{ "pwd", builtin_pwd },
	{ "exit", builtin_exit },
	{ "help", builtin_help },
};
#define BUILTINS (sizeof(builtins) / sizeof(builtins[0]))

static int builtin_index(const char *name)
{
	for (unsigned i = 0; i < BUILTINS; i++)
		if (strcmp(name, builtins[i].name) == 0)
			return (int)i;
	return -1;
}

/* ---- running programs ---- */

/* Spawns one command (a word without '/' is looked up in /BIN): its pid, or
 * a negative error after its message. */
static int spawn_command(struct stage *s)
{
	const char *name = s->argv[0];
	char path[PATH_MAX];

	if (strchr(name, '/')) {
		if (strlen(name) >= sizeof(path)) {
			fprintf(FD_STDERR, "sh: %s: %s\n", name, error_name(ERR_TOOBIG));
			return ERR_TOOBIG;
		}
		strcpy(path, name);
	} else if (snprintf(path, sizeof(path), BIN_DIR "/%s", name) >= (int)sizeof(path)) {
		fprintf(FD_STDERR, "sh: %s: %s\n", name, error_name(ERR_TOOBIG));
		return ERR_TOOBIG;
	}
	int pid = sys_spawn(path, s->argv);
	if (pid < 0)
		fprintf(FD_STDERR, "sh: %s: %s\n", name, error_name(pid));
	return pid;
}

static int spawn_failure_status(int err)
{
	return err == ERR_NOENT ? STATUS_NOT_FOUND : STATUS_CANNOT_RUN;
}

/* Waits for every running stage of a foreground pipeline; a child of an
 * earlier background command that ends meanwhile gets its "done" line. When
 * the last command ends, the ones before it still running are ended: each
 * holds a read end of its own pipe (spawn gives a child every descriptor),
 * so it would wait forever for room instead of failing its next write. */
static void wait_pipeline(struct pipeline *p)
{
	struct stage *last = &p->stage[p->stages - 1];
	unsigned running = 0;

	for (unsigned i = 0; i < p->stages; i++)
		running += p->stage[i].running;
	while (running > 0) {
		int status;
		int pid = sys_wait(-1, &status);
		if (pid < 0) {
			fprintf(FD_STDERR, "sh: wait: %s\n", error_name(pid));
			return;
		}
		struct stage *s = NULL;
		for (unsigned i = 0; i < p->stages; i++)
			if (p->stage[i].running && p->stage[i].pid == pid)
				s = &p->stage[i];
		if (!s) {
			job_reaped(pid, status);
			continue;
		}
		s->running = false;
		s->status = status;
		running--;
		if (s == last)
			for (unsigned i = 0; i + 1 < p->stages; i++)
				if (p->stage[i].running && sys_kill(p->stage[i].pid) == 0)
					p->stage[i].ended_by_shell = true;
	}
}

/* dup2 that reports its failure */
static bool redirect(int fd, int to)
{
	int err = sys_dup2(fd, to);

	if (err < 0)
		fprintf(FD_STDERR, "sh: dup2(%d, %d): %s\n", fd, to, error_name(err));
	return err >= 0;
}

/* Spawns every stage with its fd 0 and 1 on the pipes between them, the
 * shell's own 0 and 1 kept at SAVED_STDIN/SAVED_STDOUT meanwhile. A stage
 * that cannot be spawned is skipped (its neighbours see the pipe's end).
 * Returns false when the pipes themselves could not be made. */
static bool spawn_pipeline(struct pipeline *p)
{
	int next_stdin = -1; /* the read end of the pipe before the stage */
	bool ok = true;

	if (p->stages > 1 && (!redirect(FD_STDIN, SAVED_STDIN) || !redirect(FD_STDOUT, SAVED_STDOUT)))
		return false;
	for (unsigned i = 0; i < p->stages && ok; i++) {
		struct stage *s = &p->stage[i];
		if (next_stdin >= 0) {
			ok = redirect(next_stdin, FD_STDIN);
			sys_close(next_stdin);
			next_stdin = -1;
		}
		if (ok && i + 1 < p->stages) {
			int fds[2];
			int err = sys_pipe(fds);
			if (err < 0) {
				fprintf(FD_STDERR, "sh: pipe: %s\n", error_name(err));
				ok = false;
				break;
			}
			ok = redirect(fds[1], FD_STDOUT);
			sys_close(fds[1]); /* the next stage must not inherit a write end */
			next_stdin = fds[0];
		} else if (ok && p->stages > 1) {
			ok = redirect(SAVED_STDOUT, FD_STDOUT);
		}
		if (!ok)
			break;
		s->pid = builtin_index(s->argv[0]) >= 0 && p->stages > 1 ? ERR_INVAL : spawn_command(s);
		if (s->pid == ERR_INVAL)
			fprintf(FD_STDERR, "sh: %s: a builtin cannot be part of a pipe\n", s->argv[0]);
		s->running = s->pid > 0;
		s->status = s->running ? 0 : spawn_failure_status(s->pid);
	}
	if (next_stdin >= 0)
		sys_close(next_stdin);
	if (p->stages > 1) {
		redirect(SAVED_STDIN, FD_STDIN);
		redirect(SAVED_STDOUT, FD_STDOUT);
		sys_close(SAVED_STDIN);
		sys_close(SAVED_STDOUT);
	}
	return ok;
}

static void run_pipeline(struct pipeline *p, bool interactive)
{
	struct stage *last = &p->stage[p->stages - 1];
	int index;

	if (p->stages == 1 && !p->background && (index = builtin_index(last->argv[0])) >= 0) {
		last_status = builtins[index].run((int)last->argc, last->argv);
		return;
	}
	bool ok = spawn_pipeline(p);
	if (p->background) {
		for (unsigned i = 0; i < p->stages; i++)
			if (p->stage[i].running)
				job_add(p->stage[i].pid);
		if (last->running)
			printf("[%d]\n", last->pid);
		last_status = ok && last->running ? 0 : last->status;
		return;
	}
	/* Ctrl-C ends the last command; the others follow it (wait_pipeline).
	 * A script's shell takes Ctrl-C back between commands: it ends the
	 * script. The interactive shell gives it to nobody. */
	if (last->running)
		sys_setfg(last->pid);
	wait_pipeline(p);
	sys_setfg(interactive ? 0 : sys_getpid());
	for (unsigned i = 0; i < p->stages; i++)
		if (!p->stage[i].ended_by_shell && p->stage[i].pid > 0)
			report_abnormal(p->stage[i].argv[0], p->stage[i].status);
	last_status = ok ? last->status : STATUS_CANNOT_RUN;
}

static void run_line(const char *line, bool interactive, bool trace)
{
	static struct command_line cl; /* static: 1.5 KiB, kept off the stack */
	static struct pipeline p;
	const char *error = tokenize(line, &cl);

	if (!error)
		error = parse(&cl, &p);
	if (error) {
		fprintf(FD_STDERR, "sh: %s\n", error);
		last_status = STATUS_SYNTAX;
		return;
	}
	if (p.stages == 0)
		return;
	if (trace)
		printf("+ %s\n", line);
	run_pipeline(&p, interactive);
}

/* Runs every line of R; returns at its end. */
static void run_lines(struct line_reader *r, bool interactive, bool trace)
{
	for (;;) {
		char *line;
		int error = 0;
		if (interactive)
			printf("$ ");
		enum read_result got = read_line(r, &line, &error);
		if (got == READ_END)
			break;
		if (got == READ_ERROR) {
			fprintf(FD_STDERR, "sh: read: %s\n", error_name(error));
			break;
		}
		if (got == READ_TOO_LONG) {
			fprintf(FD_STDERR, "sh: line too long (at most %d characters): ignored\n",
				LINE_MAX - 1);
			last_status = STATUS_SYNTAX;
			continue;
		}
		run_line(line, interactive, trace);
	}
	if (interactive)
		printf("exit\n");
}

int main(int argc, char **argv)
{
	static struct line_reader reader;
	bool trace = argc > 1 && strcmp(argv[1], "-x") == 0;
	int script = trace ? 2 : 1;

	if (argc > script) {
		int fd = sys_open(argv[script], O_RDONLY);
		if (fd < 0) {
			fprintf(FD_STDERR, "sh: %s: %s\n", argv[script], error_name(fd));
			return STATUS_NOT_FOUND;
		}
		reader.fd = fd;
		sys_setfg(sys_getpid());
		run_lines(&reader, false, trace);
		sys_close(fd);
	} else {
		reader.fd = FD_STDIN;
		run_lines(&reader, true, trace);
	}
	return exit_code(last_status);
}
