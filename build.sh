#!/usr/bin/env bash
# build.sh: VlsOs's one entry point. `./build.sh help` lists the commands.
# Sources are found by folder, so a new file needs no edit here; generated
# files go to build/ only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# util-linux's system tools (mkswap, which makes the swap partition; swaplabel,
# blkid and blockdev in the tests) live in sbin, which a user's PATH may leave out
export PATH="$PATH:/usr/sbin:/sbin"
BUILD=${VLSOS_BUILD:-$ROOT/build}
LAYOUT=$ROOT/disk.img.layout
cd "$ROOT"

TARGET_CFLAGS=(--target=i386-elf -march=i586 -m32 -ffreestanding -fno-builtin -fno-pic
	-fno-pie -mno-sse -mno-mmx -mno-80387 -fstack-protector-strong -fno-omit-frame-pointer
	-nostdlib -Os -g -std=gnu11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections)
# User programs (user/, build.mk): ring 3, so no stack protector (the kernel's
# canary lives in the kernel); no FPU/MMX/SSE registers, which a context switch
# does not save.
USER_CFLAGS=(--target=i386-elf -march=i586 -m32 -ffreestanding -fno-builtin -fno-pic -fno-pie
	-mno-sse -mno-mmx -mno-80387 -fno-stack-protector -fno-omit-frame-pointer -nostdlib -O2 -g
	-std=gnu11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections)
HOST_CFLAGS=(-std=gnu11 -O2 -g -Wall -Wextra -Werror -DLIB_HOST)

say() { printf '%s\n' "$*" >&2; }
die() { say "build.sh: $*"; exit 1; }

usage() {
	cat <<'EOF'
usage: ./build.sh [COMMAND]
  (none)   build build/disk.img (and everything it needs)
  run      build, then boot build/disk.img in QEMU (-hda); serial on this terminal
  test     build, then run every test; ends with "N passed, N failed"
  debug    build, boot paused under QEMU's gdbstub and attach GDB at kmain
  debug loader   the same from stage 2's first instruction, GDB in real mode
  debug PROGRAM [ARGS]   boot with init=/BIN/PROGRAM ARGS, GDB with the kernel's and
           build/user/PROGRAM.elf's symbols stops at the program's main
  bench    build, then the boot-time benchmark (against a one-sector floor), the
           allocator benchmark (host: against glibc, jemalloc, mimalloc; in the kernel)
           the kernel's disk access through the BIOS (against stage 2's reads),
           page replacement on recorded traces (VlsOs's clock against LRU and OPT)
           and the process figures (system call, spawn, page, switch; against xv6)
  write IMAGE DEVICE   write an image to a stick or floppy, with checks (see README)
  deps     install missing tools with apt-get (the other commands do it too)
  clean    remove build/
  help     this text
Environment: VLSOS_KVM=0 never uses KVM; QEMU_EXTRA adds QEMU arguments to run/debug;
VLSOS_MEMDEBUG=1 builds the kernels with memdebug always on; VLSOS_BUILD sets build/;
V=1 prints every build command (build.mk; a rebuild does only what a change requires).
EOF
}

# ---------------------------------------------------------------------------
# Dependencies: tool -> Debian package. Missing ones are installed with apt-get
# (through sudo when not root); otherwise we stop and name the packages.
# ---------------------------------------------------------------------------
DEPS=(
	make:make nasm:nasm clang:clang ld.lld:lld llvm-objcopy:llvm llvm-objdump:llvm llvm-nm:llvm
	gcc:gcc qemu-system-i386:qemu-system-x86 mformat:mtools mcopy:mtools gdb:gdb
	fsck.fat:dosfstools sfdisk:fdisk python3:python3 timeout:coreutils bochs:bochs
	mkfs.ext2:e2fsprogs losetup:mount blockdev:util-linux mkswap:util-linux swaplabel:util-linux
	blkid:util-linux file:file valgrind:valgrind
	/usr/share/bochs/BIOS-bochs-latest:bochsbios /usr/share/bochs/VGABIOS-lgpl-latest:vgabios
	clang-format:clang-format dpkg:libclang-rt-14-dev dpkg:libjemalloc-dev dpkg:libmimalloc-dev
)

ensure_deps() {
	local missing=() pkgs=() entry tool pkg
	for entry in "${DEPS[@]}"; do
		tool=${entry%%:*} pkg=${entry#*:}
		if [[ $tool == dpkg ]]; then # a library: ask dpkg (libFuzzer, the bench's peers)
			dpkg -s "$pkg" >/dev/null 2>&1 && continue
		elif [[ $tool == /* ]]; then [ -e "$tool" ] && continue; else
			command -v "$tool" >/dev/null 2>&1 && continue
		fi
		missing+=("${tool/#dpkg/$pkg}")
		[[ " ${pkgs[*]-} " == *" $pkg "* ]] || pkgs+=("$pkg")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	say "build.sh: missing ${missing[*]}; installing Debian packages: ${pkgs[*]}"
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "not root and no sudo: install ${pkgs[*]} (apt-get install ${pkgs[*]})"
		sudo=(sudo)
	fi
	command -v apt-get >/dev/null || die "no apt-get here: install ${pkgs[*]} by hand"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${pkgs[@]}" >/dev/null ||
		die "apt-get could not install: ${pkgs[*]}"
}

# ---------------------------------------------------------------------------
# Building: build.mk holds the graph (what is made from what, with the headers
# each object included), so a rebuild does only what a change requires. Here
# are the flags and the variants it is given.
# ---------------------------------------------------------------------------
# The kernels, one source tree, each variant with its own object directory
# (build/obj/VARIANT/) and ELF; its KERNEL.BIN-shaped image is sealed.
#   kernel        the production kernel in disk.img and floppy.img: no kernel/tests/
#   kernel-test   the in-kernel KTAP suites (BOOT.CFG `test`) and the crash words of
#                 the hardening tests, with UBSan (kernel/ubsan.c reports, goes on)
#   kernel-bench  the in-kernel allocator benchmark (`bench`, bench/kernel/): the test
#                 sources without UBSan, so its cycle counts carry no sanitizer checks
KERNEL_VARIANTS=(kernel kernel-test kernel-bench)
KTEST_CFLAGS=(-DVLSOS_KTEST)
# UBSan's checks call kernel/ubsan.c, which reports and goes on. function and
# vptr are C++ checks. undefined includes array-bounds, the half of -fsanitize=bounds
# that reports (local-bounds would trap with ud2 instead).
UBSAN_CFLAGS=(-DVLSOS_UBSAN -fsanitize=undefined -fno-sanitize=function,vptr)

# VLSOS_MEMDEBUG=1 builds every variant with the heap debugger on from the
# start, as BOOT.CFG's `memdebug` does at run time (kernel/mm/mm.h, memdebug.c).
MEMDEBUG_CFLAGS=()
[ "${VLSOS_MEMDEBUG:-0}" = 1 ] && MEMDEBUG_CFLAGS=(-DVLSOS_MEMDEBUG)

variant_cflags() {
	case $1 in
	kernel) echo "${MEMDEBUG_CFLAGS[*]}" ;;
	kernel-test) echo "${KTEST_CFLAGS[*]} ${UBSAN_CFLAGS[*]} ${MEMDEBUG_CFLAGS[*]}" ;;
	kernel-bench) echo "${KTEST_CFLAGS[*]} ${MEMDEBUG_CFLAGS[*]}" ;;
	*) die "no kernel variant '$1'" ;;
	esac
}

build_all() {
	ensure_deps
	local vars=("BUILD=$BUILD" "TARGET_CFLAGS=${TARGET_CFLAGS[*]}" "HOST_CFLAGS=${HOST_CFLAGS[*]}"
		"USER_CFLAGS=${USER_CFLAGS[*]}"
		"KERNEL_VARIANTS=${KERNEL_VARIANTS[*]}" "V=${V:-0}") variant
	for variant in "${KERNEL_VARIANTS[@]}"; do
		vars+=("CFLAGS_$variant=$(variant_cflags "$variant")")
	done
	mkdir -p "$BUILD"
	make -f build.mk --no-print-directory -j"$(nproc 2>/dev/null || echo 1)" "${vars[@]}" ||
		die "the build failed (V=1 ./build.sh shows every command)"
	say "build.sh: built $BUILD/disk.img$([ -f "$BUILD/floppy.img" ] && echo " and $BUILD/floppy.img")"
}

# KVM when /dev/kvm works, can run a 32-bit paging guest (tools/kvm_probe.asm)
# and VLSOS_KVM is not 0; never required.
qemu_accel() {
	if bash tools/kvm_usable.sh "$BUILD"; then
		echo "-accel kvm -accel tcg"
	else
		echo "-accel tcg"
	fi
}

cmd_run() {
	build_all
	local display=(-display none)
	[ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && display=()
	say "build.sh: booting; serial below. Quit with Ctrl-A X."
	# shellcheck disable=SC2046,SC2086
	exec qemu-system-i386 $(qemu_accel) -m 64 -hda "$BUILD/disk.img" "${display[@]}" \
		-serial mon:stdio -no-reboot ${QEMU_EXTRA:-}
}

case "${1:-build}" in
build) build_all ;;
deps) ensure_deps ;;
run) cmd_run ;;
test) build_all; exec bash test/run.sh "$BUILD" ;;
debug) build_all; shift; exec bash tools/debug.sh "$BUILD" "$@" ;;
bench)
	build_all
	bash bench/bench.sh "$BUILD"
	bash bench/mm_bench.sh "$BUILD"
	bash bench/bench_kernel_alloc.sh "$BUILD"
	bash bench/bench_kernel_disk.sh "$BUILD"
	bash bench/bench_swap.sh "$BUILD"
	bash bench/pagesim.sh "$BUILD"
	exec bash bench/bench_proc.sh "$BUILD"
	;;
write) shift; exec bash tools/write_image.sh "$@" ;;
clean) rm -rf "$BUILD" ;;
help | -h | --help) usage ;;
*) usage >&2; exit 2 ;;
esac
