# test_gdb.sh: GDB debugs the kernel through QEMU's gdbstub as ./build.sh debug
# sets it up (tools/gdb/): it connects, stops at kmain with source lines, reads
# the kernel header at 1 MiB and follows kmain's boot_info pointer. GDB's
# output stays in $BUILD/tmp/gdb/ for inspection.
. test/lib/tap.sh
. test/lib/gdb.sh # section, has, first
. tools/gdb/qemu_gdbstub.sh

T=$BUILD/tmp/gdb
mkdir -p "$T"
OUT=$T/gdb.out
trap gdbstub_stop EXIT

# bt_ok: frame #0 is kmain at main.c:NN and `info line` agrees on the file.
bt_ok() {
	has bt '^#0 +(0x[0-9a-f]+ in )?kmain \(.*\) at [^ ]*main\.c:[0-9]+$' &&
		has bt '^Line [0-9]+ of "[^"]*main\.c"'
}

: >"$OUT"
if gdbstub_start "$BUILD/disk.img" "$T/serial.log" "$T/qemu.log" -display none -monitor none; then
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
# The loader session of `./build.sh debug loader`: real mode from stage 2's
# main, through the far jump, into the kernel.
LOUT=$T/gdb-loader.out
OUT=$LOUT
: >"$LOUT"
if gdbstub_start "$BUILD/disk.img" "$T/serial-loader.log" "$T/qemu-loader.log" -display none -monitor none; then
	timeout 60 gdb -batch -nx -ex "add-symbol-file $BUILD/kernel.elf" -x tools/gdb/loader.gdb \
		-ex "target remote 127.0.0.1:$GDBSTUB_PORT" \
		-ex 'echo @@main\n' -ex continue -ex 'info symbol $pc' \
		-ex 'echo @@pmode\n' -ex continue -ex 'show architecture' \
		-ex 'echo @@kernel\n' -ex 'break kmain' -ex continue \
		-ex 'echo @@end\n' "$BUILD/stage2.elf" >"$LOUT" 2>&1
	echo "# loader gdb exit status $?; output in $LOUT"
fi
gdbstub_stop
# where main is comes from stage2.elf's symbols (stage 2 runs at 0000:offset),
# so the check follows the loader's code as it changes
main_ip=$(llvm-nm "$BUILD/stage2.elf" | awk '$3 == "main" { print $1 }')
main_stop=$(printf 'real mode CS:IP 0000:%04x = linear 0x%05x' "0x$main_ip" "0x$main_ip")
tap_check "loader: breaks at stage 2's main in real mode, CS:IP and linear address shown" \
	"got: $(first main), wanted: $main_stop" \
	bash -c "grep -qF '$main_stop' <<<\"\$(awk '/^@@main/{on=1;next}/^@@/{on=0}on' '$LOUT')\""
tap_check "loader: the stop names the NASM source line" "got: $(first main)" \
	has main '^[0-9]+[[:space:]]+xor ax, ax'
tap_check "loader: symbols resolve (main in stage2.elf)" "got: $(section main | tail -1)" \
	has main '^main in section \.text'
tap_check "loader: GDB follows the far jump into protected mode and switches to i386" "got: $(section pmode | tr '\n' ' ')" \
	bash -c "awk '/^@@pmode/{on=1;next}/^@@/{on=0}on' '$LOUT' | grep -q 'protected mode reached' && awk '/^@@pmode/{on=1;next}/^@@/{on=0}on' '$LOUT' | grep -q 'currently \"i386\"\|set to \"i386\"'"
tap_check "loader: the same session goes on into kmain" "got: $(first kernel)" \
	has kernel '^Breakpoint [0-9]+, kmain \('
tap_done
