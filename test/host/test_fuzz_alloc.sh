#!/usr/bin/env bash
# test_fuzz_alloc.sh: builds test/fuzz/fuzz_alloc.c with kernel/mm as a folder
# (and its host glue, test/host/mm_glue.c) under clang's libFuzzer,
# ASan and UBSan, and runs it for FUZZ_SECONDS (default 20) or FUZZ_RUNS
# inputs, from a small seed corpus written here. TAP: ok only when the fuzzer
# ran to its limit and found nothing. Scratch files go to $BUILD/tmp.
set -u

BUILD=${BUILD:-$PWD/build}
T=$BUILD/tmp/fuzz_alloc
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_RUNS=${FUZZ_RUNS:-5000000}
FUZZ_SEED=${FUZZ_SEED:-1}
RUNTIME_PACKAGE=libclang-rt-14-dev # Debian 12: clang only recommends it
NAME="fuzz_alloc: ${FUZZ_SECONDS}s of libFuzzer on buddy, slab and kmalloc"

# fail DETAIL: the one TAP line for a failure, then stop
fail() {
	echo "not ok 1 - $NAME: $*"
	echo "1..1"
	exit 1
}

mkdir -p "$T" || fail "cannot create $T"
command -v clang >/dev/null || fail "clang is not installed (apt-get install clang)"
runtime="$(clang --print-runtime-dir 2>/dev/null)/libclang_rt.fuzzer-$(uname -m).a"
[ -f "$runtime" ] || fail "clang's libFuzzer runtime ($runtime) is missing: apt-get install $RUNTIME_PACKAGE"

if ! clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-DLIB_HOST -Iinclude -Ilib -Itest/host test/fuzz/fuzz_alloc.c kernel/mm/*.c \
	test/host/mm_glue.c lib/*.c -o "$T/fuzz_alloc" >"$T/build.log" 2>&1; then
	sed 's/^/# /' "$T/build.log"
	fail "does not compile"
fi

# Seeds: short programs (op byte, then its arguments; see fuzz_alloc.c's run()).
rm -rf "$T/corpus" "$T"/crash-* "$T"/leak-* "$T"/timeout-*
mkdir -p "$T/corpus"
printf '\000\040\000\100\000\005\100\000\002\000\002\000' >"$T/corpus/kmalloc_free"
printf '\000\006\377\177\004\006\000\010\004\000\002\001' >"$T/corpus/large_realloc"
printf '\005\001\377\377\003\000\005\000\020\000\000\020' >"$T/corpus/calloc"
printf '\006\001\201\100\000\007\001\007\001\010\001\003\000\010\001' >"$T/corpus/cache"
printf '\011\003\000\030\000\012\000\000\003\012\003\000\000\013\033' >"$T/corpus/frames_misuse"

(cd "$T" && ./fuzz_alloc -max_total_time="$FUZZ_SECONDS" -runs="$FUZZ_RUNS" -seed="$FUZZ_SEED" \
	-max_len=4096 -artifact_prefix="$T/" -print_final_stats=1 corpus >"$T/fuzz.log" 2>&1)
status=$?
done_line=$(grep -m1 '^Done [0-9]* runs' "$T/fuzz.log")
cov=$(grep -Eo 'cov: [0-9]+' "$T/fuzz.log" | tail -1)
if [ "$status" -ne 0 ] || [ -z "$done_line" ]; then
	sed -n '/fuzz_alloc: \|ERROR\|runtime error\|deadly signal/{p;q}' "$T/fuzz.log" >"$T/why"
	artifact=$(ls "$T"/crash-* "$T"/leak-* "$T"/timeout-* "$T"/oom-* 2>/dev/null | head -1)
	tail -40 "$T/fuzz.log" | sed 's/^/# /'
	fail "status $status: $(cat "$T/why")${artifact:+; reproduce: $T/fuzz_alloc $artifact}"
fi
echo "# $done_line ($cov; seed $FUZZ_SEED; corpus $(ls "$T/corpus" | wc -l) inputs)"
echo "ok 1 - $NAME"
echo "1..1"
