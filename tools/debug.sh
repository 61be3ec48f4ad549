#!/usr/bin/env bash
# debug.sh BUILD [kernel | loader | PROGRAM [ARGS...]]: what `./build.sh debug ...`
# runs. Boots BUILD/disk.img paused under QEMU's gdbstub (TCG) and starts GDB
# on BUILD/kernel.elf with tools/gdb/kernel.gdb: the session opens at a (gdb)
# prompt with a breakpoint at kmain, and `continue` runs to it. With `loader`,
# GDB starts in real mode on BUILD/stage2.elf (tools/gdb/loader.gdb), breaks at
# stage 2's main and follows the CPU into protected mode. With a user PROGRAM
# (hello, HELLO or /BIN/HELLO: BUILD/user/hello.elf), a copy of the image boots
# with `init=/BIN/HELLO ARGS` and GDB, with the kernel's and the program's
# symbols, runs to the program's main (tools/gdb/user_program.sh).
# QEMU ends when GDB does. VLSOS_GDB_PORT fixes the port; QEMU_EXTRA adds QEMU
# arguments.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:?usage: debug.sh BUILD [kernel | loader | PROGRAM [ARGS...]]}" && pwd)
MODE=${2:-kernel}
shift $(($# < 2 ? $# : 2))
cd "$ROOT" || exit 1
. tools/gdb/qemu_gdbstub.sh
. tools/image_files.sh
. tools/gdb/user_program.sh

image=$BUILD/disk.img
case $MODE in
kernel | loader)
	if [ $# -gt 0 ]; then
		echo "debug.sh: '$MODE' takes no arguments (got: $*)" >&2
		exit 2
	fi
	;;
*)
	program=$(user_program_name "$MODE") || exit 2
	image=$BUILD/debug-disk.img
	user_program_image "$image" "$program" "$@" || exit 2
	;;
esac

if [ ! -t 0 ]; then
	echo "debug.sh: GDB needs a terminal; run ./build.sh debug from one." >&2
	echo "debug.sh: (the automated GDB checks are test/boot/test_gdb.sh and test_gdb_user.sh)" >&2
	exit 1
fi

serial=$BUILD/debug-serial.log
qlog=$BUILD/debug-qemu.log
display=(-display none)
[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && display=()

trap gdbstub_stop EXIT
# shellcheck disable=SC2086
if ! gdbstub_start "$image" "$serial" "$qlog" "${display[@]}" ${QEMU_EXTRA:-}; then
	echo "debug.sh: QEMU did not open its gdbstub${VLSOS_GDB_PORT:+ on port $VLSOS_GDB_PORT}; its output:" >&2
	sed 's/^/  /' "$qlog" >&2
	exit 1
fi
echo "debug.sh: serial output goes to $serial (tail -f $serial); quitting GDB ends QEMU."
if [ -n "${program:-}" ]; then
	echo "debug.sh: QEMU is paused at reset, gdbstub on 127.0.0.1:$GDBSTUB_PORT; BOOT.CFG is '$USER_PROGRAM_CMDLINE'."
	echo "debug.sh: GDB runs to $program's main (build/user/$program.elf); then list, next, step, bt, print."
	user_gdb_args "$GDBSTUB_PORT" "$program"
	gdb -q "${USER_GDB_ARGS[@]}"
elif [ "$MODE" = loader ]; then
	echo "debug.sh: QEMU is paused at reset, gdbstub on 127.0.0.1:$GDBSTUB_PORT; GDB (real mode) breaks at stage 2's main, type 'continue'."
	gdb -q -ex "add-symbol-file $BUILD/kernel.elf" -x tools/gdb/loader.gdb \
		-ex "target remote 127.0.0.1:$GDBSTUB_PORT" "$BUILD/stage2.elf"
else
	echo "debug.sh: QEMU is paused at reset, gdbstub on 127.0.0.1:$GDBSTUB_PORT; GDB breaks at kmain, type 'continue'."
	gdb -q -x tools/gdb/kernel.gdb -ex "target remote 127.0.0.1:$GDBSTUB_PORT" "$BUILD/kernel.elf"
fi
