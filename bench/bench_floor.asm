; bench_floor.asm: the boot-time floor for bench/bench.sh. One boot sector that
; does the least a boot can: it writes "VLSOS_MARKER" to COM1 and leaves QEMU
; through isa-debug-exit (status 33). Whatever VlsOs takes beyond this is the
; loader's and kernel's.
; Direct port I/O only (no BIOS calls): the BIOS already left COM1 usable, and
; the UART's registers are those of the PC16550D data sheet.
; bench/ holds every benchmark (`./build.sh bench`: bench.sh, mm_bench.sh,
; bench_kernel_alloc.sh); this is bench.sh's floor.
; Build: nasm -f bin bench/bench_floor.asm -o floor.bin

%define COM1_BASE        0x3F8       ; COM1's I/O base on every PC
%define UART_THR         0           ; transmit holding register (DLAB=0)
%define UART_LSR         5           ; line status
%define UART_LSR_THRE    0x20        ; transmitter can take a byte
%define UART_WAIT_LOOPS  0x8000      ; a byte at 9600 baud takes ~1 ms; this is far more
%define DEBUG_EXIT_PORT  0xF4        ; -device isa-debug-exit,iobase=0xf4
%define DEBUG_EXIT_CODE  0x10        ; QEMU exits with (0x10 << 1) | 1 = 33
%define BOOT_SIGNATURE   0xAA55

bits 16
org 0x7C00

start:
	cli
	xor ax, ax
	mov ds, ax
	cld
	mov si, marker
.next:
	lodsb
	test al, al
	jz .exit
	mov bl, al
	mov dx, COM1_BASE + UART_LSR
	mov cx, UART_WAIT_LOOPS
.wait:
	in al, dx
	test al, UART_LSR_THRE
	jnz .send
	loop .wait                        ; a dead UART costs a bounded wait, not a hang
.send:
	mov dx, COM1_BASE + UART_THR
	mov al, bl
	out dx, al
	jmp .next
.exit:
	mov dx, DEBUG_EXIT_PORT
	mov al, DEBUG_EXIT_CODE
	out dx, al
.halt:                                ; no isa-debug-exit device: stop here
	hlt
	jmp .halt

; the marker xv6's run.sh (../shared/anchors/xv6) waits for, so that it can
; time its boots against this very floor
marker db "VLSOS_MARKER", 13, 10, 0

	times 510 - ($ - $$) db 0
	dw BOOT_SIGNATURE
