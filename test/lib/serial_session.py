"""serial_session.py COM1_PORT COM1_LOG MONITOR_SOCKET OUTDIR < STEPS: drives
a scripted session with a VlsOs guest: COM1 on a TCP socket on the loopback
at COM1_PORT (QEMU's `-chardev socket,host=127.0.0.1,port=0,server=on,wait=on`,
so the guest starts only once this script is connected and no byte is
missed), the keyboard and the screen through QEMU's human monitor on a unix
socket. Every byte the guest sends is written to COM1_LOG as it comes, and
read back from there. (QEMU's own `logfile=` is not used: when the socket is
full for a moment, QEMU 7.2 logs the byte the 16550 then sends again, so its
log can hold a character twice.)
COM1 is TCP, not a unix socket: the 16550 hands QEMU one byte a write, and a
unix socket counts each such write as a whole buffer, so it is full after a few
hundred bytes; when this script is not scheduled for 20 ms or so (a busy host),
the kernel's bounded wait for the UART runs out and bytes are lost. TCP on the
loopback joins them: a pause of seconds loses nothing.
Reads steps from stdin, one a line; what each named step saw goes to
OUTDIR/NAME.out (or NAME.screen), for the test to check:

  expect NAME SECONDS REGEX   wait for REGEX (Python re, MULTILINE) in what COM1
                              sent since the last match; the text up to the
                              match's end goes to NAME.out
  line NAME TEXT              send TEXT and Enter (CR) on COM1, then wait for the
                              next prompt ("$ " at a line's start): the echo and
                              the output before the prompt go to NAME.out
  send TEXT                   send TEXT on COM1, Python escapes decoded (\\x03 is
                              Ctrl-C, \\x7f Backspace, \\x1b[A the Up arrow)
  key KEY...                  QEMU's `sendkey` for each KEY (the PS/2 keyboard)
  screen NAME                 the 25 lines the VGA shows now, to NAME.screen
  keep KEY REGEX              the first group of REGEX (as `expect`'s) in what
                              the last `expect` or `line` saw becomes KEY: later
                              steps have each {KEY} replaced by it (a pid the
                              guest gave, an address); without a match KEY stays
                              unset and {KEY} is sent as it is (the test's
                              check of that step then fails)
  timeout SECONDS             how long later `line`s wait (30 at first)
  sleep SECONDS

A wait that runs out writes what came and a last line "[timeout]", and the
session goes on (the test's check then fails with the text); COM1 closing (the
guest gone) ends it. Every wait has a limit: nothing hangs on a dead guest.
"""
import codecs
import os
import re
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from screenshot import COLS, CRTC_START_HIGH, ROWS, VGA_TEXT, VGA_TEXT_BYTES, Monitor  # noqa: E402

LOOPBACK = "127.0.0.1"
PROMPT = re.compile(r"^\$ ", re.MULTILINE)
KEY_GAP = 0.1          # seconds between two sendkeys, as a typist's
SCREEN_SETTLE = 0.5    # seconds for the last key's echo to reach the screen
OVERLAP = 512          # bytes searched again with new data: a match may straddle it


class Com1:
    """COM1: sends on the socket; a thread drains its bytes into the log as
    they come (so a flood never fills it and stalls the guest); reads the log,
    as text with CR LF made LF."""

    def __init__(self, port, log):
        self.sock = socket.create_connection((LOOPBACK, int(port)), timeout=10)
        self.sock.settimeout(None)
        self.log, self.log_read, self.held_cr, self.closed = log, 0, "", False
        self.text, self.mark, self.searched = "", 0, 0
        self.sink = open(log, "wb", buffering=0)
        threading.Thread(target=self._gather, daemon=True).start()

    def _gather(self):
        while True:
            try:
                data = self.sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return
            self.sink.write(data)

    def _take(self):
        closed = self.closed
        with open(self.log, "rb") as f:
            f.seek(self.log_read)
            new = f.read()
        self.log_read += len(new)
        new = self.held_cr + new.decode("latin-1")
        # a CR LF split between two reads: the CR waits for the next
        self.held_cr = new[len(new.rstrip("\r")):]
        self.text += new[:len(new) - len(self.held_cr)].replace("\r\n", "\n")
        return closed

    def send(self, data):
        self.sock.sendall(data)

    def expect(self, regex, seconds):
        """(text since the mark up to the match's end, True) or (all of it, False)."""
        deadline = time.time() + seconds
        self.searched = self.mark
        while True:
            closed = self._take()
            m = regex.search(self.text, max(self.mark, self.searched - OVERLAP))
            if m:
                seen, self.mark = self.text[self.mark:m.end()], m.end()
                return seen, True
            self.searched = len(self.text)
            if closed or time.time() > deadline:
                seen, self.mark = self.text[self.mark:], len(self.text)
                return seen + ("\n[COM1 closed]" if closed else "") + "\n[timeout]\n", False
            time.sleep(0.05)


def screen_text(monitor, work):
    """The 25 rows the CRTC shows now, from VGA text memory."""
    start = monitor.crtc16(CRTC_START_HIGH)
    dump = os.path.join(work, "vram.bin")
    monitor.cmd('pmemsave 0x%x 0x%x "%s"' % (VGA_TEXT, VGA_TEXT_BYTES, dump))
    mem = open(dump, "rb").read()
    rows = []
    for r in range(ROWS):
        cells = mem[(start + r * COLS) * 2:(start + (r + 1) * COLS) * 2]
        rows.append(cells[0::2].decode("latin-1").rstrip())
    return "\n".join(rows) + "\n"


def main():
    com1_port, com1_log, monitor_path, out = sys.argv[1:5]
    os.makedirs(out, exist_ok=True)
    com1, monitor, line_seconds = Com1(com1_port, com1_log), None, 30.0
    kept, last_seen = {}, ""

    def save(name, suffix, text):
        with open(os.path.join(out, name + suffix), "w") as f:
            f.write(text)

    for step in sys.stdin.read().splitlines():
        verb, _, rest = step.partition(" ")
        if verb != "keep":
            for key, value in kept.items():
                rest = rest.replace("{%s}" % key, value)
        if verb == "expect":
            name, seconds, regex = rest.split(" ", 2)
            seen, _ = com1.expect(re.compile(regex, re.MULTILINE), float(seconds))
            save(name, ".out", seen)
            last_seen = seen
        elif verb == "line":
            name, _, text = rest.partition(" ")
            com1.send(text.encode("latin-1") + b"\r")
            seen, _ = com1.expect(PROMPT, line_seconds)
            save(name, ".out", seen)
            last_seen = seen
        elif verb == "keep":
            key, _, regex = rest.partition(" ")
            m = re.search(regex, last_seen, re.MULTILINE)
            if m:
                kept[key] = m.group(1)
            else:
                print("serial_session.py: keep %s: no match for %r" % (key, regex))
        elif verb == "send":
            com1.send(codecs.decode(rest, "unicode_escape").encode("latin-1"))
        elif verb in ("key", "screen"):
            monitor = monitor or Monitor(monitor_path)
            if verb == "screen":
                time.sleep(SCREEN_SETTLE)
                save(rest, ".screen", screen_text(monitor, out))
            for key in rest.split() if verb == "key" else ():
                monitor.cmd("sendkey " + key)
                time.sleep(KEY_GAP)
        elif verb == "timeout":
            line_seconds = float(rest)
        elif verb == "sleep":
            time.sleep(float(rest))
        elif step.strip():
            sys.exit("serial_session.py: unknown step %r" % step)
        if com1.closed and verb in ("expect", "line"):
            print("serial_session.py: COM1 closed after step %r" % step)
            break


if __name__ == "__main__":
    main()
