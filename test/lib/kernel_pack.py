"""kernel_pack.py: the packed KERNEL.BIN (include/kernel_header.h) for the tests,
written from the format's description and not from mkimage's C, so that each
checks the other.

  python3 kernel_pack.py unpack PACKED OUT     the image, or exit 1 naming the damage
  python3 kernel_pack.py literal IMAGE OUT     IMAGE packed as one run of literals: a
                                               valid file for any bytes, sealed or not
  python3 kernel_pack.py literal_at PACKED N   the file offset of the Nth literal byte
                                               of the stream (counting from 0)
"""
import struct
import sys

MAGIC = 0x5A4C5356            # "VSLZ"
HEADER = 16                   # magic, image_size, stream_size, reserved
LONG_OFFSET = 0x80
LITERAL_SHIFT, LITERAL_FIELD = 4, 7
MATCH_FIELD, MATCH_MIN = 15, 3
MORE = 255


class Damaged(Exception):
    pass


def sequences(stream, image_size):
    """Yields (stream offset of the token, literal offset, literal count, match
    offset, match length) per sequence, checking as stage 2 does."""
    i = written = 0

    def extension(v):
        nonlocal i
        while True:
            if i >= len(stream):
                raise Damaged(i)
            b = stream[i]
            i += 1
            v += b
            if v > image_size:
                raise Damaged(i)
            if b != MORE:
                return v

    while True:
        start = i
        if i >= len(stream):
            raise Damaged(start)
        token = stream[i]
        i += 1
        lits = token >> LITERAL_SHIFT & LITERAL_FIELD
        if lits == LITERAL_FIELD:
            lits = extension(lits)
        if lits > len(stream) - i or lits > image_size - written:
            raise Damaged(start)
        lit_at = i
        i += lits
        written += lits
        if written == image_size:
            if i != len(stream):
                raise Damaged(start)
            yield start, lit_at, lits, 0, 0
            return
        need = 2 if token & LONG_OFFSET else 1
        if need > len(stream) - i:
            raise Damaged(start)
        offset = int.from_bytes(stream[i:i + need], "little") + 1
        i += need
        n = token & MATCH_FIELD
        if n == MATCH_FIELD:
            n = extension(n)
        n += MATCH_MIN
        if offset > written or n > image_size - written:
            raise Damaged(start)
        written += n
        yield start, lit_at, lits, offset, n


def parse(data):
    if len(data) < HEADER:
        raise SystemExit("shorter than the packed header")
    magic, image_size, stream_size, reserved = struct.unpack_from("<IIII", data)
    if magic != MAGIC or reserved != 0 or stream_size != len(data) - HEADER:
        raise SystemExit("not a packed kernel (magic, reserved or stream size)")
    return image_size, data[HEADER:]


def unpack(data):
    image_size, stream = parse(data)
    out = bytearray()
    try:
        for _, lit_at, lits, offset, n in sequences(stream, image_size):
            out += stream[lit_at:lit_at + lits]
            for _ in range(n):
                out.append(out[-offset])
    except Damaged as e:
        raise SystemExit("damaged at byte %d of %d" % (e.args[0], len(stream)))
    return bytes(out)


def literal(image):
    lits = len(image)
    stream = bytearray([LITERAL_FIELD << LITERAL_SHIFT])
    v = lits - LITERAL_FIELD
    while v >= MORE:
        stream.append(MORE)
        v -= MORE
    stream.append(v)
    if lits < LITERAL_FIELD:
        stream = bytearray([lits << LITERAL_SHIFT])
    stream += image
    return struct.pack("<IIII", MAGIC, len(image), len(stream), 0) + stream


def literal_at(data, nth):
    image_size, stream = parse(data)
    for _, lit_at, lits, _, _ in sequences(stream, image_size):
        if nth < lits:
            return HEADER + lit_at + nth
        nth -= lits
    raise SystemExit("fewer literals than that")


if __name__ == "__main__":
    cmd = sys.argv[1]
    src = open(sys.argv[2], "rb").read()
    if cmd == "unpack":
        open(sys.argv[3], "wb").write(unpack(src))
    elif cmd == "literal":
        open(sys.argv[3], "wb").write(literal(src))
    elif cmd == "literal_at":
        print(literal_at(src, int(sys.argv[3])))
    else:
        raise SystemExit("usage: kernel_pack.py unpack|literal|literal_at ...")
