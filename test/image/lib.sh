# lib.sh: shared helpers for test/image/test_*.sh (sourced, not run).
# TAP output: `ok N - name` / `not ok N - name: detail`, plan at the end.
# Every external command is bounded by `timeout`.

set -u
# a watchdog over the whole script, on top of `timeout` on each tool run
if [ -z "${IMAGE_TEST_WATCHDOG:-}" ]; then
	IMAGE_TEST_WATCHDOG=1 exec timeout 600 bash "$0" "$@"
fi
BUILD=${BUILD:-$PWD/build}
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

# make_fixture DIR: stand-in loader files for building images in DIR
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
' "$1" && make_kernel "$1/kernel.bin" 4000 0x1000 && $TO "$MKIMAGE" seal "$LAYOUT" "$1/kernel.bin"
}

# line number of the first line matching an ERE in FILE
lineof() { grep -n -m1 -E "$2" "$1" | cut -d: -f1; }
