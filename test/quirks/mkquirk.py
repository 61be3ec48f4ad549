"""mkquirk.py KIND BASE SHIM OUT PAYLOAD_LBA [QUIRK...]: a copy of BASE (a VlsOs
disk or floppy image, never changed) with the quirk shim (test/quirks/shim.asm,
assembled to SHIM) in front of the real stage 1.

KIND is hdd or fdd. The real stage-1 sector (LBA 0 of BASE) moves to
PAYLOAD_LBA + 6, the shim's payload to PAYLOAD_LBA..+5, and the shim's boot
sector to LBA 0, keeping the MBR's bytes 440..511 (hdd) or the BPB in
bytes 03h..3Dh (fdd). Those spare sectors must be unused: zero in BASE (hdd),
or behind stage 2 in the reserved area (the caller checks stage 2's size).

QUIRKs set the config block (offsets documented in shim.asm):
  07c0  junk  dl=HEX  deny41  nocx0  clobberdl  spt0  spt0skip=N  scramble13
  watch13 (hook INT 13h only to report calls on the debug console)
  scramble10  scramble15  scramble (all three)  e820=split|messy|attr
  e820_20  e820_cfend  e820_never0  e820_badsmap=N  bpb  arm13=N
  take=N (the resident hooks take N KiB more than their size)
  wild (scramble, plus junk segment registers and ESP top half, IF inverted
  and DF set on return; INT 13h called with IF=0 refused)
"""
import sys

SECTOR = 512
CFG_OFF = 0x1A0
PAYLOAD_SECTORS = 6
MBR_KEEP = 440          # hdd: bytes 440..511 stay the MBR's
BPB_START, BPB_END = 3, 0x3E


def config(quirks):
    cfg = bytearray(16)
    cfg[0:2] = b"QK"
    maps = {"split": 1, "messy": 2, "attr": 3}
    for q in quirks:
        name, _, value = q.partition("=")
        if name == "07c0":
            cfg[2] |= 0x01
        elif name == "junk":
            cfg[2] |= 0x02
        elif name == "dl":
            cfg[3], cfg[4] = 1, int(value, 16)
        elif name == "deny41":
            cfg[5] |= 0x01
        elif name == "nocx0":
            cfg[5] |= 0x02
        elif name == "clobberdl":
            cfg[5] |= 0x04
        elif name == "spt0":
            cfg[5] |= 0x08
        elif name == "spt0skip":
            cfg[6] = int(value)
        elif name == "scramble13":
            cfg[5] |= 0x10
        elif name == "watch13":
            cfg[5] |= 0x20
        elif name == "scramble10":
            cfg[7] |= 0x01
        elif name == "scramble15":
            cfg[8] |= 0x01
        elif name == "scramble":
            cfg[5] |= 0x10
            cfg[7] |= 0x01
            cfg[8] |= 0x01
        elif name == "e820":
            cfg[9] = maps[value]
        elif name == "e820_20":
            cfg[10] |= 0x01
        elif name == "e820_cfend":
            cfg[10] |= 0x02
        elif name == "e820_never0":
            cfg[10] |= 0x04
        elif name == "e820_badsmap":
            cfg[10] |= 0x08
            cfg[11] = int(value)
        elif name == "bpb":
            cfg[12] |= 0x01
        elif name == "arm13":
            cfg[13] = int(value)
        elif name == "take":
            cfg[15] = int(value)
        elif name == "wild":
            cfg[5] |= 0x10
            cfg[7] |= 0x01
            cfg[8] |= 0x01
            cfg[14] |= 0x03
        else:
            sys.exit(f"mkquirk: unknown quirk {q!r}")
    return bytes(cfg)


def main():
    kind, base, shim_path, out, payload_lba = sys.argv[1:6]
    payload_lba = int(payload_lba)
    stage1_lba = payload_lba + PAYLOAD_SECTORS
    image = bytearray(open(base, "rb").read())
    shim = open(shim_path, "rb").read()
    if len(shim) != SECTOR * (1 + PAYLOAD_SECTORS) or shim[510:512] != b"\x55\xaa":
        sys.exit(f"mkquirk: {shim_path} is not a shim build")
    if shim[CFG_OFF:CFG_OFF + 2] != b"QK":
        sys.exit(f"mkquirk: no config magic at {CFG_OFF:#x} in {shim_path}")
    spare = image[payload_lba * SECTOR:(stage1_lba + 1) * SECTOR]
    if kind == "hdd" and any(spare):
        sys.exit(f"mkquirk: LBA {payload_lba}-{stage1_lba} of {base} are in use")

    stage1 = bytes(image[0:SECTOR])
    boot = bytearray(shim[0:SECTOR])
    boot[CFG_OFF:CFG_OFF + 16] = config(sys.argv[6:])
    if kind == "hdd":
        boot[MBR_KEEP:SECTOR] = stage1[MBR_KEEP:SECTOR]
    elif kind == "fdd":
        boot[BPB_START:BPB_END] = stage1[BPB_START:BPB_END]
    else:
        sys.exit(f"mkquirk: kind {kind!r} is not hdd or fdd")
    image[0:SECTOR] = boot
    image[payload_lba * SECTOR:stage1_lba * SECTOR] = shim[SECTOR:]
    image[stage1_lba * SECTOR:(stage1_lba + 1) * SECTOR] = stage1
    open(out, "wb").write(image)


main()
