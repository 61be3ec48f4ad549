; isr.asm: entry stubs for CPU exceptions 0-31. Each pushes a dummy error code
; where the CPU pushes none (Intel SDM vol. 3A table 6-1), its vector, the
; general registers, and calls trap_dispatch(frame).

bits 32
extern trap_dispatch
global isr_table

section .text

%macro ISR_NOERR 1
isr%1:
	push dword 0
	push dword %1
	jmp isr_common
%endmacro

%macro ISR_ERR 1
isr%1:
	push dword %1
	jmp isr_common
%endmacro

%assign v 0
%rep 32
%if v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30
	ISR_ERR v
%else
	ISR_NOERR v
%endif
%assign v v + 1
%endrep

isr_common:
	pushad
	cld
	push esp                          ; struct trap_frame *
	call trap_dispatch
	add esp, 4
	popad
	add esp, 8                        ; vector and error code
	iretd

section .rodata
isr_table:
%assign v 0
%rep 32
	dd isr %+ v
%assign v v + 1
%endrep
