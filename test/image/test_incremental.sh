#!/usr/bin/env bash
# test_incremental.sh: ./build.sh rebuilds only what a change requires
# (build.mk). One scratch build of a copy of the tree (never build/ itself, so
# the touches below leave the real build alone), then: a second build does
# nothing, in under 3 s, and leaves disk.img alone; touching one kernel .c file
# recompiles its objects (one per variant that compiles it) and nothing else;
# touching a header recompiles exactly the objects whose .d file names it; an
# edit to a comment of disk.img.layout compiles nothing. build.mk prints one
# line per step ("  CC  VARIANT  SOURCE"), which is what is counted.
. "$(dirname "$0")/lib.sh"

ROOT=${ROOT:-$PWD}
S=$(scratch incremental)
SRC=$S/src
OUT=$S/build
NOOP_LIMIT_MS=3000

# the tree without its build/ and .git, times kept (tar keeps them)
mkdir -p "$SRC"
tar -C "$ROOT" --exclude=./build --exclude=./.git -cf - . | tar -C "$SRC" -xf - ||
	{ nok "copy the tree" "tar failed"; finish; }

# build LOG: ./build.sh of the copy into OUT, its output in LOG
build() { (cd "$SRC" && VLSOS_BUILD=$OUT timeout 900 bash build.sh) >"$1" 2>&1; }
# steps LOG: the step lines build.mk printed ("CC kernel kernel/main.c"), sorted
steps() { awk '/^  [A-Z]+ / { print $1, $2, $3 }' "$1" | sort; }
compiles() { steps "$1" | awk '$1 == "CC"'; }
brief() { tr '\n' ' ' <"$1" | cut -c1-300; }

if build "$S/first.log"; then ok "a scratch build of a copy of the tree"
else nok "a scratch build of a copy of the tree" "$(tail -5 "$S/first.log" | tr '\n' ' ')"; finish; fi

# --- nothing changed: nothing runs, quickly, and the image is not rewritten
img_before=$(stat -c '%Y.%y %s' "$OUT/disk.img") sum_before=$(sha256sum <"$OUT/disk.img")
start=$(date +%s%N)
build "$S/noop.log"
status=$? ms=$((($(date +%s%N) - start) / 1000000))
noop_did_nothing() {
	[ "$status" -eq 0 ] || { echo "build failed: $(brief "$S/noop.log")"; return 1; }
	[ -z "$(steps "$S/noop.log")" ] || { echo "it ran: $(steps "$S/noop.log" | tr '\n' ' ')"; return 1; }
}
t "a second build with nothing changed runs no step" noop_did_nothing
noop_fast() { [ "$ms" -lt "$NOOP_LIMIT_MS" ] || { echo "took ${ms} ms"; return 1; }; }
t "a second build with nothing changed takes under $NOOP_LIMIT_MS ms (${ms} ms)" noop_fast
image_untouched() {
	[ "$(stat -c '%Y.%y %s' "$OUT/disk.img")" = "$img_before" ] || { echo "disk.img's time changed"; return 1; }
	[ "$(sha256sum <"$OUT/disk.img")" = "$sum_before" ] || { echo "disk.img's bytes changed"; return 1; }
}
t "a second build with nothing changed leaves disk.img alone" image_untouched

# --- one .c file: its objects, one per variant that compiles it, are recompiled
C=kernel/main.c
[ -f "$SRC/$C" ] || C=$(cd "$SRC" && find kernel -name '*.c' -not -path 'kernel/tests/*' | sort | head -1)
flat=${C//\//_}
want_c=$(cd "$OUT/obj" && for o in */"$flat.o"; do [ -f "$o" ] && echo "CC ${o%%/*} $C"; done | sort)
touch "$SRC/$C"
build "$S/touch_c.log"
only_its_objects() {
	[ -n "$want_c" ] || { echo "no object of $C in $OUT/obj"; return 1; }
	local got
	got=$(compiles "$S/touch_c.log")
	[ "$got" = "$want_c" ] || { echo "want [$(echo $want_c)] got [$(echo $got)]"; return 1; }
	[ "$(steps "$S/touch_c.log" | grep -c '^LD ')" -ge "$(wc -l <<<"$want_c")" ] ||
		{ echo "no relink: $(steps "$S/touch_c.log" | tr '\n' ' ')"; return 1; }
}
t "touching $C recompiles its $(wc -l <<<"$want_c") objects (one a variant) and relinks" only_its_objects

# --- a header: exactly the objects whose dependency file names it (as the
# compiler wrote it, e.g. kernel/tests/../mm/mm.h, so resolved first). The
# header chosen is the kernel header the fewest objects include: a short rebuild.
# deps_of D: "OBJECT SOURCE" then every header D names, resolved, one a line
deps_of() {
	local words
	read -ra words <<<"$(sed 's/\\$//' "$1" | tr '\n' ' ')"
	echo "${words[0]%:} ${words[1]}"
	(cd "$SRC" && realpath -m --relative-to=. -- "${words[@]:2}" | grep '\.h$')
}
for d in "$OUT"/obj/kernel*/*.c.d; do
	deps_of "$d" | awk -v v="$(basename "$(dirname "$d")")" 'NR == 1 { src = $2; next } { print $0, "CC", v, src }'
done | sort >"$S/includes"
header=$(awk '$1 ~ /^kernel\// { n[$1]++ } END { for (h in n) print n[h], h }' "$S/includes" |
	sort -k1,1n -k2 | head -1 | cut -d' ' -f2)
want_h=$(awk -v h="$header" '$1 == h { print $2, $3, $4 }' "$S/includes" | sort)
total=$(find "$OUT"/obj/kernel* -name '*.c.o' | wc -l)
if [ -n "$header" ]; then touch "$SRC/$header"; fi
build "$S/touch_h.log"
only_includers() {
	[ -n "$header" ] || { echo "no kernel header in any .d file"; return 1; }
	local got
	got=$(compiles "$S/touch_h.log")
	[ "$got" = "$want_h" ] || { echo "want [$(echo $want_h)] got [$(echo $got)]"; return 1; }
	[ "$(wc -l <<<"$got")" -lt "$total" ] || { echo "every object ($total) was rebuilt"; return 1; }
}
t "touching $header recompiles its $(wc -l <<<"$want_h") includers of $total objects" only_includers

# --- a comment in disk.img.layout: generated files unchanged, nothing compiled
echo "# test_incremental.sh: a comment" >>"$SRC/disk.img.layout"
build "$S/layout.log"
layout_comment() {
	grep -q '^  GEN  *layout' "$S/layout.log" || { echo "mkimage gen did not run: $(brief "$S/layout.log")"; return 1; }
	[ -z "$(compiles "$S/layout.log")" ] || { echo "it compiled: $(compiles "$S/layout.log" | tr '\n' ' ')"; return 1; }
	grep -q '^  MKIMAGE' "$S/layout.log" || { echo "the images were not rebuilt"; return 1; }
}
t "a comment added to disk.img.layout reruns mkimage, compiles nothing" layout_comment

rm -rf "$S"
finish
