# test_commands.sh: the commands in /BIN (docs/console.md) run as init
# (BOOT.CFG `exit init=/BIN/NAME ARGS`, no shell): one QEMU boot a run, a few
# at a time in the background, each with a time limit, COM1 on a file. What
# each command shows, and its bad input, is checked in sessions at the shell's
# prompt (test_shell_commands.sh); this test keeps what those cannot see: a
# command's status as init's status (0 for its work and -h, 1 for a failure,
# 2 for bad input), ps as the first process, and output byte for byte where a
# session's prompt would not be found in it (a binary file).
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/commands
mkdir -p "$T"
PARALLEL=${PARALLEL:-4}
BOOT_SECONDS=120

# run NAME ARGS [QEMU-ARGS...]: in the background, boots with init=/BIN/ARGS
# (after the words $WORDS, "exit" unless set) until the last process ends (or
# BOOT_SECONDS); $T/NAME.log
run() {
	local name=$1 args=$2
	shift 2
	while [ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ]; do wait -n; done
	kernel_image "$T/$name.img" kernel "${WORDS:-exit} init=/BIN/$args" || return
	(
		SETTLE=0 boot_until "$T/$name.log" "^All processes have ended|PANIC" "$BOOT_SECONDS" -accel tcg \
			-m 64 "$@" -drive "file=$T/$name.img,format=raw,if=ide"
		rm -f "$T/$name.img" "$T/$name.img.cfg"
	) &
}
run mem MEM
run ps PS
run leaks LEAKS
run cat_fewk "CAT /TEST/SUB/FEWK.BIN"
run help "V2P -h"
run kill_none KILL
run hexdump_null "HEXDUMP 0 16"
wait

# out NAME: what the program printed (between "VlsOs ready" and the kernel's last words)
out() {
	awk '/^All processes have ended/ { exit } seen { print } /^VlsOs ready$/ { seen = 1 }' "$T/$1.log"
}
# status NAME: init's exit status as the kernel reported it (its line may
# follow output that did not end with a newline)
status() {
	LC_ALL=C sed -nE "s/.*All processes have ended \(init's status ([0-9]+)\).*/\1/p" "$T/$1.log"
}
# has NAME WHAT REGEX: a line of the program's output matches
has() {
	tap_check "$1: $2" "no line matching $3 in: $(out "$1" | head -4 | tr '\n' '|')" \
		grep -qE -- "$3" <(out "$1")
}
# ends NAME STATUS
ends() {
	tap_check "$1: status $2" "status '$(status "$1")', $(grep -E 'PANIC|killed' "$T/$1.log" | head -1)" \
		[ "$(status "$1")" = "$2" ]
}

# ---- their work: status 0 ----
has mem "the rows add up to the E820 usable total" "^  E820 usable +[0-9]+ +[0-9.]+ [KMG]?i?B  adds up: exact$"
ends mem 0
has ps "itself: pid 1, no parent, runnable, named ps" "^ +1 +0 +runnable +[1-9][0-9]* +[0-9]+ +[0-9]+ +[0-9]+  ps$"
ends ps 0
"$BUILD/host/mkimage" testfiles disk.img.layout "$T/files" >/dev/null
tap_check "cat: FEWK.BIN's 5000 bytes, as generated" "$(wc -c <"$T/files/TEST/SUB/FEWK.BIN" 2>&1)" \
	python3 -c "
import sys
log = open('$T/cat_fewk.log', 'rb').read()
want = open('$T/files/TEST/SUB/FEWK.BIN', 'rb').read()
start = log.index(b'VlsOs ready\n') + len(b'VlsOs ready\n')
end = log.index(b'All processes have ended', start)
sys.exit(0 if len(want) == 5000 and log[start:end].rstrip(b'\n') == want.rstrip(b'\n') else 1)"
ends cat_fewk 0
has help "-h: the usage" "^usage: V2P ADDR \[PID\]$"
ends help 0

# ---- a failure at run time: status 1; bad input: one line, status 2 ----
has leaks "without memdebug: how to turn it on" "^leaks: memdebug is off: add the word memdebug to BOOT.CFG$"
ends leaks 1
for bad in "kill_none|^kill: which process\? a pid is needed \(usage: KILL PID...\)$" \
	"hexdump_null|^hexdump: 0x00000000 is not mapped in kernel memory"; do
	IFS='|' read -r name regex <<<"$bad"
	got=$(out "$name")
	tap_check "$name: one line naming the fault" "said: $(head -2 <<<"$got" | tr '\n' '|')" \
		bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -qE -- "$2" <<<"$1"' _ "$got" "$regex"
	ends "$name" 2
done

tap_check "no boot PANICked" "$(grep -l PANIC "$T"/*.log | head -3 | tr '\n' ' ')" bash -c "! grep -q PANIC '$T'/*.log"
tap_done
