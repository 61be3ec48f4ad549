# test_stamps.sh: the boot's TSC stamps (kernel/boot_stamps.c): with `stamps` in
# BOOT.CFG the kernel prints stage 2's ten stamps (boot_info.stage2_tsc) and its
# own on COM1 after the first output of init, in the order of the boot, every
# one non-zero and none earlier than the one before, and the kernel's disk reads
# to then (the loader's sectors kept for it among them); without the word, none.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/stamps
mkdir -p "$T"

LAST='first output of a user program'
kernel_image "$T/stamps.img" kernel "stamps"
boot_until "$T/stamps.log" "$LAST" 60 -accel tcg -m 64 -drive "file=$T/stamps.img,format=raw,if=ide"
log=$T/stamps.log

tap_check "the stamps end with the first output of a user program" "no such line (QEMU $QEMU_STATUS)" \
	grep -qE "^stamp: [0-9]+ .* $LAST\$" "$log"
tap_check "ten stamps from stage 2, from its entry to protected mode" \
	"$(grep -c '^stamp: .* loader: ' "$log") loader stamps" \
	bash -c "[ \"\$(grep -c '^stamp: .* loader: ' '$log')\" -eq 10 ] &&
		grep '^stamp: .* loader: ' '$log' | head -1 | grep -q 'stage 2 entered\$' &&
		grep '^stamp: .* loader: ' '$log' | tail -1 | grep -q 'protected mode\$'"
tap_check "the kernel's stamps, VlsOs ready and init among them" "missing kernel stamps" \
	bash -c "grep -q '^stamp: .* kernel: console\$' '$log' && grep -q '^stamp: .* kernel: VlsOs ready\$' '$log' &&
		grep -q '^stamp: .* kernel: init loaded\$' '$log'"
# every TSC non-zero, each at least the one before, each "+N" the difference
tap_check "the stamps are in time order, none zero, their differences right" "$(grep '^stamp:' "$log" | head -30)" \
	awk '/^stamp:/ { n++; if ($2 == 0 || $2 < last || substr($3, 2) + 0 != $2 - last) bad = 1; last = $2 }
		END { exit !(n >= 20 && !bad) }' "$log"
tap_check "the kernel's disk reads to then, with the loader's sectors kept for it" \
	"$(grep '^stamps: kernel disk' "$log")" \
	grep -qE "^stamps: kernel disk reads: [0-9]+ BIOS calls, [0-9]+ sectors; [4-9] sectors kept, [0-9]+ hits" "$log"
khz=$(sed -n 's/^Clock: TSC at \([0-9]*\) kHz.*/\1/p' "$log")
tap_check "the stamps' TSC rate is the Clock line's" "Clock: ${khz:-none}; $(grep '^stamps:' "$log")" \
	grep -q "^stamps: 10 from stage 2, [0-9]* from the kernel, TSC at ${khz:-none} kHz" "$log"

kernel_image "$T/plain.img" kernel "init=/BIN/INIT"
boot_until "$T/plain.log" "^init: " 60 -accel tcg -m 64 -drive "file=$T/plain.img,format=raw,if=ide"
tap_check "without 'stamps' in BOOT.CFG, init runs and no stamp is printed" "$(grep -c '^stamp' "$T/plain.log") stamp lines" \
	bash -c "grep -q '^init: ' '$T/plain.log' && ! grep -q '^stamp' '$T/plain.log'"
tap_done
