#!/usr/bin/env bash
# test_layout_errors.sh: a defective layout or build input makes mkimage fail
# with a message naming the line (or file) and the problem, and leaves
# every pre-existing output byte-identical.
. "$(dirname "$0")/lib.sh"

S=$(scratch layout_errors)
FX=$S/fx          # a build dir with stand-in loader files and a sealed kernel
GEN=$S/gen        # where gen's outputs from the valid layout live
mkdir -p "$FX" "$S/cases"

have_mkimage() { [ -x "$MKIMAGE" ] || { echo "$MKIMAGE missing"; return 1; }; }
t "mkimage exists" have_mkimage

if load_layout "$GEN" >"$S/gen.log" 2>&1; then ok "the repository layout is valid (gen)"
else nok "the repository layout is valid (gen)" "$(tr '\n' ' ' <"$S/gen.log")"; finish; fi
v() { genval "$GEN" "$1"; }

valid_build() {
	make_fixture "$FX" || { echo "fixture failed"; return 1; }
	cp "$LAYOUT" "$S/good.layout"
	$TO "$MKIMAGE" build "$S/good.layout" "$FX" || { echo "build failed"; return 1; }
	if [ ! -s "$FX/disk.img" ] || [ ! -s "$FX/floppy.img" ]; then echo "images missing"; return 1; fi
	compgen -G "$FX/.*.tmp*" >/dev/null && { echo "temp files left: $(ls -a "$FX")"; return 1; }
	cp "$FX/disk.img" "$S/disk.img.orig" && cp "$FX/floppy.img" "$S/floppy.img.orig"
}
t "valid layout and inputs: build succeeds" valid_build

# outputs must be unchanged after a failure
unchanged() {
	local d=$1 g=$2
	cmp -s "$d/disk.img" "$S/disk.img.orig" || { echo "disk.img changed"; return 1; }
	cmp -s "$d/floppy.img" "$S/floppy.img.orig" || { echo "floppy.img changed"; return 1; }
	if [ -n "$g" ]; then
		for f in layout.inc layout.h layout.ld test_files.h; do
			cmp -s "$g/$f" "$g/$f.orig" || { echo "gen's $f changed"; return 1; }
		done
	fi
	compgen -G "$d/.*.tmp*" >/dev/null && { echo "temp file left behind"; return 1; }
	return 0
}

# lcase NAME PATTERN LINE_ERE: the case layout is $S/cases/NAME.layout
# (already written); expect every subcommand to fail with
# "NAME.layout:LINE: ...PATTERN" where LINE is the first line matching LINE_ERE
lcase() {
	local name=$1 pat=$2 lre=$3
	local L=$S/cases/$name.layout line d=$S/cases/$name.d g=$S/cases/$name.gen
	line=$(lineof "$L" "$lre")
	[ -n "$line" ] || { echo "test bug: /$lre/ not in $L"; return 1; }
	rm -rf "$d" "$g" && cp -r "$FX" "$d" && mkdir -p "$g" || return 1
	for f in layout.inc layout.h layout.ld test_files.h; do
		echo "previous $f" >"$g/$f" && cp "$g/$f" "$g/$f.orig"
	done
	local cmd
	for cmd in "gen $L $g" "build $L $d" "seal $L $d/kernel.bin" "build $L $d hdd"; do
		# shellcheck disable=SC2086
		if $TO "$MKIMAGE" $cmd 2>"$S/err"; then echo "mkimage $cmd succeeded"; return 1; fi
		grep -F "$L:$line: " "$S/err" | grep -qE "$pat" ||
			{ echo "mkimage $cmd: no '$L:$line: ...$pat' in: $(cat "$S/err")"; return 1; }
	done
	cmp -s "$d/kernel.bin" "$FX/kernel.bin" || { echo "kernel.bin changed"; return 1; }
	unchanged "$d" "$g"
}

# mk NAME SED-EXPR...: a copy of the layout edited by sed -E
mk() {
	local name=$1
	shift
	local args=() e
	for e in "$@"; do args+=(-e "$e"); done
	sed -E "${args[@]}" "$LAYOUT" >"$S/cases/$name.layout"
}
# mka NAME LINE: a copy with LINE appended
mka() { { cat "$LAYOUT"; printf '%s\n' "$2"; } >"$S/cases/$1.layout"; }

KIN=$(printf '0x%08X' $((KSTART + 0x10)))
mka overlap "region clash start=$KIN size=0x10"
t "overlapping regions (names both)" lcase overlap 'region clash .*overlaps region kernel' '^region clash'

mka wrap "region top start=0xFFFFF000 size=0x2000"
t "region wrapping past 4 GiB" lcase wrap 'region top wraps past 4 GiB' '^region top'

mka dupregion "region kernel start=0xF0000000 size=0x1000"
t "duplicate region" lcase dupregion "duplicate region 'kernel' \\(first declared on line [0-9]+\\)" '^region kernel start=0xF0000000'

mk unknownkey 's/^(region +kernel .*size=[^ ]+)/\1 colour=blue/'
t "unknown key" lcase unknownkey "unknown key 'colour' for region" '^region +kernel '

mk badnum 's/^(region +heap +start=[^ ]+ +size=)[^ ]+/\112Q/'
t "malformed number" lcase badnum "malformed number '12Q' for size=" '^region +heap '

mk bignum 's/^(region +heap +start=)[^ ]+/\10x100000000/'
t "number out of range" lcase bignum 'start=0x100000000 is out of range' '^region +heap '

mka unknownkind "volumes fdd fs=fat12 reserved=33"
t "unknown kind" lcase unknownkind "unknown kind 'volumes'" '^volumes '

mk missingkey 's/^(disk +hdd .*) signature=[^ ]+/\1/'
t "missing key" lcase missingkey 'disk hdd: missing key signature=' '^disk +hdd '

mka undeclared "area zip name=stage1 lba=0 sectors=1 src=stage1_mbr.bin"
t "area for an undeclared disk" lcase undeclared "undeclared disk 'zip'" '^area zip '

# the partition without a name= (the FAT16 one) is "partition hdd" in messages
mk partend "s/^(partition +hdd +lba=.*sectors=)[0-9]+/\\1$(( $(v HDD_SECTORS) - $(v HDD_PART_LBA) + 1 ))/"
t "partition past the end of the disk" lcase partend 'partition hdd \(LBA .*does not fit on disk hdd' '^partition +hdd +lba='

mk unaligned "s/^(partition +hdd +lba=)[0-9]+ +sectors=[0-9]+/\\1$(( $(v HDD_PART_LBA) + 1 )) sectors=$(( $(v HDD_PART_SECTORS) - 1 ))/"
t "partition not 1 MiB aligned" lcase unaligned 'partition hdd at LBA [0-9]+ is not 1 MiB aligned' '^partition +hdd +lba='

mk gap "s/^(area +hdd +name=stage2 +lba=[0-9]+ +sectors=)[0-9]+/\\1$(v HDD_PART_LBA)/"
t "stage 2 too big for the gap before the partition" lcase gap 'stage 2 .*larger than the gap between the MBR and the partition' '^area +hdd +name=stage2 '

mka areaoverlap "area hdd name=extra lba=$(( $(v HDD_STAGE2_LBA) + 1 )) sectors=2 src=stage2.bin"
t "area overlapping another area" lcase areaoverlap 'area hdd extra .*overlaps area stage2' '^area hdd name=extra'

mk reserved "s/^(volume +fdd .*reserved=)[0-9]+/\\1$(v FDD_STAGE2_SECTORS)/"
t "reserved sectors smaller than 1 + stage 2" lcase reserved 'volume fdd: reserved=[0-9]+ is smaller than .*stage 2' '^volume +fdd '

mk disksize 's/^(disk +hdd .*)sectors=[0-9]+/\1size=1000/'
t "disk size not a whole number of sectors" lcase disksize 'size=1000 is not a whole number of 512-byte sectors' '^disk +hdd '

mk dupkey 's/^(region +heap +start=[^ ]+ +size=[^ ]+)/\1 size=0x10/'
t "key given twice" lcase dupkey "key 'size' given twice" '^region +heap '

# ---- the swap partition (partition hdd name=swap) ----------------------------

SW='^partition +hdd +name=swap '
SWLBA=$(v HDD_SWAP_LBA) SWSEC=$(v HDD_SWAP_SECTORS)
# swapcase NAME PATTERN SED-EXPR: the swap line edited so, refused naming PATTERN there
swapcase() { mk "$1" "/$SW/$3"; lcase "$1" "$2" "$SW"; }

t "swap size not a whole number of 4 KiB pages" swapcase swappages \
	"partition hdd swap: $((SWSEC - 1)) sectors is not a whole number of 4 KiB pages \\(8 sectors each; 7 left over\\)" \
	"s/sectors=[0-9]+/sectors=$((SWSEC - 1))/"
t "swap smaller than mkswap's 10 pages" swapcase swapsmall \
	'partition hdd swap: 9 pages are too few for swap \(mkswap wants at least 10, 80 sectors\)' 's/sectors=[0-9]+/sectors=72/'
t "fs=swap with a type other than 0x82" swapcase swaptype \
	'partition hdd swap: fs=swap needs type=0x82 \(Linux swap\), not 0x83' 's/type=0x82/type=0x83/'
t "swap without uuid=" swapcase swapnouuid 'partition hdd swap: fs=swap needs uuid=' 's/ uuid=[^ ]+//'
t "a malformed uuid=" swapcase swapbaduuid 'uuid=564c534f-5357-4150-8000-00000000000 is not a UUID \(8-4-4-4-12 hex digits' \
	's/uuid=[^ ]+/uuid=564c534f-5357-4150-8000-00000000000/'
t "a uuid= with a letter that is no hex digit" swapcase swapuuidhex 'uuid=564c534f-5357-4150-8000-00000000000g is not a UUID' \
	's/uuid=[^ ]+/uuid=564c534f-5357-4150-8000-00000000000g/'
t "a swap label longer than mkswap keeps" swapcase swaplabel 'label=VLSOS-SWAP-LABEL is longer than 15 characters' \
	's/label=[^ ]+/label=VLSOS-SWAP-LABEL/'
t "swap overlapping the FAT16 partition" swapcase swapoverlap \
	"partition hdd swap \\(LBA $((SWLBA - 2048))\\.\\.$((SWLBA - 2048 + SWSEC - 1))\\) overlaps partition hdd \\(LBA $(v HDD_PART_LBA)\\." \
	"s/lba=[0-9]+/lba=$((SWLBA - 2048))/"
t "swap not 1 MiB aligned" swapcase swapunaligned "partition hdd swap at LBA $((SWLBA + 8)) is not 1 MiB aligned" \
	"s/lba=[0-9]+/lba=$((SWLBA + 8))/"
t "swap past the end of the disk" swapcase swapend \
	"partition hdd swap \\(LBA $SWLBA\\.\\.$((SWLBA + SWSEC + 2047))\\) does not fit on disk hdd" \
	"s/sectors=[0-9]+/sectors=$((SWSEC + 2048))/"
t "an active swap partition" swapcase swapactive 'partition hdd swap: a swap partition cannot be the active \(boot\) one' 's/$/ active/'
mk swapcollide "/$SW/s/name=swap/name=stage2/"
t "a swap partition named after an area (its generated names collide)" lcase swapcollide \
	'generated name HDD_STAGE2_LBA collides with the one from line [0-9]+' '^partition +hdd +name=stage2 '

mk fattype "s/^(partition +hdd +lba=.*)type=0x06/\\1type=0x82/"
t "fs=fat16 with the swap type" lcase fattype "partition hdd: type=0x82 is Linux swap's, not fs=fat16's" '^partition +hdd +lba='

mk fatuuid "s/^(partition +hdd +lba=.*)/\\1 uuid=564c534f-5357-4150-8000-000000000002/"
t "uuid= on the FAT16 partition" lcase fatuuid 'partition hdd: uuid= is for swap' '^partition +hdd +lba='

mk swaponly '/^partition +hdd +lba=/d'
t "a partitioned disk without its FAT16 partition" lcase swaponly 'disk hdd has no fat16 partition' '^disk +hdd '

mka dupswap "partition hdd name=swap lba=$((SWLBA + SWSEC)) sectors=2048 type=0x82 fs=swap uuid=564c534f-5357-4150-8000-000000000003"
t "two partitions of one name" lcase dupswap "duplicate partition 'swap' on disk hdd \\(first declared on line [0-9]+\\)" '^partition hdd name=swap lba='

mka unnamed "partition hdd lba=$((SWLBA + SWSEC)) sectors=2048 type=0x06 fs=fat16"
t "a second partition without name=" lcase unnamed 'a second partition of disk hdd without name= \(the first on line [0-9]+\)' '^partition hdd lba='

{ cat "$LAYOUT"; for n in 3 4 5; do
	printf 'partition hdd name=extra%d lba=%d sectors=2048 type=0x82 fs=swap uuid=564c534f-5357-4150-8000-00000000000%d\n' \
		"$n" $((SWLBA + SWSEC + (n - 3) * 2048)) "$n"
done; } >"$S/cases/fivepart.layout"
t "a fifth partition" lcase fivepart 'too many partitions on disk hdd \(an MBR holds 4\)' '^partition hdd name=extra5'

# ---- directories and files ------------------------------------------------

mka dirparent "dir /TEST/NOPE/DEEP"
t "dir whose parent is not declared" lcase dirparent 'dir /TEST/NOPE/DEEP: its directory /TEST/NOPE is not declared \(add `dir /TEST/NOPE`\)' '^dir /TEST/NOPE/DEEP'

mka fileparent "file /NODIR/X.BIN gen=5"
t "file in a directory not declared" lcase fileparent 'file /NODIR/X.BIN: its directory /NODIR is not declared' '^file /NODIR/'

mka dirrelative "dir BIN2"
t "dir without a leading /" lcase dirrelative "dir BIN2: a path from the root, starting with '/' \\(e.g. /BIN2\\)" '^dir BIN2'

mka filerelative "file TEST/X.BIN gen=1"
t "file path with a / but not from the root" lcase filerelative "file TEST/X.BIN: a path from the root" '^file TEST/X.BIN'

mka emptyname "dir /TEST//X"
t "empty name in a path (//)" lcase emptyname 'dir /TEST//X: an empty name' '^dir /TEST//X'

mka trailing "dir /TEST/X/"
t "path ending in /" lcase trailing 'dir /TEST/X/: an empty name' '^dir /TEST/X/'

mka dotdot "file /TEST/../X.BIN gen=1"
t "'..' in a path" lcase dotdot "file /TEST/../X.BIN: '..' is not a name the layout may use" '^file /TEST/\.\./'

mka rootdir "dir /"
t "dir / (the root)" lcase rootdir 'dir /: the root directory is always there' '^dir /$'

mka dupdir "dir /TEST"
t "duplicate dir" lcase dupdir 'duplicate dir /TEST \(first declared on line [0-9]+\)' '^dir /TEST$'

mka dupfile "file /KERNEL.BIN src=kernel.bin"
t "duplicate file, once with its / and once without" lcase dupfile 'duplicate file /KERNEL.BIN \(first declared on line [0-9]+\)' '^file /KERNEL.BIN'

mka fileisdir "file /TEST/SUB gen=1"
t "file where a dir is declared" lcase fileisdir 'file /TEST/SUB: a directory of that name is declared on line [0-9]+' '^file /TEST/SUB '

mka srcandgen "file /TEST/X.BIN src=boot.cfg gen=3"
t "file with src= and gen=" lcase srcandgen 'file /TEST/X.BIN: give src= or gen=, not both' '^file /TEST/X.BIN'

mka nosrc "file /TEST/X.BIN"
t "file with neither src= nor gen=" lcase nosrc 'file /TEST/X.BIN: missing key src= \(a file of the build\) or gen=' '^file /TEST/X.BIN'

mka badname "file /TEST/A*B gen=1"
t "a name FAT refuses" lcase badname "file /TEST/A\\*B: 'A\\*B' is neither an upper-case 8.3 name nor a long name" '^file /TEST/A'

mka lowercase "file /TEST/lower.bin gen=1"
t "a short name in lower case" lcase lowercase "file /TEST/lower.bin: write 'lower.bin' in capitals, LOWER.BIN" '^file /TEST/lower'

mka genbig "file /TEST/X.BIN gen=5M"
t "gen= beyond its limit" lcase genbig 'gen=5M is out of range \(0..4194304\)' '^file /TEST/X.BIN'

mka dirkey "dir /BIN2 size=1"
t "dir takes no keys" lcase dirkey "unknown key 'size' for dir" '^dir /BIN2'

mka longpath "file /TEST/$(printf 'L%.0s' $(seq 1 130)) gen=1"
t "a path over 127 characters" lcase longpath 'the path is longer than 127 characters' '^file /TEST/LLLL'

# ---- build-time defects: valid layout, bad inputs -------------------------

# bcase NAME PATTERN FILE-NAMED [DISK...]: $S/cases/NAME.d was prepared from
# the fixture; the build must fail naming FILE-NAMED and leave images alone
bcase() {
	local name=$1 pat=$2 named=$3 lay=${LAYOUT_CASE:-$S/good.layout}
	shift 3
	local d=$S/cases/$name.d
	if $TO "$MKIMAGE" build "$lay" "$d" "$@" 2>"$S/err"; then echo "build succeeded"; return 1; fi
	grep -F "mkimage: $d/$named" "$S/err" | grep -qE "$pat" ||
		{ echo "no 'mkimage: $d/$named: ...$pat' in: $(cat "$S/err")"; return 1; }
	unchanged "$d" ""
}
prep() { rm -rf "$S/cases/$1.d" && cp -r "$FX" "$S/cases/$1.d" && printf '%s\n' "$S/cases/$1.d"; }

D=$(prep stage2big)
AREA=$(( $(v HDD_STAGE2_SECTORS) * 512 ))
head -c $((AREA + 1)) /dev/zero >"$D/stage2.bin"
t "stage2.bin larger than its area" bcase stage2big "stage 2 is $((AREA + 1)) bytes, its area holds $AREA" stage2.bin hdd

# KERNEL.BIN is kernel.pack (mkimage pack, which refuses what build would): the
# bad ones are made by test/lib/kernel_pack.py, which packs any bytes
D=$(prep kregion)
make_kernel "$D/kernel.bin" 5000 $((KSIZE - 5000)) && seal_py "$D/kernel.bin" &&
	kernel_pack literal "$D/kernel.bin" "$D/kernel.pack"
t "kernel too big for the kernel region" bcase kregion 'exceeds REGION_KERNEL_SIZE' kernel.pack

D=$(prep kstage)
make_kernel "$D/kernel.bin" $((KSIZE / 2 + 1000)) 0 && seal_py "$D/kernel.bin" &&
	kernel_pack literal "$D/kernel.bin" "$D/kernel.pack"
t "packed file and image together too big for the kernel region (stage 2 unpacks below the file)" \
	bcase kstage 'with the [0-9]+-byte file exceed REGION_KERNEL_SIZE' kernel.pack

# a layout whose kernel region is big enough for a kernel the volume cannot hold
BIG=$((32 * 1024 * 1024))
mk bigregion "s/^(region +kernel +start=[^ ]+ +size=)[^ ]+/\\1$(printf '0x%X' $BIG)/" \
	"s/^(region +heap +start=)[^ ]+/\\1$(printf '0x%08X' $((KSTART + BIG)))/"
D=$(prep kvolume)
make_kernel "$D/kernel.bin" $(( $(v HDD_PART_SECTORS) * 512 )) 0 &&
	$TO "$MKIMAGE" seal "$S/cases/bigregion.layout" "$D/kernel.bin" &&
	kernel_pack literal "$D/kernel.bin" "$D/kernel.pack"
LAYOUT_CASE=$S/cases/bigregion.layout t "kernel too big for the volume" bcase kvolume 'do not fit on the hdd volume' kernel.pack hdd

D=$(prep missealed)
printf '\x01' | dd of="$D/kernel.bin" bs=1 seek=100 conv=notrunc status=none &&
	kernel_pack literal "$D/kernel.bin" "$D/kernel.pack"
t "packed kernel whose image is mis-sealed" bcase missealed 'not sealed or corrupt' kernel.pack

D=$(prep damaged)
head -c -1 "$FX/kernel.pack" >"$D/kernel.pack" &&
	python3 -c 'import struct, sys; b = bytearray(open(sys.argv[1], "rb").read()); struct.pack_into("<I", b, 8, len(b) - 16); open(sys.argv[1], "wb").write(b)' "$D/kernel.pack"
t "packed kernel whose stream is cut short" bcase damaged 'packed stream is damaged at byte' kernel.pack

D=$(prep streamsize)
printf '\x00' >>"$D/kernel.pack"
t "packed kernel with a byte after its stream" bcase streamsize 'says a stream of [0-9]+ bytes, the file holds' kernel.pack

D=$(prep nokernel)
rm "$D/kernel.pack"
t "missing kernel.pack" bcase nokernel 'missing' kernel.pack hdd

D=$(prep mbrcode)
printf '\x90' | dd of="$D/stage1_mbr.bin" bs=1 seek=446 conv=notrunc status=none
t "MBR stage 1 with code over the partition table" bcase mbrcode 'bytes 440..509 must be zero' stage1_mbr.bin hdd

D=$(prep vbrbpb)
printf '\x90' | dd of="$D/stage1_fat.bin" bs=1 seek=$((0x10)) conv=notrunc status=none
t "floppy stage 1 with bytes in the BPB" bcase vbrbpb 'bytes 0x03..0x3D must be zero' stage1_fat.bin fdd

D=$(prep nofat)
rm "$D/stage1_fat.bin"
t "missing stage1_fat.bin fails the floppy" bcase nofat 'missing' stage1_fat.bin fdd
hdd_alone() {
	local d=$S/cases/nofat.d
	$TO "$MKIMAGE" build "$S/good.layout" "$d" hdd || { echo "build hdd failed"; return 1; }
	cmp -s "$d/floppy.img" "$S/floppy.img.orig" || { echo "floppy.img touched"; return 1; }
	[ "$(stat -c %s "$d/disk.img")" = $(( $(v HDD_SECTORS) * 512 )) ] || { echo "disk.img wrong size"; return 1; }
}
t "build hdd works without the floppy's stage 1" hdd_alone

# a valid layout whose root directory cannot hold what it declares: 30 long
# names of 100 characters take 9 entries each, the floppy's root has 224
{ cat "$LAYOUT"; for i in $(seq 10 39); do printf 'file /%s%d gen=1\n' "$(printf 'n%.0s' $(seq 1 98))" "$i"; done; } >"$S/cases/rootfull.layout"
D=$(prep rootfull)
LAYOUT_CASE=$S/cases/rootfull.layout t "root directory too small for the layout's entries" bcase rootfull 'the files and directories in the root take 275 entries; the root directory of disk fdd has 224' .floppy.img.tmp fdd

# a generated file larger than the floppy's free space
mka genfull "file /TEST/HUGE.BIN gen=4M"
D=$(prep genfull)
LAYOUT_CASE=$S/cases/genfull.layout t "generated file too big for the floppy" bcase genfull '4194304 bytes do not fit on the fdd volume: .* left for /TEST/HUGE.BIN \(generated\)' .floppy.img.tmp fdd

unknown_disk() {
	if $TO "$MKIMAGE" build "$S/good.layout" "$FX" zip 2>"$S/err"; then echo "accepted"; return 1; fi
	grep -q "no disk 'zip'" "$S/err" || { cat "$S/err"; return 1; }
	unchanged "$FX" ""
}
t "build of an unknown disk is an error" unknown_disk

finish
