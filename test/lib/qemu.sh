# qemu.sh: boot an image headless and read its serial log (sourced).
# Every boot has a time limit; nothing waits on a hung guest.

. tools/image_files.sh # layout_value, image_with_files

# kvm_usable: true when KVM can run a 32-bit paging guest (tools/kvm_usable.sh).
kvm_usable() {
	bash tools/kvm_usable.sh "$BUILD"
}

QEMU_COMMON=(qemu-system-i386 -display none -monitor none -no-reboot -nodefaults -vga std
	-device isa-debug-exit,iobase=0xf4,iosize=0x04)

# boot_until LOG PATTERN SECONDS QEMU-ARGS...: boots with COM1 in LOG until (ERE)
# PATTERN shows, QEMU exits, or SECONDS pass. With PATTERN found it waits
# SETTLE seconds more (default 1) so a reboot loop or a second message would
# show. The log is left with plain LF line ends. Sets QEMU_STATUS: QEMU's exit status, or "running" when it was still
# going (and was then stopped), or "timeout".
boot_until() {
	local log=$1 pattern=$2 secs=$3 pid deadline found=0
	shift 3
	: >"$log"
	"${QEMU_COMMON[@]}" -serial "file:$log" "$@" >"$log.qemu" 2>&1 &
	pid=$!
	deadline=$((SECONDS + secs))
	while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do
		if grep -qE -- "$pattern" "$log"; then
			found=1
			sleep "${SETTLE:-1}"
			break
		fi
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		QEMU_STATUS=running
		[ "$found" -eq 1 ] || QEMU_STATUS=timeout
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	else
		wait "$pid"
		QEMU_STATUS=$?
	fi
	sed -i 's/\r$//' "$log" # the consoles end lines with CR LF; patterns may anchor at $
}

# blkdebug_conf OUT SECTOR once|always: a QEMU blkdebug rule that fails reads
# of SECTOR with EIO (SeaBIOS then answers INT 13h with status 0Ch), the first
# read only or every one; use as -drive file=blkdebug:OUT:IMAGE
blkdebug_conf() {
	{
		echo '[inject-error]'
		echo 'event = "read_aio"'
		echo 'errno = "5"'
		echo "sector = \"$2\""
		[ "$3" = once ] && echo 'once = "on"'
	} >"$1"
}

# kernel_image OUT KERNEL CMDLINE: a copy of build/disk.img that boots
# BUILD/KERNEL.bin (kernel, kernel-test or kernel-bench: build.sh's variants)
# as KERNEL.BIN, the file name the loader reads, with CMDLINE as BOOT.CFG. The
# in-kernel tests (`test`) and crash words of the hardening tests are only in
# kernel-test, the allocator benchmark (`bench`) in kernel-bench.
kernel_image() {
	local out=$1 kernel=$2
	[ -f "$BUILD/$kernel.bin" ] || { echo "kernel_image: no $BUILD/$kernel.bin" >&2; return 1; }
	printf '%s\n' "$3" >"$out.cfg"
	image_with_files "$out" "KERNEL.BIN=$BUILD/$kernel.bin" "BOOT.CFG=$out.cfg"
}
