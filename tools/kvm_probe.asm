; kvm_probe.asm: a boot sector that answers "can this KVM run VlsOs?": it enters
; 32-bit protected mode, turns on 32-bit paging and leaves QEMU through
; isa-debug-exit with 0x10 (status 33). A KVM that cannot (this workplace's
; kvm-pvm raises #GP on CR0.PG for 32-bit guests) triple-faults instead.
; Page tables at 0x1000/0x2000: scratch memory of a throwaway guest.

bits 16
org 0x7C00

	cli
	xor ax, ax
	mov ds, ax
	lgdt [gdt_descriptor]
	mov eax, cr0
	or al, 1
	mov cr0, eax
	jmp dword 0x08:pm
bits 32
pm:
	mov ax, 0x10
	mov ds, ax
	mov es, ax
	mov edi, 0x2000                   ; page table: identity map of 4 MiB
	mov eax, 0x003                    ; present, writable
	mov ecx, 1024
.pte:
	stosd
	add eax, 0x1000
	loop .pte
	mov dword [0x1000], 0x2003        ; page directory entry 0
	mov ecx, 1023
	mov edi, 0x1004
	xor eax, eax
	rep stosd
	mov eax, 0x1000
	mov cr3, eax
	mov eax, cr0
	or eax, 0x80000000
	mov cr0, eax
	mov al, 0x10
	out 0xf4, al
	hlt

align 16
gdt:
	dq 0
	dq 0x00CF9A000000FFFF
	dq 0x00CF92000000FFFF
gdt_descriptor:
	dw gdt_descriptor - gdt - 1
	dd gdt

	times 510 - ($ - $$) db 0
	dw 0xAA55
