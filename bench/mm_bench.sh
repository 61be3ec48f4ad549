#!/usr/bin/env bash
# mm_bench.sh [BUILD]: the allocator benchmark. Builds bench/mm_bench.c once per
# allocator (the kernel's kmalloc over a buddy zone on a host arena, glibc,
# jemalloc, mimalloc, a bump floor) with -O2 -DNDEBUG and the assembler's
# JCC-erratum padding (below), runs every workload in a
# fresh process MM_BENCH_PROCS times (default 3, alternating allocators; the
# best time counts, memory from the first), and prints a table: ns per
# operation (one malloc or one free), ratios against each peer, and memory
# overhead (peak footprint / peak live bytes). Also BUILD/bench/mm.md.
# A benchmark, not a test: it exits 1 only when it cannot measure.
# bench/ holds every benchmark; `./build.sh bench` runs bench.sh (boot time),
# mm_bench.sh (allocators on the host) and bench_kernel_alloc.sh (in the kernel).
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${1:-$ROOT/build}
PROCS=${MM_BENCH_PROCS:-3}
OUT=$BUILD/bench
BIN=$BUILD/mm_bench
WORKLOADS=(small mixed fixed64 lifo fifo pageplus subpage)
ALLOCATORS=(kernel glibc jemalloc mimalloc bump memdebug) # memdebug: the kernel's, memdebug on
cd "$ROOT" || exit 1

die() { printf 'mm_bench.sh: %s\n' "$*" >&2; exit 1; }

[[ $PROCS =~ ^[1-9][0-9]*$ ]] || die "MM_BENCH_PROCS must be a positive whole number"
[ -f /usr/include/jemalloc/jemalloc.h ] || die "no jemalloc headers: apt-get install libjemalloc-dev"
[ -f /usr/include/mimalloc.h ] || die "no mimalloc headers: apt-get install libmimalloc-dev"
mkdir -p "$BIN" "$OUT" || die "cannot create $BIN"

for a in "${ALLOCATORS[@]}"; do
	extra=()
	case $a in
	kernel | memdebug) extra=(kernel/mm/*.c lib/*.c) ;; # the folder as it builds; glue in mm_bench.c
	jemalloc) extra=(-ljemalloc) ;;
	mimalloc) extra=(-lmimalloc) ;;
	esac
	# -mbranches-within-32B-boundaries: without this padding the kernel's
	# figures moved by up to 40% with where the linker happened to place
	# kmalloc.c (fixed64: 6.5 or 9.2 ns from the same source, after an edit
	# to another file), as Intel's JCC-erratum microcode (Skylake to Cascade
	# Lake) makes a jump that crosses or ends on a 32-byte boundary slow.
	# With it the figures follow the code. Every variant gets it.
	gcc -std=gnu11 -O2 -DNDEBUG -Wall -Wextra -Werror -DLIB_HOST -Iinclude -Ilib \
		-Wa,-mbranches-within-32B-boundaries \
		-DBENCH_ALLOC="ALLOC_${a^^}" bench/mm_bench.c "${extra[@]}" -o "$BIN/mm_bench_$a" ||
		die "cannot build the $a variant"
done

: >"$OUT/mm.tsv"
for ((p = 1; p <= PROCS; p++)); do
	for w in "${WORKLOADS[@]}"; do
		printf 'mm_bench.sh: round %d of %d: %s\n' "$p" "$PROCS" "$w" >&2
		for a in "${ALLOCATORS[@]}"; do
			line=$("$BIN/mm_bench_$a" "$w") || die "$a on $w failed"
			printf '%s\t%s\n' "$line" "$p" >>"$OUT/mm.tsv"
		done
	done
done

# shellcheck disable=SC2016 # Python source, not shell
python3 - "$OUT/mm.tsv" "$OUT/mm.md" <<'EOF'
import sys
rows = {}
how = {}
for line in open(sys.argv[1]):
    alloc, work, ns, ops, live, foot, what, proc = line.rstrip("\n").split("\t")
    r = rows.setdefault((work, alloc), {"ns": [], "live": None, "foot": None})
    r["ns"].append(float(ns))
    if r["live"] is None:
        r["live"], r["foot"] = int(live), int(foot)
    how[alloc] = what
works = ["small", "mixed", "fixed64", "lifo", "fifo", "pageplus", "subpage"]
allocs = ["kernel", "glibc", "jemalloc", "mimalloc", "bump"]
peers = ["glibc", "jemalloc", "mimalloc"]
desc = {
    "small": "random churn, 8-256 B, 10,000 live, 2,000,000 replacements",
    "mixed": "random churn, 8 B-64 KiB log-uniform, 2,000 live, 300,000 replacements",
    "fixed64": "64 B: 100,000 allocated, freed in random order, 10 rounds",
    "lifo": "8-256 B: 100,000 allocated, freed newest first, 10 rounds",
    "fifo": "8-256 B: 100,000 allocated, freed oldest first, 10 rounds",
    "pageplus": "random churn, 4,097-8,192 B (a page plus a header), 5,000 live, 300,000 replacements",
    "subpage": "random churn, 2,049-4,096 B, 5,000 live, 300,000 replacements",
}
ns = {k: min(v["ns"]) for k, v in rows.items()}
over = {k: v["foot"] / v["live"] for k, v in rows.items() if v["live"]}

out = ["Allocator benchmark: ns per operation (a malloc or a free; best of %d processes x 3 runs)"
       % len(rows[("small", "kernel")]["ns"]), ""]
out.append("%-9s" % "workload" + "".join("%10s" % a for a in allocs) +
           "".join("%12s" % ("k/" + p[:5]) for p in peers))
for w in works:
    out.append("%-9s" % w + "".join("%10.2f" % ns[(w, a)] for a in allocs) +
               "".join("%11.2fx" % (ns[(w, "kernel")] / ns[(w, p)]) for p in peers))
out += ["", "Memory overhead: peak footprint / peak live bytes (1.00 = no overhead)", ""]
out.append("%-9s" % "workload" + "".join("%10s" % a for a in allocs[:4]) + "%12s" % "peak live" +
           "%12s" % "k/glibc")
for w in works:
    out.append("%-9s" % w + "".join("%10.3f" % over[(w, a)] for a in allocs[:4]) +
               "%10.1f MB" % (rows[(w, "kernel")]["live"] / 1e6) +
               "%11.3fx" % (over[(w, "kernel")] / over[(w, "glibc")]))
out += ["", "Targets:"]
def verdict(ok):
    return "met" if ok else "NOT met"
slow = [w for w in works if ns[(w, "kernel")] > ns[(w, "glibc")]]
out.append("  no workload slower than glibc: %s%s" % (verdict(not slow), " (" + ", ".join(slow) + ")" if slow else ""))
fat = [w for w in works if over[(w, "kernel")] > over[(w, "glibc")]]
out.append("  overhead no higher than glibc's: %s%s" % (verdict(not fat), " (" + ", ".join(fat) + ")" if fat else ""))
out += ["", "memdebug (red zones, poisoning, tracking) on against off, the kernel's allocator:", ""]
out.append("%-8s%10s%10s%10s%14s%14s" % ("workload", "off ns", "on ns", "on/off", "off overhead", "on overhead"))
for w in works:
    out.append("%-8s%10.2f%10.2f%9.2fx%14.3f%14.3f" % (w, ns[(w, "kernel")], ns[(w, "memdebug")],
               ns[(w, "memdebug")] / ns[(w, "kernel")], over[(w, "kernel")], over[(w, "memdebug")]))
out += ["", "Workloads:"] + ["  %-9s %s" % (w, desc[w]) for w in works]
out += ["", "Footprint, per allocator:"] + ["  %-9s %s" % (a, how[a]) for a in allocs + ["memdebug"]]
out += ["  (the kernel's frame descriptors, struct page: 24 bytes a frame on i386, 40 on this",
        "   x86-64 host, and its live map, 32 bytes a frame, are not counted: they exist for",
        "   every frame, used or not)"]
print("\n".join(out))

md = ["| Workload | " + " | ".join(allocs) + " | " + " | ".join("kernel/" + p for p in peers) + " |",
      "|---|" + "---:|" * (len(allocs) + len(peers))]
for w in works:
    md.append("| %s | " % w + " | ".join("%.2f" % ns[(w, a)] for a in allocs) + " | " +
              " | ".join("%.2fx" % (ns[(w, "kernel")] / ns[(w, p)]) for p in peers) + " |")
md += ["", "| Workload | " + " | ".join("overhead " + a for a in allocs[:4]) + " | peak live |",
       "|---|" + "---:|" * 5]
for w in works:
    md.append("| %s | " % w + " | ".join("%.3f" % over[(w, a)] for a in allocs[:4]) +
              " | %.1f MB |" % (rows[(w, "kernel")]["live"] / 1e6))
md += ["", "ns per operation (a malloc or a free), best of every run; overhead = peak footprint / "
       "peak live bytes. Footprint: " + "; ".join("%s: %s" % (a, how[a]) for a in allocs[:4]) + "."]
md += ["", "| Workload | memdebug off (ns) | memdebug on (ns) | on/off | overhead off | overhead on |",
       "|---|---:|---:|---:|---:|---:|"]
for w in works:
    md.append("| %s | %.2f | %.2f | %.2fx | %.3f | %.3f |" % (w, ns[(w, "kernel")], ns[(w, "memdebug")],
              ns[(w, "memdebug")] / ns[(w, "kernel")], over[(w, "kernel")], over[(w, "memdebug")]))
open(sys.argv[2], "w").write("\n".join(md) + "\n")
EOF
status=$?
[ "$status" -eq 0 ] || die "the summary failed"
printf '\nmm_bench.sh: raw lines in %s, Markdown table in %s\n' "$OUT/mm.tsv" "$OUT/mm.md"
