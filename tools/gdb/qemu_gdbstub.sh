# qemu_gdbstub.sh: boot a disk image paused under QEMU's gdbstub (sourced by
# tools/debug.sh and the GDB tests in test/boot/). TCG only, see kernel.gdb. Every
# wait is bounded; gdbstub_stop ends the QEMU that gdbstub_start began.

GDBSTUB_PID=
GDBSTUB_PORT=

# gdbstub_listening PORT [PID]: true when something listens on TCP PORT, any
# address; with PID, only a socket that process holds counts.
gdbstub_listening() {
	local files=() f inodes=
	for f in /proc/net/tcp /proc/net/tcp6; do [ -r "$f" ] && files+=("$f"); done
	[ ${#files[@]} -gt 0 ] || return 1
	if [ -n "${2:-}" ]; then
		inodes=$(readlink /proc/"$2"/fd/* 2>/dev/null | sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
		[ -n "$inodes" ] || return 1
	fi
	awk -v p="$(printf ':%04X' "$1")" -v ino=" $inodes" \
		'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == p &&
		 (ino == " " || index(ino, " " $10 " ")) { f = 1 } END { exit !f }' "${files[@]}"
}

# gdbstub_alive: true while the QEMU of gdbstub_start runs (a zombie does not).
gdbstub_alive() {
	local state
	[ -n "$GDBSTUB_PID" ] || return 1
	state=$(sed -n 's/^[0-9]* (.*) \(.\).*/\1/p' "/proc/$GDBSTUB_PID/stat" 2>/dev/null)
	[ -n "$state" ] && [ "$state" != Z ]
}

# gdbstub_start IMAGE SERIAL_LOG QEMU_LOG [QEMU-ARGS...]: starts QEMU (TCG,
# -S, -no-reboot) on IMAGE (build/disk.img or a copy of it; as -hda, format
# raw) with COM1 in SERIAL_LOG, its own output in QEMU_LOG and the gdbstub on
# 127.0.0.1. The port is VLSOS_GDB_PORT, else the first free one from 1234
# up. Sets GDBSTUB_PID and GDBSTUB_PORT; fails when the stub does not listen
# in 10 s.
gdbstub_start() {
	local image=$1 serial=$2 qlog=$3 port ports deadline cmd
	shift 3
	if [ -n "${VLSOS_GDB_PORT:-}" ]; then ports=("$VLSOS_GDB_PORT"); else ports=({1234..1263}); fi
	for port in "${ports[@]}"; do
		if gdbstub_listening "$port"; then
			echo "gdbstub_start: port $port is in use" >"$qlog"
			continue
		fi
		: >"$serial"
		cmd=(qemu-system-i386 -accel tcg -m 64 -no-reboot -S -gdb "tcp:127.0.0.1:$port"
			-drive "file=$image,format=raw,if=ide" -serial "file:$serial" "$@")
		# On a terminal QEMU gets its own session, so GDB's Ctrl-C stays GDB's.
		[ -t 0 ] && cmd=(setsid "${cmd[@]}")
		"${cmd[@]}" </dev/null >"$qlog" 2>&1 &
		GDBSTUB_PID=$!
		deadline=$((SECONDS + 10))
		while gdbstub_alive && [ "$SECONDS" -lt "$deadline" ]; do
			if gdbstub_listening "$port" "$GDBSTUB_PID"; then
				GDBSTUB_PORT=$port
				return 0
			fi
			sleep 0.1
		done
		gdbstub_stop
		grep -q 'Address already in use' "$qlog" || return 1 # not a port clash: give up
	done
	return 1
}

# gdbstub_stop: ends QEMU (SIGTERM, SIGKILL after 5 s); harmless when none runs.
gdbstub_stop() {
	local i
	[ -n "$GDBSTUB_PID" ] || return 0
	kill "$GDBSTUB_PID" 2>/dev/null
	for ((i = 0; i < 50; i++)); do
		gdbstub_alive || break
		sleep 0.1
	done
	kill -9 "$GDBSTUB_PID" 2>/dev/null
	wait "$GDBSTUB_PID" 2>/dev/null
	GDBSTUB_PID=
}

