# test_bench_proc.sh: bench/bench_proc.sh (./build.sh bench's process figures
# against xv6) still runs and builds its table, in its check mode: one boot of
# PBENCH, and a stand-in for xv6's run.sh that reports fixed figures, or fails.
# Nothing is timed here: the checks are on the table's shape and on the xv6
# column, whose figures the stand-in chose.
. test/lib/tap.sh

T=$BUILD/tmp/bench_proc
rm -rf "$T"
mkdir -p "$T/good" "$T/bad"

# A stand-in for ../shared/anchors/xv6/run.sh: vmbench.csv in $OUT, as bench.py
# writes it, with the arguments it was given beside it.
cat >"$T/good/run.sh" <<'EOF'
mkdir -p "$OUT"
echo "$*" >"$OUT/arguments"
printf '%s\n' name,run1_cycles_per_op getpid,12000.75 sbrk_plus_touch_page,9000.00 \
	fork_exit_wait,4000000.00 pipe_roundtrip,300000.00 exec_chain,5000000.00 >"$OUT/vmbench.csv"
echo "  vmbench run 1: wall 1.00 s, timed cycles 1"
EOF
printf 'echo "no xv6 here" >&2\nexit 1\n' >"$T/bad/run.sh"

# run_bench NAME PEER: the script in check mode with PEER as xv6; its output in T/NAME.out
run_bench() {
	XV6_PEER=$2 BENCH_PROC_OUT=$T/$1 bash bench/bench_proc.sh "$BUILD" check >"$T/$1.out" 2>&1
}

# row TABLE OPERATION: the table's row for OPERATION, its cells separated by "|"
row() {
	grep "^| $2 |" "$1" | sed 's/ *| */|/g'
}

run_bench with_xv6 "$T/good"
tap_report $? "check mode with an xv6 that reports: the script succeeds" "$(tail -3 "$T/with_xv6.out")"
table=$T/with_xv6/proc.md
tap_check "four VlsOs figures, each a number of cycles" "$(cat "$table" 2>&1)" \
	bash -c "[ \$(grep -cE '^\| [a-z][^|]* \| [0-9][0-9,]* \|' '$table') = 4 ]"
tap_check "xv6 run.sh asked for no boot timing and one vmbench run" "$(cat "$T/with_xv6/xv6/arguments" 2>&1)" \
	test "$(cat "$T/with_xv6/xv6/arguments" 2>/dev/null)" = "0 1"
tap_check "getpid paired with getpid" "$(row "$table" "system call round trip")" \
	bash -c "[[ '$(row "$table" "system call round trip")' == *'|getpid|12,001|'*'below 1x'* ]]"
tap_check "spawn paired with fork + exit + wait" "$(row "$table" "spawn + exit + wait")" \
	bash -c "[[ '$(row "$table" "spawn + exit + wait")' == *'|fork + exit + wait|4,000,000|'*'at most 0.5x'* ]]"
tap_check "a fresh page paired with sbrk + touch" "$(row "$table" "mapping a fresh page (sbrk, first write)")" \
	bash -c "[[ '$(row "$table" "mapping a fresh page (sbrk, first write)")' == *'|9,000|'* ]]"
tap_check "a switch paired with half a pipe round trip" "$(row "$table" "switch between two processes")" \
	bash -c "[[ '$(row "$table" "switch between two processes")' == *'/ 2 (it is two switches)|150,000|'* ]]"
tap_check "every row has a ratio and a verdict" "$(cat "$table" 2>&1)" \
	bash -c "[ \$(grep -cE '\*\*[0-9]+\.[0-9]{2}x\*\* \| [^|]+ \| (met|\*\*missed\*\*) \|$' '$table') = 4 ]"

run_bench without_xv6 "$T/bad"
tap_report $? "check mode with an xv6 that fails: the script still succeeds" "$(tail -3 "$T/without_xv6.out")"
table=$T/without_xv6/proc.md
tap_check "its table has VlsOs's four figures and says xv6 was not measured" "$(cat "$table" 2>&1)" \
	bash -c "[ \$(grep -cE '^\| [a-z][^|]* \| [0-9][0-9,]* \|[^|]*\| not measured \|' '$table') = 4 ] &&
		grep -q '^xv6 was not measured: its run.sh ended with status 1' '$table'"
tap_done
