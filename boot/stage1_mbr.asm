; stage1_mbr.asm: the MBR. Loads stage 2 from the sectors after the MBR and
; jumps to it with DL = boot drive, DH = DL as the BIOS passed it.
; Bytes 440..511 (disk signature, partition table, 55AA) are written by mkimage.

%include "layout.inc"
%include "stage1_entry.inc"

%define S1_STAGE2_LBA     HDD_STAGE2_LBA
%define S1_STAGE2_SECTORS HDD_STAGE2_SECTORS
%define BPB_HOLE_END      0x3E        ; where a FAT12/16 BPB would end

bits 16
org REGION_STAGE1_START

start:
	jmp short code
	nop
	; USB-FDD/ZIP emulation on some BIOSes writes BPB fields into whatever sector
	; it boots, MBRs included (Limine and FreeBSD keep this hole too): no code or
	; data of ours in bytes 03h-3Dh.
	times BPB_HOLE_END - ($ - $$) db 0
code:
	STAGE1_NORMALISE
	; PhoenixBIOS 4.0 R6 passes DL=0 for a hard disk: take 80h; stage 2 confirms
	; the disk by the signature mkimage wrote at offset 440.
	mov al, dl
	and al, 0xF0
	cmp al, 0x80
	je .drive_ok
	mov dl, 0x80
.drive_ok:
	; falls through into load_stage2 (stage1_common.inc)

%include "stage1_common.inc"

	times 440 - ($ - $$) db 0       ; code past 440 would be overwritten by the partition table
	times 510 - ($ - $$) db 0
	dw 0xAA55
