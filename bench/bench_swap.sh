#!/usr/bin/env bash
# bench_swap.sh BUILD: virtual memory's figures, in one run (`./build.sh bench`).
#   throughput  the kernel-bench build with `bench=swap` (bench/kernel/bench_swap.c):
#               swap_write/swap_read of 4 MiB of slots against block_write/
#               block_read of the same sectors, 64 KiB and 4 KiB at a time
#   faults      VMTEST pattern 32 seq (4x the RAM of a -m 8 machine) under
#               the production kernel, then VMSTAT: the kernel's own TSC
#               cycles per minor fault (first touch, at -m 64: no reclaim in
#               it) and per major fault (a page back from swap at -m 8, with
#               whatever reclaim it needed first)
#   runtime     the same workload at -m 8 (swapping) and at -m 64 (no
#               swapping), timed by UPTIME before and after it in the same boot
# TCG only (the figures are the swap path's, not the CPU's). A benchmark, not
# a test: it fails only when nothing can be measured. Writes BUILD/bench/swap.md.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:?usage: bench_swap.sh BUILD}" && pwd)
cd "$ROOT" || exit 1
. test/lib/qemu.sh
OUT=$BUILD/bench
W=$OUT/swap
mkdir -p "$W"
die() { printf 'bench_swap.sh: %s\n' "$*" >&2; exit 1; }
grep -q 'type=0x82' disk.img.layout || die "disk.img.layout declares no swap partition"

# throughput
kernel_image "$W/kbench.img" kernel-bench "bench=swap"
timeout 600 qemu-system-i386 -accel tcg -m 64 -nodefaults -display none -monitor none -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial "file:$W/kbench.log" \
	-drive "file=$W/kbench.img,format=raw,if=ide"
[ $? -eq 33 ] || die "the throughput boot failed; see $W/kbench.log"
write=$(grep '^bench: swap write' "$W/kbench.log") read=$(grep '^bench: swap read' "$W/kbench.log")
[ -n "$write" ] && [ -n "$read" ] || die "no throughput figures in $W/kbench.log"

# faults and runtime: one boot each at -m 8 and -m 64
printf 'UPTIME\nVMTEST pattern 32 seq\nUPTIME\nVMSTAT\n' >"$W/work.sh"
for mem in 8 64; do
	kernel_image "$W/m$mem.img" kernel "init=/BIN/SH /TEST/WORK.SH exit"
	mcopy -o -i "$W/m$mem.img@@$(image_fat_offset)" "$W/work.sh" ::/TEST/WORK.SH
	timeout 900 qemu-system-i386 -accel tcg -m "$mem" -nodefaults -display none -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial "file:$W/m$mem.log" \
		-drive "file=$W/m$mem.img,format=raw,if=ide"
	[ $? -eq 33 ] || die "the -m $mem boot failed; see $W/m$mem.log"
	grep -q '^vmtest pattern: ok' "$W/m$mem.log" || die "the workload failed at -m $mem; see $W/m$mem.log"
done
seconds() { grep '^up ' "$1" | awk '{ print $2 }' | sed -n "$2p"; }
runtime() { awk -v a="$(seconds "$1" 1)" -v b="$(seconds "$1" 2)" 'BEGIN { printf "%.2f", b - a }'; }
t8=$(runtime "$W/m8.log") t64=$(runtime "$W/m64.log")
# a minor fault's cost without memory pressure (-m 64: no reclaim in it);
# a major fault's at -m 8, where each one may first have to take pages
faults64=$(tr -d '\r' <"$W/m64.log" | grep '^faults:') faults=$(tr -d '\r' <"$W/m8.log" | grep '^faults:')
minor=$(echo "$faults64" | sed -n 's/.*cycles each: \([0-9]*\) minor.*/\1/p')
major=$(echo "$faults" | sed -n 's/.*minor, \([0-9]*\) major$/\1/p')
nmajor=$(echo "$faults" | awk '{ print $4 }')
field() { echo "$1" | sed -n "s/.* $2 \([0-9]*\) KiB\/s.*/\1/p"; }
share() { echo "$1" | sed -n 's/.*swap is \([0-9]*\) % of raw/\1/p'; }
{
	echo "| Figure | VlsOs |"
	echo "|---|---:|"
	echo "| minor fault (first touch, no memory pressure), TSC cycles | $minor |"
	echo "| major fault (swap-in, with any reclaim it needed), TSC cycles | $major |"
	echo "| swap write, KiB/s (raw 64 KiB / raw 4 KiB) | $(field "$write" swap) ($(field "$write" raw) / $(field "$write" page)) |"
	echo "| swap write as a share of raw | $(share "$write") % |"
	echo "| swap read, KiB/s (raw 64 KiB / raw 4 KiB) | $(field "$read" swap) ($(field "$read" raw) / $(field "$read" page)) |"
	echo "| swap read as a share of raw | $(share "$read") % |"
	echo "| VMTEST pattern 32 seq at -m 8 (swapping, $nmajor major faults), s | $t8 |"
	echo "| the same at -m 64 (no swapping), s | $t64 |"
	echo "| ratio | $(awk -v a="$t8" -v b="$t64" 'BEGIN { printf "%.1fx", a / b }') |"
} >"$OUT/swap.md"
cat "$OUT/swap.md"
