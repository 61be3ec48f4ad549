/* syscall.c: the system-call stubs (the ABI is include/syscall.h's: int 0x80,
 * the number in EAX, arguments in EBX, ECX, EDX, ESI, EDI, the result in EAX)
 * and the few conveniences built straight on them. */
#include "ulib.h"

int32_t syscall5(uint32_t number, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e)
{
	int32_t result;

	/* "memory": the kernel reads and writes through the pointers passed */
	__asm__ volatile("int %[vector]"
			 : "=a"(result)
			 : [vector] "i"(SYSCALL_VECTOR), "a"(number), "b"(a), "c"(b), "d"(c), "S"(d),
			   "D"(e)
			 : "memory", "cc");
	return result;
}

#define ARG(x) ((uint32_t)(uintptr_t)(x))

void sys_exit(int status)
{
	syscall5(SYS_EXIT, ARG(status), 0, 0, 0, 0);
	for (;;) /* the kernel never comes back; if it did, fault rather than run on */
		__asm__ volatile("ud2");
}

int sys_read(int fd, void *buf, uint32_t len)
{
	return syscall5(SYS_READ, ARG(fd), ARG(buf), len, 0, 0);
}

int sys_write(int fd, const void *buf, uint32_t len)
{
	return syscall5(SYS_WRITE, ARG(fd), ARG(buf), len, 0, 0);
}

int sys_open(const char *path, int flags)
{
	return syscall5(SYS_OPEN, ARG(path), ARG(flags), 0, 0, 0);
}

int sys_close(int fd)
{
	return syscall5(SYS_CLOSE, ARG(fd), 0, 0, 0, 0);
}

int sys_stat(const char *path, struct vls_stat *out)
{
	return syscall5(SYS_STAT, ARG(path), ARG(out), 0, 0, 0);
}

int sys_readdir(int fd, struct vls_dirent *out)
{
	return syscall5(SYS_READDIR, ARG(fd), ARG(out), 0, 0, 0);
}

void *sys_sbrk(int32_t delta)
{
	return (void *)(uintptr_t)(uint32_t)syscall5(SYS_SBRK, ARG(delta), 0, 0, 0, 0);
}

void *sys_mmap(uint32_t len, int prot)
{
	return (void *)(uintptr_t)(uint32_t)syscall5(SYS_MMAP, len, ARG(prot), 0, 0, 0);
}

int sys_munmap(void *addr, uint32_t len)
{
	return syscall5(SYS_MUNMAP, ARG(addr), len, 0, 0, 0);
}

int sys_getpid(void)
{
	return syscall5(SYS_GETPID, 0, 0, 0, 0, 0);
}

int sys_spawn(const char *path, const char *const *argv)
{
	return syscall5(SYS_SPAWN, ARG(path), ARG(argv), 0, 0, 0);
}

int sys_wait(int pid, int *status)
{
	return syscall5(SYS_WAIT, ARG(pid), ARG(status), 0, 0, 0);
}

int sys_kill(int pid)
{
	return syscall5(SYS_KILL, ARG(pid), 0, 0, 0, 0);
}

int sys_yield(void)
{
	return syscall5(SYS_YIELD, 0, 0, 0, 0, 0);
}

int sys_sleep(uint32_t milliseconds)
{
	return syscall5(SYS_SLEEP, milliseconds, 0, 0, 0, 0);
}

int sys_uptime(uint64_t *ns)
{
	return syscall5(SYS_UPTIME, ARG(ns), 0, 0, 0, 0);
}

int sys_meminfo(struct vls_meminfo *out, uint32_t size)
{
	return syscall5(SYS_MEMINFO, ARG(out), size, 0, 0, 0);
}

int sys_ps(struct vls_procinfo *out, uint32_t max)
{
	return syscall5(SYS_PS, ARG(out), max, 0, 0, 0);
}

int sys_vmmap(int pid, struct vls_region *out, uint32_t max)
{
	return syscall5(SYS_VMMAP, ARG(pid), ARG(out), max, 0, 0);
}

int sys_v2p(int pid, uint32_t addr, struct vls_walk *out)
{
	return syscall5(SYS_V2P, ARG(pid), addr, ARG(out), 0, 0);
}

int sys_kread(uint32_t kernel_addr, void *buf, uint32_t len)
{
	return syscall5(SYS_KREAD, kernel_addr, ARG(buf), len, 0, 0);
}

int sys_physread(uint32_t phys, void *buf, uint32_t len)
{
	return syscall5(SYS_PHYSREAD, phys, ARG(buf), len, 0, 0);
}

int sys_bootlog(uint32_t offset, void *buf, uint32_t len)
{
	return syscall5(SYS_BOOTLOG, offset, ARG(buf), len, 0, 0);
}

int sys_bootinfo(struct boot_info *out, uint32_t size)
{
	return syscall5(SYS_BOOTINFO, ARG(out), size, 0, 0, 0);
}

int sys_leaks(void *buf, uint32_t len)
{
	return syscall5(SYS_LEAKS, ARG(buf), len, 0, 0, 0);
}

int sys_chdir(const char *path)
{
	return syscall5(SYS_CHDIR, ARG(path), 0, 0, 0, 0);
}

int sys_getcwd(char *buf, uint32_t len)
{
	return syscall5(SYS_GETCWD, ARG(buf), len, 0, 0, 0);
}

int sys_pipe(int fds[2])
{
	return syscall5(SYS_PIPE, ARG(fds), 0, 0, 0, 0);
}

int sys_setfg(int pid)
{
	return syscall5(SYS_SETFG, ARG(pid), 0, 0, 0, 0);
}

int sys_dup2(int fd, int to)
{
	return syscall5(SYS_DUP2, ARG(fd), ARG(to), 0, 0, 0);
}

void exit(int status)
{
	sys_exit(status);
}

void abort(void)
{
	static const char message[] = "abort\n";

	sys_write(FD_STDERR, message, sizeof(message) - 1);
	sys_exit(ABORT_STATUS);
}

uint64_t uptime_ns(void)
{
	uint64_t ns;

	return sys_uptime(&ns) == 0 ? ns : 0;
}

uint64_t udiv64_32(uint64_t n, uint32_t d)
{
	uint32_t high = (uint32_t)(n >> 32), low = (uint32_t)n, q_high = high / d, rem = high % d, q_low;

	/* rem < d, so rem:low / d fits in 32 bits and divl cannot overflow */
	__asm__("divl %[d]" : "=a"(q_low), "+d"(rem) : "a"(low), [d] "rm"(d) : "cc");
	return (uint64_t)q_high << 32 | q_low;
}

int sys_vmstat(struct vls_vmstat *out, uint32_t size)
{
	return syscall5(SYS_VMSTAT, ARG(out), ARG(size), 0, 0, 0);
}
