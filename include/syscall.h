/* syscall.h: the system-call ABI, shared by the kernel (kernel/proc/syscall.c)
 * and the user library (user/lib). docs/processes.md describes each call.
 *
 * A process calls `int 0x80` (SYSCALL_VECTOR) with the call's number in EAX
 * and its arguments in EBX, ECX, EDX, ESI and EDI, in that order. The result
 * comes back in EAX; every other register is kept. A result from -4095 to -1
 * is an error, a negative ERR_* from errors.h; anything else is the call's
 * answer (user addresses never reach 0xFFFFF001, so sbrk and mmap fit). */
#ifndef VLSOS_SYSCALL_H
#define VLSOS_SYSCALL_H

#include <stdint.h>

#define SYSCALL_VECTOR 0x80
#define SYSCALL_ERROR_MAX 4095 /* results in [-SYSCALL_ERROR_MAX, -1] are errors */

/*      name          number     arguments -> result */
#define SYS_EXIT 1     /* (int status) -> never returns; status & 0xFF is the parent's */
#define SYS_READ 2     /* (int fd, void *buf, uint32_t len) -> bytes read, 0 at the end */
#define SYS_WRITE 3    /* (int fd, const void *buf, uint32_t len) -> bytes written */
#define SYS_OPEN 4     /* (const char *path, int flags) -> fd; O_RDONLY only, files and directories */
#define SYS_CLOSE 5    /* (int fd) -> 0 */
#define SYS_STAT 6     /* (const char *path, struct vls_stat *out) -> 0 */
#define SYS_READDIR 7  /* (int fd, struct vls_dirent *out) -> 1: an entry, 0: no more */
#define SYS_SBRK 8     /* (int32_t delta) -> the old break */
#define SYS_MMAP 9     /* (uint32_t len, int prot) -> address of len bytes (whole pages), zeroed */
#define SYS_MUNMAP 10  /* (void *addr, uint32_t len) -> 0; whole pages of one mapping */
#define SYS_GETPID 11  /* () -> pid */
#define SYS_SPAWN 12   /* (const char *path, const char *const *argv) -> child's pid */
#define SYS_WAIT 13    /* (int pid or -1 for any child, int *status or NULL) -> pid reaped */
#define SYS_KILL 14    /* (int pid) -> 0; the process ends with status STATUS_KILLED */
#define SYS_YIELD 15   /* () -> 0 */
#define SYS_SLEEP 16   /* (uint32_t milliseconds) -> 0 */
#define SYS_UPTIME 17  /* (uint64_t *ns) -> 0: nanoseconds since the kernel's clock started */
#define SYS_MEMINFO 18 /* (struct vls_meminfo *out, uint32_t size) -> 0 */
/* the console and its commands (docs/console.md) */
#define SYS_PS 19       /* (struct vls_procinfo *out, uint32_t max) -> processes written */
#define SYS_VMMAP 20    /* (int pid, struct vls_region *out, uint32_t max) -> regions written */
#define SYS_V2P 21      /* (int pid or 0 for itself, uint32_t addr, struct vls_walk *out) -> 0 */
#define SYS_KREAD 22    /* (uint32_t kernel_addr, void *buf, uint32_t len) -> bytes; ERR_NOTMAPPED */
#define SYS_PHYSREAD 23 /* (uint32_t phys, void *buf, uint32_t len) -> bytes: below 1 MiB only */
#define SYS_BOOTLOG 24  /* (uint32_t offset, void *buf, uint32_t len) -> bytes of the boot report */
#define SYS_BOOTINFO 25 /* (struct boot_info *out, uint32_t size) -> 0: the loader's hand-off */
#define SYS_LEAKS 26    /* (void *buf, uint32_t len) -> bytes of report; ERR_NOSYS without memdebug */
#define SYS_CHDIR 27    /* (const char *path) -> 0: relative paths start there; inherited */
#define SYS_GETCWD 28   /* (char *buf, uint32_t len) -> length */
#define SYS_PIPE 29     /* (int fds[2]) -> 0: fds[0] reads what fds[1] writes */
#define SYS_SETFG 30    /* (int pid or 0) -> 0: the console's Ctrl-C ends this process */
#define SYS_DUP2 31     /* (int fd, int to) -> to: to is closed first, then names what fd names */
#define SYS_VMSTAT 32   /* (struct vls_vmstat *out, uint32_t size) -> 0: paging and swap figures */
#define SYS_CALLS 33    /* one more than the last number */

/* open's flags */
#define O_RDONLY 0

/* mmap's prot */
#define PROT_READ 0x1
#define PROT_WRITE 0x2

/* The console: every process starts with these open, on the screen and COM1
 * for writing and on the keyboard and COM1 for reading. */
#define FD_STDIN 0
#define FD_STDOUT 1
#define FD_STDERR 2
#define FD_MAX 16 /* open descriptors per process, the three above included */

/* wait's status: exit's status & 0xFF, or one of these when the process did
 * not exit on its own */
#define STATUS_FAULT(vector) (0x100 | (vector)) /* killed by a CPU exception (0-31) */
#define STATUS_KILLED 0x200                     /* killed by kill() */
#define STATUS_INTERRUPTED 0x201                /* ended by Ctrl-C on the console */
#define STATUS_IS_EXIT(s) (((s) & ~0xFF) == 0)

#define PROC_MAX 64      /* processes at once, the idle one not included */
#define PROC_NAME_MAX 16 /* a process's name: its program's file name, cut */
#define ARG_MAX 4096     /* spawn: bytes of all arguments with their NULs */
#define ARGS_MAX 64      /* spawn: arguments, argv[0] included */
#define PATH_MAX 256     /* bytes of a path with its NUL */

#define VLS_NAME_MAX 256 /* a directory entry's name (UTF-8) with its NUL */
#define VLS_TYPE_FILE 1
#define VLS_TYPE_DIR 2

struct vls_stat {
	uint32_t size; /* bytes; 0 for a directory */
	uint32_t type; /* VLS_TYPE_* */
};

struct vls_dirent {
	char name[VLS_NAME_MAX];
	uint32_t size;
	uint32_t type;
};

/* meminfo: the kernel's figures, for mem, buddyinfo and slabinfo. Rows add up
 * to usable as the boot report's accounting does. */
#define MEMINFO_ROWS_MAX 24
#define MEMINFO_ZONES_MAX 2
#define MEMINFO_ORDERS 11 /* buddy orders 0-10 */
#define MEMINFO_CACHES_MAX 48
#define MEMINFO_NAME_MAX 40 /* with its NUL; the kernel's names are shorter */

struct vls_mem_row {
	char name[MEMINFO_NAME_MAX];
	uint64_t bytes;
};

struct vls_zone_info {
	char name[MEMINFO_NAME_MAX];
	uint32_t start_pfn, frames;           /* the frames the zone covers */
	uint32_t free_blocks[MEMINFO_ORDERS]; /* free blocks of each order */
};

struct vls_cache_info {
	char name[MEMINFO_NAME_MAX];
	uint32_t object_size, stride, objects_per_slab, pages_per_slab;
	uint32_t inuse, total, in_magazines, magazines;
	uint32_t slabs_full, slabs_partial, slabs_empty, pages;
};

struct vls_meminfo {
	uint64_t usable; /* the rows' sum */
	uint32_t rows, zones, caches;
	struct vls_mem_row row[MEMINFO_ROWS_MAX];
	struct vls_zone_info zone[MEMINFO_ZONES_MAX];
	struct vls_cache_info cache[MEMINFO_CACHES_MAX];
};

/* ps */
#define PROC_STATE_RUNNABLE 1
#define PROC_STATE_SLEEPING 2
#define PROC_STATE_ZOMBIE 3
struct vls_procinfo {
	int32_t pid, ppid; /* ppid 0: no parent */
	uint32_t state;    /* PROC_STATE_* */
	char name[PROC_NAME_MAX];
	uint32_t pages;       /* user frames mapped now */
	uint32_t table_pages; /* its page tables (not the kernel's it shares) */
	uint32_t swapped;     /* its pages in swap now */
	uint32_t regions;
	uint64_t ticks; /* ticks it ran for */
};

/* vmstat: the virtual-memory figures since boot (kernel/vm/reclaim.h, swap.h) */
struct vls_vmstat {
	uint64_t free_bytes;                 /* what user pages can still get */
	uint64_t user_bytes;                 /* user pages in RAM now */
	uint32_t low_frames, high_frames;    /* the replacement's watermarks */
	uint64_t minor_faults;               /* first touches, given a zeroed frame */
	uint64_t major_faults;               /* pages read back from swap */
	uint64_t minor_cycles, major_cycles; /* TSC cycles the kernel spent on them */
	uint64_t swap_outs;                  /* pages written to swap */
	uint64_t dropped_clean;              /* pages taken with no write */
	uint64_t scans, sweeps, spared; /* the clock hand: frames looked at, turns, second chances */
	uint64_t reclaims, oom;         /* times below the low mark; faults with no frame to give */
	uint32_t swap_devices, swap_slots, swap_used, swap_bad; /* slots: 4 KiB pages */
	uint64_t swap_reads, swap_writes, swap_read_errors, swap_write_errors;
	uint32_t text_images, text_pages; /* programs whose text is in memory; their pages */
	uint64_t text_reads,
		text_shares; /* text pages read from files; faults another's read answered */
};

/* vmmap */
#define VLS_REGION_PROGRAM 1
#define VLS_REGION_HEAP 2
#define VLS_REGION_MMAP 3
#define VLS_REGION_STACK 4
#define VLS_PERM_READ 1
#define VLS_PERM_WRITE 2
#define VLS_PERM_EXEC 4
struct vls_region {
	uint32_t start, end; /* [start, end) */
	uint32_t kind;       /* VLS_REGION_* */
	uint32_t perms;      /* VLS_PERM_*: as the page tables give them (EXEC is NX's absence) */
	uint32_t present;    /* pages of it that have a frame now */
};

/* v2p: the entries a walk of the page tables read, top level first */
#define VLS_WALK_LEVELS_MAX 3
struct vls_walk {
	uint32_t levels;                     /* entries read: 2 (32-bit tables) or 3 (PAE) */
	uint32_t read;                       /* how many of them were read before the walk stopped */
	uint64_t entry[VLS_WALK_LEVELS_MAX]; /* PDPTE (PAE), PDE, PTE */
	uint64_t table[VLS_WALK_LEVELS_MAX]; /* the physical address of the table each was read from */
	uint32_t phys;                       /* the address it maps to, when mapped */
	uint32_t mapped;                     /* 1 when the walk reached a present page */
	uint32_t large;                      /* 1 when a large page (PDE with PS) ended it */
};

#endif
