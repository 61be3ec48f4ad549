# test_swap.sh: virtual memory larger than RAM (kernel/vm/reclaim.c, swap.c):
# machines of 8 MiB with the hard disk's 32 MiB swap partition run
# user/bin/vmtest.c's workloads through a shell script at boot, each checking
# its data to the word. Boots two at a time, each with a time limit:
#   big     one process over 4x RAM, in order then at random; the image's
#           bytes outside the swap partition compared before and after, and
#           QEMU's trace of every write request checked against its range
#   many    four processes at once over RAM each, a merge sort of more than
#           RAM among four children, page shuffles, a deep stack
#   oom     two processes that together need more than RAM and swap (kept in
#           step by pipes): the second is killed with the figures, the first
#           checks its pages and finishes, the shell goes on
#   errors  blkdebug fails a write and a read in the swap partition
#   noswap  no swap partition: the boot says so and a small workload runs
#   usb, floppy, q35: a workload of twice RAM booted from a USB stick (swap
#           on the stick), from the floppy with the hard-disk image as the
#           second drive holding the swap, and on q35
# (Bochs runs a workload through swap once: test_bochs.sh.)
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/swap
BOOT_SECONDS=420
mkdir -p "$T"
rm -rf "${T:?}"/*

# the swap partition's first sector and sectors, from the MBR the build wrote
read -r SWAP_LBA SWAP_SECTORS < <(python3 - "$BUILD/disk.img" <<'PY'
import struct, sys
mbr = open(sys.argv[1], "rb").read(512)
for i in range(4):
    e = mbr[446 + 16 * i:462 + 16 * i]
    if e[4] == 0x82:
        print(*struct.unpack("<II", e[8:16]))
PY
)
[ -n "$SWAP_LBA" ] || { tap_fail "the hard-disk image has a swap partition" "no MBR entry of type 82h"; tap_done; exit; }

# vm_image NAME SCRIPT: an image booting init=/BIN/SH SCRIPT (a host file,
# copied to /TEST/VM.SH), and a copy of it as it was before the boot
vm_image() {
	kernel_image "$T/$1.img" kernel "init=/BIN/SH /TEST/VM.SH exit"
	mcopy -o -i "$T/$1.img@@$(image_fat_offset)" "$2" ::/TEST/VM.SH
	cp "$T/$1.img" "$T/$1.before"
}

# vm_boot NAME DRIVE-FILE [QEMU-ARGS...]: boots it at -m 8 in the background
# (DRIVE-FILE as the IDE disk; "-" for none), COM1 to $T/NAME.log (and
# $T/NAME.txt without CRs), QEMU's status to NAME.status
vm_boot() {
	local name=$1 drive=$2 ide=()
	shift 2
	[ "$drive" = - ] || ide=(-drive "file=$drive,format=raw,if=ide")
	(
		timeout "$BOOT_SECONDS" "${QEMU_COMMON[@]}" -accel tcg -m 8 -serial "file:$T/$name.log" \
			"${ide[@]}" "$@" >"$T/$name.qemu" 2>&1
		echo $? >"$T/$name.status"
		tr -d '\r' <"$T/$name.log" >"$T/$name.txt"
	) &
}

# has NAME ERE: the boot's log has a line matching ERE
has() { grep -qE -- "$2" "$T/$1.txt"; }
# check NAME WHAT ERE...: ok when every ERE matches a line of the boot's log
check() {
	local name=$1 what=$2 ere
	shift 2
	for ere in "$@"; do
		has "$name" "$ere" || { tap_fail "$name: $what" "no line matching '$ere' (see $T/$name.txt)"; return; }
	done
	tap_ok "$name: $what"
}
# the last value a VMSTAT row printed: vmstat NAME ROW FIELD (1-based word)
vmstat() { grep "^$2:" "$T/$1.txt" | tail -1 | awk -v f="$3" '{ print $f }'; }

cat >"$T/big.sh" <<'SH'
VMTEST pattern 32 seq
VMTEST pattern 32 random
VMSTAT
SH
cat >"$T/many.sh" <<'SH'
VMTEST procs 4 8
VMTEST sort 12 4
VMTEST shuffle 12 3
VMTEST stack 900
VMSTAT
SH
cat >"$T/errors.sh" <<'SH'
VMTEST pattern 16 seq
ECHO after the errors
VMSTAT
SH
cat >"$T/noswap.sh" <<'SH'
VMTEST pattern 3 random
VMSTAT
SH
printf 'VMTEST oom 24\nECHO after the kill\nVMSTAT\n' >"$T/oom.sh"
printf 'VMTEST pattern 16 random\nVMSTAT\n' >"$T/media.sh"
for name in usb floppy q35; do cp "$T/media.sh" "$T/$name.sh"; done

# errors: every write of slot 3 fails (the first page written there stays in
# RAM and the slot is marked bad); every read of slot 40 fails (the pattern's
# page there is lost: its process is killed). Slots go out in order from 1.
# Every time, not once: the driver tries a failed transfer three times.
cat >"$T/blkdebug.conf" <<EOF2
[inject-error]
event = "write_aio"
errno = "5"
sector = "$((SWAP_LBA + 3 * 8))"

[inject-error]
event = "read_aio"
errno = "5"
sector = "$((SWAP_LBA + 40 * 8))"
EOF2

for name in big many oom errors noswap usb floppy q35; do
	vm_image "$name" "$T/$name.sh"
done
# floppy: the floppy image with the same BOOT.CFG and script; the hard disk
# (the usb image's copy: nothing of it is read but the swap partition) second
cp "$BUILD/floppy.img" "$T/floppy.fd"
mcopy -o -i "$T/floppy.fd" "$T/floppy.img.cfg" ::BOOT.CFG
mcopy -o -i "$T/floppy.fd" "$T/floppy.sh" ::/TEST/VM.SH
# noswap: the swap partition's MBR entry (slot 2) emptied
dd if=/dev/zero of="$T/noswap.img" bs=1 seek=$((446 + 16)) count=16 conv=notrunc status=none

vm_boot big "$T/big.img" -trace "enable=blk_co_pwritev,file=$T/big.trace"
vm_boot many "$T/many.img"
wait
vm_boot errors "blkdebug:$T/blkdebug.conf:$T/errors.img"
wait
vm_boot noswap "$T/noswap.img"
vm_boot usb - -device usb-ehci,id=usbc -drive "if=none,id=stick,format=raw,file=$T/usb.img" \
	-device usb-storage,bus=usbc.0,drive=stick,bootindex=0
wait
vm_boot oom "$T/oom.img"
vm_boot floppy "$T/floppy.img" -drive "file=$T/floppy.fd,format=raw,if=floppy" -boot a
vm_boot q35 "$T/q35.img" -machine q35
wait

# ---- big ----
check big "the swap partition found at boot" '^Swap: hd0p2, 32 MiB, 8191 slots of 4 KiB, label "VLSOS-SWAP"$'
check big "32 MiB (4x RAM) written and checked in order" '^vmtest pattern: ok: 32 MiB written and checked in order'
check big "... and at random" '^vmtest pattern: ok: 32 MiB written and checked at random'
tap_check "big: pages went out to swap and came back (major faults)" \
	"$(grep -E '^(faults|pages):' "$T/big.txt" | tr '\n' ' ')" \
	test "$(vmstat big faults 4)" -gt 8000
check big "every slot back and every frame back when the processes ended" \
	'^Swap: 0 of 8191 slots in use, 0 marked bad$' '^  total .* E820 usable: exact$'
tap_check "big: QEMU left with status 33 (init's status 0)" "status $(cat "$T/big.status")" \
	test "$(cat "$T/big.status")" = 33
# every byte outside the swap partition as it was
swap_start=$((SWAP_LBA * 512)) swap_end=$(((SWAP_LBA + SWAP_SECTORS) * 512))
outside_same() {
	cmp -s -n "$swap_start" "$T/$1.before" "$T/$1.img" &&
		cmp -s -i "$swap_end" "$T/$1.before" "$T/$1.img"
}
tap_check "big: not one byte of the image outside the swap partition changed" \
	"$(cmp "$T/big.before" "$T/big.img" | head -1)" outside_same big
tap_check "big: the swap partition itself was written" "it is as it was" \
	bash -c "! cmp -s '$T/big.before' '$T/big.img'"
# QEMU's trace: every write request's offset and bytes inside the partition
writes_inside() {
	python3 - "$T/big.trace" "$swap_start" "$swap_end" <<'PY'
import re, sys
lo, hi, n, bad = int(sys.argv[2]), int(sys.argv[3]), 0, []
for line in open(sys.argv[1]):
    m = re.search(r"blk_co_pwritev .*offset (\d+) bytes (\d+)", line)
    if m:
        n += 1
        off, size = int(m.group(1)), int(m.group(2))
        if off < lo or off + size > hi:
            bad.append((off, size))
print("%d write requests, %d outside [%d, %d): %s" % (n, len(bad), lo, hi, bad[:3]))
sys.exit(0 if n > 0 and not bad else 1)
PY
}
tap_check "big: QEMU's trace of write requests: all inside the swap partition" \
	"$(writes_inside 2>&1)" writes_inside

# ---- many ----
check many "four processes at once, over RAM each" '^vmtest procs: ok: 4 processes of 8 MiB each$'
shared=$(grep '^text:' "$T/many.txt" | tail -1 | sed -nE 's/.* read from files, ([0-9]+) shared$/\1/p')
tap_check "many: the four VMTESTs at once (and the sort's children) shared their program's text" \
	"$(grep '^text:' "$T/many.txt" | tail -1)" test "${shared:-0}" -gt 0
check many "a merge sort of 12 MiB among four children" '^vmtest sort: ok: 3145728 numbers \(12 MiB\) in order'
# the checksums a host replay of the same shuffles gives
expected_shuffle() {
	python3 - <<'PY'
n, seed = 12 * 256, 12345
a = list(range(n))
for r in range(1, 4):
    for i in range(n, 1, -1):
        seed = (seed * 1664525 + 1013904223) & 0xFFFFFFFF
        j = seed % i
        a[i - 1], a[j] = a[j], a[i - 1]
    c = 0
    for x in a:
        c = (c * 31 + x) & 0xFFFFFFFF
    print("vmtest shuffle: round %d checksum %08x" % (r, c))
PY
}
tap_check "many: three shuffles of 12 MiB, each checksum the host's replay gives" \
	"$(grep 'shuffle' "$T/many.txt" | tr '\n' ' ')" \
	bash -c "diff <(grep '^vmtest shuffle: round' '$T/many.txt') <(echo '$(expected_shuffle)') &&
		grep -q '^vmtest shuffle: ok: 3 rounds over 12 MiB, still a permutation$' '$T/many.txt'"
check many "a 900 KiB recursion and a 640 KiB stack array" '^vmtest stack: ok: .* \(900 KiB\), then a 640 KiB array$'
check many "slots and frames all back at the end" '^Swap: 0 of 8191 slots in use, 0 marked bad$' \
	'^  total .* E820 usable: exact$'
tap_check "many: QEMU left with status 33" "status $(cat "$T/many.status")" test "$(cat "$T/many.status")" = 33

# ---- oom ----
check oom "the toucher killed, named, with the figures" \
	'^process [0-9]+ \(vmtest\) killed: page fault: write of 0x[0-9a-f]{8} \(page not present\) at EIP 0x[0-9a-f]{8}, out of memory: [0-9]+ KiB free, swap full \(8191 of 8191 slots used\)$'
check oom "the holder checked every page and finished" \
	'^vmtest oom: the holder touched and checked all of its 24 MiB$' \
	'^vmtest oom: the holder ended with status 0, the toucher with 270; the toucher was killed, the holder finished$'
check oom "the shell went on" '^after the kill$'
check oom "slots and frames all back" '^Swap: 0 of 8191 slots in use, 0 marked bad$' '^  total .* E820 usable: exact$'

# ---- errors ----
check errors "a failed write: a message, the page kept, the slot marked bad" \
	'^swap: hd0p2: write of sector [0-9]+ failed.*\(slot 3\): the page at 0x[0-9a-f]{8} stays in memory; the slot is marked bad$'
check errors "a failed read: a message, and only its process killed" \
	'^swap: hd0p2: read of sector [0-9]+ failed.*\(slot 40\): the page at 0x[0-9a-f]{8} is lost$' \
	'^process [0-9]+ \(vmtest\) killed: page fault: .*its page at 0x[0-9a-f]{8} could not be read back from swap$'
check errors "the shell went on" '^after the errors$' '^errors: +1 swap reads, 1 swap writes failed$'
check errors "the bad slots stay out, every other one came back" '^Swap: 0 of 8189 slots in use, 2 marked bad$' \
	'^  total .* E820 usable: exact$'

# ---- noswap ----
check noswap "no swap partition: the boot says so" '^Swap: none: no partition of type 82h on any disk; running without swap$'
check noswap "a workload within RAM runs" '^vmtest pattern: ok: 3 MiB written and checked at random' '^swap: +none$'
# ---- usb, floppy, q35 ----
check usb "booted from the USB stick, swap on it" '^disk: drive 80h' '^Swap: hd0p2, 32 MiB'
check floppy "booted from the floppy, swap on the second drive" '^disk: drive 00h' \
	'^Boot volume: fd0' '^Swap: hd0p2, 32 MiB'
check q35 "q35: the swap partition found" '^Swap: hd0p2, 32 MiB'
for name in usb floppy q35; do
	check "$name" "16 MiB (2x RAM) at random through swap, every slot and frame back" \
		'^vmtest pattern: ok: 16 MiB written and checked at random' '^Swap: 0 of 8191 slots in use, 0 marked bad$' \
		'^  total .* E820 usable: exact$'
	tap_check "$name: pages came back from swap" "$(grep '^faults:' "$T/$name.txt")" \
		test "$(vmstat "$name" faults 4)" -gt 1000
done
for name in big many oom errors noswap usb floppy q35; do
	has "$name" '^PANIC' && tap_fail "$name: no PANIC" "$(grep -m1 '^PANIC' "$T/$name.txt")"
done
tap_done
