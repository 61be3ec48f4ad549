; entry.asm: KERNEL.BIN's header and its first instructions. Stage 2 jumps here
; in 32-bit protected mode, interrupts off, EAX = BOOT_INFO_MAGIC, EBX = the
; boot_info. Sets the seed's boot stack, zeroes .bss, sets the stack protector's
; guard and calls kmain(boot_info).

%include "layout.inc"
%include "boot_info.inc"

bits 32

extern kmain, cpu_seed_stack_guard
extern __kernel_image_size, __kernel_bss_size
extern __bss_start, __bss_end
global kernel_entry, kernel_header

section .kernel_header progbits alloc noexec nowrite align=4
kernel_header:
	dd KERNEL_MAGIC
	dw KERNEL_HEADER_VERSION
	dw KERNEL_HEADER_SIZE
	dd REGION_KERNEL_START
	dd kernel_entry
	dd __kernel_image_size
	dd __kernel_bss_size
	dd 0                              ; crc32: mkimage seal fills it in
	dd 0

section .text.entry progbits alloc exec nowrite align=16
kernel_entry:
	cli
	cld
	mov esp, REGION_BOOT_STACK_END    ; the seed's 16 KiB boot stack below 0x10000
	xor ebp, ebp                      ; ends GDB's backtrace here
	cmp eax, BOOT_INFO_MAGIC
	je .zero_bss
	xor ebx, ebx                      ; not our loader: kmain reports a missing boot_info
.zero_bss:
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	shr ecx, 2                        ; the linker script page-aligns .bss
	xor eax, eax
	rep stosd
	call cpu_seed_stack_guard         ; before kmain: no checked function is under way
	push ebx
	call kmain
.halt:
	cli
	hlt
	jmp .halt
