#!/usr/bin/env bash
# test_elf_real.sh: kernel/proc/elf.c on programs clang and ld.lld link (test_elf.c
# covers every field by hand; this shows the parser agrees with the real tools). A
# static i386 program linked at VM_USER_TEXT, as lld lays it out by default and with
# -z separate-code, must be accepted with exactly readelf's entry point and LOAD
# segments; the same program linked the ways VlsOs cannot run must be refused by name:
# its headers left at lld's default base (kernel memory), an object file, a shared
# object, a dynamically linked program, an x86-64 program. Scratch files go to
# $BUILD/tmp. TAP output.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
. test/lib/tap.sh

BUILD=${BUILD:-$ROOT/build}
T=$BUILD/tmp/elf_real
. test/lib/elf.sh
rm -rf "$T"
mkdir -p "$T"

for tool in clang gcc ld.lld readelf; do
	command -v $tool >/dev/null || elf_give_up "tools" "$tool is not installed"
done
elf_check_build || elf_give_up "elf_check builds" "$(head -5 "$T/elf_check.log" | tr '\n' ' ')"
tap_ok "elf_check builds"

# readelf_view FILE: what elf_check prints for FILE when accepted, from readelf: the
# entry point, then each LOAD with memory, its flags without readelf's padding
readelf_view() {
	local type offset vaddr paddr filesz memsz rest flags
	printf '%s: entry 0x%08X\n' "$1" "$(readelf -hW "$1" | awk '/Entry point/ { print $NF }')"
	readelf -lW "$1" | while read -r type offset vaddr paddr filesz memsz rest; do
		[ "$type" = LOAD ] && [ $((memsz)) -gt 0 ] || continue
		flags=${rest% *}
		printf '%s: segment vaddr=0x%X memsz=0x%X offset=0x%X filesz=0x%X flags=%s\n' "$1" \
			$((vaddr)) $((memsz)) $((offset)) $((filesz)) "${flags// /}"
	done
}

# parser_view FILE: elf_check's lines, the end left out (readelf has no such thing)
parser_view() {
	timeout 30 "$T/elf_check" "$1" | sed 's/^\(.*: \)accepted: \(entry 0x[0-9A-F]*\) end .*/\1\2/'
}

# accepted NAME LINK_FLAG...: linked so, the program is accepted as readelf reads it
accepted() {
	local name=$1 view
	shift
	if ! elf_program "$name" "$@" 2>"$T/$name.log"; then
		tap_fail "$name is accepted" "does not link: $(head -3 "$T/$name.log" | tr '\n' ' ')"
		return
	fi
	view=$(parser_view "$T/$name")
	if [ "$view" = "$(readelf_view "$T/$name")" ] && [ "$(grep -c segment <<<"$view")" -ge 2 ]; then
		tap_ok "$name is accepted with readelf's entry and segments"
	else
		tap_fail "$name is accepted with readelf's entry and segments" \
			"$(diff <(readelf_view "$T/$name") <(echo "$view") | tr '\n' ' ')"
	fi
}

# refused NAME MESSAGE: $T/NAME (already made) is refused with a line holding MESSAGE
refused() {
	local out
	out=$(timeout 30 "$T/elf_check" "$T/$1")
	if [[ $out == *"refused (-15): "*"$2"* ]]; then
		tap_ok "$1 is refused: $2"
	else
		tap_fail "$1 is refused: $2" "elf_check said: $out"
	fi
}

accepted program
accepted separate-code -Wl,-z,separate-code

# lld's default base puts the ELF and program headers' segment at 0x00400000
elf_program low-base -Wl,--image-base=0x00400000 -Wl,-Ttext="$ELF_USER_TEXT" 2>"$T/low.log" ||
	elf_give_up "low-base links" "$(head -3 "$T/low.log")"
refused low-base "overlaps the kernel (user space is 0x40400000-0xBFFFFFFF)"

timeout 60 clang --target=i386-elf -ffreestanding -c "$T/program.c" -o "$T/object.o" &&
	refused object.o "not an executable (type 1: relocatable object)" ||
	tap_fail "object.o is refused" "does not compile"

echo 'int shared_value(void) { return 3; }' >"$T/shared.c"
printf '%s\n' 'int shared_value(void);' 'void _start(void) { shared_value(); for (;;) ; }' >"$T/dynamic.c"
if timeout 60 clang --target=i386-elf -fPIC -nostdlib -fuse-ld=lld -shared "$T/shared.c" \
	-o "$T/libshared.so" 2>"$T/shared.log"; then
	refused libshared.so "not an executable (type 3: shared object)"
	timeout 60 "${ELF_CC[@]}" -fPIC -Wl,--image-base="$ELF_USER_TEXT" \
		-Wl,--dynamic-linker=/lib/ld-linux.so.2 "$T/dynamic.c" "$T/libshared.so" -o "$T/dynamic" \
		2>"$T/dynamic.log" &&
		refused dynamic "dynamically linked (PT_INTERP): VlsOs runs static programs only" ||
		tap_fail "dynamic is refused" "does not link: $(head -3 "$T/dynamic.log" | tr '\n' ' ')"
else
	tap_fail "libshared.so is refused" "does not link: $(head -3 "$T/shared.log" | tr '\n' ' ')"
fi

timeout 60 clang --target=x86_64-elf -ffreestanding -nostdlib -fuse-ld=lld -static "$T/program.c" \
	-o "$T/x86-64" 2>/dev/null &&
	refused x86-64 "not 32-bit (class 2)" ||
	tap_fail "x86-64 is refused" "does not link"

tap_done
