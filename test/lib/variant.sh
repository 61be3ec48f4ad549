# variant.sh: test builds of the images with stage 2 assembled under extra NASM
# definitions (A20_ONLY=..., MEM_ONLY=...), made beside build/, never in it.

# build_variant NAME NASM-DEFINES...: $BUILD/tmp/variants/NAME/{disk,floppy}.img
build_variant() {
	local name=$1 dir=$BUILD/tmp/variants/$1 root=${ROOT:-$PWD} f
	shift
	mkdir -p "$dir"
	for f in kernel.bin boot.cfg; do cp "$BUILD/$f" "$dir/"; done
	nasm -f bin "$@" -I"$BUILD/gen/" -Iboot/ boot/stage2.asm -o "$dir/stage2.bin" || return 1
	# Stage 1 reads exactly the sectors stage 2 occupies (build.sh does the same),
	# so it is assembled again for this stage 2's size.
	local sector sectors s1
	sector=$(awk '$1 == "%define" && $2 == "SECTOR_SIZE" { print $3 }' "$BUILD/gen/layout.inc")
	sectors=$((($(stat -c %s "$dir/stage2.bin") + sector - 1) / sector))
	for s1 in stage1_mbr stage1_fat; do
		nasm -f bin -DSTAGE2_LOAD_SECTORS="$sectors" -I"$BUILD/gen/" -Iboot/ "boot/$s1.asm" \
			-o "$dir/$s1.bin" || return 1
	done
	# every other file the layout copies in (the user programs, ...) as built
	for f in $(awk '$1 == "file" || $1 == "area"' "$root/disk.img.layout" | grep -o 'src=[^ ]*' |
		sed 's/^src=//' | sort -u); do
		[ -e "$dir/$f" ] || cp "$BUILD/$f" "$dir/" || return 1
	done
	"$BUILD/host/mkimage" build "$root/disk.img.layout" "$dir" >/dev/null
}
