# test_memory.sh: the kernel's physical memory accounting adds up exactly to the
# E820 usable total at every memory size (its parts come from independent
# counts: buddy free lists, each allocator, the reasons frames were kept back),
# and each deliberate memory fault ends in a PANIC that names the access, the
# address and the region.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/memory
mkdir -p "$T"

# accounting_ok LOG: in every accounting the log holds (at boot, and again when
# the last process has ended), the listed parts sum to the stated usable total,
# which the kernel also calls exact, and no MISMATCH line was printed.
accounting_ok() {
	awk '
		/^Physical memory accounting/ { on = 1; sum = 0; next }
		on && /^  total / { blocks++; if (!($2 == sum && $2 == $4 && $NF == "exact")) bad = 1; on = 0; next }
		on && /^  / { sum += $NF }
		/MISMATCH/ { bad = 1 }
		END { exit !(blocks > 0 && !bad) }
' "$1"
}

for spec in "pc 4" "pc 64" "pc 1024" "pc 3584" "q35 3584"; do
	set -- $spec
	log="$T/accounting-$1-$2.log"
	boot_until "$log" "^VlsOs ready|PANIC|BOOT ERROR" 120 -accel tcg -machine "$1" -m "$2" \
		-drive "file=$BUILD/disk.img,format=raw,if=ide"
	tap_check "-machine $1 -m $2: accounting adds up to the E820 usable total exactly" \
		"$(sed -n '/^Physical memory accounting/,/^  total/p' "$log" | tail -1) $(grep -E 'PANIC|MISMATCH' "$log" | head -1)" \
		accounting_ok "$log"
done
# the accounting is read on the screen too: no line of it wraps a VGA row (79
# columns and the cursor's), 10-digit figures at -m 3584 included
for log in "$T"/accounting-*.log; do
	wide=$(sed -n '/^Physical memory accounting/,/^  total/p' "$log" | awk 'length($0) > 79')
	tap_check "$(basename "$log" .log): every accounting line within 79 columns" "$wide" [ -z "$wide" ]
done
tap_check "q35 -m 3584: RAM above 4 GiB is accounted, not used" "no above-4-GiB bytes" \
	grep -qE "^  above 4 GiB \(not used, 32-bit\) +[1-9][0-9]*$" "$T/accounting-q35-3584.log"
tap_check "-m 64: the page allocator has free pages" "no free pages" \
	grep -qE "^  free pages +[1-9][0-9]{6,}$" "$T/accounting-pc-64.log"

# crash WORD REGEX: BOOT.CFG says WORD; the PANIC line must match REGEX.
crash() {
	printf '%s\n' "$1" >"$T/$1.cfg"
	image_with_files "$T/$1.img" "BOOT.CFG=$T/$1.cfg"
	boot_until "$T/$1.log" "CR3" 60 -accel tcg -m 64 -drive "file=$T/$1.img,format=raw,if=ide"
	tap_check "$1: $3" "$(grep PANIC "$T/$1.log" | head -1)" grep -qE -- "$2" "$T/$1.log"
	tap_check "$1: halted with registers, no reboot" "QEMU $QEMU_STATUS" \
		bash -c "[ '$QEMU_STATUS' = running ] && grep -q '^  EAX ' '$T/$1.log'"
}
crash crash-null "^PANIC: page fault: read of 0x00000000 \(page not present\) at EIP 0x001[0-9a-f]{5}, in the NULL page$" \
	"a NULL read is named as such"
crash crash-text "^PANIC: page fault: write of 0x00100000 \(protection violation\) at EIP 0x001[0-9a-f]{5}, in kernel \.text \(read/execute\)$" \
	"a write to .text is a protection violation in kernel .text"
crash crash-guard "^PANIC: page fault: write of 0x0000bffc \(page not present\) at EIP 0x001[0-9a-f]{5}, in the guard page below the boot stack \(stack overflow\)$" \
	"the guard page below the boot stack is named"
# The in-kernel allocator benchmark (./build.sh bench, the kernel-bench build)
# still runs all its workloads and leaves the allocators consistent: a function
# check, no timing.
kernel_image "$T/bench.img" kernel-bench bench
boot_until "$T/bench.log" "consistent afterwards" 300 -accel tcg -m 512 -drive "file=$T/bench.img,format=raw,if=ide"
tap_check "bench mode: seven workloads run, allocator consistent after" "$(grep '^bench' "$T/bench.log" | tail -2 | tr '\n' ' ')" \
	bash -c "[ \$(grep -cE '^bench: [a-z0-9]+ +[0-9]+ ops' '$T/bench.log') = 7 ] && grep -q 'consistent afterwards: yes' '$T/bench.log'"
tap_done
