#!/usr/bin/env python3
"""ksyms.py NM-LISTING OUT.bin: the kernel's symbol table (kernel/ksyms.c reads it).

build.sh links each kernel twice: the first link carries an empty table (this
script on an empty listing), `llvm-nm -n --defined-only` of it feeds this script,
and the second link carries the real table. The table is the last thing in
.rodata (kernel/linker.ld), after .text, so its size cannot move a function;
build.sh checks that every function symbol has the same address in both links.

Input: llvm-nm lines "ADDRESS TYPE NAME". Functions are the .text symbols
(types t and T); the linker script's own markers are left out, and
__text_end closes the last function. NASM's local labels (name.label) stay
out too: an address inside one belongs to the function it is part of.

Output (little-endian, read in place by the kernel, so every field is aligned):
  u32 magic "KSYM"
  u32 count                 functions
  u32 end                   __text_end: no function reaches it
  u32 address[count]        ascending, no two equal
  u16 name_offset[count]    into the names, which follow
  names                     NUL-terminated, at most MAX_NAMES_BYTES in all
"""
import struct
import sys

MAGIC = b"KSYM"
MAX_NAMES_BYTES = 0x10000  # name offsets are 16-bit
FUNCTION_TYPES = ("t", "T")
END_SYMBOL = "__text_end"
LINKER_MARKERS = {"__text_start", "__kernel_start", END_SYMBOL}


def fail(msg):
    sys.stderr.write("ksyms.py: %s\n" % msg)
    sys.exit(1)


def parse(lines):
    """(functions as [(address, name)] sorted, end address or None)."""
    by_addr = {}
    end = None
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 3:
            continue  # undefined symbols have no address; --defined-only has none
        addr_text, kind, name = fields
        try:
            addr = int(addr_text, 16)
        except ValueError:
            fail("line %d: %r is not a hex address" % (number, addr_text))
        if name == END_SYMBOL:
            end = addr
        if kind not in FUNCTION_TYPES or name in LINKER_MARKERS or "." in name:
            continue
        # Aliases share an address: a global name beats a local one, then the
        # first in nm's order, so the choice does not depend on hashing.
        old = by_addr.get(addr)
        if old is None or (old[0] == "t" and kind == "T"):
            by_addr[addr] = (kind, name)
    functions = sorted((addr, kn[1]) for addr, kn in by_addr.items())
    if functions and end is None:
        fail("no %s in the listing: cannot tell where the last function ends" % END_SYMBOL)
    if functions and end <= functions[-1][0]:
        fail("%s (0x%x) is not above the last function %s (0x%x)"
             % (END_SYMBOL, end, functions[-1][1], functions[-1][0]))
    return functions, end or 0


def encode(functions, end):
    names = bytearray()
    offsets = []
    for _, name in functions:
        offsets.append(len(names))
        names += name.encode("ascii", "replace") + b"\0"
    if len(names) > MAX_NAMES_BYTES:
        fail("%d bytes of names, more than 16-bit offsets reach" % len(names))
    out = bytearray(MAGIC)
    out += struct.pack("<II", len(functions), end)
    out += b"".join(struct.pack("<I", addr) for addr, _ in functions)
    out += b"".join(struct.pack("<H", off) for off in offsets)
    out += names
    while len(out) % 4:
        out += b"\0"
    return bytes(out)


def main(argv):
    if len(argv) != 3:
        fail("usage: ksyms.py NM-LISTING OUT.bin")
    with open(argv[1]) as f:
        functions, end = parse(f.readlines())
    with open(argv[2], "wb") as f:
        f.write(encode(functions, end))


if __name__ == "__main__":
    main(sys.argv)
