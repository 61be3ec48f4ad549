#!/usr/bin/env bash
# bench.sh BUILD: boot-time benchmark (`./build.sh bench`). Boots a one-sector
# floor (bench/bench_floor.asm: prints "FLOOR", exits) and VlsOs headless,
# alternately, BENCH_RUNS times each (default 15) after one uncounted warm-up
# boot of each, and times QEMU start -> marker in the serial log ("FLOOR", a line
# starting "VlsOs ready"); a boot gets BENCH_LIMIT seconds (default 60). Reports
# median/min/max, the ratio of the medians and the loader's INT 13h count for
# KERNEL.BIN: a table on stdout and BUILD/bench/boot.md. A benchmark, not a test:
# no time makes it fail; it exits 1 only when it cannot measure (no image, a boot
# that never reaches its marker).
# bench/ holds every benchmark; `./build.sh bench` runs bench.sh (boot time),
# mm_bench.sh (allocators on the host) and bench_kernel_alloc.sh (in the kernel).
set -uo pipefail

BUILD=${1:?usage: bench.sh BUILD}
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 1

RUNS=${BENCH_RUNS:-15}
LIMIT=${BENCH_LIMIT:-60}               # seconds a boot may take before it counts as timed out
POLL_MS=2                              # serial-log polling interval, the same for every image
FLOPPY_BYTES=1474560                   # a 1.44 MB floppy
EDD_MAX_SECTORS=127                    # Phoenix EDD: at most 127 sectors per INT 13h call
TARGET=1.3                             # spec: VlsOs at most 1.3x the floor on -hda under TCG
FLOOR_MARK='^FLOOR'
VLSOS_MARK='^VlsOs ready'

OUT=$BUILD/bench
LOGS=$OUT/logs
TIMES=$OUT/times.tsv

die() { printf 'bench.sh: %s\n' "$*" >&2; exit 1; }

[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS must be a positive whole number, not '$RUNS'"
[[ $LIMIT =~ ^[1-9][0-9]*$ ]] || die "BENCH_LIMIT must be a positive whole number of seconds, not '$LIMIT'"
[ -f "$BUILD/disk.img" ] || die "no $BUILD/disk.img: run ./build.sh bench"
for tool in nasm qemu-system-i386 python3; do
	command -v "$tool" >/dev/null || die "$tool is not installed (./build.sh installs it)"
done

rm -rf "$OUT"
mkdir -p "$LOGS"
nasm -w+all -f bin bench/bench_floor.asm -o "$OUT/floor.bin" || die "cannot assemble bench/bench_floor.asm"

# shellcheck disable=SC2054 # the commas are inside -device's argument
QEMU=(qemu-system-i386 -display none -monitor none -nodefaults -no-reboot -m 64
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)

# TIMER LOG REGEX LIMIT CMD...: runs CMD, polls LOG every POLL_MS ms and prints
# "ok MS" (start of CMD to REGEX in LOG), "timeout" or "exited STATUS" (QEMU
# ended without the marker). QEMU is then stopped. The clock starts just before
# the fork, so Python's own start-up is not in the figure.
TIMER='
import os, re, subprocess, sys, time
log, limit, cmd = sys.argv[1], float(sys.argv[3]), sys.argv[4:]
mark = re.compile(sys.argv[2].encode(), re.M)
poll = float(os.environ["POLL_MS"]) / 1000
open(log, "wb").close()
with open(log + ".qemu", "wb") as err:
    t0 = time.monotonic_ns()
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=err, stderr=subprocess.STDOUT)
    deadline, seen, result = t0 + int(limit * 1e9), -1, "timeout"
    while True:
        done = qemu.poll() is not None
        try:
            size = os.stat(log).st_size
        except FileNotFoundError:
            size = 0
        if size != seen:
            seen = size
            with open(log, "rb") as f:
                if mark.search(f.read()):
                    result = "ok %.1f" % ((time.monotonic_ns() - t0) / 1e6)
                    break
        if done:
            result = "exited %d" % qemu.returncode
            break
        if time.monotonic_ns() >= deadline:
            break
        time.sleep(poll)
    if qemu.poll() is None:
        qemu.terminate()
        try:
            qemu.wait(5)
        except subprocess.TimeoutExpired:
            qemu.kill()
            qemu.wait()
print(result)
'
export POLL_MS

# boot_once CONFIG IMAGE RUN MARK QEMU-ARGS...: one timed boot, one line in TIMES.
# Sets RESULT to the timer's answer.
boot_once() {
	local config=$1 image=$2 run=$3 mark=$4 log
	shift 4
	log=$LOGS/$config-$image-$run.log
	RESULT=$(python3 -c "$TIMER" "$log" "$mark" "$LIMIT" "${QEMU[@]}" "$@") ||
		die "the timer failed for $config $image run $run"
	printf '%s\t%s\t%s\t%s\n' "$config" "$image" "$run" "$RESULT" >>"$TIMES"
}

# bench_pair CONFIG ACCEL IF FLOOR-IMG VLSOS-IMG: a warm-up boot of each (it must
# reach its marker, or we stop), then RUNS alternating timed boots.
bench_pair() {
	local config=$1 accel=$2 iface=$3 floor=$4 vlsos=$5 i
	# -serial is given per boot below; these arrays hold the rest.
	local floor_args=(-accel "$accel" -drive "file=$floor,format=raw,if=$iface")
	local vlsos_args=(-accel "$accel" -drive "file=$vlsos,format=raw,if=$iface")
	printf 'bench.sh: %s: %s boots of each image...\n' "$config" "$RUNS" >&2
	boot_once "$config" floor warmup "$FLOOR_MARK" -serial "file:$LOGS/$config-floor-warmup.log" "${floor_args[@]}"
	[[ $RESULT == ok* ]] ||
		die "$config: the floor ($floor) never printed FLOOR ($RESULT); see $LOGS/$config-floor-warmup.log*"
	boot_once "$config" vlsos warmup "$VLSOS_MARK" -serial "file:$LOGS/$config-vlsos-warmup.log" "${vlsos_args[@]}"
	[[ $RESULT == ok* ]] ||
		die "$config: VlsOs ($vlsos) never reached 'VlsOs ready' ($RESULT); see $LOGS/$config-vlsos-warmup.log*"
	for ((i = 1; i <= RUNS; i++)); do
		boot_once "$config" floor "$i" "$FLOOR_MARK" -serial "file:$LOGS/$config-floor-$i.log" "${floor_args[@]}"
		boot_once "$config" vlsos "$i" "$VLSOS_MARK" -serial "file:$LOGS/$config-vlsos-$i.log" "${vlsos_args[@]}"
	done
}

# kvm_reason: why tools/kvm_usable.sh said no, in one line.
kvm_reason() {
	if [ "${VLSOS_KVM:-1}" = 0 ]; then
		echo "VLSOS_KVM=0 turns it off"
	elif [ ! -e /dev/kvm ]; then
		echo "there is no /dev/kvm"
	elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo "/dev/kvm cannot be opened for reading and writing by $(id -un)"
	elif [ -d /sys/module/kvm_pvm ]; then
		echo "/dev/kvm is kvm-pvm, which raises #GP on CR0.PG for 32-bit guests: tools/kvm_probe.asm" \
			"(32-bit paging, as VlsOs's kernel turns on) triple-faults under it"
	else
		echo "build/kvm_probe.bin (32-bit protected mode with paging) does not pass under this KVM"
	fi
}

: >"$TIMES"
configs=(hda-tcg)
bench_pair hda-tcg tcg ide "$OUT/floor.bin" "$BUILD/disk.img"

if [ -f "$BUILD/floppy.img" ]; then
	cp "$OUT/floor.bin" "$OUT/floor_fda.img"
	truncate -s "$FLOPPY_BYTES" "$OUT/floor_fda.img"
	bench_pair fda-tcg tcg floppy "$OUT/floor_fda.img" "$BUILD/floppy.img"
	configs+=(fda-tcg)
	fda_note="-fda: measured (build/floppy.img against the floor padded to a 1.44 MB floppy)"
else
	fda_note="-fda: not measured: this build made no floppy.img"
fi

if bash tools/kvm_usable.sh "$BUILD"; then
	bench_pair hda-kvm kvm ide "$OUT/floor.bin" "$BUILD/disk.img"
	configs+=(hda-kvm)
	kvm_note="KVM: usable; -hda measured under -accel kvm too"
else
	kvm_note="KVM: not usable here: $(kvm_reason); -hda under KVM not measured"
fi

# The summary: stdout table and boot.md, from TIMES and one VlsOs log a config.
# shellcheck disable=SC2016 # Python source, not shell
SUMMARY='
import math, os, re, statistics, sys
times, out_md, runs, limit, target, maxsec, poll = sys.argv[1:8]
notes = sys.argv[8:10]
configs = sys.argv[10:]
rows = {}
for line in open(times):
    config, image, run, result = line.rstrip("\n").split("\t")
    if run == "warmup":
        continue
    r = rows.setdefault((config, image), {"ms": [], "lost": []})
    if result.startswith("ok "):
        r["ms"].append(float(result[3:]))
    else:
        r["lost"].append("run %s: %s" % (run, result))
labels = {"hda-tcg": "-hda, TCG", "fda-tcg": "-fda, TCG", "hda-kvm": "-hda, KVM"}
logdir = os.path.join(os.path.dirname(times), "logs")
loader_re = re.compile(r"^Loader: KERNEL\.BIN read with (\d+) INT 13h calls \((\d+) sectors, (\d+) retries\), (\w+)", re.M)
stage2_re = re.compile(r"^kernel: KERNEL\.BIN (\d+) bytes in (\d+) INT 13h reads", re.M)
table, loads, failed = [], [], []
for c in configs:
    med = {}
    for image, name in (("floor", "floor (1 sector)"), ("vlsos", "VlsOs")):
        r = rows.get((c, image), {"ms": [], "lost": []})
        ms = r["ms"]
        if not ms:
            failed.append("%s %s: no boot reached its marker (%s)" % (c, name, "; ".join(r["lost"])))
            continue
        med[image] = statistics.median(ms)
        table.append((labels[c], name, len(ms), med[image], min(ms), max(ms), r["lost"], ""))
    if len(med) == 2:
        ratio = med["vlsos"] / med["floor"]
        verdict = ""
        if c == "hda-tcg":
            verdict = "target <= %sx: %s" % (target, "met" if ratio <= float(target) else "NOT met")
        table.append((labels[c], "ratio VlsOs/floor", None, ratio, None, None, None, verdict))
    for run in range(1, int(runs) + 1):
        path = os.path.join(logdir, "%s-vlsos-%d.log" % (c, run))
        text = open(path, errors="replace").read() if os.path.exists(path) else ""
        m, s = loader_re.search(text), stage2_re.search(text)
        if m:
            calls, sectors, retries, method = int(m[1]), int(m[2]), int(m[3]), m[4]
            loads.append((labels[c], calls, sectors, retries, method,
                          math.ceil(sectors / int(maxsec)),
                          "%s bytes in %s reads" % (s[1], s[2]) if s else "line missing"))
            break
    else:
        loads.append((labels[c], None, None, None, None, None, "no Loader: line in any VlsOs log"))

def fmt_ms(v):
    return "-" if v is None else "%.1f" % v

out = []
out.append("VlsOs boot time: QEMU start to marker in the serial log, %s runs each, alternating" % runs)
out.append("(floor: \"FLOOR\"; VlsOs: \"VlsOs ready\"; log polled every %s ms; %s s limit a boot)" % (poll, limit))
out.append("")
out.append("%-10s %-18s %4s %9s %9s %9s %7s" % ("boot", "image", "runs", "median", "min", "max", "missed"))
for label, name, n, med, lo, hi, lost, verdict in table:
    if n is None:
        out.append("%-10s %-18s %4s %8.2fx %s" % (label, name, "", med, verdict))
    else:
        out.append("%-10s %-18s %4d %6s ms %6s ms %6s ms %7d" % (label, name, n, fmt_ms(med), fmt_ms(lo), fmt_ms(hi), len(lost)))
for label, name, n, med, lo, hi, lost, verdict in table:
    for what in lost or []:
        out.append("missed: %s %s %s (not in the figures)" % (label, name, what))
if any(row[6] for row in table):
    out.append("(missed: no marker within the time limit, or QEMU ended without it)")
out.append("")
out.append("KERNEL.BIN loads (kernel line \"Loader: ... INT 13h calls\"; stage-2 line \"kernel: ...\"):")
for label, calls, sectors, retries, method, least, s2 in loads:
    if calls is None:
        out.append("  %-10s %s" % (label, s2))
    else:
        out.append("  %-10s %d INT 13h calls for %d sectors (%s, %d retries); least possible data reads ceil(%d/%s) = %d; stage 2: %s"
                   % (label, calls, sectors, method, retries, sectors, maxsec, least, s2))
out.append("  (the loader counts every INT 13h read while loading, FAT sectors included; the least figure is data only)")
out.extend(notes)
print("\n".join(out))

md = []
md.append("| Boot | Image | Runs | Median (ms) | Min (ms) | Max (ms) | Missed |")
md.append("|---|---|---:|---:|---:|---:|---:|")
for label, name, n, med, lo, hi, lost, verdict in table:
    if n is None:
        md.append("| %s | **%s** | | **%.2fx** | | | %s |" % (label, name, med, verdict))
    else:
        md.append("| %s | %s | %d | %s | %s | %s | %d |" % (label, name, n, fmt_ms(med), fmt_ms(lo), fmt_ms(hi), len(lost)))
md.append("")
md.append("| Boot | INT 13h calls for KERNEL.BIN | Sectors | Least possible data reads (ceil(sectors/%s)) | Method | Retries |" % maxsec)
md.append("|---|---:|---:|---:|---|---:|")
for label, calls, sectors, retries, method, least, s2 in loads:
    if calls is not None:
        md.append("| %s | %d | %d | %d | %s | %d |" % (label, calls, sectors, least, method, retries))
md.append("")
md.append("Wall time from QEMU start to the marker in the serial log (floor: a boot sector that prints "
          "`FLOOR`; VlsOs: `VlsOs ready`), %s alternating runs each after one warm-up boot, "
          "`qemu-system-i386 -m 64 -nodefaults`, log polled every %s ms. The INT 13h count includes the "
          "FAT sectors the loader reads while following the cluster chain. Missed: runs with no marker "
          "within the time limit (or QEMU ended without it); they are not in the figures." % (runs, poll))
md.append("")
for n in notes:
    md.append("- " + n)
open(out_md, "w").write("\n".join(md) + "\n")
if failed:
    print("bench.sh: " + "\nbench.sh: ".join(failed), file=sys.stderr)
    sys.exit(1)
'

python3 -c "$SUMMARY" "$TIMES" "$OUT/boot.md" "$RUNS" "$LIMIT" "$TARGET" "$EDD_MAX_SECTORS" \
	"$POLL_MS" "$fda_note" "$kvm_note" "${configs[@]}" || die "some boots never reached their marker"
printf '\nbench.sh: per-run times in %s, logs in %s, Markdown table in %s\n' "$TIMES" "$LOGS" "$OUT/boot.md"
