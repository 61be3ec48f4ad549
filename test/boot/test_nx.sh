# test_nx.sh: PAE paging with NX (kernel/arch/paging*.c). On a CPU with PAE and
# NX the kernel says so, code in .data faults as an execute (BOOT.CFG
# "crash-exec") and the in-kernel NX cases pass; on CPUs without them it says
# what is missing, falls back to 32-bit tables, still reaches "VlsOs ready",
# and the NX cases are reported as KTAP skips, not passes. Large pages: RAM
# in 4 MiB (PSE) or 2 MiB (PAE) pages, split on demand, and 4 KiB pages only
# on a CPU without PSE.
# QEMU 7.2's default i386 CPU (qemu32) has PAE but no NX, so the NX boots name
# their CPU (core2duo, qemu32 with +nx, max). Every boot has a time limit.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/nx
mkdir -p "$T"
PAE_NX_LINE='^paging: PAE with NX: data, heap and stacks not executable$'
NX_CASES=(data_execute_faults_nx heap_execute_faults_nx stack_execute_faults_nx only_text_is_executable
	map_page_executable_only_on_request)

# test_image OUT CMDLINE: build/disk.img booting the test kernel (the in-kernel
# suites and the crash words) with BOOT.CFG CMDLINE.
test_image() {
	kernel_image "$1" kernel-test "$2"
}

# boot_cpu LOG IMAGE PATTERN SECONDS [QEMU-ARGS...]: boots IMAGE on 64 MiB under TCG.
boot_cpu() {
	local log=$1 img=$2 pattern=$3 secs=$4
	shift 4
	boot_until "$log" "$pattern" "$secs" -accel tcg -m 64 "$@" -drive "file=$img,format=raw,if=ide"
}

accounting_exact() {
	grep -qE "^  total +[0-9]+ of [0-9]+ E820 usable: exact$" "$1"
}

# CPUs with PAE and NX: PAE tables, and the memory accounting still exact
# (their page directory and tables are counted as page tables).
for cpu in core2duo qemu32,+nx max; do
	log=$T/boot-${cpu//,/_}.log
	boot_cpu "$log" "$BUILD/disk.img" "^VlsOs ready|PANIC" 60 -cpu "$cpu" -snapshot
	tap_check "cpu $cpu (PAE, NX): PAE with NX in use, VlsOs ready" \
		"$(grep -E '^paging:|PANIC' "$log" | head -1); QEMU $QEMU_STATUS" \
		bash -c "grep -q '$PAE_NX_LINE' '$log' && grep -q '^VlsOs ready' '$log' && ! grep -q PANIC '$log'"
	tap_check "cpu $cpu: physical memory accounting exact" "$(grep '^  total' "$log")" accounting_exact "$log"
done

# CPUs without them: the fallback names what is missing, and the boot goes on.
# fallback CPU WHAT MISSING: boots -cpu CPU, which has WHAT; expects "no MISSING".
fallback() {
	local cpu=$1 what=$2 missing=$3 log=$T/boot-${1//,/_}.log
	boot_cpu "$log" "$BUILD/disk.img" "^VlsOs ready|PANIC" 60 -snapshot -cpu "$cpu"
	tap_check "cpu $cpu ($what): says it has no $missing, 32-bit tables, VlsOs ready" \
		"$(grep -E '^paging:|PANIC' "$log" | head -1); QEMU $QEMU_STATUS" \
		bash -c "grep -qx 'paging: CPU has no $missing: 32-bit tables, no execute protection' '$log' &&
			grep -q '^VlsOs ready' '$log' && ! grep -q PANIC '$log'"
	tap_check "cpu $cpu: physical memory accounting exact" "$(grep '^  total' "$log")" accounting_exact "$log"
}
fallback pentium3 "PAE, no NX" NX
fallback qemu32,-nx "PAE, NX off" NX
fallback pentium "no PAE, no NX" "PAE or NX"
fallback 486 "no PAE, no NX" "PAE or NX"

# QEMU's default CPU: the paging line agrees with what CPUID says (QEMU 7.2's
# qemu32 has PAE and no NX).
boot_cpu "$T/boot-default.log" "$BUILD/disk.img" "^VlsOs ready|PANIC" 60 -snapshot
if grep -qE '^CPU: .* pae .* nx$' "$T/boot-default.log"; then expected=$PAE_NX_LINE
else expected='^paging: CPU has no (NX|PAE or NX): 32-bit tables, no execute protection$'; fi
tap_check "default CPU: the paging line matches CPUID, VlsOs ready" \
	"$(grep -E '^CPU:|^paging:|PANIC' "$T/boot-default.log" | tr '\n' ' ')" \
	bash -c "grep -qE '$expected' '$T/boot-default.log' && grep -q '^VlsOs ready' '$T/boot-default.log'"

# crash-exec runs two bytes of ud2 kept in .data (paging_exec_probe): under NX
# the fetch itself faults, at the probe's address; without NX the bytes run.
probe=$(llvm-nm "$BUILD/kernel-test.elf" | awk '$3 == "paging_exec_probe" { print $1 }')
test_image "$T/crash-exec.img" crash-exec
boot_cpu "$T/crash-nx.log" "$T/crash-exec.img" "CR3" 60 -cpu core2duo
tap_check "crash-exec under NX: PANIC names an execute of .data at the probe, no reboot" \
	"probe 0x$probe; $(grep PANIC "$T/crash-nx.log" | head -1); QEMU $QEMU_STATUS" \
	bash -c "[ -n '$probe' ] && [ '$QEMU_STATUS' = running ] && grep -qx 'PANIC: page fault: execute of 0x$probe (protection violation, NX) at EIP 0x$probe, in kernel \.data' '$T/crash-nx.log'"
boot_cpu "$T/crash-nonx.log" "$T/crash-exec.img" "CR3" 60 -cpu pentium3
tap_check "crash-exec without NX: the bytes in .data run (invalid opcode at the probe)" \
	"$(grep PANIC "$T/crash-nonx.log" | head -1)" \
	grep -qE "^PANIC: CPU exception 6 \(invalid opcode\), error code 00000000, EIP $probe," "$T/crash-nonx.log"

# case_lines LOG: the result lines of the in-kernel paging suite, "ok N name[ # SKIP ...]"
case_lines() {
	sed -n '/^    # Subtest: paging$/,/^ok [0-9]* paging$/p' "$1" | grep -E '^    (not )?ok ' | sed 's/^    //'
}

# The in-kernel suites on both kinds of CPU: the NX cases pass where NX is on,
# and are skipped, with the reason, where it is not.
test_image "$T/ktest.img" test
boot_cpu "$T/ktest-nx.log" "$T/ktest.img" "^# vlsos-ktest:" 120 -cpu core2duo
case_lines "$T/ktest-nx.log" >"$T/cases-nx"
for case in "${NX_CASES[@]}"; do
	tap_check "ktest on core2duo (NX): paging.$case passes, not skipped" \
		"$(grep -- " $case" "$T/cases-nx")" grep -qE "^ok [0-9]+ $case\$" "$T/cases-nx"
done
tap_check "ktest on core2duo (NX): every suite passed (exit 33)" "QEMU $QEMU_STATUS" [ "$QEMU_STATUS" = 33 ]

boot_cpu "$T/ktest-nonx.log" "$T/ktest.img" "^# vlsos-ktest:" 120 -cpu pentium3
case_lines "$T/ktest-nonx.log" >"$T/cases-nonx"
for case in "${NX_CASES[@]}"; do
	tap_check "ktest on pentium3 (no NX): paging.$case skipped for the missing NX" \
		"$(grep -- " $case" "$T/cases-nonx")" grep -qE "^ok [0-9]+ $case # SKIP CPU has no NX\$" "$T/cases-nonx"
done
tap_check "ktest on pentium3 (no NX): only the NX cases of paging skipped, every suite passed (exit 33)" \
	"QEMU $QEMU_STATUS; $(grep -c '# SKIP' "$T/cases-nonx") skips" \
	bash -c "[ '$QEMU_STATUS' = 33 ] && [ \$(grep -c '# SKIP' '$T/cases-nonx') = ${#NX_CASES[@]} ]"

# Large pages: RAM is mapped 4 MiB (PSE) or 2 MiB (PAE) at a time where a whole
# one is RAM, so 64 MiB needs four table pages (the directory, the first 4 MiB
# with the NULL page, guard and kernel sections, the last, partial 4 MiB, and
# the kernel area's table, which every address space shares); a CPU without
# PSE running 32-bit tables gets 4 KiB pages everywhere: 16 tables for RAM, the
# kernel area's and the directory. The large-page cases pass above (pentium3 has
# PSE; core2duo, PAE) and are skipped, with the reason, without PSE.
table_bytes() {
	awk '$1 == "page" && $2 == "tables" { print $3; exit }' "$1" # at boot
}
tap_check "default CPU (PSE): RAM in 4 MiB pages, 4 table pages for 64 MiB" \
	"page tables $(table_bytes "$T/boot-default.log") bytes" [ "$(table_bytes "$T/boot-default.log")" = 16384 ]
boot_cpu "$T/boot-nopse.log" "$BUILD/disk.img" "^VlsOs ready|PANIC" 60 -snapshot -cpu qemu32,-pse
tap_check "cpu qemu32,-pse: 4 KiB pages only, 18 table pages for 64 MiB, accounting exact, VlsOs ready" \
	"page tables $(table_bytes "$T/boot-nopse.log") bytes; $(grep '^  total' "$T/boot-nopse.log")" \
	bash -c "[ '$(table_bytes "$T/boot-nopse.log")' = 73728 ] && grep -q '^VlsOs ready' '$T/boot-nopse.log' &&
		grep -qE '^  total +[0-9]+ of [0-9]+ E820 usable: exact$' '$T/boot-nopse.log'"
LARGE_CASES=(ram_is_mapped_with_large_pages map_over_large_page_is_refused unmap_in_large_page_splits_it)
boot_cpu "$T/ktest-nopse.log" "$T/ktest.img" "^# vlsos-ktest:" 120 -cpu qemu32,-pse
case_lines "$T/ktest-nopse.log" >"$T/cases-nopse"
for case in "${LARGE_CASES[@]}"; do
	tap_check "ktest on qemu32,-pse: paging.$case skipped for the missing PSE" \
		"$(grep -- " $case" "$T/cases-nopse")" \
		grep -qE "^ok [0-9]+ $case # SKIP 32-bit tables on a CPU without PSE: no large pages\$" "$T/cases-nopse"
done
tap_check "ktest on qemu32,-pse: every suite passed (exit 33)" "QEMU $QEMU_STATUS" [ "$QEMU_STATUS" = 33 ]
tap_done
