# test_boot.sh: build/disk.img boots to "VlsOs ready" as -hda, and the serial log
# carries everything the user is promised: loader progress, the seed's memory
# tables measured on this machine, the kernel sections and usage statistics.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/boot
mkdir -p "$T"

has() { grep -qE -- "$2" "$1"; }

check_log() { # LOG LABEL
	local log=$1 l=$2
	tap_check "$l: loader banner and progress" "missing loader lines" \
		has "$log" "^kernel: KERNEL.BIN [0-9]+ bytes in [0-9]+ (INT 13h|ATA) reads, unpacked to [0-9]+ bytes, CRC-32 [0-9A-F]{8}h ok"
	tap_check "$l: kernel banner names VlsOs" "no banner" has "$log" "^VlsOs [0-9.]+: an i386 kernel at 0x100000"
	tap_check "$l: IVT row" "no IVT row" has "$log" "Real Mode IVT +0x00000000-0x000003ff"
	tap_check "$l: BDA row" "no BDA row" has "$log" "BIOS Data Area +0x00000400-0x000004ff .*COM1 at 0x3f8"
	tap_check "$l: conventional memory from INT 12h" "no INT 12h figure" has "$log" "Free Memory .*INT 12h: 639 KiB"
	tap_check "$l: EBDA from the BDA" "no EBDA row" has "$log" "EBDA +0x0009fc00-0x0009ffff"
	tap_check "$l: ROM row" "no ROM row" has "$log" "ROM +0x000f0000-0x000fffff"
	tap_check "$l: E820 map in hex" "no E820 lines" has "$log" "^  0x0000000000100000-0x[0-9a-f]{16} usable"
	tap_check "$l: kernel .text at 1 MiB" "no .text line" has "$log" "\.text +0x00100000-"
	tap_check "$l: sections in seed order" ".rodata/.data/.bss missing" \
		bash -c "grep -A4 '^Kernel sections' '$log' | tr '\n' ' ' | grep -qE '\.text.*\.rodata.*\.data.*\.bss'"
	tap_check "$l: stack and heap" "no stack/heap lines" \
		bash -c "grep -q '^Stack: 0x0000c000-0x0000ffff' '$log' && grep -q '^Heap:  0x00200000-0x002fffff' '$log'"
	tap_check "$l: usage statistics computed" "no statistics" \
		bash -c "grep -qE 'Kernel binary: +[1-9][0-9]* bytes' '$log' && grep -qE 'Heap free: +[1-9][0-9]* bytes' '$log'"
	tap_check "$l: VlsOs ready" "never said ready" has "$log" "^VlsOs ready"
	tap_check "$l: no error lines" "an error was printed" \
		bash -c "! grep -qE 'PANIC|BOOT ERROR' '$log'"
}

boot_until "$T/tcg.log" "^VlsOs ready" 60 -accel tcg -m 64 \
	-drive "file=$BUILD/disk.img,format=raw,if=ide"
check_log "$T/tcg.log" "hda tcg"
tap_check "hda tcg: stays up after ready" "QEMU status $QEMU_STATUS" [ "$QEMU_STATUS" = running ]

if kvm_usable; then
	boot_until "$T/kvm.log" "^VlsOs ready" 60 -accel kvm -m 64 \
		-drive "file=$BUILD/disk.img,format=raw,if=ide"
	check_log "$T/kvm.log" "hda kvm"
else
	echo "# KVM not usable here (no /dev/kvm, or it cannot run 32-bit paging): KVM boot not run"
fi
tap_done
