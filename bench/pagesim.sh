#!/usr/bin/env bash
# pagesim.sh BUILD: page replacement on the recorded traces (issue 16): every
# trace in bench/traces/ (tools/pagesim/record.sh records them; NAME.trace or
# NAME.trace.gz) replayed by build/host/pagesim through VlsOs's policy (the
# kernel's clock, kernel/vm/page_clock.c, with reclaim.c's watermarks), the
# clock taking one page a fault, LRU, FIFO and Belady's OPT, for these frame
# counts:
#   MACHINE_FRAMES   what an -m 8 machine leaves user pages (VMSTAT at boot:
#                    6,924 KiB free), test_swap.sh's machine
#   SHARED_FRAMES    a quarter of that: each of the four processes of
#                    "VMTEST procs 4 8" and "sort 12 4" when they share it
#   /2 /4 /8         the trace's pages halved, quartered and eighthed
# Replays are exact, not timed: one run gives the figures. A benchmark, not a
# test: it fails only when a trace cannot be replayed. Writes
# BENCH_PAGESIM_OUT (default BUILD/bench)/pagesim.md.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:?usage: pagesim.sh BUILD}" && pwd)
cd "$ROOT" || exit 1
OUT=${BENCH_PAGESIM_OUT:-$BUILD/bench}
PAGESIM=$BUILD/host/pagesim
MACHINE_FRAMES=1731
SHARED_FRAMES=$((MACHINE_FRAMES / 4))
REPLAY_SECONDS=300
mkdir -p "$OUT"

die() {
	echo "pagesim.sh: $*" >&2
	exit 1
}

[ -x "$PAGESIM" ] || die "no $PAGESIM: run ./build.sh"
shopt -s nullglob
traces=(bench/traces/*.trace bench/traces/*.trace.gz)
[ ${#traces[@]} -gt 0 ] || die "no traces in bench/traces/: tools/pagesim/record.sh records them"
{
	echo "## Page replacement on the recorded traces"
	echo
	echo "Faults (first touches included) of each policy with a given number of frames for user pages;"
	echo "$MACHINE_FRAMES frames is test_swap.sh's -m 8 machine, $SHARED_FRAMES a quarter of it."
	echo
} >"$OUT/pagesim.md.tmp"
for trace in "${traces[@]}"; do
	name=$(basename "$trace")
	name=${name%.gz}
	name=${name%.trace}
	# shellcheck disable=SC2094 # the .md is only appended to
	if ! zcat -f "$trace" | timeout "$REPLAY_SECONDS" "$PAGESIM" replay - \
		"$MACHINE_FRAMES" "$SHARED_FRAMES" /2 /4 /8 2>"$OUT/pagesim-$name.err" |
		sed "s/^### (stdin)/### $name/" >>"$OUT/pagesim.md.tmp"; then
		die "$trace did not replay: $(cat "$OUT/pagesim-$name.err")"
	fi
done
mv "$OUT/pagesim.md.tmp" "$OUT/pagesim.md"
cat "$OUT/pagesim.md"
