# test_arch_layers.sh: no call circle between kernel/ and kernel/arch/, read
# from the built objects with llvm-nm: every undefined symbol of a layer is
# defined in the same layer or below. The layers, bottom to top:
#
#   below   what kernel/arch may call, which calls nothing in kernel/arch:
#             lib/*                     freestanding C: formatting, strings, CRC
#             kernel/dev/*              the console kprintf writes to, the block
#                                       devices and their cache (bios_disk.c: above)
#             kernel/panic.c            the generic end of every fatal error; it
#                                       leaves QEMU and halts with arch.h's
#                                       inline primitives only
#             kernel/ksyms.c, ksyms.o   names for addresses (the #DF report)
#             kernel/stack_protector.c, kernel/ubsan.c
#                                       the compiler's hooks, which it plants in
#                                       every object, arch's included
#             kernel/mm/*               frames and the memory map, which the
#                                       page tables come from
#             kernel/cmdline.c          BOOT.CFG's words (mm's bring-up reads them)
#           and any other kernel/ file not named above arch: it counts as below,
#           so it must not call kernel/arch either.
#   arch    kernel/arch/*: C files and the exception stubs (isr.asm, jump.asm)
#   above   kernel/main.c (the bring-up), kernel/report.c (reports on every
#           layer), kernel/dev/bios_disk.c (disks through bios_call),
#           kernel/dev/keyboard.c and serial_input.c (they claim IRQs),
#           kernel/disks.c (their bring-up), kernel/clock.c (time from the
#           TSC and the PIT), kernel/proc/* and kernel/vm/* (processes,
#           their address spaces, traps from ring 3), kernel/tests/*: they reach
#           kernel/arch only through what
#           its public headers, arch.h and tss.h, declare
#   entry   kernel/arch/entry.asm, the root: the loader jumps there and it calls
#           kmain, so it may name anything and nothing calls it
#
# Inside kernel/arch the C files call each other one way only (paging.c ->
# paging_32bit.c, paging_pae.c -> paging_tables.c; paging.c -> trap.c), which
# tsort checks. The stubs are left out of that graph: the CPU, not a caller,
# enters them, and the C files that name them only install their addresses.
# Objects are those build.sh makes for the current sources, in each variant.
# The checks run first on planted objects that break each rule. TAP output.
. test/lib/tap.sh

BUILD=${BUILD:-$PWD/build}
T=$BUILD/tmp/arch_layers
rm -rf "$T"
mkdir -p "$T"
PUBLIC_HEADERS=(kernel/arch/arch.h kernel/arch/tss.h)

# layer_of SRC: below, arch, above or entry, as the table above says
layer_of() {
	case $1 in
	kernel/arch/entry.asm) echo entry ;;
	kernel/arch/*) echo arch ;;
	kernel/main.c | kernel/report.c | kernel/dev/bios_disk.c | kernel/dev/keyboard.c | \
		kernel/dev/serial_input.c | kernel/disks.c | kernel/clock.c | kernel/proc/* | kernel/vm/* | \
		kernel/tests/*) echo above ;;
	*) echo below ;;
	esac
}

# sources VARIANT: the sources build.sh compiles for VARIANT (build_kernel)
sources() {
	if [ "$1" = kernel ]; then
		find kernel lib -name '*.c' -not -path 'kernel/tests/*' | sort
	else
		find kernel lib -name '*.c' | sort
	fi
	find kernel -name '*.asm' | sort
}

# table VARIANT DIR: DIR/objects ("src layer object") for VARIANT's sources and
# its generated ksyms.o; DIR/defined and DIR/undefined ("symbol src layer"),
# from llvm-nm. Fails naming an object that was not built.
table() {
	local objdir=$BUILD/obj/$1 dir=$2 src obj
	: >"$dir/objects"
	while IFS= read -r src; do
		obj=$objdir/${src//\//_}.o
		[ -f "$obj" ] || { echo "no $obj: run ./build.sh first"; return 1; }
		echo "$src $(layer_of "$src") $obj" >>"$dir/objects"
	done < <(sources "$1")
	echo "ksyms.o below $objdir/ksyms.o" >>"$dir/objects"
	symbols "$dir"
}

# symbols DIR: DIR/defined and DIR/undefined from the objects DIR/objects lists
symbols() {
	local dir=$1 src layer obj
	: >"$dir/defined"
	: >"$dir/undefined"
	while read -r src layer obj; do
		llvm-nm --defined-only -g "$obj" | awk -v s="$src" -v l="$layer" 'NF == 3 { print $3, s, l }' >>"$dir/defined"
		llvm-nm -u "$obj" | awk -v s="$src" -v l="$layer" '{ print $NF, s, l }' >>"$dir/undefined"
	done <"$dir/objects"
}

# references DIR: "caller-src caller-layer symbol callee-src callee-layer" for
# every undefined symbol some object of DIR defines (linker-script symbols
# such as __text_start are defined by none and left out)
references() {
	awk -v defs="$1/defined" 'FILENAME == defs { src[$1] = $2; layer[$1] = $3; next }
	     ($1 in src) { print $2, $3, $1, src[$1], layer[$1] }' "$1/defined" "$1/undefined"
}

# upward_from_arch DIR: arch's references to what sits above it
upward_from_arch() {
	references "$1" | awk '$2 == "arch" && ($5 == "above" || $5 == "entry") { print $1 " -> " $3 " (" $4 ")" }'
}

# into_arch_from_below DIR: references into kernel/arch from a layer below it
into_arch_from_below() {
	references "$1" | awk '$2 == "below" && $5 == "arch" { print $1 " -> " $3 " (" $4 ")" }'
}

# private_arch_names DIR: references from above into kernel/arch to names its
# public headers do not declare
private_arch_names() {
	grep -ohE '[A-Za-z_][A-Za-z0-9_]*' "${PUBLIC_HEADERS[@]}" | sort -u >"$1/public"
	references "$1" | awk -v pub="$1/public" 'BEGIN { while ((getline n < pub) > 0) ok[n] = 1 }
		$2 == "above" && $5 == "arch" && !($3 in ok) { print $1 " -> " $3 " (" $4 ")" }'
}

# arch_circle DIR: tsort's complaint about a loop among kernel/arch's C files
arch_circle() {
	references "$1" | awk '$2 == "arch" && $5 == "arch" && $1 ~ /\.c$/ && $4 ~ /\.c$/ && $1 != $4 { print $1, $4 }' |
		sort -u | tsort 2>&1 >/dev/null
}

# check NAME FN DIR: a TAP line, ok when FN DIR prints nothing
check() {
	local out
	out=$("$2" "$3" | sort -u | tr '\n' ';')
	tap_check "$1" "$out" test -z "$out"
}

# planted NAME FN DIR: a TAP line, ok when FN DIR finds what was planted
planted() {
	local out
	out=$("$2" "$3" | tr '\n' ';')
	tap_check "the check sees $1" "it printed nothing" test -n "$out"
}

# The planted objects: the production kernel's own, and one more per rule
# broken. Each must be seen, or the checks on the real kernels mean nothing.
plant() {
	local name=$1 src=$2 code=$3 dir=$T/planted-$1
	mkdir -p "$dir"
	cp "$T/kernel/objects" "$dir/objects"
	printf '%s\n' "$code" >"$dir/$name.c"
	clang --target=i386-elf -ffreestanding -c "$dir/$name.c" -o "$dir/$name.o" || return 1
	echo "$src $(layer_of "$src") $dir/$name.o" >>"$dir/objects"
	if [ -n "${4:-}" ]; then
		printf '%s\n' "$5" >"$dir/$name-2.c"
		clang --target=i386-elf -ffreestanding -c "$dir/$name-2.c" -o "$dir/$name-2.o" || return 1
		echo "$4 $(layer_of "$4") $dir/$name-2.o" >>"$dir/objects"
	fi
	symbols "$dir"
}

mkdir -p "$T/kernel"
if ! table kernel "$T/kernel"; then
	tap_fail "objects of the production kernel" "not built"
	tap_done
	exit
fi
plant up kernel/arch/planted_up.c 'void kmain(void); void planted_up(void) { kmain(); }' &&
	planted "kernel/arch calling kmain (above it)" upward_from_arch "$T/planted-up"
plant below kernel/planted_below.c 'void paging_init(void); void planted_below(void) { paging_init(); }' &&
	planted "a generic service calling paging_init (kernel/arch, above it)" into_arch_from_below "$T/planted-below"
plant private kernel/tests/planted_private.c 'void *paging_new_table(void); void *planted_private(void) { return paging_new_table(); }' &&
	planted "a test calling paging_new_table (private to kernel/arch/paging*.c)" private_arch_names "$T/planted-private"
plant circle kernel/arch/planted_a.c 'void planted_b(void); void planted_a(void) { planted_b(); }' \
	kernel/arch/planted_b.c 'void planted_a(void); void planted_b(void) { planted_a(); }' &&
	planted "two kernel/arch files calling each other" arch_circle "$T/planted-circle"

for variant in kernel kernel-test kernel-bench; do
	dir=$T/$variant
	mkdir -p "$dir"
	if ! table "$variant" "$dir"; then
		tap_fail "$variant: objects" "not built"
		continue
	fi
	check "$variant: kernel/arch calls nothing above it (main.c, report.c, tests/, kmain)" upward_from_arch "$dir"
	check "$variant: nothing below kernel/arch calls into it" into_arch_from_below "$dir"
	check "$variant: main.c, report.c and tests/ reach kernel/arch only through arch.h and tss.h" \
		private_arch_names "$dir"
	check "$variant: no circle among kernel/arch's C files" arch_circle "$dir"
done
tap_done
