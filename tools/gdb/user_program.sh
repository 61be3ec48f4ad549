# user_program.sh: the pieces of `./build.sh debug PROGRAM [ARGS...]`, sourced
# by tools/debug.sh and test/boot/test_gdb_user.sh after tools/image_files.sh,
# with BUILD set: which program, an image that starts it as init, and GDB's
# arguments to stop at its main.

# user_programs: the user programs built into BUILD/user/, by name.
user_programs() {
	local elf names=()
	for elf in "$BUILD"/user/*.elf; do
		[ -f "$elf" ] && names+=("$(basename "$elf" .elf)")
	done
	echo "${names[*]:-none (run ./build.sh)}"
}

# user_program_name PROGRAM: prints the name BUILD/user/ knows PROGRAM by
# (hello for hello, HELLO or /BIN/HELLO); fails with a message listing the
# programs when there is no BUILD/user/NAME.elf.
user_program_name() {
	local name=${1,,}
	name=${name#/bin/}
	if [[ ! $name =~ ^[a-z0-9_]+$ ]] || [ ! -f "$BUILD/user/$name.elf" ]; then
		echo "debug.sh: no user program '$1' in $BUILD/user/; the programs are: $(user_programs)" >&2
		return 1
	fi
	echo "$name"
}

# user_program_image OUT NAME [ARGS...]: a copy of build/disk.img whose
# BOOT.CFG is build/boot.cfg's line with `init=/BIN/NAME ARGS` (init= takes
# the rest of the line, so it goes last). Sets USER_PROGRAM_CMDLINE. Fails
# with a message when an argument is empty or holds a space (the kernel splits
# init='s arguments at spaces), when the line is too long for the kernel, or
# when the image has no /BIN/NAME.
user_program_image() {
	local out=$1 name=$2 arg words max path
	shift 2
	for arg in "$@"; do
		if [ -z "$arg" ] || [[ $arg == *[[:space:]]* ]]; then
			echo "debug.sh: argument '$arg' is empty or holds a space; init='s arguments are split at spaces" >&2
			return 1
		fi
	done
	words=$(head -n 1 "$BUILD/boot.cfg" 2>/dev/null | tr -d '\r' | sed 's/init=.*//; s/ *$//')
	path=/BIN/${name^^}
	USER_PROGRAM_CMDLINE="${words:+$words }init=$path${*:+ $*}"
	max=$(awk '$1 == "#define" && $2 == "BOOT_CMDLINE_MAX" { print $3 }' include/boot_info.h)
	if [ "${#USER_PROGRAM_CMDLINE}" -ge "$max" ]; then
		echo "debug.sh: the command line '$USER_PROGRAM_CMDLINE' is longer than the kernel's $((max - 1)) characters" >&2
		return 1
	fi
	printf '%s\n' "$USER_PROGRAM_CMDLINE" >"$out.cfg"
	image_with_files "$out" "BOOT.CFG=$out.cfg" || return 1
	if ! mdir -b -i "$out@@$(image_fat_offset)" "::$path" >/dev/null 2>&1; then
		echo "debug.sh: the image has no $path (disk.img.layout lists the programs in /BIN)" >&2
		return 1
	fi
}

# user_gdb_args PORT NAME: sets USER_GDB_ARGS to GDB's arguments for a session
# on the gdbstub at 127.0.0.1:PORT: the kernel's symbols and NAME's (at the
# ELF's own addresses), a hardware breakpoint at its main, and continue.
user_gdb_args() {
	USER_GDB_ARGS=(-x tools/gdb/user.gdb -ex "add-symbol-file $BUILD/user/$2.elf"
		-ex "target remote 127.0.0.1:$1" -ex "hbreak main" -ex continue "$BUILD/kernel.elf")
}
