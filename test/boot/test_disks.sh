# test_disks.sh: the kernel reaches its disks through the BIOS. The test
# kernel's disk suite (kernel/tests/test_disk.c: the BIOS call's state, every
# file of the test tree against the build's CRC-32s, the cache's counters) on
# every medium the loader boots from; the boot log's disk and volume lines; a
# scratch disk written and read back; read errors from QEMU's blkdebug named
# and survived; a damaged volume refused; a file mcopy'd into the image read
# without a rebuild; and no write to the boot image in any of it.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/disks
mkdir -p "$T"
rm -f "$T"/*.log "$T"/*.img "$T"/*.qemu

PART_LBA=$(layout_value HDD_PART_LBA)
SECTOR=$(layout_value SECTOR_SIZE)
HDD_SECTORS=$(layout_value HDD_SECTORS)
SWAP_ENTRY=$(layout_value HDD_SWAP_ENTRY) SWAP_LBA=$(layout_value HDD_SWAP_LBA)
SWAP_LAST=$((SWAP_LBA + $(layout_value HDD_SWAP_SECTORS) - 1))
SCRATCH_SIGNATURE=0x48435253 # kernel/tests/test_disk.c: SCRATCH_SIGNATURE, SCRATCH_FIRST, _SECTORS
SCRATCH_FIRST=100
SCRATCH_SECTORS=300

kernel_image "$T/disk.img" kernel-test "test=disk"
cp "$BUILD/floppy.img" "$T/floppy.img"
mcopy -o -i "$T/floppy.img" "$BUILD/kernel-test.bin" ::KERNEL.BIN
printf 'test=disk\n' >"$T/floppy.cfg"
mcopy -o -i "$T/floppy.img" "$T/floppy.cfg" ::BOOT.CFG
HDD_SUM=$(md5sum <"$T/disk.img")
FDD_SUM=$(md5sum <"$T/floppy.img")

usb() { # CONTROLLER IMAGE
	echo -device "$1,id=usbc" -drive "if=none,id=stick,format=raw,file=$2" \
		-device "usb-storage,bus=usbc.0,drive=stick,bootindex=0"
}

# suite NAME QEMU-ARGS...: boots with the disk suite, in the background
suite() {
	local name=$1
	shift
	boot_until "$T/$name.log" "^# vlsos-ktest:" 150 -accel tcg -m 64 "$@" &
}

# The media, side by side (each boot is independent; two at a time on two cores);
# q35 with -cpu max: PAE tables and NX, which the trampoline must get past
# copy NAME: a copy of the test image for one boot (QEMU locks an image it has open)
copy() { cp "$T/disk.img" "$T/$1.img"; echo "$T/$1.img"; }
suite hda-pc -machine pc -drive "file=$(copy hda-pc),format=raw,if=ide"
suite hda-q35 -machine q35 -cpu max -drive "file=$(copy hda-q35),format=raw,if=ide"
wait
# shellcheck disable=SC2046
suite usb-ehci $(usb usb-ehci "$(copy usb-ehci)")
# shellcheck disable=SC2046
suite usb-xhci $(usb qemu-xhci "$(copy usb-xhci)")
wait
suite floppy -drive "file=$T/floppy.img,format=raw,if=floppy" -boot a
# A scratch disk the suite writes: its own MBR signature, nothing else on it
python3 - "$T/scratch.img" "$SCRATCH_SIGNATURE" <<'EOF'
import struct, sys
with open(sys.argv[1], "wb") as f:
    mbr = bytearray(512)
    mbr[440:444] = struct.pack("<I", int(sys.argv[2], 16))
    mbr[510:512] = b"\x55\xaa"
    f.write(mbr + bytes(2 * 1024 * 1024 - 512))
EOF
suite scratch -drive "file=$(copy scratch-boot),format=raw,if=ide,index=0" \
	-drive "file=$T/scratch.img,format=raw,if=ide,index=1"
wait

# ktap_ok LOG: every disk case passed (SKIP allowed) and QEMU left with "passed"
ktap_ok() {
	grep -q '^# vlsos-ktest: 1 suites passed, 0 failed' "$1" && ! grep -q '^    not ok' "$1" &&
		! grep -q PANIC "$1"
}
for m in hda-pc hda-q35 usb-ehci usb-xhci floppy scratch; do
	tap_check "disk suite passes: $m" \
		"$(grep -E '^    not ok|^    # |PANIC' "$T/$m.log" | head -4 | tr '\n' ' ')" ktap_ok "$T/$m.log"
done
tap_check "every test file was read and checked on every medium (no SKIP)" \
	"$(grep -l 'every_test_file_matches_its_crc # SKIP' "$T"/*.log | head -2)" \
	bash -c "! grep -q 'every_test_file_matches_its_crc # SKIP' '$T'/{hda-pc,hda-q35,usb-ehci,usb-xhci,floppy}.log"

# The boot log names the disk, its partitions and the one it mounted.
tap_check "hda: the boot log names hd0 as the boot disk, its swap partition, and mounts hd0p1 (FAT16)" \
	"$(grep -E '^  hd0|^Boot volume' "$T/hda-pc.log" | tr '\n' ' ')" \
	bash -c "grep -qE '^  hd0 +80h EDD, $HDD_SECTORS sectors .*, boot disk$' '$T/hda-pc.log' &&
		grep -qE '^  hd0p1 +type 06h, sectors $PART_LBA-' '$T/hda-pc.log' &&
		grep -qE '^  hd0p$SWAP_ENTRY +type 82h, sectors $SWAP_LBA-$SWAP_LAST ' '$T/hda-pc.log' &&
		grep -qE '^Boot volume: hd0p1, FAT16 \"VLSOS\", [0-9]+ sectors, mounted read-only$' '$T/hda-pc.log'"
tap_check "floppy: fd0 is the boot disk (CHS), its whole disk the FAT12 volume" \
	"$(grep -E '^  fd0|^Boot volume' "$T/floppy.log" | tr '\n' ' ')" \
	bash -c "grep -qE '^  fd0 +00h CHS 80/2/18, 2880 sectors .*, boot disk$' '$T/floppy.log' &&
		grep -qE '^Boot volume: fd0, FAT12 \"VLSOS\"' '$T/floppy.log'"
tap_check "USB (xHCI): the stick is hd0 and hd0p1 is mounted" "$(grep '^Boot volume' "$T/usb-xhci.log")" \
	grep -qE '^Boot volume: hd0p1, FAT16' "$T/usb-xhci.log"
tap_check "scratch disk: listed as hd1 with its signature, not taken for the boot disk" \
	"$(grep -E '^  hd1|^Boot volume' "$T/scratch.log" | tr '\n' ' ')" \
	bash -c "grep -qE '^  hd1 +81h EDD, 4096 sectors .*, signature 48435253$' '$T/scratch.log' &&
		grep -qE '^Boot volume: hd0p1' '$T/scratch.log'"

# The scratch disk holds what the kernel wrote, and nothing else changed on it.
tap_check "scratch disk: sectors $SCRATCH_FIRST-$((SCRATCH_FIRST + SCRATCH_SECTORS - 1)) hold the kernel's pattern, the rest untouched" \
	"$(grep 'scratch disk' "$T/scratch.log")" python3 - "$T/scratch.img" "$SCRATCH_FIRST" "$SCRATCH_SECTORS" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
first, count = int(sys.argv[2]), int(sys.argv[3])
for lba in range(len(data) // 512):
    sector = data[lba * 512:(lba + 1) * 512]
    if first <= lba < first + count:
        want = bytes((lba * 7 + i * 13 + (i >> 8)) & 0xFF for i in range(512))
    elif lba == 0:
        continue
    else:
        want = bytes(512)
    if sector != want:
        sys.exit(f"sector {lba} differs")
EOF

# Read errors: blkdebug fails every read of one sector of a test file (EIO:
# SeaBIOS answers status 0Ch). The suite reports the file's error naming the
# device, the sector and the status, the other files still check, no PANIC.
BAD_FILE=/TEST/SUB/BIG.BIN # disk.img.layout's largest generated file
mcopy -o -i "$T/disk.img@@$((PART_LBA * SECTOR))" "::$BAD_FILE" "$T/bad_file.bin"
BAD_LBA=$(python3 test/lib/file_lba.py "$T/disk.img" "$T/bad_file.bin")
for mode in once always; do
	blkdebug_conf "$T/blkdebug-$mode.conf" "$BAD_LBA" "$mode"
	boot_until "$T/eio-$mode.log" "^# vlsos-ktest:" 150 -accel tcg -m 64 \
		-drive "file=blkdebug:$T/blkdebug-$mode.conf:$(copy "eio-$mode"),format=raw,if=ide" &
done
wait
tap_check "blkdebug once on $BAD_FILE (LBA $BAD_LBA): retried, every file checks" \
	"$(grep -E '^    not ok|^    # ' "$T/eio-once.log" | head -3 | tr '\n' ' ')" ktap_ok "$T/eio-once.log"
tap_check "blkdebug once: the retry is counted" "$(grep '# hd0:' "$T/eio-once.log")" \
	grep -qE '^    # hd0: [0-9]+ calls, [1-9][0-9]* retries, 0 failures' "$T/eio-once.log"
tap_check "blkdebug always: the error names the file, device, sector and BIOS status" \
	"$(grep -E "^    # $BAD_FILE" "$T/eio-always.log" | head -1)" \
	grep -qE "^    # $BAD_FILE: hd0p1: read of sector $BAD_LBA failed after 3 tries: BIOS status 0x0c" "$T/eio-always.log"
tap_check "blkdebug always: only that file fails; the suite goes on, no PANIC" \
	"$(grep -E '^    not ok|PANIC' "$T/eio-always.log" | tr '\n' ' ')" \
	bash -c "[ \"\$(grep -c '^    not ok' '$T/eio-always.log')\" = 1 ] &&
		grep -q '^    not ok [0-9]* every_test_file_matches_its_crc' '$T/eio-always.log' &&
		grep -q '^    ok [0-9]* scratch_disk_writes_read_back' '$T/eio-always.log' && ! grep -q PANIC '$T/eio-always.log'"

# A damaged volume is refused by name and the kernel goes on: a BPB whose
# volume is larger than its partition (which the loader does not need to know)
kernel_image "$T/badbpb.img" kernel ""
printf '\x40\x9c' | dd of="$T/badbpb.img" bs=1 seek=$((PART_LBA * SECTOR + 0x13)) conv=notrunc status=none
boot_until "$T/badbpb.log" "^VlsOs ready|PANIC|BOOT ERROR" 90 -accel tcg -m 64 \
	-drive "file=$T/badbpb.img,format=raw,if=ide"
tap_check "a BPB of 40000 sectors on a smaller partition: not mounted, named, boot goes on" \
	"$(grep -E '^Boot volume|PANIC|ERROR|^VlsOs' "$T/badbpb.log" | tr '\n' ' ')" \
	bash -c "grep -qE '^Boot volume: hd0p1 not mounted: bad BPB: volume of 40000 sectors larger than its device' '$T/badbpb.log' &&
		grep -q '^VlsOs ready' '$T/badbpb.log'"

# A file copied into the image with mcopy after the build is read by the kernel.
head -c 70000 /dev/urandom >"$T/extra.bin"
mcopy -o -i "$T/disk.img@@$((PART_LBA * SECTOR))" "$T/extra.bin" ::EXTRA.BIN
want=$(python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()))' "$T/extra.bin")
printf 'test=disk file=/EXTRA.BIN\n' >"$T/extra.cfg"
mcopy -o -i "$T/disk.img@@$((PART_LBA * SECTOR))" "$T/extra.cfg" ::BOOT.CFG
boot_until "$T/extra.log" "^# vlsos-ktest:" 150 -accel tcg -m 64 \
	-drive "file=$T/disk.img,format=raw,if=ide"
tap_check "a file mcopy'd in after the build: the kernel reads it (CRC-32 $want, 70000 bytes)" \
	"$(grep '# file /EXTRA.BIN' "$T/extra.log")" \
	grep -qi "^    # file /EXTRA.BIN: 70000 bytes, CRC-32 $want$" "$T/extra.log"

# The boot images every boot above had are byte for byte what they were.
changed=
for img in hda-pc hda-q35 usb-ehci usb-xhci scratch-boot eio-once eio-always; do
	[ "$(md5sum <"$T/$img.img")" = "$HDD_SUM" ] || changed="$changed $img.img"
done
[ "$(md5sum <"$T/floppy.img")" = "$FDD_SUM" ] || changed="$changed floppy.img"
tap_check "no boot changed a byte of its boot image" "changed:$changed" [ -z "$changed" ]

# No writes to a boot image: QEMU's own counters after a full boot and every
# in-kernel suite, with the image writable, the test kernel told to stay.
printf 'test stay\n' >"$T/stay.cfg"
mcopy -o -i "$T/disk.img@@$((PART_LBA * SECTOR))" "$T/stay.cfg" ::BOOT.CFG
STAY_SUM=$(md5sum <"$T/disk.img")
rm -f "$T/mon.sock"
qemu-system-i386 -display none -no-reboot -nodefaults -vga std -accel tcg -m 64 \
	-monitor "unix:$T/mon.sock,server=on,wait=off" -serial "file:$T/stay.log" \
	-drive "file=$T/disk.img,format=raw,if=ide" >"$T/stay.qemu" 2>&1 &
qemu_pid=$!
for _ in $(seq 1500); do
	grep -q '^ktest: staying' "$T/stay.log" 2>/dev/null && break
	kill -0 "$qemu_pid" 2>/dev/null || break
	sleep 0.1
done
stats=$(timeout 10 python3 test/lib/monitor.py "$T/mon.sock" 'info blockstats')
kill "$qemu_pid" 2>/dev/null
wait "$qemu_pid" 2>/dev/null
tap_check "QEMU block statistics: zero writes to the boot image after boot and every suite" \
	"$(echo "$stats" | grep -E 'wr_operations|rd_operations' | head -2 | tr '\n' ' ')" \
	bash -c "grep -q '^ktest: staying' '$T/stay.log' && echo '$stats' | grep -q 'rd_operations=[1-9]' &&
		echo '$stats' | grep -q 'wr_operations=0 ' && ! echo '$stats' | grep -q 'wr_operations=[1-9]'"
tap_check "... and the image is byte for byte what it was" "" [ "$(md5sum <"$T/disk.img")" = "$STAY_SUM" ]
tap_done
