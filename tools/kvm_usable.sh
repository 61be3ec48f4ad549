#!/usr/bin/env bash
# kvm_usable.sh BUILD: exit 0 when KVM can run VlsOs here. /dev/kvm must open
# and build/kvm_probe.bin (32-bit paging) must pass under it; the answer is
# kept in BUILD/kvm-usable for this build. VLSOS_KVM=0 says no without asking.
BUILD=${1:?usage: kvm_usable.sh BUILD}
[ "${VLSOS_KVM:-1}" != 0 ] || exit 1
[ -r /dev/kvm ] && [ -w /dev/kvm ] || exit 1
cache=$BUILD/kvm-usable
if [ ! -f "$cache" ] || [ "$cache" -ot "$BUILD/kvm_probe.bin" ]; then
	timeout 30 qemu-system-i386 -accel kvm -display none -monitor none -serial none \
		-no-reboot -nodefaults -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-drive "file=$BUILD/kvm_probe.bin,format=raw,if=ide" >/dev/null 2>&1
	[ $? -eq 33 ] && echo yes >"$cache" || echo no >"$cache"
fi
[ "$(cat "$cache")" = yes ]
