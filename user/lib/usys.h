/* usys.h: the system-call stubs (user/lib/syscall.c), raw: each returns what
 * the kernel gave, a negative ERR_* from errors.h on failure (no errno).
 * Apart from ulib.h so that the host test of malloc can include it beside
 * the host's C library. */
#ifndef VLSOS_USYS_H
#define VLSOS_USYS_H

#include <stdint.h>

#include "syscall.h"

void sys_exit(int status) __attribute__((noreturn));
int sys_read(int fd, void *buf, uint32_t len);
int sys_write(int fd, const void *buf, uint32_t len);
int sys_open(const char *path, int flags);
int sys_close(int fd);
int sys_stat(const char *path, struct vls_stat *out);
int sys_readdir(int fd, struct vls_dirent *out);
void *sys_sbrk(int32_t delta);          /* test the result with sys_error() */
void *sys_mmap(uint32_t len, int prot); /* likewise */
int sys_munmap(void *addr, uint32_t len);
int sys_getpid(void);
int sys_spawn(const char *path, const char *const *argv);
int sys_wait(int pid, int *status);
int sys_kill(int pid);
int sys_yield(void);
int sys_sleep(uint32_t milliseconds);
int sys_uptime(uint64_t *ns);
int sys_meminfo(struct vls_meminfo *out, uint32_t size);
/* the console's commands (docs/console.md) */
int sys_ps(struct vls_procinfo *out, uint32_t max);
int sys_vmmap(int pid, struct vls_region *out, uint32_t max);
int sys_v2p(int pid, uint32_t addr, struct vls_walk *out);
int sys_kread(uint32_t kernel_addr, void *buf, uint32_t len);
int sys_physread(uint32_t phys, void *buf, uint32_t len);
int sys_bootlog(uint32_t offset, void *buf, uint32_t len);
struct boot_info;
int sys_bootinfo(struct boot_info *out, uint32_t size);
int sys_leaks(void *buf, uint32_t len);
/* the shell's: directories, pipes, the console's foreground */
int sys_chdir(const char *path);
int sys_getcwd(char *buf, uint32_t len);
int sys_pipe(int fds[2]);
int sys_setfg(int pid);
int sys_dup2(int fd, int to);
int sys_vmstat(struct vls_vmstat *out, uint32_t size);

/* The raw call, for tests that pass what no typed stub would. */
int32_t syscall5(uint32_t number, uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e);

/* The error a call that returns an address gave, or 0 when it succeeded. */
static inline int sys_error(const void *result)
{
	uintptr_t r = (uintptr_t)result; /* uintptr_t: the host test's fake sbrk has 64-bit addresses */
	return r >= (uintptr_t)-SYSCALL_ERROR_MAX ? (int)(intptr_t)r : 0;
}

#endif
