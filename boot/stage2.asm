; stage2.asm: the loader's second stage, in real mode. Probes the machine, loads
; KERNEL.BIN to 1 MiB, checks it, and enters protected mode with a pointer to
; the boot_info structure (include/boot_info.h). The memory it uses is the plan
; in disk.img.layout; mkimage checks that no two regions overlap.

%include "layout.inc"
%include "boot_info.inc"
%include "stage2_header.inc"
%include "stamp.inc"

%define BI             REGION_BOOT_INFO_START
%define SECTOR_BUF     REGION_SECTOR_BUF_START
%define SECTOR_BUF_SEG (SECTOR_BUF >> 4)
; The sector buffer's places. What they hold at the end is handed to the
; kernel (boot_info.kept), which takes those sectors instead of reading them.
%define FAT_CACHE      SECTOR_BUF              ; two FAT sectors: FAT12 entries straddle
%define DIR_BUF        (SECTOR_BUF + 0x400)    ; a root directory sector
%define MBR_BUF        (SECTOR_BUF + 0x600)    ; the boot drive's sector 0
%define VBR_BUF        (SECTOR_BUF + 0x800)    ; the volume's boot sector
%define SECTOR_BUF_END (SECTOR_BUF + 0xA00)
%if SECTOR_BUF_END > REGION_SECTOR_BUF_END
%error "the sector buffer's places do not fit its region"
%endif
%define BOUNCE         REGION_BOUNCE_START
%define BOUNCE_SEG     (BOUNCE >> 4)
%define STACK_FILL     0x5A5A         ; pattern that shows the stack's low-water mark
%define STACK_FILL_GAP 64             ; bytes below SP left alone while filling

%if BOUNCE & 0xFFFF
%error "the bounce buffer must start on a 64 KiB boundary (floppy DMA cannot cross one)"
%endif
%if REGION_BOUNCE_SIZE != 0x10000
%error "disk_read assumes a 64 KiB bounce buffer"
%endif
%if BOOT_INFO_SIZE > REGION_BOOT_INFO_SIZE
%error "struct boot_info does not fit its region"
%endif

bits 16
%ifdef ELF_SYMBOLS
; The same code as ELF with DWARF, for GDB in real mode (boot/stage2.ld links
; it at REGION_STAGE2_START; build.sh checks its bytes equal stage2.bin's).
section .text progbits alloc exec write align=16
%else
org REGION_STAGE2_START
%endif

stage2_start:
	jmp short main
%if ($ - stage2_start) != STAGE2_HDR_MAGIC
%error "stage 2's header does not match stage2_header.inc"
%endif
	dw STAGE2_MAGIC
	; The sectors this stage 2 occupies: stage 1 compares them, with the magic,
	; against the count it was assembled with and read (STAGE2_LOAD_SECTORS).
	dw (stage2_end - stage2_start + SECTOR_SIZE - 1) / SECTOR_SIZE

; IN (from stage 1) CS=DS=ES=SS=0, DL = drive, DH = DL from the BIOS.
main:
%ifdef ELF_SYMBOLS
global main
%endif
	xor ax, ax
	mov ds, ax
	mov es, ax
	movzx esp, sp                     ; 32-bit addressing through ESP needs a clean top half
	cld
	sti                               ; the state bios_int.inc keeps from here on
	mov [stage1_drives], dx
	call boot_info_init               ; first: the stamps live in boot_info
	call tsc_detect
	STAMP ENTRY
	call console_init
	call stack_fill
	mov si, msg_banner
	call putsln
	mov dx, [stage1_drives]
	call disk_init
	call report_disk
	STAMP DISK
	call probe_low_memory
	call memmap_probe
	call report_memory
	STAMP MEMORY
	call a20_enable
	call report_a20
	STAMP A20
	call fat_mount
	STAMP FAT
	call kernel_load                  ; stamps KERNEL_READ and KERNEL_UNPACKED on the way
	call report_kernel
	STAMP KERNEL_CHECKED
	call config_load
	call report_config
	STAMP CONFIG
	call ata_release
	call kept_record
	call stack_measure
	call cursor_record
	jmp pmode_enter

; boot_info_init: zeroes boot_info and stamps magic, version and size.
boot_info_init:
	mov di, BI
	mov cx, BOOT_INFO_SIZE
	xor al, al
	rep stosb
	mov dword [BI + BI_magic], BOOT_INFO_MAGIC
	mov word [BI + BI_version], BOOT_INFO_VERSION
	mov word [BI + BI_size], BOOT_INFO_SIZE
	ret

; stack_fill: writes STACK_FILL from the bottom of the boot stack to just below SP.
stack_fill:
	push cx
	push di
	mov di, REGION_BOOT_STACK_START
	mov cx, sp
	sub cx, STACK_FILL_GAP + REGION_BOOT_STACK_START
	shr cx, 1
	mov ax, STACK_FILL
	rep stosw
	pop di
	pop cx
	ret

; stack_measure: boot_info.stack_low_water = lowest stack word that changed.
stack_measure:
	mov si, REGION_BOOT_STACK_START
.scan:
	cmp word [si], STACK_FILL
	jne .found
	add si, 2
	jmp .scan
.found:
	movzx esi, si
	mov [BI + BI_stack_low_water], esi
	ret

; kept_record: boot_info.kept: the sectors still in the sector buffer, each with
; its place: sector 0, the volume's boot sector, the directory sector and the
; two FAT sectors fat.inc holds (when it read them).
kept_record:
	mov di, BI + BI_kept
	xor eax, eax
	mov ebx, MBR_BUF
	call .one
	mov eax, [volume_lba]
	mov ebx, VBR_BUF
	call .one
	mov eax, [fat_dir_cached]
	mov ebx, DIR_BUF
	call .one
	mov eax, [fat_cached]
	mov ebx, FAT_CACHE
	call .one
	inc eax                           ; -1 stays -1: none
	jz .done
	add ebx, SECTOR_SIZE
.one:
	cmp eax, -1
	je .done
	mov [di + KEPT_lba], eax
	mov [di + KEPT_addr], ebx
	add di, KEPT_SIZE
	inc dword [BI + BI_kept_count]
.done:
	ret

; cursor_record: where the BIOS's text cursor is (INT 10h AH=03h, page 0).
cursor_record:
	mov ah, 0x03
	xor bh, bh
	call bios_int10
	mov [BI + BI_cursor_row], dh
	mov [BI + BI_cursor_col], dl
	ret

; report_*: one line each on screen and COM1, so a failed boot shows how far it got.
report_disk:
	mov si, msg_disk
	call puts
	movzx eax, byte [BI + BI_boot_drive]
	mov cl, 2
	call put_hex
	mov si, msg_disk_bios
	call puts
	movzx eax, byte [BI + BI_bios_drive]
	call put_hex
	mov si, msg_disk_edd
	cmp byte [disk_use_edd], 0
	jne .method
	mov si, msg_disk_chs
.method:
	call puts
	cmp word [ata_base], 0
	je newline
	mov si, msg_disk_ata              ; "; ATA PIO 1F0h master, blocks of 16": 80 columns
	call puts
	movzx eax, word [ata_base]
	mov cl, 3
	call put_hex
	mov si, msg_disk_master
	cmp byte [BI + BI_ata_slave], 0
	je .which
	mov si, msg_disk_slave
.which:
	call puts
	movzx eax, byte [ata_block]
	call put_dec
	jmp newline

report_memory:
	mov si, msg_mem
	call puts
	movzx eax, word [BI + BI_conv_kib]
	call put_dec
	mov si, msg_mem_ebda
	call puts
	mov eax, [BI + BI_ebda_base]
	mov cl, 5
	call put_hex
	mov si, msg_mem_map
	call puts
	movzx eax, word [BI + BI_e820_count]
	call put_dec
	mov si, msg_mem_e820
	cmp byte [BI + BI_mem_source], MEM_FROM_E820
	je .source
	mov si, msg_mem_e801
	cmp byte [BI + BI_mem_source], MEM_FROM_E801
	je .source
	mov si, msg_mem_88
.source:
	jmp putsln

report_a20:
	mov si, msg_a20
	call puts
	movzx bx, byte [BI + BI_a20_method]
	shl bx, 1
	mov si, [a20_names + bx - 2]
	jmp putsln

report_kernel:
	mov si, msg_kernel
	call puts
	mov eax, [kernel_file_size]
	call put_dec
	mov si, msg_kernel_reads
	call puts
	mov eax, [BI + BI_kernel_read_calls]
	call put_dec
	mov si, msg_kernel_calls
	cmp word [ata_base], 0
	je .calls
	mov si, msg_kernel_ata_calls
.calls:
	call puts
	cmp byte [kernel_packed], 0
	je .crc
	mov eax, [BI + BI_kernel_size]
	mov si, msg_kernel_unpacked
	call puts
	call put_dec
	mov si, msg_kernel_bytes
	call puts
.crc:
	mov si, msg_kernel_crc
	call puts
	mov eax, [kernel_crc]
	mov cl, 8
	call put_hex
	mov si, msg_kernel_ok
	jmp putsln

report_config:
	mov si, msg_cmdline
	call puts
	mov si, BI + BI_cmdline
	call puts
	mov al, '"'
	call putc
	jmp newline

%include "bios_int.inc"
%include "console.inc"
%include "disk.inc"
%include "ata.inc"
%include "bios_probe.inc"
%include "memmap.inc"
%include "a20.inc"
%include "fat.inc"
%include "kernel_check.inc"
%include "tsc.inc"
%include "config.inc"
%include "pmode.inc"

stage1_drives    dw 0                 ; DL, DH as stage 1 handed them over
msg_banner       db "VlsOs loader: stage 2", 0
msg_disk         db "disk: drive ", 0
msg_disk_bios    db "h (BIOS DL ", 0
msg_disk_edd     db "h), EDD reads", 0
msg_disk_chs     db "h), CHS reads", 0
msg_disk_ata     db "; ATA PIO ", 0
msg_disk_master  db "h master, blocks of ", 0
msg_disk_slave   db "h slave, blocks of ", 0
msg_mem          db "memory: INT 12h ", 0
msg_mem_ebda     db " KiB, EBDA at ", 0
msg_mem_map      db "h, ", 0
msg_mem_e820     db " map entries from E820", 0
msg_mem_e801     db " map entries from E801", 0
msg_mem_88       db " map entries from INT 15h AH=88h", 0
msg_a20          db "A20: ", 0
msg_a20_on       db "already on", 0
msg_a20_bios     db "on via INT 15h AX=2401h", 0
msg_a20_kbc      db "on via the keyboard controller", 0
msg_a20_fast     db "on via port 92h", 0
a20_names        dw msg_a20_on, msg_a20_bios, msg_a20_kbc, msg_a20_fast
msg_kernel       db "kernel: KERNEL.BIN ", 0
msg_kernel_reads db " bytes in ", 0
msg_kernel_calls db " INT 13h reads", 0
msg_kernel_ata_calls db " ATA reads", 0
msg_kernel_unpacked db ", unpacked to ", 0
msg_kernel_bytes db " bytes", 0
msg_kernel_crc   db ", CRC-32 ", 0
msg_kernel_ok    db "h ok", 0
msg_cmdline      db 'command line: "', 0

stage2_end:
%if (stage2_end - stage2_start) > HDD_STAGE2_SECTORS * 512 || (stage2_end - stage2_start) > FDD_STAGE2_SECTORS * 512
%error "stage 2 outgrew its sectors in disk.img.layout"
%endif
