# session.sh: scripted sessions with the shell over COM1 (sourced after tap.sh
# and qemu.sh; the caller sets T, its scratch folder, and may set
# SESSION_SECONDS). test/lib/serial_session.py does the talking: it sends a
# line, waits for the prompt and keeps what came in $T/NAME/STEP.out.

# add_files IMAGE SRC=PATH...: copies each host file SRC to PATH on IMAGE's volume
add_files() {
	local image=$1 spec
	shift
	for spec in "$@"; do
		mcopy -o -i "$image@@$(image_fat_offset)" "${spec%%=*}" "::${spec#*=}"
	done
}

# session NAME STEPS IMAGE [QEMU-ARGS...]: boots IMAGE with COM1 on a TCP
# socket on the loopback (serial_session.py says why not a unix one) and the
# monitor on a unix socket, runs serial_session.py's STEPS (a file) for
# SESSION_SECONDS at most, leaves $T/NAME/*.out, *.screen, the whole COM1 log
# $T/NAME.log (and $T/NAME.txt without CRs) and QEMU's status in
# $T/NAME.status. In the background. The monitor comes first on QEMU's line:
# COM1's socket waits for the driver to connect (wait=on) before the guest
# starts, and holds up what follows it. Its port is the kernel's choice
# (port=0), read from QEMU's line saying it waits.
session() {
	local name=$1 steps=$2 image=$3
	shift 3
	(
		qemu-system-i386 -display none -no-reboot -nodefaults -vga std -accel tcg \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			-monitor "unix:$T/$name.mon,server=on,wait=off" \
			-chardev "socket,id=com1,host=127.0.0.1,port=0,server=on,wait=on" -serial chardev:com1 \
			-drive "file=$image,format=raw,if=ide" "$@" >"$T/$name.qemu" 2>&1 &
		local qemu=$! port=
		for _ in $(seq 100); do
			port=$(sed -nE 's/.*waiting for connection on: .*tcp:127\.0\.0\.1:([0-9]+),server.*/\1/p' "$T/$name.qemu")
			[ -n "$port" ] || ! kill -0 "$qemu" 2>/dev/null && break
			sleep 0.1
		done
		timeout "${SESSION_SECONDS:-300}" python3 test/lib/serial_session.py "${port:-none}" \
			"$T/$name.log" "$T/$name.mon" "$T/$name" <"$steps" >"$T/$name.driver" 2>&1
		echo "driver $?" >>"$T/$name.driver"
		for _ in $(seq 50); do kill -0 "$qemu" 2>/dev/null || break; sleep 0.1; done
		kill "$qemu" 2>/dev/null
		wait "$qemu"
		echo $? >"$T/$name.status"
		tr -d '\r' <"$T/$name.log" >"$T/$name.txt"
	) &
}

# out SESSION STEP: what a step saw; has SESSION STEP ERE: a line of it matches
out() { cat "$T/$1/$2.out" 2>/dev/null || echo "(no output file for $1/$2)"; }
has() { grep -qE -- "$3" "$T/$1/$2.out" 2>/dev/null; }
hasnt() { [ -f "$T/$1/$2.out" ] && ! grep -qE -- "$3" "$T/$1/$2.out"; }
# check SESSION STEP NAME ERE...: ok when every ERE matches a line of the step's
# output (what it saw is read again only for a failure's detail)
check() {
	local session=$1 step=$2 name=$3 regex ok=0
	shift 3
	for regex in "$@"; do has "$session" "$step" "$regex" || ok=1; done
	if [ $ok -eq 0 ]; then
		tap_ok "$session: $name"
	else
		tap_fail "$session: $name" "$step saw: $(out "$session" "$step" | head -c 600 | tr '\n' '|')"
	fi
}
