# test_hardening.sh: the kernel's hardening at boot, each case provoked through
# a BOOT.CFG word of the test kernel (kernel/tests/test_hardening.c):
#   crash-smash  a local array overrun: the stack protector's PANIC names the
#                function, the kernel halts (no reboot)
#   crash-stack  recursion until ESP runs into the guard page below the boot
#                stack: the double fault's own task (arch/tss.c) names the
#                overflow and the function instead of the CPU resetting
# and the builds: every kernel checks its stack, only the test kernel has UBSan.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/hardening
mkdir -p "$T"

# calls_to ELF FUNCTION: how many call instructions in ELF reach FUNCTION
calls_to() { llvm-objdump -d --no-show-raw-insn "$1" | grep -cE "call[l]?[[:space:]]+0x[0-9a-f]+ <$2>"; }

for variant in kernel kernel-test kernel-bench; do
	n=$(calls_to "$BUILD/$variant.elf" __stack_chk_fail)
	tap_check "$variant: functions with local arrays check the stack protector's guard" "$n calls to __stack_chk_fail" \
		[ "$n" -gt 0 ]
done
n=$(calls_to "$BUILD/kernel-test.elf" '__ubsan_handle_[a-z_0-9]+')
tap_check "kernel-test: built with UBSan" "$n calls to __ubsan_handle_*" [ "$n" -gt 0 ]
for variant in kernel kernel-bench; do
	n=$(calls_to "$BUILD/$variant.elf" '__ubsan_handle_[a-z_0-9]+')
	tap_check "$variant: built without UBSan" "$n calls to __ubsan_handle_*" [ "$n" -eq 0 ]
done

kernel_image "$T/smash.img" kernel-test crash-smash
boot_until "$T/smash.log" "^PANIC" 60 -accel tcg -m 64 -drive "file=$T/smash.img,format=raw,if=ide"
tap_check "crash-smash: the overrun happened" "$(tail -2 "$T/smash.log" | tr '\n' ' ')" \
	grep -q "^crash-smash: writing 64 bytes into a 16-byte local array" "$T/smash.log"
tap_check "crash-smash: PANIC names the function whose stack was smashed" "$(grep PANIC "$T/smash.log")" \
	grep -qE '^PANIC: stack smashing detected in smash_the_stack\+0x[0-9a-f]+ \(return address 0x001[0-9a-f]{5}\)$' "$T/smash.log"
tap_check "crash-smash: halted, no reboot, nothing after the PANIC" "QEMU $QEMU_STATUS; $(sed -n '/^PANIC/,$p' "$T/smash.log" | sed -n 2p)" \
	bash -c "[ '$QEMU_STATUS' = running ] && [ \"\$(sed -n '/^PANIC/,\$p' '$T/smash.log' | wc -l)\" = 1 ] && [ \"\$(grep -c '^VlsOs 0.1' '$T/smash.log')\" = 1 ]"
kernel_image "$T/stack.img" kernel-test crash-stack
boot_until "$T/stack.log" "^PANIC" 60 -accel tcg -m 64 -drive "file=$T/stack.img,format=raw,if=ide"
tap_check "crash-stack: PANIC names the overflow, the guard page and the function" "$(grep PANIC "$T/stack.log")" \
	grep -qE '^PANIC: kernel stack overflow: ESP 0x0000b[0-9a-f]{3} ran into the guard page below the boot stack \(0x0000b000-0x0000bfff\), EIP 0x001[0-9a-f]{5} in recurse_forever\+0x[0-9a-f]+$' "$T/stack.log"
tap_check "crash-stack: no triple fault: QEMU still runs, booted once, halted after the PANIC" \
	"QEMU $QEMU_STATUS, $(grep -c '^VlsOs loader' "$T/stack.log") loader banners" \
	bash -c "[ '$QEMU_STATUS' = running ] && [ \"\$(grep -c '^VlsOs loader' '$T/stack.log')\" = 1 ] && [ \"\$(sed -n '/^PANIC/,\$p' '$T/stack.log' | wc -l)\" = 1 ]"
kernel_image "$T/kstack.img" kernel-test crash-kstack
boot_until "$T/kstack.log" "^PANIC" 60 -accel tcg -m 64 -drive "file=$T/kstack.img,format=raw,if=ide"
tap_check "crash-kstack: a process's kernel stack overflows into its guard page, named" "$(grep PANIC "$T/kstack.log")" \
	grep -qE "^PANIC: kernel stack overflow: ESP 0x40[0-3][0-9a-f]{5} ran into the guard page below a process's kernel stack \(0x40[0-3][0-9a-f]{2}000\), EIP 0x001[0-9a-f]{5} in recurse_forever\+0x[0-9a-f]+$" "$T/kstack.log"
tap_done
