; jump.asm: arch_setjmp/arch_longjmp, cdecl. Saves what the i386 System V ABI
; says a callee keeps (EBX, ESI, EDI, EBP, ESP) and the return address.

bits 32
section .text
global arch_setjmp, arch_longjmp

; int arch_setjmp(struct jump_state *state): 0 now, the longjmp value later.
arch_setjmp:
	mov eax, [esp + 4]
	mov [eax + 0], ebx
	mov [eax + 4], esi
	mov [eax + 8], edi
	mov [eax + 12], ebp
	lea ecx, [esp + 4]                ; ESP as the caller sees it after we return
	mov [eax + 16], ecx
	mov ecx, [esp]
	mov [eax + 20], ecx
	xor eax, eax
	ret

; void arch_longjmp(struct jump_state *state, int value): value 0 becomes 1.
arch_longjmp:
	mov edx, [esp + 4]
	mov eax, [esp + 8]
	test eax, eax
	jnz .value
	inc eax
.value:
	mov ebx, [edx + 0]
	mov esi, [edx + 4]
	mov edi, [edx + 8]
	mov ebp, [edx + 12]
	mov esp, [edx + 16]
	jmp [edx + 20]
