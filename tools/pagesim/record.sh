#!/usr/bin/env bash
# record.sh [build | NAME...]: records the page-reference traces in
# bench/traces/ that bench/pagesim.sh replays (issue 16). A manual step, run
# again when user/bin/vmtest.c's workloads change; it needs valgrind, which
# nothing else does (CI replays the committed traces only).
#
# VMTEST's single-process workloads, at the sizes test/boot/test_swap.sh runs
# them (sortpart at half), run under `valgrind --tool=lackey --trace-mem=yes`,
# which prints every memory reference the program makes; `pagesim reduce`
# keeps the data references (the program's own data, heap, mmap'd memory and
# stack: the program is freestanding, so there is no C library or loader of
# the host's to leave out), numbers the pages as they are first touched and
# reduces the string (tools/pagesim/pagesim.h says how, and for which frame
# counts it is exact). The program is VMTEST built from its own sources with
# the user library, as a Linux x86-64 program: tools/pagesim/record/linux_sys.c
# says why.
#
#   build    only builds BUILD/pagesim/vmtest-host (test_pagesim_record.sh)
#   NAME...  records those workloads only (names below); none: all of them
# Environment: VLSOS_BUILD (default build/), PAGESIM_WINDOW (default 64),
# PAGESIM_TRACES (where to write, default bench/traces/). A trace over
# GZIP_ABOVE bytes is written gzipped (NAME.trace.gz).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
BUILD=${VLSOS_BUILD:-$ROOT/build}
WINDOW=${PAGESIM_WINDOW:-64}
TRACES=${PAGESIM_TRACES:-$ROOT/bench/traces}
VMTEST=$BUILD/pagesim/vmtest-host
PAGESIM=$BUILD/host/pagesim
GZIP_ABOVE=1000000

# name and VMTEST's arguments. sortpart is one of the four children of a
# "VMTEST sort 6 4" (6 MiB of 4-byte numbers in four parts), half of what
# test_swap.sh sorts: the whole size would take lackey over an hour.
WORKLOADS=(
	"pattern-seq pattern 32 seq"
	"pattern-random pattern 32 random"
	"shuffle shuffle 12 3"
	"sortpart sortpart 393216 0"
	"stack stack 900"
)

die() {
	echo "record.sh: $*" >&2
	exit 1
}

# VMTEST's sources as build.mk gives them to user programs, but for Linux
# x86-64 and with linux_sys.c for the system calls and the entry. No -g:
# valgrind 3.19 cannot read clang 14's DWARF 5.
build_vmtest() {
	local sources=(user/bin/vmtest.c tools/pagesim/record/linux_sys.c lib/*.c)
	local lib
	for lib in user/lib/*.c; do
		[ "$lib" = user/lib/syscall.c ] || sources+=("$lib")
	done
	mkdir -p "$BUILD/pagesim"
	clang --target=x86_64-linux-gnu -ffreestanding -fno-builtin -fno-pic -fno-pie \
		-fno-stack-protector -fno-omit-frame-pointer -nostdlib -static -O2 -std=gnu11 \
		-mno-sse -mno-mmx -mno-80387 -Wall -Wextra -Werror -ffunction-sections -fdata-sections \
		-Iinclude -Ilib -Iuser/lib -fuse-ld=lld -Wl,--gc-sections "${sources[@]}" -o "$VMTEST" ||
		die "VMTEST did not build for Linux"
}

# record NAME ARGS...: one workload's trace
record() {
	local name=$1 out=$TRACES/$1.trace tmp=$BUILD/pagesim/$1
	shift
	echo "record.sh: $name: VMTEST $* under lackey (minutes)" >&2
	# lackey writes to fd 3, which goes down the pipe; VMTEST's own output
	# (binary numbers for sortpart) to a file
	if ! { valgrind --tool=lackey --trace-mem=yes --log-fd=3 "$VMTEST" "$@" 3>&1 \
		>"$tmp.out" 2>"$tmp.err"; } | "$PAGESIM" reduce "$WINDOW" >"$tmp.trace" 2>"$tmp.summary"; then
		die "$name: VMTEST or pagesim reduce failed: $(cat "$tmp.err" "$tmp.summary" | tail -3)"
	fi
	[ "$name" = sortpart ] || grep -q '^vmtest [a-z]*: ok' "$tmp.out" ||
		die "$name: VMTEST did not say ok: $(head -3 "$tmp.out")"
	{
		echo "# $name: the page references of VMTEST $* (user/bin/vmtest.c), recorded by"
		echo "# tools/pagesim/record.sh: valgrind $(valgrind --version | sed 's/^valgrind-//')" \
			"--tool=lackey --trace-mem=yes, data references only,"
		echo "# pages numbered as first touched, one a line. $(cat "$tmp.summary")"
		cat "$tmp.trace"
	} >"$tmp.full"
	rm -f "$out" "$out.gz"
	if [ "$(stat -c %s "$tmp.full")" -gt "$GZIP_ABOVE" ]; then
		gzip -9n <"$tmp.full" >"$out.gz"
		out=$out.gz
	else
		cp "$tmp.full" "$out"
	fi
	echo "record.sh: $name: $(cat "$tmp.summary") -> $out ($(stat -c %s "$out") bytes)" >&2
}

command -v clang >/dev/null || die "no clang: ./build.sh deps installs it"
build_vmtest
[ "${1:-}" = build ] && exit 0
command -v valgrind >/dev/null || die "no valgrind (apt-get install valgrind): recording needs it"
[ -x "$PAGESIM" ] || die "no $PAGESIM: run ./build.sh first"
mkdir -p "$TRACES"
recorded=0
for workload in "${WORKLOADS[@]}"; do
	read -r name args <<<"$workload"
	if [ $# -eq 0 ] || [[ " $* " == *" $name "* ]]; then
		# shellcheck disable=SC2086 # the arguments are words
		record "$name" $args
		recorded=$((recorded + 1))
	fi
done
[ "$recorded" -gt 0 ] || die "no workload named $*; there are: $(printf '%s\n' "${WORKLOADS[@]}" | cut -d' ' -f1 | paste -sd' ')"
