# test_memdebug.sh: the heap debugger switched on from BOOT.CFG. The test
# kernel with "test memdebug" runs every suite with red zones and poisoning on
# kmalloc's caches; the memdebug suite's kmalloc cases then run (not skip),
# its reports name code by symbol, and the leak report ends the run. The
# production kernel with "memdebug" says it is on and boots as usual.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/memdebug
mkdir -p "$T"
kernel_image "$T/test.img" kernel-test "test memdebug"
boot_until "$T/test.log" "^# vlsos-ktest:" 180 -accel tcg -m 64 \
	-drive "file=$T/test.img,format=raw,if=ide"

# the memdebug suite's cases, "ok N name" or "not ok N name", with SKIPs kept
awk '/^    # Subtest: / { suite = $3 } suite == "memdebug" && /^    (not )?ok [0-9]+ /' \
	"$T/test.log" >"$T/cases"

tap_check "memdebug boot: every suite passes with memdebug on (QEMU 33)" \
	"QEMU $QEMU_STATUS; $(grep -E '^    not ok|PANIC' "$T/test.log" | head -2 | tr '\n' ' ')" \
	[ "$QEMU_STATUS" = 33 ]
tap_check "memdebug boot: the kernel says memdebug is on" "no 'memdebug: on' line" \
	grep -q '^memdebug: on:' "$T/test.log"
tap_check "memdebug boot: 15 memdebug cases ran, none skipped, none failed" \
	"$(grep -cE '^    ok [0-9]+ [a-z_]+$' "$T/cases") clean of $(wc -l <"$T/cases"): $(grep -E 'SKIP|not ok' "$T/cases" | head -1)" \
	bash -c "[ \$(grep -cE '^    ok [0-9]+ [a-z_]+\$' '$T/cases') -eq 15 ] && [ \$(wc -l <'$T/cases') -eq 15 ]"
tap_check "memdebug boot: an overflow report names size, offset and the allocating function" \
	"$(grep -m1 'memdebug: overflow' "$T/test.log")" \
	grep -qE '^mm: memdebug: overflow found when it was freed: 1 byte\(s\) changed from offset 25 of object 0x[0-9a-f]{8} \(20 bytes, cache kmalloc-32\) allocated at kmalloc_slack_is_red_zone\+0x[0-9a-f]+ \(0x[0-9a-f]{8}\)' \
	"$T/test.log"
tap_check "memdebug boot: write after free names where it was allocated and freed" \
	"$(grep -m1 'write after free' "$T/test.log")" \
	grep -qE 'write after free .* allocated at write_after_free_found_on_reuse\+0x[0-9a-f]+ .*, freed at free_it\+0x[0-9a-f]+' \
	"$T/test.log"
tap_check "memdebug boot: double free named with both free sites" \
	"$(grep -m1 'double free' "$T/test.log")" \
	grep -qE 'double free of 0x[0-9a-f]{8} \(100 bytes, cache kmalloc-112\) at kmalloc_double_free_named\+' \
	"$T/test.log"
tap_check "memdebug boot: out-of-memory report lists the size classes" \
	"no 'out of memory' report with kmalloc classes" \
	bash -c "grep -q 'memdebug: out of memory for' '$T/test.log' && grep -qE 'memdebug:   kmalloc-[0-9]+: [0-9]+ object' '$T/test.log'"
tap_check "memdebug boot: the leak report ends the tests" "no leak report at the end" \
	grep -qE '^mm: memdebug: live allocations at the end of the tests: [0-9]+ live allocation' \
	"$T/test.log"
tap_check "memdebug boot: no PANIC" "$(grep -m1 PANIC "$T/test.log")" \
	bash -c "! grep -q PANIC '$T/test.log'"

# The production kernel: the same switch, nothing else changes.
kernel_image "$T/prod.img" kernel memdebug
boot_until "$T/prod.log" "^VlsOs ready|PANIC" 60 -accel tcg -m 64 \
	-drive "file=$T/prod.img,format=raw,if=ide"
tap_check "production kernel with 'memdebug' says so and reaches 'VlsOs ready'" \
	"$(grep -E 'memdebug|PANIC|VlsOs ready' "$T/prod.log" | head -3 | tr '\n' ' ')" \
	bash -c "grep -q '^memdebug: on:' '$T/prod.log' && grep -q '^VlsOs ready' '$T/prod.log'"
kernel_image "$T/off.img" kernel ""
boot_until "$T/off.log" "^VlsOs ready|PANIC" 60 -accel tcg -m 64 \
	-drive "file=$T/off.img,format=raw,if=ide"
tap_check "without 'memdebug' the kernel does not turn it on" "$(grep -m1 memdebug "$T/off.log")" \
	bash -c "grep -q '^VlsOs ready' '$T/off.log' && ! grep -q '^memdebug: on' '$T/off.log'"
tap_done
