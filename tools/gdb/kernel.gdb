# kernel.gdb: GDB settings for VlsOs's kernel, sourced by tools/debug.sh and
# test/boot/test_gdb.sh. The caller loads build/kernel.elf and runs
# `target remote`, so no path is named here. QEMU runs under TCG, where a
# breakpoint lives in QEMU rather than in guest memory: the one at kmain
# survives the loader copying KERNEL.BIN to 1 MiB.
set pagination off
set confirm off
set architecture i386
set disassembly-flavor intel
set print pretty on
break kmain
