# test_proc.sh: processes in ring 3. The user-space suite /BIN/UTESTS (user/bin/
# utests.c, in the manner of xv6's usertests and Pintos's userprog tests) runs
# as init and prints KTAP; each of its cases becomes a TAP line here, once per
# machine: no NX (QEMU's default CPU, 32-bit tables), NX (-cpu max, PAE), the
# smallest RAM (-m 4) and the largest (-m 3584, most of it above the direct
# map), all booted in parallel. Each fault CRASH commits must end its process
# with the one line that names it, the fault, the address and the
# instruction, and the kernel must go on to the last process's end.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/proc
mkdir -p "$T"
# boot_bg NAME CMDLINE UNTIL QEMU-ARGS...: in the background, boots the
# production kernel with CMDLINE until the ERE UNTIL (or 240 s); $T/NAME.log, and
# QEMU's status in $T/NAME.status. Each boot has its own image: QEMU locks it.
boot_bg() {
	local name=$1 cmdline=$2 until=$3
	shift 3
	kernel_image "$T/$name.img" kernel "$cmdline"
	(
		boot_until "$T/$name.log" "$until|PANIC" 240 -accel tcg "$@" \
			-drive "file=$T/$name.img,format=raw,if=ide"
		echo "$QEMU_STATUS" >"$T/$name.status"
	) &
}

CONFIGS=("nonx:-m 64" "nx:-cpu max -m 64" "m4:-m 4" "m3584:-cpu max -m 3584")
for config in "${CONFIGS[@]}"; do
	# shellcheck disable=SC2086 # the machine's QEMU arguments are words
	boot_bg "${config%%:*}" "exit init=/BIN/UTESTS" "^All processes have ended" ${config#*:}
done
# A process asleep uses no CPU: with init sleeping 1.5 s the kernel halts in
# its idle loop for (nearly) every tick, and SLEEP refuses nonsense.
boot_bg sleep "exit init=/BIN/SLEEP 1.5" "^Idle:" -m 64
boot_bg sleepbad "exit init=/BIN/SLEEP 1x" "^Idle:" -m 64
# init missing or damaged: a PANIC that names it (after the loader's line)
boot_bg noinit "exit init=/BIN/NOPE" "PANIC" -m 64
boot_bg badinit "exit init=/TEST/ELF/TRUNC.ELF" "PANIC" -m 64
wait

# ktap_cases LOG: "ok NAME" / "notok NAME" for each top-level KTAP result
ktap_cases() {
	awk '/^(not )?ok [0-9]+ / { ok = ($1 == "ok"); print (ok ? "ok" : "notok"), (ok ? $3 : $4) }' "$1"
}

# fault LOG NAME REGEX: the kill line for one fault
fault() {
	tap_check "$1: $2 killed with its line" "$(grep -E 'killed:' "$T/$1.log" | head -0)no line matching $3" \
		grep -qE -- "^process [0-9]+ \(crash\) killed: $3$" "$T/$1.log"
}

EIP="at EIP 0x404[0-9a-f]{5}"
for config in "${CONFIGS[@]}"; do
	name=${config%%:*}
	log=$T/$name.log
	ktap_cases "$log" >"$T/$name.cases"
	while read -r verdict case; do
		if [ "$verdict" = ok ]; then tap_ok "$name: $case"; else
			tap_fail "$name: $case" "$(grep -B4 -E "^not ok [0-9]+ $case" "$log" | grep '^# ' | head -3 | tr '\n' ' ')"
		fi
	done <"$T/$name.cases"
	tap_check "$name: the suite ran at least 30 cases" "only $(wc -l <"$T/$name.cases")" \
		[ "$(wc -l <"$T/$name.cases")" -ge 30 ]
	tap_check "$name: the kernel says the last process ended, init's status 0, QEMU left passed (33)" \
		"QEMU $(cat "$T/$name.status"); $(grep -E 'All processes|PANIC' "$log" | head -1)" \
		bash -c "grep -q \"^All processes have ended (init's status 0): halting.\$\" '$log' && [ \"\$(cat '$T/$name.status')\" = 33 ]"
	tap_check "$name: no PANIC" "$(grep PANIC "$log" | head -1)" bash -c "! grep -q PANIC '$log'"
	tap_check "$name: every address space gave back the frames it had mapped" "$(grep '^vm: ' "$log" | head -1)" \
		bash -c "! grep -q '^vm: ' '$log'"
	sed -n '/^All processes have ended/,/^  total/p' "$log" >"$T/$name.after"
	tap_check "$name: after the last process, the accounting still adds up exactly" \
		"$(tail -1 "$T/$name.after")" grep -qE "^  total .* E820 usable: exact$" "$T/$name.after"
	fault "$name" null "page fault: write of 0x00000000 \(page not present\) $EIP, the NULL page"
	fault "$name" kernel-read "page fault: read of 0x00100000 \(protection violation\) $EIP, kernel memory"
	fault "$name" kernel-write "page fault: write of 0x00100000 \(protection violation\) $EIP, kernel memory"
	fault "$name" text "page fault: write of 0x404[0-9a-f]{5} \(protection violation\) $EIP, the program's code is read-only"
	fault "$name" guard "page fault: write of 0xbfee[0-9a-f]{4} \(page not present\) $EIP, the stack's guard gap \(stack overflow\)"
	fault "$name" div0 "divide error $EIP"
	fault "$name" ud2 "invalid opcode $EIP"
	fault "$name" gpf "general protection fault $EIP"
	fault "$name" munmap-touch "page fault: (read|write) of 0x8[0-9a-f]{7} \(page not present\) $EIP, no mapping there"
	if grep -q "^paging: PAE with NX" "$log"; then
		fault "$name" exec-data "page fault: execute of 0x404[0-9a-f]{5} \(protection violation, NX\) at EIP 0x404[0-9a-f]{5}, not executable"
		fault "$name" exec-stack "page fault: execute of 0xbff[0-9a-f]{5} \(protection violation, NX\) at EIP 0xbff[0-9a-f]{5}, not executable"
	fi
done
# refused "NAME REGEX": the loader's line for each damaged program (tools/elfbad)
for refused in "NOTELF not an ELF file \(magic 7f 45 4c 46 missing\)" \
	"TRUNC truncated: segment [0-9]+ ends at [0-9]+, file is [0-9]+ bytes" \
	"MACHINE not an i386 program \(machine 62\)" \
	"KERNEL segment [0-9]+ at 0x00100[0-9A-F]{3}-0x00100[0-9A-F]{3} overlaps the kernel \(user space is 0x40400000-0xBFFFFFFF\)" \
	"OVERLAP segments [0-9]+ and [0-9]+ overlap at page 0x404[0-9A-F]{5}" \
	"BIG too big: [0-9]+ KiB of segments, the limit is 64 MiB" \
	"DYNAMIC dynamically linked \(PT_INTERP\): VlsOs runs static programs only" \
	"ENTRY entry point 0x404[0-9A-F]{5} is in no executable segment"; do
	file=${refused%% *} regex=${refused#* }
	tap_check "the loader refuses /TEST/ELF/$file.ELF by name" \
		"$(grep "^exec /TEST/ELF/$file.ELF" "$T/nonx.log" | head -1)" \
		grep -qE "^exec /TEST/ELF/$file\.ELF: $regex\$" "$T/nonx.log"
done
idle=$(sed -nE 's/^Idle: halted for ([0-9]+) of the ([0-9]+) ticks the processes took$/\1 \2/p' "$T/sleep.log")
tap_check "a process asleep for 1.5 s: the CPU halted for at least 95 % of the ticks (at least 135 of them: the clock and the tick may disagree by a few per cent)" \
	"idle and total ticks: ${idle:-none}" \
	bash -c "set -- $idle; [ \"\$2\" -ge 135 ] && [ \$((\$1 * 100)) -ge \$((\$2 * 95)) ]"
tap_check "SLEEP 1x: a usage line and status 2" "$(grep -E 'usage|All processes' "$T/sleepbad.log" | tr '\n' ' ')" \
	bash -c "grep -q '^usage: SLEEP SECONDS' '$T/sleepbad.log' && grep -q \"^All processes have ended (init's status 2)\" '$T/sleepbad.log'"
tap_check "init=/BIN/NOPE: a PANIC names the missing program" "$(grep PANIC "$T/noinit.log")" \
	grep -qE "^PANIC: cannot start init /BIN/NOPE: .*(no such|not found)" "$T/noinit.log"
tap_check "init=/TEST/ELF/TRUNC.ELF: the loader's line, then a PANIC naming it" \
	"$(grep -E 'PANIC|^exec' "$T/badinit.log" | tr '\n' ' ')" \
	bash -c "grep -q '^exec /TEST/ELF/TRUNC.ELF: truncated' '$T/badinit.log' &&
		grep -q '^PANIC: cannot start init /TEST/ELF/TRUNC.ELF: ' '$T/badinit.log'"
tap_check "nx: PAE with NX was used" "$(grep '^paging:' "$T/nx.log")" grep -q "^paging: PAE with NX" "$T/nx.log"
tap_check "nonx: 32-bit tables were used" "$(grep '^paging:' "$T/nonx.log")" grep -q "^paging: CPU has no" "$T/nonx.log"
tap_check "m3584: RAM above the direct map is there, and the suite's touched pages came from it" \
	"$(grep -E 'free pages, high zone|^(not )?ok [0-9]+ user_pages_accounted' "$T/m3584.log" | head -2 | tr '\n' ' ')" \
	bash -c "grep -qE '^  free pages, high zone +[1-9][0-9]{9}$' '$T/m3584.log' &&
		grep -qE '^ok [0-9]+ user_pages_accounted$' '$T/m3584.log'"
tap_done
