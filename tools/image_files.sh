# image_files.sh: change files on a copy of build/disk.img (sourced; needs
# BUILD set and mtools). Shared by tools/debug.sh and the tests (test/lib/qemu.sh).

# layout_value NAME: a number from the generated layout (disk.img.layout).
layout_value() {
	awk -v n="$1" '$1 == "%define" && $2 == n { print $3 }' "$BUILD/gen/layout.inc"
}

# image_fat_offset: the byte offset of the hard-disk image's FAT volume, as
# mtools wants it after IMAGE@@.
image_fat_offset() {
	echo $(($(layout_value HDD_PART_LBA) * $(layout_value SECTOR_SIZE)))
}

# image_with_files OUT FILE=SRC...: a copy of build/disk.img whose FAT volume
# has the given files replaced (SRC "-" deletes FILE).
image_with_files() {
	local out=$1 offset spec name src
	shift
	cp "$BUILD/disk.img" "$out"
	offset=$(image_fat_offset)
	for spec in "$@"; do
		name=${spec%%=*} src=${spec#*=}
		if [ "$src" = - ]; then
			mdel -i "$out@@$offset" "::$name"
		else
			mcopy -o -i "$out@@$offset" "$src" "::$name"
		fi
	done
}
