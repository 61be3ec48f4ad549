/* pbench.c: the process benchmark (`./build.sh bench`): TSC cycles per
 * operation, the median of ROUNDS rounds, one line a figure:
 *   bench NAME cycles=PER_OP ops=OPS_PER_ROUND rounds=ROUNDS
 * The figures match what ../shared/anchors/xv6's vmbench measures in xv6:
 *   getpid           a system call's round trip (xv6: getpid)
 *   spawn_exit_wait  spawn /BIN/TRUE and wait for it (xv6: fork + exit + wait)
 *   sbrk_touch_page  sbrk 4 MiB, write a byte in each page; per page (xv6:
 *                    sbrk_plus_touch_page, its sbrk maps eagerly)
 *   switch           one switch between two runnable processes (see
 *                    measure_switch; xv6's nearest is its pipe round trip,
 *                    two switches and four system calls)
 * `PBENCH yield N` is the partner the switch figure spawns. */
#include "ulib.h"

#define SELF "/BIN/PBENCH"
#define ROUNDS 5
#define GETPID_OPS 20000
#define SPAWN_OPS 20
#define SBRK_BYTES (4 * 1024 * 1024)
#define PAGE 4096
#define SWITCH_YIELDS 2000

static uint64_t median(uint64_t *v, int n)
{
	for (int i = 1; i < n; i++) /* insertion sort: a handful of values */
		for (int j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];
			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return v[n / 2];
}

static void report(const char *name, uint64_t *per_op, uint32_t ops)
{
	printf("bench %s cycles=%llu ops=%u rounds=%d\n", name, median(per_op, ROUNDS), ops, ROUNDS);
}

static bool measure_getpid(uint64_t *per_op)
{
	for (int i = 0; i < 1000; i++) /* warm the caches and TLB */
		sys_getpid();
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t start = rdtsc();
		for (int i = 0; i < GETPID_OPS; i++)
			sys_getpid();
		per_op[r] = udiv64_32(rdtsc() - start, GETPID_OPS);
	}
	return true;
}

static bool measure_spawn(uint64_t *per_op)
{
	const char *argv[] = { "TRUE", NULL };

	for (int r = 0; r < ROUNDS; r++) {
		uint64_t start = rdtsc();
		for (int i = 0; i < SPAWN_OPS; i++) {
			int pid = sys_spawn("/BIN/TRUE", argv), status;
			if (pid < 0 || sys_wait(pid, &status) != pid || status != 0) {
				printf("pbench: spawn /BIN/TRUE: %s\n",
				       pid < 0 ? error_name(pid) : "wait failed");
				return false;
			}
		}
		per_op[r] = udiv64_32(rdtsc() - start, SPAWN_OPS);
	}
	return true;
}

static bool measure_sbrk(uint64_t *per_op)
{
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t start = rdtsc();
		volatile char *p = sys_sbrk(SBRK_BYTES);
		if (sys_error((void *)p)) {
			printf("pbench: sbrk: %s\n", error_name(sys_error((void *)p)));
			return false;
		}
		for (uint32_t offset = 0; offset < SBRK_BYTES; offset += PAGE)
			p[offset] = 1;
		per_op[r] = udiv64_32(rdtsc() - start, SBRK_BYTES / PAGE);
		sys_sbrk(-SBRK_BYTES);
	}
	return true;
}

/* The method: a partner that does nothing but yield runs beside this
 * process, which yields SWITCH_YIELDS times under the clock. With exactly
 * two runnable processes each yield here switches to the partner, whose
 * yield switches back: one loop is two switches (each with its yield
 * system call), so cycles per switch = time / (2 * SWITCH_YIELDS). The
 * partner yields more times than that, so it is still there at the end,
 * and is then killed. */
static bool measure_switch(uint64_t *per_op)
{
	char count[16];

	snprintf(count, sizeof(count), "%d", 4 * SWITCH_YIELDS);
	const char *argv[] = { "PBENCH", "yield", count, NULL };
	for (int r = 0; r < ROUNDS; r++) {
		int pid = sys_spawn(SELF, argv);
		if (pid < 0) {
			printf("pbench: spawn %s: %s\n", SELF, error_name(pid));
			return false;
		}
		sys_yield(); /* the partner is running its loop from here on */
		uint64_t start = rdtsc();
		for (int i = 0; i < SWITCH_YIELDS; i++)
			sys_yield();
		per_op[r] = udiv64_32(rdtsc() - start, 2 * SWITCH_YIELDS);
		sys_kill(pid);
		sys_wait(pid, NULL);
	}
	return true;
}

int main(int argc, char **argv)
{
	uint64_t per_op[ROUNDS];

	if (argc > 2 && strcmp(argv[1], "yield") == 0) {
		for (int i = atoi(argv[2]); i > 0; i--)
			sys_yield();
		return 0;
	}
	if (measure_getpid(per_op))
		report("getpid", per_op, GETPID_OPS);
	if (measure_spawn(per_op))
		report("spawn_exit_wait", per_op, SPAWN_OPS);
	if (measure_sbrk(per_op))
		report("sbrk_touch_page", per_op, SBRK_BYTES / PAGE);
	if (measure_switch(per_op))
		report("switch", per_op, 2 * SWITCH_YIELDS);
	return 0;
}
