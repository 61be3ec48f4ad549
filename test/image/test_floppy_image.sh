#!/usr/bin/env bash
# test_floppy_image.sh: $BUILD/floppy.img is a standard 1.44 MB FAT12 floppy
# whose boot sector is stage 1 (BPB kept), stage 2 in the reserved sectors,
# serial = the layout's signature, the layout's directories and files.
. "$(dirname "$0")/lib.sh"

S=$(scratch floppy_image)
IMG=$BUILD/floppy.img

if [ ! -f "$IMG" ]; then
	nok "floppy.img exists" "$IMG missing (the floppy loader is not built yet)"
	finish
fi
ok "floppy.img exists"
have() { [ -f "$1" ] || { echo "$1 missing"; return 1; }; }
t "mkimage exists" have "$MKIMAGE"
if load_layout "$S/gen" >"$S/gen.log" 2>&1; then ok "layout values via mkimage gen"
else nok "layout values via mkimage gen" "$(tr '\n' ' ' <"$S/gen.log")"; fi
v() { genval "$S/gen" "$1"; }
SECTORS=$(v FDD_SECTORS) SIG=$(v FDD_SIGNATURE) RES=$(v FDD_RESERVED)
S2LBA=$(v FDD_STAGE2_LBA) S2SEC=$(v FDD_STAGE2_SECTORS)
cp "$IMG" "$S/floppy.img"

size_ok() {
	local n
	n=$(stat -c %s "$IMG")
	[ "$n" = 1474560 ] || { echo "$n bytes"; return 1; }
	[ "$n" = $((SECTORS * 512)) ] || { echo "layout says $SECTORS sectors"; return 1; }
}
t "size is 1,474,560 bytes" size_ok

bpb_py() {
	py '
import struct, sys
p = open(sys.argv[1], "rb").read(512)
sig, res = int(sys.argv[2], 0), int(sys.argv[3])
def fail(s): print(s); sys.exit(1)
p[510:512] == b"\x55\xaa" or fail("no 55 AA")
bps, spc, r, nf, root, t16, media, fsz, spt, heads, hidden, t32 = struct.unpack_from("<HBHBHHBHHHII", p, 11)
got = dict(bps=bps, spc=spc, reserved=r, fats=nf, root=root, total=t16, media=media,
           fat=fsz, spt=spt, heads=heads, hidden=hidden)
want = dict(bps=512, spc=1, reserved=res, fats=2, root=224, total=2880, media=0xF0,
            fat=9, spt=18, heads=2, hidden=0)
bad = ["%s=%d (want %d)" % (k, got[k], want[k]) for k in want if got[k] != want[k]]
not bad or fail(", ".join(bad))
p[0x26] == 0x29 or fail("extended boot signature 0x%02X" % p[0x26])
serial = struct.unpack_from("<I", p, 0x27)[0]
serial == sig or fail("serial 0x%08X, layout signature 0x%08X" % (serial, sig))
p[0x36:0x3E] == b"FAT12   " or fail("type string %r" % p[0x36:0x3E])
clusters = (2880 - r - nf * fsz - (root * 32 + 511) // 512) // spc
clusters < 4085 or fail("%d clusters is not FAT12" % clusters)
' "$IMG" "$SIG" "$RES"
}
t "BPB: 512 B/sector, 1 sector/cluster, $RES reserved, 2 FATs of 9, 224 root entries, 2880 sectors, F0, 18 spt, 2 heads; FAT12; serial = signature" bpb_py

stage1_ok() {
	have "$BUILD/stage1_fat.bin" || return 1
	cmp -s -n 3 "$BUILD/stage1_fat.bin" "$IMG" || { echo "jump differs from stage1_fat.bin"; return 1; }
	cmp -s "$BUILD/stage1_fat.bin" "$IMG" -i 62:62 -n 450 || { echo "code 0x3E..0x1FF differs from stage1_fat.bin"; return 1; }
}
t "boot sector: jump and 0x3E..0x1FF are stage1_fat.bin" stage1_ok

stage2_ok() {
	have "$BUILD/stage2.bin" || return 1
	local n
	n=$(stat -c %s "$BUILD/stage2.bin")
	cmp -s -n "$n" "$BUILD/stage2.bin" <(dd if="$IMG" bs=512 skip="$S2LBA" count="$S2SEC" status=none) ||
		{ echo "sectors $S2LBA.. differ from stage2.bin"; return 1; }
}
t "stage2.bin sits in reserved sectors from $S2LBA" stage2_ok

fsck_ok() {
	local out
	out=$($TO fsck.fat -n "$1" 2>&1) || { echo "fsck.fat -n failed: $out"; return 1; }
	[ "$(printf '%s\n' "$out" | wc -l)" = 2 ] || { echo "fsck.fat says: $out"; return 1; }
}
t "fsck.fat -n finds no error" fsck_ok "$S/floppy.img"

mdir_ok() {
	local l
	l=$($TO mdir -i "$IMG" ::) || { echo "mdir failed"; return 1; }
	printf '%s\n' "$l" | grep -qE '^KERNEL +BIN ' || { echo "no KERNEL.BIN: $l"; return 1; }
	printf '%s\n' "$l" | grep -qE '^BOOT +CFG ' || { echo "no BOOT.CFG: $l"; return 1; }
}
t "mdir lists KERNEL.BIN and BOOT.CFG" mdir_ok

kernel_ok() {
	have "$BUILD/kernel.pack" || return 1
	rm -f "$S/KERNEL.BIN"
	$TO mcopy -n -i "$IMG" ::KERNEL.BIN "$S/KERNEL.BIN" || { echo "mcopy out failed"; return 1; }
	cmp -s "$S/KERNEL.BIN" "$BUILD/kernel.pack" || { echo "KERNEL.BIN differs from kernel.pack"; return 1; }
}
t "KERNEL.BIN equals \$BUILD/kernel.pack" kernel_ok

t "the layout's directories and files, and no other, with the manifest's sizes and CRC-32s" tree_ok "$IMG" "$S/gen" "$S"
t "that check catches a changed byte and a missing file" tree_check_fails "$IMG" "$S/gen" "$S"

# the lead's tests copy the test kernel over KERNEL.BIN; the largest kernel
# the loader takes must still fit beside the test tree
room_ok() {
	local free kernel region
	free=$($TO mdir -i "$IMG" :: | sed -n 's/ *bytes free$//p' | tr -d ' ')
	kernel=$(stat -c %s "$BUILD/kernel.pack") region=$(($(v REGION_KERNEL_SIZE)))
	[ -n "$free" ] || { echo "mdir shows no free space"; return 1; }
	[ $((free + kernel)) -ge "$region" ] ||
		{ echo "$free bytes free beside a $kernel-byte KERNEL.BIN, less than the kernel region's $region"; return 1; }
}
t "room beside the test tree for a KERNEL.BIN as large as the kernel region" room_ok

rewrite_cfg() {
	printf 'rewritten by test_floppy_image %s\n' "$$" >"$S/new.cfg"
	$TO mcopy -o -i "$S/floppy.img" "$S/new.cfg" ::BOOT.CFG || { echo "mcopy -o failed"; return 1; }
	local got
	got=$($TO mtype -i "$S/floppy.img" ::BOOT.CFG) || { echo "mtype failed"; return 1; }
	[ "$got" = "$(cat "$S/new.cfg")" ] || { echo "read back '$got'"; return 1; }
	cmp -s -n 512 "$S/floppy.img" "$IMG" || { echo "mcopy changed the boot sector"; return 1; }
	fsck_ok "$S/floppy.img"
}
t "mcopy -o a new BOOT.CFG (on a copy), mtype reads it back, boot sector intact" rewrite_cfg

finish
