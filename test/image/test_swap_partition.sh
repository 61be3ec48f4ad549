#!/usr/bin/env bash
# test_swap_partition.sh: disk.img's swap partition is what disk.img.layout declares, in
# the standard Linux format, as tools other than VlsOs's read it: file(1) and blkid know
# it with its size, swaplabel reads the layout's label and UUID, its MBR entry is type
# 0x82 at the layout's place, and its bytes are exactly what util-linux's mkswap writes
# for a file of its size (so every build writes the same swap area). Building without
# mkswap is an error naming the package; what a broken mkswap writes is refused with the
# fault the kernel's parser (kernel/vm/swap_header.c) finds, and no image changes. The
# layout's malformed swap declarations are test_layout_errors.sh's.
. "$(dirname "$0")/lib.sh"

S=$(scratch swap_partition)
IMG=$BUILD/disk.img
FX=$S/fx # a build dir with stand-in loader files, for mkimage build
mkdir -p "$FX"

if load_layout "$S/gen" >"$S/gen.log" 2>&1; then ok "layout values via mkimage gen"
else nok "layout values via mkimage gen" "$(tr '\n' ' ' <"$S/gen.log")"; finish; fi
v() { genval "$S/gen" "$1"; }
LBA=$(v HDD_SWAP_LBA) SECTORS=$(v HDD_SWAP_SECTORS) TYPE=$(v HDD_SWAP_TYPE) ENTRY=$(v HDD_SWAP_ENTRY)
PAGES=$((SECTORS * 512 / 4096))
# the label and UUID are text, which the generated names do not carry: the layout's line
SWAP_LINE=$(grep -E '^partition +hdd +name=swap ' "$LAYOUT")
LABEL=$(printf '%s\n' "$SWAP_LINE" | grep -oE 'label=[^ ]+' | cut -d= -f2)
UUID=$(printf '%s\n' "$SWAP_LINE" | grep -oE 'uuid=[^ ]+' | cut -d= -f2)

layout_ok() {
	[ -n "$LBA" ] && [ -n "$SECTORS" ] && [ -n "$LABEL" ] && [ -n "$UUID" ] ||
		{ echo "lba '$LBA' sectors '$SECTORS' label '$LABEL' uuid '$UUID'"; return 1; }
	[ "$TYPE" = 0x82 ] || { echo "HDD_SWAP_TYPE is $TYPE"; return 1; }
}
t "the layout declares a swap partition (type 0x82, $SECTORS sectors at LBA $LBA, label $LABEL)" layout_ok

dd if="$IMG" of="$S/swap.img" bs=512 skip="$LBA" count="$SECTORS" status=none 2>/dev/null

file_ok() {
	local got want
	want="Linux swap file, 4k page size, little endian, version 1, size $((PAGES - 1)) pages, 0 bad pages, LABEL=$LABEL, UUID=$UUID"
	got=$($TO file -s -b "$1") || { echo "file failed"; return 1; }
	[ "$got" = "$want" ] || { echo "file says '$got', want '$want'"; return 1; }
}
t "file -s: Linux swap, version 1, $((PAGES - 1)) pages after the header, the layout's label and UUID" file_ok "$S/swap.img"

blkid_ok() {
	local got
	got=$($TO blkid -p -o export "$S/swap.img") || { echo "blkid found nothing"; return 1; }
	for want in TYPE=swap VERSION=1 "LABEL=$LABEL" "UUID=$UUID"; do
		grep -qxF "$want" <<<"$got" || { echo "no $want in: $(echo $got)"; return 1; }
	done
}
t "blkid -p: TYPE=swap, version 1, the label and UUID" blkid_ok

swaplabel_ok() {
	local got
	got=$($TO swaplabel "$1") || { echo "swaplabel failed"; return 1; }
	[ "$got" = "$(printf 'LABEL: %s\nUUID:  %s' "$LABEL" "$UUID")" ] || { echo "swaplabel says: $got"; return 1; }
}
t "swaplabel reads label $LABEL and UUID $UUID" swaplabel_ok "$S/swap.img"

mbr_entry_ok() {
	py '
import struct, sys
img, entry, lba, sectors, typ = sys.argv[1], *[int(x, 0) for x in sys.argv[2:6]]
e = open(img, "rb").read(512)[446 + 16 * (entry - 1):462 + 16 * (entry - 1)]
got = (e[0], e[4]) + struct.unpack_from("<II", e, 8)
want = (0, typ, lba, sectors)
got == want or sys.exit("entry %d: status, type, LBA, sectors are %s, want %s" % (entry, got, want))
' "$IMG" "$ENTRY" "$LBA" "$SECTORS" "$TYPE"
}
t "MBR entry $ENTRY: inactive, type $TYPE, LBA $LBA, $SECTORS sectors" mbr_entry_ok

# mkswap's bytes, made here the way the layout says (the partition's size, 4 KiB pages)
mkswap_same() {
	rm -f "$S/fresh.img" && truncate -s $((SECTORS * 512)) "$S/fresh.img" && chmod 600 "$S/fresh.img" &&
		$TO mkswap -q -p 4096 -L "$LABEL" -U "$UUID" "$S/fresh.img" >/dev/null ||
		{ echo "mkswap failed"; return 1; }
	cmp "$S/fresh.img" "$S/swap.img" || return 1
}
t "the partition is byte for byte what mkswap writes on a file of its size" mkswap_same

# ---- building: mkswap missing or broken -----------------------------------

if make_fixture "$FX" >"$S/fx.log" 2>&1 && $TO "$MKIMAGE" build "$LAYOUT" "$FX" hdd >>"$S/fx.log" 2>&1; then
	ok "a build with the repository's layout succeeds"
else
	nok "a build with the repository's layout succeeds" "$(tr '\n' ' ' <"$S/fx.log")"
	finish
fi
cp "$FX/disk.img" "$S/disk.img.orig"

# refused NAME MKSWAP PATTERN: building hdd with that mkswap fails with PATTERN on
# stderr, leaves disk.img alone and no temp file behind
refused() {
	if MKSWAP=$2 $TO "$MKIMAGE" build "$LAYOUT" "$FX" hdd 2>"$S/$1.err" >/dev/null; then
		echo "the build succeeded"
		return 1
	fi
	grep -qE "$3" "$S/$1.err" || { echo "no /$3/ in: $(cat "$S/$1.err")"; return 1; }
	cmp -s "$FX/disk.img" "$S/disk.img.orig" || { echo "disk.img changed"; return 1; }
	if compgen -G "$FX/.*.tmp*" >/dev/null; then echo "temp files left: $(ls -a "$FX")"; return 1; fi
}
t "no mkswap: the build stops, naming util-linux" refused missing "$S/no-such-mkswap" \
	"mkimage: $S/no-such-mkswap not found .*install util-linux .*swap partition hdd swap \\(layout line [0-9]+\\)"

# fake_mkswap NAME PYTHON: an mkswap that runs the real one, then PYTHON on the
# file's bytes (b, a bytearray)
fake_mkswap() {
	cat >"$S/$1" <<EOF
#!/usr/bin/env bash
mkswap "\$@" || exit
python3 - "\${@: -1}" <<'PY'
import struct, sys
b = bytearray(open(sys.argv[1], "rb").read(4096))
$2
open(sys.argv[1], "r+b").write(b)
PY
EOF
	chmod +x "$S/$1"
}
fake_mkswap v0 'b[4086:4096] = b"SWAP-SPACE"'
t "an mkswap writing the old format: refused with the parser's words" refused v0 "$S/v0" \
	'partition hdd swap: the kernel would refuse what mkswap made: old swap format \(version 0, "SWAP-SPACE"\)'
fake_mkswap lastpage "struct.pack_into('<I', b, 1028, $PAGES)"
t "an mkswap claiming a page past the partition: refused with the parser's words" refused lastpage "$S/lastpage" \
	"partition hdd swap: the kernel would refuse what mkswap made: last_page $PAGES is beyond the partition \\($PAGES pages"
fake_mkswap short "struct.pack_into('<I', b, 1028, $((PAGES - 2)))"
t "an mkswap leaving the last page out: refused (the whole partition is swap)" refused short "$S/short" \
	"partition hdd swap: mkswap wrote last_page $((PAGES - 2)), 0 bad pages, label \"$LABEL\"; the layout wants $((PAGES - 1)), 0"
fake_mkswap label 'b[1052:1068] = b"OTHER".ljust(16, b"\0")'
t "an mkswap writing another label: refused" refused label "$S/label" 'partition hdd swap: mkswap wrote .*label "OTHER"; the layout wants'
fake_mkswap ok 'pass'
rebuilt_same() {
	MKSWAP=$S/ok $TO "$MKIMAGE" build "$LAYOUT" "$FX" hdd >/dev/null 2>"$S/ok.err" || { cat "$S/ok.err"; return 1; }
	cmp <(dd if="$FX/disk.img" bs=512 skip="$LBA" count="$SECTORS" status=none) \
		<(dd if="$S/disk.img.orig" bs=512 skip="$LBA" count="$SECTORS" status=none) || return 1
}
t "the same mkswap through MKSWAP builds, the swap area the same as before" rebuilt_same

finish
