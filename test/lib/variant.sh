# variant.sh: test builds of the images with stage 2 assembled under extra NASM
# definitions (A20_ONLY=..., MEM_ONLY=...), made beside build/, never in it.

# build_variant NAME NASM-DEFINES...: $BUILD/tmp/variants/NAME/{disk,floppy}.img
build_variant() {
	local name=$1 dir=$BUILD/tmp/variants/$1 root=${ROOT:-$PWD} f
	shift
	mkdir -p "$dir"
	for f in stage1_mbr.bin stage1_fat.bin kernel.bin boot.cfg; do cp "$BUILD/$f" "$dir/"; done
	nasm -f bin "$@" -I"$BUILD/gen/" -Iboot/ boot/stage2.asm -o "$dir/stage2.bin" &&
		"$BUILD/host/mkimage" build "$root/disk.img.layout" "$dir" >/dev/null
}
