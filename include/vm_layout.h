/* vm_layout.h: the virtual address map every address space shares, the one
 * source of these addresses for the kernel, the user library and user/user.ld
 * (which build.mk runs through the C preprocessor). docs/architecture.md says
 * why it is laid out so.
 *
 *   0x00000000 - 0x3FFFFFFF  kernel: RAM below 1 GiB identity-mapped (the
 *                            "direct map"; page 0 unmapped), supervisor-only
 *   0x40000000 - 0x403FFFFF  kernel area: kernel stacks with guard pages,
 *                            temporary mappings of frames above the direct map
 *   0x40400000 - 0xBFFFFFFF  user: program, heap, mmap, stack (per process)
 *   0xC0000000 - 0xFFFFFFFF  kernel: nothing yet (tests map pages here)
 *
 * Written with plain constants (no casts, no suffixes) so that a linker
 * script can use them after the preprocessor. */
#ifndef VLSOS_VM_LAYOUT_H
#define VLSOS_VM_LAYOUT_H

#define VM_DIRECT_END 0x40000000        /* RAM below this is the kernel's, mapped at its address */
#define VM_KERNEL_AREA_START 0x40000000 /* shared by every address space, built at boot */
#define VM_KERNEL_AREA_END 0x40400000
#define VM_USER_START 0x40400000 /* the first user address: programs are linked here */
#define VM_USER_END 0xC0000000   /* one past the last */

#define VM_USER_TEXT 0x40400000       /* user/user.ld's first section */
#define VM_USER_MMAP_START 0x80000000 /* anonymous mmap: first fit upwards from here */
#define VM_USER_STACK_TOP 0xBFFF0000  /* argc/argv at the top; the top 64 KiB stay unmapped */
#define VM_USER_STACK_MAX 0x00100000  /* a stack grows on demand to 1 MiB */
#define VM_USER_STACK_GAP 0x00010000  /* and below that, 64 KiB nothing may map: a guard */
#define VM_USER_HEAP_MAX 0x3F000000   /* the heap (sbrk) ends below the mmap area */

#endif
