# test_shell_commands.sh: every command in /BIN (docs/console.md#commands)
# typed at the shell's prompt over COM1 (test/lib/session.sh), its output
# checked against what the kernel printed at the same boot, the layout and the
# image's files, and each command's bad input giving one line and a prompt
# back. Two machines at once, each with a time limit:
#   cmds  -m 64, a CPU without NX (32-bit tables): what each command shows, and
#         the commands checked against each other (ps against vmmap, v2p
#         against hexdump and the shell's file, kill against ps)
#   bad   -m 3584 -cpu max with memdebug (PAE, NX, the widest figures): bad
#         input to every command, -h of every command, mem in 79 columns,
#         vmmap's permissions with NX, v2p through a PDPTE, the leak report
. test/lib/tap.sh
. test/lib/qemu.sh
. test/lib/session.sh

T=$BUILD/tmp/shell_commands
SESSION_SECONDS=150
mkdir -p "$T"
rm -rf "${T:?}"/*
VGA_LINE_MAX=79 # vga.c starts a new row after the 80th cell: a line of 80 and its newline take two
HUGE=99999999999999999999

# The shell's entry point, and the 16 bytes of its file there: what a hexdump of
# the physical address v2p finds for it must show
read -r SH_ENTRY SH_ENTRY_BYTES < <(python3 - "$BUILD/user-sh" <<'EOF'
import struct, sys
elf = open(sys.argv[1], "rb").read()
entry, phoff = struct.unpack_from("<II", elf, 24)
phentsize, phnum = struct.unpack_from("<HH", elf, 42)
for i in range(phnum):
    kind, offset, vaddr, _, filesz = struct.unpack_from("<IIIII", elf, phoff + i * phentsize)
    if kind == 1 and vaddr <= entry < vaddr + filesz:
        at = offset + entry - vaddr
        print("0x%08x %s" % (entry, elf[at:at + 16].hex()))
EOF
)

# NAME|COMMAND|STATUS|REGEX: a line the command must print (with status 2, bad
# input, its only line), then $? must be STATUS and a prompt come back
CASES=(
	"mem_arg|MEM now|2|^mem: unexpected argument 'now' \(usage: MEM\)$"
	"mem_huge|MEM $HUGE|2|^mem: unexpected argument '$HUGE'"
	"mem_h|MEM -h|0|^usage: MEM$"
	"memmap_arg|MEMMAP -x|2|^memmap: unexpected argument '-x' \(usage: MEMMAP\)$"
	"memmap_h|MEMMAP -h|0|^usage: MEMMAP$"
	"bda_arg|BDA 1|2|^bda: unexpected argument '1' \(usage: BDA\)$"
	"bda_h|BDA -h|0|^usage: BDA$"
	"ivt_arg|IVT -b|2|^ivt: unexpected argument '-b' \(usage: IVT \[-a\]\)$"
	"ivt_huge|IVT -a $HUGE|2|^ivt: unexpected argument '$HUGE'"
	"ivt_h|IVT -h|0|^usage: IVT \[-a\]$"
	"ebda_arg|EBDA x|2|^ebda: unexpected argument 'x' \(usage: EBDA\)$"
	"ebda_h|EBDA -h|0|^usage: EBDA$"
	"buddyinfo_arg|BUDDYINFO 3|2|^buddyinfo: unexpected argument '3'"
	"buddyinfo_h|BUDDYINFO -h|0|^usage: BUDDYINFO$"
	"slabinfo_arg|SLABINFO kmalloc|2|^slabinfo: unexpected argument 'kmalloc'"
	"slabinfo_h|SLABINFO -h|0|^usage: SLABINFO$"
	"ps_arg|PS -e|2|^ps: unexpected argument '-e' \(usage: PS\)$"
	"ps_h|PS -h|0|^usage: PS$"
	"kill_none|KILL|2|^kill: which process\? a pid is needed \(usage: KILL PID\.\.\.\)$"
	"kill_nonsense|KILL 12x|2|^kill: pid '12x' is not a number"
	"kill_huge|KILL $HUGE|2|^kill: pid $HUGE is too big: at most 0xFFFFFFFF"
	"kill_hex|KILL 0xFFFFFFFFFF|2|^kill: pid 0xFFFFFFFFFF is too big"
	"kill_missing|KILL 63|2|^kill: no process has pid 63"
	"kill_zero|KILL 0|2|^kill: pid 0 is not a process's"
	"kill_negative|KILL -1|2|^kill: pid '-1' is not a number"
	"kill_h|KILL -h|0|^usage: KILL PID\.\.\.$"
	"vmmap_missing|VMMAP 42|2|^vmmap: no process has pid 42"
	"vmmap_nonsense|VMMAP me|2|^vmmap: pid 'me' is not a number"
	"vmmap_huge|VMMAP $HUGE|2|^vmmap: pid $HUGE is too big"
	"vmmap_zero|VMMAP 0|2|^vmmap: pid 0 is not a process's"
	"vmmap_two|VMMAP 1 2|2|^vmmap: one pid at most"
	"vmmap_h|VMMAP -h|0|^usage: VMMAP \[PID\]$"
	"v2p_none|V2P|2|^v2p: which address\? ADDR is needed"
	"v2p_nonsense|V2P 0xZZ|2|^v2p: address '0xZZ' is not a number"
	"v2p_huge|V2P $HUGE|2|^v2p: address $HUGE is too big"
	"v2p_pid_missing|V2P 0x40400000 9|2|^v2p: no process has pid 9"
	"v2p_pid_huge|V2P 0x40400000 $HUGE|2|^v2p: pid $HUGE is too big"
	"v2p_three|V2P 1 2 3|2|^v2p: unexpected argument '3'"
	"v2p_unmapped|V2P 0|1|^0x00000000 is not mapped: not present at the (PDPTE|PDE|PTE)$"
	"v2p_unmapped_top|V2P 0xFFFFF000|1|^0xfffff000 is not mapped: not present at the (PDPTE|PDE|PTE)$"
	"v2p_h|V2P -h|0|^usage: V2P ADDR \[PID\]$"
	"hexdump_none|HEXDUMP|2|^hexdump: ADDR and LEN are needed"
	"hexdump_nolen|HEXDUMP 0x100000|2|^hexdump: ADDR and LEN are needed"
	"hexdump_three|HEXDUMP 0x100000 16 16|2|^hexdump: unexpected argument '16'"
	"hexdump_nonsense|HEXDUMP kernel 16|2|^hexdump: address 'kernel' is not a number"
	"hexdump_null|HEXDUMP 0 16|2|^hexdump: 0x00000000 is not mapped in kernel memory"
	"hexdump_user|HEXDUMP 0x40400000 16|2|^hexdump: 0x40400000 is not mapped in kernel memory"
	"hexdump_guard|HEXDUMP 0xaff0 32|2|^hexdump: 0x0000b000 is not mapped in kernel memory"
	"hexdump_huge|HEXDUMP $HUGE 16|2|^hexdump: address $HUGE is too big"
	"hexdump_hugelen|HEXDUMP 0x100000 $HUGE|2|^hexdump: length $HUGE is too big"
	"hexdump_wrap|HEXDUMP 0xFFFFFFF0 32|2|^hexdump: 0xfffffff0 \+ 32 runs past the end of the address space"
	"hexdump_zero|HEXDUMP 0x100000 0|2|^hexdump: length 0: nothing to show"
	"hexdump_h|HEXDUMP -h|0|^usage: HEXDUMP ADDR LEN$"
	"leaks_arg|LEAKS all|2|^leaks: unexpected argument 'all' \(usage: LEAKS\)$"
	"leaks_h|LEAKS -h|0|^usage: LEAKS$"
	"bootlog_arg|BOOTLOG 0|2|^bootlog: unexpected argument '0' \(usage: BOOTLOG\)$"
	"bootlog_h|BOOTLOG -h|0|^usage: BOOTLOG$"
	"cat_missing|CAT /NOPE.TXT|2|^cat: /NOPE.TXT: no such file"
	"cat_dir|CAT /TEST|2|^cat: /TEST: is a directory"
	"cat_h|CAT -h|0|^usage: CAT \[FILE\.\.\.\]$"
	"ls_missing|LS /TEST/NOPE|2|^ls: /TEST/NOPE: no such file"
	"ls_notdir|LS /TEST/SUB/FEWK.BIN/X|2|^ls: /TEST/SUB/FEWK.BIN/X: not a directory"
	"ls_h|LS -h|0|^usage: LS \[PATH\.\.\.\]$"
	"echo_h|ECHO -h|0|^usage: ECHO \[ARGS\.\.\.\]$"
	"sleep_none|SLEEP|2|^usage: SLEEP SECONDS"
	"sleep_nonsense|SLEEP soon|2|^usage: SLEEP SECONDS"
	"sleep_huge|SLEEP $HUGE|2|^usage: SLEEP SECONDS \(0 to 86400"
	"sleep_day|SLEEP 86401|2|^usage: SLEEP SECONDS \(0 to 86400"
	"sleep_negative|SLEEP -1|2|^usage: SLEEP SECONDS"
	"sleep_h|SLEEP -h|2|^usage: SLEEP SECONDS"
	"uptime_arg|UPTIME 5|2|^uptime: unexpected argument '5' \(usage: UPTIME\)$"
	"uptime_h|UPTIME -h|0|^usage: UPTIME$"
	"vmstat_arg|VMSTAT 5|2|^vmstat: unexpected argument '5' \(usage: VMSTAT\)$"
	"vmstat_h|VMSTAT -h|0|^usage: VMSTAT$"
	"wc_missing|WC /NOPE|1|^wc: /NOPE: no such file"
	"wc_dir|WC /TEST|1|^wc: /TEST: "
	"wc_h|WC -h|1|^wc: -h: no such file"
	"flood_nonsense|FLOOD many|2|^usage: FLOOD \[LINES\]"
	"flood_huge|FLOOD $HUGE|2|^usage: FLOOD \[LINES\] \(0 to 100000000"
	"flood_over|FLOOD 100000001|2|^usage: FLOOD \[LINES\]"
	"flood_two|FLOOD 1 2|2|^usage: FLOOD \[LINES\]"
	"flood_h|FLOOD -h|2|^usage: FLOOD \[LINES\]"
)

# --- the steps ---
# cmds: the shell is init, so pid 1; a background SLEEP's pid is kept from its [pid]
cat >"$T/cmds.steps" <<EOF
expect boot 90 ^\\$ 
line bg SLEEP 60 &
keep BG ^\\[([0-9]+)\\]$
line ps PS
line vmmap_sh VMMAP 1
line v2p_sh V2P $SH_ENTRY 1
keep PHYS ^physical (0x[0-9a-f]+)
line hexdump_sh HEXDUMP {PHYS} 16
line kill_partial KILL {BG} 63
line kill_partial_st ECHO \$?
line kill KILL {BG}
line kill_st ECHO \$?
line reaped SLEEP 0.1
line ps_after PS
line kill_again KILL {BG}
line mem MEM
line mem_st ECHO \$?
line memmap MEMMAP
line bda BDA
line ivt IVT
line ivt_all IVT -a
line ebda EBDA
line buddyinfo BUDDYINFO
line slabinfo SLABINFO
line vmmap VMMAP
line v2p V2P 0x40400000
line v2p_kernel V2P 0x00100000
line hexdump HEXDUMP 0x00100000 64
line hexdump_big HEXDUMP 0x00100000 0x20000
line leaks LEAKS
line leaks_st ECHO \$?
line bootlog BOOTLOG
line cat CAT /BOOT.CFG /BOOT.CFG
line cat_fewk CAT /TEST/SUB/FEWK.BIN | WC
send CAT\\r
expect cat_started 30 CAT\\n
send typed into cat\\r
send \\x04
expect cat_stdin 30 ^\\$ 
line ls LS /TEST/SUB /TEST/SUB/FEWK.BIN
line ls_root LS /
line ls_partly LS /TEST/NOPE /TEST/SUB
line ls_partly_st ECHO \$?
line cd cd /TEST/SUB
line ls_cwd LS
line cd_back cd /
line echo ECHO one  two three
line echo_none ECHO
line uptime UPTIME
line sleep SLEEP 1.5
line uptime_after UPTIME
line vmstat VMSTAT
line wc WC /TEST/SUB/FEWK.BIN
send WC\\r
expect wc_started 30 WC\\n
send two words\\r
send \\x04
expect wc_stdin 30 ^\\$ 
line flood FLOOD 3
line flood_none FLOOD 0
line last ECHO still here
send \\x04
expect end 60 ^  total .*E820 usable.*$
EOF
{
	echo 'expect boot 90 ^\$ '
	for c in "${CASES[@]}"; do
		IFS='|' read -r name command _ <<<"$c"
		echo "line $name $command"
		echo "line ${name}_st ECHO \$?"
	done
	cat <<'EOF'
line mem MEM
line vmmap VMMAP
line v2p V2P 0x40400000 1
line leaks LEAKS
line last ECHO still here
send \x04
expect end 60 ^  total .*E820 usable.*$
EOF
} >"$T/bad.steps"

# exit: QEMU ends when the last process has (after Ctrl-D ends the shell)
kernel_image "$T/cmds.img" kernel "exit init=/BIN/SH"
kernel_image "$T/bad.img" kernel "exit memdebug init=/BIN/SH"
session cmds "$T/cmds.steps" "$T/cmds.img" -m 64
session bad "$T/bad.steps" "$T/bad.img" -m 3584 -cpu max
wait

# between SESSION STEP: the lines a `line` step saw between its echo and the prompt
between() { sed '1d;$d' "$T/$1/$2.out" 2>/dev/null; }
# status_is SESSION STEP N: the last line the ECHO $? after STEP printed is N
# (a background command reaped meanwhile may have a line before it)
status_is() { [ "$(sed -n '$!h;${x;p}' "$T/$1/${2}_st.out" 2>/dev/null)" = "$3" ]; }
# boot_block SESSION FIRST LAST: the boot report's lines from FIRST to LAST (EREs)
boot_block() { awk -v first="$2" -v last="$3" '$0 ~ first { on = 1 } on { print } on && $0 ~ last { exit }' "$T/$1/boot.out"; }
# verify NAME DETAIL CMD...: tap_check, with DETAIL a command line run only
# when CMD fails, to say what was seen
verify() {
	local name=$1 detail=$2
	shift 2
	if "$@"; then tap_ok "$name"; else tap_fail "$name" "$(eval "$detail" 2>&1 | head -c 600 | tr '\n' '|')"; fi
}

# ---- mem: its rows are the boot report's, they add up, each fits a VGA row ----
for s in cmds bad; do
	usable=$(sed -nE 's/^  total +[0-9]+ of ([0-9]+) E820 usable: exact$/\1/p' "$T/$s/boot.out" | head -1)
	# name=bytes for each accounting row: the boot report's, and mem's above its total
	boot_block "$s" '^Physical memory accounting' '^  total' | sed -nE 's/^  (.*[^ ]) +([0-9]+)$/\1=\2/p' >"$T/$s.mem.boot"
	between "$s" mem | awk '/^  total / { exit } { print }' |
		sed -nE 's/^  (.*[^ ]) +([0-9]+) +[0-9.]+ [KMGTPE]?i?B$/\1=\2/p' >"$T/$s.mem.rows"
	sum=$(awk -F= '{ s += $2 } END { printf "%.0f", s }' "$T/$s.mem.rows")
	check "$s" mem "mem: the total and the E820 usable total of this boot ($usable), adding up" \
		"^  total +$sum +[0-9.]+ [KMG]?i?B$" "^  E820 usable +$usable +[0-9.]+ [KMG]?i?B  adds up: exact$"
	verify "$s: mem: its rows sum to the boot report's E820 usable total ($usable)" "echo they sum to $sum" \
		[ "${sum:-x}" = "${usable:-y}" ]
	verify "$s: mem: the boot report's accounting rows, in its order" \
		"diff <(cut -d= -f1 '$T/$s.mem.boot') <(cut -d= -f1 '$T/$s.mem.rows')" \
		bash -c "[ \$(wc -l <'$T/$s.mem.boot') -ge 10 ] && cmp -s <(cut -d= -f1 '$T/$s.mem.boot') <(cut -d= -f1 '$T/$s.mem.rows')"
	verify "$s: mem: the rows that do not move after boot (reserved, partial, above 4 GiB) have the boot's figures" \
		"diff <(grep -E '^(reserved|partial|above)' '$T/$s.mem.boot') <(grep -E '^(reserved|partial|above)' '$T/$s.mem.rows')" \
		cmp -s <(grep -E '^(reserved|partial|above)' "$T/$s.mem.boot") <(grep -E '^(reserved|partial|above)' "$T/$s.mem.rows")
	check "$s" mem "mem: a summary: usable, free, kernel and reserved, user pages (its own and the shell's)" \
		"^  usable RAM \(E820\) +$usable .* 100\.0 %$" '^  free +[1-9][0-9]* ' '^  kernel and reserved +[1-9]' \
		'^  user pages +[1-9][0-9]* '
	verify "$s: mem: every line fits a VGA row ($VGA_LINE_MAX columns)" \
		"awk -v max=$VGA_LINE_MAX 'length(\$0) > max { print length(\$0) \": \" \$0 }' '$T/$s/mem.out'" \
		awk -v max=$VGA_LINE_MAX 'length($0) > max { long = 1 } END { exit long || NR < 20 }' "$T/$s/mem.out"
done
check bad mem "mem at -m 3584: figures of 10 digits (the widest the check sees)" '^  free pages, high zone +[0-9]{10} '
verify "cmds: mem: status 0" "cat '$T/cmds/mem_st.out'" status_is cmds mem 0

# ---- ps, kill, vmmap, v2p, hexdump: the shell's own process ----
bg=$(sed -nE 's/^\[([0-9]+)\]$/\1/p' "$T/cmds/bg.out")
check cmds bg "SLEEP 60 & gives its pid" '^\[[0-9]+\]$'
check cmds ps "ps lists the shell (pid 1, no parent, waiting for ps), the background SLEEP and itself" \
	'^ +1 +0 +sleeping +[1-9][0-9]* +[1-9][0-9]* +[1-9][0-9]* +[0-9]+  sh$' \
	"^ +${bg:-x} +1 +sleeping +[1-9][0-9]* +[0-9]+ +[0-9]+ +[0-9]+  sleep$" \
	'^ +[0-9]+ +1 +runnable +[1-9][0-9]* +[0-9]+ +[0-9]+ +[0-9]+  ps$'
check cmds vmmap_sh "vmmap 1: the shell's text at 0x40400000 (r-x), its data, its stack" \
	'^40400000-404[0-9a-f]{5} +[0-9.]+ [KM]iB program +r-x +[1-9][0-9]*/[0-9]+$' \
	'^404[0-9a-f]{5}-404[0-9a-f]{5} .* program +rwx +[0-9]+/[0-9]+$' \
	'^bfef0000-bfff0000 +1 MiB stack +rwx +[1-9][0-9]*/256$'
present=$(awk '$NF ~ /^[0-9]+\/[0-9]+$/ { split($NF, p, "/"); s += p[1] } END { print s + 0 }' "$T/cmds/vmmap_sh.out")
pages=$(awk '$NF == "sh" { print $4 }' "$T/cmds/ps.out")
verify "cmds: the shell's pages present in vmmap ($present) are its pages in ps" "echo ps says $pages" \
	[ "$present" = "${pages:-x}" ]
check cmds v2p_sh "v2p of the shell's entry ($SH_ENTRY) in pid 1: PDE 257, a user PTE, the physical address" \
	"^$SH_ENTRY in pid 1, 32-bit tables:$" '^  PDE +257 in the table at 0x[0-9a-f]{8}: 0x[0-9a-f]{8}  P RW US' \
	'^  PTE +0 in the table at 0x[0-9a-f]{8}: 0x[0-9a-f]{8}  P US' "^physical 0x[0-9a-f]{5}${SH_ENTRY: -3}$"
got=$(sed -nE 's/^[0-9a-f]{8}  (.{48}).*/\1/p' "$T/cmds/hexdump_sh.out" | tr -d ' ')
verify "cmds: hexdump of that physical address shows the shell's file at its entry point" \
	"echo file: $SH_ENTRY_BYTES; cat '$T/cmds/hexdump_sh.out'" \
	bash -c '[ -n "$1" ] && [ "$1" = "$2" ]' _ "$SH_ENTRY_BYTES" "$got"
check cmds kill_partial "KILL of the background SLEEP and of pid 63, which is none: refused" "^kill: no process has pid 63 "
verify "cmds: ... with status 2, and the SLEEP not ended (the KILL below finds it)" "cat '$T/cmds/kill_partial_st.out'" \
	status_is cmds kill_partial 2
verify "cmds: KILL of the background SLEEP: nothing said, status 0" "cat '$T/cmds/kill.out' '$T/cmds/kill_st.out'" \
	bash -c "[ \"\$(grep -cv '^\[$bg\] done' '$T/cmds/kill.out')\" = 2 ] && grep -qx 0 '$T/cmds/kill_st.out'"
verify "cmds: the shell reaps the killed SLEEP: status 512 (STATUS_KILLED)" \
	"cat '$T/cmds/kill.out' '$T/cmds/kill_st.out' '$T/cmds/reaped.out'" \
	grep -qx "\[${bg:-x}\] done (status 512)" "$T/cmds/kill.out" "$T/cmds/kill_st.out" "$T/cmds/reaped.out"
verify "cmds: ps no longer lists it" "cat '$T/cmds/ps_after.out'" \
	bash -c "[ -n '$bg' ] && ! grep -qE '^ +$bg ' '$T/cmds/ps_after.out' && grep -qE '  sh$' '$T/cmds/ps_after.out'"
check cmds kill_again "KILL of it again: no such process" "^kill: no process has pid ${bg:-x} "
check cmds vmmap "vmmap alone: its own regions, the heap it allocated included" \
	'^40400000-404[0-9a-f]{5} .* program +r-x ' '^[0-9a-f]{8}-[0-9a-f]{8} .* heap +rwx +[1-9][0-9]*/[0-9]+$' \
	'^bfef0000-bfff0000 +1 MiB stack +rwx +[1-9][0-9]*/256$'
check cmds v2p "v2p alone: its own space" '^0x40400000 in pid [0-9]+ \(v2p itself\), 32-bit tables:$' \
	'^physical 0x[0-9a-f]{8}$'
check cmds v2p_kernel "v2p of the kernel's 0x00100000: mapped to itself" '^physical 0x00100000'
verify "cmds: v2p_kernel: supervisor only (no US) on its PTE" "cat '$T/cmds/v2p_kernel.out'" \
	bash -c "grep -qE '^  PTE ' '$T/cmds/v2p_kernel.out' && ! grep -qE '^  PTE .* US' '$T/cmds/v2p_kernel.out'"
check cmds hexdump "hexdump of the kernel's header at 0x00100000 (magic VLSK)" '^00100000  56 4c 53 4b .*  \|VLSK'
verify "cmds: hexdump: 64 bytes, 4 lines" "cat '$T/cmds/hexdump.out'" \
	bash -c "[ \$(grep -c '^00100' '$T/cmds/hexdump.out') = 4 ]"
check cmds hexdump_big "hexdump of 128 KiB: a message, the first 64 KiB" \
	'^hexdump: length 131072 is more than 65536: showing the first 65536 bytes$' '^0010fff0  '
verify "cmds: hexdump_big: 4096 lines, 0x00100000 to 0x0010fff0, then the prompt" \
	"grep -c '^001' '$T/cmds/hexdump_big.out'" \
	awk '/^001[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]  / { n++; if (substr($0, 1, 8) != sprintf("%08x", 1048576 + 16 * (n - 1))) bad = 1 }
		END { exit bad || n != 4096 || $0 != "$ " }' "$T/cmds/hexdump_big.out"

# ---- memmap, bda, ivt, ebda: against the boot's lines ----
boot_block cmds '^E820 memory map' '^  sanitised' | grep -E '^  0x' >"$T/memmap.boot"
verify "cmds: memmap: every E820 entry of the boot report, with its size and type" \
	"echo \$(wc -l <'$T/memmap.boot') entries at boot; cat '$T/cmds/memmap.out'" \
	bash -c "[ -s '$T/memmap.boot' ] && while read -r range type; do grep -qE \"^  \$range +[0-9.]+ [KMG]?i?B  \$type\" '$T/cmds/memmap.out' || exit 1; done <'$T/memmap.boot'"
check cmds memmap "memmap: the layout's regions: kernel, heap, ROM; the usable total" \
	'^  kernel +0x00100000-0x001fffff +1 MiB .* usable$' '^  heap +0x00200000-0x002fffff +1 MiB ' \
	'^  rom +0x000f0000-0x000fffff +64 KiB .* reserved$' '^  usable: [0-9]+ bytes'
conv=$(sed -nE 's/^memory: INT 12h ([0-9]+) KiB.*/\1/p' "$T/cmds/boot.out")
check cmds bda "bda: COM1 at 0x3F8, conventional memory as INT 12h said ($conv KiB), one hard disk, 80x25" \
	'^  COM1 at 0x3F8$' "^Conventional memory: ${conv:-x} KiB$" '^Hard disks: 1$' '^Video: mode 0x03, 80 columns, 25 rows'
check cmds ivt "ivt: 13h into the BIOS at F000, 08h named, the catch-alls counted" \
	'^  13h +F000:[0-9A-F]{4} +0x[0-9a-f]{5} +disk services$' '^  08h +[0-9A-F]{4}:[0-9A-F]{4} .*IRQ 0: timer' \
	'^[0-9]+ more vectors point to F000:[0-9A-F]{4}'
verify "cmds: ivt -a: all 256 vectors" "grep -cE '^  [0-9A-F]{2}h ' '$T/cmds/ivt_all.out'" \
	bash -c "[ \$(grep -cE '^  [0-9A-F]{2}h ' '$T/cmds/ivt_all.out') = 256 ]"
ebda=$(sed -nE 's/^memory: .*EBDA at ([0-9A-F]+)h.*/\1/p' "$T/cmds/boot.out" | tr A-F a-f)
check cmds ebda "ebda: where the loader found it (0x$ebda), its first bytes" \
	"^EBDA: segment 0x[0-9A-F]{4} at 0x${ebda:-x}, [0-9]+ KiB by its first byte" "^000${ebda:-x}  [0-9a-f]{2} "

# ---- buddyinfo, slabinfo ----
check cmds buddyinfo "buddyinfo: orders 0 to 10, a direct zone" '^order( +[0-9]+){11}  free pages$' '^direct( +[0-9]+){11}  [1-9]'
verify "cmds: buddyinfo: a zone's free pages are its blocks times their sizes" "cat '$T/cmds/buddyinfo.out'" \
	awk '$1 == "direct" && NF >= 13 { s = 0; for (i = 2; i <= 12; i++) s += $i * 2 ^ (i - 2); ok = $13 == s } END { exit !ok }' "$T/cmds/buddyinfo.out"
check cmds slabinfo "slabinfo: kmalloc-64 with its size, kmem_cache, the totals" '^kmalloc-64 +64 +[0-9]+ ' \
	'^kmem_cache +[0-9]+ ' '^[0-9]+ caches, [0-9]+ objects in use, [0-9]+ pages held$'
verify "cmds: slabinfo: at least 20 kmalloc caches" "grep -c '^kmalloc-' '$T/cmds/slabinfo.out'" \
	bash -c "[ \$(grep -c '^kmalloc-' '$T/cmds/slabinfo.out') -ge 20 ]"

# ---- leaks, bootlog ----
check cmds leaks "leaks without memdebug: how to turn it on" '^leaks: memdebug is off: add the word memdebug to BOOT.CFG$'
verify "cmds: leaks without memdebug: status 1" "cat '$T/cmds/leaks_st.out'" status_is cmds leaks 1
check bad leaks "leaks with memdebug: the report" 'memdebug: .*[0-9]+ live allocation'
boot_block cmds '^VlsOs 0\.1' '^VlsOs ready$' >"$T/bootlog.boot"
between cmds bootlog >"$T/bootlog.copy"
verify "cmds: bootlog: the kernel's lines to VlsOs ready, as it printed them at this boot" \
	"diff '$T/bootlog.boot' '$T/bootlog.copy'" \
	bash -c "[ \$(wc -l <'$T/bootlog.boot') -gt 20 ] && cmp -s '$T/bootlog.boot' '$T/bootlog.copy'"

# ---- cat, ls, echo, sleep, uptime, WC, FLOOD ----
verify "cmds: cat: BOOT.CFG twice" "cat '$T/cmds/cat.out'" bash -c "[ \$(grep -cx 'exit init=/BIN/SH' '$T/cmds/cat.out') = 2 ]"
check cmds cat_fewk "cat of a binary file into a pipe: FEWK.BIN's 5000 bytes (test_commands.sh compares them)" \
	'^19 87 5000$'
verify "cmds: cat without a file: the console's line, then its end at Ctrl-D" "cat '$T/cmds/cat_stdin.out'" \
	bash -c "[ \$(grep -cx 'typed into cat' '$T/cmds/cat_stdin.out') = 2 ]"
check cmds ls "ls of a directory and a file: FEWK.BIN with its size, a long name, the file by itself" \
	'^  FEWK\.BIN +5000  file$' '^  Long-file-name\.bin +2048  file$' '^  /TEST/SUB/FEWK\.BIN +5000  file$'
check cmds ls_root "ls /: BIN and TEST directories, KERNEL.BIN and BOOT.CFG files" '^  BIN +dir$' '^  TEST +dir$' \
	'^  KERNEL\.BIN +[0-9]+  file$' '^  BOOT\.CFG +[0-9]+  file$'
check cmds ls_partly "ls of a missing path and a directory: the first named, the second listed" \
	'^ls: /TEST/NOPE: no such file' '^  FEWK\.BIN +5000  file$'
verify "cmds: ... and status 2" "cat '$T/cmds/ls_partly_st.out'" status_is cmds ls_partly 2
check cmds ls_cwd "ls alone lists the current directory (/TEST/SUB)" '^  FEWK\.BIN +5000  file$'
check cmds echo "echo: its arguments, one space between" '^one two three$'
verify "cmds: echo alone: an empty line" "cat '$T/cmds/echo_none.out'" bash -c "[ \"\$(sed -n 2p '$T/cmds/echo_none.out')\" = '' ] && [ \$(wc -l <'$T/cmds/echo_none.out') = 2 ]"
check cmds uptime "uptime: the time since boot" '^up [0-9]+\.[0-9]{3} s \([0-9]+:[0-9]{2}:[0-9]{2}\)$'
check cmds vmstat "vmstat: free memory and watermarks, faults, shared text, the swap partition unused, no OOM" \
	'^memory: +[0-9]+ KiB free, [0-9]+ KiB in user pages \(reclaim below 32 frames, up to 64\)$' \
	'^faults: +[1-9][0-9]* minor, [0-9]+ major; cycles each: [0-9]+ minor, [0-9]+ major$' \
	'^text: +[0-9]+ pages of [1-9][0-9]* programs in memory; [0-9]+ read from files, [0-9]+ shared$' \
	'^swap: +(0 of 32764 KiB used on 1 device, 0 slots bad|none)$' '^clock: ' '^oom: +0 faults found no frame$'
before=$(sed -nE 's/^up ([0-9.]+) s .*/\1/p' "$T/cmds/uptime.out")
after=$(sed -nE 's/^up ([0-9.]+) s .*/\1/p' "$T/cmds/uptime_after.out")
verify "cmds: SLEEP 1.5 between two uptimes: they differ by 1.5 s or more (and less than 10)" \
	"echo up $before, then up $after" \
	awk -v a="${before:-x}" -v b="${after:-x}" 'BEGIN { exit !(a != "x" && b - a >= 1.5 && b - a < 10) }'
check cmds wc "WC of a file: lines, words, bytes, its name" '^19 87 5000 /TEST/SUB/FEWK\.BIN$'
check cmds wc_stdin "WC of the console until Ctrl-D: 1 line, 2 words, 10 bytes" '^1 2 10$'
check cmds flood "FLOOD 3: three numbered lines" '^flood: line 1 of 3$' '^flood: line 3 of 3$'
verify "cmds: FLOOD 0: no line" "cat '$T/cmds/flood_none.out'" bash -c "[ \$(wc -l <'$T/cmds/flood_none.out') = 1 ]"

# ---- bad: PAE, NX, and every bad input ----
check bad vmmap "with NX: text r-x, read-only data r--, data, heap and stack rw-" \
	'^404[0-9a-f]{5}-404[0-9a-f]{5} .* program +r-x ' '^404[0-9a-f]{5}-404[0-9a-f]{5} .* program +r-- ' \
	'^404[0-9a-f]{5}-404[0-9a-f]{5} .* program +rw- ' '^[0-9a-f]{8}-[0-9a-f]{8} .* heap +rw- ' \
	'^bfef0000-bfff0000 +1 MiB stack +rw- +[1-9][0-9]*/256$'
check bad v2p "PAE: the shell's 0x40400000 through a PDPTE, a PDE and a user PTE" \
	'^0x40400000 in pid 1, PAE \(64-bit entries\) tables:$' '^  PDPTE +1 in the table at 0x[0-9a-f]{8}: 0x[0-9a-f]{16}  P' \
	'^  PTE +0 in the table at 0x[0-9a-f]{8}: 0x[0-9a-f]{16}  P .*US' '^physical 0x[0-9a-f]{8}$'
# each case in one pass: a line matching its REGEX (with status 2 the only
# line), $? as expected, the prompt back; "ok NAME" or "bad NAME DETAIL" a line
printf '%s\n' "${CASES[@]}" >"$T/cases"
python3 - "$T/cases" "$T/bad" <<'EOF' >"$T/cases.verdicts"
import re, sys
for case in open(sys.argv[1]).read().splitlines():
    name, command, status, regex = case.split("|", 3)
    def seen(step):
        try:
            return open("%s/%s.out" % (sys.argv[2], step)).read()
        except OSError:
            return "(no output)"
    said, after = seen(name), seen(name + "_st")
    lines = said.split("\n")[1:-1]
    faults = []
    if not any(re.search(regex, line) for line in lines):
        faults.append("no line matching %s" % regex)
    if status == "2" and len(lines) != 1:
        faults.append("%d lines, not 1" % len(lines))
    if after.split("\n")[-2:-1] != [status]:
        faults.append("$? is not %s" % status)
    if not said.endswith("\n$ ") or not after.endswith("\n$ "):
        faults.append("no prompt back")
    verdict = "ok" if not faults else "bad"
    print("%s|%s|%s|%s" % (verdict, command, status, "; ".join(faults) + ": said " + "|".join(lines)[:300]))
EOF
while IFS='|' read -r verdict command status detail; do
	case $status in
	0) what="its usage, status 0" ;;
	2) what="one line naming the fault, status 2" ;;
	*) what="a line naming the fault, status $status" ;;
	esac
	[ "$verdict" = ok ]
	tap_report $? "bad: $command: $what, a prompt back" "$detail"
done <"$T/cases.verdicts"
verify "bad: every case was checked" "wc -l '$T/cases.verdicts'" \
	bash -c "[ \$(wc -l <'$T/cases.verdicts') = ${#CASES[@]} ]"
check bad last "after all of it, the shell still answers" '^still here$'
check cmds last "the shell still answers" '^still here$'
for s in cmds bad; do
	check "$s" end "Ctrl-D ends the shell; the kernel's accounting after the last process: no user page, exact" \
		"^All processes have ended \(init's status 0\)" '^  user pages +0$' '^  total +[0-9]+ of [0-9]+ E820 usable: exact$'
done
verify "no PANIC, no process killed by a fault" "grep -hE 'PANIC|killed' '$T/cmds.txt' '$T/bad.txt'" \
	bash -c "! grep -qE 'PANIC|killed:' '$T/cmds.txt' '$T/bad.txt'"
tap_done
