#!/usr/bin/env bash
# test_elfbad.sh: tools/elfbad on the small program test/lib/elf.sh links: each of its
# eight variants must be the good file with one change (a few bytes differ, or for
# TRUNC.ELF a shorter copy of it) and be refused by kernel/proc/elf.c (test/host/
# elf_check.c) with the message naming that fault, while the good file is accepted;
# elfbad itself refuses a file that is not ELF and a wrong command line. Needs
# build/host/elfbad (./build.sh makes it). Scratch files go to $BUILD/tmp. TAP output.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
. test/lib/tap.sh

BUILD=${BUILD:-$ROOT/build}
T=$BUILD/tmp/elfbad
ELFBAD=$BUILD/host/elfbad
. test/lib/elf.sh
rm -rf "$T"
mkdir -p "$T/out"

[ -x "$ELFBAD" ] || elf_give_up "elfbad is built" "$ELFBAD is missing: run ./build.sh"
elf_check_build || elf_give_up "elf_check builds" "$(head -5 "$T/elf_check.log" | tr '\n' ' ')"
elf_program good 2>"$T/good.log" || elf_give_up "the good program links" "$(head -3 "$T/good.log")"
out=$(timeout 30 "$T/elf_check" "$T/good")
[[ $out == *": accepted: "* ]] && tap_ok "the good program is accepted" ||
	elf_give_up "the good program is accepted" "$out"
timeout 30 "$ELFBAD" "$T/good" "$T/out" 2>"$T/elfbad.log" ||
	elf_give_up "elfbad runs" "$(head -3 "$T/elfbad.log")"

# variant NAME CHANGED_BYTES_MAX MESSAGE: NAME differs from the good file in at most
# CHANGED_BYTES_MAX bytes (0: is a shorter prefix of it) and is refused with MESSAGE
# (a glob: * stands for any text)
variant() {
	local file=$T/out/$1 changed
	if [ ! -f "$file" ]; then
		tap_fail "$1" "elfbad did not write it"
		return
	fi
	if [ "$2" -eq 0 ]; then
		[ "$(stat -c %s "$file")" -lt "$(stat -c %s "$T/good")" ] &&
			cmp -s "$file" <(head -c "$(stat -c %s "$file")" "$T/good")
		changed=$?
	else
		changed=$(cmp -l "$file" "$T/good" 2>&1 | wc -l)
		[ "$(stat -c %s "$file")" = "$(stat -c %s "$T/good")" ] && [ "$changed" -ge 1 ] &&
			[ "$changed" -le "$2" ]
		changed=$?
	fi
	out=$(timeout 30 "$T/elf_check" "$file")
	if [ "$changed" -ne 0 ]; then
		tap_fail "$1: $3" "not the good file with one change ($(cmp "$file" "$T/good" 2>&1))"
	elif [[ $out == *": refused ("*"): "*$3* ]]; then
		tap_ok "$1: $3"
	else
		tap_fail "$1: $3" "elf_check said: $out"
	fi
}

entry=$(readelf -hW "$T/good" | awk '/Entry point/ { print $NF }')
variant NOTELF.ELF 1 "not an ELF file (magic 7f 45 4c 46 missing)"
variant TRUNC.ELF 0 "truncated: segment * ends at *, file is $(stat -c %s "$T/out/TRUNC.ELF" 2>/dev/null) bytes"
variant MACHINE.ELF 1 "not an i386 program (machine 62)"
variant KERNEL.ELF 3 "segment * at 0x00100000-* overlaps the kernel"
variant OVERLAP.ELF 2 "segments * and * overlap at page $ELF_USER_TEXT"
variant BIG.ELF 4 "too big: * of segments, the limit is 64 MiB"
variant DYNAMIC.ELF 1 "dynamically linked (PT_INTERP)"
variant ENTRY.ELF 4 "entry point $ELF_USER_TEXT is in no executable segment"
[ "$entry" != "$ELF_USER_TEXT" ] || tap_fail "the good program's entry" "is $entry: ENTRY.ELF proves nothing"

timeout 30 "$ELFBAD" "$T/program.c" "$T/out" 2>"$T/notelf.log"
status=$?
[ "$status" -eq 1 ] && grep -q "not a little-endian ELF32 file" "$T/notelf.log"
tap_report $? "elfbad refuses a file that is not ELF" "status $status: $(cat "$T/notelf.log")"
timeout 30 "$ELFBAD" "$T/good" >/dev/null 2>&1
tap_report $(($? != 2)) "elfbad wants two arguments"

tap_done
