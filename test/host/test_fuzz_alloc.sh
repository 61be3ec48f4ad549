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
NAME="fuzz_alloc: ${FUZZ_SECONDS}s of libFuzzer on buddy, slab and kmalloc"
. test/lib/fuzz.sh

mkdir -p "$T" || fail "cannot create $T"
fuzz_need_clang

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

fuzz_run fuzz_alloc 4096
