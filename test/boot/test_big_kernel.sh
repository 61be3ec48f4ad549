# test_big_kernel.sh: the loader follows a fragmented cluster chain, skips
# deleted and long-name directory entries, and loads kernels far over 640 KiB,
# up to the exact size that still leaves .bss below the heap; one byte more is
# refused; one whose size is not a whole number of dwords is checked to its last
# byte. Also: "crash" on the command line gives the exception PANIC line.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/big
mkdir -p "$T"
OFFSET=$(($(layout_value HDD_PART_LBA) * $(layout_value SECTOR_SIZE)))
KERNEL_REGION=$(($(layout_value REGION_KERNEL_SIZE)))

# pad_kernel OUT TOTAL: KERNEL.BIN grown to TOTAL bytes of image (random tail),
# header image_size and CRC-32 redone the way mkimage seal does them.
pad_kernel() {
	python3 - "$BUILD/kernel.bin" "$1" "$2" "$KERNEL_REGION" <<'PY'
import os, struct, sys, zlib
k = bytearray(open(sys.argv[1], "rb").read())
total, region = int(sys.argv[3]), int(sys.argv[4])
bss = struct.unpack_from("<I", k, 20)[0]
if total < 0:               # negative: the largest image that leaves room for .bss, plus -total-1
    total = region - bss + (-total - 1)
k += os.urandom(total - len(k))
struct.pack_into("<I", k, 16, total)
struct.pack_into("<I", k, 24, 0)
struct.pack_into("<I", k, 24, zlib.crc32(k) & 0xFFFFFFFF)
open(sys.argv[2], "wb").write(k)
PY
}

# Fragment the volume: 40 small files with long names, delete every other one,
# then write the big kernel, which has to fill the holes first.
cp "$BUILD/disk.img" "$T/frag.img"
mdel -i "$T/frag.img@@$OFFSET" ::KERNEL.BIN
for i in $(seq 1 40); do
	head -c 6000 /dev/urandom >"$T/filler"
	mcopy -i "$T/frag.img@@$OFFSET" "$T/filler" "::a long file name number $i.dat"
done
for i in $(seq 1 2 40); do mdel -i "$T/frag.img@@$OFFSET" "::a long file name number $i.dat"; done
pad_kernel "$T/big.bin" $((900 * 1024))
mcopy -i "$T/frag.img@@$OFFSET" "$T/big.bin" ::KERNEL.BIN
fragments=$(python3 - "$T/frag.img" "$OFFSET" <<'PY'
import struct, sys
f = open(sys.argv[1], "rb"); off = int(sys.argv[2]); f.seek(off); b = f.read(512)
bps, spc, res, nf, roots, _, _, fsz = struct.unpack_from("<HBHBHHBH", b, 11)
fat = off + res * bps; root = fat + nf * fsz * bps
f.seek(root); r = f.read(roots * 32)
for i in range(0, len(r), 32):
    if r[i:i+11] == b"KERNEL  BIN": c = struct.unpack_from("<H", r, i + 26)[0]
f.seek(fat); t = f.read(fsz * bps); runs = 1
while True:
    n = struct.unpack_from("<H", t, 2 * c)[0]
    if n >= 0xFFF8: break
    runs += n != c + 1; c = n
print(runs)
PY
)
tap_check "fragmented image: KERNEL.BIN lies in several runs" "only $fragments run(s)" [ "$fragments" -ge 5 ]
boot_until "$T/frag.log" "^VlsOs ready|BOOT ERROR|PANIC" 90 -accel tcg -m 64 -drive "file=$T/frag.img,format=raw,if=ide"
tap_check "900 KiB fragmented kernel boots" "$(grep -E 'ERROR|PANIC' "$T/frag.log")" grep -q "^VlsOs ready" "$T/frag.log"
tap_check "900 KiB kernel read in several large reads" "$(grep '^kernel:' "$T/frag.log")" \
	grep -qE "^kernel: KERNEL.BIN 921600 bytes in ([2-9]|[1-9][0-9]) (INT 13h|ATA) reads" "$T/frag.log"

pad_kernel "$T/max.bin" -1
image_with_files "$T/max.img" "KERNEL.BIN=$T/max.bin"
boot_until "$T/max.log" "^VlsOs ready|BOOT ERROR|PANIC" 90 -accel tcg -m 64 -drive "file=$T/max.img,format=raw,if=ide"
tap_check "kernel of the largest size that fits below the heap boots" \
	"$(grep -E 'ERROR|PANIC' "$T/max.log")" grep -q "^VlsOs ready" "$T/max.log"
pad_kernel "$T/over.bin" -2
image_with_files "$T/over.img" "KERNEL.BIN=$T/over.bin"
boot_until "$T/over.log" "BOOT ERROR|^VlsOs ready" 90 -accel tcg -m 64 -drive "file=$T/over.img,format=raw,if=ide"
tap_check "one byte more is refused" "$(tail -1 "$T/over.log")" \
	grep -q "^BOOT ERROR: bad kernel: KERNEL.BIN with its .bss would reach the heap" "$T/over.log"

# The CRC-32 takes the image a dword at a time and its last 1-3 bytes one by
# one (a linked image is a whole number of dwords; these are made one byte
# past): with those bytes right it boots, with the last one changed it stops.
python3 - "$BUILD/kernel.bin" "$T" <<'PY'
import struct, sys, zlib
k, out = open(sys.argv[1], "rb").read(), sys.argv[2]
def sealed(image):
    b = bytearray(image)
    struct.pack_into("<I", b, 16, len(b))
    struct.pack_into("<I", b, 24, 0)
    struct.pack_into("<I", b, 24, zlib.crc32(b) & 0xFFFFFFFF)
    return bytes(b)
tail = sealed(k + b"\x5a\xa5\x3c")
open(out + "/tail.bin", "wb").write(tail)
open(out + "/tailbad.bin", "wb").write(tail[:-1] + b"\x3d")
PY
image_with_files "$T/tail.img" "KERNEL.BIN=$T/tail.bin"
boot_until "$T/tail.log" "^VlsOs ready|BOOT ERROR|PANIC" 60 -accel tcg -m 64 -drive "file=$T/tail.img,format=raw,if=ide"
tap_check "a kernel of a whole number of dwords plus 3 bytes boots (its CRC-32 is right)" \
	"$(grep -E 'ERROR|PANIC|^kernel:' "$T/tail.log")" grep -q "^VlsOs ready" "$T/tail.log"
image_with_files "$T/tailbad.img" "KERNEL.BIN=$T/tailbad.bin"
boot_until "$T/tailbad.log" "BOOT ERROR|^VlsOs ready" 60 -accel tcg -m 64 -drive "file=$T/tailbad.img,format=raw,if=ide"
tap_check "its last byte changed is a CRC-32 mismatch" "$(grep -E 'ERROR|ready' "$T/tailbad.log")" \
	grep -q "^BOOT ERROR: bad kernel: KERNEL.BIN CRC-32 mismatch" "$T/tailbad.log"

printf 'crash\n' >"$T/crash.cfg"
image_with_files "$T/crash.img" "BOOT.CFG=$T/crash.cfg"
boot_until "$T/crash.log" "CR3" 60 -accel tcg -m 64 -drive "file=$T/crash.img,format=raw,if=ide"
tap_check "exception PANIC names the exception, error code, EIP and CR2" "$(grep PANIC "$T/crash.log")" \
	grep -qE "^PANIC: CPU exception 6 \(invalid opcode\), error code 00000000, EIP 001[0-9a-f]{5}, CR2 [0-9a-f]{8}" "$T/crash.log"
tap_check "exception PANIC shows the registers" "no register lines" \
	bash -c "grep -qE '^  EAX [0-9a-f]{8} EBX' '$T/crash.log' && grep -qE '^  CS 0008 EFLAGS' '$T/crash.log'"
tap_check "exception PANIC halts (no reboot)" "QEMU $QEMU_STATUS" [ "$QEMU_STATUS" = running ]
tap_done
