"""kernel_lba.py IMAGE PART_LBA: the absolute LBA of KERNEL.BIN's first data
sector in the image's FAT16 volume (for blkdebug error injection)."""
import struct
import sys

image, part_lba = sys.argv[1], int(sys.argv[2])
with open(image, "rb") as f:
    f.seek(part_lba * 512)
    bpb = f.read(512)
    bps, spc, reserved, nfats, roots, _, _, fat_size = struct.unpack_from("<HBHBHHBH", bpb, 11)
    root_lba = part_lba + reserved + nfats * fat_size
    f.seek(root_lba * 512)
    root = f.read(roots * 32)
data_lba = root_lba + roots * 32 // bps
for i in range(0, len(root), 32):
    if root[i:i + 11] == b"KERNEL  BIN":
        cluster = struct.unpack_from("<H", root, i + 26)[0]
        print(data_lba + (cluster - 2) * spc)
        break
else:
    sys.exit("kernel_lba: no KERNEL.BIN")
