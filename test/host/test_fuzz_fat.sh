#!/usr/bin/env bash
# test_fuzz_fat.sh: builds test/fuzz/fuzz_fat.c with kernel/fs/fat.c under clang's
# libFuzzer, ASan and UBSan, and runs it for FUZZ_SECONDS (default 20) or FUZZ_RUNS
# inputs, from seeds made here: small volumes from mkfs.fat and mtools (FAT12, FAT16,
# FAT32; directories, long names, a fragmented file, one chain made to loop), each
# turned into the target's sparse input (the device's size, then its non-zero
# sectors). TAP: ok only when the fuzzer ran to its limit and found nothing.
# Scratch files go to $BUILD/tmp.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1

BUILD=${BUILD:-$ROOT/build}
T=$BUILD/tmp/fuzz_fat
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_RUNS=${FUZZ_RUNS:-5000000}
FUZZ_SEED=${FUZZ_SEED:-1}
NAME="fuzz_fat: ${FUZZ_SECONDS}s of libFuzzer on the FAT reader"
export LC_ALL=C.UTF-8 MTOOLS_SKIP_CHECK=1
. test/lib/fuzz.sh

mkdir -p "$T" || fail "cannot create $T"
fuzz_need_clang
for tool in mkfs.fat mmd mcopy mdel python3; do
	command -v $tool >/dev/null || fail "$tool is not installed"
done

if ! timeout 300 clang -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-DLIB_HOST -Iinclude -Ilib test/fuzz/fuzz_fat.c kernel/fs/fat.c lib/string.c lib/format.c \
	-o "$T/fuzz_fat" >"$T/build.log" 2>&1; then
	sed 's/^/# /' "$T/build.log"
	fail "does not compile"
fi

# sparse IMAGE OUT: the target's input for an image: its size in sectors, then a
# record (sector number, sector) for each sector that is not all zeros
sparse() {
	timeout 60 python3 - "$1" "$2" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
out = [struct.pack("<I", len(data) // 512)]
for lba in range(len(data) // 512):
    s = data[lba * 512:(lba + 1) * 512]
    if s.count(0) != 512:
        out.append(struct.pack("<I", lba) + s)
open(sys.argv[2], "wb").write(b"".join(out))
EOF
}

# seed NAME KIB MKFS_ARGS...: a volume with a small tree, as a seed
seed() {
	local name=$1 kib=$2 img=$T/$1.img f
	shift 2
	rm -f "$img"
	timeout 60 mkfs.fat -C "$@" "$img" "$kib" >/dev/null 2>&1 || return 1
	timeout 20 mmd -i "$img" ::/BIN ::/DOCS "::/DOCS/Sub dir" || return 1
	head -c 3000 /dev/urandom >"$T/SH"
	echo "read me" >"$T/README.TXT"
	echo "a long name" >"$T/A long file name.text"
	echo "lower" >"$T/lower.txt"
	timeout 20 mcopy -i "$img" "$T/SH" ::/BIN/ || return 1
	timeout 20 mcopy -i "$img" "$T/README.TXT" "$T/A long file name.text" "$T/lower.txt" :: || return 1
	timeout 20 mcopy -i "$img" "$T/lower.txt" "::/DOCS/Sub dir/" || return 1
	# a fragmented file: small ones, every other deleted, a larger one into the holes
	for f in 1 2 3 4 5 6; do head -c $((f * 300)) /dev/urandom >"$T/F$f"; done
	timeout 20 mcopy -i "$img" "$T"/F[1-6] ::/DOCS/ || return 1
	timeout 20 mdel -i "$img" ::/DOCS/F2 ::/DOCS/F4 || return 1
	head -c 5000 /dev/urandom >"$T/Fragmented.bin"
	timeout 20 mcopy -i "$img" "$T/Fragmented.bin" ::/DOCS/ || return 1
	sparse "$img" "$T/corpus/$name"
}

rm -rf "$T/corpus" "$T"/crash-* "$T"/leak-* "$T"/timeout-* "$T"/oom-*
mkdir -p "$T/corpus"
seed fat12 1440 -F 12 -s 1 || fail "cannot make the FAT12 seed"
seed fat12-s4 2000 -F 12 -s 4 -f 1 || fail "cannot make the second FAT12 seed"
seed fat16 10240 -F 16 -s 4 || fail "cannot make the FAT16 seed"
seed fat32 40000 -F 32 -s 1 || fail "cannot make the FAT32 seed"
# the FAT12 seed with /BIN/SH's chain turned back on itself (its second cluster's
# entry, at byte 1.5 * cluster of the first FAT, points to its first)
timeout 60 python3 - "$T/fat12.img" "$T/loop.img" <<'EOF' || fail "cannot make the loop seed"
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
fat = 512  # one reserved sector
def entry(c):
    v = struct.unpack_from("<H", d, fat + c * 3 // 2)[0]
    return v >> 4 if c & 1 else v & 0xFFF
root = (1 + 2 * d[22]) * 512
bin_cluster = next(struct.unpack_from("<H", d, root + i * 32 + 26)[0] for i in range(224)
                   if d[root + i * 32:root + i * 32 + 11] == b"BIN        ")
at = 512 * (1 + 2 * d[22] + 14 + bin_cluster - 2)
sh = next(struct.unpack_from("<H", d, at + i * 32 + 26)[0] for i in range(16)
          if d[at + i * 32:at + i * 32 + 11] == b"SH         ")
second = entry(sh)
o = fat + second * 3 // 2
v = struct.unpack_from("<H", d, o)[0]
v = (v & 0xF) | sh << 4 if second & 1 else (v & 0xF000) | sh
struct.pack_into("<H", d, o, v)
open(sys.argv[2], "wb").write(d)
EOF
sparse "$T/loop.img" "$T/corpus/loop"

fuzz_run fuzz_fat 65536 -timeout=10
