#!/usr/bin/env bash
# test_pagesim_record.sh: the recording of page-reference traces and the
# pagesim command (tools/pagesim/). record.sh builds VMTEST for Linux from
# its sources and the workloads it records run natively and check their data;
# `pagesim reduce` turns a lackey excerpt into the trace worked out by hand
# and names a line that is not lackey's; `pagesim replay` prints its table,
# refuses bad frame counts and leaves out those below a trace's window; every
# committed trace in bench/traces/ replays. With valgrind (not needed
# otherwise) one small workload is recorded whole and reduced, and every
# policy faults the same on both. Needs build/host/pagesim (./build.sh).
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
. test/lib/tap.sh

BUILD=${BUILD:-$ROOT/build}
T=$BUILD/tmp/pagesim
PAGESIM=$BUILD/host/pagesim
VMTEST=$BUILD/pagesim/vmtest-host
rm -rf "$T"
mkdir -p "$T"

if [ ! -x "$PAGESIM" ]; then
	tap_fail "pagesim is built" "$PAGESIM is missing: run ./build.sh"
	tap_done
	exit
fi

# ---- VMTEST for Linux ----
if VLSOS_BUILD=$BUILD timeout 120 bash tools/pagesim/record.sh build >"$T/build.log" 2>&1 && [ -x "$VMTEST" ]; then
	tap_ok "record.sh builds VMTEST for Linux"
	for run in "pattern 2 seq" "pattern 2 random" "shuffle 1 2" "stack 200"; do
		# shellcheck disable=SC2086 # the arguments are words
		out=$(timeout 60 "$VMTEST" $run 2>&1)
		tap_check "VMTEST $run runs on Linux and checks its data" "$out" \
			grep -q '^vmtest [a-z]*: ok' <<<"$out"
	done
	# sortpart streams its part, sorted, to stdout: 4-byte numbers
	timeout 60 "$VMTEST" sortpart 20000 1 >"$T/sorted.bin" 2>"$T/sorted.err"
	tap_check "VMTEST sortpart writes its part in order" "$(head -c 200 "$T/sorted.err")" \
		python3 -c '
import struct, sys
data = open(sys.argv[1], "rb").read()
numbers = struct.unpack("<%dI" % (len(data) // 4), data)
sys.exit(0 if len(numbers) == 20000 and list(numbers) == sorted(numbers) else 1)' "$T/sorted.bin"
else
	tap_fail "record.sh builds VMTEST for Linux" "$(tail -3 "$T/build.log")"
fi

# ---- pagesim reduce ----
# pages 0x1000 (A), 0x2000 (B), 0x3000 (C): A A B A B A B A C A, with
# instruction fetches and valgrind's own lines between, and a store that
# crosses from A's page into the next (D). Window 2: the stretch {A, B} is
# cut at B's first reference, and its second interval keeps B's and A's
# first and last references, B A B A, dropping the B A between; C starts the
# next stretch, {C, A}, and D the one after: A B A B A C A D.
cat >"$T/lackey.txt" <<'EOF'
==7== Lackey, an example Valgrind tool
I  04010173,3
 L 01000010,4
 S 01000020,8
 L 02000000,4
 M 01000030,4
 L 02000ff0,8
 L 01000000,4
I  04010176,2
 L 02000008,4
 S 01000040,4
 S 03000004,4
 S 01000ffe,4
==7== Exit code:       0
EOF
printf '# window 2\n0\n1\n0\n1\n0\n2\n0\n3\n' >"$T/lackey.want"
"$PAGESIM" reduce 2 <"$T/lackey.txt" >"$T/lackey.got" 2>"$T/lackey.err"
tap_check "pagesim reduce: the trace worked out by hand" "$(paste -sd' ' "$T/lackey.got")" \
	cmp -s "$T/lackey.got" "$T/lackey.want"
tap_check "pagesim reduce: its summary" "$(cat "$T/lackey.err")" \
	grep -qx 'pagesim reduce: 11 data references, 8 kept (window 2), 4 pages' "$T/lackey.err"
printf ' L 01000010,4\n L nothex,4\n' | "$PAGESIM" reduce >/dev/null 2>"$T/bad.err"
status=$?
tap_check "pagesim reduce: a line that is not lackey's is named, status 1" "status $status: $(cat "$T/bad.err")" \
	bash -c "[ $status -eq 1 ] && grep -q 'line 2 is not lackey.s: \" L nothex,4\"' '$T/bad.err'"
"$PAGESIM" reduce 0 </dev/null >/dev/null 2>"$T/bad.err"
status=$?
tap_check "pagesim reduce: a window of 0 is refused, status 2" "status $status: $(cat "$T/bad.err")" \
	bash -c "[ $status -eq 2 ] && grep -q 'the window is a number from 1 to 4096: 0' '$T/bad.err'"

# ---- pagesim replay ----
printf '# window 2\n7\n0\n1\n2\n0\n3\n0\n4\n2\n3\n0\n3\n2\n1\n2\n0\n1\n7\n0\n1\n' >"$T/textbook.trace"
"$PAGESIM" replay "$T/textbook.trace" 4 3 1 /2 >"$T/table.md" 2>"$T/table.err"
tap_check "pagesim replay: the textbook string's row (clock 20 with the kernel's marks, 14, LRU 12, FIFO 15, OPT 9)" \
	"$(cat "$T/table.md" "$T/table.err")" grep -qx '| 3 | 20 | 14 | 12 | 15 | 9 |' "$T/table.md"
tap_check "pagesim replay: /2 is half the pages, rows in ascending order, each once" "$(cat "$T/table.md")" \
	cmp -s <(grep '^| [0-9]' "$T/table.md" | cut -d' ' -f2) <(printf '3\n4\n')
tap_check "pagesim replay: 1 frame, below the window, is left out and said so" "$(cat "$T/table.err")" \
	bash -c "! grep -q '^| 1 |' '$T/table.md' && grep -q '1 frames: left out, below the trace.s window of 2' '$T/table.err'"
for bad in "0" "x" "/0" "16777217"; do
	"$PAGESIM" replay "$T/textbook.trace" "$bad" >/dev/null 2>"$T/bad.err"
	status=$?
	tap_check "pagesim replay: frames '$bad' refused, status 2" "status $status: $(cat "$T/bad.err")" \
		bash -c "[ $status -eq 2 ] && grep -q 'a frame count is a number from 1 to' '$T/bad.err'"
done
printf '1\n2\nthree\n' >"$T/bad.trace"
"$PAGESIM" replay "$T/bad.trace" 2 >/dev/null 2>"$T/bad.err"
status=$?
tap_check "pagesim replay: a bad trace line is named, status 1" "status $status: $(cat "$T/bad.err")" \
	bash -c "[ $status -eq 1 ] && grep -q 'bad.trace:3: \"three\" is not a page number' '$T/bad.err'"

# ---- the committed traces ----
traces=0
for trace in bench/traces/*.trace bench/traces/*.trace.gz; do
	[ -f "$trace" ] || continue
	traces=$((traces + 1))
	out=$(zcat -f "$trace" | timeout 120 "$PAGESIM" replay - /2 2>&1)
	tap_check "$(basename "$trace") replays" "$out" grep -qE '^\| [0-9]+ \| [0-9]+ \| [0-9]+ \| [0-9]+ \| [0-9]+ \| [0-9]+ \|$' <<<"$out"
done
[ "$traces" -gt 0 ] || tap_fail "bench/traces/ holds traces" "none found"

# ---- a recording, whole and reduced ----
if ! command -v valgrind >/dev/null || [ ! -x "$VMTEST" ]; then
	tap_fail "a recorded trace, whole and reduced, gives the same faults" \
		"no valgrind (build.sh's dependencies include it) or no host VMTEST at $VMTEST"
else
	timeout 300 valgrind --tool=lackey --trace-mem=yes --log-file="$T/lackey.log" "$VMTEST" pattern 1 random \
		>"$T/vm.out" 2>&1
	"$PAGESIM" reduce 1 <"$T/lackey.log" >"$T/whole.trace" 2>/dev/null
	"$PAGESIM" reduce 64 <"$T/lackey.log" >"$T/reduced.trace" 2>/dev/null
	rm -f "$T/lackey.log"
	# the window line and the figures aside, the tables must be the same
	for t in whole reduced; do
		"$PAGESIM" replay "$T/$t.trace" 64 /4 /2 100 | grep '^| [0-9]' >"$T/$t.rows"
	done
	tap_check "a recorded trace, whole and reduced, gives the same faults" \
		"$(paste "$T/whole.rows" "$T/reduced.rows" | head -4)" \
		bash -c "[ -s '$T/whole.rows' ] && cmp -s '$T/whole.rows' '$T/reduced.rows' &&
			[ \$(grep -cv '^#' '$T/reduced.trace') -lt \$(grep -cv '^#' '$T/whole.trace') ]"
fi
tap_done
