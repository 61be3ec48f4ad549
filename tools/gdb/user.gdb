# user.gdb: GDB settings for a user program of VlsOs, sourced by
# `./build.sh debug PROGRAM` and test/boot/test_gdb_user.sh
# (tools/gdb/user_program.sh gives GDB the rest: the kernel's ELF, the
# program's symbols, `target remote`, `hbreak main` and `continue`). The
# program is linked at its load address (include/vm_layout.h), so its symbols
# need no offset. Its pages do not exist until the kernel loads the process,
# hence a hardware breakpoint, which GDB can only set once connected.
set pagination off
set confirm off
set architecture i386
set disassembly-flavor intel
set print pretty on
