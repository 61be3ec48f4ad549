# test_matrix.sh: the same images on every medium, machine, memory size and CPU
# model the users meet: floppy, -hda on pc and q35, USB sticks behind EHCI and
# xHCI (also written onto a bigger stick with garbage after the image), 4 MiB to
# 3.5 GiB, Pentium to max, each memory-map and A20 path of the loader forced in
# turn, KVM where it can run VlsOs.
. test/lib/tap.sh
. test/lib/qemu.sh
. test/lib/variant.sh

T=$BUILD/tmp/matrix
mkdir -p "$T"
HDD=(-drive "file=$BUILD/disk.img,format=raw,if=ide")

# boots NAME EXTRA-CHECK-REGEX QEMU-ARGS...: reaches "VlsOs ready" with no error
# line, having mounted its boot volume through the BIOS (kernel/disks.c); the
# regex (may be empty) must match the log too.
boots() {
	local name=$1 want=$2
	shift 2
	boot_until "$T/$name.log" "^VlsOs ready|BOOT ERROR|PANIC" 90 -accel tcg "$@"
	if ! grep -q "^VlsOs ready" "$T/$name.log" || grep -qE "BOOT ERROR|PANIC" "$T/$name.log"; then
		tap_fail "$name" "$(grep -E 'ERROR|PANIC' "$T/$name.log" | head -2) (QEMU $QEMU_STATUS)"
	elif ! grep -qE '^Boot volume: (hd0p1|fd0), FAT1[26] "VLSOS", [0-9]+ sectors, mounted read-only$' "$T/$name.log"; then
		tap_fail "$name" "booted, but the kernel did not mount its boot volume: $(grep -E '^Boot volume|^  (fd|hd)[0-9]' "$T/$name.log" | tr '\n' ' ')"
	elif [ -n "$want" ] && ! grep -qE -- "$want" "$T/$name.log"; then
		tap_fail "$name" "booted, but no line matches /$want/"
	else
		tap_ok "$name"
	fi
}

# usable KiB above 1 MiB as the kernel counts it ("High Memory" row)
high_kib() { awk '/^  High Memory/ { print $(NF-3) }' "$1"; }

# --- media and machines ---
boots "floppy -fda, CHS reads" "^disk: drive 00h \(BIOS DL 00h\), CHS reads" -m 64 \
	-drive "file=$BUILD/floppy.img,format=raw,if=floppy" -boot a
boots "hda on pc" "EDD reads" -machine pc -m 64 "${HDD[@]}"
boots "hda on q35" "EDD reads" -machine q35 -m 64 "${HDD[@]}"
boots "floppy and hard disk both present, booting the hard disk" "^disk: drive 80h" -m 64 \
	"${HDD[@]}" -drive "file=$BUILD/floppy.img,format=raw,if=floppy" -boot c
usb() { # CONTROLLER IMAGE
	echo -device "$1,id=usbc" -drive "if=none,id=stick,format=raw,file=$2" \
		-device "usb-storage,bus=usbc.0,drive=stick,bootindex=0"
}
# shellcheck disable=SC2046
boots "USB stick behind EHCI" "" -m 64 $(usb usb-ehci "$BUILD/disk.img")
# shellcheck disable=SC2046
boots "USB stick behind xHCI" "" -m 64 $(usb qemu-xhci "$BUILD/disk.img")
cp "$BUILD/disk.img" "$T/stick.img"
# random bytes from the image's end to the stick's (64 MiB)
head -c $(((64 << 20) - $(stat -c %s "$BUILD/disk.img"))) /dev/urandom >>"$T/stick.img"
# shellcheck disable=SC2046
boots "image on a 64 MiB stick, random bytes after it (xHCI)" "" -m 64 $(usb qemu-xhci "$T/stick.img")
# shellcheck disable=SC2046
boots "image on a 64 MiB stick, random bytes after it (EHCI)" "" -m 64 $(usb usb-ehci "$T/stick.img")

# --- memory sizes ---
for mb in 4 16 1024 3584; do
	boots "-m $mb on pc" "^  usable RAM: [0-9]+ KiB" -machine pc -m "$mb" "${HDD[@]}"
done
boots "-m 3584 on q35 (RAM above 4 GiB in the map)" "^  0x0000000100000000-0x[0-9a-f]{16} usable" \
	-machine q35 -m 3584 "${HDD[@]}"

# --- memory-map sources: E801 and AH=88h forced, compared with E820's figure ---
boots "E820 reference, -m 64" "from E820" -m 64 "${HDD[@]}"
e820_high=$(high_kib "$T/E820 reference, -m 64.log")
build_variant mem_e801 -DMEM_ONLY=MEM_FROM_E801
build_variant mem_88 -DMEM_ONLY=MEM_FROM_88
boots "E801 forced, -m 64" "map entries from E801" -m 64 \
	-drive "file=$BUILD/tmp/variants/mem_e801/disk.img,format=raw,if=ide"
boots "INT 15h AH=88h forced, -m 64" "map entries from INT 15h AH=88h" -m 64 \
	-drive "file=$BUILD/tmp/variants/mem_88/disk.img,format=raw,if=ide"
for src in E801 "INT 15h AH=88h"; do
	got=$(high_kib "$T/$src forced, -m 64.log")
	tap_check "$src: memory above 1 MiB agrees with E820 ($e820_high KiB)" "got ${got:-nothing} KiB" \
		bash -c "[ -n '$got' ] && [ '$got' = '$e820_high' ]"
done

# --- A20 paths: each method alone, after INT 15h AX=2400h turned A20 off ---
for method in BIOS KBC FAST; do
	build_variant "a20_$method" "-DA20_ONLY=A20_$method"
done
boots "A20 via INT 15h AX=2401h" "^A20: on via INT 15h AX=2401h" -m 64 \
	-drive "file=$BUILD/tmp/variants/a20_BIOS/disk.img,format=raw,if=ide"
boots "A20 via the keyboard controller" "^A20: on via the keyboard controller" -m 64 \
	-drive "file=$BUILD/tmp/variants/a20_KBC/disk.img,format=raw,if=ide"
boots "A20 via port 92h" "^A20: on via port 92h" -m 64 \
	-drive "file=$BUILD/tmp/variants/a20_FAST/disk.img,format=raw,if=ide"
for method in BIOS KBC FAST; do
	tap_check "A20 $method build really started with A20 off" "no 'turned off' line" \
		grep -q "^A20: turned off for this A20_ONLY test build" "$T/A20 via $( case $method in
			BIOS) echo "INT 15h AX=2401h" ;; KBC) echo "the keyboard controller" ;; FAST) echo "port 92h" ;; esac).log"
done
boots "no 8042 (i8042=off): bounded KBC waits, still boots" "^A20: the keyboard controller does not answer; skipped" \
	-machine pc,i8042=off -m 64 -drive "file=$BUILD/tmp/variants/a20_KBC/disk.img,format=raw,if=ide"
tap_check "no 8042: A20 reported as already on, not as the KBC's doing" "$(grep '^A20: ' "$T/no 8042 (i8042=off): bounded KBC waits, still boots.log" | tail -1)" \
	grep -q "^A20: already on" "$T/no 8042 (i8042=off): bounded KBC waits, still boots.log"

# --- CPU models (TCG: KVM would run CMOV natively and hide a Pentium problem) ---
boots "cpu pentium (no CMOV, no PAE)" "^CPU: GenuineIntel family 5 .*tsc pse cx8$" -cpu pentium -m 64 "${HDD[@]}"
boots "cpu pentium3" "^CPU: .* pae .*cmov$" -cpu pentium3 -m 64 "${HDD[@]}"
boots "cpu qemu32" "^CPU: .* pae cx8 cmov$" -cpu qemu32 -m 64 "${HDD[@]}"
boots "cpu core2duo" "^CPU: .* pae cx8 cmov nx$" -cpu core2duo -m 64 "${HDD[@]}"
boots "cpu max" "^CPU: .* nx$" -cpu max -m 64 "${HDD[@]}"
boots "cpu 486 (CPUID without TSC or extended leaves)" "^CPU: GenuineIntel family 4 model [0-9]+, features: pse$" \
	-cpu 486 -m 64 "${HDD[@]}"

if kvm_usable; then
	boot_until "$T/kvm.log" "^VlsOs ready|BOOT ERROR|PANIC" 90 -accel kvm -m 64 "${HDD[@]}"
	tap_check "hda under KVM" "$(grep -E 'ERROR|PANIC' "$T/kvm.log")" grep -q "^VlsOs ready" "$T/kvm.log"
else
	echo "# KVM cannot run a 32-bit paging guest here (tools/kvm_usable.sh): KVM case not run"
fi
tap_done
