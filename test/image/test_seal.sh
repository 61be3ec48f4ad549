#!/usr/bin/env bash
# test_seal.sh: `mkimage seal` writes the right CRC-32 and refuses bad headers
# without touching the file; `mkimage pack` packs a sealed kernel so that it
# unpacks to itself, and refuses an unsealed one.
. "$(dirname "$0")/lib.sh"

S=$(scratch seal)

have_mkimage() { [ -x "$MKIMAGE" ] || { echo "$MKIMAGE missing"; return 1; }; }
t "mkimage exists" have_mkimage
if load_layout "$S/gen" >"$S/gen.log" 2>&1; then ok "mkimage gen gives the kernel region"
else nok "mkimage gen gives the kernel region" "$(tr '\n' ' ' <"$S/gen.log")"; finish; fi
KEND=$((KSTART + KSIZE))
hex8() { printf '0x%08X' "$1"; }

sealed_crc() {
	make_kernel "$S/k.bin" 10000 0x2000 || return 1
	$TO "$MKIMAGE" seal "$LAYOUT" "$S/k.bin" || { echo "seal failed"; return 1; }
	local want have
	want=$(crc_zeroed "$S/k.bin") have=$(crc_field "$S/k.bin")
	[ "$want" = "$have" ] || { echo "crc field $have, zlib says $want"; return 1; }
	[ "$have" != 0x00000000 ] || { echo "crc field still zero"; return 1; }
}
t "seal writes zlib's CRC-32 of the image with the field zeroed" sealed_crc

only_field_changes() {
	make_kernel "$S/k2.bin" 777 0 || return 1
	cp "$S/k2.bin" "$S/k2.orig"
	$TO "$MKIMAGE" seal "$LAYOUT" "$S/k2.bin" || { echo "seal failed"; return 1; }
	[ "$(stat -c %s "$S/k2.bin")" = "$(stat -c %s "$S/k2.orig")" ] || { echo "size changed"; return 1; }
	local diff
	diff=$(cmp -l "$S/k2.orig" "$S/k2.bin" | awk '$1 < 25 || $1 > 28' | wc -l)
	[ "$diff" -eq 0 ] || { echo "$diff bytes outside the crc32 field changed"; return 1; }
}
t "seal changes only bytes 24..27" only_field_changes

idempotent() {
	cp "$S/k.bin" "$S/k.again"
	$TO "$MKIMAGE" seal "$LAYOUT" "$S/k.again" || { echo "second seal failed"; return 1; }
	cmp -s "$S/k.bin" "$S/k.again" || { echo "resealing changed the file"; return 1; }
}
t "sealing a sealed kernel changes nothing" idempotent

# bad CASE PATTERN make_kernel-args...: seal must fail, name the file and the
# problem, and leave the file byte-identical
bad() {
	local name=$1 pat=$2
	shift 2
	local f=$S/bad_$name.bin err
	make_kernel "$f" "$@" || return 1
	cp "$f" "$f.orig"
	if err=$($TO "$MKIMAGE" seal "$LAYOUT" "$f" 2>&1); then
		echo "seal accepted it"
		return 1
	fi
	printf '%s' "$err" | grep -q "^mkimage: $f: " || { echo "message does not name the file: $err"; return 1; }
	printf '%s' "$err" | grep -qE "$pat" || { echo "message lacks /$pat/: $err"; return 1; }
	cmp -s "$f" "$f.orig" || { echo "file was modified"; return 1; }
}
t "bad magic is refused, file unchanged" bad magic 'bad magic 0x12345678' 100 0 magic=0x12345678
t "wrong image_size is refused, file unchanged" bad isize 'image_size 999 does not match the file.s size 132' 100 0 isize=999
t "image+bss past the kernel region is refused, file unchanged" bad big 'exceeds REGION_KERNEL_SIZE' 100 "$KSIZE"
t "image alone bigger than the kernel region is refused" bad huge 'exceeds REGION_KERNEL_SIZE' $((KSIZE - 31)) 0
t "wrong load_addr is refused" bad load "load_addr $(hex8 "$KEND") is not REGION_KERNEL_START $(hex8 "$KSTART")" 100 0 load="$KEND"
t "entry outside the image is refused" bad entry "entry $(hex8 $((KSTART + 132))) is outside" 100 0 entry=$((KSTART + 132))
t "entry inside the header is refused" bad entryhdr "entry $(hex8 $((KSTART + 4))) is outside" 100 0 entry=$((KSTART + 4))
t "wrong header_size is refused" bad hsize 'header_size 28, expected 32' 100 0 hsize=28
t "wrong version is refused" bad version 'header version 2, expected 1' 100 0 version=2
t "nonzero reserved field is refused" bad resv 'reserved field' 100 0 resv=1

exact_fit() {
	# image + bss exactly fills the region: allowed (the heap starts right after)
	make_kernel "$S/fit.bin" 1000 $((KSIZE - 1032)) || return 1
	$TO "$MKIMAGE" seal "$LAYOUT" "$S/fit.bin" || return 1
	make_kernel "$S/over.bin" 1000 $((KSIZE - 1031)) || return 1
	if $TO "$MKIMAGE" seal "$LAYOUT" "$S/over.bin" 2>/dev/null; then echo "one byte over was accepted"; return 1; fi
}
t "a kernel filling its region exactly seals, one byte more does not" exact_fit

short_file() {
	printf 'VLSK' > "$S/short.bin"
	if $TO "$MKIMAGE" seal "$LAYOUT" "$S/short.bin" 2>"$S/short.err"; then echo "accepted"; return 1; fi
	grep -q 'too short' "$S/short.err" || { cat "$S/short.err"; return 1; }
	[ "$(cat "$S/short.bin")" = VLSK ] || { echo "file modified"; return 1; }
}
t "a file shorter than the header is refused" short_file

packs_back() {
	$TO "$MKIMAGE" pack "$LAYOUT" "$S/k.bin" "$S/k.pack" || { echo "pack failed"; return 1; }
	kernel_pack unpack "$S/k.pack" "$S/k.unpacked" || { echo "the packed file does not unpack"; return 1; }
	cmp -s "$S/k.bin" "$S/k.unpacked" || { echo "it unpacks to other bytes"; return 1; }
	[ "$(stat -c %s "$S/k.pack")" -lt "$(stat -c %s "$S/k.bin")" ] || { echo "no smaller"; return 1; }
	$TO "$MKIMAGE" pack "$LAYOUT" "$S/k.bin" "$S/k.pack2" && cmp -s "$S/k.pack" "$S/k.pack2" ||
		{ echo "packing twice gave two files"; return 1; }
}
t "pack: a sealed kernel packs smaller, the same each time, and unpacks (kernel_pack.py) to itself" packs_back

pack_unsealed() {
	make_kernel "$S/u.bin" 500 0 || return 1
	rm -f "$S/u.pack"
	if $TO "$MKIMAGE" pack "$LAYOUT" "$S/u.bin" "$S/u.pack" 2>"$S/u.err"; then echo "accepted"; return 1; fi
	grep -q "^mkimage: $S/u.bin: not sealed or corrupt" "$S/u.err" || { cat "$S/u.err"; return 1; }
	[ ! -e "$S/u.pack" ] || { echo "wrote $S/u.pack anyway"; return 1; }
}
t "pack refuses an unsealed kernel and writes nothing" pack_unsealed

missing_file() {
	if $TO "$MKIMAGE" seal "$LAYOUT" "$S/nonexistent.bin" 2>"$S/missing.err"; then echo "accepted"; return 1; fi
	grep -q "nonexistent.bin" "$S/missing.err" || { cat "$S/missing.err"; return 1; }
}
t "a missing file is an error naming it" missing_file

finish
