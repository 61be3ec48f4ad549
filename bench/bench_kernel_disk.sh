#!/usr/bin/env bash
# bench_kernel_disk.sh BUILD: what reaching a disk through the BIOS costs the
# kernel (bench/kernel/bench_disk.c in build/kernel-bench.bin, BOOT.CFG
# "bench=disk"): one BIOS round trip (INT 13h AH=01h, in TSC cycles) and the
# kernel's read of KERNEL.BIN's sectors through bios_call against stage 2's read
# of the same sectors at boot (the loader's own TSC stamps), on -hda (EDD) and
# the floppy (CHS), under TCG (and KVM where tools/kvm_usable.sh says it runs
# VlsOs). A benchmark, not a test: it fails only when it cannot measure.
# Writes BUILD/bench/disk-kernel.md.
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:?usage: bench_kernel_disk.sh BUILD}" && pwd)
cd "$ROOT" || exit 1
OUT=$BUILD/bench
mkdir -p "$OUT"
offset=$(($(awk '$2 == "HDD_PART_LBA" { print $3 }' "$BUILD/gen/layout.inc") * 512))
[ -f "$BUILD/kernel-bench.bin" ] || { echo "bench_kernel_disk.sh: no $BUILD/kernel-bench.bin: run ./build.sh" >&2; exit 1; }
printf 'bench=disk\n' >"$OUT/disk.cfg"
cp "$BUILD/disk.img" "$OUT/kdisk.img"
mcopy -o -i "$OUT/kdisk.img@@$offset" "$BUILD/kernel-bench.bin" ::KERNEL.BIN
mcopy -o -i "$OUT/kdisk.img@@$offset" "$OUT/disk.cfg" ::BOOT.CFG
cp "$BUILD/floppy.img" "$OUT/kdisk-fd.img"
mcopy -o -i "$OUT/kdisk-fd.img" "$BUILD/kernel-bench.bin" ::KERNEL.BIN
mcopy -o -i "$OUT/kdisk-fd.img" "$OUT/disk.cfg" ::BOOT.CFG

accels=(tcg)
bash tools/kvm_usable.sh "$BUILD" && accels+=(kvm)
{
	echo "| Medium, accelerator | BIOS round trip (cycles, median) | kernel, first read (cycles/sector, KiB/s) | kernel, reread median | stage 2 at boot (cycles/sector, KiB/s) | kernel first / stage 2 |"
	echo "|---|---:|---:|---:|---:|---:|"
} >"$OUT/disk-kernel.md"
for accel in "${accels[@]}"; do
	for medium in hda fda; do
		log=$OUT/kdisk-$medium-$accel.log
		image=$OUT/kdisk.img
		[ "$medium" = fda ] && image=$OUT/kdisk-fd.img
		timeout 300 qemu-system-i386 -accel "$accel" -m 64 -nodefaults -display none -monitor none \
			-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial "file:$log" \
			"-$medium" "$image" 2>/dev/null
		status=$?
		[ "$status" -eq 33 ] && grep -q '^bench: disk done' "$log" ||
			{ echo "bench_kernel_disk.sh: the $medium/$accel run ended with QEMU status $status; see $log" >&2; exit 1; }
		echo "kernel disk access, -$medium, $accel:"
		grep '^bench:' "$log" | sed 's/^/  /'
		awk -v what="-$medium, $accel" '
			/^bench: bios round trip/ { trip = $5 }
			/^bench: kernel read/ { sub(/^\(/, "", $14); kernel = $14; kernel_kib = $(NF - 1) }
			/^bench: kernel reread/ { sub(/^\(/, "", $9); reread = $9; reread_kib = $(NF - 1) }
			/^bench: stage 2 read/ { sub(/^\(/, "", $12); loader = $12; loader_kib = $(NF - 1) }
			END {
				ratio = loader ? sprintf("%.2fx", kernel / loader) : "n/a"
				printf "| %s | %s | %s (%s) | %s (%s) | %s (%s) | %s |\n", what, trip, kernel, kernel_kib,
					reread, reread_kib, loader ? loader : "not timed", loader_kib, ratio
			}' "$log" >>"$OUT/disk-kernel.md"
	done
done
cat "$OUT/disk-kernel.md"
echo "bench_kernel_disk.sh: table in $OUT/disk-kernel.md"
