# lib.sh: shared helpers for test/image/test_*.sh (sourced, not run).
# TAP output: `ok N - name` / `not ok N - name: detail`, plan at the end.
# Every external command is bounded by `timeout`.

set -u
# a watchdog over the whole script, on top of `timeout` on each tool run
if [ -z "${IMAGE_TEST_WATCHDOG:-}" ]; then
	IMAGE_TEST_WATCHDOG=1 exec timeout 600 bash "$0" "$@"
fi
BUILD=${BUILD:-$PWD/build}
# util-linux's mkswap, swaplabel and blkid are in sbin, off a user's PATH (build.sh)
export PATH="$PATH:/usr/sbin:/sbin"
MKIMAGE=$BUILD/host/mkimage
LAYOUT=${LAYOUT:-disk.img.layout}
TO="timeout 60"
export MTOOLS_SKIP_CHECK=1
N=0
FAILS=0

ok()  { N=$((N + 1)); echo "ok $N - $1"; }
nok() { N=$((N + 1)); FAILS=$((FAILS + 1)); echo "not ok $N - $1: $2"; }

# t NAME FUNC [ARGS...]: FUNC prints its failure detail and returns non-zero
t() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		nok "$name" "$(printf '%s' "$out" | tr '\n' ' ' | cut -c1-400)"
	fi
}

finish() {
	echo "1..$N"
	[ "$FAILS" -eq 0 ] && exit 0
	echo "# $FAILS of $N failed"
	exit 1
}

# scratch dir for this test, emptied first
scratch() {
	local d=$BUILD/tmp/image_$1
	rm -rf "$d" && mkdir -p "$d" && printf '%s\n' "$d"
}

# value of a generated name, via `mkimage gen` into DIR (the layout is the truth)
# usage: genval DIR NAME
genval() {
	awk -v n="$2" '$1 == "#define" && $2 == n { print $3 }' "$1/layout.h"
}

# py SCRIPT ARGS...: bounded python3
py() { $TO python3 -c "$@"; }

# load_layout DIR: `mkimage gen` the layout into DIR and export the numbers the
# tests need (the layout is the only source of them)
load_layout() {
	$TO "$MKIMAGE" gen "$LAYOUT" "$1" || return 1
	KSTART=$(genval "$1" REGION_KERNEL_START)
	KSIZE=$(genval "$1" REGION_KERNEL_SIZE)
	export KSTART KSIZE
	[ -n "$KSTART" ] && [ -n "$KSIZE" ]
}

# make_kernel OUT PAYLOAD_BYTES BSS [key=value...]: a kernel image with a
# header (kernel_header.h); keys override magic, version, hsize, load,
# entry, isize, crc, resv. Not sealed (crc 0) unless crc= is given.
make_kernel() {
	py '
import os, struct, sys
out, n, bss = sys.argv[1], int(sys.argv[2]), int(sys.argv[3], 0)
load = int(os.environ["KSTART"], 0)
f = dict(magic=0x4B534C56, version=1, hsize=32, load=load, entry=load + 0x20,
         isize=32 + n, bss=bss, crc=0, resv=0)
for kv in sys.argv[4:]:
    k, v = kv.split("=")
    f[k] = int(v, 0)
hdr = struct.pack("<IHHIIIIII", f["magic"], f["version"], f["hsize"], f["load"],
                  f["entry"], f["isize"], f["bss"], f["crc"], f["resv"])
payload = (bytes(range(7, 251)) * (n // 244 + 1))[:n]
open(out, "wb").write(hdr + payload)
' "$@"
}

# crc_zeroed FILE: CRC-32 of FILE with bytes 24..27 as zero (zlib, independent)
crc_zeroed() {
	py '
import sys, zlib
b = bytearray(open(sys.argv[1], "rb").read()); b[24:28] = bytes(4)
print("0x%08X" % zlib.crc32(b))' "$1"
}

# crc_field FILE: the crc32 field of a kernel header
crc_field() {
	py '
import sys, struct
print("0x%08X" % struct.unpack_from("<I", open(sys.argv[1], "rb").read(), 24)[0])' "$1"
}

# seal_py FILE: write the CRC independently of mkimage (for crafted bad kernels)
seal_py() {
	py '
import sys, zlib, struct
b = bytearray(open(sys.argv[1], "rb").read()); b[24:28] = bytes(4)
struct.pack_into("<I", b, 24, zlib.crc32(b)); open(sys.argv[1], "wb").write(b)' "$1"
}

# make_fixture DIR: stand-in loader files (and the layout's other src= files)
# for building images in DIR
make_fixture() {
	py '
import sys
d = sys.argv[1] + "/"
m = bytearray(512); m[0:2] = b"\xeb\xfe"; m[510:] = b"\x55\xaa"
open(d + "stage1_mbr.bin", "wb").write(m)
f = bytearray(512); f[0:3] = b"\xeb\x3c\x90"; f[0x3e:0x40] = b"\xeb\xfe"; f[510:] = b"\x55\xaa"
open(d + "stage1_fat.bin", "wb").write(f)
open(d + "stage2.bin", "wb").write(bytes((i * 13 + 1) & 0xFF for i in range(5000)))
open(d + "boot.cfg", "w").write("kernel=/KERNEL.BIN\n")
# every other src= of the layout (the user programs): a few bytes stand in
import os, re
for src in re.findall(r"^file\s+\S+\s+src=(\S+)", open(sys.argv[2]).read(), re.M):
    if not os.path.exists(d + src) and src != "kernel.pack":
        open(d + src, "wb").write(b"stand-in for " + src.encode())
' "$1" "$LAYOUT" && make_kernel "$1/kernel.bin" 4000 0x1000 && $TO "$MKIMAGE" seal "$LAYOUT" "$1/kernel.bin" &&
		$TO "$MKIMAGE" pack "$LAYOUT" "$1/kernel.bin" "$1/kernel.pack"
}

# kernel_pack ARGS...: test/lib/kernel_pack.py (the packed format, independent of
# mkimage): unpack PACKED OUT, literal IMAGE OUT, literal_at PACKED N
kernel_pack() { $TO python3 test/lib/kernel_pack.py "$@"; }

# line number of the first line matching an ERE in FILE
lineof() { grep -n -m1 -E "$2" "$1" | cut -d: -f1; }

# tree_ok SPEC GEN SCRATCH: the volume at SPEC (mtools' -i) holds exactly the
# directories and files GEN/test_files.h (mkimage gen) lists, and every
# generated file has the size and CRC-32 listed (zlib's CRC, not mkimage's) and
# the bytes `mkimage testfiles` writes
tree_ok() {
	local spec=$1 gen=$2 s=$3
	rm -rf "$s/tree" "$s/out" && mkdir -p "$s/tree" "$s/out" || return 1
	$TO "$MKIMAGE" testfiles "$LAYOUT" "$s/tree" || { echo "mkimage testfiles failed"; return 1; }
	$TO mdir -/ -b -i "$spec" :: >"$s/listing" || { echo "mdir failed"; return 1; }
	py '
import re, subprocess, sys, zlib
spec, header, listing, tree, out = sys.argv[1:6]
h = open(header).read()
def fail(s): print(s); sys.exit(1)
def block(name):
    m = re.search(r"#define %s \\\n\t\{ \\\n(.*?)\t\}\n" % name, h, re.S)
    m or fail("no %s in %s" % (name, header))
    return m.group(1)
def count(name):
    return int(re.search(r"#define %s (\d+)" % name, h).group(1))
dirs = re.findall(r"\"([^\"]+)\"", block("LAYOUT_DIRS"))
files = re.findall(r"\"([^\"]+)\"", block("LAYOUT_FILES"))
gen = [(p, int(n), int(c, 16)) for p, n, c in
       re.findall(r"\{ \"([^\"]+)\", (\d+), 0x([0-9A-F]{8}) \}", block("TEST_FILES"))]
(len(dirs), len(files), len(gen)) == (count("LAYOUT_DIR_COUNT"), count("LAYOUT_FILE_COUNT"),
                                      count("TEST_FILE_COUNT")) or fail("counts differ from the lists")
gen or fail("the manifest lists no generated file")
want = sorted([d + "/" for d in dirs] + files)
got = sorted(l[2:].rstrip("\n") for l in open(listing) if l.startswith("::/"))
want == got or fail("on the volume: %s; the layout: %s" % (sorted(set(got) - set(want)), sorted(set(want) - set(got))))
for i, (path, size, crc) in enumerate(gen):
    dst = "%s/%d" % (out, i)
    subprocess.run(["mcopy", "-n", "-i", spec, "::" + path, dst], timeout=60, check=True)
    b = open(dst, "rb").read()
    len(b) == size or fail("%s: %d bytes on the volume, the manifest says %d" % (path, len(b), size))
    zlib.crc32(b) == crc or fail("%s: CRC-32 0x%08X, the manifest says 0x%08X" % (path, zlib.crc32(b), crc))
    b == open(tree + path, "rb").read() or fail("%s differs from mkimage testfiles" % path)
' "$spec" "$gen/test_files.h" "$s/listing" "$s/tree" "$s/out"
}

# tree_check_fails SPEC GEN SCRATCH: tree_ok catches a changed byte and a
# missing file, on a copy of the volume's image (SPEC is IMAGE or IMAGE@@OFF)
tree_check_fails() {
	local spec=$1 gen=$2 s=$3 img=${1%@@*} off=
	[ "$img" != "$spec" ] && off=@@${spec#*@@}
	local big
	big=$(sed -n 's/.*{ "\([^"]*\)", \([0-9]*\), .*/\2 \1/p' "$gen/test_files.h" | sort -n | tail -1 | cut -d' ' -f2)
	cp "$img" "$s/bad.img" && $TO mcopy -n -i "$spec" "::$big" "$s/big" || return 1
	printf '\x01' | dd of="$s/big" bs=1 seek=1000 conv=notrunc status=none
	$TO mcopy -o -i "$s/bad.img$off" "$s/big" "::$big" || return 1
	if tree_ok "$s/bad.img$off" "$gen" "$s" >/dev/null; then echo "a changed byte in $big passed"; return 1; fi
	cp "$img" "$s/bad.img" && $TO mdel -i "$s/bad.img$off" "::$big" || return 1
	if tree_ok "$s/bad.img$off" "$gen" "$s" >/dev/null; then echo "a missing $big passed"; return 1; fi
	return 0
}
