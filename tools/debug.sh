#!/usr/bin/env bash
# debug.sh BUILD: what `./build.sh debug` runs. Boots BUILD/disk.img paused
# under QEMU's gdbstub (TCG) and starts GDB on BUILD/kernel.elf with
# tools/gdb/kernel.gdb: the session opens at a (gdb) prompt with a breakpoint
# at kmain, and `continue` runs to it. QEMU ends when GDB does.
# VLSOS_GDB_PORT fixes the port; QEMU_EXTRA adds QEMU arguments.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:?usage: debug.sh BUILD}" && pwd)
cd "$ROOT" || exit 1
. tools/gdb/qemu_gdbstub.sh

if [ ! -t 0 ]; then
	echo "debug.sh: GDB needs a terminal; run ./build.sh debug from one." >&2
	echo "debug.sh: (the automated GDB check is test/boot/test_gdb.sh)" >&2
	exit 1
fi

serial=$BUILD/debug-serial.log
qlog=$BUILD/debug-qemu.log
display=(-display none)
[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && display=()

trap gdbstub_stop EXIT
# shellcheck disable=SC2086
if ! gdbstub_start "$BUILD" "$serial" "$qlog" "${display[@]}" ${QEMU_EXTRA:-}; then
	echo "debug.sh: QEMU did not open its gdbstub${VLSOS_GDB_PORT:+ on port $VLSOS_GDB_PORT}; its output:" >&2
	sed 's/^/  /' "$qlog" >&2
	exit 1
fi
echo "debug.sh: QEMU is paused at reset, gdbstub on 127.0.0.1:$GDBSTUB_PORT; GDB breaks at kmain, type 'continue'."
echo "debug.sh: serial output goes to $serial (tail -f $serial); quitting GDB ends QEMU."
gdb -q -x tools/gdb/kernel.gdb -ex "target remote 127.0.0.1:$GDBSTUB_PORT" "$BUILD/kernel.elf"
