; crt0.asm: the entry of every user program. The kernel starts a process with
; ESP at argc, and argv (a pointer to a NULL-terminated array of pointers to
; the strings, all above on the stack) just above it. _start calls
; main(argc, argv) and hands main's result to exit; it never returns.

bits 32
section .text.start progbits alloc exec nowrite align=16

global _start
extern main
extern exit

_start:
	xor ebp, ebp		; the outermost frame: GDB's backtraces end here
	mov eax, [esp]		; argc
	mov ecx, [esp + 4]	; argv
	and esp, -16		; the System V i386 ABI's 16-byte alignment at a call
	sub esp, 8
	push ecx
	push eax
	call main
	mov [esp], eax
	call exit
.never:				; exit does not return; should it, fault here visibly
	ud2
