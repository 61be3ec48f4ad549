# test_ata.sh: stage 2's fast path (boot/ata.inc). On an IDE disk whose BIOS
# INT 13h is its own, the loader reads by ATA READ MULTIPLE on the legacy
# ports, wherever the disk sits (primary or secondary, master or slave), and
# says so; a failed ATA read hands every read from there to the BIOS and the
# boot goes on; where there is no IDE port (AHCI on q35, a USB stick) or
# INT 13h is hooked (the quirk shim), the loader reads through INT 13h only.
# (The shim case is test_quirks.sh's control_hdd: its disk line ends at "EDD
# reads".) The boots are independent and run two at a time.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/ata
mkdir -p "$T"
rm -f "$T"/*.log
READY="^VlsOs ready|BOOT ERROR|PANIC"
KLBA=$(python3 test/lib/kernel_lba.py "$BUILD/disk.img" "$(layout_value HDD_PART_LBA)")
blkdebug_conf "$T/once.conf" "$((KLBA + 20))" once

boot() { # NAME QEMU-ARGS...: boots to ready (or an error) into $T/NAME.log
	local name=$1
	shift
	boot_until "$T/$name.log" "$READY" 90 -accel tcg -m 64 "$@"
}
boot primary_master -drive "file=$BUILD/disk.img,format=raw,if=ide,index=0,snapshot=on" &
boot primary_slave -drive "file=$BUILD/disk.img,format=raw,if=ide,index=1,snapshot=on" &
wait
boot secondary_master -drive "file=$BUILD/disk.img,format=raw,if=ide,index=2,snapshot=on" &
boot eio_once -drive "file=blkdebug:$T/once.conf:$BUILD/disk.img,format=raw,if=ide,snapshot=on" &
wait
boot q35_ahci -machine q35 -drive "file=$BUILD/disk.img,format=raw,if=ide,snapshot=on" &
boot usb_stick -device usb-ehci,id=usbc -drive "if=none,id=stick,format=raw,file=$BUILD/disk.img,snapshot=on" \
	-device usb-storage,bus=usbc.0,drive=stick,bootindex=0 &
wait

lines() { grep -aE '^(disk|kernel|Loader):|ERROR|PANIC' "$T/$1.log" | tr '\n' ' '; }

# fast NAME PORT DEVICE: read by ATA PIO at PORT, as DEVICE, and ready
fast() {
	tap_check "$1: the loader reads by ATA PIO at $2h ($3) and the kernel is ready" "$(lines "$1")" \
		bash -c "grep -qE '^disk: drive 80h \(BIOS DL 80h\), EDD reads; ATA PIO $2h $3, blocks of [0-9]+$' '$T/$1.log' &&
			grep -qE '^kernel: KERNEL.BIN [0-9]+ bytes in [0-9]+ ATA reads, .* ok$' '$T/$1.log' &&
			grep -qE '^Loader: KERNEL.BIN read with [0-9]+ ATA reads \([0-9]+ sectors, 0 retries\), $2h $3$' '$T/$1.log' &&
			grep -q '^VlsOs ready' '$T/$1.log' && ! grep -qE 'ERROR|PANIC' '$T/$1.log'"
}
fast primary_master 1F0 master
fast primary_slave 1F0 slave
fast secondary_master 170 master

tap_check "primary_master: KERNEL.BIN in at most one READ MULTIPLE per 127 sectors, plus two FAT reads" \
	"$(grep -a '^Loader:' "$T/primary_master.log")" \
	python3 - "$T/primary_master.log" <<'PY'
import re, sys
text = open(sys.argv[1], errors="replace").read()
m = re.search(r"^Loader: KERNEL.BIN read with (\d+) ATA reads \((\d+) sectors, 0 retries\)", text, re.M)
b = re.search(r"^disk: .*, blocks of (\d+)$", text, re.M)
calls, sectors = map(int, m.groups())
block = int(b[1])
sys.exit(0 if calls <= -(-sectors // 127) + 2 and block >= 2 else 1)
PY

tap_check "eio_once: the failed ATA read goes to the BIOS, which reads the rest, and the kernel is ready" "$(lines eio_once)" \
	bash -c "grep -qE '^Loader: KERNEL.BIN read with [0-9]+ reads \([0-9]+ sectors, [1-9][0-9]* retries\), EDD \(ATA at 1F0h failed\)$' '$T/eio_once.log' &&
		grep -qE '^kernel: KERNEL.BIN .* ok$' '$T/eio_once.log' && grep -q '^VlsOs ready' '$T/eio_once.log'"

# slow NAME WHY: INT 13h only, and ready
slow() {
	tap_check "$1: $2: INT 13h reads only, and the kernel is ready" "$(lines "$1")" \
		bash -c "grep -qE '^disk: drive 80h \(BIOS DL 80h\), EDD reads$' '$T/$1.log' &&
			grep -qE '^Loader: KERNEL.BIN read with [0-9]+ INT 13h calls .*, EDD$' '$T/$1.log' &&
			grep -q '^VlsOs ready' '$T/$1.log'"
}
slow q35_ahci "AHCI has no legacy IDE port (EDD names no DPTE)"
slow usb_stick "a USB stick has no IDE port"
tap_done
