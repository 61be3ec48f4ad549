# test_bochs.sh: both images boot under Bochs with its own BIOS (not SeaBIOS):
# a second BIOS with other habits for INT 13h, E820 and A20. A second CPU model
# too: a kernel stack overflow reaches the double fault's task gate (tss.c).
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/bochs
mkdir -p "$T"
BIOS=/usr/share/bochs/BIOS-bochs-latest
VGABIOS=/usr/share/bochs/VGABIOS-lgpl-latest

# bochs_boot NAME DEVICE-LINES...: boots under Bochs, serial in $T/NAME.log, until
# "VlsOs ready" (or the ERE in UNTIL) or an error line or LIMIT seconds (120).
bochs_boot() {
	local name=$1 pid deadline until=${UNTIL:-^VlsOs ready}
	shift
	{
		echo "megs: ${MEGS:-64}"
		echo "romimage: file=$BIOS"
		echo "vgaromimage: file=$VGABIOS"
		printf '%s\n' "$@"
		echo "com1: enabled=1, mode=file, dev=$T/$name.log"
		# Debian's Bochs has no 'nogui'; rfb without a client and no wait is headless.
		echo 'display_library: rfb, options="timeout=0"'
		echo "log: $T/$name.bochs.log"
		echo "panic: action=fatal"
		echo "clock: sync=none, time0=local"
		echo "speaker: enabled=0"
		echo "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy"
	} >"$T/$name.bochsrc"
	echo c >"$T/continue.rc" # the debugger Debian builds in stops before the first instruction
	: >"$T/$name.log"
	bochs -q -f "$T/$name.bochsrc" -rc "$T/continue.rc" </dev/null >"$T/$name.out" 2>&1 &
	pid=$!
	deadline=$((SECONDS + ${LIMIT:-120}))
	while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		grep -qE "$until|BOOT ERROR|PANIC" "$T/$name.log" && break
		sleep 0.2
	done
	# An error report is several lines written as Bochs runs (slowly on a loaded
	# machine): stop only once the log has stopped growing, not at its first word.
	local size=-1
	while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ] &&
		[ "$(stat -c %s "$T/$name.log")" != "$size" ]; do
		size=$(stat -c %s "$T/$name.log")
		sleep 1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	sed -i 's/\r$//' "$T/$name.log"
}

# Copies: Bochs locks an image with IMAGE.lock and leaves the lock when stopped.
rm -f "$T"/*.img "$T"/*.lock
cp "$BUILD/disk.img" "$BUILD/floppy.img" "$T/"
bochs_boot hdd "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14" \
	"ata0-master: type=disk, path=$T/disk.img, mode=flat" "boot: disk"
tap_check "Bochs: disk.img boots to VlsOs ready" "$(grep -E 'ERROR|PANIC' "$T/hdd.log" | head -2)" \
	grep -q "^VlsOs ready" "$T/hdd.log"
# Bochs's 16550 sends at the line's rate: nothing the kernel wrote may be lost
# when it sets up the UART's input (a transmit FIFO reset once ate the line end
# before "VlsOs ready")
tap_check "Bochs: the report's last lines arrive whole on COM1" "$(grep -aE '^Swap: |VlsOs ready' "$T/hdd.log")" \
	bash -c "grep -aqE '^Swap: .*label \"VLSOS-SWAP\"$' '$T/hdd.log' && grep -aqx 'VlsOs ready' '$T/hdd.log'"
tap_check "Bochs: disk.img read with EDD, kernel CRC ok" "$(grep -E '^(disk|kernel):' "$T/hdd.log")" \
	bash -c "grep -q '^disk: drive 80h.*EDD reads' '$T/hdd.log' && grep -q '^kernel: .* ok$' '$T/hdd.log'"
# a second BIOS's EDD tables and a second ATA model: Bochs's BIOS names the DPTE,
# its disk answers IDENTIFY and READ MULTIPLE, sector 0 matches
tap_check "Bochs: the loader's ATA fast path (1F0h master) reads KERNEL.BIN" "$(grep -aE '^(disk|Loader):' "$T/hdd.log")" \
	bash -c "grep -aqE '^disk: drive 80h .*EDD reads; ATA PIO 1F0h master, blocks of [0-9]+$' '$T/hdd.log' &&
		grep -aqE '^Loader: KERNEL.BIN read with [0-9]+ ATA reads \([0-9]+ sectors, 0 retries\), 1F0h master$' '$T/hdd.log'"

bochs_boot fdd "floppya: 1_44=$T/floppy.img, status=inserted" "boot: floppy"
tap_check "Bochs: floppy.img boots to VlsOs ready" "$(grep -E 'ERROR|PANIC' "$T/fdd.log" | head -2)" \
	grep -q "^VlsOs ready" "$T/fdd.log"
tap_check "Bochs: floppy.img read with CHS" "$(grep '^disk:' "$T/fdd.log")" \
	grep -q "^disk: drive 00h.*CHS reads" "$T/fdd.log"

# The kernel's disks through Bochs's BIOS: the disk suite (kernel/tests/test_disk.c)
# reads every test file through INT 13h from protected mode. Bochs has no
# isa-debug-exit, so the kernel boots on to "VlsOs ready" after the suite.
kernel_image "$T/disks.img" kernel-test "test=disk"
bochs_boot disks "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14" \
	"ata0-master: type=disk, path=$T/disks.img, mode=flat" "boot: disk"
tap_check "Bochs: the kernel mounts hd0p1 and its disk suite passes through Bochs's BIOS" \
	"$(grep -E '^Boot volume|^    not ok|^    # |PANIC' "$T/disks.log" | head -4 | tr '\n' ' ')" \
	bash -c "grep -q '^Boot volume: hd0p1, FAT16' '$T/disks.log' &&
		grep -q '^# vlsos-ktest: 1 suites passed, 0 failed' '$T/disks.log' &&
		grep -q '^    ok [0-9]* every_test_file_matches_its_crc$' '$T/disks.log'"

kernel_image "$T/stack.img" kernel-test crash-stack
bochs_boot stack "ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14" \
	"ata0-master: type=disk, path=$T/stack.img, mode=flat" "boot: disk"
tap_check "Bochs: crash-stack ends in the stack overflow PANIC from the #DF task" "$(grep -E 'ERROR|PANIC' "$T/stack.log" | head -2)" \
	grep -qE '^PANIC: kernel stack overflow: ESP 0x0000b[0-9a-f]{3} ran into the guard page below the boot stack .* in recurse_forever\+' "$T/stack.log"
tap_check "Bochs: crash-stack: no triple fault (shutdown) logged" "$(grep -i 'shutdown\|3rd' "$T/stack.bochs.log" | head -1)" \
	bash -c "! grep -qi 'with no resolution' '$T/stack.bochs.log'"
# The user-space suite (test_proc.sh runs it under QEMU) once under Bochs,
# which enforces what QEMU's TCG may not (NX on instruction fetches, TSS and
# segment checks on the way to and from ring 3).
kernel_image "$T/utests.img" kernel "init=/BIN/UTESTS"
UNTIL="^All processes have ended" LIMIT=600 bochs_boot utests \
	"ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14" \
	"ata0-master: type=disk, path=$T/utests.img, mode=flat" "boot: disk"
tap_check "Bochs: the user-space suite passes and the last process's end is reported" \
	"$(grep -E '^not ok|PANIC|^# vlsos-utests|All processes' "$T/utests.log" | head -4 | tr '\n' ' ')" \
	bash -c "grep -q \"^All processes have ended (init's status 0): halting.\$\" '$T/utests.log' &&
		! grep -q '^not ok' '$T/utests.log' && [ \$(grep -c '^ok ' '$T/utests.log') -ge 30 ]"

# Virtual memory once under Bochs (test_swap.sh runs it under QEMU): an 8 MiB
# machine writes and checks 12 MiB at random through the disk's swap partition.
kernel_image "$T/swap.img" kernel "init=/BIN/SH /TEST/VM.SH exit"
printf 'VMTEST pattern 12 random\nVMSTAT\n' >"$T/vm.sh"
mcopy -o -i "$T/swap.img@@$(image_fat_offset)" "$T/vm.sh" ::/TEST/VM.SH
MEGS=8 UNTIL="^All processes have ended" LIMIT=600 bochs_boot swap \
	"ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14" \
	"ata0-master: type=disk, path=$T/swap.img, mode=flat" "boot: disk"
# -a: Bochs's serial log can hold NULs, and grep would call it binary
major=$(grep -a '^faults:' "$T/swap.log" | awk '{ print $4 }')
tap_check "Bochs: 12 MiB at random on an 8 MiB machine, through swap, every slot back" \
	"$(grep -aE '^vmtest|^Swap|^faults|PANIC' "$T/swap.log" | tr '\n' ' ')" \
	bash -c "grep -q '^vmtest pattern: ok: 12 MiB written and checked at random' '$T/swap.log' &&
		grep -q '^Swap: 0 of 8191 slots in use, 0 marked bad\$' '$T/swap.log' && [ '${major:-0}' -gt 500 ]"
tap_done
