# fuzz.sh: what the libFuzzer tests (test/host/test_fuzz_*.sh) share, sourced. The
# caller sets NAME (its one TAP line), T (its scratch folder, for the target, its
# corpus/ and what the fuzzer leaves), FUZZ_SECONDS, FUZZ_RUNS and FUZZ_SEED.
RUNTIME_PACKAGE=libclang-rt-14-dev # Debian 12: clang only recommends it

# fail DETAIL: the one TAP line for a failure, then stop
fail() {
	echo "not ok 1 - $NAME: $*"
	echo "1..1"
	exit 1
}

# fuzz_need_clang: clang and its libFuzzer runtime are installed, or fail
fuzz_need_clang() {
	local runtime
	command -v clang >/dev/null || fail "clang is not installed (apt-get install clang)"
	runtime="$(clang --print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(uname -m).a"
	[ -f "$runtime" ] || fail "clang's libFuzzer runtime ($runtime) is missing: apt-get install $RUNTIME_PACKAGE"
}

# fuzz_run TARGET MAX_LEN [OPTION...]: runs $T/TARGET on $T/corpus for FUZZ_SECONDS
# or FUZZ_RUNS inputs and prints the TAP result: ok only when it ran to its limit and
# found nothing; otherwise the first finding and how to reproduce it.
fuzz_run() {
	local target=$1 max_len=$2 status done_line cov artifact
	shift 2
	(cd "$T" && "./$target" -max_total_time="$FUZZ_SECONDS" -runs="$FUZZ_RUNS" -seed="$FUZZ_SEED" \
		-max_len="$max_len" -artifact_prefix="$T/" -print_final_stats=1 "$@" corpus >"$T/fuzz.log" 2>&1)
	status=$?
	done_line=$(grep -m1 '^Done [0-9]* runs' "$T/fuzz.log")
	cov=$(grep -Eo 'cov: [0-9]+' "$T/fuzz.log" | tail -1)
	if [ "$status" -ne 0 ] || [ -z "$done_line" ]; then
		sed -n "/$target: \|ERROR\|runtime error\|deadly signal/{p;q}" "$T/fuzz.log" >"$T/why"
		artifact=$(ls "$T"/crash-* "$T"/leak-* "$T"/timeout-* "$T"/oom-* 2>/dev/null | head -1)
		tail -40 "$T/fuzz.log" | sed 's/^/# /'
		fail "status $status: $(cat "$T/why")${artifact:+; reproduce: $T/$target $artifact}"
	fi
	echo "# $done_line ($cov; seed $FUZZ_SEED; corpus $(ls "$T/corpus" | wc -l) inputs)"
	echo "ok 1 - $NAME"
	echo "1..1"
}
