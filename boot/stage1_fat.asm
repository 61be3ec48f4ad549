; stage1_fat.asm: the floppy's FAT12 volume boot sector. Keeps the BPB that
; mformat wrote (bytes 03h-3Dh stay ours to leave alone: USB-FDD emulation may
; patch them), loads stage 2 from the reserved sectors behind it and jumps to it
; with DL = boot drive, DH = DL as the BIOS passed it.

%include "layout.inc"
%include "stage1_entry.inc"

%define S1_STAGE2_LBA     FDD_STAGE2_LBA
%define S1_STAGE2_SECTORS FDD_STAGE2_SECTORS
%define BPB_END           0x3E        ; FAT12/16 extended BPB ends here

bits 16
org REGION_STAGE1_START

start:
	jmp short code
	nop
	times BPB_END - ($ - $$) db 0   ; mkimage keeps mformat's BPB here; nothing of ours
code:
	STAGE1_NORMALISE                ; whatever DL says, stage 2 finds the disk by its signature
	; falls through into load_stage2 (stage1_common.inc)

%include "stage1_common.inc"

	times 510 - ($ - $$) db 0
	dw 0xAA55
