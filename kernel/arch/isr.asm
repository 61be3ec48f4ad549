; isr.asm: entry stubs for CPU exceptions 0-31 and the PICs' IRQs 0-15. Each pushes a dummy error code
; where the CPU pushes none (Intel SDM vol. 3A table 6-1), its vector, the
; general registers, and calls trap_dispatch(frame). Also the double fault's
; own task: its entry point and its stack (tss.c).

bits 32
extern trap_dispatch, double_fault_task
global isr_table, irq_table, double_fault_entry, double_fault_guard, double_fault_stack_top

DOUBLE_FAULT_STACK_SIZE equ 8192  ; the #DF task's: a PANIC with a symbol lookup, and room to spare
PAGE_SIZE equ 4096

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

; the 16 IRQs of the two 8259s, at PIC_KERNEL_BASE (arch.h): the same frame,
; their vector in it
%assign v 32
%rep 16
	ISR_NOERR v
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

; The #DF task starts here on its own stack (tss.c) with the error code (0)
; pushed: after the call it is double_fault_task's argument. It never returns.
double_fault_entry:
	cld
	call double_fault_task
.halt:
	cli
	hlt
	jmp .halt

; Not .bss: kernel/linker.ld puts this section at the end of .bss, so the
; guard page that tss.c unmaps below the stack is no other variable's page.
section .double_fault_stack nobits alloc noexec write align=4096
double_fault_guard:
	resb PAGE_SIZE
	resb DOUBLE_FAULT_STACK_SIZE
double_fault_stack_top:

section .rodata
isr_table:
%assign v 0
%rep 32
	dd isr %+ v
%assign v v + 1
%endrep
irq_table:
%assign v 32
%rep 16
	dd isr %+ v
%assign v v + 1
%endrep
