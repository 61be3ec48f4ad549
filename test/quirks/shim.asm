; shim.asm: TEST-ONLY "quirk shim" boot sector. It stands in front of VlsOs's
; unmodified stage 1 and plays a misbehaving BIOS, because QEMU's SeaBIOS is
; well-behaved (docs/loader.md lists the quirks the loader handles).
;
; Build:  nasm -f bin -DPAYLOAD_LBA=n -DKERNEL_CALL_SEG=s [-DSHIM_FDD] shim.asm -o shim.bin
;   shim.bin = 1 boot sector + PAYLOAD_SECTORS payload sectors (setup, hooks, maps);
;   its last word is RESIDENT_KIB, the KiB the hooks take (memory use below).
;   KERNEL_CALL_SEG: the real-mode segment of VlsOs's kernel BIOS-call trampoline
;   (disk.img.layout's bios_call region start / 16); calls from it are marked.
; Disk layout the test (test/quirks/mkquirk.py) makes from a copy of an image:
;   LBA 0                      this boot sector. Hard disk: bytes 0..439 only; the
;                              MBR's 440..511 (disk signature, partition table,
;                              55AA) stay. Floppy: bytes 0..2 and 3Eh..511; the
;                              BPB in 03h..3Dh stays.
;   LBA PAYLOAD_LBA ..+5       the payload (loaded to 0000:6000): the setup code
;                              (SETUP_BYTES), then the resident part
;   LBA PAYLOAD_LBA+6          the image's real stage-1 sector (loaded to 0000:7C00)
;
; Boot: the BIOS loads this sector to 0000:7C00; it moves itself to 0000:0600,
; reads the payload and the real stage 1, and runs the setup code, which
; installs the hooks the config asks for (each keeps the old vector and chains
; to it), patches the in-memory boot sector if asked, and enters stage 1 the
; way the config says.
;
; Memory use. Until stage 1 is entered: 0600h-07FFh (the boot sector),
; 6000h-6BFFh (the payload) and a stack below 7C00h, none of it used after
; that. The hooks stay installed for the whole life of the system (VlsOs's
; kernel calls the BIOS too, through them), so they live where a resident
; INT 13h hook does (MEMDISK, boot managers, option ROM hooks): the setup code
; lowers the BIOS data area's conventional memory size (word 0040:0013, what
; INT 12h returns) by RESIDENT_KIB, the resident part's size in whole KiB
; (plus the config's take), and copies the resident part (the hooks, the
; masks, the E820 maps, the config block, the old vectors, their counters) to
; the start of the memory it took, just below the old top and so below the
; EBDA, which stays where it is. The hooks run there with CS = that segment
; and offsets from 0. A plain chain-loader (no hook in the config) takes
; nothing. COM1 says where the hooks went and what INT 12h says before and
; after; a top that would fall below 512 KiB (disk.img.layout's ebda_floor:
; VlsOs keeps nothing of its own from there up) stops the shim with a message.
;
; Output: one "quirk shim: ..." line per step on COM1 (port 3F8h), and one
; event character per injected misbehaviour on QEMU's debug console (port E9h,
; `-debugcon file:...`):
;   D  INT 13h AH=41h answered "no extensions" (CF=1, AH=01h)
;   c  INT 13h AH=41h answered without CX bit 0
;   l  INT 13h AH=41h returned with DL clobbered (00h)
;   g  INT 13h AH=08h answered with 0 sectors per track
;   R  INT 13h AH=00h (reset) seen        r  AH=02h seen     x  AH=42h seen
;   s  an INT 13h answer was scrambled    v  INT 10h scrambled  f  INT 15h scrambled
;   e  an E820 call served from a crafted map
;   !  that answer had EAX != 'SMAP'      C  answered CF=1 past the end
;   z  answered a zero-length entry with EBX != 0 past the end
;   w  a scrambled answer also came back with junk segment registers, ESP's
;      upper half, IF inverted and DF set (wild bit0; follows its s, v or f)
;   i  a call came in with IF=0 (wild bit1; an INT 13h one is refused)
;   k  the call came from VlsOs's kernel: the caller's CS (on the hook's stack)
;      is KERNEL_CALL_SEG, the segment its BIOS-call trampoline runs in. It
;      comes first, before the call's other events (so "ksw" is a kernel
;      INT 13h call the shim scrambled wild).
;
; CONFIG BLOCK: 16 bytes at offset CFG_OFF (1A0h) of the boot sector, the same
; offset for the hard-disk and the floppy build. All zero but the magic = no
; quirks (a plain chain-loader: the control case).
;   +0  dw 'QK'    magic, checked by the patcher
;   +2  db entry   bit0 enter at 07C0:0000 (else 0000:7C00)
;                  bit1 junk in EAX, EBX, ECX, ESI, EDI, EBP, EDX's upper 24
;                       bits, DS, ES, FS, GS, and DF set
;   +3  db dl_mode 0 = hand over the BIOS's DL; 1 = hand over byte +4
;   +4  db dl
;   +5  db int13   bit0 AH=41h fails: CF=1, AH=01h
;                  bit1 AH=41h succeeds (BX=AA55h) but without CX bit 0
;                  bit2 AH=41h returns with DL = 00h
;                  bit3 AH=08h reports 0 sectors per track (CL bits 0-5 = 0)
;                  bit4 scramble every register that is not a documented result
;                       (AH=00h/02h/08h/41h/42h; upper halves for the rest) and
;                       OF/SF/ZF/AF/PF
;                  bit5 hook only to report events (R, r, x): no misbehaviour
;   +6  db spt0_skip AH=08h calls answered truthfully before bit3 applies
;   +7  db int10   bit0 scramble non-results (AH=0Eh: all; AH=03h: all but CX, DX)
;   +8  db int15   bit0 scramble non-results of E820h/E801h/88h/24xxh
;   +9  db e820_map 0 = the BIOS's own; 1 = split (7 entries), 2 = messy
;                  (11: unsorted, overlapping, 2 zero-length, one above 4 GiB),
;                  3 = attr (8: map 1 plus 64-128 MiB usable with ACPI 3.0
;                  attribute bit 0 clear)
;   +10 db e820_mode bit0 answer 20 bytes even when asked for 24
;                  bit1 past the last entry EBX stays non-zero; the next call
;                       fails with CF=1, AH=86h
;                  bit2 EBX never returns to 0: past the end, zero-length
;                       entries forever
;                  bit3 the call numbered e820_bad_at (0 = first) returns EAX=0
;   +11 db e820_bad_at
;   +12 db bpb     bit0 write USB-FDD style values into the in-memory boot
;                  sector's BPB before the jump: sectors/track (18h) = 63,
;                  heads (1Ah) = 255, hidden sectors (1Ch) = 63, drive (24h) = 80h
;   +13 db int13_arm  INT 13h calls passed through untouched before the int13
;                  quirks start (so that stage 2's code can be reached past a
;                  stage 1 that the same quirk stops)
;   +14 db wild    bit0 every answer the bits above scramble also returns with
;                       DS=F000h, ES=1234h, FS=C0DEh, GS=DEADh (DS and the
;                       others point into ROM or at the bounce buffer: wrong,
;                       but nothing the shim lives in), junk in ESP's upper
;                       half (SP kept), IF inverted and DF set. ESI, EDI, EBP
;                       and the upper halves are junk already (the masks).
;                  bit1 a BIOS whose services wait for their IRQ: a scrambled
;                       call entered with IF=0 is reported, and an INT 13h one
;                       is refused (CF=1, AH=80h: timeout) without the BIOS
;   +15 db take    KiB the hooks take beyond their own size, as a hook with a
;                  bigger block (a RAM disk's) does: INT 12h's new top can then
;                  fall inside a 4 KiB page that holds hook code

%ifndef PAYLOAD_LBA
%error "define PAYLOAD_LBA (first of the payload sectors; real stage 1 follows them)"
%endif
%ifndef KERNEL_CALL_SEG
%error "define KERNEL_CALL_SEG (the segment of VlsOs's kernel BIOS-call trampoline)"
%endif

%define PAYLOAD_SECTORS 6
%define STAGE1_LBA      (PAYLOAD_LBA + PAYLOAD_SECTORS)
%define SHIM_BASE       0x0600
%define PAYLOAD_BASE    0x6000
%define SETUP_BYTES     0x400         ; the payload's first part; the resident part follows
%define RESIDENT_LOAD   (PAYLOAD_BASE + SETUP_BYTES)
%define RESIDENT_BYTES  (resident_end - resident_start)
%define RESIDENT_KIB    ((RESIDENT_BYTES + 1023) >> 10)
%define RESIDENT_FLOOR_KIB 512        ; disk.img.layout's ebda_floor: see "Memory use"
%define BDA_CONV_KIB    0x413         ; 0040:0013: conventional memory in KiB (INT 12h)
%define BOOT_ADDR       0x7C00
%define CFG_OFF         0x1A0
%define BOOT_CFG        (SHIM_BASE + CFG_OFF) ; the block as mkquirk.py wrote it
%define CFG_SIZE        16            ; the CFG_* below are offsets in it
%define COM1            0x3F8
%define DEBUGCON        0xE9

%define CFG_ENTRY       2
%define   ENTRY_07C0    0x01
%define   ENTRY_JUNK    0x02
%define CFG_DL_MODE     3
%define CFG_DL          4
%define CFG_I13         5
%define   I13_DENY      0x01
%define   I13_NO_CX0    0x02
%define   I13_CLOBBER_DL 0x04
%define   I13_SPT0      0x08
%define   I13_SCRAMBLE  0x10
%define CFG_SPT0_SKIP   6
%define CFG_I10         7
%define CFG_I15         8
%define CFG_E820_MAP    9
%define CFG_E820_MODE   10
%define   E820_ANS20    0x01
%define   E820_CF_END   0x02
%define   E820_NEVER0   0x04
%define   E820_BAD_SMAP 0x08
%define CFG_E820_BAD_AT 11
%define E820_MAPS       3             ; e820_maps below
%define CFG_BPB         12
%define CFG_I13_ARM     13
%define CFG_WILD        14
%define   WILD_RETURN   0x01
%define   WILD_NEED_IF  0x02
%define CFG_TAKE        15

%define SMAP            0x534D4150

; the frame every hook builds: result FLAGS word, then PUSHAD
%define F_EDI           0
%define F_ESI           4
%define F_EBP           8
%define F_EBX           16
%define F_EDX           20
%define F_ECX           24
%define F_EAX           28
%define F_FLAGS         32            ; flags as the BIOS (or the quirk) left them
%define F_CALLER_FLAGS  38            ; above IP and CS: what IRET restores
%define FL_CF           0x0001
%define FL_JUNK         0x08D4        ; OF, SF, ZF, AF, PF
%define FL_IF           0x0200
%define FL_DF           0x0400
%define WILD_DS         0xF000        ; the wild bit's segment registers
%define WILD_ES         0x1234
%define WILD_FS         0xC0DE
%define WILD_GS         0xDEAD
%define STATUS_TIMEOUT  0x80          ; INT 13h: the drive did not answer

bits 16

; ===========================================================================
; Sector 0: the boot sector (runs at 7C00h, then at 0600h)
; ===========================================================================
section boot start=0 vstart=SHIM_BASE

boot_start:
%ifdef SHIM_FDD
	jmp short boot_code
	nop
	times 0x3E - ($ - $$) db 0        ; the floppy's BPB stays here
%endif
boot_code:
	; position-independent until the far jump: CS may be 0 or 07C0h
	cli
	xor ax, ax
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov sp, BOOT_ADDR
	cld
	mov si, BOOT_ADDR
	mov di, SHIM_BASE
	mov cx, 256
	rep movsw
	jmp 0:relocated
relocated:
	sti
	mov [boot_dl], dl
%ifdef SHIM_FDD
	; 1.44 MB geometry: 18 sectors per track, 2 heads
	mov bx, PAYLOAD_BASE
	mov ax, 0x0200 | PAYLOAD_SECTORS
	mov cx, ((PAYLOAD_LBA / 36) << 8) | (PAYLOAD_LBA % 18 + 1)
	mov dh, (PAYLOAD_LBA / 18) % 2
	call read_chs
	mov bx, BOOT_ADDR
	mov ax, 0x0201
	mov cx, ((STAGE1_LBA / 36) << 8) | (STAGE1_LBA % 18 + 1)
	mov dh, (STAGE1_LBA / 18) % 2
	call read_chs
%else
	mov si, dap_payload
	call read_edd
	mov si, dap_stage1
	call read_edd
%endif
	mov ax, payload_entry
	jmp ax

%ifdef SHIM_FDD
%if (PAYLOAD_LBA % 18) + PAYLOAD_SECTORS > 18
%error "the payload must sit in one floppy track"
%endif
; read_chs: IN AX, CX, DH, BX as for AH=02h. Three tries, reset between.
read_chs:
	mov di, 3
.try:
	pusha
	mov dl, [boot_dl]
	stc
	int 0x13
	popa
	jnc .ok
	pusha
	xor ax, ax
	mov dl, [boot_dl]
	int 0x13
	popa
	dec di
	jnz .try
	jmp read_failed
.ok:
	ret
%else
; read_edd: IN SI = disk address packet.
read_edd:
	mov ah, 0x42
	mov dl, [boot_dl]
	stc
	int 0x13
	jc read_failed
	ret
%endif

read_failed:
	mov si, msg_read_failed
	mov dx, COM1
.next:
	lodsb
	test al, al
	jz .halt
	out dx, al
	jmp .next
.halt:
	cli
	hlt
	jmp .halt

msg_read_failed db "quirk shim: cannot read the payload or stage 1", 13, 10, 0
boot_dl db 0

%ifndef SHIM_FDD
align 4
dap_payload:
	db 16, 0
	dw PAYLOAD_SECTORS
	dw PAYLOAD_BASE, 0
	dd PAYLOAD_LBA, 0
dap_stage1:
	db 16, 0
	dw 1
	dw BOOT_ADDR, 0
	dd STAGE1_LBA, 0
%endif

%if ($ - $$) > CFG_OFF
%error "boot sector code runs into the config block"
%endif
	times CFG_OFF - ($ - $$) db 0
config:
	db "QK"
	times 14 db 0
%if ($ - $$) > 440
%error "config block overlaps the MBR disk signature"
%endif
	times 510 - ($ - $$) db 0
	dw 0xAA55

; ===========================================================================
; Sectors 1..6, first part: the setup code at 0000:6000, run once before
; stage 1 and never again.
; ===========================================================================
section setup start=512 vstart=PAYLOAD_BASE

payload_entry:
	mov si, msg_config
	call com_puts
	mov si, BOOT_CFG
	mov cx, CFG_SIZE
.cfg:
	mov al, ' '
	call com_putc
	lodsb
	call com_hex
	loop .cfg
	call com_crlf

	mov al, [BOOT_CFG + CFG_I13]
	or al, [BOOT_CFG + CFG_I10]
	or al, [BOOT_CFG + CFG_I15]
	or al, [BOOT_CFG + CFG_E820_MAP]
	jz .hooks_done                    ; a plain chain-loader keeps nothing
	call go_resident
	mov al, [BOOT_CFG + CFG_SPT0_SKIP]
	mov [es:spt0_left], al
	mov al, [BOOT_CFG + CFG_I13_ARM]
	mov [es:i13_wait], al
	cli
	cmp byte [BOOT_CFG + CFG_I13], 0
	je .no13
	mov eax, [0x13 * 4]
	mov [es:old13], eax
	mov word [0x13 * 4], hook13
	mov [0x13 * 4 + 2], es
	mov si, msg_hook13
	call com_puts
.no13:
	cmp byte [BOOT_CFG + CFG_I10], 0
	je .no10
	mov eax, [0x10 * 4]
	mov [es:old10], eax
	mov word [0x10 * 4], hook10
	mov [0x10 * 4 + 2], es
	mov si, msg_hook10
	call com_puts
.no10:
	mov al, [BOOT_CFG + CFG_I15]
	or al, [BOOT_CFG + CFG_E820_MAP]
	jz .no15
	mov eax, [0x15 * 4]
	mov [es:old15], eax
	mov word [0x15 * 4], hook15
	mov [0x15 * 4 + 2], es
	mov si, msg_hook15
	call com_puts
.no15:
	sti
.hooks_done:

	test byte [BOOT_CFG + CFG_BPB], 1
	jz .bpb_kept
	mov word [BOOT_ADDR + 0x18], 63
	mov word [BOOT_ADDR + 0x1A], 255
	mov dword [BOOT_ADDR + 0x1C], 63
	mov byte [BOOT_ADDR + 0x24], 0x80
	mov si, msg_bpb
	call com_puts
.bpb_kept:

	mov dl, [boot_dl]
	cmp byte [BOOT_CFG + CFG_DL_MODE], 0
	je .dl_chosen
	mov dl, [BOOT_CFG + CFG_DL]
.dl_chosen:
	mov [entry_dl], dl
	mov si, msg_jump
	call com_puts
	test byte [BOOT_CFG + CFG_ENTRY], ENTRY_07C0
	jnz .far07c0
	mov si, msg_0000
	push word 0
	push word BOOT_ADDR
	jmp .say
.far07c0:
	mov si, msg_07c0
	push word BOOT_ADDR >> 4
	push word 0
.say:
	call com_puts
	mov si, msg_dl
	call com_puts
	mov al, [entry_dl]
	call com_hex
	mov si, msg_dl_end
	call com_puts
	test byte [BOOT_CFG + CFG_ENTRY], ENTRY_JUNK
	jz .clean
	mov si, msg_junk
	call com_puts
	call com_crlf
	mov edx, 0xD0D0D000
	mov dl, [entry_dl]
	mov eax, 0x9F00
	mov fs, ax
	mov ax, 0x1234
	mov gs, ax
	mov ax, 0xF000
	mov es, ax
	mov eax, 0xA5A5A5A5
	mov ebx, 0xB00BB00B
	mov ecx, 0xC0DEC0DE
	mov esi, 0x51515151
	mov edi, 0xD1D1D1D1
	mov ebp, 0xBEBEBEBE
	mov ds, cx                        ; DS = C0DEh; nothing read through it from here
	std
	sti
	retf
.clean:
	call com_crlf
	mov dl, [entry_dl]
	sti
	retf

; go_resident: takes RESIDENT_KIB (and the config's take) from the top of
; conventional memory and copies the resident part to the start of what it
; took, with the config block (memory use: the header). OUT ES = the resident part's segment. CLOBBERS AX, CX, SI, DI.
go_resident:
	mov ax, [BDA_CONV_KIB]
	mov [conv_before], ax
	movzx cx, byte [BOOT_CFG + CFG_TAKE]
	add cx, RESIDENT_KIB
	sub ax, cx
	jc .too_low
	cmp ax, RESIDENT_FLOOR_KIB
	jb .too_low
	mov [BDA_CONV_KIB], ax
	shl ax, 10 - 4                    ; KiB to paragraphs
	mov es, ax
	cld
	mov si, RESIDENT_LOAD
	xor di, di
	mov cx, RESIDENT_BYTES
	rep movsb
	mov si, BOOT_CFG
	mov di, cfg
	mov cx, CFG_SIZE
	rep movsb
	mov si, msg_resident
	call com_puts
	mov ax, es
	xchg al, ah
	call com_hex
	xchg al, ah
	call com_hex
	mov si, msg_int12
	call com_puts
	mov ax, [conv_before]
	call com_dec
	mov si, msg_arrow
	call com_puts
	mov ax, [BDA_CONV_KIB]
	call com_dec
	mov si, msg_kib
	call com_puts
	ret
.too_low:
	mov si, msg_too_low
	call com_puts
.halt:
	cli
	hlt
	jmp .halt

; ---------------------------------------------------------------------------
; COM1 output (before the loader takes the UART over)
; ---------------------------------------------------------------------------
com_puts:
	lodsb
	test al, al
	jz .done
	call com_putc
	jmp com_puts
.done:
	ret

com_crlf:
	mov al, 13
	call com_putc
	mov al, 10
com_putc:
	push cx
	push dx
	push ax
	mov dx, COM1 + 5
	mov cx, 0x8000
.wait:
	in al, dx
	test al, 0x20
	loopz .wait
	pop ax
	mov dx, COM1
	out dx, al
	pop dx
	pop cx
	ret

com_hex:
	push ax
	shr al, 4
	call .digit
	pop ax
.digit:
	push ax
	and al, 0x0F
	add al, '0'
	cmp al, '9'
	jbe .out
	add al, 'A' - '9' - 1
.out:
	call com_putc
	pop ax
	ret

; com_dec: AX in decimal. CLOBBERS AX.
com_dec:
	push bx
	push dx
	mov bx, 10
	xor dx, dx
	div bx
	test ax, ax
	jz .last
	call com_dec                      ; the digits before this one
.last:
	mov al, dl
	add al, '0'
	call com_putc
	pop dx
	pop bx
	ret

msg_config  db "quirk shim: config", 0
msg_hook13  db "quirk shim: INT 13h hooked", 13, 10, 0
msg_hook10  db "quirk shim: INT 10h hooked", 13, 10, 0
msg_hook15  db "quirk shim: INT 15h hooked", 13, 10, 0
msg_bpb     db "quirk shim: BPB in the loaded boot sector overwritten (spt 63, heads 255, hidden 63, drive 80h)", 13, 10, 0
msg_jump    db "quirk shim: entering stage 1 at ", 0
msg_0000    db "0000:7C00", 0
msg_07c0    db "07C0:0000", 0
msg_dl      db " with DL=", 0
msg_dl_end  db "h", 0
msg_junk    db ", junk in the other registers", 0
msg_resident db "quirk shim: hooks resident at ", 0
msg_int12   db ":0000, INT 12h ", 0
msg_arrow   db " -> ", 0
msg_kib     db " KiB", 13, 10, 0
msg_too_low db "quirk shim: no room for the hooks below the top of conventional memory", 13, 10, 0

conv_before dw 0
entry_dl    db 0

%if ($ - $$) > SETUP_BYTES
%error "the setup code outgrew SETUP_BYTES"
%endif
	times SETUP_BYTES - ($ - $$) db 0

; ===========================================================================
; Sectors 1..6, second part: the resident part, loaded right after the setup
; code and copied from there to the top of conventional memory (go_resident).
; Its offsets start at 0: the hooks run with CS = its segment, reach their
; data through CS and leave DS alone.
; ===========================================================================
section resident start=512+SETUP_BYTES vstart=0
resident_start:

; ---------------------------------------------------------------------------
; INT 13h hook
; ---------------------------------------------------------------------------
hook13:
	call caller_mark
	cmp byte [cs:i13_wait], 0
	je .armed
	dec byte [cs:i13_wait]
	jmp far [cs:old13]                ; not yet: the BIOS answers alone
.armed:
	mov [cs:h13_fn], ah
	mov [cs:h13_dl], dl
	test byte [cs:cfg + CFG_WILD], WILD_NEED_IF
	jz .if_any
	push bp
	mov bp, sp
	test byte [bp + 7], FL_IF >> 8    ; the caller's FLAGS, above BP, IP and CS
	pop bp
	jnz .if_any
	sub sp, 2                         ; the IRQ this BIOS would wait for never comes
	pushad
	mov bp, sp
	mov word [bp + F_FLAGS], FL_CF
	mov byte [bp + F_EAX + 1], STATUS_TIMEOUT
	mov al, 'i'
	call emit
	jmp .post
.if_any:
	cmp ah, 0x41
	jne .chain
	test byte [cs:cfg + CFG_I13], I13_DENY
	jz .chain
	sub sp, 2                         ; result flags slot
	pushad
	mov bp, sp
	mov word [bp + F_FLAGS], FL_CF
	mov byte [bp + F_EAX + 1], 0x01   ; AH = 01h: invalid function
	mov al, 'D'
	call emit
	jmp .post
.chain:
	pushf
	call far [cs:old13]
	pushf
	pushad
	mov bp, sp
.post:
	cld
	mov al, [cs:h13_fn]
	cmp al, 0x41
	je .f41
	cmp al, 0x08
	je .f08
	mov si, mask13_00
	mov ah, 'R'
	cmp al, 0x00
	je .seen
	mov si, mask13_02
	mov ah, 'r'
	cmp al, 0x02
	je .seen
	mov si, mask13_42
	mov ah, 'x'
	cmp al, 0x42
	je .seen
	mov si, mask_high
	jmp .scramble
.seen:
	mov al, ah
	call emit
	jmp .scramble
.f41:
	test byte [cs:cfg + CFG_I13], I13_NO_CX0
	jz .f41_dl
	test byte [bp + F_FLAGS], FL_CF
	jnz .f41_dl
	and byte [bp + F_ECX], 0xFE
	mov al, 'c'
	call emit
.f41_dl:
	test byte [cs:cfg + CFG_I13], I13_CLOBBER_DL
	jz .f41_done
	mov byte [bp + F_EDX], 0x00
	mov al, 'l'
	call emit
.f41_done:
	mov si, mask13_41
	jmp .scramble
.f08:
	test byte [cs:cfg + CFG_I13], I13_SPT0
	jz .f08_mask
	cmp byte [cs:spt0_left], 0
	je .f08_zero
	dec byte [cs:spt0_left]
	jmp .f08_mask
.f08_zero:
	and byte [bp + F_ECX], 0xC0       ; CL bits 0-5: sectors per track
	mov al, 'g'
	call emit
.f08_mask:
	mov si, mask13_08hd
	test byte [cs:h13_dl], 0x80
	jnz .scramble
	mov si, mask13_08fd
.scramble:
	test byte [cs:cfg + CFG_I13], I13_SCRAMBLE
	jz .plain
	mov al, 's'
	call emit
	jmp hook_done
.plain:
	xor si, si
	jmp hook_done

; ---------------------------------------------------------------------------
; INT 10h hook (installed only to scramble)
; ---------------------------------------------------------------------------
hook10:
	call caller_mark
	mov [cs:h10_fn], ah
	pushf
	call far [cs:old10]
	pushf
	pushad
	mov bp, sp
	cld
	mov al, [cs:h10_fn]
	mov si, mask10_0e
	cmp al, 0x0E
	je .go
	mov si, mask10_03
	cmp al, 0x03
	je .go
	mov si, mask_high
.go:
	call if_seen
	mov al, 'v'
	call emit
	jmp hook_done

; ---------------------------------------------------------------------------
; INT 15h hook: crafted E820 maps and/or scrambling
; ---------------------------------------------------------------------------
hook15:
	call caller_mark
	mov [cs:h15_fn], ax
	cmp eax, 0xE820
	jne .chain
	cmp byte [cs:cfg + CFG_E820_MAP], 0
	je .chain
	sub sp, 2
	pushad
	mov bp, sp
	cld
	call e820_serve
	jmp .post
.chain:
	pushf
	call far [cs:old15]
	pushf
	pushad
	mov bp, sp
	cld
.post:
	xor si, si
	test byte [cs:cfg + CFG_I15], 1
	jz hook_done
	mov ax, [cs:h15_fn]
	mov si, mask15_e820
	cmp ax, 0xE820
	je .go
	mov si, mask15_e801
	cmp ax, 0xE801
	je .go
	mov si, mask15_88
	cmp ah, 0x88
	je .go
	mov si, mask15_24
	cmp ah, 0x24
	je .go
	xor si, si                        ; the BIOS's own calls (4Fh, 90h, ...) pass untouched
	jmp hook_done
.go:
	call if_seen
	mov al, 'f'
	call emit
	jmp hook_done

; e820_serve: IN frame (EBX continuation, ECX size asked, DI buffer), ES.
; OUT frame EAX, EBX, ECX, FLAGS; the entry at ES:DI.
e820_serve:
	mov al, 'e'
	call emit
	mov word [bp + F_FLAGS], 0
	mov dword [bp + F_EAX], SMAP
	movzx bx, byte [cs:cfg + CFG_E820_MAP]
	dec bx
	cmp bx, E820_MAPS
	jae .fail
	shl bx, 1
	mov si, [cs:e820_maps + bx]
	test byte [cs:cfg + CFG_E820_MODE], E820_BAD_SMAP
	jz .smap_ok
	mov al, [cs:e820_calls]
	cmp al, [cs:cfg + CFG_E820_BAD_AT]
	jne .smap_ok
	mov dword [bp + F_EAX], 0
	mov al, '!'
	call emit
.smap_ok:
	inc byte [cs:e820_calls]
	mov ecx, [bp + F_EBX]
	movzx edx, byte [cs:si]           ; entries in this map
	cmp ecx, edx
	jb .entry
	test byte [cs:cfg + CFG_E820_MODE], E820_CF_END
	jz .past_never0
	mov byte [bp + F_EAX + 1], 0x86
	mov al, 'C'
	call emit
	jmp .fail
.past_never0:
	test byte [cs:cfg + CFG_E820_MODE], E820_NEVER0
	jz .fail
	mov di, [bp + F_EDI]
	xor al, al
	mov cx, 20
	rep stosb
	mov byte [es:di - 4], 2           ; type "reserved", length 0
	mov dword [bp + F_ECX], 20
	mov al, 'z'
	call emit
	ret                               ; EBX stays as it came: never 0
.fail:
	mov word [bp + F_FLAGS], FL_CF
	ret
.entry:
	; SI = map + 1 + index * 24
	imul cx, cx, 24
	add si, cx
	inc si
	mov di, [bp + F_EDI]
	mov cx, 20
	mov ebx, 20
	test byte [cs:cfg + CFG_E820_MODE], E820_ANS20
	jnz .copy
	cmp dword [bp + F_ECX], 24
	jb .copy
	mov cx, 24
	mov ebx, 24
.copy:
	push ds
	push cs
	pop ds
	rep movsb
	pop ds
	mov [bp + F_ECX], ebx
	mov eax, [bp + F_EBX]
	inc eax
	cmp eax, edx
	jb .more
	test byte [cs:cfg + CFG_E820_MODE], E820_CF_END | E820_NEVER0
	jnz .more
	xor eax, eax                      ; the last entry
.more:
	mov [bp + F_EBX], eax
	ret

; caller_mark: called first thing in a hook, with the interrupt's IP, CS and
; FLAGS right above its return address. Reports 'k' when the caller's CS is
; the kernel's trampoline segment. CLOBBERS the flags only.
caller_mark:
	push bp
	mov bp, sp
	cmp word [bp + 6], KERNEL_CALL_SEG ; above BP, the return address and IP
	pop bp
	jne .done
	push ax
	mov al, 'k'
	call emit
	pop ax
.done:
	ret

; if_seen: IN BP = frame. With wild bit1, reports a call that came in with IF=0.
if_seen:
	test byte [cs:cfg + CFG_WILD], WILD_NEED_IF
	jz .done
	test word [bp + F_CALLER_FLAGS], FL_IF
	jnz .done
	mov al, 'i'
	call emit
.done:
	ret

; ---------------------------------------------------------------------------
; hook_done: IN BP = frame, SI = keep-mask table (8 dwords in PUSHAD order;
; bits set = keep) or 0 for no scrambling. Returns from the interrupt with the
; caller's IF, DF and TF and the result's CF; with wild bit0 and a mask, with
; junk segment registers and ESP upper half, IF inverted and DF set.
; ---------------------------------------------------------------------------
hook_done:
	mov ax, [bp + F_FLAGS]
	and ax, FL_CF
	and word [bp + F_CALLER_FLAGS], ~FL_CF & 0xFFFF
	or [bp + F_CALLER_FLAGS], ax
	test si, si
	jz .out
	mov bx, si
	xor di, di
.reg:
	call junk
	mov edx, [cs:bx + di]
	and [bp + di], edx
	not edx
	and eax, edx
	or [bp + di], eax
	add di, 4
	cmp di, 32
	jb .reg
	call junk
	and ax, FL_JUNK
	and word [bp + F_CALLER_FLAGS], ~FL_JUNK & 0xFFFF
	or [bp + F_CALLER_FLAGS], ax
	test byte [cs:cfg + CFG_WILD], WILD_RETURN
	jz .out
	; IF and DF take effect with the IRET, outside the shim. The segment
	; registers are not read again here (data is reached through CS, the
	; frame through SS), and POPAD, IRET and the calls use SP alone.
	xor word [bp + F_CALLER_FLAGS], FL_IF
	or word [bp + F_CALLER_FLAGS], FL_DF
	mov ax, WILD_DS
	mov ds, ax
	mov ax, WILD_ES
	mov es, ax
	mov ax, WILD_FS
	mov fs, ax
	mov ax, WILD_GS
	mov gs, ax
	call junk
	mov ax, sp
	mov esp, eax
	mov al, 'w'
	call emit
.out:
	popad
	add sp, 2
	iret

; junk: OUT EAX = the next value of a fixed pseudo-random sequence.
junk:
	mov eax, [cs:junk_seed]
	imul eax, eax, 1103515245
	add eax, 12345
	mov [cs:junk_seed], eax
	ror eax, 11
	ret

; emit: IN AL = event character for the debug console. CLOBBERS nothing.
emit:
	out DEBUGCON, al
	ret

; ---------------------------------------------------------------------------
; Keep masks, PUSHAD order: EDI, ESI, EBP, (ESP), EBX, EDX, ECX, EAX.
; A set bit keeps the BIOS's value; a clear bit becomes junk.
; ---------------------------------------------------------------------------
%define KEEP_SP 0xFFFFFFFF
align 4
; AH=00h reset: out AH
mask13_00:   dd 0, 0, 0, KEEP_SP, 0, 0, 0, 0x0000FF00
; AH=02h read: out AH status, AL sectors read
mask13_02:   dd 0, 0, 0, KEEP_SP, 0, 0, 0, 0x0000FFFF
; AH=42h extended read: out AH (the count is in the packet)
mask13_42:   dd 0, 0, 0, KEEP_SP, 0, 0, 0, 0x0000FF00
; AH=41h: out AH version, BX = AA55h, CX bitmap, DH extension version
mask13_41:   dd 0, 0, 0, KEEP_SP, 0x0000FFFF, 0x0000FF00, 0x0000FFFF, 0x0000FF00
; AH=08h hard disk: out AH, CX, DX
mask13_08hd: dd 0, 0, 0, KEEP_SP, 0, 0x0000FFFF, 0x0000FFFF, 0x0000FF00
; AH=08h floppy: also BL drive type and ES:DI parameter table
mask13_08fd: dd 0x0000FFFF, 0, 0, KEEP_SP, 0x000000FF, 0x0000FFFF, 0x0000FFFF, 0x0000FF00
; anything else: only the upper halves
mask_high:   dd 0x0000FFFF, 0x0000FFFF, 0x0000FFFF, KEEP_SP, 0x0000FFFF, 0x0000FFFF, 0x0000FFFF, 0x0000FFFF
; INT 10h AH=0Eh teletype: no outputs
mask10_0e:   dd 0, 0, 0, KEEP_SP, 0, 0, 0, 0
; INT 10h AH=03h cursor: out CX shape, DX position
mask10_03:   dd 0, 0, 0, KEEP_SP, 0, 0x0000FFFF, 0x0000FFFF, 0
; INT 15h E820h: out EAX, EBX, ECX; ES:DI returned as given
mask15_e820: dd 0xFFFFFFFF, 0, 0, KEEP_SP, 0xFFFFFFFF, 0, 0xFFFFFFFF, 0xFFFFFFFF
; INT 15h E801h: out AX, BX, CX, DX
mask15_e801: dd 0, 0, 0, KEEP_SP, 0x0000FFFF, 0x0000FFFF, 0x0000FFFF, 0x0000FFFF
; INT 15h AH=88h: out AX
mask15_88:   dd 0, 0, 0, KEEP_SP, 0, 0, 0, 0x0000FFFF
; INT 15h AH=24h (A20): out AH, BX (2403h)
mask15_24:   dd 0, 0, 0, KEEP_SP, 0x0000FFFF, 0, 0, 0x0000FFFF

; ---------------------------------------------------------------------------
; Crafted E820 maps: a count byte, then 24-byte entries (base, length, type,
; ACPI 3.0 attributes). Everything marked usable below 4 GiB is RAM under
; QEMU -m 64 (SeaBIOS: 0-9FC00h and 1 MiB-3FE0000h).
; ---------------------------------------------------------------------------
%macro E820 4
	dq %1, %2
	dd %3, %4
%endmacro
%define USABLE 1
%define RESERVED 2

e820_maps: dw map_split, map_messy, map_attr

map_split:
	db 7
	E820 0x00000000, 0x0009FC00, USABLE, 1
	E820 0x0009FC00, 0x00000400, RESERVED, 1
	E820 0x000F0000, 0x00010000, RESERVED, 1
	E820 0x00100000, 0x01F00000, USABLE, 1        ; 1-32 MiB
	E820 0x02000000, 0x01FE0000, USABLE, 1        ; 32 MiB-64 MiB less 128 KiB
	E820 0x03FE0000, 0x00020000, RESERVED, 1
	E820 0xFFFC0000, 0x00040000, RESERVED, 1

map_messy:
	db 11
	E820 0x00100000, 0x01F00000, USABLE, 1        ; 1-32 MiB
	E820 0x100000000, 0x40000000, USABLE, 1       ; 4-5 GiB
	E820 0x00000000, 0x0009FC00, USABLE, 1
	E820 0x00500000, 0, USABLE, 1                 ; zero length
	E820 0x01000000, 0x02FE0000, USABLE, 1        ; 16 MiB-64 MiB less 128 KiB: overlaps
	E820 0x0009FC00, 0x00000400, RESERVED, 1
	E820 0xFFFC0000, 0x00040000, RESERVED, 1
	E820 0x03800000, 0x00100000, RESERVED, 1      ; 56-57 MiB: a hole inside usable
	E820 0x00200000, 0, RESERVED, 1               ; zero length, on the heap
	E820 0x000F0000, 0x00010000, RESERVED, 1
	E820 0x03FE0000, 0x00020000, RESERVED, 1

map_attr:
	db 8
	E820 0x00000000, 0x0009FC00, USABLE, 1
	E820 0x0009FC00, 0x00000400, RESERVED, 1
	E820 0x000F0000, 0x00010000, RESERVED, 1
	E820 0x00100000, 0x01F00000, USABLE, 1
	E820 0x04000000, 0x04000000, USABLE, 0        ; 64-128 MiB: "not present"
	E820 0x02000000, 0x01FE0000, USABLE, 1
	E820 0x03FE0000, 0x00020000, RESERVED, 1
	E820 0xFFFC0000, 0x00040000, RESERVED, 1

; ---------------------------------------------------------------------------
align 4
old13       dd 0
old10       dd 0
old15       dd 0
junk_seed   dd 0x2545F491
h15_fn      dw 0
h13_fn      db 0
h13_dl      db 0
h10_fn      db 0
spt0_left   db 0
i13_wait    db 0
e820_calls  db 0
cfg         times CFG_SIZE db 0       ; go_resident copies the boot sector's here
resident_end:

%if ($ - $$) > PAYLOAD_SECTORS * 512 - SETUP_BYTES - 2
%error "the resident part outgrew the payload's sectors"
%endif
	times PAYLOAD_SECTORS * 512 - SETUP_BYTES - 2 - ($ - $$) db 0
	dw RESIDENT_KIB                   ; shim.bin's last word, for the test (not copied)
