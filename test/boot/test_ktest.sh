# test_ktest.sh: boots the test kernel (build/kernel-test.bin as KERNEL.BIN) with
# BOOT.CFG "test"; it runs its in-kernel suites, prints KTAP on COM1 and leaves
# QEMU through isa-debug-exit (status 33 passed, 35 failed). Each KTAP case
# becomes one TAP line here. The production kernel, given "test", says it has
# no in-kernel tests and fails the run at once.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/ktest
mkdir -p "$T"
kernel_image "$T/disk.img" kernel-test test

boot_until "$T/serial.log" "^# vlsos-ktest:" 120 -accel tcg -m 64 \
	-drive "file=$T/disk.img,format=raw,if=ide"

# "    ok 3 name" under "    # Subtest: suite" -> "suite.name"
awk '
	/^    # Subtest: / { suite = $3 }
	/^    (not )?ok [0-9]+ / {
		ok = ($1 == "ok")
		name = ok ? $3 : $4
		print (ok ? "ok" : "notok"), suite "." name
	}' "$T/serial.log" >"$T/cases"
while read -r verdict name; do
	if [ "$verdict" = ok ]; then tap_ok "$name"; else
		tap_fail "$name" "$(grep -B5 -- " ${name#*.}\$" "$T/serial.log" | grep '    # ' | head -3 | tr '\n' ' ')"
	fi
done <"$T/cases"

tap_check "ktest: KTAP header and plan" "no 'KTAP version 1' / plan" \
	bash -c "head -200 '$T/serial.log' | grep -q '^KTAP version 1' && grep -qE '^1\.\.[0-9]+' '$T/serial.log'"
tap_check "ktest: at least 15 cases ran" "only $(wc -l <"$T/cases") cases" [ "$(wc -l <"$T/cases")" -ge 15 ]
tap_check "ktest: QEMU left through isa-debug-exit with pass (33)" "QEMU status $QEMU_STATUS" \
	[ "$QEMU_STATUS" = 33 ]
tap_check "ktest: no PANIC" "a PANIC was printed" bash -c "! grep -q PANIC '$T/serial.log'"
# The test kernel runs under UBSan: only the hardening suite's deliberate cases
# may report.
tap_check "ktest: UBSan reported nothing outside the hardening suite's own cases" \
	"$(grep '^UBSAN:' "$T/serial.log" | grep -v ' at kernel/tests/test_hardening\.c:' | head -2 | tr '\n' ' ')" \
	bash -c "! grep '^UBSAN:' '$T/serial.log' | grep -qv ' at kernel/tests/test_hardening\.c:'"

# The production kernel (build/disk.img's KERNEL.BIN) has no suites to run.
kernel_image "$T/prod.img" kernel test
boot_until "$T/prod.log" "^VlsOs ready|PANIC" 60 -accel tcg -m 64 -drive "file=$T/prod.img,format=raw,if=ide"
tap_check "production kernel given 'test' names the test kernel and fails the run (35)" \
	"QEMU $QEMU_STATUS; $(grep -E '^kernel: .test.|PANIC' "$T/prod.log" | head -1)" \
	bash -c "[ '$QEMU_STATUS' = 35 ] && grep -q '^kernel: .test. asks for the in-kernel tests, but this is the production kernel without them: boot build/kernel-test.bin' '$T/prod.log'"
tap_done
