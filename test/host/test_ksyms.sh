# test_ksyms.sh: the kernel symbol table, end to end on the host: tools/ksyms.py
# turns llvm-nm listings into tables and kernel/ksyms.c (built for the host,
# test/host/ksyms_driver.c) looks addresses up in them: crafted listings for the
# rules (which symbols are functions, aliases, the last function's end, no
# table), then the table in build/kernel.elf against every function symbol.
. test/lib/tap.sh

T=$BUILD/tmp/ksyms
mkdir -p "$T"
DRIVER=$T/ksyms_driver
if ! gcc -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -DLIB_HOST \
	-Iinclude -Ilib -Ikernel test/host/ksyms_driver.c kernel/ksyms.c lib/format.c lib/string.c \
	lib/kprintf.c -o "$DRIVER" 2>"$T/build.log"; then
	tap_fail "ksyms driver builds" "$(head -3 "$T/build.log" | tr '\n' ' ')"
	tap_done
	exit 1
fi

# gen NAME: the table from $T/NAME.nm into $T/NAME.bin
gen() { python3 tools/ksyms.py "$T/$1.nm" "$T/$1.bin" 2>"$T/$1.err"; }
# answers NAME ADDR...: the driver's lines for the addresses
answers() { local n=$1; shift; "$DRIVER" "$T/$n.bin" "$@"; }
# expect NAME ADDR TEXT: ksym_format of ADDR in table NAME is TEXT
expect() {
	local got
	got=$("$DRIVER" "$T/$1.bin" "$2" | cut -d' ' -f4)
	tap_check "$1: 0x$2 is $3" "got '$got'" [ "$got" = "$3" ]
}

# An nm -n listing as llvm-nm prints it, deliberately out of order in places:
# data (R, D, B) and undefined symbols, NASM local labels (with a dot), the
# linker script's markers, and an alias pair (static and global, same address).
cat >"$T/crafted.nm" <<'NM'
00100000 T __kernel_start
00100000 T __text_start
00100000 T kernel_header
00100020 T kernel_entry
00100031 t kernel_entry.zero_bss
00100040 t helper
00100040 T helper_alias
00100100 T last_function
00100180 T __text_end
00101000 R some_table
00102000 D some_data
00103000 B some_bss
         U not_defined_here
00100080 t middle
NM
gen crafted
tap_check "generator accepts a crafted listing" "$(cat "$T/crafted.err")" [ -s "$T/crafted.bin" ]
expect crafted 00100000 kernel_header
expect crafted 00100021 kernel_entry+0x1
expect crafted 00100035 kernel_entry+0x15          # inside a NASM local label: its function
expect crafted 00100040 helper_alias               # the global of an alias pair
expect crafted 00100081 middle+0x1                 # unsorted input is sorted
expect crafted 0010017f last_function+0x7f         # the last function runs to __text_end
expect crafted 00100180 0x00100180                 # __text_end itself: no function
expect crafted 000fffff 0x000fffff                 # below the first
expect crafted 00101000 0x00101000                 # data is not a function
tap_check "crafted: data, undefined and linker-marker names are not in the table" \
	"$(tr '\0' '\n' <"$T/crafted.bin" | grep -aE 'some_|not_defined|__text|__kernel|zero_bss')" \
	bash -c "! tr '\\0' '\\n' <'$T/crafted.bin' | grep -aqE 'some_|not_defined|__text|__kernel|zero_bss'"
tap_check "crafted: 5 functions, table starts with KSYM and the count" "$(head -c 8 "$T/crafted.bin" | od -An -tx1)" \
	bash -c "[ \"\$(head -c 8 '$T/crafted.bin' | od -An -tx1 | tr -d ' \\n')\" = 4b53594d05000000 ]"

: >"$T/empty.nm"
gen empty
tap_check "generator: an empty listing gives an empty table (build.sh's first link)" "$(cat "$T/empty.err")" \
	bash -c "[ \"\$(od -An -tx1 '$T/empty.bin' | tr -d ' \n')\" = 4b53594d0000000000000000 ]"
expect empty 00100000 0x00100000

grep -v __text_end "$T/crafted.nm" >"$T/noend.nm"
tap_check "generator refuses functions without __text_end" "it accepted them" bash -c "! python3 tools/ksyms.py '$T/noend.nm' '$T/noend.bin' 2>/dev/null"
printf '00100000 T f\n00100000 T __text_end\n' >"$T/badend.nm"
tap_check "generator refuses __text_end at or below the last function" "it accepted it" bash -c "! python3 tools/ksyms.py '$T/badend.nm' '$T/badend.bin' 2>/dev/null"
printf 'zzzz T f\n' >"$T/badaddr.nm"
tap_check "generator refuses an address that is not hex" "it accepted it" bash -c "! python3 tools/ksyms.py '$T/badaddr.nm' '$T/badaddr.bin' 2>/dev/null"

# The table build.sh linked into each kernel: every function symbol of the ELF
# is found at its address (or the alias the generator kept) and one byte in.
for variant in kernel kernel-test; do
	elf=$BUILD/$variant.elf table=$BUILD/obj/$variant/ksyms.bin
	if [ ! -f "$elf" ] || [ ! -f "$table" ]; then
		tap_fail "$variant: every function symbol is found" "no $elf or $table: run ./build.sh"
		continue
	fi
	llvm-nm -n --defined-only "$elf" | awk '($2 == "t" || $2 == "T") && $3 !~ /\./ && $3 !~ /^__(text|kernel)_/ { print $1, $3 }' >"$T/$variant.funcs"
	# the table's copy inside the ELF is the file build.sh assembled
	addr=$(llvm-nm "$elf" | awk '$3 == "ksym_table" { print $1 }')
	llvm-objcopy -O binary --only-section=.rodata "$elf" "$T/$variant.rodata"
	rodata=$(llvm-nm "$elf" | awk '$3 == "__rodata_start" { print $1 }')
	tap_check "$variant: the ELF's .rodata holds the table build.sh made" "ksym_table at $addr, .rodata at $rodata" \
		cmp -s <(tail -c +$((0x$addr - 0x$rodata + 1)) "$T/$variant.rodata" | head -c "$(stat -c %s "$table")") "$table"
	# shellcheck disable=SC2046
	paste -d' ' "$T/$variant.funcs" <("$DRIVER" "$table" $(cut -d' ' -f1 "$T/$variant.funcs") | cut -d' ' -f2,3) |
		awk '{ n++ } $2 != $3 || $4 != "0" { bad++; if (bad < 4) print "  " $0 } END { print n " functions, " bad + 0 " wrong" }' >"$T/$variant.check"
	tap_check "$variant: every function symbol is found by name at its own address" "$(tr '\n' ';' <"$T/$variant.check")" \
		bash -c "tail -1 '$T/$variant.check' | grep -qE '^[1-9][0-9]+ functions, 0 wrong$'"
done
tap_done
