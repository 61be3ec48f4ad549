/* linux_sys.c: VlsOs's system calls as Linux x86-64 gives them, for recording
 * page-reference traces (tools/pagesim/record.sh). record.sh compiles VMTEST
 * (user/bin/vmtest.c), the user library and lib/ from their sources, unchanged,
 * as a freestanding x86-64 Linux program with this file in place of
 * user/lib/syscall.c and crt0.asm: what valgrind's lackey watches is VlsOs's
 * own code with its own malloc, printf and memcpy, and no C library or
 * dynamic loader of the host's in the trace. (VlsOs's i386 build itself would
 * be closer still, but not every machine runs 32-bit programs: this one does
 * not.) Only what the single-process workloads call does anything; the calls
 * for children and pipes (sort's parent, procs, oom) say ERR_NOSYS. */
#include "ulib.h"

/* Linux x86-64's system-call numbers (arch/x86/entry/syscalls/syscall_64.tbl) */
#define LINUX_READ 0
#define LINUX_WRITE 1
#define LINUX_MMAP 9
#define LINUX_BRK 12
#define LINUX_EXIT_GROUP 231
/* and mmap's (include/uapi/asm-generic/mman-common.h) */
#define LINUX_PROT_READ 0x1
#define LINUX_PROT_WRITE 0x2
#define LINUX_MAP_PRIVATE 0x02
#define LINUX_MAP_ANONYMOUS 0x20
#define LINUX_ERRNO_MAX 4095 /* results in [-4095, -1] are -errno */
#define PAGE_BYTES 4096u

/* The syscall instruction: the number in RAX, arguments in RDI, RSI, RDX,
 * R10, R8, R9; it clobbers RCX and R11. */
static long linux_call(long number, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long result;

	__asm__ volatile("syscall"
			 : "=a"(result)
			 : "a"(number), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory", "cc");
	return result;
}

static bool linux_failed(long result)
{
	return result < 0 && result >= -LINUX_ERRNO_MAX;
}

/* Linux starts a process with argc at RSP and the argv array itself just
 * above (VlsOs's crt0.asm finds a pointer to it there instead). */
__asm__(".section .text.start, \"ax\"\n"
	".global _start\n"
	"_start:\n\t"
	"xor %ebp, %ebp\n\t"
	"mov (%rsp), %edi\n\t"
	"lea 8(%rsp), %rsi\n\t"
	"and $-16, %rsp\n\t"
	"call main\n\t"
	"mov %eax, %edi\n\t"
	"call exit\n\t"
	"ud2\n\t"
	".previous");

void sys_exit(int status)
{
	for (;;)
		linux_call(LINUX_EXIT_GROUP, status, 0, 0, 0, 0, 0);
}

void exit(int status)
{
	sys_exit(status);
}

int sys_read(int fd, void *buf, uint32_t len)
{
	long n = linux_call(LINUX_READ, fd, (long)buf, len, 0, 0, 0);
	return linux_failed(n) ? ERR_IO : (int)n;
}

/* VlsOs's kernel copies what is written out of the process's pages, and a
 * page in swap comes back for that; one read a page puts those references
 * in the trace, as the kernel's copy makes them. */
int sys_write(int fd, const void *buf, uint32_t len)
{
	const volatile uint8_t *bytes = buf;

	for (uint32_t at = 0; at < len; at = (at | (PAGE_BYTES - 1)) + 1)
		(void)bytes[at];
	long n = linux_call(LINUX_WRITE, fd, (long)buf, len, 0, 0, 0);
	return linux_failed(n) ? ERR_IO : (int)n;
}

/* The break as VlsOs's sbrk moves it: the old break back, ERR_NOMEM when the
 * kernel would not move it. */
void *sys_sbrk(int32_t delta)
{
	static uintptr_t brk_now;

	if (!brk_now)
		brk_now = (uintptr_t)linux_call(LINUX_BRK, 0, 0, 0, 0, 0, 0);
	uintptr_t old = brk_now, want = old + (uintptr_t)(intptr_t)delta;
	if (delta && (uintptr_t)linux_call(LINUX_BRK, (long)want, 0, 0, 0, 0, 0) != want)
		return (void *)(intptr_t)ERR_NOMEM;
	brk_now = want;
	return (void *)old;
}

/* Anonymous zeroed pages, at VlsOs's mmap area if Linux has it free (a hint:
 * where the pages are does not matter to the trace). */
void *sys_mmap(uint32_t len, int prot)
{
	long linux_prot = ((prot & PROT_READ) ? LINUX_PROT_READ : 0) |
			  ((prot & PROT_WRITE) ? LINUX_PROT_WRITE : 0);
	long addr = linux_call(LINUX_MMAP, VM_USER_MMAP_START, len, linux_prot,
			       LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS, -1, 0);
	return (void *)(intptr_t)(linux_failed(addr) ? ERR_NOMEM : addr);
}

/* what the single-process workloads never call */
int sys_close(int fd)
{
	(void)fd;
	return ERR_NOSYS;
}

int sys_dup2(int fd, int to)
{
	(void)fd;
	(void)to;
	return ERR_NOSYS;
}

int sys_pipe(int fds[2])
{
	(void)fds;
	return ERR_NOSYS;
}

int sys_spawn(const char *path, const char *const *argv)
{
	(void)path;
	(void)argv;
	return ERR_NOSYS;
}

int sys_wait(int pid, int *status)
{
	(void)pid;
	(void)status;
	return ERR_NOSYS;
}

int sys_meminfo(struct vls_meminfo *out, uint32_t size)
{
	(void)out;
	(void)size;
	return ERR_NOSYS;
}
