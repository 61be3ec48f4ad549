# test_commands.sh: the commands in /BIN (docs/console.md), each run as init
# (BOOT.CFG `exit init=/BIN/NAME ARGS`, so the test needs no shell): one QEMU
# boot a run, a few at a time in the background, each with a time limit. Their
# output on COM1 is checked against what the kernel printed at the same boot
# (the accounting, the E820 map, the BIOS's data) and the layout; bad input to
# each (no arguments, nonsense, huge numbers, unmapped addresses) must give one
# line naming the fault and status 2.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/commands
mkdir -p "$T"
PARALLEL=${PARALLEL:-4}
BOOT_SECONDS=120

# run NAME ARGS [QEMU-ARGS...]: in the background, boots with init=/BIN/ARGS
# (after the words $WORDS, "exit" unless set) until the last process ends (or
# BOOT_SECONDS); $T/NAME.log
run() {
	local name=$1 args=$2
	shift 2
	while [ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ]; do wait -n; done
	kernel_image "$T/$name.img" kernel "${WORDS:-exit} init=/BIN/$args" || return
	(
		SETTLE=0 boot_until "$T/$name.log" "^All processes have ended|PANIC" "$BOOT_SECONDS" -accel tcg \
			-m 64 "$@" -drive "file=$T/$name.img,format=raw,if=ide"
		rm -f "$T/$name.img" "$T/$name.img.cfg"
	) &
}
run mem MEM
run memmap MEMMAP
run bda BDA
run ivt IVT
run ivt_all "IVT -a"
run ebda EBDA
run buddyinfo BUDDYINFO
run slabinfo SLABINFO
run ps PS
run vmmap VMMAP -cpu max
run v2p_user "V2P 0x40400000" -cpu max
run v2p_user32 "V2P 0x40400000"
run v2p_null "V2P 0"
run v2p_kernel "V2P 0x00100000"
run hexdump "HEXDUMP 0x00100000 64"
run hexdump_big "HEXDUMP 0x00100000 0x20000"
run leaks LEAKS
WORDS='exit memdebug' run leaks_on LEAKS
run bootlog BOOTLOG
run cat "CAT /BOOT.CFG /BOOT.CFG"
run cat_fewk "CAT /TEST/SUB/FEWK.BIN"
run ls "LS /TEST/SUB /TEST/SUB/FEWK.BIN"
run ls_root "LS /"
run echo "ECHO one  two three"
run uptime UPTIME
run help "V2P -h"
# bad input: NAME ARGS REGEX (the one line it must print)
BAD=(
	"mem_bad|MEM now|^mem: unexpected argument 'now' \(usage: MEM\)$"
	"memmap_bad|MEMMAP -x|^memmap: unexpected argument '-x'"
	"bda_bad|BDA 1|^bda: unexpected argument '1'"
	"ivt_bad|IVT -b|^ivt: unexpected argument '-b' \(usage: IVT \[-a\]\)$"
	"ebda_bad|EBDA x|^ebda: unexpected argument 'x'"
	"buddyinfo_bad|BUDDYINFO 3|^buddyinfo: unexpected argument '3'"
	"slabinfo_bad|SLABINFO kmalloc|^slabinfo: unexpected argument 'kmalloc'"
	"ps_bad|PS -e|^ps: unexpected argument '-e'"
	"kill_none|KILL|^kill: which process\? a pid is needed \(usage: KILL PID...\)$"
	"kill_nonsense|KILL 12x|^kill: pid '12x' is not a number"
	"kill_huge|KILL 0xFFFFFFFFFF|^kill: pid 0xFFFFFFFFFF is too big"
	"kill_missing|KILL 63|^kill: no process has pid 63"
	"kill_zero|KILL 0|^kill: pid 0 is not a process's"
	"vmmap_missing|VMMAP 42|^vmmap: no process has pid 42"
	"vmmap_nonsense|VMMAP me|^vmmap: pid 'me' is not a number"
	"vmmap_two|VMMAP 1 2|^vmmap: one pid at most"
	"v2p_none|V2P|^v2p: which address\? ADDR is needed"
	"v2p_nonsense|V2P 0xZZ|^v2p: address '0xZZ' is not a number"
	"v2p_huge|V2P 0xFFFFFFFFFF|^v2p: address 0xFFFFFFFFFF is too big"
	"v2p_pid|V2P 0x40400000 9|^v2p: no process has pid 9"
	"hexdump_none|HEXDUMP|^hexdump: ADDR and LEN are needed"
	"hexdump_nolen|HEXDUMP 0x100000|^hexdump: ADDR and LEN are needed"
	"hexdump_null|HEXDUMP 0 16|^hexdump: 0x00000000 is not mapped in kernel memory"
	"hexdump_user|HEXDUMP 0x80000000 16|^hexdump: 0x80000000 is not mapped in kernel memory"
	"hexdump_huge|HEXDUMP 0xFFFFFFFFFF 16|^hexdump: address 0xFFFFFFFFFF is too big"
	"hexdump_hugelen|HEXDUMP 0x100000 99999999999|^hexdump: length 99999999999 is too big"
	"hexdump_wrap|HEXDUMP 0xFFFFFFF0 32|^hexdump: 0xfffffff0 \+ 32 runs past the end of the address space"
	"hexdump_zero|HEXDUMP 0x100000 0|^hexdump: length 0: nothing to show"
	"leaks_bad|LEAKS all|^leaks: unexpected argument 'all'"
	"bootlog_bad|BOOTLOG 0|^bootlog: unexpected argument '0'"
	"cat_missing|CAT /NOPE.TXT|^cat: /NOPE.TXT: no such file"
	"cat_dir|CAT /TEST|^cat: /TEST: is a directory"
	"ls_missing|LS /TEST/NOPE|^ls: /TEST/NOPE: no such file"
	"uptime_bad|UPTIME 5|^uptime: unexpected argument '5'"
)
for bad in "${BAD[@]}"; do
	IFS='|' read -r name args _ <<<"$bad"
	run "$name" "$args"
done
wait

# out NAME: what the program printed (between "VlsOs ready" and the kernel's last words)
out() {
	awk '/^All processes have ended/ { exit } seen { print } /^VlsOs ready$/ { seen = 1 }' "$T/$1.log"
}
# status NAME: init's exit status as the kernel reported it (its line may
# follow output that did not end with a newline)
status() {
	sed -nE "s/.*All processes have ended \(init's status ([0-9]+)\).*/\1/p" "$T/$1.log"
}
# has NAME WHAT REGEX: a line of the program's output matches
has() {
	tap_check "$1: $2" "no line matching $3 in: $(out "$1" | head -4 | tr '\n' '|')" \
		grep -qE -- "$3" <(out "$1")
}
# ends NAME STATUS
ends() {
	tap_check "$1: status $2" "status '$(status "$1")', $(grep -E 'PANIC|killed' "$T/$1.log" | head -1)" \
		[ "$(status "$1")" = "$2" ]
}

# ---- mem: the rows add up, and they are the rows the kernel printed at boot ----
has mem "the rows add up to the E820 usable total" "^  E820 usable +[0-9]+ +[0-9.]+ [KMG]?i?B  adds up: exact$"
# name=bytes, one a line: the boot's accounting block and mem's rows
awk '/^Physical memory accounting \(bytes\):$/ { on = 1 } on { print } on && /^  total/ { exit }' "$T/mem.log" | sed -nE 's/^  (.*[^ ]) +([0-9]+)$/\1=\2/p' |
	grep -v '^total' >"$T/mem.boot"
out mem | sed -nE 's/^  (.*[^ ]) +([0-9]+) +[0-9.]+ [KMGTPE]?i?B$/\1=\2/p' >"$T/mem.rows"
tap_check "mem: the same rows as the boot report's accounting, in its order" \
	"$(diff <(cut -d= -f1 "$T/mem.boot") <(cut -d= -f1 "$T/mem.rows") | head -3 | tr '\n' ' ')" \
	cmp -s <(cut -d= -f1 "$T/mem.boot") <(cut -d= -f1 "$T/mem.rows")
tap_check "mem: the rows that do not move after boot (reserved, partial, above 4 GiB) have the boot's figures" \
	"$(diff <(grep -E '^(reserved|partial|above)' "$T/mem.boot") <(grep -E '^(reserved|partial|above)' "$T/mem.rows") | head -2 | tr '\n' ' ')" \
	cmp -s <(grep -E '^(reserved|partial|above)' "$T/mem.boot") <(grep -E '^(reserved|partial|above)' "$T/mem.rows")
usable=$(sed -nE 's/^  total +[0-9]+ of ([0-9]+) E820 usable: exact$/\1/p' "$T/mem.log" | head -1)
sum=$(cut -d= -f2 "$T/mem.rows" | awk '{ s += $1 } END { printf "%d", s }')
tap_check "mem: its rows sum to the boot's E820 usable total ($usable)" "they sum to $sum" [ "${sum:-x}" = "${usable:-y}" ]
has mem "a summary with the usable total" "^  usable RAM \(E820\) +$usable "
has mem "a summary of the user pages (mem's own)" "^  user pages +[1-9][0-9]* "
ends mem 0

# ---- memmap: the loader's E820 entries, and the layout's regions ----
sed -n '/^E820 memory map/,/^  sanitised/p' "$T/memmap.log" | grep -E '^  0x' | sed -E 's/^  (0x[0-9a-f]+-0x[0-9a-f]+) (.*)$/\1 \2/' >"$T/memmap.boot"
tap_check "memmap: every E820 entry of the boot report, with its type" \
	"$(wc -l <"$T/memmap.boot") entries at boot; $(out memmap | grep -c '^  0x') in memmap" \
	bash -c "[ -s '$T/memmap.boot' ] && while read -r range type; do grep -qE \"^  \$range +[0-9.]+ [KMG]?i?B  \$type\" <(awk '/^All processes/ {exit} s; /^VlsOs ready\$/ {s=1}' '$T/memmap.log') || exit 1; done <'$T/memmap.boot'"
has memmap "the kernel region at 0x00100000, usable RAM" "^  kernel +0x00100000-0x001fffff +1 MiB .* usable$"
has memmap "the heap region at 0x00200000" "^  heap +0x00200000-0x002fffff +1 MiB "
has memmap "the ROM region, reserved" "^  rom +0x000f0000-0x000fffff +64 KiB .* reserved$"
has memmap "the usable total" "^  usable: [0-9]+ bytes"
ends memmap 0

# ---- bda, ivt, ebda: against the loader's lines at the same boot ----
has bda "COM1 at 0x3F8" "^  COM1 at 0x3F8$"
conv=$(sed -nE 's/^memory: INT 12h ([0-9]+) KiB.*/\1/p' "$T/bda.log")
has bda "conventional memory as INT 12h said ($conv KiB)" "^Conventional memory: $conv KiB$"
has bda "one hard disk" "^Hard disks: 1$"
has bda "80 columns, 25 rows" "^Video: mode 0x03, 80 columns, 25 rows"
ends bda 0
has ivt "vector 13h points into the BIOS at F000" "^  13h +F000:[0-9A-F]{4} +0x[0-9a-f]{5} +disk services$"
has ivt "vector 08h (timer) is named" "^  08h +[0-9A-F]{4}:[0-9A-F]{4} .*IRQ 0: timer"
has ivt "the catch-all vectors are counted" "^[0-9]+ more vectors point to F000:[0-9A-F]{4}"
tap_check "ivt -a: all 256 vectors" "$(out ivt_all | grep -cE '^  [0-9A-F]{2}h ') lines" \
	[ "$(out ivt_all | grep -cE '^  [0-9A-F]{2}h ')" = 256 ]
ends ivt_all 0
ebda=$(sed -nE 's/^memory: .*EBDA at ([0-9A-F]+)h.*/\1/p' "$T/ebda.log" | tr A-F a-f)
has ebda "the EBDA where the loader found it (0x$ebda)" "^EBDA: segment 0x[0-9A-F]{4} at 0x$ebda, [0-9]+ KiB by its first byte"
has ebda "a hexdump of its first bytes" "^000${ebda}  [0-9a-f]{2} "
ends ebda 0

# ---- buddyinfo, slabinfo ----
has buddyinfo "orders 0 to 10" "^order( +[0-9]+){11}  free pages$"
row=$(out buddyinfo | grep -E '^[a-z]+( +[0-9]+){11}  [0-9]+ ' | head -1)
pages=$(awk '{ s = 0; for (i = 2; i <= 12; i++) s += $i * 2 ^ (i - 2); print s }' <<<"$row")
tap_check "buddyinfo: a zone's free pages are its blocks times their sizes" "row: $row" \
	[ -n "$row" ] && [ "$(awk '{ print $13 }' <<<"$row")" = "$pages" ]
has slabinfo "kmalloc-64 with its object size" "^kmalloc-64 +64 +[0-9]+ "
has slabinfo "kmem_cache" "^kmem_cache +[0-9]+ "
has slabinfo "a total line" "^[0-9]+ caches, [0-9]+ objects in use, [0-9]+ pages held$"
tap_check "slabinfo: at least 20 kmalloc caches" "$(out slabinfo | grep -c '^kmalloc-')" \
	[ "$(out slabinfo | grep -c '^kmalloc-')" -ge 20 ]

# ---- ps, vmmap, v2p ----
has ps "itself: pid 1, no parent, runnable, named ps" "^ +1 +0 +runnable +[1-9][0-9]* +[0-9]+ +[0-9]+ +[0-9]+  ps$"
ends ps 0
has vmmap "the program's text, r-x" "^404[0-9a-f]{5}-404[0-9a-f]{5} .* program +r-x +[0-9]+/[0-9]+$"
has vmmap "the program's read-only data, r-- (NX)" "^404[0-9a-f]{5}-404[0-9a-f]{5} .* program +r-- +[0-9]+/[0-9]+$"
has vmmap "the program's data, rw-" "^404[0-9a-f]{5}-404[0-9a-f]{5} .* program +rw- +[0-9]+/[0-9]+$"
has vmmap "the heap" "^[0-9a-f]{8}-[0-9a-f]{8} .* heap +rw- +[0-9]+/[0-9]+$"
has vmmap "the stack, 1 MiB below 0xbfff0000, rw-, some pages present" "^bfef0000-bfff0000 +1 MiB stack +rw- +[1-9][0-9]*/256$"
ends vmmap 0
has v2p_user "PAE: a PDPTE first" "^  PDPTE +1 in the table at 0x[0-9a-f]{8}: 0x[0-9a-f]{16}  P"
has v2p_user "a PTE present, user, with its table" "^  PTE +0 in the table at 0x[0-9a-f]{8}: 0x[0-9a-f]{16}  P .*US"
has v2p_user "the physical address" "^physical 0x[0-9a-f]{8}$"
ends v2p_user 0
has v2p_user32 "32-bit: a PDE with its index (0x40400000 >> 22 = 257)" "^  PDE +257 in the table at 0x[0-9a-f]{8}: 0x[0-9a-f]{8}  P RW US"
has v2p_user32 "the physical address" "^physical 0x[0-9a-f]{8}$"
has v2p_null "the walk of 0 stops at a not-present entry" "^0x00000000 is not mapped: not present at the (PDE|PTE)$"
ends v2p_null 1
has v2p_kernel "the kernel's 0x00100000: supervisor only (no US), mapped to itself" "^physical 0x00100000"
tap_check "v2p_kernel: no US flag on its entries" "$(out v2p_kernel | grep -E '^  (PDE|PTE)' | tr '\n' '|')" \
	bash -c "! grep -qE '^  PTE .* US' <(awk '/^All processes/ {exit} s; /^VlsOs ready\$/ {s=1}' '$T/v2p_kernel.log')"

# ---- hexdump ----
has hexdump "the kernel header at 0x00100000 (magic VLSK)" "^00100000  56 4c 53 4b .*  \|VLSK"
tap_check "hexdump: 64 bytes, 4 lines" "$(out hexdump | grep -c '^00100')" [ "$(out hexdump | grep -c '^00100')" = 4 ]
ends hexdump 0
has hexdump_big "LEN over 64 KiB: a message" "^hexdump: length 131072 is more than 65536: showing the first 65536 bytes$"
tap_check "hexdump_big: 4096 lines, to 0x0010fff0" "$(out hexdump_big | grep -c '^001') lines, last $(out hexdump_big | tail -1 | cut -c1-8)" \
	bash -c "[ \"\$(grep -c '^001' <(awk '/^All processes/ {exit} s; /^VlsOs ready\$/ {s=1}' '$T/hexdump_big.log'))\" = 4096 ] && grep -q '^0010fff0 ' '$T/hexdump_big.log'"

# ---- leaks, bootlog ----
has leaks "without memdebug: how to turn it on" "^leaks: memdebug is off: add the word memdebug to BOOT.CFG$"
ends leaks 1
has leaks_on "with memdebug: the report" "memdebug: .*[0-9]+ live allocation"
ends leaks_on 0
awk '/^VlsOs 0\.1/ { on = 1 } on { print } /^VlsOs ready$/ { exit }' "$T/bootlog.log" >"$T/bootlog.boot"
out bootlog | sed -n '/^VlsOs 0\.1/,/^VlsOs ready$/p' >"$T/bootlog.copy"
tap_check "bootlog: the kernel's lines up to VlsOs ready, as it printed them" \
	"$(diff "$T/bootlog.boot" "$T/bootlog.copy" | head -3 | tr '\n' ' ')" \
	bash -c "[ \$(wc -l <'$T/bootlog.boot') -gt 20 ] && cmp -s '$T/bootlog.boot' '$T/bootlog.copy'"
ends bootlog 0

# ---- cat, ls, echo, uptime, -h ----
tap_check "cat: BOOT.CFG twice, one after the other" "$(out cat | head -3 | tr '\n' '|')" \
	[ "$(out cat | grep -cx 'exit init=/BIN/CAT /BOOT.CFG /BOOT.CFG')" = 2 ]
ends cat 0
"$BUILD/host/mkimage" testfiles disk.img.layout "$T/files" >/dev/null
tap_check "cat: FEWK.BIN's 5000 bytes, as generated" "$(wc -c <"$T/files/TEST/SUB/FEWK.BIN" 2>&1)" \
	python3 -c "
import sys
log = open('$T/cat_fewk.log', 'rb').read()
want = open('$T/files/TEST/SUB/FEWK.BIN', 'rb').read()
start = log.index(b'VlsOs ready\n') + len(b'VlsOs ready\n')
end = log.index(b'All processes have ended', start)
sys.exit(0 if len(want) == 5000 and log[start:end].rstrip(b'\n') == want.rstrip(b'\n') else 1)"
has ls "FEWK.BIN with its size" "^  FEWK\.BIN +5000  file$"
has ls "Long-file-name.bin" "^  Long-file-name\.bin +2048  file$"
has ls "a file names itself" "^  /TEST/SUB/FEWK\.BIN +5000  file$"
has ls_root "the root: BIN and TEST are directories, KERNEL.BIN a file" "^  BIN +dir$"
has ls_root "TEST" "^  TEST +dir$"
has ls_root "KERNEL.BIN" "^  KERNEL\.BIN +[0-9]+  file$"
has echo "its arguments, one space between" "^one two three$"
has uptime "the time since boot" "^up [0-9]+\.[0-9]{3} s \([0-9]+:[0-9]{2}:[0-9]{2}\)$"
has help "-h: the usage" "^usage: V2P ADDR \[PID\]$"
ends help 0

# ---- bad input: one line naming it, status 2 (the regex names the line) ----
for bad in "${BAD[@]}"; do
	IFS='|' read -r name args regex <<<"$bad"
	got=$(out "$name")
	tap_check "$args: one line naming the fault, status 2" "status '$(status "$name")', said: $(head -2 <<<"$got" | tr '\n' '|')" \
		bash -c '[ "$1" = 2 ] && [ "$(wc -l <<<"$2")" = 1 ] && grep -qE -- "$3" <<<"$2"' _ "$(status "$name")" "$got" "$regex"
done

tap_check "no boot PANICked" "$(grep -l PANIC "$T"/*.log | head -3 | tr '\n' ' ')" bash -c "! grep -q PANIC '$T'/*.log"
tap_done
