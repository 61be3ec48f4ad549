#!/usr/bin/env bash
# test_user_elf.sh: every program user/bin/NAME.c is built into
# $BUILD/user-NAME (stripped) and $BUILD/user/NAME.elf (with symbols and
# debug lines), sits as /BIN/NAME on both images byte for byte, and is a
# static ELF32 i386 executable VlsOs's loader can map safely: entry in an
# executable segment at or above VM_USER_TEXT, every PT_LOAD inside user
# space, none writable and executable, the entry's segment not writable, no
# two segments on one page, nothing dynamic.
. "$(dirname "$0")/lib.sh"

S=$(scratch user_elf)
load_layout "$S/gen" >"$S/gen.log" 2>&1 || nok "layout values via mkimage gen" "$(tr '\n' ' ' <"$S/gen.log")"
PLBA=$(genval "$S/gen" HDD_PART_LBA)
DISK="$BUILD/disk.img@@$((PLBA * 512))"
FLOPPY=$BUILD/floppy.img
# vm_layout.h's numbers, the only source of them
vm() { awk -v n="$1" '$1 == "#define" && $2 == n { print $3 }' include/vm_layout.h; }
USER_TEXT=$(vm VM_USER_TEXT) USER_START=$(vm VM_USER_START) USER_END=$(vm VM_USER_END)

# elf_ok FILE: the loader's rules, read with Python's struct (not the
# toolchain that made the file)
elf_ok() {
	py '
import struct, sys
path, text, start, end = sys.argv[1], int(sys.argv[2], 0), int(sys.argv[3], 0), int(sys.argv[4], 0)
b = open(path, "rb").read()
def fail(s): print("%s: %s" % (path, s)); sys.exit(1)
len(b) >= 52 or fail("shorter than an ELF header")
b[:4] == b"\x7fELF" or fail("no ELF magic")
b[4] == 1 or fail("not ELFCLASS32")
b[5] == 1 or fail("not little-endian")
etype, machine, version, entry, phoff, shoff, flags, ehsize, phentsize, phnum = struct.unpack_from("<HHIIIIIHHH", b, 16)
etype == 2 or fail("e_type %d, not ET_EXEC" % etype)
machine == 3 or fail("e_machine %d, not EM_386" % machine)
entry >= text or fail("entry 0x%x below VM_USER_TEXT 0x%x" % (entry, text))
PT_LOAD, PT_DYNAMIC, PT_INTERP, PF_X, PF_W = 1, 2, 3, 1, 2
loads, pages = [], {}
for i in range(phnum):
    ptype, off, vaddr, paddr, filesz, memsz, pflags, align = struct.unpack_from("<IIIIIIII", b, phoff + i * phentsize)
    ptype in (PT_DYNAMIC, PT_INTERP) and fail("segment %d is dynamic (type %d)" % (i, ptype))
    if ptype != PT_LOAD:
        continue
    off + filesz <= len(b) or fail("segment %d runs past the file" % i)
    filesz <= memsz or fail("segment %d: filesz > memsz" % i)
    start <= vaddr and vaddr + memsz <= end or fail("segment %d at 0x%x+0x%x is outside user space" % (i, vaddr, memsz))
    (pflags & PF_W and pflags & PF_X) and fail("segment %d is writable and executable" % i)
    for page in range(vaddr >> 12, (vaddr + memsz + 4095) >> 12):
        page in pages and fail("segments %d and %d share page 0x%x" % (pages[page], i, page << 12))
        pages[page] = i
    loads.append((vaddr, memsz, pflags))
loads or fail("no PT_LOAD")
hit = [f for v, m, f in loads if v <= entry < v + m]
hit or fail("entry 0x%x is in no segment" % entry)
hit[0] & PF_X or fail("the entry segment is not executable")
hit[0] & PF_W and fail("the entry (text) segment is writable")
' "$1" "$USER_TEXT" "$USER_START" "$USER_END"
}

# in_image SPEC NAME FILE: /BIN/NAME on the volume at SPEC is FILE's bytes
in_image() {
	rm -f "$S/out" && $TO mcopy -n -i "$1" "::/BIN/$2" "$S/out" 2>/dev/null || { echo "no /BIN/$2"; return 1; }
	cmp -s "$S/out" "$3" || { echo "/BIN/$2 differs from $3"; return 1; }
}

debug_ok() {
	llvm-readelf -S "$1" | grep -q '\.debug_line' || { echo "$1 has no .debug_line"; return 1; }
	llvm-nm "$1" | grep -q ' T main$' || { echo "$1 has no symbol main"; return 1; }
	if llvm-readelf -S "$2" | grep -q '\.symtab'; then echo "$2 is not stripped"; return 1; fi
}

progs=0
for src in user/bin/*.c; do
	name=$(basename "$src" .c) NAME=$(basename "$src" .c | tr a-z A-Z)
	bin=$BUILD/user-$name
	progs=$((progs + 1))
	t "$NAME: $bin is a safe static i386 executable" elf_ok "$bin"
	t "$NAME: user/$name.elf has symbols and lines, user-$name is stripped" debug_ok "$BUILD/user/$name.elf" "$bin"
	t "$NAME: /BIN/$NAME on disk.img" in_image "$DISK" "$NAME" "$bin"
	t "$NAME: /BIN/$NAME on floppy.img" in_image "$FLOPPY" "$NAME" "$bin"
done
[ "$progs" -gt 0 ] && ok "$progs programs in user/bin" || nok "programs in user/bin" "none found"

# The checks can fail: elf_ok on doctored copies, in_image on another file.
doctor() { # doctor OUT SRC PYTHON-STATEMENTS (b is the bytearray, ph(i) a header's offset)
	py '
import struct, sys
b = bytearray(open(sys.argv[2], "rb").read())
phoff, = struct.unpack_from("<I", b, 28)
def ph(i): return phoff + 32 * i
exec(sys.argv[3])
open(sys.argv[1], "wb").write(b)' "$1" "$2" "$3"
}
refuses() { # refuses WHAT FILE: elf_ok must fail on FILE
	if elf_ok "$2" >/dev/null; then echo "elf_ok passed $1"; return 1; fi
}
catches() {
	local good=$BUILD/user-crash
	doctor "$S/wx" "$good" 'struct.pack_into("<I", b, ph(0) + 24, 7)' &&
		refuses "a writable text segment" "$S/wx" || return 1
	doctor "$S/mach" "$good" 'struct.pack_into("<H", b, 18, 62)' && refuses "an x86-64 machine" "$S/mach" || return 1
	doctor "$S/low" "$good" 'struct.pack_into("<I", b, 24, 0x1000)' && refuses "an entry in the kernel" "$S/low" || return 1
	doctor "$S/share" "$good" 'struct.pack_into("<I", b, ph(1) + 8, struct.unpack_from("<I", b, ph(0) + 8)[0] + 16)' &&
		refuses "two segments on a page" "$S/share" || return 1
	doctor "$S/dyn" "$good" 'struct.pack_into("<I", b, ph(1), 3)' && refuses "a PT_INTERP" "$S/dyn" || return 1
	if in_image "$FLOPPY" CRASH "$BUILD/user-true" >/dev/null; then echo "in_image passed another file"; return 1; fi
	if in_image "$FLOPPY" NOSUCH "$good" >/dev/null; then echo "in_image passed a missing file"; return 1; fi
}
t "the checks catch a writable text, another machine, a kernel entry, shared pages, PT_INTERP, wrong or missing files" catches
finish
