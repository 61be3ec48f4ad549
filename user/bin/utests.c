/* utests.c: the user-space test suite (issue 14's "Tests"), in the manner of
 * xv6's usertests and Pintos's userprog tests. It runs as the first process
 * (BOOT.CFG: init=/BIN/UTESTS) and prints KTAP as the kernel's own suites do
 * (kernel/tests/ktest.c): `KTAP version 1`, `1..N`, one `ok N name` or
 * `not ok N name` a case, `# ` comments. It exits 0 when every case passed,
 * 1 otherwise. The kill lines the faults print are the boot test's to check.
 *
 * UTESTS also serves as its own helper child: `UTESTS child MODE ...` runs one
 * of child_main's modes (seeing another process's memory, checking arguments,
 * killing itself) and exits with what it found. */
#include "test_files.h"
#include "ulib.h"

#define SELF "/BIN/UTESTS"
#define CRASH "/BIN/CRASH"
#define PAGE 4096
#define KERNEL_ADDRESS 0x00100000 /* the kernel's image: mapped, supervisor-only */
#define UNMAPPED_USER 0x90000000  /* in the user region, above anything mmap gives here */
#define NO_SUCH_PID 100000
#define CRASH_RAN_DATA 99 /* CRASH's exec-* ran the code: no NX (crash.c) */

/* faults (CPU exception vectors, as in STATUS_FAULT) */
#define VECTOR_DIVIDE 0
#define VECTOR_INVALID_OPCODE 6
#define VECTOR_GENERAL_PROTECTION 13
#define VECTOR_PAGE_FAULT 14

/* ---------------------------------------------------------------------------
 * The harness
 * ------------------------------------------------------------------------- */
struct ut {
	bool failed;
	const char *skip; /* the reason, when the case did not apply */
};

static void expect(struct ut *t, bool ok, const char *what, int line)
{
	if (ok)
		return;
	t->failed = true;
	printf("# utests.c:%d: expected %s\n", line, what);
}

static void expect_eq(struct ut *t, int32_t got, int32_t want, const char *what, int line)
{
	if (got == want)
		return;
	t->failed = true;
	printf("# utests.c:%d: expected %s: got %d (%s), want %d (%s)\n", line, what, got,
	       got < 0 ? error_name(got) : "-", want, want < 0 ? error_name(want) : "-");
}

#define EXPECT(t, cond) expect(t, (cond), #cond, __LINE__)
#define EXPECT_EQ(t, got, want) \
	expect_eq(t, (int32_t)(got), (int32_t)(want), #got " == " #want, __LINE__)

/* spawn PATH with ARGV (argv[0] included) and wait for it: its status, or
 * STATUS_SPAWN_FAILED with the error in *err */
#define STATUS_SPAWN_FAILED (-1)
static int run_wait(const char *path, const char *const *argv, int *err)
{
	int pid = sys_spawn(path, argv), status = 0;

	*err = pid < 0 ? pid : 0;
	if (pid < 0)
		return STATUS_SPAWN_FAILED;
	int reaped = sys_wait(pid, &status);
	if (reaped != pid) {
		*err = reaped < 0 ? reaped : ERR_CHILD;
		return STATUS_SPAWN_FAILED;
	}
	return status;
}

/* run_wait with the arguments listed, reporting a spawn failure */
static int run2(struct ut *t, const char *path, const char *arg1, const char *arg2)
{
	const char *argv[] = { path, arg1, arg2, NULL };
	int err;
	int status = run_wait(path, argv, &err);

	if (status == STATUS_SPAWN_FAILED) {
		printf("# spawn %s %s: %s\n", path, arg1 ? arg1 : "", error_name(err));
		t->failed = true;
	}
	return status;
}

static void describe_status(int status)
{
	if (STATUS_IS_EXIT(status))
		printf("# exit status %d\n", status);
	else if (status == STATUS_KILLED)
		printf("# killed\n");
	else if (status & 0x100)
		printf("# killed by CPU exception %d\n", status & 0xFF);
	else
		printf("# status 0x%x\n", status);
}

/* free memory in bytes: the meminfo rows whose names begin with "free" (the
 * kernel has "free pages" and "free pages, high zone"); 0
 * when there is none */
static struct vls_meminfo meminfo;
static uint64_t free_memory(void)
{
	uint64_t sum = 0;

	if (sys_meminfo(&meminfo, sizeof(meminfo)) != 0)
		return 0;
	for (uint32_t i = 0; i < meminfo.rows && i < MEMINFO_ROWS_MAX; i++)
		if (strncmp(meminfo.row[i].name, "free", 4) == 0)
			sum += meminfo.row[i].bytes;
	return sum;
}

/* ---------------------------------------------------------------------------
 * Faults: CRASH MODE must die with the CPU exception, the suite goes on
 * ------------------------------------------------------------------------- */
static bool have_nx = true;

static void expect_fault(struct ut *t, const char *mode, int vector)
{
	int status = run2(t, CRASH, mode, NULL);

	if (status == STATUS_FAULT(vector))
		return;
	describe_status(status);
	EXPECT_EQ(t, status, STATUS_FAULT(vector));
}

/* exec-data and exec-stack: a page fault under NX; without NX the `ret` runs
 * and CRASH exits 99, accepted and said */
static void expect_exec_fault(struct ut *t, const char *mode)
{
	int status = run2(t, CRASH, mode, NULL);

	if (status == CRASH_RAN_DATA) {
		printf("# no NX: %s ran its code (the CPU cannot refuse it)\n", mode);
		have_nx = false;
		return;
	}
	if (status != STATUS_FAULT(VECTOR_PAGE_FAULT))
		describe_status(status);
	EXPECT_EQ(t, status, STATUS_FAULT(VECTOR_PAGE_FAULT));
}

static void test_fault_null(struct ut *t)
{
	expect_fault(t, "null", VECTOR_PAGE_FAULT);
}

static void test_fault_kernel_read(struct ut *t)
{
	expect_fault(t, "kernel-read", VECTOR_PAGE_FAULT);
}

static void test_fault_kernel_write(struct ut *t)
{
	expect_fault(t, "kernel-write", VECTOR_PAGE_FAULT);
}

static void test_fault_text(struct ut *t)
{
	expect_fault(t, "text", VECTOR_PAGE_FAULT);
}

static void test_fault_exec_data(struct ut *t)
{
	expect_exec_fault(t, "exec-data");
}

static void test_fault_exec_stack(struct ut *t)
{
	expect_exec_fault(t, "exec-stack");
}

static void test_fault_guard(struct ut *t)
{
	expect_fault(t, "guard", VECTOR_PAGE_FAULT);
}

static void test_fault_div0(struct ut *t)
{
	expect_fault(t, "div0", VECTOR_DIVIDE);
}

static void test_fault_ud2(struct ut *t)
{
	expect_fault(t, "ud2", VECTOR_INVALID_OPCODE);
}

static void test_fault_gpf(struct ut *t)
{
	expect_fault(t, "gpf", VECTOR_GENERAL_PROTECTION);
}

static void test_fault_hlt(struct ut *t)
{
	expect_fault(t, "hlt", VECTOR_GENERAL_PROTECTION);
}

static void test_fault_munmap_touch(struct ut *t)
{
	expect_fault(t, "munmap-touch", VECTOR_PAGE_FAULT);
}

static int my_pid;

/* after every fault above, this process and the kernel still work */
static void test_alive_after_faults(struct ut *t)
{
	EXPECT_EQ(t, sys_getpid(), my_pid);
	EXPECT_EQ(t, run2(t, "/BIN/TRUE", NULL, NULL), 0);
	EXPECT_EQ(t, run2(t, CRASH, NULL, NULL), 2); /* CRASH's usage */
}

/* ---------------------------------------------------------------------------
 * Pointers: the kernel's memory, the ends of user space, NULL, lengths
 * ------------------------------------------------------------------------- */
static char buffer[PAGE];

static void test_kernel_memory_via_calls(struct ut *t)
{
	void *kernel = (void *)KERNEL_ADDRESS;
	struct vls_stat st;
	uint64_t ns;

	EXPECT_EQ(t, sys_write(FD_STDOUT, kernel, 16), ERR_FAULT);
	EXPECT_EQ(t, sys_read(FD_STDIN, kernel, 16), ERR_FAULT);
	int fd = sys_open("/TEST/SUB/FEWK.BIN", O_RDONLY);
	EXPECT(t, fd >= 0);
	EXPECT_EQ(t, sys_read(fd, kernel, 16), ERR_FAULT);
	sys_close(fd);
	int dir = sys_open("/BIN", O_RDONLY);
	EXPECT(t, dir >= 0);
	EXPECT_EQ(t, sys_readdir(dir, kernel), ERR_FAULT);
	sys_close(dir);
	EXPECT_EQ(t, sys_stat(kernel, &st), ERR_FAULT);
	EXPECT_EQ(t, sys_open(kernel, O_RDONLY), ERR_FAULT);
	EXPECT_EQ(t, sys_stat("/BIN", kernel), ERR_FAULT);
	EXPECT_EQ(t, sys_uptime(kernel), ERR_FAULT);
	EXPECT_EQ(t, sys_uptime((uint64_t *)(VM_USER_START - 4)), ERR_FAULT);
	EXPECT_EQ(t, sys_uptime(&ns), 0);
	EXPECT_EQ(t, sys_meminfo(kernel, sizeof(meminfo)), ERR_FAULT);
	EXPECT_EQ(t, sys_spawn(kernel, NULL), ERR_FAULT);
}

static void test_bad_buffers(struct ut *t)
{
	EXPECT_EQ(t, sys_write(FD_STDOUT, NULL, 16), ERR_FAULT);
	EXPECT_EQ(t, sys_write(FD_STDOUT, (void *)-1, 16), ERR_FAULT);
	EXPECT_EQ(t, sys_write(FD_STDOUT, (void *)(VM_USER_END - 8), 16), ERR_FAULT);
	EXPECT_EQ(t, sys_write(FD_STDOUT, (void *)(VM_USER_START - 8), 16), ERR_FAULT);
	EXPECT_EQ(t, sys_write(FD_STDOUT, (void *)UNMAPPED_USER, 16), ERR_FAULT);
	EXPECT_EQ(t, sys_write(FD_STDOUT, buffer, 0xFFFFFFFF), ERR_FAULT);
	EXPECT_EQ(t, sys_write(FD_STDOUT, buffer, 0), 0);

	/* reading into the program's own code: the kernel must not write there */
	int fd = sys_open("/TEST/SUB/FEWK.BIN", O_RDONLY);
	EXPECT(t, fd >= 0);
	EXPECT_EQ(t, sys_read(fd, (void *)(uintptr_t)test_bad_buffers, 16), ERR_FAULT);
	EXPECT_EQ(t, sys_read(fd, NULL, 16), ERR_FAULT);
	EXPECT_EQ(t, sys_read(fd, buffer, 0), 0);
	sys_close(fd);

	/* a path with no NUL before an unmapped page */
	char *page = sys_mmap(PAGE, PROT_READ | PROT_WRITE);
	if (!sys_error(page)) {
		memset(page, 'A', PAGE);
		page[0] = '/';
		EXPECT_EQ(t, sys_munmap(page + PAGE, PAGE) != 0, 1); /* nothing mapped right above */
		struct vls_stat st;
		int r = sys_stat(page + PAGE - 8, &st);
		EXPECT_EQ(t, r, ERR_FAULT);
		sys_munmap(page, PAGE);
	} else {
		EXPECT_EQ(t, sys_error(page), 0);
	}
}

/* bad system-call numbers */
static void test_bad_call_numbers(struct ut *t)
{
	EXPECT_EQ(t, syscall5(0, 0, 0, 0, 0, 0), ERR_NOSYS);
	EXPECT_EQ(t, syscall5(SYS_CALLS, 0, 0, 0, 0, 0), ERR_NOSYS);
	EXPECT_EQ(t, syscall5(0xFFFFFFFF, 0, 0, 0, 0, 0), ERR_NOSYS);
}

/* ---------------------------------------------------------------------------
 * Another process's memory. The child is this program again, so it has the
 * same addresses: it must see its own copy of `shared_looking` (the value the
 * program was built with), not what the parent wrote, and what it writes must
 * not reach the parent; the parent's mmap and heap pages are not in the
 * child's space at all, so reading them there faults.
 * ------------------------------------------------------------------------- */
#define BUILT_VALUE 0x600DF00Du
#define PARENT_VALUE 0xBAD0BEEFu
#define CHILD_VALUE 0x0C0FFEEu
static volatile uint32_t shared_looking = BUILT_VALUE;

static void test_other_process_memory(struct ut *t)
{
	char addr[16];

	shared_looking = PARENT_VALUE;
	EXPECT_EQ(t, run2(t, SELF, "child", "peek-data"), 0);
	EXPECT_EQ(t, shared_looking, PARENT_VALUE);
	shared_looking = BUILT_VALUE;

	volatile uint32_t *mapped = sys_mmap(PAGE, PROT_READ | PROT_WRITE);
	if (sys_error((void *)mapped)) {
		EXPECT_EQ(t, sys_error((void *)mapped), 0);
		return;
	}
	mapped[0] = PARENT_VALUE;
	snprintf(addr, sizeof(addr), "%p", (void *)mapped);
	const char *argv[] = { SELF, "child", "peek", addr, NULL };
	int err, status = run_wait(SELF, argv, &err);
	if (status != STATUS_FAULT(VECTOR_PAGE_FAULT))
		describe_status(status);
	EXPECT_EQ(t, status, STATUS_FAULT(VECTOR_PAGE_FAULT));
	EXPECT_EQ(t, mapped[0], PARENT_VALUE);
	sys_munmap((void *)mapped, PAGE);
}

/* ---------------------------------------------------------------------------
 * Descriptors
 * ------------------------------------------------------------------------- */
static void test_bad_descriptors(struct ut *t)
{
	static const int bad[] = { -1, 3, FD_MAX, 1000 };
	struct vls_dirent entry;

	for (uint32_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(t, sys_read(bad[i], buffer, 1), ERR_BADF);
		EXPECT_EQ(t, sys_write(bad[i], buffer, 1), ERR_BADF);
		EXPECT_EQ(t, sys_close(bad[i]), ERR_BADF);
		EXPECT_EQ(t, sys_readdir(bad[i], &entry), ERR_BADF);
	}
	int fd = sys_open("/TEST/ONE.BIN", O_RDONLY);
	EXPECT(t, fd >= 0);
	EXPECT_EQ(t, sys_write(fd, buffer, 1), ERR_BADF);
	EXPECT_EQ(t, sys_readdir(fd, &entry), ERR_NOTDIR);
	EXPECT_EQ(t, sys_close(fd), 0);
	EXPECT_EQ(t, sys_close(fd), ERR_BADF);
	EXPECT_EQ(t, sys_read(fd, buffer, 1), ERR_BADF);

	int dir = sys_open("/BIN", O_RDONLY);
	EXPECT(t, dir >= 0);
	EXPECT_EQ(t, sys_read(dir, buffer, 1), ERR_ISDIR);
	EXPECT_EQ(t, sys_close(dir), 0);
	EXPECT_EQ(t, sys_open("/BIN", 1), ERR_INVAL); /* only O_RDONLY */
}

/* the descriptor table fills: ERR_AGAIN, and every descriptor comes back */
static void test_descriptor_limit(struct ut *t)
{
	int fds[FD_MAX], opened = 0, r = 0;

	while (opened < FD_MAX && (r = sys_open("/BIN", O_RDONLY)) >= 0)
		fds[opened++] = r;
	EXPECT_EQ(t, r, ERR_AGAIN);
	EXPECT_EQ(t, opened, FD_MAX - 3);
	for (int i = 0; i < opened; i++)
		EXPECT_EQ(t, sys_close(fds[i]), 0);
	r = sys_open("/BIN", O_RDONLY);
	EXPECT_EQ(t, r, 3);
	sys_close(r);
}

/* ---------------------------------------------------------------------------
 * The volume
 * ------------------------------------------------------------------------- */
static const char *const programs[] = { "INIT", "HELLO", "ARGS",   "CRASH", "SPIN",
					"TRUE", "FALSE", "UTESTS", "PBENCH" };
#define PROGRAM_COUNT (sizeof(programs) / sizeof(programs[0]))

static void test_bin_listing(struct ut *t)
{
	struct vls_stat st;
	struct vls_dirent entry;
	bool seen[PROGRAM_COUNT] = { false };
	int r, entries = 0;

	EXPECT_EQ(t, sys_stat("/BIN", &st), 0);
	EXPECT_EQ(t, st.type, VLS_TYPE_DIR);
	int dir = sys_open("/BIN", O_RDONLY);
	if (dir < 0) {
		EXPECT_EQ(t, dir, 0);
		return;
	}
	while ((r = sys_readdir(dir, &entry)) == 1 && entries++ < 1000) {
		for (uint32_t i = 0; i < PROGRAM_COUNT; i++) {
			if (strcmp(entry.name, programs[i]) != 0)
				continue;
			seen[i] = true;
			char path[PATH_MAX];
			snprintf(path, sizeof(path), "/BIN/%s", entry.name);
			EXPECT_EQ(t, sys_stat(path, &st), 0);
			EXPECT_EQ(t, st.size, entry.size);
			EXPECT_EQ(t, entry.type, VLS_TYPE_FILE);
		}
	}
	EXPECT_EQ(t, r, 0);
	EXPECT_EQ(t, sys_readdir(dir, &entry), 0); /* stays at the end */
	sys_close(dir);
	for (uint32_t i = 0; i < PROGRAM_COUNT; i++)
		if (!seen[i]) {
			printf("# /BIN has no %s\n", programs[i]);
			t->failed = true;
		}
}

static void test_paths(struct ut *t)
{
	static char long_path[PATH_MAX + 2];
	struct vls_stat st;

	EXPECT_EQ(t, sys_stat("/TEST/SUB/FEWK.BIN", &st), 0);
	EXPECT_EQ(t, st.size, 5000);
	EXPECT_EQ(t, st.type, VLS_TYPE_FILE);
	EXPECT_EQ(t, sys_stat("/TEST/SUB/NOSUCH.BIN", &st), ERR_NOENT);
	EXPECT_EQ(t, sys_open("/NOSUCH/FILE", O_RDONLY), ERR_NOENT);
	EXPECT_EQ(t, sys_stat("/TEST/SUB/FEWK.BIN/X", &st), ERR_NOTDIR);
	EXPECT_EQ(t, sys_open("/TEST/ONE.BIN/X", O_RDONLY), ERR_NOTDIR);
	memset(long_path, 'A', sizeof(long_path) - 1);
	long_path[0] = '/';
	EXPECT_EQ(t, sys_stat(long_path, &st), ERR_TOOBIG);
	EXPECT_EQ(t, sys_open(long_path, O_RDONLY), ERR_TOOBIG);
	EXPECT_EQ(t, sys_spawn(long_path, NULL), ERR_TOOBIG);
}

/* every generated file read whole (in pieces of an odd size) matches its CRC */
static void test_file_contents(struct ut *t)
{
	static const struct {
		const char *path;
		uint32_t size, crc32;
	} files[] = TEST_FILES;

	for (uint32_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		int fd = sys_open(files[i].path, O_RDONLY), r;
		uint32_t total = 0, crc = 0;
		if (fd < 0) {
			printf("# open %s: %s\n", files[i].path, error_name(fd));
			t->failed = true;
			continue;
		}
		while ((r = sys_read(fd, buffer, 1000)) > 0) {
			crc = crc32_update(crc, buffer, (size_t)r);
			total += (uint32_t)r;
		}
		EXPECT_EQ(t, r, 0);
		sys_close(fd);
		if (total != files[i].size || crc != files[i].crc32) {
			printf("# %s: %u bytes, CRC-32 0x%08x; want %u, 0x%08x\n", files[i].path, total,
			       crc, files[i].size, files[i].crc32);
			t->failed = true;
		}
	}
}

/* ---------------------------------------------------------------------------
 * Memory: sbrk, mmap, malloc
 * ------------------------------------------------------------------------- */
static void test_sbrk(struct ut *t)
{
	char *start = sys_sbrk(0);
	const int32_t grow = 3 * PAGE + 100;

	EXPECT_EQ(t, sys_error(start), 0);
	EXPECT(t, (uintptr_t)start >= VM_USER_START);
	EXPECT_EQ(t, (uintptr_t)sys_sbrk(grow), (uintptr_t)start);
	EXPECT_EQ(t, (uintptr_t)sys_sbrk(0), (uintptr_t)start + grow);
	for (int32_t i = 0; i < grow; i++) {
		if (start[i] != 0) {
			printf("# the new heap byte %d is not zero\n", i);
			t->failed = true;
			break;
		}
		start[i] = (char)i;
	}
	EXPECT_EQ(t, (uintptr_t)sys_sbrk(-grow), (uintptr_t)start + grow);
	EXPECT_EQ(t, (uintptr_t)sys_sbrk(0), (uintptr_t)start);
	/* below the program's own end */
	EXPECT_EQ(t, sys_error(sys_sbrk(-(int32_t)((uintptr_t)start - VM_USER_START) - PAGE)),
		  ERR_INVAL);
	EXPECT_EQ(t, sys_error(sys_sbrk(0x7FFFFFFF)), ERR_NOMEM);
	EXPECT_EQ(t, (uintptr_t)sys_sbrk(0), (uintptr_t)start);
	/* grown again, the pages given back come back zeroed */
	EXPECT_EQ(t, (uintptr_t)sys_sbrk(PAGE), (uintptr_t)start);
	EXPECT_EQ(t, start[PAGE - 1], 0);
	EXPECT_EQ(t, (uintptr_t)sys_sbrk(-PAGE), (uintptr_t)start + PAGE);
}

static void test_mmap(struct ut *t)
{
	EXPECT_EQ(t, sys_error(sys_mmap(0, PROT_READ | PROT_WRITE)), ERR_INVAL);
	int huge = sys_error(sys_mmap(0xFFFFF000, PROT_READ | PROT_WRITE));
	EXPECT(t, huge == ERR_NOMEM || huge == ERR_INVAL);

	uint8_t *p = sys_mmap(3 * PAGE, PROT_READ | PROT_WRITE);
	if (sys_error(p)) {
		EXPECT_EQ(t, sys_error(p), 0);
		return;
	}
	EXPECT(t, (uintptr_t)p >= VM_USER_MMAP_START && (uintptr_t)p < VM_USER_END);
	EXPECT_EQ(t, (uintptr_t)p % PAGE, 0);
	for (uint32_t i = 0; i < 3 * PAGE; i++)
		if (p[i] != 0) {
			printf("# mmap byte %u is not zero\n", i);
			t->failed = true;
			break;
		}
	memset(p, 0x5A, 3 * PAGE);
	int r = sys_munmap(p + 3 * PAGE, PAGE); /* not mapped */
	EXPECT(t, r == ERR_INVAL || r == ERR_NOTMAPPED);
	EXPECT_EQ(t, sys_munmap(p + 1, PAGE), ERR_INVAL); /* not page-aligned */
	EXPECT_EQ(t, sys_munmap(p, 3 * PAGE), 0);
	r = sys_munmap(p, PAGE); /* gone already */
	EXPECT(t, r == ERR_INVAL || r == ERR_NOTMAPPED);
	EXPECT_EQ(t, sys_write(FD_STDOUT, p, 1), ERR_FAULT);

	uint8_t *again = sys_mmap(3 * PAGE, PROT_READ | PROT_WRITE);
	if (!sys_error(again)) {
		EXPECT_EQ(t, again[PAGE], 0); /* a fresh mapping never shows old data */
		EXPECT_EQ(t, sys_munmap(again, 3 * PAGE), 0);
	}
}

static void test_malloc(struct ut *t)
{
	enum { BLOCKS = 64 };
	uint8_t *blocks[BLOCKS];

	for (uint32_t i = 0; i < BLOCKS; i++) {
		size_t size = 1 + i * 97;
		blocks[i] = malloc(size);
		EXPECT(t, blocks[i] != NULL);
		EXPECT_EQ(t, (uintptr_t)blocks[i] % MALLOC_ALIGN, 0);
		if (blocks[i])
			memset(blocks[i], (int)i, size);
	}
	for (uint32_t i = 0; i < BLOCKS; i += 2)
		free(blocks[i]);
	for (uint32_t i = 1; i < BLOCKS; i += 2) {
		blocks[i] = realloc(blocks[i], 2 + i * 97 * 2);
		EXPECT(t, blocks[i] && blocks[i][i * 97] == (uint8_t)i);
	}
	for (uint32_t i = 1; i < BLOCKS; i += 2)
		free(blocks[i]);
	uint32_t *zeroed = calloc(1000, sizeof(uint32_t));
	EXPECT(t, zeroed && zeroed[999] == 0);
	free(zeroed);
	void *big = malloc(1 << 20);
	EXPECT(t, big != NULL);
	free(big);
	EXPECT(t, malloc(0xFFFFFF00) == NULL);
}

/* ---------------------------------------------------------------------------
 * Processes: spawn, wait, exit, kill
 * ------------------------------------------------------------------------- */
static const char long_argument[] =
	"a long argument: 0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ end";
/* what `UTESTS child args` must receive after its first two arguments */
static const char *const travelling[] = { "", long_argument, "two words", "x" };
#define TRAVELLING (sizeof(travelling) / sizeof(travelling[0]))

static void test_arguments_travel(struct ut *t)
{
	const char *argv[3 + TRAVELLING + 1] = { SELF, "child", "args" };
	int err;

	for (uint32_t i = 0; i < TRAVELLING; i++)
		argv[3 + i] = travelling[i];
	argv[3 + TRAVELLING] = NULL;
	EXPECT_EQ(t, run_wait(SELF, argv, &err), 0);

	/* ARGS exits with its first argument: 5 arguments, an empty and a long one */
	const char *args[] = { "ARGS", "42", "", long_argument, "four", NULL };
	EXPECT_EQ(t, run_wait("/BIN/ARGS", args, &err), 42);
}

static void test_exit_statuses(struct ut *t)
{
	static const struct {
		const char *arg;
		int status;
	} cases[] = {
		{ "0", 0 }, { "1", 1 }, { "255", 255 }, { "256", 0 }, { "257", 1 }, { "-1", 255 }
	};

	for (uint32_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		EXPECT_EQ(t, run2(t, "/BIN/ARGS", cases[i].arg, NULL), cases[i].status);
	EXPECT_EQ(t, run2(t, "/BIN/TRUE", NULL, NULL), 0);
	EXPECT_EQ(t, run2(t, "/BIN/FALSE", NULL, NULL), 1);
}

static void test_wait(struct ut *t)
{
	const char *true_argv[] = { "TRUE", NULL }, *false_argv[] = { "FALSE", NULL };
	int status = -1;

	EXPECT_EQ(t, sys_wait(-1, &status), ERR_CHILD); /* no children */
	EXPECT_EQ(t, sys_wait(my_pid, &status), ERR_CHILD);
	EXPECT_EQ(t, sys_wait(NO_SUCH_PID, &status), ERR_CHILD);
	int a = sys_spawn("/BIN/TRUE", true_argv), b = sys_spawn("/BIN/FALSE", false_argv);
	EXPECT(t, a > 0 && b > 0 && a != b);
	bool got_a = false, got_b = false;
	for (int i = 0; i < 2; i++) {
		int pid = sys_wait(-1, &status);
		if (pid == a && !got_a) {
			got_a = true;
			EXPECT_EQ(t, status, 0);
		} else if (pid == b && !got_b) {
			got_b = true;
			EXPECT_EQ(t, status, 1);
		} else {
			EXPECT_EQ(t, pid, a);
		}
	}
	EXPECT(t, got_a && got_b);
	EXPECT_EQ(t, sys_wait(a, &status), ERR_CHILD); /* reaped already */
	a = sys_spawn("/BIN/TRUE", true_argv);
	EXPECT_EQ(t, sys_wait(a, NULL), a); /* the status is optional */
	a = sys_spawn("/BIN/TRUE", true_argv);
	EXPECT_EQ(t, sys_wait(a, (int *)KERNEL_ADDRESS), ERR_FAULT);
	EXPECT_EQ(t, sys_wait(a, &status), a); /* a bad pointer reaps nothing */
}

static void test_spawn_refusals(struct ut *t)
{
	static const char *many[ARGS_MAX + 2];
	static char big[ARG_MAX / 2 + 1];
	const char *argv[] = { "X", NULL };

	EXPECT_EQ(t, sys_spawn("/BIN/NOSUCH", argv), ERR_NOENT);
	int r = sys_spawn("/BIN", argv);
	EXPECT(t, r == ERR_ISDIR || r == ERR_NOEXEC);
	EXPECT_EQ(t, sys_spawn("/TEST/SUB/FEWK.BIN", argv), ERR_NOEXEC);
	EXPECT_EQ(t, sys_spawn("/TEST/EMPTY.BIN", argv), ERR_NOEXEC);
	EXPECT_EQ(t, sys_spawn("/BIN/TRUE", (const char *const *)KERNEL_ADDRESS), ERR_FAULT);
	const char *bad_string[] = { "TRUE", (const char *)KERNEL_ADDRESS, NULL };
	EXPECT_EQ(t, sys_spawn("/BIN/TRUE", bad_string), ERR_FAULT);
	for (uint32_t i = 0; i < ARGS_MAX + 1; i++)
		many[i] = "a";
	EXPECT_EQ(t, sys_spawn("/BIN/TRUE", many), ERR_TOOBIG);
	many[ARGS_MAX] = NULL; /* ARGS_MAX exactly is allowed */
	int err;
	EXPECT_EQ(t, run_wait("/BIN/TRUE", many, &err), 0);
	memset(big, 'b', sizeof(big) - 1);
	const char *too_long[] = { "TRUE", big, big, NULL };
	EXPECT_EQ(t, sys_spawn("/BIN/TRUE", too_long), ERR_TOOBIG);
}

/* free memory after the first batch of children (the kernel's caches warm)
 * is free memory after all of them */
static void test_many_processes(struct ut *t)
{
	enum { TOTAL = 200, BATCH = 20 };
	const char *argv[] = { "TRUE", NULL };
	uint64_t after_first = 0;
	int pids[BATCH];

	for (int done = 0; done < TOTAL; done += BATCH) {
		for (int i = 0; i < BATCH; i++)
			pids[i] = sys_spawn("/BIN/TRUE", argv);
		for (int i = 0; i < BATCH; i++) {
			int status = -1;
			if (pids[i] < 0) {
				printf("# child %d: spawn: %s\n", done + i, error_name(pids[i]));
				t->failed = true;
				continue;
			}
			EXPECT_EQ(t, sys_wait(pids[i], &status), pids[i]);
			EXPECT_EQ(t, status, 0);
		}
		if (done == 0)
			after_first = free_memory();
		if (t->failed)
			return;
	}
	uint64_t after_all = free_memory();
	printf("# free memory after the first batch %llu bytes, after %d children %llu\n", after_first,
	       TOTAL, after_all);
	EXPECT(t, after_first != 0);
	EXPECT(t, after_all == after_first);
}

/* spawn SPIN until the kernel refuses, then kill and reap them all */
static void test_process_limit(struct ut *t)
{
	static int pids[PROC_MAX + 1];
	const char *argv[] = { "SPIN", NULL };
	int count = 0, r = 0;
	uint64_t before = free_memory();

	while (count <= PROC_MAX && (r = sys_spawn("/BIN/SPIN", argv)) > 0)
		pids[count++] = r;
	printf("# %d processes spawned, then %s\n", count, error_name(r));
	EXPECT(t, r == ERR_AGAIN || r == ERR_NOMEM);
	EXPECT(t, count < PROC_MAX);
	for (int i = 0; i < count; i++)
		EXPECT_EQ(t, sys_kill(pids[i]), 0);
	for (int i = 0; i < count; i++) {
		int status = -1;
		EXPECT_EQ(t, sys_wait(pids[i], &status), pids[i]);
		EXPECT_EQ(t, status, STATUS_KILLED);
	}
	uint64_t after = free_memory();
	if (after != before) {
		printf("# free memory %llu before, %llu after\n", before, after);
		t->failed = true;
	}
	/* a process can be made again */
	EXPECT_EQ(t, run2(t, "/BIN/TRUE", NULL, NULL), 0);
}

static void test_kill(struct ut *t)
{
	const char *argv[] = { "SPIN", NULL };
	int status = -1;

	int pid = sys_spawn("/BIN/SPIN", argv);
	EXPECT(t, pid > 0);
	sys_yield(); /* let it run a little */
	EXPECT_EQ(t, sys_kill(pid), 0);
	EXPECT_EQ(t, sys_wait(pid, &status), pid);
	EXPECT_EQ(t, status, STATUS_KILLED);
	EXPECT_EQ(t, sys_kill(pid), ERR_SRCH); /* gone */
	EXPECT_EQ(t, sys_kill(NO_SUCH_PID), ERR_SRCH);
	EXPECT_EQ(t, sys_kill(-1), ERR_SRCH);
	int r = sys_kill(0); /* the idle process, the kernel's own */
	EXPECT(t, r == ERR_PERM || r == ERR_SRCH);
	/* a process killing itself ends as killed (this suite is init: it does
	 * not kill itself, a child does) */
	EXPECT_EQ(t, run2(t, SELF, "child", "kill-self"), STATUS_KILLED);
}

static void test_time(struct ut *t)
{
	EXPECT_EQ(t, sys_yield(), 0);
	uint64_t a = uptime_ns();
	EXPECT_EQ(t, sys_sleep(50), 0);
	uint64_t b = uptime_ns();
	EXPECT(t, a != 0);
	EXPECT(t, b - a >= 50ull * 1000 * 1000);
	printf("# sleep(50) took %u us\n", (uint32_t)udiv64_32(b - a, 1000));
	EXPECT_EQ(t, sys_sleep(0), 0);
	EXPECT(t, uptime_ns() > b);
}

static void test_pids_distinct(struct ut *t)
{
	enum { CHILDREN = 4 };
	const char *argv[] = { "SPIN", NULL };
	int pids[CHILDREN];

	for (int i = 0; i < CHILDREN; i++) {
		pids[i] = sys_spawn("/BIN/SPIN", argv);
		EXPECT(t, pids[i] > 0 && pids[i] != my_pid);
		for (int j = 0; j < i; j++)
			EXPECT(t, pids[i] != pids[j]);
	}
	for (int i = 0; i < CHILDREN; i++)
		if (pids[i] > 0) {
			sys_kill(pids[i]);
			sys_wait(pids[i], NULL);
		}
	/* the child's own getpid is the pid spawn gave (its low byte comes back) */
	const char *child[] = { SELF, "child", "getpid", NULL };
	int pid = sys_spawn(SELF, child), status = -1;
	EXPECT(t, pid > 0);
	EXPECT_EQ(t, sys_wait(pid, &status), pid);
	EXPECT_EQ(t, status, pid & 0xFF);
}

static void test_meminfo(struct ut *t)
{
	EXPECT_EQ(t, sys_meminfo(&meminfo, sizeof(meminfo)), 0);
	uint64_t sum = 0;
	EXPECT(t, meminfo.rows > 0 && meminfo.rows <= MEMINFO_ROWS_MAX);
	for (uint32_t i = 0; i < meminfo.rows && i < MEMINFO_ROWS_MAX; i++)
		sum += meminfo.row[i].bytes;
	EXPECT(t, sum == meminfo.usable);
	EXPECT(t, free_memory() != 0);
}

/* the bytes of the meminfo row called name, or ~0 when there is none */
static uint64_t meminfo_row(const char *name)
{
	if (sys_meminfo(&meminfo, sizeof(meminfo)) != 0)
		return ~0ull;
	for (uint32_t i = 0; i < meminfo.rows && i < MEMINFO_ROWS_MAX; i++)
		if (strcmp(meminfo.row[i].name, name) == 0)
			return meminfo.row[i].bytes;
	return ~0ull;
}

#define HIGH_ROW "free pages, high zone"
#define TOUCH_BYTES (1024 * 1024)

/* Pages a process touches are counted as user pages and, where there is RAM
 * above the kernel's direct map, come from there first. */
static void test_user_pages_accounted(struct ut *t)
{
	uint64_t high = meminfo_row(HIGH_ROW), user = meminfo_row("user pages");
	char *p = sys_sbrk(TOUCH_BYTES);

	EXPECT(t, user != ~0ull && high != ~0ull && !sys_error(p));
	if (t->failed)
		return;
	for (uint32_t offset = 0; offset < TOUCH_BYTES; offset += 4096)
		p[offset] = 1;
	uint64_t high_after = meminfo_row(HIGH_ROW), user_after = meminfo_row("user pages");
	printf("# user pages %llu -> %llu bytes, free high zone %llu -> %llu\n", user, user_after, high,
	       high_after);
	EXPECT(t, user_after >= user + TOUCH_BYTES);
	if (high >= 2 * TOUCH_BYTES)
		EXPECT(t, high_after + TOUCH_BYTES <= high);
	else
		t->skip = "no RAM above the direct map: only the user-pages row checked";
	sys_sbrk(-TOUCH_BYTES);
	EXPECT(t, meminfo_row("user pages") + TOUCH_BYTES <= user_after);
}

/* ---------------------------------------------------------------------------
 * ELF refusals: the files the lead places in /TEST/ELF
 * ------------------------------------------------------------------------- */
static void test_elf_refusals(struct ut *t)
{
	static const struct {
		const char *path;
		int error;
	} files[] = {
		{ "/TEST/ELF/NOTELF.ELF", ERR_NOEXEC },  { "/TEST/ELF/TRUNC.ELF", ERR_NOEXEC },
		{ "/TEST/ELF/MACHINE.ELF", ERR_NOEXEC }, { "/TEST/ELF/KERNEL.ELF", ERR_NOEXEC },
		{ "/TEST/ELF/OVERLAP.ELF", ERR_NOEXEC }, { "/TEST/ELF/BIG.ELF", ERR_TOOBIG },
		{ "/TEST/ELF/DYNAMIC.ELF", ERR_NOEXEC }, { "/TEST/ELF/ENTRY.ELF", ERR_NOEXEC },
	};
	struct vls_stat st;
	int missing = 0;

	for (uint32_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (sys_stat(files[i].path, &st) == ERR_NOENT) {
			missing++;
			continue;
		}
		const char *argv[] = { files[i].path, NULL };
		int r = sys_spawn(files[i].path, argv);
		if (r > 0)
			sys_wait(r, NULL);
		if (r != files[i].error && !(files[i].error == ERR_TOOBIG && r == ERR_NOEXEC)) {
			printf("# spawn %s: %d (%s), want %s\n", files[i].path, r,
			       r < 0 ? error_name(r) : "ran", error_name(files[i].error));
			t->failed = true;
		}
	}
	if (missing == (int)(sizeof(files) / sizeof(files[0])))
		t->skip = "no file";
	else if (missing)
		printf("# %d of the files are missing\n", missing);
}

/* ---------------------------------------------------------------------------
 * The suite
 * ------------------------------------------------------------------------- */
static const struct {
	const char *name;
	void (*run)(struct ut *t);
} cases[] = {
	{ "fault_null", test_fault_null },
	{ "fault_kernel_read", test_fault_kernel_read },
	{ "fault_kernel_write", test_fault_kernel_write },
	{ "fault_write_text", test_fault_text },
	{ "fault_exec_data", test_fault_exec_data },
	{ "fault_exec_stack", test_fault_exec_stack },
	{ "fault_stack_guard", test_fault_guard },
	{ "fault_divide", test_fault_div0 },
	{ "fault_invalid_opcode", test_fault_ud2 },
	{ "fault_gp_cli", test_fault_gpf },
	{ "fault_gp_hlt", test_fault_hlt },
	{ "fault_munmap_touch", test_fault_munmap_touch },
	{ "alive_after_faults", test_alive_after_faults },
	{ "kernel_memory_via_calls", test_kernel_memory_via_calls },
	{ "bad_buffers", test_bad_buffers },
	{ "bad_call_numbers", test_bad_call_numbers },
	{ "other_process_memory", test_other_process_memory },
	{ "bad_descriptors", test_bad_descriptors },
	{ "descriptor_limit", test_descriptor_limit },
	{ "bin_listing", test_bin_listing },
	{ "paths", test_paths },
	{ "file_contents", test_file_contents },
	{ "sbrk", test_sbrk },
	{ "mmap", test_mmap },
	{ "malloc", test_malloc },
	{ "arguments_travel", test_arguments_travel },
	{ "exit_statuses", test_exit_statuses },
	{ "wait", test_wait },
	{ "spawn_refusals", test_spawn_refusals },
	{ "many_processes", test_many_processes },
	{ "process_limit", test_process_limit },
	{ "kill", test_kill },
	{ "time", test_time },
	{ "pids_distinct", test_pids_distinct },
	{ "meminfo", test_meminfo },
	{ "user_pages_accounted", test_user_pages_accounted },
	{ "elf_refusals", test_elf_refusals },
};
#define CASE_COUNT (sizeof(cases) / sizeof(cases[0]))

/* ---------------------------------------------------------------------------
 * UTESTS child MODE ...: the helper the cases above spawn
 * ------------------------------------------------------------------------- */
static int child_main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";

	if (strcmp(mode, "peek-data") == 0) {
		/* a fresh copy: the built value, never the parent's */
		uint32_t seen = shared_looking;
		shared_looking = CHILD_VALUE;
		if (seen != BUILT_VALUE)
			printf("utests child: saw 0x%08x\n", seen);
		return seen == BUILT_VALUE ? 0 : 1;
	}
	if (strcmp(mode, "peek") == 0 && argc > 3) {
		/* the parent's mmap page: not in this space, so this faults */
		volatile uint32_t *p = (volatile uint32_t *)strtoul(argv[3], NULL, 0);
		printf("utests child: read 0x%08x at %p\n", *p, (void *)p);
		return 1;
	}
	if (strcmp(mode, "args") == 0) {
		if (argc != 3 + (int)TRAVELLING)
			return 100;
		for (uint32_t i = 0; i < TRAVELLING; i++)
			if (strcmp(argv[3 + i], travelling[i]) != 0)
				return 101 + (int)i;
		return argv[argc] == NULL ? 0 : 120;
	}
	if (strcmp(mode, "kill-self") == 0) {
		sys_kill(sys_getpid());
		return 1;
	}
	if (strcmp(mode, "getpid") == 0) {
		return sys_getpid() & 0xFF;
	}
	printf("utests: no child mode '%s'\n", mode);
	return 2;
}

int main(int argc, char **argv)
{
	unsigned passed = 0;

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return child_main(argc, argv);
	my_pid = sys_getpid();
	printf("KTAP version 1\n1..%u\n", (unsigned)CASE_COUNT);
	for (uint32_t i = 0; i < CASE_COUNT; i++) {
		struct ut t = { .failed = false, .skip = NULL };
		cases[i].run(&t);
		passed += !t.failed;
		printf("%sok %u %s%s%s\n", t.failed ? "not " : "", i + 1, cases[i].name,
		       t.skip && !t.failed ? " # SKIP " : "", t.skip && !t.failed ? t.skip : "");
	}
	if (!have_nx)
		printf("# no NX: exec-data and exec-stack ran their code\n");
	printf("# vlsos-utests: %u passed, %u failed\n", passed, (unsigned)CASE_COUNT - passed);
	return passed == CASE_COUNT ? 0 : 1;
}
