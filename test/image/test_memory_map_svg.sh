#!/usr/bin/env bash
# test_memory_map_svg.sh: docs/memory-map.svg is what `mkimage svg` draws from
# disk.img.layout today (so the picture cannot drift from the layout), and it
# shows every region of the layout with its start address and name.
. "$(dirname "$0")/lib.sh"

S=$(scratch memory_map_svg)
DOC=docs/memory-map.svg

draw() { $TO "$MKIMAGE" svg "$1" "$2" >"$S/svg.log" 2>&1 || { cat "$S/svg.log"; return 1; }; }

same_as_committed() {
	draw "$LAYOUT" "$S/fresh.svg" || return 1
	[ -f "$DOC" ] || { echo "$DOC missing"; return 1; }
	cmp -s "$DOC" "$S/fresh.svg" ||
		{ echo "$DOC differs from the layout's picture: run ./build.sh && cp build/memory-map.svg $DOC"; return 1; }
}
t "docs/memory-map.svg equals a fresh mkimage svg of $LAYOUT" same_as_committed

# The build's own copy, when this tree's build.sh makes one.
build_copy() {
	[ -f "$BUILD/memory-map.svg" ] || { echo "no $BUILD/memory-map.svg: ./build.sh does not draw it"; return 1; }
	cmp -s "$BUILD/memory-map.svg" "$S/fresh.svg" || { echo "build/memory-map.svg is stale"; return 1; }
}
t "the build writes build/memory-map.svg, the same picture" build_copy

# regions: "name start end" for each region statement, read with awk, not mkimage
regions() {
	awk '$1 == "region" {
		name = $2; start = ""; size = ""
		for (i = 3; i <= NF && $i !~ /^#/; i++) {
			split($i, kv, "=")
			if (kv[1] == "start") start = kv[2]
			if (kv[1] == "size") size = kv[2]
		}
		print name, start, size
	}' "$LAYOUT"
}

every_region() {
	local name start size n=0 missing=""
	while read -r name start size; do
		n=$((n + 1))
		grep -q "class=\"name\">$name</text>" "$DOC" || missing+=" $name(name)"
		grep -qi "class=\"addr\">$(printf '0x%08X' "$start")</text>" "$DOC" || missing+=" $name(start $start)"
		grep -qi "class=\"addr\">$(printf '0x%08X' $((start + size)))</text>" "$DOC" || missing+=" $name(end)"
	done < <(regions)
	[ "$n" -ge 5 ] || { echo "only $n regions read from $LAYOUT"; return 1; }
	[ -z "$missing" ] || { echo "not in $DOC:$missing"; return 1; }
}
t "every region of the layout is in the picture, with its start and end" every_region

# The same names in the same order as the layout's addresses: no extra region.
region_order() {
	local want have
	local name start size
	want=$(regions | while read -r name start size; do printf '%012d %s\n' $((start)) "$name"; done |
		sort | awk '{ printf "%s ", $2 }')
	have=$(grep -o 'class="name">[^<]*<' "$DOC" | sed 's/.*">//; s/<$//' | tr '\n' ' ')
	[ "$want" = "$have" ] || { echo "layout order: $want; picture: $have"; return 1; }
}
t "the picture's regions are the layout's, in address order" region_order

well_formed() {
	py 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' "$DOC"
}
t "the picture is well-formed XML" well_formed

# The check above can fail: a layout with the heap moved draws another picture.
changed_layout() {
	sed 's/^region heap .*/region heap start=0x00300000 size=0x80000 # moved for the test/' "$LAYOUT" >"$S/moved.layout"
	draw "$S/moved.layout" "$S/moved.svg" || return 1
	! cmp -s "$S/moved.svg" "$S/fresh.svg" || { echo "same picture for a different layout"; return 1; }
	grep -q 'class="addr">0x00380000<' "$S/moved.svg" || { echo "the moved heap's end is not drawn"; return 1; }
	grep -q 'moved for the test' "$S/moved.svg" || { echo "the region's comment is not drawn"; return 1; }
}
t "a changed layout draws a different picture" changed_layout

finish
