"""fatpatch.py IMAGE PART_OFFSET ACTION: damages KERNEL.BIN's cluster chain in a
FAT12/16 volume, for the loader's bad-input tests.
  free  - the chain's second link points at a cluster marked free
  loop  - the chain's third cluster points back to the second
  short - the chain ends (EOC) after its first cluster
"""
import struct
import sys


def main(image, offset, action):
    with open(image, "r+b") as f:
        f.seek(offset)
        bpb = f.read(512)
        bps, spc, reserved, nfats, root_entries, total16, _, fat_size = struct.unpack_from(
            "<HBHBHHBH", bpb, 11)
        fat_start = offset + reserved * bps
        root_start = fat_start + nfats * fat_size * bps
        f.seek(root_start)
        root = f.read(root_entries * 32)
        for i in range(0, len(root), 32):
            if root[i:i + 11] == b"KERNEL  BIN":
                first = struct.unpack_from("<H", root, i + 26)[0]
                break
        else:
            sys.exit("fatpatch: no KERNEL.BIN")
        data_sectors = (total16 or struct.unpack_from("<I", bpb, 32)[0]) - (
            reserved + nfats * fat_size + root_entries * 32 // bps)
        fat16 = data_sectors // spc >= 4085
        if not fat16:
            sys.exit("fatpatch: FAT12 volumes are not handled")

        def entry(c):
            f.seek(fat_start + 2 * c)
            return struct.unpack("<H", f.read(2))[0]

        def set_entry(c, v):
            for copy in range(nfats):
                f.seek(fat_start + copy * fat_size * bps + 2 * c)
                f.write(struct.pack("<H", v))

        second = entry(first)
        third = entry(second)
        if action == "free":
            set_entry(first, 0x7FF0)   # a cluster nobody allocated
            set_entry(0x7FF0, 0)
        elif action == "loop":
            set_entry(third, second)
        elif action == "short":
            set_entry(first, 0xFFFF)
        else:
            sys.exit("fatpatch: unknown action " + action)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
