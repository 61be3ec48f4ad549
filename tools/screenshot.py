#!/usr/bin/env python3
"""screenshot.py: the VGA screen after boot, as a PNG (docs/boot-screen.png).

  screenshot.py make BUILD OUT.png    boot BUILD/disk.img under QEMU (TCG), wait for
                                      "VlsOs ready" on COM1, save the screen
  screenshot.py check BUILD DOC.png   boot again and check DOC.png is still the screen
                                      (TAP; test/boot/test_boot_screen.sh runs it)

The picture comes from QEMU's monitor (`screendump`, PPM in QEMU 7.2), turned into
a PNG here with zlib alone. The screen's text, read from VGA text memory with
`pmemsave` at the window the CRTC start address selects (kernel/dev/vga.c scrolls
by moving it), is stored in the PNG's tEXt chunk, so the check compares text with
text and, cell by cell where the text agrees, pixels with pixels. Numbers may
differ (a kernel's size and CRC change with every build); words may not.
"""
import os
import re
import socket
import struct
import subprocess
import sys
import time
import zlib

COLS, ROWS = 80, 25
VGA_TEXT = 0xB8000
VGA_TEXT_BYTES = 0x8000           # 32 KiB of colour text memory
CRTC_INDEX, CRTC_DATA = 0x3D4, 0x3D5
CRTC_START_HIGH, CRTC_CURSOR_HIGH = 0x0C, 0x0E
READY = b"VlsOs ready"
BOOT_SECONDS = 60
TEXT_KEY, CURSOR_KEY = b"VlsOs-screen", b"VlsOs-cursor"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def unix_connect(path, seconds=10):
    """A socket connected to the unix socket PATH, tried until QEMU has made it."""
    sock = socket.socket(socket.AF_UNIX)
    deadline = time.time() + seconds
    while True:
        try:
            sock.connect(path)
            return sock
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


class Monitor:
    """QEMU's human monitor over a unix socket: one command, wait for the prompt."""

    def __init__(self, path):
        self.sock = unix_connect(path)
        self.sock.settimeout(20)
        self._until_prompt()

    def _until_prompt(self):
        out = b""
        while not out.endswith(b"(qemu) "):
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            out += chunk
        return out.decode("latin-1")

    def cmd(self, line):
        self.sock.sendall(line.encode() + b"\n")
        reply = self._until_prompt()
        if "Try \"help" in reply or "rror" in reply:
            raise RuntimeError("QEMU's monitor refused %r: %r" % (line, reply[-200:]))
        return reply

    def inb(self, port):
        reply = self.cmd("i /b 0x%x" % port)
        m = re.search(r"portb\[0x0*%x\] = 0x([0-9a-f]+)" % port, reply)
        if not m:
            raise RuntimeError("no answer to an I/O read of port 0x%x: %r" % (port, reply[-200:]))
        return int(m.group(1), 16)

    def crtc16(self, high_reg):
        """A 16-bit CRTC register pair, the guest's index register put back after."""
        saved = self.inb(CRTC_INDEX)
        value = 0
        for reg in (high_reg, high_reg + 1):
            self.cmd("o /b 0x%x 0x%x" % (CRTC_INDEX, reg))
            value = value << 8 | self.inb(CRTC_DATA)
        self.cmd("o /b 0x%x 0x%x" % (CRTC_INDEX, saved))
        return value


PROMPT = b"$ "
# sendkey's names for what a command line may hold
KEY_NAMES = {" ": "spc", "-": "minus", "/": "slash", ".": "dot", "=": "equal", "\n": "ret"}


def type_line(mon, serial, line):
    """Types LINE and Enter on the keyboard and waits for the shell's next prompt."""
    prompts = open(serial, "rb").read().count(PROMPT)
    for ch in line + "\n":
        mon.cmd("sendkey " + KEY_NAMES.get(ch, ch))
    deadline = time.time() + BOOT_SECONDS
    while open(serial, "rb").read().count(PROMPT) <= prompts:
        if time.time() > deadline:
            raise RuntimeError("no prompt after typing '%s' within %d s" % (line, BOOT_SECONDS))
        time.sleep(0.1)


def boot_and_grab(build, work, command=None):
    """Boots BUILD/disk.img, types COMMAND at the shell when given, and returns
    (text lines, cells, cursor, ppm bytes)."""
    os.makedirs(work, exist_ok=True)
    serial, sock = os.path.join(work, "serial.log"), os.path.join(work, "monitor.sock")
    vram, ppm = os.path.join(work, "vram.bin"), os.path.join(work, "screen.ppm")
    for f in (serial, sock, vram, ppm):
        if os.path.exists(f):
            os.remove(f)
    qemu = subprocess.Popen(
        ["qemu-system-i386", "-display", "none", "-no-reboot", "-nodefaults", "-vga", "std",
         "-accel", "tcg", "-m", "64", "-drive", "file=%s/disk.img,format=raw,if=ide" % build,
         "-serial", "file:" + serial, "-monitor", "unix:%s,server,nowait" % sock],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + BOOT_SECONDS
        while not (os.path.exists(serial) and READY in open(serial, "rb").read()):
            if qemu.poll() is not None or time.time() > deadline:
                raise RuntimeError("no '%s' on COM1 within %d s" % (READY.decode(), BOOT_SECONDS))
            time.sleep(0.1)
        mon = Monitor(sock)
        if command:
            while not open(serial, "rb").read().rstrip().endswith(PROMPT.rstrip()):
                if time.time() > deadline:
                    raise RuntimeError("no shell prompt within %d s" % BOOT_SECONDS)
                time.sleep(0.1)
            type_line(mon, serial, command)
        time.sleep(1)  # the last line reaches the screen after COM1
        start, cursor = mon.crtc16(CRTC_START_HIGH), mon.crtc16(CRTC_CURSOR_HIGH)
        # quoted: HMP would read "/work..." after a number as a division
        mon.cmd('pmemsave 0x%x 0x%x "%s"' % (VGA_TEXT, VGA_TEXT_BYTES, vram))
        mon.cmd('screendump "%s"' % ppm)
        mon.cmd("quit")
        qemu.wait(timeout=20)
    finally:
        if qemu.poll() is None:
            qemu.kill()
            qemu.wait()
    mem = open(vram, "rb").read()
    cells = [mem[(start + i) * 2:(start + i) * 2 + 2] for i in range(ROWS * COLS)]
    if len(cells[-1]) != 2:
        raise RuntimeError("the CRTC start address %d leaves text memory" % start)
    lines = ["".join(chr(c[0]) for c in cells[r * COLS:(r + 1) * COLS]).rstrip() for r in range(ROWS)]
    cursor -= start
    return lines, cells, (cursor // COLS, cursor % COLS), open(ppm, "rb").read()


def ppm_pixels(data):
    """(width, height, RGB bytes) of a binary PPM with maxval 255."""
    fields, pos = [], 0
    while len(fields) < 4:
        m = re.compile(rb"\s*(#[^\n]*\n\s*)*(\S+)").match(data, pos)
        fields.append(m.group(2))
        pos = m.end()
    if fields[0] != b"P6" or fields[3] != b"255":
        raise RuntimeError("not a P6 PPM with maxval 255: %r" % fields)
    w, h = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + w * h * 3]
    if len(pixels) != w * h * 3:
        raise RuntimeError("PPM shorter than %dx%d" % (w, h))
    return w, h, pixels


def png_chunk(kind, body):
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_write(path, w, h, rgb, text):
    """An 8-bit RGB PNG, every row with filter 0, and tEXt chunks from TEXT."""
    rows = b"".join(b"\0" + rgb[y * w * 3:(y + 1) * w * 3] for y in range(h))
    out = PNG_SIGNATURE + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    for key, value in text.items():
        out += png_chunk(b"tEXt", key + b"\0" + value.encode("latin-1"))
    out += png_chunk(b"IDAT", zlib.compress(rows, 9)) + png_chunk(b"IEND", b"")
    with open(path + ".tmp", "wb") as f:
        f.write(out)
    os.replace(path + ".tmp", path)


def png_read(path):
    """(width, height, RGB bytes, tEXt dict) of a PNG this tool wrote."""
    data = open(path, "rb").read()
    if not data.startswith(PNG_SIGNATURE):
        raise RuntimeError("%s is not a PNG" % path)
    pos, idat, text, head = 8, b"", {}, None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] != zlib.crc32(kind + body):
            raise RuntimeError("%s: bad CRC in chunk %r" % (path, kind))
        if kind == b"IHDR":
            head = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"tEXt":
            key, _, value = body.partition(b"\0")
            text[key] = value.decode("latin-1")
        pos += 12 + n
    if not head or head[2:] != (8, 2, 0, 0, 0):
        raise RuntimeError("%s: not an 8-bit RGB PNG written by tools/screenshot.py" % path)
    w, h = head[0], head[1]
    raw, stride = zlib.decompress(idat), w * 3 + 1
    if len(raw) != h * stride or any(raw[y * stride] for y in range(h)):
        raise RuntimeError("%s: rows not as tools/screenshot.py writes them (filter 0)" % path)
    return w, h, b"".join(raw[y * stride + 1:(y + 1) * stride] for y in range(h)), text


def grab(build, work, command=None):
    lines, cells, cursor, ppm = boot_and_grab(build, work, command)
    w, h, rgb = ppm_pixels(ppm)
    if w % COLS or h % ROWS:
        raise RuntimeError("a %dx%d screen is not 80x25 text cells" % (w, h))
    return {"lines": lines, "cells": cells, "cursor": cursor, "w": w, "h": h, "rgb": rgb}


def save(shot, path):
    png_write(path, shot["w"], shot["h"], shot["rgb"], {
        TEXT_KEY: "\n".join(shot["lines"]),
        CURSOR_KEY: "%d,%d" % shot["cursor"]})


def masked(lines):
    """Lines with every number (decimal or hex) as '#' and runs of spaces as one."""
    return [re.sub(r" +", " ", re.sub(r"[0-9A-Fa-f]*[0-9][0-9A-Fa-f]*", "#", l)) for l in lines]


def cell_block(shot_w, rgb, row, col, cw, ch):
    return b"".join(rgb[((row * ch + y) * shot_w + col * cw) * 3:((row * ch + y) * shot_w + (col + 1) * cw) * 3]
                    for y in range(ch))


def compare(doc_path, shot):
    """[(name, problem or None)]: DOC_PATH against a fresh SHOT."""
    results = []
    try:
        w, h, rgb, text = png_read(doc_path)
        doc_lines = text.get(TEXT_KEY, "").split("\n")
        doc_cursor = tuple(int(v) for v in text.get(CURSOR_KEY, "-1,-1").split(","))
        ok = (w, h) == (shot["w"], shot["h"]) and TEXT_KEY in text and len(doc_lines) == ROWS
        results.append(("the picture is a %dx%d PNG carrying the screen's text" % (shot["w"], shot["h"]),
                        None if ok else "%dx%d, %d text lines" % (w, h, len(doc_lines))))
    except (RuntimeError, OSError, zlib.error, struct.error) as e:
        return [("the picture is a PNG this tool wrote", str(e))]
    bad = [i for i, (a, b) in enumerate(zip(masked(doc_lines), masked(shot["lines"]))) if a != b]
    results.append(("the screen shows the picture's text (numbers aside)",
                    None if not bad else "row %d: picture %r, screen %r"
                    % (bad[0], doc_lines[bad[0]], shot["lines"][bad[0]])))
    if (w, h) != (shot["w"], shot["h"]):
        return results
    cw, ch = w // COLS, h // ROWS
    compared = differ = 0
    first = None
    for r in range(ROWS):
        doc_row = doc_lines[r].ljust(COLS) if r < len(doc_lines) else ""
        for c in range(COLS):
            if (r, c) in (doc_cursor, shot["cursor"]) or c >= len(doc_row):
                continue  # the cursor blinks
            if doc_row[c] != chr(shot["cells"][r * COLS + c][0]):
                continue
            compared += doc_row[c] != " "
            if cell_block(w, rgb, r, c, cw, ch) != cell_block(w, shot["rgb"], r, c, cw, ch):
                differ += 1
                first = first or (r, c)
    inked = sum(len(l.replace(" ", "")) for l in doc_lines)
    problem = None
    if differ:
        problem = "%d cells with the same character are drawn differently, first at row %d col %d" % ((differ,) + first)
    elif compared * 2 < inked:
        problem = "only %d of %d characters could be compared" % (compared, inked)
    results.append(("the picture's pixels are that text, cell by cell", problem))
    return results


def tap(results, n=0):
    failed = 0
    for name, problem in results:
        n += 1
        if problem:
            failed += 1
            print("not ok %d - %s: %s" % (n, name, problem))
        else:
            print("ok %d - %s" % (n, name))
    return n, failed


def mutated(doc_path, out, how):
    """A copy of DOC_PATH with one lie in it: a word of its text, or one glyph's pixels."""
    w, h, rgb, text = png_read(doc_path)
    lines = text[TEXT_KEY].split("\n")
    if how == "text":
        r = max(i for i, l in enumerate(lines) if re.search(r"[a-z]{4}", l))
        lines[r] = re.sub(r"[a-z]{4}", "wxyz", lines[r], count=1)
    else:
        r = max(i for i, l in enumerate(lines) if l.strip())
        c = len(lines[r]) - len(lines[r].lstrip()) + 1
        cw, ch = w // COLS, h // ROWS
        rgb = bytearray(rgb)
        at = ((r * ch + ch // 2) * w + c * cw + cw // 2) * 3
        rgb[at:at + 3] = bytes(255 - v for v in rgb[at:at + 3])
        rgb = bytes(rgb)
    png_write(out, w, h, rgb, {TEXT_KEY: "\n".join(lines), CURSOR_KEY: text[CURSOR_KEY]})


def check(build, doc, command=None):
    work = os.path.join(build, "tmp", "boot_screen" + ("-" + command if command else ""))
    try:
        shot = grab(build, work, command)
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        print("not ok 1 - boot and read the screen: %s" % e)
        return 1
    print("ok 1 - booted to '%s'%s and read the screen (text memory and screendump)"
          % (READY.decode(), ", typed '%s' at the shell" % command if command else ""))
    fresh = os.path.join(work, os.path.basename(doc))
    save(shot, fresh)
    n, failed = tap(compare(doc, shot), 1)
    if failed:
        print("# the screen changed: look at %s and copy it to %s if it is right" % (fresh, doc))
    # The check can fail: each lie planted in a copy of the picture is found.
    for how in ("text", "pixels"):
        lie = os.path.join(work, "lie-%s.png" % how)
        try:
            mutated(doc, lie, how)
            caught = any(problem for _, problem in compare(lie, shot))
        except (RuntimeError, OSError, KeyError, ValueError) as e:
            caught = False
            print("# %s" % e)
        n, f = tap([("a picture with one %s changed is refused" % ("word" if how == "text" else "glyph"),
                     None if caught else "not noticed")], n)
        failed += f
    print("1..%d" % n)
    return 1 if failed else 0


def main(argv):
    """make|check BUILD PICTURE [COMMAND]: COMMAND is typed at the shell first"""
    if len(argv) not in (4, 5) or argv[1] not in ("make", "check"):
        print("usage: screenshot.py make|check BUILD PICTURE [COMMAND]", file=sys.stderr)
        return 2
    command = argv[4] if len(argv) == 5 else None
    if argv[1] == "check":
        return check(argv[2], argv[3], command)
    save(grab(argv[2], os.path.join(argv[2], "tmp", "screenshot"), command), argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
