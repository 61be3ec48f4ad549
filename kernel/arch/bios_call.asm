; bios_call.asm: the mode switches of bios_call (bios_call.c), which runs a BIOS
; interrupt from protected mode with paging: paging off, 16-bit protected mode,
; real mode, the call, and back the same way (Intel SDM vol. 3A 9.9.2 and 9.9.1).
;
; The code from bios_trampoline_start to the end of bios_trampoline_block is copied by
; bios_call_init to REGION_BIOS_CALL_START (disk.img.layout), below 1 MiB where
; real mode can run it; it is written to run there and only there, so every
; address in it is an offset from bios_trampoline_start: in real mode an offset
; in the segment REGION_BIOS_CALL_START / 16, in protected mode that plus the
; region's start. The region's top is the real-mode stack. The block the two
; halves share (include/bios_call.h) sits inside the copy.
;
; Only bios_trampoline_enter and bios_trampoline_return run where they were
; linked, in the kernel's identity-mapped .text: the first turns paging off,
; the second finds the kernel's stack again after paging is back on.

%include "layout.inc"
%include "bios_call.inc"

%define CR0_PE 0x00000001
%define CR0_PG 0x80000000
%define MSR_EFER 0xC0000080
%define RM_SEGMENT (REGION_BIOS_CALL_START >> 4)
%define RM_STACK_TOP REGION_BIOS_CALL_SIZE     ; SP: the region's top, as an offset
%define OFF(label) ((label) - bios_trampoline_start)
%define LINEAR(label) (REGION_BIOS_CALL_START + OFF(label))
%define BLOCK OFF(bios_trampoline_block)       ; the block, as a real-mode offset

; A20 is tested at a word of the copy: with the gate off, the address one MiB
; above it (in the kernel's image, only read) wraps onto it.
%define A20_HIGH_SEG 0xFFFF                      ; FFFF:x is 1 MiB + x - 10h
%define A20_HIGH_OFF (LINEAR(a20_probe) + 0x10)
%define PORT_92 0x92                             ; "fast A20": system control port A
%define PORT_92_A20 0x02
%define PORT_92_RESET 0x01
%define INT15_A20_ON 0x2401
%define BDA_TICKS 0x046C                         ; dword: IRQ 0s the BIOS counted since midnight

global bios_trampoline_start, bios_trampoline_block
global bios_trampoline_pm32
global bios_trampoline_enter, bios_trampoline_return

section .text

; void bios_trampoline_enter(struct bios_call_block *block): block is its
; linear address in the copy, filled in by bios_call. Interrupts are off.
; Returns (through bios_trampoline_return) with block->regs as the BIOS left
; them, the kernel's CR0/CR3/CR4/EFER, GDT, IDT and segments back.
bits 32
bios_trampoline_enter:
	push ebp
	push ebx
	push esi
	push edi
	mov ebx, [esp + 20]
	mov [ebx + BC_kernel_esp], esp
	sgdt [ebx + BC_gdtr]
	sidt [ebx + BC_idtr]
	mov eax, cr3
	mov [ebx + BC_cr3], eax
	mov eax, cr4
	mov [ebx + BC_cr4], eax
	mov eax, cr0
	mov [ebx + BC_cr0], eax
	and eax, ~CR0_PG                  ; this code is identity-mapped: it runs on
	mov cr0, eax
	xor eax, eax                      ; the BIOS gets a plain 386: no PAE, no PSE
	mov cr4, eax
	jmp far [ebx + BC_to_pm16]        ; 16-bit code segment, in the copy

; Back in the kernel's .text, EBX the block, paging still off: it goes on here,
; not in the copy, whose low pages the kernel maps no-execute under NX.
bios_trampoline_return:
	mov eax, [ebx + BC_cr0]
	mov cr0, eax
	mov esp, [ebx + BC_kernel_esp]
	lidt [ebx + BC_idtr]
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

; ---------------------------------------------------------------------------
; The copy. Everything below runs at LINEAR(...) or RM_SEGMENT:OFF(...).
; ---------------------------------------------------------------------------
; 16-bit protected mode (CS: a 64 KiB code segment at 0), EBX the block: the
; copy starts with its entry, where bios_call's far pointer points.
; Real mode keeps the segment limits the last protected-mode load gave, so
; every segment register gets a 64 KiB one before PE goes off.
align 16
bits 16
bios_trampoline_start:
	mov ax, [ebx + BC_sel_data16]
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov eax, cr0
	and eax, ~CR0_PE
	mov cr0, eax
	jmp RM_SEGMENT:OFF(.real_mode)
.real_mode:
	mov ax, RM_SEGMENT
	mov ds, ax
	mov ss, ax
	mov sp, RM_STACK_TOP
	lidt [OFF(real_mode_idtr)]

	; the handler as the IVT says now (a hook installed since boot counts)
	movzx bx, byte [BLOCK + BC_vector]
	shl bx, 2
	xor ax, ax
	mov es, ax
	mov eax, [es:bx]
	mov [OFF(.vector_target)], eax

	mov eax, [es:BDA_TICKS]           ; ES is 0 here: the BIOS's clock, for the kernel's
	mov [BLOCK + BC_bda_ticks_before], eax
	mov ax, [BLOCK + BC_regs + BR_es]
	mov es, ax
	mov eax, [BLOCK + BC_regs + BR_eax]
	mov ebx, [BLOCK + BC_regs + BR_ebx]
	mov ecx, [BLOCK + BC_regs + BR_ecx]
	mov edx, [BLOCK + BC_regs + BR_edx]
	mov esi, [BLOCK + BC_regs + BR_esi]
	mov edi, [BLOCK + BC_regs + BR_edi]
	mov ebp, [BLOCK + BC_regs + BR_ebp]
	push word [BLOCK + BC_regs + BR_ds]
	pop ds
	; INT n, spelled out so that n can be any vector: FLAGS (IF on, so
	; interrupts the BIOS relies on, such as the floppy's and the timer's,
	; come in while it runs), then a far call with IF off, as INT leaves it.
	cld
	sti
	pushf
	cli
	call far [cs:OFF(.vector_target)]

	; Trust nothing but the registers: keep all of them, through CS.
	pushfd
	mov [cs:BLOCK + BC_regs + BR_eax], eax
	mov [cs:BLOCK + BC_regs + BR_ebx], ebx
	mov [cs:BLOCK + BC_regs + BR_ecx], ecx
	mov [cs:BLOCK + BC_regs + BR_edx], edx
	mov [cs:BLOCK + BC_regs + BR_esi], esi
	mov [cs:BLOCK + BC_regs + BR_edi], edi
	mov [cs:BLOCK + BC_regs + BR_ebp], ebp
	mov [cs:BLOCK + BC_regs + BR_ds], ds
	mov [cs:BLOCK + BC_regs + BR_es], es
	pop dword [cs:BLOCK + BC_regs + BR_eflags]
	cli
	cld
	mov ax, cs
	mov ds, ax
	mov ss, ax
	mov sp, RM_STACK_TOP
	xor ax, ax
	mov es, ax
	mov eax, [es:BDA_TICKS]
	mov [BLOCK + BC_bda_ticks_after], eax

	; The kernel runs from 1 MiB: with A20 off it would run from 0.
	call a20_is_on
	je .a20_on
	in al, PORT_92
	or al, PORT_92_A20
	and al, ~PORT_92_RESET & 0xFF
	out PORT_92, al
	call a20_is_on
	je .a20_repaired
	mov ax, INT15_A20_ON
	int 0x15
	cli
	mov ax, cs
	mov ds, ax
	call a20_is_on
	je .a20_repaired
.a20_stuck:                              ; nothing left to run: say so and stop
	mov si, OFF(a20_message)
	call say_com1
.halt:
	hlt
	jmp .halt
.a20_repaired:
	inc dword [BLOCK + BC_a20_repairs]
.a20_on:
	lgdt [BLOCK + BC_gdtr]
	mov eax, [BLOCK + BC_cr0]
	and eax, ~CR0_PG
	mov cr0, eax
	jmp dword far [BLOCK + BC_to_pm32]
.vector_target:
	dd 0

; ZF set when A20 is on. Clobbers AX, ES; DS is RM_SEGMENT.
a20_is_on:
	push word A20_HIGH_SEG
	pop es
	mov ax, [es:A20_HIGH_OFF]
	not ax
	mov [OFF(a20_probe)], ax
	cmp ax, [es:A20_HIGH_OFF]        ; equal: the write showed through, wrapped
	jne .on
	or ax, 1                           ; clear ZF (AX is not zero: it matched a NOT)
	ret
.on:
	xor ax, ax
	ret

; say_com1: the NUL-terminated string at DS:SI to COM1 (the BDA's first port),
; polling the transmitter, for the one error that has no kernel to report it.
say_com1:
	push word 0x40
	pop es
	mov dx, [es:0]
	test dx, dx
	jz .done
.next:
	lodsb
	test al, al
	jz .done
	mov ah, al
	add dx, 5                          ; line status register
.wait:
	in al, dx
	test al, 0x20                      ; transmitter holding register empty
	jz .wait
	sub dx, 5
	mov al, ah
	out dx, al
	jmp .next
.done:
	ret

; 32-bit protected mode again (CS: the kernel's flat code segment), in the
; copy, paging still off: EFER, CR4, CR3 before CR0.PG (in the kernel), as the
; tables need.
bits 32
bios_trampoline_pm32:
	mov ax, [cs:LINEAR(bios_trampoline_block) + BC_sel_data32]
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	mov ss, ax
	mov ebx, LINEAR(bios_trampoline_block)
	cmp dword [ebx + BC_has_efer], 0
	je .no_efer
	mov ecx, MSR_EFER
	mov eax, [ebx + BC_efer_low]
	mov edx, [ebx + BC_efer_high]
	wrmsr
.no_efer:
	mov eax, [ebx + BC_cr4]
	mov cr4, eax
	mov eax, [ebx + BC_cr3]
	mov cr3, eax
	jmp [ebx + BC_kernel_return]

a20_message:
	db 13, 10, "PANIC: bios_call: A20 is off after a BIOS call and neither port 92h", 13, 10
	db "nor INT 15h AX=2401h turns it on; the kernel at 1 MiB cannot run", 13, 10, 0

a20_probe:
	dw 0
align 8
real_mode_idtr:                          ; the real-mode IVT: 256 vectors at 0
	dw 0x3FF
	dd 0
align 16
bios_trampoline_block:                   ; the copy's last bytes (no label after it: one
	times BIOS_CALL_BLOCK_SIZE db 0          ; would share its address with the next function)
