/* errors.h: the shared error list. Functions that do something return 0 or
 * one of these (negative); functions that hand back a pointer return NULL. */
#ifndef VLSOS_ERRORS_H
#define VLSOS_ERRORS_H

#define ERR_INVAL (-1)     /* an argument is out of range or misaligned */
#define ERR_NOMEM (-2)     /* no memory left for the request */
#define ERR_EXIST (-3)     /* already there (e.g. a page already mapped) */
#define ERR_NOTMAPPED (-4) /* no mapping at that address */
#define ERR_BUSY (-5)      /* still in use (e.g. a cache with live objects) */
#define ERR_IO (-6)        /* a device failed the transfer (after its retries) */
#define ERR_NOENT (-7)     /* no such file, directory or device */
#define ERR_NOTDIR (-8)    /* a path goes through something that is not a directory */
#define ERR_ISDIR (-9)     /* a file operation on a directory */
#define ERR_CORRUPT (-10)  /* on-disk data is damaged (a volume's BPB, a FAT chain) */
#define ERR_RANGE (-11)    /* beyond the end of a device or file */
#define ERR_NOSPC (-12)    /* no room left (a table, a cache) */
#define ERR_FAULT (-13)    /* a pointer a process passed is not in its address space */
#define ERR_BADF (-14)     /* not an open file descriptor, or not open for that */
#define ERR_NOEXEC (-15)   /* not an i386 ELF executable VlsOs can run */
#define ERR_CHILD (-16)    /* wait: no such child */
#define ERR_SRCH (-17)     /* no such process */
#define ERR_AGAIN (-18)    /* a limit is reached for now (processes, descriptors) */
#define ERR_TOOBIG (-19)   /* arguments, a path or a program too long */
#define ERR_NOSYS (-20)    /* no such system call */
#define ERR_PERM (-21)     /* not allowed (e.g. killing the kernel's own process) */
#define ERR_COUNT 21       /* errors -1 .. -ERR_COUNT */

#endif
