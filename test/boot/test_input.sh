# test_input.sh: the console's input through real interrupts. The test kernel
# with `input=10` (kernel/tests/test_input.c) waits for ten bytes; keys go in
# through QEMU's monitor (sendkey: the PS/2 keyboard, IRQ 1) and bytes through
# COM1 on a socket (IRQ 4). The kernel prints what it got, in order.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/input
mkdir -p "$T"
rm -f "$T"/*.sock "$T"/*.log
kernel_image "$T/disk.img" kernel-test "input=10"

qemu-system-i386 -display none -no-reboot -nodefaults -vga std -accel tcg -m 64 \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-monitor "unix:$T/mon.sock,server=on,wait=off" \
	-chardev "socket,id=com1,path=$T/com1.sock,server=on,wait=on" -serial chardev:com1 \
	-drive "file=$T/disk.img,format=raw,if=ide" >"$T/qemu.out" 2>&1 &
qemu=$!
# h, i, Shift+1, Ctrl+C, Up (ESC [ A) on the keyboard; then "ok" and Enter on COM1
timeout 90 python3 - "$T" <<'PY' >"$T/driver.log" 2>&1
import sys, threading, time
sys.path.insert(0, "tools")
from screenshot import Monitor, unix_connect
t = sys.argv[1]
# QEMU starts the guest once COM1 is connected (wait=on); every byte it sends
# goes to input.log as it comes
com1 = unix_connect(t + "/com1.sock")
log = open(t + "/input.log", "wb", buffering=0)
def drain():
    while True:
        data = com1.recv(65536)
        if not data:
            return
        log.write(data)
threading.Thread(target=drain, daemon=True).start()
def wait_for(text, secs=60):
    end = time.time() + secs
    while time.time() < end:
        if text in open(t + "/input.log", "rb").read():
            return
        time.sleep(0.1)
    sys.exit("no %r in the log" % text)
monitor = Monitor(t + "/mon.sock")
wait_for(b"input: waiting for 10 bytes")
for key in ("h", "i", "shift-1", "ctrl-c", "up"):
    monitor.cmd("sendkey " + key)
    time.sleep(0.2)
com1.sendall(b"ok\r")
wait_for(b"input: 10 of 10 bytes")
PY
driver=$?
for _ in $(seq 100); do kill -0 "$qemu" 2>/dev/null || break; sleep 0.1; done
kill "$qemu" 2>/dev/null
wait "$qemu"
status=$?
sed -i 's/\r$//' "$T/input.log"
tap_check "keys and COM1 bytes arrive in order through IRQ 1 and IRQ 4" \
	"$(grep '^input:' "$T/input.log" | tr '\n' ' ') $(tail -1 "$T/driver.log")" \
	grep -q '^input: 68 69 21 03 1b 5b 41 6f 6b 0a$' "$T/input.log"
tap_check "nothing dropped, QEMU left with 'passed'" "QEMU $status, driver $driver" \
	bash -c "grep -q '^input: 10 of 10 bytes, 0 dropped$' '$T/input.log' && [ $status = 33 ]"
tap_done
