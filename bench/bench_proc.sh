#!/usr/bin/env bash
# bench_proc.sh BUILD [check]: VlsOs's process figures against xv6's, in TSC
# cycles, in one run. VlsOs: the production disk.img with BOOT.CFG
# "exit init=/BIN/PBENCH" (user/bin/pbench.c), booted BENCH_PROC_BOOTS times
# (default 5) under TCG, the median of the boots' figures. xv6: its vmbench
# through ../shared/anchors/xv6/run.sh (XV6_PEER names another folder), no boot
# timing, BENCH_PROC_XV6_RUNS fresh boots (default 3), between VlsOs's first and
# last boots so both see the same machine. Under TCG the guest's TSC is the
# host's, so the two columns are the same clock. Pairs: getpid with getpid,
# spawn_exit_wait with fork_exit_wait, sbrk_touch_page with
# sbrk_plus_touch_page, switch with half of pipe_roundtrip (two switches).
# A benchmark, not a test: it fails only when VlsOs cannot be measured; an xv6
# that is missing or fails leaves its column "not measured". Every QEMU and the
# xv6 script run under timeout.
# `check` (test/boot/test_bench_proc.sh): one boot and one xv6 run, only when
# XV6_PEER is given, so the script's path is exercised without timing anything.
# Writes BENCH_PROC_OUT (default BUILD/bench)/proc.md.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:?usage: bench_proc.sh BUILD [check]}" && pwd)
MODE=${2:-measure}
cd "$ROOT" || exit 1
OUT=${BENCH_PROC_OUT:-$BUILD/bench}
mkdir -p "$OUT"

BOOTS=${BENCH_PROC_BOOTS:-5}
XV6_RUNS=${BENCH_PROC_XV6_RUNS:-3}
XV6=${XV6_PEER:-}
if [ "$MODE" = check ]; then
	BOOTS=1 XV6_RUNS=1
elif [ -z "$XV6" ]; then
	# the anchors sit beside the main checkout; a worktree is one level deeper
	for dir in "$ROOT/../shared/anchors/xv6" "$ROOT/../../shared/anchors/xv6"; do
		[ -f "$dir/run.sh" ] && { XV6=$(cd "$dir" && pwd); break; }
	done
fi
VLSOS_BOOT_SECONDS=120
XV6_SECONDS_PER_RUN=300 # run.sh's own limits: 30 s to the prompt, 180 s for vmbench

die() {
	echo "bench_proc.sh: $*" >&2
	exit 1
}

[ -f "$BUILD/disk.img" ] || die "no $BUILD/disk.img: run ./build.sh"
offset=$(($(awk '$2 == "HDD_PART_LBA" { print $3 }' "$BUILD/gen/layout.inc") * 512))
printf 'exit init=/BIN/PBENCH\n' >"$OUT/pbench.cfg"
cp "$BUILD/disk.img" "$OUT/pbench.img"
mcopy -o -i "$OUT/pbench.img@@$offset" "$OUT/pbench.cfg" ::BOOT.CFG || die "cannot write BOOT.CFG"

# figures.tsv: SYSTEM NAME CYCLES, one line a measurement
FIGURES=$OUT/proc-figures.tsv
: >"$FIGURES"

# vlsos_boot N: one boot of PBENCH; its four figures into FIGURES
vlsos_boot() {
	local log=$OUT/pbench-$1.log status
	timeout -k 5 "$VLSOS_BOOT_SECONDS" qemu-system-i386 -accel tcg -m 64 -nodefaults -display none \
		-monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-serial "file:$log" -drive "file=$OUT/pbench.img,format=raw,if=ide" 2>/dev/null
	status=$?
	# 33: the kernel left QEMU through isa-debug-exit saying init ended with status 0
	[ "$status" -eq 33 ] && [ "$(grep -c '^bench [a-z_]* cycles=' "$log")" -eq 4 ] ||
		die "VlsOs boot $1 ended with QEMU status $status without PBENCH's four figures; see $log"
	sed -n 's/^bench \([a-z_]*\) cycles=\([0-9]*\) .*/vlsos\t\1\t\2/p' "$log" >>"$FIGURES"
	echo "  VlsOs boot $1: $(grep '^bench ' "$log" | sed 's/^bench \([a-z_]*\) cycles=\([0-9]*\) .*/\1 \2/' | paste -sd' ')"
}

# xv6_runs: run.sh with no boot timing and XV6_RUNS vmbench boots; its
# per-run figures (vmbench.csv: name, then cycles per op of each run) into
# FIGURES. Returns non-zero, saying why, when xv6 gave nothing.
xv6_runs() {
	local results=$OUT/xv6
	[ -n "$XV6" ] && [ -f "$XV6/run.sh" ] || {
		XV6_WHY="no xv6 peer${XV6:+ at $XV6}"
		return 1
	}
	rm -rf "$results"
	OUT=$results timeout -k 5 $((XV6_SECONDS_PER_RUN * XV6_RUNS)) sh "$XV6/run.sh" 0 "$XV6_RUNS" \
		>"$OUT/xv6-run.log" 2>&1
	local status=$?
	[ -f "$results/vmbench.csv" ] && [ "$(wc -l <"$results/vmbench.csv")" -gt 1 ] || {
		XV6_WHY="its run.sh ended with status $status and no figures; see $OUT/xv6-run.log"
		return 1
	}
	awk -F, 'NR > 1 { for (i = 2; i <= NF; i++) if ($i != "") printf "xv6\t%s\t%s\n", $1, $i }' \
		"$results/vmbench.csv" >>"$FIGURES"
	grep '^  vmbench run' "$OUT/xv6-run.log" | sed 's/^  /  xv6 /'
	return 0
}

first_half=$(((BOOTS + 1) / 2))
for ((boot = 1; boot <= first_half; boot++)); do vlsos_boot "$boot"; done
XV6_WHY=
xv6_measured=0
if [ "$MODE" = check ] && [ -z "${XV6_PEER:-}" ]; then
	XV6_WHY="check mode, no XV6_PEER"
elif xv6_runs; then
	xv6_measured=1
fi
for ((boot = first_half + 1; boot <= BOOTS; boot++)); do vlsos_boot "$boot"; done

# The table: medians of each system's figures, the ratio and the target.
awk -F'\t' -v xv6="$xv6_measured" -v boots="$BOOTS" -v runs="$XV6_RUNS" -v why="$XV6_WHY" '
	function median(key,   n, i, j, v, t) {
		n = count[key]
		for (i = 1; i <= n; i++) v[i] = value[key, i]
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	function thousands(x,   s, r) {
		s = sprintf("%.0f", x)
		r = ""
		while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) }
		return s r
	}
	function row(what, ours, theirs, divisor, pair, target, limit,   a, b, ratio, verdict) {
		if (!count["vlsos", ours]) return
		a = median("vlsos" SUBSEP ours)
		if (xv6 && count["xv6", theirs]) {
			b = median("xv6" SUBSEP theirs) / divisor
			ratio = a / b
			verdict = ratio < limit ? "met" : "**missed**"
			printf "| %s | %s | %s | %s | **%.2fx** | %s | %s |\n", what, thousands(a), pair,
				thousands(b), ratio, target, verdict
		} else {
			printf "| %s | %s | %s | not measured | n/a | %s | n/a |\n", what, thousands(a), pair, target
		}
	}
	{ key = $1 SUBSEP $2; value[$1, $2, ++count[$1, $2]] = $3 }
	END {
		print "| Operation | VlsOs (cycles, median of " boots " boots) | xv6 operation | xv6 (cycles, median of " runs " runs) | VlsOs / xv6 | target | |"
		print "|---|---:|---|---:|---:|---|---|"
		row("system call round trip", "getpid", "getpid", 1, "getpid", "below 1x", 1)
		row("spawn + exit + wait", "spawn_exit_wait", "fork_exit_wait", 1, "fork + exit + wait",
			"at most 0.5x", 0.5000001)
		row("mapping a fresh page (sbrk, first write)", "sbrk_touch_page", "sbrk_plus_touch_page", 1,
			"sbrk + touch, per page", "at most 0.5x", 0.5000001)
		row("switch between two processes", "switch", "pipe_roundtrip", 2,
			"pipe round trip / 2 (it is two switches)", "at most 0.5x", 0.5000001)
		if (!xv6) print "\nxv6 was not measured: " why "."
	}' "$FIGURES" >"$OUT/proc.md"
[ "$(grep -c '^| [a-z]' "$OUT/proc.md")" -eq 4 ] || die "the table lacks a figure; see $FIGURES"
echo "processes, VlsOs against xv6 (TSC cycles per operation, TCG):"
cat "$OUT/proc.md"
echo "bench_proc.sh: table in $OUT/proc.md"
