#!/usr/bin/env bash
# test_fuzz_elf.sh: builds test/fuzz/fuzz_elf.c with kernel/proc/elf.c under clang's
# libFuzzer, ASan and UBSan, and runs it for FUZZ_SECONDS (default 10) or FUZZ_RUNS
# inputs, from seeds made here: the small static program test/lib/elf.sh links, as
# lld lays it out, with -z separate-code, stripped, and linked at lld's default base
# (refused: a seed for the refusals' paths). TAP: ok only when the fuzzer ran to its
# limit and found nothing. Scratch files go to $BUILD/tmp.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1

BUILD=${BUILD:-$ROOT/build}
T=$BUILD/tmp/fuzz_elf
FUZZ_SECONDS=${FUZZ_SECONDS:-10}
FUZZ_RUNS=${FUZZ_RUNS:-5000000}
FUZZ_SEED=${FUZZ_SEED:-1}
NAME="fuzz_elf: ${FUZZ_SECONDS}s of libFuzzer on the ELF parser"
. test/lib/fuzz.sh
. test/lib/elf.sh

rm -rf "$T"
mkdir -p "$T/corpus" || fail "cannot create $T"
fuzz_need_clang
command -v llvm-strip >/dev/null || fail "llvm-strip is not installed"

if ! timeout 300 clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-DLIB_HOST -Iinclude -Ilib test/fuzz/fuzz_elf.c kernel/proc/elf.c lib/string.c lib/format.c \
	-o "$T/fuzz_elf" >"$T/build.log" 2>&1; then
	sed 's/^/# /' "$T/build.log"
	fail "does not compile"
fi

elf_program program && elf_program separate-code -Wl,-z,separate-code &&
	elf_program low-base -Wl,--image-base=0x00400000 -Wl,-Ttext="$ELF_USER_TEXT" ||
	fail "cannot link the seeds"
timeout 30 llvm-strip "$T/program" -o "$T/stripped" || fail "cannot strip a seed"
cp "$T/program" "$T/separate-code" "$T/low-base" "$T/stripped" "$T/corpus/" || fail "cannot copy the seeds"

fuzz_run fuzz_elf 16384 -timeout=10
