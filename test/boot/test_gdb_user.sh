# test_gdb_user.sh: `./build.sh debug PROGRAM ARGS` as tools/debug.sh sets it up
# (tools/gdb/user_program.sh, user.gdb), run by GDB in batch mode: the image
# boots with init=/BIN/ARGS one two, GDB stops at main in user/bin/args.c with
# argc and argv readable, `next` steps a source line, and the process runs to
# its end. GDB's output and the serial log stay in $BUILD/tmp/gdb_user/.
. test/lib/tap.sh
. test/lib/gdb.sh # section, has, first
. tools/gdb/qemu_gdbstub.sh
. tools/image_files.sh
. tools/gdb/user_program.sh

PROGRAM=/BIN/ARGS # the way a user names it; the checks below expect args.c
T=$BUILD/tmp/gdb_user
mkdir -p "$T"
OUT=$T/gdb.out
SERIAL=$T/serial.log
trap gdbstub_stop EXIT

names=$(for p in args ARGS /BIN/ARGS; do user_program_name "$p"; done | tr '\n' ' ')
tap_check "args, ARGS and /BIN/ARGS name the same program" "got: $names" \
	test "$names" = "args args args "
refusal=$(user_program_name NOSUCH 2>&1) && refusal="accepted: $refusal"
tap_check "a program with no ELF in build/user/ is refused, naming the programs" "got: $refusal" \
	grep -qE "no user program 'NOSUCH'.*programs are: .*args.*hello" <<<"$refusal"

: >"$OUT"
if name=$(user_program_name "$PROGRAM") && user_program_image "$T/disk.img" "$name" one two; then
	boot_cfg=$(mtype -i "$T/disk.img@@$(image_fat_offset)" ::BOOT.CFG | tr -d '\r')
	if gdbstub_start "$T/disk.img" "$SERIAL" "$T/qemu.log" -display none -monitor none; then
		user_gdb_args "$GDBSTUB_PORT" "$name"
		timeout 90 gdb -batch -nx -ex 'echo @@main\n' "${USER_GDB_ARGS[@]}" \
			-ex 'echo @@frame\n' -ex frame -ex 'info source' \
			-ex 'echo @@argc\n' -ex 'print argc' \
			-ex 'echo @@argv\n' -ex 'print argv[1]' \
			-ex 'echo @@next\n' -ex next \
			-ex 'echo @@end\n' -ex 'break qemu_exit_if_asked' -ex continue \
			-ex 'echo @@done\n' >"$OUT" 2>&1
		echo "# gdb exit status $? on port $GDBSTUB_PORT; output in $OUT"
	else
		echo "# QEMU did not open its gdbstub: $(head -3 "$T/qemu.log" | tr '\n' ' ')"
	fi
	gdbstub_stop
else
	echo "# no image for $PROGRAM"
fi
sed -i 's/\r$//' "$SERIAL" 2>/dev/null

tap_check "BOOT.CFG on the image's copy is 'init=/BIN/ARGS one two'" "got: '${boot_cfg-}'" \
	test "${boot_cfg-}" = "init=/BIN/ARGS one two"
# main_stop_ok: GDB set a hardware breakpoint in args.c and stopped at main.
main_stop_ok() {
	has main '^Hardware assisted breakpoint [0-9]+ at 0x[0-9a-f]+: file user/bin/args\.c' &&
		has main '^Breakpoint [0-9]+, main \('
}
tap_check "GDB's hardware breakpoint stops at the program's main" "got: $(section main | grep -v '^$' | tail -2 | head -1)" \
	main_stop_ok
# main_line: the line number of the stop at main (frame #0's args.c:NN).
main_line=$(section frame | sed -n 's/^#0 .* at [^ ]*user\/bin\/args\.c:\([0-9][0-9]*\)$/\1/p')
tap_check "frame #0 is main at user/bin/args.c:NN with its source line" "got: $(first frame)" \
	bash -c "[ -n '$main_line' ] && grep -q '^$main_line[[:space:]]' <<<\"\$1\"" - "$(section frame)"
tap_check "info source names user/bin/args.c" "got: $(section frame | grep -m1 'source file')" \
	has frame '^Current source file is user/bin/args\.c$'
tap_check "print argc is 3 (the program and two arguments)" "got: $(first argc)" \
	has argc '^\$[0-9]+ = 3$'
tap_check 'print argv[1] is "one"' "got: $(first argv)" \
	has argv '^\$[0-9]+ = 0x[0-9a-f]+ "one"$'
next_line=$(section next | sed -n 's/^\([0-9][0-9]*\)[[:space:]].*/\1/p' | head -1)
tap_check "next steps to a later source line of main" "got: '$(first next)' after line ${main_line:-?}" \
	test "${next_line:-0}" -gt "${main_line:-999999}"
tap_check "continue: the process runs to its end and the kernel halts" "got: $(first end)" \
	has end '^Breakpoint [0-9]+, qemu_exit_if_asked \('
tap_check "the serial log shows the program's output" "got: $(grep -E '^(argc|argv|All)' "$SERIAL" | tr '\n' ' ')" \
	bash -c "grep -qx 'argc = 3' '$SERIAL' && grep -qx 'argv\[1\] = \"one\"' '$SERIAL' &&
		grep -qx 'argv\[2\] = \"two\"' '$SERIAL' && grep -q '^All processes have ended (init.s status 0)' '$SERIAL'"
tap_done
