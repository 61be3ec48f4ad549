# test_quirks.sh: the loader copes with misbehaving BIOSes (the quirks docs/loader.md
# lists). SeaBIOS is well-behaved, so a
# test-only quirk shim (test/quirks/shim.asm) sits at LBA 0 of a copy of the
# image, loads the real stage 1 from a spare sector and enters it the way a
# quirky BIOS would, with INT 13h/10h/15h hooks where needed. The shim reports
# each injected misbehaviour on QEMU's debug console (port E9h), so every case
# also proves that its quirk really happened.
. test/lib/tap.sh
. test/lib/qemu.sh

T=$BUILD/tmp/quirks
mkdir -p "$T"
rm -f "$T"/*.log "$T"/*.dbg "$T"/*.status "$T"/*.qemu

SECTOR=$(layout_value SECTOR_SIZE)
HDD_S2_END=$(($(layout_value HDD_STAGE2_LBA) + $(layout_value HDD_STAGE2_SECTORS)))
FDD_S2_LBA=$(layout_value FDD_STAGE2_LBA)
FDD_S2_SECTORS=$(layout_value FDD_STAGE2_SECTORS)
PAYLOAD_SECTORS=6                              # shim.asm PAYLOAD_SECTORS
# Hard disk: payload and the real stage 1 in the gap after stage 2 (LBA 34-40).
HDD_PAYLOAD=$((HDD_S2_END + 1))
# Floppy: the last sectors of stage 2's reserved area (LBA 26-32), which stage 1
# reads into memory but stage 2 does not use.
FDD_PAYLOAD=$((FDD_S2_LBA + FDD_S2_SECTORS - PAYLOAD_SECTORS - 1))
S2_BYTES=$(stat -c %s "$BUILD/stage2.bin")
E820_MAX_CALLS=$(awk '$1 == "%define" && $2 == "E820_MAX_CALLS" { print $3 }' boot/memmap.inc)
DISK_TRIES=$(awk '$1 == "%define" && $2 == "DISK_TRIES" { print $3 }' boot/disk.inc)
S1_TRIES=$(awk '$1 == "%define" && $2 == "S1_TRIES" { print $3 }' boot/stage1_common.inc)
# the kernel's BIOS calls run in this real-mode segment; the shim marks them 'k'
KERNEL_CALL_SEG=$(($(layout_value REGION_BIOS_CALL_START) >> 4))
# INT 13h calls stage 1 makes before stage 2 runs: hard disk AH=41h + one AH=42h;
# floppy AH=41h + AH=08h + one AH=02h per sector stage 2 occupies (stage 1
# reads those, not the whole area: build.sh's STAGE2_LOAD_SECTORS).
HDD_S1_CALLS=2
FDD_S1_CALLS=$((2 + (S2_BYTES + SECTOR - 1) / SECTOR))

setup_ok=1
if [ $((HDD_PAYLOAD + PAYLOAD_SECTORS)) -ge "$(layout_value HDD_PART_LBA)" ]; then
	tap_fail "setup: hdd spare sectors" "LBA $HDD_PAYLOAD-$((HDD_PAYLOAD + PAYLOAD_SECTORS)) reach the partition"
	setup_ok=0
fi
if [ $((FDD_S2_LBA + (S2_BYTES + SECTOR - 1) / SECTOR)) -gt "$FDD_PAYLOAD" ] ||
	[ $((FDD_PAYLOAD + PAYLOAD_SECTORS)) -ge "$(layout_value FDD_RESERVED)" ]; then
	tap_fail "setup: fdd spare sectors" "stage 2 ($S2_BYTES bytes) reaches LBA $FDD_PAYLOAD, or the shim leaves the reserved area"
	setup_ok=0
fi
for kind in hdd fdd; do
	lba=$HDD_PAYLOAD def=
	[ "$kind" = fdd ] && lba=$FDD_PAYLOAD def=-DSHIM_FDD
	# shellcheck disable=SC2086
	if ! nasm -w+all -f bin -DPAYLOAD_LBA="$lba" -DKERNEL_CALL_SEG="$KERNEL_CALL_SEG" $def test/quirks/shim.asm -o "$T/shim_$kind.bin" 2>"$T/nasm_$kind.err"; then
		tap_fail "setup: shim ($kind) assembles" "$(head -3 "$T/nasm_$kind.err")"
		setup_ok=0
	fi
done
if [ "$setup_ok" -ne 1 ]; then
	tap_done
	exit 1
fi
tap_ok "setup: shims assembled; spare sectors hdd LBA $HDD_PAYLOAD-$((HDD_PAYLOAD + PAYLOAD_SECTORS)), fdd LBA $FDD_PAYLOAD-$((FDD_PAYLOAD + PAYLOAD_SECTORS))"

# The test kernel with its disk suite (kernel/tests/test_disk.c) as KERNEL.BIN,
# for the ktest_* cases: the kernel's own INT 13h calls go through the hooks,
# which stay in the IVT.
kernel_image "$T/ktest_hdd.base" kernel-test "test=disk"
cp "$BUILD/floppy.img" "$T/ktest_fdd.base"
mcopy -o -i "$T/ktest_fdd.base" "$BUILD/kernel-test.bin" ::KERNEL.BIN
mcopy -o -i "$T/ktest_fdd.base" "$T/ktest_hdd.base.cfg" ::BOOT.CFG

# quirk NAME KIND QUIRK...: $T/NAME.img, a copy of the image (ktest_*: of the
# test kernel's) with the shim set so (QUIRK names: test/quirks/mkquirk.py).
quirk() {
	local name=$1 kind=$2 base=$BUILD/disk.img lba=$HDD_PAYLOAD
	shift 2
	[ "$kind" = fdd ] && base=$BUILD/floppy.img lba=$FDD_PAYLOAD
	case $name in ktest_*) base=$T/ktest_$kind.base ;; esac
	python3 test/quirks/mkquirk.py "$kind" "$base" "$T/shim_$kind.bin" "$T/$name.img" "$lba" "$@" ||
		tap_fail "$name: image" "mkquirk failed"
}

# boot NAME KIND [BLKDEBUG-CONF]: boots $T/NAME.img in the background (at most
# JOBS at a time) until the loader is ready or stops (ktest_*: until the test
# kernel's suites end, which makes QEMU exit); QEMU's status goes to
# $T/NAME.status, COM1 to $T/NAME.log, the shim's events to $T/NAME.dbg.
JOBS=3
boot() {
	local name=$1 kind=$2 conf=${3:-} if=ide file=$T/$1.img until="^VlsOs ready|BOOT ERROR|PANIC" secs=60
	[ "$kind" = fdd ] && if=floppy
	[ -n "$conf" ] && file=blkdebug:$conf:$file
	case $name in ktest_*) until="^# vlsos-ktest:|BOOT ERROR|PANIC" secs=150 ;; esac
	(
		boot_until "$T/$name.log" "$until" "$secs" -accel tcg -m 64 \
			-drive "file=$file,format=raw,if=$if" -debugcon "file:$T/$name.dbg"
		echo "$QEMU_STATUS" >"$T/$name.status"
	) &
	while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do wait -n; done
}

# Cases: name, image kind, quirks. The test kernel's boots take longest: first.
CASES=(
	"ktest_wild_hdd hdd wild"
	"ktest_wild_chs_hdd hdd wild deny41"
	"ktest_wild_fdd fdd wild"
	"control_hdd hdd"
	"control_fdd fdd"
	"entry07c0_hdd hdd 07c0 junk"
	"entry07c0_fdd fdd 07c0 junk"
	"dl00 hdd dl=00"
	"dlff hdd dl=ff"
	"edd_denied hdd deny41"
	"edd_denied_dl00 hdd deny41 dl=00"
	"edd_no_cx0 hdd nocx0"
	"edd_dl_clobbered hdd clobberdl"
	"spt0_stage1_hdd hdd deny41 spt0"
	"spt0_stage2_hdd hdd deny41 spt0 spt0skip=1"
	"spt0_stage1_fdd fdd spt0"
	"spt0_stage2_fdd fdd spt0 spt0skip=1"
	"bpb_fdd fdd bpb"
	"bpb_hdd hdd bpb"
	"scramble_edd hdd scramble"
	"scramble_chs_hdd hdd scramble deny41"
	"scramble_chs_hdd_stage2 hdd scramble deny41 arm13=$HDD_S1_CALLS"
	"scramble_fdd fdd scramble"
	"scramble_fdd_stage2 fdd scramble arm13=$FDD_S1_CALLS"
	"e820_20byte hdd e820=attr e820_20"
	"e820_24byte hdd e820=attr"
	"e820_cf_end hdd e820=split e820_cfend"
	"e820_ebx_never0 hdd e820=split e820_never0"
	"e820_no_smap hdd e820=split e820_badsmap=3"
	"e820_messy hdd e820=messy"
	"e820_scrambled hdd e820=split scramble15"
	"retry_s2_watch hdd watch13"
	"retry_s2_scrambled hdd scramble13"
	"retry_s1_watch hdd watch13"
	"retry_s1_scrambled hdd scramble13"
	"wild_hdd hdd wild"
	"wild_chs_hdd hdd wild deny41"
	"wild_fdd fdd wild"
	"midpage_hdd hdd wild take=3"
	"retry_s2_wild hdd wild"
	"retry_s1_wild hdd wild"
)
for c in "${CASES[@]}"; do
	# shellcheck disable=SC2086
	quirk $c
done

# blkdebug: a kernel sector (stage 2's reads) or LBA 1 (stage 1's) always fails
# with EIO, which SeaBIOS answers with AH=0Ch.
KLBA=$(python3 test/lib/kernel_lba.py "$BUILD/disk.img" "$(layout_value HDD_PART_LBA)")
for target in s2:$((KLBA + 5)) s1:$(layout_value HDD_STAGE2_LBA); do
	blkdebug_conf "$T/eio_${target%%:*}.conf" "${target#*:}" always
done

for c in "${CASES[@]}"; do
	# shellcheck disable=SC2086
	set -- $c
	case $1 in
	retry_s2_*) boot "$1" "$2" "$T/eio_s2.conf" ;;
	retry_s1_*) boot "$1" "$2" "$T/eio_s1.conf" ;;
	*) boot "$1" "$2" ;;
	esac
done
wait

# ---------------------------------------------------------------------------
has() { grep -qE -- "$2" "$T/$1.log"; }
status() { cat "$T/$1.status" 2>/dev/null || echo "no status"; }
events() { tr -cd "$2" <"$T/$1.dbg" 2>/dev/null | wc -c; }
runs() { grep -o -- "$2" "$T/$1.dbg" 2>/dev/null | wc -l; }
banners() { grep -c 'VlsOs loader' "$T/$1.log"; }
summary() { grep -E 'quirk shim: enter|^disk:|^memory:|BOOT ERROR|PANIC|VlsOs ready' "$T/$1.log" | tr '\n' '|'; }

# ready NAME LABEL: the boot reached "VlsOs ready" with no error line.
ready() {
	tap_check "$1: $2: boots to VlsOs ready" "$(summary "$1") QEMU $(status "$1")" \
		bash -c "grep -q '^VlsOs ready' '$T/$1.log' && ! grep -qE 'BOOT ERROR|PANIC' '$T/$1.log'"
}
# line NAME LABEL ERE: the serial log has a line matching ERE.
line() {
	tap_check "$1: $2" "wanted /$3/; got: $(summary "$1")" has "$1" "$3"
}
# halted NAME BANNERS: QEMU was still running (halted, no reboot), with at most
# BANNERS stage-2 banners.
halted() { [ "$(status "$1")" = running ] && [ "$(banners "$1")" -le "$2" ]; }
# stopped NAME LABEL ERE BANNERS: the boot stopped with ERE, halted (above).
stopped() {
	line "$1" "$2" "$3"
	tap_check "$1: halted, no reboot" "QEMU $(status "$1"), $(banners "$1") banners" halted "$1" "$4"
}
# event NAME LABEL CHARS OP N: the shim reported CHARS events OP N times.
event() {
	local n
	n=$(events "$1" "$3")
	tap_check "$1: $2" "shim reported $n '$3' events, wanted $4 $5" [ "$n" "$4" "$5" ]
}
# event_run NAME LABEL STRING OP N: the shim reported the events STRING, one
# right after the other, OP N times.
event_run() {
	local n
	n=$(runs "$1" "$3")
	tap_check "$1: $2" "shim reported '$3' $n times, wanted $4 $5" [ "$n" "$4" "$5" ]
}
# same_line NAME CONTROL LABEL ERE: the line matching ERE is there, and the
# same as in the CONTROL boot's log.
same_line() {
	local got want
	got=$(grep -E -- "$4" "$T/$1.log")
	want=$(grep -E -- "$4" "$T/$2.log")
	tap_check "$1: $3" "got '$got', $2 has '$want'" same "$got" "$want"
}
same() { [ -n "$1" ] && [ "$1" = "$2" ]; }
# same_line_bios NAME CONTROL LABEL ERE: same_line for a boot whose INT 13h the
# shim hooks against an unhooked CONTROL: the control's line as it would be
# without the ATA fast path (its disk line's suffix dropped, its reads INT 13h's)
same_line_bios() {
	local got want
	got=$(grep -E -- "$4" "$T/$1.log")
	want=$(grep -E -- "$4" "$T/$2.log" | sed -E 's/; ATA PIO [0-9A-F]+h .*$//; s/ in ([0-9]+) ATA reads,/ in \1 INT 13h reads,/')
	tap_check "$1: $3" "got '$got', $2 has '$want' (without the ATA fast path)" same "$got" "$want"
}
# lowered NAME KIND [TAKE]: the shim's hooks took what its build says (shim.bin's
# last word: KiB), plus TAKE KiB, just below the top of conventional memory,
# and the loader found INT 12h that much lower than in control_KIND (no hooks:
# nothing taken); the rest of its memory line the same. Sets LOW: the new top.
lowered() {
	local conv low got want kib
	kib=$(od -An -tu2 -j $(($(stat -c %s "$T/shim_$2.bin") - 2)) -N2 "$T/shim_$2.bin" | tr -d ' ')
	kib=$((kib + ${3:-0}))
	conv=$(sed -n 's/^memory: INT 12h \([0-9]*\) KiB.*/\1/p' "$T/control_$2.log")
	low=$((conv - kib))
	line "$1" "the hooks went resident in the $kib KiB below INT 12h's $conv" \
		"^quirk shim: hooks resident at $(printf %04X $((low * 1024 / 16))):0000, INT 12h $conv -> $low KiB$"
	got=$(grep '^memory: ' "$T/$1.log")
	want=$(sed -n "s/^memory: INT 12h $conv KiB/memory: INT 12h $low KiB/p" "$T/control_$2.log")
	tap_check "$1: memory line as without the quirk but INT 12h $kib KiB lower" \
		"got '$got', wanted '$want'" same "$got" "$want"
	LOW=$low
}

# Control: the shim with no quirk is a plain chain-loader, and keeps nothing.
ready control_hdd "no quirks (hdd)"
for k in hdd fdd; do
	tap_check "control_$k: no hooks, so nothing kept resident" "$(grep 'hooks resident' "$T/control_$k.log")" \
		bash -c "! grep -q 'hooks resident' '$T/control_$k.log' && grep -q '^memory: INT 12h [0-9]* KiB' '$T/control_$k.log'"
done
line control_hdd "shim entered stage 1 at 0000:7C00 with the BIOS's DL" "^quirk shim: entering stage 1 at 0000:7C00 with DL=80h$"
# No hook installed: INT 13h is still the BIOS's own, so the loader takes its ATA
# fast path (boot/ata.inc); a boot whose INT 13h the shim hooks must not.
ATA_FAST='; ATA PIO 1F0h master, blocks of [0-9]+'
line control_hdd "loader reads drive 80h by EDD, and by ATA PIO (INT 13h not hooked)" "^disk: drive 80h \(BIOS DL 80h\), EDD reads$ATA_FAST$"
line control_hdd "the BIOS's own E820 map" "^memory: .*, [0-9]+ map entries from E820$"
ready control_fdd "no quirks (fdd)"
line control_fdd "loader reads drive 00h by CHS" "^disk: drive 00h \(BIOS DL 00h\), CHS reads$"

# Item 1: entry at 07C0:0000, junk in AX, BX, CX, SI, DI, BP, DS, ES, FS, GS, DF set.
for k in hdd fdd; do
	ready "entry07c0_$k" "CS:IP 07C0:0000 and junk registers"
	line "entry07c0_$k" "the shim really entered at 07C0:0000 with junk" \
		"^quirk shim: entering stage 1 at 07C0:0000 with DL=[0-9A-F]{2}h, junk in the other registers"
done

# Item 3: a wrong DL for the hard disk.
ready dl00 "BIOS passes DL=00h for the hard disk"
line dl00 "loader uses 80h and records DL 00h" "^disk: drive 80h \(BIOS DL 00h\), EDD reads$ATA_FAST$"
ready dlff "BIOS passes DL=FFh for the hard disk"
line dlff "loader uses 80h and records DL FFh" "^disk: drive 80h \(BIOS DL FFh\), EDD reads$ATA_FAST$"

# Item 4: INT 13h extensions absent, half-present, clobbering DL.
ready edd_denied "AH=41h fails (CF=1)"
line edd_denied "loader falls back to CHS reads" "^disk: drive 80h \(BIOS DL 80h\), CHS reads$"
line edd_denied "kernel read by CHS" "^Loader: KERNEL.BIN read with .*, CHS$"
event edd_denied "both stages were refused extensions" D -ge 2
tap_check "edd_denied: CHS only because of the quirk (the control reads by EDD)" \
	"control: $(grep '^disk:' "$T/control_hdd.log"); quirk: $(grep '^disk:' "$T/edd_denied.log")" \
	bash -c "grep -q 'EDD reads' '$T/control_hdd.log' && grep -q 'CHS reads' '$T/edd_denied.log'"
ready edd_denied_dl00 "AH=41h fails and DL=00h"
line edd_denied_dl00 "loader line names drive 80h, BIOS DL 00h, CHS" "^disk: drive 80h \(BIOS DL 00h\), CHS reads$"
ready edd_no_cx0 "AH=41h succeeds without CX bit 0"
line edd_no_cx0 "loader takes CHS reads" "^disk: drive 80h \(BIOS DL 80h\), CHS reads$"
event edd_no_cx0 "the shim cleared CX bit 0" c -ge 2
ready edd_dl_clobbered "AH=41h returns with DL=00h"
line edd_dl_clobbered "loader still reads drive 80h by EDD" "^disk: drive 80h \(BIOS DL 80h\), EDD reads$"
event edd_dl_clobbered "the shim clobbered DL" l -ge 2

# Item 10: AH=08h reports 0 sectors per track. Stage 1 (the first AH=08h) or
# stage 2 (the second) must stop with a BOOT ERROR, never divide by zero.
for k in hdd fdd; do
	drive=80h
	[ "$k" = fdd ] && drive=00h
	event "spt0_stage1_$k" "the shim served spt=0 to stage 1" g -eq 1
	stopped "spt0_stage1_$k" "stage 1 stops on spt=0 (status 08h: unusable geometry)" \
		"^BOOT ERROR: stage 1: no stage 2 \(status 08h\)" 0
	event "spt0_stage2_$k" "the shim served spt=0 to stage 2" g -eq 1
	stopped "spt0_stage2_$k" "stage 2 names the geometry" \
		"^BOOT ERROR: BIOS reports no usable CHS geometry \(0 sectors or heads\) for drive $drive" 1
done

# Item 11: USB-FDD emulation writes BPB fields into the loaded boot sector. The
# floppy VBR keeps its BPB; the MBR (disk.img is also the USB-stick image) must
# not keep code there either (Limine and FreeBSD boot1 leave it empty).
ready bpb_fdd "BPB fields overwritten in memory (floppy)"
line bpb_fdd "the shim overwrote the BPB" "^quirk shim: BPB in the loaded boot sector overwritten"
line bpb_fdd "loader still reads drive 00h" "^disk: drive 00h \(BIOS DL 00h\), CHS reads$"
ready bpb_hdd "BPB fields written into the loaded MBR (USB-FDD/ZIP emulation of the stick)"

# Item 20: every register that is not a documented result scrambled (INT 13h,
# INT 10h, INT 15h), plus OF/SF/ZF/AF/PF.
ready scramble_edd "scrambled BIOS calls, EDD path"
event scramble_edd "INT 13h, 10h and 15h answers were scrambled" s -ge 3
event scramble_edd "INT 10h answers were scrambled" v -ge 10
event scramble_edd "INT 15h answers were scrambled" f -ge 3
ready scramble_chs_hdd "scrambled BIOS calls, CHS path in both stages (hdd)"
ready scramble_chs_hdd_stage2 "scrambled BIOS calls, CHS path in stage 2 only (hdd)"
line scramble_chs_hdd_stage2 "loader reads by CHS" "^disk: drive 80h \(BIOS DL 80h\), CHS reads$"
tap_check "scramble_chs_hdd_stage2: the quirks started with stage 2's first call" "$(head -c 60 "$T/scramble_chs_hdd_stage2.dbg")" \
	grep -qE '^v+Ds' "$T/scramble_chs_hdd_stage2.dbg"
ready scramble_fdd "scrambled BIOS calls, both stages (fdd)"
ready scramble_fdd_stage2 "scrambled BIOS calls, stage 2 only (fdd)"
tap_check "scramble_fdd_stage2: the quirks started with stage 2's first call" "$(head -c 60 "$T/scramble_fdd_stage2.dbg")" \
	grep -qE '^v+s' "$T/scramble_fdd_stage2.dbg"

# Items 16/17: E820 call protocol and map content.
ready e820_20byte "20-byte answers to a 24-byte request"
line e820_20byte "all 8 entries kept (no attribute word arrived)" "^memory: .*, 8 map entries from E820$"
line e820_20byte "kernel got the crafted map" "^E820 memory map \(8 entries from E820\):"
ready e820_24byte "24-byte answers, one entry with attribute bit 0 clear"
line e820_24byte "the entry marked not present is dropped" "^memory: .*, 7 map entries from E820$"
tap_check "e820_24byte: no 64-128 MiB entry reached the kernel" "$(grep '0x0000000004000000' "$T/e820_24byte.log")" \
	bash -c "grep -q '^E820 memory map (7 entries from E820):' '$T/e820_24byte.log' && ! grep -q '^  0x0000000004000000-' '$T/e820_24byte.log'"
ready e820_cf_end "map ended by CF=1 instead of EBX=0"
line e820_cf_end "7 entries from E820" "^memory: .*, 7 map entries from E820$"
event e820_cf_end "the shim ended the map with CF=1" C -eq 1
tap_check "e820_cf_end: the crafted map, not the BIOS's (control has another count)" \
	"control: $(grep '^memory:' "$T/control_hdd.log")" bash -c "! grep -q ', 7 map entries' '$T/control_hdd.log'"
ready e820_ebx_never0 "EBX never returns to 0"
line e820_ebx_never0 "7 entries from E820" "^memory: .*, 7 map entries from E820$"
event e820_ebx_never0 "the loader's call limit ended it after $E820_MAX_CALLS calls" e -eq "$E820_MAX_CALLS"
ready e820_no_smap "EAX not 'SMAP' on the 4th call"
line e820_no_smap "E820 discarded, E801 used" "^memory: .*, 3 map entries from E801$"
line e820_no_smap "kernel got the E801 map" "^E820 memory map \(3 entries from E801\):"
event e820_no_smap "the shim dropped SMAP" '!' -eq 1
ready e820_messy "unsorted, overlapping, zero-length entries, one above 4 GiB"
line e820_messy "zero-length entries dropped (9 of 11 kept)" "^memory: .*, 9 map entries from E820$"
line e820_messy "the entry above 4 GiB reaches the kernel" "^  0x0000000100000000-0x000000013fffffff usable$"
line e820_messy "usable RAM counts overlaps once and the 56 MiB hole out" "^  usable RAM: 1112575 KiB$"
MESSY_SANITISED="  0x0000000000000000-0x000000000009fbff usable
  0x000000000009fc00-0x000000000009ffff reserved
  0x00000000000f0000-0x00000000000fffff reserved
  0x0000000000100000-0x00000000037fffff usable
  0x0000000003800000-0x00000000038fffff reserved
  0x0000000003900000-0x0000000003fdffff usable
  0x0000000003fe0000-0x0000000003ffffff reserved
  0x00000000fffc0000-0x00000000ffffffff reserved
  0x0000000100000000-0x000000013fffffff usable"
# sanitised LOG: the kernel's sanitised map, one range a line.
sanitised() { sed -n '/^  sanitised (sorted, overlaps resolved, [0-9]* ranges):$/,/^  usable RAM/p' "$1" | sed '1d;$d'; }
tap_check "e820_messy: kernel's sanitised map is sorted, merged, with the reserved hole carved out" \
	"got: $(sanitised "$T/e820_messy.log" | tr '\n' '|')" [ "$(sanitised "$T/e820_messy.log")" = "$MESSY_SANITISED" ]
ready e820_scrambled "crafted map with EDX, ESI, EBP and flags scrambled"
line e820_scrambled "7 entries from E820" "^memory: .*, 7 map entries from E820$"

# Item 20 on the retry path: a read that always fails must be tried exactly
# DISK_TRIES (stage 2) or S1_TRIES (stage 1) times, even when the failed read
# and the AH=00h reset between tries scramble the registers. The shim counts
# the resets. The loader names the LBA its failing read started at (KLBA).
stopped retry_s2_watch "permanent read error stops stage 2" "^BOOT ERROR: disk read failed at LBA $KLBA \(status 0Ch\)" 1
event retry_s2_watch "stage 2 reset the disk $((DISK_TRIES - 1)) times" R -eq $((DISK_TRIES - 1))
stopped retry_s2_scrambled "permanent read error stops stage 2 (scrambled resets)" \
	"^BOOT ERROR: disk read failed at LBA $KLBA \(status 0Ch\)" 1
event retry_s2_scrambled "stage 2 still gives up after $DISK_TRIES tries" R -eq $((DISK_TRIES - 1))
stopped retry_s1_watch "permanent read error stops stage 1" "^BOOT ERROR: stage 1: no stage 2 \(status 0Ch\)" 0
event retry_s1_watch "stage 1 reset the disk $((S1_TRIES - 1)) times" R -eq $((S1_TRIES - 1))
stopped retry_s1_scrambled "permanent read error stops stage 1 (scrambled resets)" \
	"^BOOT ERROR: stage 1: no stage 2 \(status 0Ch\)" 0
event retry_s1_scrambled "stage 1 still gives up after $S1_TRIES tries" R -eq $((S1_TRIES - 1))

# Issue 13: a BIOS that also returns DS, ES, FS, GS and ESP's upper half wrong,
# IF inverted and DF set from INT 10h, 13h and 15h, and whose INT 13h times out
# when called with interrupts off. Each stage must restore what it relies on.
# The shim marks every such answer 'w' after its 's' (INT 13h), 'v' (10h) or
# 'f' (15h); the stream starts with stage 1's INT 13h calls, then stage 2's
# first INT 10h: on the hard disk AH=41h and one AH=42h, with AH=41h refused
# (D) AH=08h and one AH=02h a sector, on the floppy the same without D.
S2_SECTORS=$(((S2_BYTES + SECTOR - 1) / SECTOR))
for spec in "wild_hdd control_hdd ^swxswvw" "wild_chs_hdd edd_denied ^Dswsw(rsw){$S2_SECTORS}vw" \
	"wild_fdd control_fdd ^swsw(rsw){$S2_SECTORS}vw"; do
	# shellcheck disable=SC2086
	set -- $spec
	ready "$1" "wild BIOS returns"
	same_line_bios "$1" "$2" "disk line as without the quirk ($2), INT 13h only (hooked)" '^disk: '
	lowered "$1" "${1##*_}"
	same_line_bios "$1" "$2" "the same kernel read, in as many INT 13h reads ($2's ATA reads)" '^kernel: KERNEL.BIN '
	same_line "$1" "$2" "the kernel got the same map ($2)" '^  usable RAM: '
	tap_check "$1: stage 1's calls and stage 2's first came back wild" "wanted /$3/, got $(head -c 60 "$T/$1.dbg")" \
		grep -qE "$3" "$T/$1.dbg"
	event_run "$1" "INT 10h answers came back wild" vw -ge 10
	event_run "$1" "INT 15h answers came back wild" fw -ge 3
	event "$1" "every call came in with interrupts on" i -eq 0
done
event_run wild_hdd "INT 13h answers came back wild (both stages)" sw -ge 4
stopped retry_s2_wild "permanent read error stops stage 2 (wild resets)" \
	"^BOOT ERROR: disk read failed at LBA $KLBA \(status 0Ch\) on drive 80h$" 1
event retry_s2_wild "stage 2 still gives up after $DISK_TRIES tries" R -eq $((DISK_TRIES - 1))
event_run retry_s2_wild "the resets came back wild" Rsw -eq $((DISK_TRIES - 1))
event retry_s2_wild "every call came in with interrupts on" i -eq 0
stopped retry_s1_wild "permanent read error stops stage 1 (wild resets)" \
	"^BOOT ERROR: stage 1: no stage 2 \(status 0Ch\)" 0
event retry_s1_wild "stage 1 still gives up after $S1_TRIES tries" R -eq $((S1_TRIES - 1))
event_run retry_s1_wild "the resets came back wild" Rsw -eq $((S1_TRIES - 1))
event retry_s1_wild "every call came in with interrupts on" i -eq 0

# Hooks that take more than their size (3 KiB more here) put INT 12h's top
# inside a page of its own below the EBDA's, with hook code in it: the kernel
# must keep that page from its allocator (kernel/memory.c), or its first
# allocations overwrite the hooks and its boot-time disk probe runs into them.
ready midpage_hdd "hooks in a page of their own below the EBDA's"
lowered midpage_hdd hdd 3
# reserved NAME: the kernel's count of kept page-0/loader/EBDA bytes
reserved() { sed -n 's/^  reserved: page 0, loader, EBDA *\([0-9]*\)$/\1/p' "$T/$1.log"; }
ebda=$((0x$(sed -n 's/^memory: .*EBDA at \([0-9A-F]*\)h.*/\1/p' "$T/control_hdd.log")))
kept=$(((ebda & ~4095) - (LOW * 1024 & ~4095)))
tap_check "midpage_hdd: the kernel keeps the pages from INT 12h's top down to the EBDA's ($kept bytes more)" \
	"reserved $(reserved midpage_hdd), control $(reserved control_hdd)" \
	[ "$(reserved midpage_hdd)" = "$(($(reserved control_hdd) + kept))" ]
tap_check "midpage_hdd: the new top is inside a page, not the EBDA's" "INT 12h $LOW KiB, EBDA at $ebda" \
	bash -c "[ $((LOW * 1024 % 4096)) -ne 0 ] && [ $kept -gt 0 ]"
line midpage_hdd "the kernel mounted its boot volume through the hooks" '^Boot volume: hd0p1, FAT16'
event_run midpage_hdd "the kernel's INT 13h calls went through the hooks" ksw -ge 3

# Issue 13: the hooks stay in the IVT after boot, so the kernel's own BIOS
# calls (its real-mode trampoline) meet the same wild BIOS. The test kernel
# runs its disk suite (every test file read through INT 13h and checked, the
# kernel's CPU state compared across BIOS calls) on the hard disk with EDD, the
# hard disk CHS-only (AH=41h refused to the kernel too) and the floppy. The
# shim marks each call from the trampoline's segment 'k' before the call's own
# events: "k", a read's x or r, then "sw" is a kernel INT 13h call that came
# back wild. The loader's calls carry no k.
# enough N CALLS: N is at least CALLS, which is at least 100 (the suite reads
# every file of the test tree: hundreds of calls)
enough() { [ -n "$2" ] && [ "$2" -ge 100 ] && [ "$1" -ge "$2" ]; }
# ktap_ok NAME: the suite passed: QEMU left with 33 (isa-debug-exit, "passed"),
# every case ok (SKIP allowed), no PANIC.
ktap_ok() {
	[ "$(status "$1")" = 33 ] && grep -q '^# vlsos-ktest: 1 suites passed, 0 failed' "$T/$1.log" &&
		! grep -q '^    not ok' "$T/$1.log" && ! grep -q PANIC "$T/$1.log"
}
for spec in "ktest_wild_hdd hdd hd0 EDD x" "ktest_wild_chs_hdd hdd hd0 CHS r" "ktest_wild_fdd fdd fd0 CHS r"; do
	# shellcheck disable=SC2086
	set -- $spec
	name=$1 disk=$3 mode=$4 read=$5
	tap_check "$name: the whole disk suite passes behind the wild BIOS" \
		"QEMU $(status "$name"); $(grep -E '^    not ok|^    # [^h]|PANIC|BOOT ERROR' "$T/$name.log" | head -4 | tr '\n' ' ')" \
		ktap_ok "$name"
	line "$name" "the kernel's state survived a wild BIOS call" '^    ok [0-9]+ bios_call_keeps_the_kernel_state$'
	line "$name" "the boot volume was mounted" "^Boot volume: $disk(p1, FAT16|, FAT12) \"VLSOS\", [0-9]+ sectors, mounted read-only$"
	line "$name" "the kernel reads $disk by $mode" "^  $disk +[0-9A-F]{2}h $mode[ ,].*[0-9]+ sectors .*, boot disk$"
	lowered "$name" "$2"
	# every read the kernel counted (its drive counter) came back wild, marked k
	calls=$(sed -n "s/^    # $disk: \([0-9]*\) calls, .*/\1/p" "$T/$name.log")
	tap_check "$name: the kernel's ${calls:-no} $mode reads all came back wild (k${read}sw)" \
		"$(runs "$name" "k${read}sw") k${read}sw" enough "$(runs "$name" "k${read}sw")" "$calls"
	tap_check "$name: every call from the kernel came back wild" \
		"$(events "$name" k) k, $(grep -oE 'k[^ksvfw]*[svf]w' "$T/$name.dbg" | wc -l) of them wild" \
		[ "$(events "$name" k)" -eq "$(grep -oE 'k[^ksvfw]*[svf]w' "$T/$name.dbg" | wc -l)" ]
	event "$name" "every call came in with interrupts on" i -eq 0
done
event_run ktest_wild_chs_hdd "the kernel was refused EDD too" kD -ge 1

tap_done
