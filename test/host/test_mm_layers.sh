#!/usr/bin/env bash
# test_mm_layers.sh: kernel/mm is a one-way stack with one contact outside it.
# Compiles every kernel/mm/*.c for i386 (build.sh's target flags, with only
# include/ and lib/ on the include path: no kernel header), then with llvm-nm
# checks that every symbol an object uses is defined by a lower layer, by
# lib/, or is one of glue.h's functions; files of one layer never use each
# other. Also: each file's opening comment names the layer the list below
# gives it, every kernel/mm/*.c is in the list, and only glue.h includes a
# header from outside kernel/mm. A probe object calling upward proves the
# check can fail. TAP. Scratch files go to $BUILD/tmp.
#
# stack_violations (below) is generic: a layer list and the symbols allowed
# from outside, over any set of objects.
set -u

BUILD=${BUILD:-$PWD/build}
T=$BUILD/tmp/mm_layers

# The layers, bottom first, as "name: file..." (kernel/mm/FILE.c).
MM_LAYERS=(
	"frames: buddy linear memmap"
	"spans: span"
	"walks: span_check"
	"slabs: slab slab_check"
	"slots: magazine memdebug"
	"caches: cache"
	"kmalloc: kmalloc"
	"reports: memdebug_report"
)
# what kernel/mm may use from its surroundings besides lib/: glue.h's functions
GLUE_SYMBOLS=(mm_report mm_describe_site mm_out_of_memory)
# the headers a file of kernel/mm but glue.h may include with <...>
STD_HEADERS='stdarg.h|stdbool.h|stddef.h|stdint.h'

CC=(clang --target=i386-elf -march=i586 -m32 -ffreestanding -fno-builtin -fno-pic -fno-pie
	-mno-sse -mno-mmx -mno-80387 -fno-stack-protector -nostdlib -Os -std=gnu11 -Wall -Wextra
	-Werror -ffunction-sections -fdata-sections -Iinclude -Ilib)

. test/lib/tap.sh

# stack_violations OBJDIR ALLOWED LAYER...: one line for every use that breaks
# the stack. OBJDIR holds FILE.o for every file the LAYER arguments name
# ("name: file...", bottom first); ALLOWED is a file of symbols any layer may
# use from outside them (one a line). A symbol an object uses must be defined
# by a file of a lower layer or be ALLOWED; files of one layer never use each
# other's symbols.
stack_violations() {
	local objdir=$1 allowed=$2 spec file level=0
	shift 2
	: >"$objdir/defs" && : >"$objdir/uses"
	for spec in "$@"; do
		for file in ${spec#*:}; do
			llvm-nm -g --defined-only --format=just-symbols "$objdir/$file.o" |
				sed "s/^/$level ${spec%%:*} $file /" >>"$objdir/defs"
			llvm-nm -u --format=just-symbols "$objdir/$file.o" |
				sed "s/^/$level ${spec%%:*} $file /" >>"$objdir/uses"
		done
		level=$((level + 1))
	done
	awk 'FILENAME == ARGV[1] { ok[$1] = 1; next }
	     FILENAME == ARGV[2] { lvl[$4] = $1; lname[$4] = $2; owner[$4] = $3; next }
	     {
		sym = $4
		if (sym in lvl) {
			if (lvl[sym] == $1)
				printf "%s (%s) uses %s of its peer %s\n", $3, $2, sym, owner[sym]
			else if (lvl[sym] > $1)
				printf "%s (%s) calls up: %s of %s (%s)\n", $3, $2, sym, owner[sym], lname[sym]
		} else if (!(sym in ok)) {
			printf "%s (%s) uses %s from outside the stack\n", $3, $2, sym
		}
	     }' "$allowed" "$objdir/defs" "$objdir/uses"
}

rm -rf "$T" && mkdir -p "$T/lib" || exit 1
command -v llvm-nm >/dev/null || { echo "not ok 1 - llvm-nm is missing (apt-get install llvm)"; echo "1..1"; exit 1; }

# ---- every file is placed, and says so ----
listed=" $(for spec in "${MM_LAYERS[@]}"; do echo -n "${spec#*:} "; done) "
unplaced=""
misnamed=""
for src in kernel/mm/*.c; do
	file=$(basename "$src" .c)
	[[ $listed == *" $file "* ]] || unplaced+=" $file"
done
for spec in "${MM_LAYERS[@]}"; do
	for file in ${spec#*:}; do
		head -3 "kernel/mm/$file.c" | grep -q "layer: ${spec%%:*}\b" || misnamed+=" $file"
	done
done
tap_report "$([ -z "$unplaced" ] && echo 0 || echo 1)" "every kernel/mm/*.c has a layer" \
	"not in MM_LAYERS:$unplaced"
tap_report "$([ -z "$misnamed" ] && echo 0 || echo 1)" "each file's opening comment names its layer" \
	"no 'layer: NAME' as MM_LAYERS says in the first lines of:$misnamed"

# ---- headers: only glue.h reaches outside ----
outside=$(grep -H '^[[:space:]]*#[[:space:]]*include' kernel/mm/*.c kernel/mm/*.h | grep -v '^kernel/mm/glue.h:' |
	while IFS= read -r line; do
		name=$(sed -n 's/.*#[[:space:]]*include[[:space:]]*["<]\([^">]*\)[">].*/\1/p' <<<"$line")
		if [[ $line == *'<'* ]]; then
			[[ $name =~ ^($STD_HEADERS)$ ]] || echo "${line%%:*}: <$name>"
		else
			[[ $name != */* && -f kernel/mm/$name ]] || echo "${line%%:*}: \"$name\""
		fi
	done | tr '\n' ' ')
tap_report "$([ -z "$outside" ] && echo 0 || echo 1)" "no file of kernel/mm but glue.h includes from outside it" \
	"$outside"

# ---- objects: compiled with no kernel header ----
compiled=0
for src in kernel/mm/*.c lib/*.c; do
	dir=$T
	[[ $src == lib/* ]] && dir=$T/lib
	"${CC[@]}" -c "$src" -o "$dir/$(basename "$src" .c).o" 2>"$T/cc.log" ||
		{ compiled=1; sed 's/^/# /' "$T/cc.log"; }
done
tap_report "$compiled" "kernel/mm/*.c compile for i386 with include/ and lib/ only"

# ---- the stack ----
{
	printf '%s\n' "${GLUE_SYMBOLS[@]}"
	for o in "$T"/lib/*.o; do llvm-nm -g --defined-only --format=just-symbols "$o"; done
} >"$T/allowed"
missing=""
for sym in "${GLUE_SYMBOLS[@]}"; do
	grep -qw "$sym" kernel/mm/glue.h || missing+=" $sym"
done
tap_report "$([ -z "$missing" ] && echo 0 || echo 1)" "every glue symbol the test allows is declared in glue.h" \
	"not in kernel/mm/glue.h:$missing"
if [ "$compiled" -eq 0 ]; then
	bad=$(stack_violations "$T" "$T/allowed" "${MM_LAYERS[@]}")
	tap_report "$([ -z "$bad" ] && echo 0 || echo 1)" \
		"each layer uses only lower layers, lib/ and glue.h" "$(tr '\n' ';' <<<"$bad")"
	# the check itself: a frames-layer probe that calls kmalloc and a peer
	printf 'void *kmalloc(unsigned long);\nvoid linear_init(void);\nvoid *probe(void) { linear_init(); return kmalloc(8); }\n' \
		>"$T/probe.c"
	"${CC[@]}" -w -c "$T/probe.c" -o "$T/probe.o"
	probe_layers=("${MM_LAYERS[@]}")
	probe_layers[0]+=" probe"
	bad=$(stack_violations "$T" "$T/allowed" "${probe_layers[@]}")
	want=$'probe (frames) uses linear_init of its peer linear\nprobe (frames) calls up: kmalloc of kmalloc (kmalloc)'
	[ "$(sort <<<"$bad")" = "$(sort <<<"$want")" ]
	tap_report $? "the check finds an upward call and a call to a peer" "it said: $(tr '\n' ';' <<<"$bad")"
else
	tap_report 1 "each layer uses only lower layers, lib/ and glue.h" "kernel/mm did not compile"
fi

tap_done
