; isr.asm: entry stubs for CPU exceptions 0-31 and the PICs' IRQs 0-15. Each pushes a dummy error code
; where the CPU pushes none (Intel SDM vol. 3A table 6-1), its vector, the
; general registers, and calls trap_dispatch(frame). Also the double fault's
; own task: its entry point and its stack (tss.c).

bits 32
extern trap_dispatch, double_fault_task
global isr_table, irq_table, double_fault_entry, double_fault_guard, double_fault_stack_top
global isr_syscall, trap_return, arch_switch

SYSCALL_VECTOR equ 0x80                ; include/syscall.h, checked by idt.c
SEL_KERNEL_DATA equ 0x10               ; arch.h, checked by gdt.c

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

; the system call's, int 0x80 from ring 3 (include/syscall.h)
isr_syscall:
	push dword 0
	push dword SYSCALL_VECTOR
	jmp isr_common

; The segment registers are saved and the kernel's loaded: a process may
; have put any selector it can load into them (even the null one), and the
; kernel's code assumes flat data segments. trap_return is also where a new
; process's first switch lands, on a frame built for it (proc.c).
isr_common:
	push ds
	push es
	push fs
	push gs
	pushad
	mov ax, SEL_KERNEL_DATA
	mov ds, ax
	mov es, ax
	mov fs, ax
	mov gs, ax
	cld
	push esp                          ; struct trap_frame *
	call trap_dispatch
	add esp, 4
trap_return:
	popad
	pop gs
	pop fs
	pop es
	pop ds
	add esp, 8                        ; vector and error code
	iretd

; arch_switch(uint32_t *save_esp, uint32_t esp): saves the callee-saved
; registers on this stack and its ESP in *save_esp, then takes up the stack at
; esp where another arch_switch left it (or proc.c built it) and returns there.
arch_switch:
	mov eax, [esp + 4]
	mov edx, [esp + 8]
	push ebp
	push ebx
	push esi
	push edi
	mov [eax], esp
	mov esp, edx
	pop edi
	pop esi
	pop ebx
	pop ebp
	ret

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

