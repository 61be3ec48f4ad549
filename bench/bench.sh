#!/usr/bin/env bash
# bench.sh BUILD: boot-time benchmark (`./build.sh bench`). Boots a one-sector
# floor (bench/bench_floor.asm: prints "VLSOS_MARKER", exits) and VlsOs headless,
# alternately, BENCH_RUNS times each (default 15) after one uncounted warm-up
# boot of each, and times QEMU start -> marker in the serial log: the floor's
# marker, and for VlsOs both "VlsOs ready" and the prompt (PROMPT_MARK below:
# the shell's "$ ", the default init's first output), on -hda and -fda; a
# boot gets BENCH_LIMIT seconds (default 60). Then the same number of boots with
# `stamps` in BOOT.CFG give the per-stage breakdown (the TSC stamps of stage 2
# and the kernel, kernel/boot_stamps.c, and the kernel's disk reads to then),
# and xv6's boot to its prompt is timed against the same floor
# (../shared/anchors/xv6/run.sh; XV6_PEER names another folder, BENCH_XV6=0
# skips it). Reports median/min/max, the ratios of the
# medians, the stages' median cycles and ms, and the loader's INT 13h count for
# KERNEL.BIN: a table on stdout and BUILD/bench/boot.md. A benchmark, not a
# test: no time makes it fail; it exits 1 only when it cannot measure (no image,
# a boot that never reaches its marker).
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
TARGET=1.3                             # issue 15: the prompt at most 1.3x the floor on -hda under TCG
FLOOR_MARK='^VLSOS_MARKER'
READY_MARK='^VlsOs ready'
# The prompt: the shell's `$ `, the default init's first output.
PROMPT_MARK=${BENCH_PROMPT_MARK:-'^\$ '}
PROMPT_NAME=${BENCH_PROMPT_NAME:-'the shell prompt'}
STAMPS_MARK='first output of a user program\r?\n' # the last line `stamps` prints
XV6_SECONDS=600                        # run.sh's whole run: 2 x (RUNS + 1) boots of 30 s at most

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

# TIMER LOG LIMIT N REGEX1..REGEXN CMD...: runs CMD, polls LOG every POLL_MS ms
# and prints "ok MS1 .. MSN" (start of CMD to each REGEX in LOG), "timeout" or
# "exited STATUS" (QEMU ended before the last). QEMU is then stopped. The clock
# starts just before the fork, so Python's own start-up is not in the figure.
TIMER='
import os, re, subprocess, sys, time
log, limit, n = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
marks = [re.compile(m.encode(), re.M) for m in sys.argv[4:4 + n]]
cmd = sys.argv[4 + n:]
seen_at = [None] * n
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
            now = time.monotonic_ns()
            with open(log, "rb") as f:
                text = f.read()
            for i, mark in enumerate(marks):
                if seen_at[i] is None and mark.search(text):
                    seen_at[i] = (now - t0) / 1e6
            if None not in seen_at:
                result = "ok " + " ".join("%.1f" % t for t in seen_at)
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

# boot_once CONFIG IMAGE RUN QEMU-ARGS...: one timed boot to each of MARKS (an
# array the caller sets), one line in TIMES. Sets RESULT to the timer's answer.
boot_once() {
	local config=$1 image=$2 run=$3 log
	shift 3
	log=$LOGS/$config-$image-$run.log
	RESULT=$(python3 -c "$TIMER" "$log" "$LIMIT" "${#MARKS[@]}" "${MARKS[@]}" "${QEMU[@]}" \
		-serial "file:$log" "$@") || die "the timer failed for $config $image run $run"
	printf '%s\t%s\t%s\t%s\n' "$config" "$image" "$run" "$RESULT" >>"$TIMES"
}

# bench_pair CONFIG ACCEL IF FLOOR-IMG VLSOS-IMG: a warm-up boot of each (it must
# reach its markers, or we stop), then RUNS alternating timed boots.
bench_pair() {
	local config=$1 accel=$2 iface=$3 floor=$4 vlsos=$5 i run
	local floor_args=(-accel "$accel" -drive "file=$floor,format=raw,if=$iface")
	local vlsos_args=(-accel "$accel" -drive "file=$vlsos,format=raw,if=$iface")
	printf 'bench.sh: %s: %s boots of each image...\n' "$config" "$RUNS" >&2
	for ((i = 0; i <= RUNS; i++)); do
		run=$i
		[ "$i" -eq 0 ] && run=warmup
		MARKS=("$FLOOR_MARK")
		boot_once "$config" floor "$run" "${floor_args[@]}"
		[[ $RESULT == ok* || $i -gt 0 ]] ||
			die "$config: the floor ($floor) never printed its marker ($RESULT); see $LOGS/$config-floor-warmup.log*"
		MARKS=("$READY_MARK" "$PROMPT_MARK")
		boot_once "$config" vlsos "$run" "${vlsos_args[@]}"
		[[ $RESULT == ok* || $i -gt 0 ]] ||
			die "$config: VlsOs ($vlsos) never reached 'VlsOs ready' and $PROMPT_NAME ($RESULT); see $LOGS/$config-vlsos-warmup.log*"
	done
}

# bench_stamps CONFIG IF IMAGE: RUNS boots with `stamps` in BOOT.CFG, to the last
# stamp line (their times are not in the figures: the stamps' printing costs).
bench_stamps() {
	local config=$1 iface=$2 image=$3 i
	printf 'bench.sh: %s: %s boots with stamps...\n' "$config" "$RUNS" >&2
	MARKS=("$STAMPS_MARK")
	for ((i = 1; i <= RUNS; i++)); do
		boot_once "$config" stamps "$i" -accel tcg -drive "file=$image,format=raw,if=$iface"
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

# The breakdown: the same images with `stamps` as their BOOT.CFG.
printf 'stamps\n' >"$OUT/stamps.cfg"
offset=$(($(awk '$2 == "HDD_PART_LBA" { print $3 }' "$BUILD/gen/layout.inc") * 512))
cp "$BUILD/disk.img" "$OUT/stamps.img"
mcopy -o -i "$OUT/stamps.img@@$offset" "$OUT/stamps.cfg" ::BOOT.CFG || die "cannot write BOOT.CFG on $OUT/stamps.img"
bench_stamps hda-tcg ide "$OUT/stamps.img"
if [ -f "$BUILD/floppy.img" ]; then
	cp "$BUILD/floppy.img" "$OUT/stamps_fd.img"
	mcopy -o -i "$OUT/stamps_fd.img" "$OUT/stamps.cfg" ::BOOT.CFG || die "cannot write BOOT.CFG on $OUT/stamps_fd.img"
	bench_stamps fda-tcg floppy "$OUT/stamps_fd.img"
fi

# xv6 to its prompt, against the same floor image (run.sh pairs its boots itself).
XV6=${XV6_PEER:-}
for dir in "$ROOT/../shared/anchors/xv6" "$ROOT/../../shared/anchors/xv6"; do
	[ -z "$XV6" ] && [ -f "$dir/run.sh" ] && XV6=$(cd "$dir" && pwd)
done
xv6_note="xv6: not measured: no ../shared/anchors/xv6/run.sh"
if [ "${BENCH_XV6:-1}" = 0 ]; then
	xv6_note="xv6: not measured: BENCH_XV6=0"
elif [ -n "$XV6" ]; then
	printf 'bench.sh: xv6: %s boot pairs through %s/run.sh...\n' "$RUNS" "$XV6" >&2
	rm -rf "$OUT/xv6"
	xv6_out=$OUT/xv6 floor_img=$OUT/floor.bin
	OUT=$xv6_out timeout -k 5 "$XV6_SECONDS" sh "$XV6/run.sh" "$RUNS" 0 nousertests "$floor_img" \
		>"$OUT/xv6-run.log" 2>&1
	if [ -f "$OUT/xv6/boot.csv" ]; then
		xv6_note="xv6: $XV6/run.sh $RUNS 0 nousertests build/bench/floor.bin (-smp 1 -m 512, serial on a pipe)"
	else
		xv6_note="xv6: run.sh gave no boot.csv; see $OUT/xv6-run.log"
	fi
fi

# The summary: stdout table and boot.md, from TIMES, the logs and xv6's boot.csv.
# shellcheck disable=SC2016 # Python source, not shell
SUMMARY='
import csv, math, os, re, statistics, sys
times, out_md, runs, limit, target, maxsec, poll, prompt_name, xv6_csv = sys.argv[1:10]
notes = sys.argv[10:13]
configs = sys.argv[13:]
labels = {"hda-tcg": "-hda, TCG", "fda-tcg": "-fda, TCG", "hda-kvm": "-hda, KVM"}
marks = {"floor": ["floor (1 sector)"], "vlsos": ["VlsOs ready", "VlsOs " + prompt_name]}
logdir = os.path.join(os.path.dirname(times), "logs")

# (config, image) -> one list of ms per mark, and the runs that missed
ms, lost = {}, {}
for line in open(times):
    config, image, run, result = line.rstrip("\n").split("\t")
    if run == "warmup" or image == "stamps":
        continue
    if result.startswith("ok "):
        for i, t in enumerate(result.split()[1:]):
            ms.setdefault((config, image, i), []).append(float(t))
    else:
        lost.setdefault((config, image), []).append("run %s: %s" % (run, result))

table, failed, medians = [], [], {}
for c in configs:
    for image in ("floor", "vlsos"):
        for i, name in enumerate(marks[image]):
            v = ms.get((c, image, i), [])
            if not v:
                failed.append("%s %s: no boot reached its marker (%s)" % (c, name, "; ".join(lost.get((c, image), []))))
                continue
            medians[(c, image, i)] = statistics.median(v)
            table.append((labels[c], name, len(v), statistics.median(v), min(v), max(v), len(lost.get((c, image), [])), ""))
    floor = medians.get((c, "floor", 0))
    for i, name in enumerate(marks["vlsos"]):
        m = medians.get((c, "vlsos", i))
        if floor and m:
            verdict = ""
            if c == "hda-tcg" and i == len(marks["vlsos"]) - 1:
                verdict = "target <= %sx: %s" % (target, "met" if m / floor <= float(target) else "NOT met")
            table.append((labels[c], "ratio %s / floor" % name.replace("VlsOs ", ""), None, m / floor, None, None, None, verdict))

xv6 = None
if os.path.exists(xv6_csv):
    rows = list(csv.DictReader(open(xv6_csv)))
    xs = [float(r["xv6_prompt_s"]) * 1000 for r in rows if r["xv6_prompt_s"] not in ("", "None")]
    fs = [float(r["floor_marker_s"]) * 1000 for r in rows if r["floor_marker_s"] not in ("", "None")]
    if xs and fs:
        xv6 = (statistics.median(xs), min(xs), max(xs), len(xs), statistics.median(fs), min(fs), max(fs), len(fs),
               len(rows) - len(xs))

# the stages: per config, each stamp name -> cycles since the previous stamp, per boot
stamp_re = re.compile(r"^stamp: (\d+) \+(\d+) cycles \([0-9.]+ ms\) (.*?)\r?$", re.M)
khz_re = re.compile(r"^stamps: \d+ from stage 2, \d+ from the kernel, TSC at (\d+) kHz", re.M)
stages = {}
for c in configs:
    per, order, khz, boots = {}, [], [], 0
    for run in range(1, int(runs) + 1):
        path = os.path.join(logdir, "%s-stamps-%d.log" % (c, run))
        if not os.path.exists(path):
            continue
        text = open(path, errors="replace").read()
        found = stamp_re.findall(text)
        k = khz_re.search(text)
        if not found or not k:
            continue
        boots += 1
        khz.append(int(k[1]))
        for tsc, delta, name in found:
            if name not in per:
                per[name] = []
                order.append(name)
            per[name].append(int(delta))
        per.setdefault("(total: stage 2 entered to the first output)", []).append(int(found[-1][0]) - int(found[0][0]))
    if boots:
        order.append("(total: stage 2 entered to the first output)")
        stages[c] = (order, per, statistics.median(khz), boots)

# the disk reads of the kernel to the first output, from the stamps boots (median of each figure)
disk_re = re.compile(r"^stamps: kernel disk reads: (\d+) BIOS calls, (\d+) sectors; (\d+) sectors kept, (\d+) hits", re.M)
disk_reads = {}
for c in configs:
    found = []
    for run in range(1, int(runs) + 1):
        path = os.path.join(logdir, "%s-stamps-%d.log" % (c, run))
        m = disk_re.search(open(path, errors="replace").read()) if os.path.exists(path) else None
        if m:
            found.append([int(v) for v in m.groups()])
    if found:
        disk_reads[c] = [statistics.median(col) for col in zip(*found)]

# "INT 13h calls ..., EDD", "ATA reads ..., 1F0h master" (boot/ata.inc), or
# "reads ..., EDD (ATA at 1F0h failed)"
loader_re = re.compile(r"^Loader: KERNEL\.BIN read with (\d+) (?:INT 13h calls|ATA reads|reads) \((\d+) sectors, (\d+) retries\), (.*)$", re.M)
stage2_re = re.compile(r"^kernel: KERNEL\.BIN (\d+) bytes in (\d+) (?:INT 13h|ATA) reads", re.M)
loads = []
for c in configs:
    for run in range(1, int(runs) + 1):
        path = os.path.join(logdir, "%s-vlsos-%d.log" % (c, run))
        text = open(path, errors="replace").read() if os.path.exists(path) else ""
        m, s = loader_re.search(text), stage2_re.search(text)
        if m:
            calls, sectors, retries, method = int(m[1]), int(m[2]), int(m[3]), m[4]
            loads.append((labels[c], calls, sectors, retries, method, math.ceil(sectors / int(maxsec)),
                          "%s bytes in %s reads" % (s[1], s[2]) if s else "line missing"))
            break
    else:
        loads.append((labels[c], None, None, None, None, None, "no Loader: line in any VlsOs log"))

def fmt_ms(v):
    return "-" if v is None else "%.1f" % v

out = []
out.append("VlsOs boot time: QEMU start to marker in the serial log, %s runs each, alternating" % runs)
out.append("(floor: \"VLSOS_MARKER\"; VlsOs: \"VlsOs ready\" and %s, in the same boots; log polled every %s ms; %s s limit a boot)"
           % (prompt_name, poll, limit))
out.append("")
out.append("%-10s %-28s %4s %9s %9s %9s %7s" % ("boot", "image", "runs", "median", "min", "max", "missed"))
for label, name, n, med, lo, hi, nlost, verdict in table:
    if n is None:
        out.append("%-10s %-28s %4s %8.2fx %s" % (label, name, "", med, verdict))
    else:
        out.append("%-10s %-28s %4d %6s ms %6s ms %6s ms %7d" % (label, name, n, fmt_ms(med), fmt_ms(lo), fmt_ms(hi), nlost))
for key, what in sorted(lost.items()):
    for w in what:
        out.append("missed: %s %s %s (not in the figures)" % (key[0], key[1], w))
if xv6:
    out.append("%-10s %-28s %4d %6s ms %6s ms %6s ms %7d" % ("-hda, TCG", "xv6 to its $ prompt", xv6[3], fmt_ms(xv6[0]), fmt_ms(xv6[1]), fmt_ms(xv6[2]), xv6[8]))
    out.append("%-10s %-28s %4d %6s ms %6s ms %6s ms" % ("-hda, TCG", "floor, in xv6'"'"'s pairs", xv6[7], fmt_ms(xv6[4]), fmt_ms(xv6[5]), fmt_ms(xv6[6])))
    out.append("%-10s %-28s %4s %8.2fx" % ("-hda, TCG", "ratio xv6 prompt / floor", "", xv6[0] / xv6[4]))
out.append("")
for c, (order, per, khz, boots) in stages.items():
    out.append("Where the time goes, %s (median of %d boots with `stamps`; cycles since the previous stamp; ms at the %d kHz the kernel measured):"
               % (labels[c], boots, khz))
    for name in order:
        med = statistics.median(per[name])
        out.append("  %-48s %13.0f cycles %8.2f ms" % (name, med, med / khz))
    out.append("")
for c, (calls, sectors, kept, hits) in disk_reads.items():
    out.append("Disk reads of the kernel to the first output, %s (stamps boots, medians): %d BIOS calls for %d sectors; "
               "%d sectors kept from the loader, %d cache hits" % (labels[c], calls, sectors, kept, hits))
if disk_reads:
    out.append("")
out.append("KERNEL.BIN loads (kernel line \"Loader: ...\"; stage-2 line \"kernel: ...\"):")
for label, calls, sectors, retries, method, least, s2 in loads:
    if calls is None:
        out.append("  %-10s %s" % (label, s2))
    else:
        out.append("  %-10s %d reads for %d sectors (%s, %d retries); least possible data reads ceil(%d/%s) = %d; stage 2: %s"
                   % (label, calls, sectors, method, retries, sectors, maxsec, least, s2))
out.append("  (the loader counts every read while loading, INT 13h calls or ATA commands, FAT sectors included; the least figure is data only)")
out.extend(notes)
print("\n".join(out))

md = []
md.append("| Boot | Image | Runs | Median (ms) | Min (ms) | Max (ms) | Missed |")
md.append("|---|---|---:|---:|---:|---:|---:|")
for label, name, n, med, lo, hi, nlost, verdict in table:
    if n is None:
        md.append("| %s | **%s** | | **%.2fx** | | | %s |" % (label, name, med, verdict))
    else:
        md.append("| %s | %s | %d | %s | %s | %s | %d |" % (label, name, n, fmt_ms(med), fmt_ms(lo), fmt_ms(hi), nlost))
if xv6:
    md.append("| -hda, TCG | xv6 to its `$ ` prompt | %d | %s | %s | %s | %d |" % (xv6[3], fmt_ms(xv6[0]), fmt_ms(xv6[1]), fmt_ms(xv6[2]), xv6[8]))
    md.append("| -hda, TCG | floor, in xv6'"'"'s pairs | %d | %s | %s | %s | |" % (xv6[7], fmt_ms(xv6[4]), fmt_ms(xv6[5]), fmt_ms(xv6[6])))
    md.append("| -hda, TCG | **ratio xv6 prompt / floor** | | **%.2fx** | | | |" % (xv6[0] / xv6[4]))
md.append("")
if stages:
    cs = list(stages)
    order = stages[cs[0]][0]
    md.append("| Stage (time since the previous stamp) | " + " | ".join("%s cycles | %s ms" % (labels[c], labels[c]) for c in cs) + " |")
    md.append("|---|" + "---:|---:|" * len(cs))
    for name in order:
        cells = []
        for c in cs:
            o, per, khz, boots = stages[c]
            if name in per:
                med = statistics.median(per[name])
                cells.append("{:,.0f} | {:.2f}".format(med, med / khz))
            else:
                cells.append("- | -")
        md.append("| %s | %s |" % (name, " | ".join(cells)))
    md.append("")
    md.append("Median of %s boots with `stamps` in BOOT.CFG; the first row is the TSC at stage 2'"'"'s entry, which QEMU starts "
              "at the machine'"'"'s start (SeaBIOS and stage 1). TSC rate as the kernel measured it: %s."
              % (runs, ", ".join("%s %d kHz" % (labels[c], stages[c][2]) for c in cs)))
    md.append("")
md.append("| Boot | Reads (INT 13h calls or ATA commands) for KERNEL.BIN | Sectors | Least possible data reads (ceil(sectors/%s)) | Method | Retries |" % maxsec)
md.append("|---|---:|---:|---:|---|---:|")
for label, calls, sectors, retries, method, least, s2 in loads:
    if calls is not None:
        md.append("| %s | %d | %d | %d | %s | %d |" % (label, calls, sectors, least, method, retries))
md.append("")
md.append("Wall time from QEMU start to the marker in the serial log (floor: a boot sector that prints "
          "`VLSOS_MARKER`; VlsOs: `VlsOs ready` and %s, in the same boots), %s alternating runs each after one warm-up boot, "
          "`qemu-system-i386 -m 64 -nodefaults`, log polled every %s ms. The read count includes the "
          "FAT sectors the loader reads while following the cluster chain. Missed: runs with no marker "
          "within the time limit (or QEMU ended without it); they are not in the figures." % (prompt_name, runs, poll))
md.append("")
for n in notes:
    md.append("- " + n)
open(out_md, "w").write("\n".join(md) + "\n")
if failed:
    print("bench.sh: " + "\nbench.sh: ".join(failed), file=sys.stderr)
    sys.exit(1)
'

python3 -c "$SUMMARY" "$TIMES" "$OUT/boot.md" "$RUNS" "$LIMIT" "$TARGET" "$EDD_MAX_SECTORS" \
	"$POLL_MS" "$PROMPT_NAME" "$OUT/xv6/boot.csv" "$fda_note" "$kvm_note" "$xv6_note" "${configs[@]}" ||
	die "some boots never reached their marker"
printf '\nbench.sh: per-run times in %s, logs in %s, Markdown table in %s\n' "$TIMES" "$LOGS" "$OUT/boot.md"
