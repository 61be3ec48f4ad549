#!/usr/bin/env bash
# test_disk_image.sh: $BUILD/disk.img is what the layout describes: size,
# MBR (signature, the active FAT16 partition and the swap partition in their
# entries, consistent CHS), stage 2 in the gap, a clean FAT16 volume holding the
# layout's directories and files. test_swap_partition.sh reads the swap area.
. "$(dirname "$0")/lib.sh"

S=$(scratch disk_image)
IMG=$BUILD/disk.img

have() { [ -f "$1" ] || { echo "$1 missing"; return 1; }; }
t "disk.img exists" have "$IMG"
t "mkimage exists" have "$MKIMAGE"
if load_layout "$S/gen" >"$S/gen.log" 2>&1; then ok "layout values via mkimage gen"
else nok "layout values via mkimage gen" "$(tr '\n' ' ' <"$S/gen.log")"; fi
v() { genval "$S/gen" "$1"; }
SECTORS=$(v HDD_SECTORS) SIG=$(v HDD_SIGNATURE) PLBA=$(v HDD_PART_LBA)
PSEC=$(v HDD_PART_SECTORS) PTYPE=$(v HDD_PART_TYPE) PENTRY=$(v HDD_PART_ENTRY)
SWLBA=$(v HDD_SWAP_LBA) SWSEC=$(v HDD_SWAP_SECTORS) SWTYPE=$(v HDD_SWAP_TYPE) SWENTRY=$(v HDD_SWAP_ENTRY)
S2LBA=$(v HDD_STAGE2_LBA) S2SEC=$(v HDD_STAGE2_SECTORS)
OFF=$((PLBA * 512))
# a private copy for anything that writes
cp "$IMG" "$S/disk.img" 2>/dev/null

size_ok() {
	local n
	n=$(stat -c %s "$IMG") || return 1
	[ "$n" = $((SECTORS * 512)) ] || { echo "$n bytes, want $((SECTORS * 512))"; return 1; }
}
t "size is HDD_SECTORS * 512" size_ok

# mbr_py CHECK: python checks of sector 0; prints a reason and exits 1 on failure
mbr_py() {
	py '
import struct, sys
img, what = sys.argv[1], sys.argv[2]
sig, plba, psec, ptype, pentry, swlba, swsec, swtype, swentry = [int(x, 0) for x in sys.argv[3:12]]
m = open(img, "rb").read(512)
def fail(s): print(s); sys.exit(1)
if what == "magic":
    m[510:512] == b"\x55\xaa" or fail("sector 0 ends %s" % m[510:512].hex())
elif what == "sig":
    got = struct.unpack_from("<I", m, 440)[0]
    got == sig or fail("signature at 440 is 0x%08X, layout says 0x%08X" % (got, sig))
    m[444:446] == b"\0\0" or fail("bytes 444..445 are %s" % m[444:446].hex())
elif what == "table":
    e = [m[446 + 16 * i: 462 + 16 * i] for i in range(4)]
    act = [i for i in range(4) if e[i][0] == 0x80]
    act == [pentry - 1] or fail("active entries %s, want only %d" % ([i + 1 for i in act], pentry))
    all(x[0] in (0, 0x80) for x in e) or fail("status bytes %s" % [x[0] for x in e])
    used = {pentry: (plba, psec, ptype), swentry: (swlba, swsec, swtype)}
    all(e[i] == bytes(16) for i in range(4) if i + 1 not in used) or fail("an entry besides %s is not empty" % sorted(used))
    def chs(l):
        c, h, s = l // (255 * 63), (l // 63) % 255, l % 63 + 1
        if c > 1023: c, h, s = 1023, 254, 63
        return bytes([h, s | (c >> 8) << 6, c & 0xFF])
    for k, (lba, n, typ) in used.items():
        x = e[k - 1]
        got = struct.unpack_from("<II", x, 8) + (x[4],)
        got == (lba, n, typ) or fail("entry %d is lba %d, %d sectors, type 0x%02X" % ((k,) + got))
        x[1:4] == chs(lba) or fail("entry %d: CHS start %s, want %s" % (k, x[1:4].hex(), chs(lba).hex()))
        x[5:8] == chs(lba + n - 1) or fail("entry %d: CHS end %s, want %s" % (k, x[5:8].hex(), chs(lba + n - 1).hex()))
' "$IMG" "$1" "$SIG" "$PLBA" "$PSEC" "$PTYPE" "$PENTRY" "$SWLBA" "$SWSEC" "$SWTYPE" "$SWENTRY"
}
t "sector 0 ends 55 AA" mbr_py magic
t "disk signature at 440 is the layout's, 444..445 zero" mbr_py sig
t "partition table: FAT16 entry active, swap entry, others empty, LBA/type/CHS consistent (255/63)" mbr_py table

sfdisk_ok() {
	local d parts
	d=$($TO sfdisk -d "$IMG") || { echo "sfdisk -d failed"; return 1; }
	parts=$(printf '%s\n' "$d" | grep -c 'start=')
	[ "$parts" = 2 ] || { echo "$parts partitions: $d"; return 1; }
	local want
	for want in "$(printf 'img%d : start= *%d, size= *%d, type=%x, bootable$' "$PENTRY" "$PLBA" "$PSEC" "$PTYPE")" \
		"$(printf 'img%d : start= *%d, size= *%d, type=%x$' "$SWENTRY" "$SWLBA" "$SWSEC" "$SWTYPE")"; do
		printf '%s\n' "$d" | grep -qE "$want" || { echo "no /$want/ in: $d"; return 1; }
	done
	printf '%s\n' "$d" | grep -qi "label-id: $(printf '0x%08x' "$SIG")" || { echo "label-id differs: $d"; return 1; }
}
t "sfdisk -d: two partitions, FAT16 at $PLBA bootable, swap at $SWLBA" sfdisk_ok

gap_ok() {
	have "$BUILD/stage2.bin" || return 1
	local n
	n=$(stat -c %s "$BUILD/stage2.bin")
	cmp -s -n "$n" "$BUILD/stage2.bin" <(dd if="$IMG" bs=512 skip="$S2LBA" count="$S2SEC" status=none) ||
		{ echo "stage 2 area differs from stage2.bin"; return 1; }
	[ "$(dd if="$IMG" bs=512 skip="$S2LBA" count="$S2SEC" status=none | tail -c +$((n + 1)) | tr -d '\0' | wc -c)" = 0 ] ||
		{ echo "stage 2 area not zero-padded"; return 1; }
}
t "stage2.bin sits at LBA $S2LBA, zero-padded to its area" gap_ok

mbr_code_ok() {
	have "$BUILD/stage1_mbr.bin" || return 1
	cmp -s -n 440 "$BUILD/stage1_mbr.bin" "$IMG" || { echo "MBR code differs from stage1_mbr.bin"; return 1; }
}
t "MBR code bytes 0..439 are stage1_mbr.bin" mbr_code_ok

mdir_ok() {
	local l
	l=$($TO mdir -i "$IMG@@$OFF" ::) || { echo "mdir failed"; return 1; }
	printf '%s\n' "$l" | grep -qE '^KERNEL +BIN ' || { echo "no KERNEL.BIN: $l"; return 1; }
	printf '%s\n' "$l" | grep -qE '^BOOT +CFG ' || { echo "no BOOT.CFG: $l"; return 1; }
}
t "mdir lists KERNEL.BIN and BOOT.CFG" mdir_ok

dd if="$IMG" of="$S/part.img" bs=512 skip="$PLBA" count="$PSEC" status=none 2>/dev/null
fsck_ok() {
	local out
	out=$($TO fsck.fat -n "$1" 2>&1) || { echo "fsck.fat -n failed: $out"; return 1; }
	[ "$(printf '%s\n' "$out" | wc -l)" = 2 ] || { echo "fsck.fat says: $out"; return 1; }
}
t "fsck.fat -n on the extracted partition finds no error" fsck_ok "$S/part.img"

bpb_py() {
	py '
import struct, sys
p = open(sys.argv[1], "rb").read(512)
plba, psec = int(sys.argv[2]), int(sys.argv[3])
def fail(s): print(s); sys.exit(1)
bps, spc, res, nf, root, t16, media, fsz = struct.unpack_from("<HBHBHHBH", p, 11)
hidden, t32 = struct.unpack_from("<II", p, 28)
total = t16 or t32
data = total - res - nf * fsz - (root * 32 + 511) // 512
clusters = data // spc
p[0x36:0x3E] == b"FAT16   " or fail("type string %r" % p[0x36:0x3E])
4085 <= clusters < 65525 or fail("%d clusters is not FAT16" % clusters)
bps == 512 or fail("%d bytes per sector" % bps)
total == psec or fail("%d sectors, partition has %d" % (total, psec))
hidden == plba or fail("hidden sectors %d, partition at %d" % (hidden, plba))
p[510:512] == b"\x55\xaa" or fail("no 55 AA")
' "$S/part.img" "$PLBA" "$PSEC"
}
t "the volume is FAT16 (type string and cluster count), hidden = LBA, size = partition" bpb_py

kernel_ok() {
	have "$BUILD/kernel.bin" || return 1
	rm -f "$S/KERNEL.BIN" "$S/KERNEL.IMG"
	$TO mcopy -n -i "$IMG@@$OFF" ::KERNEL.BIN "$S/KERNEL.BIN" || { echo "mcopy out failed"; return 1; }
	cmp -s "$S/KERNEL.BIN" "$BUILD/kernel.pack" || { echo "KERNEL.BIN differs from kernel.pack"; return 1; }
	kernel_pack unpack "$S/KERNEL.BIN" "$S/KERNEL.IMG" || { echo "KERNEL.BIN does not unpack"; return 1; }
	cmp -s "$S/KERNEL.IMG" "$BUILD/kernel.bin" || { echo "KERNEL.BIN unpacks to other than kernel.bin"; return 1; }
	[ "$(crc_field "$S/KERNEL.IMG")" = "$(crc_zeroed "$S/KERNEL.IMG")" ] || { echo "the image is not sealed"; return 1; }
	[ "$(stat -c %s "$S/KERNEL.BIN")" -lt "$(stat -c %s "$BUILD/kernel.bin")" ] ||
		{ echo "packing made it no smaller"; return 1; }
}
t "KERNEL.BIN is \$BUILD/kernel.pack, smaller than kernel.bin, and unpacks to it, sealed" kernel_ok

t "the layout's directories and files, and no other, with the manifest's sizes and CRC-32s" tree_ok "$IMG@@$OFF" "$S/gen" "$S"
t "that check catches a changed byte and a missing file" tree_check_fails "$IMG@@$OFF" "$S/gen" "$S"

rewrite_cfg() {
	printf 'rewritten by test_disk_image %s\n' "$$" >"$S/new.cfg"
	$TO mcopy -o -i "$S/disk.img@@$OFF" "$S/new.cfg" ::BOOT.CFG || { echo "mcopy -o failed"; return 1; }
	local got
	got=$($TO mtype -i "$S/disk.img@@$OFF" ::BOOT.CFG) || { echo "mtype failed"; return 1; }
	[ "$got" = "$(cat "$S/new.cfg")" ] || { echo "read back '$got'"; return 1; }
	dd if="$S/disk.img" of="$S/part2.img" bs=512 skip="$PLBA" count="$PSEC" status=none
	fsck_ok "$S/part2.img"
}
t "mcopy -o a new BOOT.CFG (on a copy), mtype reads it back, still clean" rewrite_cfg

bigger_stick() {
	cp "$IMG" "$S/stick.img" && head -c 1048576 /dev/urandom >>"$S/stick.img" || return 1
	$TO sfdisk -d "$S/stick.img" | grep -qE "start= *$PLBA, size= *$PSEC" || { echo "partition table unreadable"; return 1; }
	rm -f "$S/K2"
	if ! $TO mcopy -n -i "$S/stick.img@@$OFF" ::KERNEL.BIN "$S/K2" || ! cmp -s "$S/K2" "$BUILD/kernel.pack"; then
		echo "volume unreadable on a bigger device"
		return 1
	fi
}
t "image on a bigger device with random tail: table and volume still read" bigger_stick

finish
