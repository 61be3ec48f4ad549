# test_write_image.sh: ./build.sh write refuses what it must, on loop devices
# standing in for sticks and disks, and writes and verifies what it may.
. test/lib/tap.sh

T=$BUILD/tmp/write
mkdir -p "$T"
W=tools/write_image.sh
img=$BUILD/disk.img
loops=()
cleanup() { for d in "${loops[@]}"; do umount "$d" 2>/dev/null; losetup -d "$d" 2>/dev/null; done; }
trap cleanup EXIT

refuses() { # NAME PATTERN INPUT ARGS...: exits non-zero with a message matching PATTERN
	local name=$1 pattern=$2 input=$3 out
	shift 3
	if out=$(printf '%s\n' "$input" | timeout 60 bash "$W" "$@" 2>&1); then
		tap_fail "$name" "it wrote: $out"
	elif ! grep -qE -- "$pattern" <<<"$out"; then
		tap_fail "$name" "message was: $out"
	else
		tap_ok "$name"
	fi
}

head -c 1M /dev/urandom >"$T/file"
before=$(md5sum <"$T/file")
refuses "a regular file is not a device" "not a block device" yes "$img" "$T/file"
tap_check "the regular file is untouched" "changed" [ "$(md5sum <"$T/file")" = "$before" ]
refuses "a missing image" "no such image" yes "$T/nothing.img" /dev/null
refuses "a missing device" "no such device" yes "$img" /dev/vlsos-no-such-device

if ! losetup -f >/dev/null 2>&1; then
	tap_fail "loop devices" "losetup cannot attach here (needed to test device checks)"
	tap_done
	exit
fi
truncate -s 64M "$T/stick"
stick=$(losetup -f --show "$T/stick")
loops+=("$stick")
refuses "a non-removable device without --force" "not removable" yes "$img" "$stick"
refuses "answering anything but yes writes nothing" "not written" no --force "$img" "$stick"
tap_check "the refused device is untouched" "bytes were written" \
	bash -c "! cmp -s -n 512 '$img' '$stick'"
if out=$(echo yes | timeout 120 bash "$W" --force "$img" "$stick" 2>&1); then
	tap_ok "--force and yes: written"
else
	tap_fail "--force and yes: written" "$out"
fi
tap_check "the device holds the image" "read-back differs" cmp -s -n "$(stat -c %s "$img")" "$img" "$stick"
tap_check "it showed model and size first" "no device line" grep -q "^device: $stick (.*), 64 MiB" <<<"$out"

truncate -s 100G "$T/disk"
disk=$(losetup -f --show "$T/disk")
loops+=("$disk")
refuses "a device much larger than a stick" "much larger than a stick" yes "$img" "$disk"

truncate -s 8M "$T/small"
small=$(losetup -f --show "$T/small")
loops+=("$small")
refuses "a device smaller than the image" "the image needs" yes --force "$img" "$small"

mkfs.ext2 -q "$stick" # this kernel may lack vfat; any mounted filesystem will do
mkdir -p "$T/mnt"
if mount "$stick" "$T/mnt" 2>/dev/null; then
	refuses "a mounted device, even with --force" "is mounted at" yes --force "$img" "$stick"
	umount "$T/mnt"
else
	tap_fail "a mounted device" "could not mount a loop device here to test it"
fi
tap_done
