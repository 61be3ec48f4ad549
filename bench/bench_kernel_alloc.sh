#!/usr/bin/env bash
# bench_kernel_alloc.sh BUILD: bench/mm_bench.c's workloads inside the kernel
# (bench/kernel/bench_alloc.c, in build/kernel-bench.bin), on an image whose
# BOOT.CFG says "bench", under QEMU (TCG; KVM too where tools/kvm_usable.sh says
# it can run VlsOs). Prints TSC cycles per allocation or free and writes
# BUILD/bench/alloc-kernel.md.
# bench/ holds every benchmark; `./build.sh bench` runs bench.sh (boot time),
# mm_bench.sh (allocators on the host) and bench_kernel_alloc.sh (in the kernel).
set -uo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:?usage: bench_kernel_alloc.sh BUILD}" && pwd)
cd "$ROOT" || exit 1
OUT=$BUILD/bench
mkdir -p "$OUT"
offset=$(($(awk '$2 == "HDD_PART_LBA" { print $3 }' "$BUILD/gen/layout.inc") * 512))
printf 'bench\n' >"$OUT/bench.cfg"
cp "$BUILD/disk.img" "$OUT/kbench.img"
# The benchmark lives in the kernel-bench build (build.sh): kernel/tests/ without
# UBSan, so the cycles carry no sanitizer checks; the production kernel has none.
[ -f "$BUILD/kernel-bench.bin" ] || { echo "bench_kernel_alloc.sh: no $BUILD/kernel-bench.bin: run ./build.sh" >&2; exit 1; }
mcopy -o -i "$OUT/kbench.img@@$offset" "$BUILD/kernel-bench.bin" ::KERNEL.BIN
mcopy -o -i "$OUT/kbench.img@@$offset" "$OUT/bench.cfg" ::BOOT.CFG

accels=(tcg)
bash tools/kvm_usable.sh "$BUILD" && accels+=(kvm)
{
	echo "| Workload | ops | TSC cycles/op, $(IFS=/; echo "${accels[*]}") |"
	echo "|---|---:|---:|"
} >"$OUT/alloc-kernel.md"
for accel in "${accels[@]}"; do
	log=$OUT/kbench-$accel.log
	timeout 600 qemu-system-i386 -accel "$accel" -m 512 -nodefaults -display none -monitor none \
		-no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 -serial "file:$log" \
		-drive "file=$OUT/kbench.img,format=raw,if=ide"
	status=$?
	[ "$status" -eq 33 ] || { echo "bench_kernel_alloc.sh: the $accel run ended with QEMU status $status; see $log" >&2; exit 1; }
	echo "in-kernel allocator, $accel:"
	grep '^bench:' "$log" | sed 's/^/  /'
done
awk '/^bench: [a-z0-9]+ +[0-9]+ ops/ { printf "| %s | %s | %s |\n", $2, $3, $5 }' "$OUT/kbench-tcg.log" >>"$OUT/alloc-kernel.md"
grep -q "consistent afterwards: yes" "$OUT/kbench-tcg.log" ||
	{ echo "bench_kernel_alloc.sh: the allocator was not consistent after the run" >&2; exit 1; }
echo "bench_kernel_alloc.sh: table in $OUT/alloc-kernel.md"
