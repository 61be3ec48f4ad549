# test_gdb.sh: GDB debugs the kernel through QEMU's gdbstub as ./build.sh debug
# sets it up (tools/gdb/): it connects, stops at kmain with source lines, reads
# the kernel header at 1 MiB and follows kmain's boot_info pointer. GDB's
# output stays in $BUILD/tmp/gdb/ for inspection.
. test/lib/tap.sh
. tools/gdb/qemu_gdbstub.sh

T=$BUILD/tmp/gdb
mkdir -p "$T"
OUT=$T/gdb.out
trap gdbstub_stop EXIT

# section NAME: the GDB output after the "@@NAME" marker, up to the next one.
section() { awk -v s="@@$1" '$0 == s { on = 1; next } /^@@/ { on = 0 } on' "$OUT"; }
# has NAME REGEX: section NAME has a line matching REGEX.
has() { section "$1" | grep -qE -- "$2"; }
# bt_ok: frame #0 is kmain at main.c:NN and `info line` agrees on the file.
bt_ok() {
	has bt '^#0 +(0x[0-9a-f]+ in )?kmain \(.*\) at [^ ]*main\.c:[0-9]+$' &&
		has bt '^Line [0-9]+ of "[^"]*main\.c"'
}
# first NAME: the first line of section NAME, for failure details.
first() { section "$1" | grep -v '^$' | head -1; }

: >"$OUT"
if gdbstub_start "$BUILD" "$T/serial.log" "$T/qemu.log" -display none -monitor none; then
	timeout 60 gdb -batch -nx -x tools/gdb/kernel.gdb \
		-ex 'echo @@connect\n' -ex "target remote 127.0.0.1:$GDBSTUB_PORT" -ex 'p/x $cs' \
		-ex 'echo @@continue\n' -ex continue \
		-ex 'echo @@bt\n' -ex bt -ex 'info line *$pc' \
		-ex 'echo @@header\n' -ex 'x/4xb 0x100000' \
		-ex 'echo @@magic\n' -ex 'p/x bi->magic' \
		-ex 'echo @@end\n' "$BUILD/kernel.elf" >"$OUT" 2>&1
	echo "# gdb exit status $? on port $GDBSTUB_PORT; output in $OUT"
else
	echo "# QEMU did not open its gdbstub: $(head -3 "$T/qemu.log" | tr '\n' ' ')"
fi
gdbstub_stop

tap_check "GDB connects to QEMU's gdbstub" "got: $(first connect)" \
	has connect '^\$[0-9]+ = 0xf000$'
tap_check "breakpoint at kmain is hit" "got: $(first continue)" \
	has continue '^Breakpoint [0-9]+, (0x[0-9a-f]+ in )?kmain \('
tap_check "backtrace shows kmain at main.c:NN" "got: $(first bt)" bt_ok
tap_check "bytes at 0x100000 are 0x56 0x4c 0x53 0x4b (VLSK)" "got: $(first header)" \
	has header '^0x100000( <[^>]*>)?:[[:space:]]+0x56[[:space:]]+0x4c[[:space:]]+0x53[[:space:]]+0x4b[[:space:]]*$'
tap_check "bi->magic through kmain's parameter is 0x424c5356" "got: $(first magic)" \
	has magic '^\$[0-9]+ = 0x424c5356$'
tap_done
