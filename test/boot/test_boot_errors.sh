# test_boot_errors.sh: every kind of bad input (a plain KERNEL.BIN damaged, the
# packed one the build ships damaged, BOOT.CFG, the FAT chain, stage 2's
# sectors, disk errors, too little RAM) stops the boot with a message that
# names the problem ("BOOT ERROR:" from the loader, "PANIC:" from the
# kernel), the machine stays halted (no reboot, no second banner), and the
# image is not changed by the boot.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/errors
mkdir -p "$T"
PART_OFFSET=$(($(layout_value HDD_PART_LBA) * $(layout_value SECTOR_SIZE)))
KH_BSS_SIZE=20   # include/kernel_header.h: offsetof(struct kernel_header, bss_size)

# expect_stop NAME IMAGE PATTERN [QEMU-ARGS...]
expect_stop() {
	local name=$1 image=$2 pattern=$3 before
	shift 3
	before=$(md5sum <"$image")
	boot_until "$T/$name.log" "$pattern" 60 -accel tcg -drive "file=$image,format=raw,if=ide" "$@"
	if ! grep -qE -- "$pattern" "$T/$name.log"; then
		tap_fail "$name: message" "wanted /$pattern/, got: $(grep -E 'ERROR|PANIC' "$T/$name.log" | head -2)"
	else
		tap_ok "$name: message"
	fi
	tap_check "$name: halted, no reboot" "QEMU $QEMU_STATUS, $(grep -c 'VlsOs loader' "$T/$name.log") banners" \
		bash -c "[ '$QEMU_STATUS' = running ] && [ \$(grep -c 'VlsOs loader' '$T/$name.log') -le 1 ]"
	tap_check "$name: image unchanged" "the boot changed $image" [ "$(md5sum <"$image")" = "$before" ]
}

python3 - "$BUILD/kernel.bin" "$T" "$KH_BSS_SIZE" <<'PY'
import struct, sys
kernel, out, bss_off = open(sys.argv[1], "rb").read(), sys.argv[2], int(sys.argv[3])
def write(name, data):
    open(f"{out}/{name}", "wb").write(data)
mid = len(kernel) // 2
write("flipped.bin", kernel[:mid] + bytes([kernel[mid] ^ 0x40]) + kernel[mid + 1:])
write("magic.bin", b"ELF!" + kernel[4:])
write("truncated.bin", kernel[:-100])
write("bigbss.bin", kernel[:bss_off] + struct.pack("<I", 0x100000) + kernel[bss_off + 4:])
write("empty.bin", b"")
write("cfg_long.cfg", b"a" * 300)
write("cfg_binary.cfg", b"test\x01\x02")
PY

# The packed KERNEL.BIN the build ships (build/kernel.pack), damaged: its
# stream cut short (the header made to agree), a byte past its stream, a
# literal byte of the image flipped (only the image's CRC-32 can tell), an image
# too big to unpack below the file, the reserved field set, and a file shorter
# than the packed header.
FLIP_AT=$(python3 test/lib/kernel_pack.py literal_at "$BUILD/kernel.pack" 20000)
python3 - "$BUILD/kernel.pack" "$T" "$FLIP_AT" <<'PY'
import struct, sys
packed, out, flip = open(sys.argv[1], "rb").read(), sys.argv[2], int(sys.argv[3])
def write(name, data):
    open(f"{out}/{name}", "wb").write(data)
def with_field(data, offset, value):
    b = bytearray(data); struct.pack_into("<I", b, offset, value); return bytes(b)
cut = packed[:-100]
write("p_cut.bin", with_field(cut, 8, len(cut) - 16))
write("p_padded.bin", packed + b"\0")
write("p_flipped.bin", packed[:flip] + bytes([packed[flip] ^ 0x01]) + packed[flip + 1:])
write("p_huge.bin", with_field(packed, 4, 0xF0000))
write("p_reserved.bin", with_field(packed, 12, 1))
write("p_short.bin", packed[:8])
PY
PACKED_STREAM=$(($(stat -c %s "$BUILD/kernel.pack") - 16))

mk() { image_with_files "$T/$1.img" "${@:2}"; }

mk nokernel "KERNEL.BIN=-"
expect_stop nokernel "$T/nokernel.img" "^BOOT ERROR: no kernel: KERNEL.BIN is not in the root directory"
mk crc "KERNEL.BIN=$T/flipped.bin"
expect_stop crc "$T/crc.img" "^BOOT ERROR: bad kernel: KERNEL.BIN CRC-32 mismatch: header says [0-9A-F]{8}h, image gives [0-9A-F]{8}h"
mk magic "KERNEL.BIN=$T/magic.bin"
expect_stop magic "$T/magic.img" "^BOOT ERROR: bad kernel: KERNEL.BIN has magic 21464C45h, not a VlsOs kernel"
mk truncated "KERNEL.BIN=$T/truncated.bin"
KSIZE=$(stat -c %s "$BUILD/kernel.bin")
expect_stop truncated "$T/truncated.img" \
	"^BOOT ERROR: bad kernel: KERNEL.BIN is $((KSIZE - 100)) bytes but its header says $KSIZE \(truncated or padded\)"
mk bigbss "KERNEL.BIN=$T/bigbss.bin"
expect_stop bigbss "$T/bigbss.img" "^BOOT ERROR: bad kernel: KERNEL.BIN with its .bss would reach the heap at 00200000h"
mk empty "KERNEL.BIN=$T/empty.bin"
expect_stop empty "$T/empty.img" "^BOOT ERROR: bad kernel: KERNEL.BIN is empty"
mk p_cut "KERNEL.BIN=$T/p_cut.bin"
expect_stop p_cut "$T/p_cut.img" \
	"^BOOT ERROR: bad kernel: KERNEL.BIN's packed stream is damaged at byte [0-9]+ of $((PACKED_STREAM - 100))"
mk p_padded "KERNEL.BIN=$T/p_padded.bin"
expect_stop p_padded "$T/p_padded.img" \
	"^BOOT ERROR: bad kernel: KERNEL.BIN's packed header says a stream of $PACKED_STREAM bytes, the file holds $((PACKED_STREAM + 1)) \(truncated or padded\)"
mk p_flipped "KERNEL.BIN=$T/p_flipped.bin"
expect_stop p_flipped "$T/p_flipped.img" \
	"^BOOT ERROR: bad kernel: KERNEL.BIN CRC-32 mismatch: header says [0-9A-F]{8}h, image gives [0-9A-F]{8}h"
mk p_huge "KERNEL.BIN=$T/p_huge.bin"
expect_stop p_huge "$T/p_huge.img" \
	"^BOOT ERROR: bad kernel: KERNEL.BIN unpacks to 983040 bytes; the kernel region has [0-9]+ below the packed file"
mk p_reserved "KERNEL.BIN=$T/p_reserved.bin"
expect_stop p_reserved "$T/p_reserved.img" "^BOOT ERROR: bad kernel: KERNEL.BIN's packed header has a non-zero reserved field"
mk p_short "KERNEL.BIN=$T/p_short.bin"
expect_stop p_short "$T/p_short.img" "^BOOT ERROR: bad kernel: KERNEL.BIN is packed but shorter than its header"
mk cfglong "BOOT.CFG=$T/cfg_long.cfg"
expect_stop cfglong "$T/cfglong.img" "^BOOT ERROR: BOOT.CFG is 300 bytes; the kernel command line holds at most 255"
mk cfgbinary "BOOT.CFG=$T/cfg_binary.cfg"
expect_stop cfgbinary "$T/cfgbinary.img" "^BOOT ERROR: BOOT.CFG is not text: byte 01h at offset 4"

for action in free loop short; do
	mk "chain_$action"
	python3 test/lib/fatpatch.py "$T/chain_$action.img" "$PART_OFFSET" "$action"
done
expect_stop chain_free "$T/chain_free.img" "^BOOT ERROR: KERNEL.BIN: (free|bad or out-of-range) cluster"
expect_stop chain_loop "$T/chain_loop.img" "^BOOT ERROR: KERNEL.BIN: cluster chain goes on past the file size"
expect_stop chain_short "$T/chain_short.img" "^BOOT ERROR: KERNEL.BIN: cluster chain ends before the file size"

cp "$BUILD/disk.img" "$T/nostage2.img"
dd if=/dev/zero of="$T/nostage2.img" bs=512 seek="$(layout_value HDD_STAGE2_LBA)" \
	count="$(layout_value HDD_STAGE2_SECTORS)" conv=notrunc status=none
expect_stop nostage2 "$T/nostage2.img" "^BOOT ERROR: stage 1: no stage 2 \(status FFh\)"

# Stage 1 reads only the sectors stage 2 occupies (build.sh's STAGE2_LOAD_SECTORS)
# and checks stage 2's header gives the same count: a stage 1 built for a
# shorter stage 2 stops instead of running into sectors it never read.
S2_SECTORS=$((($(stat -c %s "$BUILD/stage2.bin") + $(layout_value SECTOR_SIZE) - 1) / $(layout_value SECTOR_SIZE)))
nasm -f bin -DSTAGE2_LOAD_SECTORS=$((S2_SECTORS - 1)) -I"$BUILD/gen/" -Iboot/ boot/stage1_mbr.asm -o "$T/short_s1.bin"
cp "$BUILD/disk.img" "$T/s1short.img"
dd if="$T/short_s1.bin" of="$T/s1short.img" bs=440 count=1 conv=notrunc status=none # code only: keep the partition table
expect_stop s1short "$T/s1short.img" "^BOOT ERROR: stage 1: no stage 2 \(status FFh\)"
# ... and nothing after them: a sector of the area past stage 2 that cannot be
# read does not matter (blkdebug answers every read of it with EIO).
blkdebug_conf "$T/blkdebug-s2area.conf" "$(($(layout_value HDD_STAGE2_LBA) + S2_SECTORS))" always
boot_until "$T/s2area.log" "^VlsOs ready|BOOT ERROR|PANIC" 60 -accel tcg -m 64 \
	-drive "file=blkdebug:$T/blkdebug-s2area.conf:$BUILD/disk.img,format=raw,if=ide"
tap_check "stage 1 reads only the $S2_SECTORS sectors stage 2 occupies, not the whole area" \
	"$(grep -E 'ERROR|PANIC|^Loader' "$T/s2area.log")" \
	bash -c "grep -q '^VlsOs ready' '$T/s2area.log' && grep -qE '^Loader: .*, 0 retries\)' '$T/s2area.log'"

# Disk errors injected by QEMU's blkdebug on a sector of KERNEL.BIN (EIO makes
# SeaBIOS answer AH=0Ch): once, the loader retries and boots; always, it stops.
KLBA=$(python3 test/lib/kernel_lba.py "$BUILD/disk.img" "$(layout_value HDD_PART_LBA)")
BAD=$((KLBA + 5))
for mode in once always; do
	blkdebug_conf "$T/blkdebug-$mode.conf" "$BAD" "$mode"
done
boot_until "$T/eio_once.log" "^VlsOs ready|BOOT ERROR|PANIC" 60 -accel tcg -m 64 \
	-drive "file=blkdebug:$T/blkdebug-once.conf:$BUILD/disk.img,format=raw,if=ide"
tap_check "eio_once: a transient read error is retried and the boot goes on" \
	"$(grep -E 'ERROR|PANIC|^Loader' "$T/eio_once.log")" \
	bash -c "grep -q '^VlsOs ready' '$T/eio_once.log' && grep -qE '^Loader: .*, [1-9][0-9]* retries\)' '$T/eio_once.log'"
before=$(md5sum <"$BUILD/disk.img")
boot_until "$T/eio_always.log" "BOOT ERROR|^VlsOs ready" 60 -accel tcg -m 64 \
	-drive "file=blkdebug:$T/blkdebug-always.conf:$BUILD/disk.img,format=raw,if=ide"
tap_check "eio_always: a permanent read error names the LBA and BIOS status 0Ch" \
	"$(grep -E 'ERROR|ready' "$T/eio_always.log")" \
	grep -qE "^BOOT ERROR: disk read failed at LBA $KLBA \(status 0Ch\) on drive 80h" "$T/eio_always.log"
tap_check "eio_always: halted, no reboot, image unchanged" "QEMU $QEMU_STATUS" \
	bash -c "[ '$QEMU_STATUS' = running ] && [ \"\$(md5sum <'$BUILD/disk.img')\" = '$before' ]"

# 2 MiB of RAM: usable RAM ends below the seed's heap at 0x200000.
expect_stop lowmem "$BUILD/disk.img" "^PANIC: memory: the heap at 0x200000-0x2fffff is not usable RAM" -m 2
tap_done
