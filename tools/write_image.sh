#!/usr/bin/env bash
# write_image.sh [--force] IMAGE DEVICE: writes a VlsOs image to a USB stick or
# floppy, the way `dd ... conv=fsync` would, after checking that DEVICE is what
# the user thinks it is. Refuses: a device that is not a whole block device, a
# mounted one (always), and, unless --force, one that is not removable or is
# much larger than a stick. Asks for confirmation, syncs, then reads back.
set -euo pipefail

STICK_MAX_BYTES=$((64 << 30)) # larger than 64 GiB: more likely a disk than a stick

die() { echo "write: $*" >&2; exit 1; }

force=0
if [ "${1:-}" = --force ]; then force=1; shift; fi
[ $# -eq 2 ] || die "usage: ./build.sh write [--force] IMAGE DEVICE (e.g. build/disk.img /dev/sdX)"
image=$1 dev=$2

[ -f "$image" ] || die "$image: no such image (run ./build.sh first)"
[ -e "$dev" ] || die "$dev: no such device"
[ -b "$dev" ] || die "$dev: not a block device; give the whole stick, e.g. /dev/sdb"
name=$(basename "$(readlink -f "$dev")")
sys=/sys/class/block/$name
[ -d "$sys" ] || die "$dev: not in /sys/class/block"
[ -e "$sys/partition" ] && die "$dev is a partition; write to the whole device (e.g. /dev/${name%%[0-9]*})"

size=$(blockdev --getsize64 "$dev")
image_size=$(stat -c %s "$image")
model=$(cat "$sys/device/model" 2>/dev/null || echo "unknown model")
model=$(echo "$model" | sed 's/ *$//')
removable=$(cat "$sys/removable" 2>/dev/null || echo 0)
mounts=$(lsblk -nro MOUNTPOINT "$dev" 2>/dev/null | grep -v '^$' || true)

echo "device: $dev ($model), $((size >> 20)) MiB, removable: $([ "$removable" = 1 ] && echo yes || echo no)"
echo "image:  $image, $((image_size >> 10)) KiB"

[ -z "$mounts" ] || die "$dev is mounted at: $(echo "$mounts" | tr '\n' ' ')- unmount it first"
[ "$image_size" -le "$size" ] || die "$dev holds $size bytes, the image needs $image_size"
if [ "$force" -eq 0 ]; then
	[ "$size" -le "$STICK_MAX_BYTES" ] ||
		die "$dev is $((size >> 30)) GiB, much larger than a stick (--force if you are sure)"
	[ "$removable" = 1 ] || die "$dev is not removable: is it a disk? (--force if you are sure)"
fi

printf 'Everything on %s will be lost. Type yes to write: ' "$dev"
read -r answer || answer=
[ "$answer" = yes ] || die "not written (answer was '${answer}')"

dd if="$image" of="$dev" bs=1M conv=fsync status=none
sync
cmp -n "$image_size" "$image" "$dev" >/dev/null || die "read-back of $dev differs from $image"
echo "written and verified: $image -> $dev"
