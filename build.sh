#!/usr/bin/env bash
# build.sh: VlsOs's one entry point. `./build.sh help` lists the commands.
# Sources are found by folder, so a new file needs no edit here; generated
# files go to build/ only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${VLSOS_BUILD:-$ROOT/build}
LAYOUT=$ROOT/disk.img.layout
cd "$ROOT"

TARGET_CFLAGS=(--target=i386-elf -march=i586 -m32 -ffreestanding -fno-builtin -fno-pic
	-fno-pie -mno-sse -mno-mmx -mno-80387 -fstack-protector-strong -fno-omit-frame-pointer
	-nostdlib -Os -g -std=gnu11 -Wall -Wextra -Werror -ffunction-sections -fdata-sections)
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
  bench    build, then the boot-time benchmark (against a one-sector floor) and the
           allocator benchmark (host: against glibc, jemalloc, mimalloc; in the kernel)
  write IMAGE DEVICE   write an image to a stick or floppy, with checks (see README)
  deps     install missing tools with apt-get (the other commands do it too)
  clean    remove build/
  help     this text
Environment: VLSOS_KVM=0 never uses KVM; QEMU_EXTRA adds QEMU arguments to run/debug;
VLSOS_MEMDEBUG=1 builds the kernels with memdebug always on; VLSOS_BUILD sets build/.
EOF
}

# ---------------------------------------------------------------------------
# Dependencies: tool -> Debian package. Missing ones are installed with apt-get
# (through sudo when not root); otherwise we stop and name the packages.
# ---------------------------------------------------------------------------
DEPS=(
	nasm:nasm clang:clang ld.lld:lld llvm-objcopy:llvm llvm-objdump:llvm llvm-nm:llvm
	gcc:gcc qemu-system-i386:qemu-system-x86 mformat:mtools mcopy:mtools gdb:gdb
	fsck.fat:dosfstools sfdisk:fdisk python3:python3 timeout:coreutils bochs:bochs
	mkfs.ext2:e2fsprogs losetup:mount blockdev:util-linux
	/usr/share/bochs/BIOS-bochs-latest:bochsbios /usr/share/bochs/VGABIOS-lgpl-latest:vgabios
	dpkg:libclang-rt-14-dev dpkg:libjemalloc-dev dpkg:libmimalloc-dev
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
# Build steps
# ---------------------------------------------------------------------------
build_host_tools() {
	mkdir -p "$BUILD/host"
	local dir name
	for dir in tools/*/; do
		name=$(basename "$dir")
		compgen -G "$dir*.c" >/dev/null || continue
		gcc "${HOST_CFLAGS[@]}" -Iinclude -Ilib "$dir"*.c lib/*.c -o "$BUILD/host/$name"
	done
}

generate() {
	mkdir -p "$BUILD/gen"
	"$BUILD/host/mkimage" gen "$LAYOUT" "$BUILD/gen"
	"$BUILD/host/geninc" >"$BUILD/gen/boot_info.inc.tmp"
	mv "$BUILD/gen/boot_info.inc.tmp" "$BUILD/gen/boot_info.inc"
}

# stage2_sectors BIN: the sectors a stage 2 binary occupies, which is what stage 1
# reads (every sector read costs boot time: SeaBIOS reads one sector a request).
stage2_sectors() {
	local bytes
	bytes=$(stat -c %s "$1") || die "no $1"
	echo $(((bytes + $(sector_size) - 1) / $(sector_size)))
}
sector_size() { awk '$1 == "%define" && $2 == "SECTOR_SIZE" { print $3 }' "$BUILD/gen/layout.inc"; }

build_loader() {
	local src name
	# Stage 2 first: stage 1 is assembled with the sector count it occupies
	# (stage1_common.inc checks it against the area disk.img.layout reserves and
	# EDD's 127-sector limit; stage 1 checks stage 2's header carries the same).
	nasm -w+all -f bin -I"$BUILD/gen/" -Iboot/ boot/stage2.asm -o "$BUILD/stage2.bin"
	local load_sectors
	load_sectors=$(stage2_sectors "$BUILD/stage2.bin")
	for src in boot/*.asm; do
		name=$(basename "$src" .asm)
		[ "$name" = stage2 ] && continue
		nasm -w+all -f bin -DSTAGE2_LOAD_SECTORS="$load_sectors" -I"$BUILD/gen/" -Iboot/ "$src" \
			-o "$BUILD/$name.bin"
	done
	# Stage 2 again as ELF with symbols, for `./build.sh debug loader`.
	nasm -w+all -f elf32 -g -F dwarf -DELF_SYMBOLS -I"$BUILD/gen/" -Iboot/ boot/stage2.asm \
		-o "$BUILD/obj/stage2.o"
	ld.lld -m elf_i386 -T boot/stage2.ld -L "$BUILD/gen" "$BUILD/obj/stage2.o" -o "$BUILD/stage2.elf"
	llvm-objcopy -O binary "$BUILD/stage2.elf" "$BUILD/obj/stage2.elf.bin"
	cmp -s "$BUILD/obj/stage2.elf.bin" "$BUILD/stage2.bin" ||
		die "stage2.elf and stage2.bin differ: GDB's symbols would not match the code"
}

# The kernels, one source tree: sources are found by folder; each variant has
# its own object directory and ELF, and its KERNEL.BIN-shaped image is sealed.
#   kernel        the production kernel in disk.img and floppy.img: no kernel/tests/
#   kernel-test   the in-kernel KTAP suites (BOOT.CFG `test`) and the crash words of
#                 the hardening tests, with UBSan (kernel/ubsan.c reports, goes on)
#   kernel-bench  the in-kernel allocator benchmark (`bench`): the test sources
#                 without UBSan, so its cycle counts carry no sanitizer checks
KERNEL_VARIANTS=(kernel kernel-test kernel-bench)
KTEST_CFLAGS=(-DVLSOS_KTEST)
# UBSan's checks call kernel/ubsan.c, which reports and goes on. function and
# vptr are C++ checks. undefined includes array-bounds, the half of -fsanitize=bounds
# that reports (local-bounds would trap with ud2 instead).
UBSAN_CFLAGS=(-DVLSOS_UBSAN -fsanitize=undefined -fno-sanitize=function,vptr)

# VLSOS_MEMDEBUG=1 builds every variant with the heap debugger on from the
# start, as BOOT.CFG's `memdebug` does at run time (kernel/mm/memdebug.h).
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

# variant_sources VARIANT: the C files a variant compiles, one a line.
variant_sources() {
	if [ "$1" = kernel ]; then
		find kernel lib -name '*.c' -not -path 'kernel/tests/*' | sort
	else
		find kernel lib -name '*.c' | sort
	fi
}

# compile VARIANT SRC OBJ: one C file in the background, at most JOBS at once; a
# failure leaves OBJ.failed (the compiler's messages are already on stderr).
JOBS=$(($(nproc 2>/dev/null || echo 1) * 2))
compile() {
	local extra
	read -ra extra <<<"$(variant_cflags "$1")"
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n || true; done
	rm -f "$3.failed"
	{ clang "${TARGET_CFLAGS[@]}" "${extra[@]}" -Iinclude -Ilib -I"$BUILD/gen" -c "$2" -o "$3" ||
		touch "$3.failed"; } &
}

# ksyms_object OBJDIR NM-LISTING: OBJDIR/ksyms.o, section .ksyms holding the
# symbol table tools/ksyms.py makes from the listing (empty listing: empty table).
ksyms_object() {
	python3 tools/ksyms.py "$2" "$1/ksyms.bin" || die "tools/ksyms.py failed on $2"
	printf 'section .ksyms progbits alloc noexec nowrite align=4\nglobal ksym_table\nksym_table: incbin "%s"\n' \
		"$1/ksyms.bin" >"$1/ksyms.asm"
	nasm -w+all -f elf32 "$1/ksyms.asm" -o "$1/ksyms.o"
}

# function_symbols ELF: "address name" of every .text symbol, in address order.
function_symbols() {
	llvm-nm -n --defined-only "$1" | awk '$2 == "t" || $2 == "T" { print $1, $3 }'
}

# link_with_ksyms VARIANT OBJ...: $BUILD/VARIANT.elf with its own symbol table.
# The first link has an empty table and gives the addresses; the table sits
# after .text (kernel/linker.ld), so the second link must put every function
# at the same address, which is checked here rather than trusted.
link_with_ksyms() {
	local variant=$1 objdir=$BUILD/obj/$1
	shift
	# --gc-sections: what nothing reaches from kernel_entry (KEEP in linker.ld) is
	# left out, a smaller KERNEL.BIN to load; -ffunction-sections lets it see
	# each function.
	local link=(ld.lld -m elf_i386 -nostdlib --gc-sections -T kernel/linker.ld -L "$BUILD/gen")
	ksyms_object "$objdir" /dev/null
	"${link[@]}" "$@" "$objdir/ksyms.o" -o "$objdir/pass1.elf"
	llvm-nm -n --defined-only "$objdir/pass1.elf" >"$objdir/pass1.nm"
	ksyms_object "$objdir" "$objdir/pass1.nm"
	"${link[@]}" "$@" "$objdir/ksyms.o" -o "$BUILD/$variant.elf"
	cmp -s <(function_symbols "$objdir/pass1.elf") <(function_symbols "$BUILD/$variant.elf") ||
		die "$variant: functions moved between the first link and the one with the symbol table" \
			"(diff <(llvm-nm -n $objdir/pass1.elf) <(llvm-nm -n $BUILD/$variant.elf))"
}

# build_kernel VARIANT: $BUILD/VARIANT.elf and the sealed flat $BUILD/VARIANT.bin.
build_kernel() {
	local variant=$1 objdir=$BUILD/obj/$1 objs=() src obj
	mkdir -p "$objdir"
	while IFS= read -r src; do
		obj=$objdir/${src//\//_}.o
		objs+=("$obj")
		compile "$variant" "$src" "$obj"
	done < <(variant_sources "$variant")
	wait
	! compgen -G "$objdir/*.failed" >/dev/null || die "$variant: C compilation failed"
	while IFS= read -r src; do
		obj=$objdir/${src//\//_}.o
		nasm -w+all -f elf32 -g -F dwarf -I"$BUILD/gen/" "$src" -o "$obj"
		objs+=("$obj")
	done < <(find kernel -name '*.asm' | sort)
	link_with_ksyms "$variant" "${objs[@]}"
	llvm-objcopy -O binary "$BUILD/$variant.elf" "$BUILD/$variant.bin"
	"$BUILD/host/mkimage" seal "$LAYOUT" "$BUILD/$variant.bin"
}

build_all() {
	ensure_deps
	mkdir -p "$BUILD/obj"
	build_host_tools
	generate
	"$BUILD/host/mkimage" svg "$LAYOUT" "$BUILD/memory-map.svg" # docs/memory-map.svg's source (issue 12: one line)
	build_loader
	nasm -f bin tools/kvm_probe.asm -o "$BUILD/kvm_probe.bin"
	local variant
	for variant in "${KERNEL_VARIANTS[@]}"; do build_kernel "$variant"; done
	cp boot/boot.cfg "$BUILD/boot.cfg"
	local disks=(hdd)
	[ -f "$BUILD/stage1_fat.bin" ] && disks+=(fdd)
	"$BUILD/host/mkimage" build "$LAYOUT" "$BUILD" "${disks[@]}"
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
debug) build_all; exec bash tools/debug.sh "$BUILD" "${2:-kernel}" ;;
bench)
	build_all
	bash tools/bench.sh "$BUILD"
	[ -f tools/mm_bench.sh ] && bash tools/mm_bench.sh "$BUILD"
	exec bash tools/bench_kernel_alloc.sh "$BUILD"
	;;
write) shift; exec bash tools/write_image.sh "$@" ;;
clean) rm -rf "$BUILD" ;;
help | -h | --help) usage ;;
*) usage >&2; exit 2 ;;
esac
