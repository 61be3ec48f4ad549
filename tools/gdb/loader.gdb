# loader.gdb: GDB for stage 2 in real mode, sourced by `./build.sh debug loader`
# and test/boot/test_gdb.sh. The caller loads build/stage2.elf, adds
# build/kernel.elf's symbols and runs `target remote`. Until the far jump into
# protected mode GDB shows CS:IP with its linear address and the NASM source
# line (stage2.elf's DWARF); at the jump's target it switches to i386 and the
# kernel's symbols take over. GDB 13 disassembles 16-bit code as 32-bit whatever
# `set architecture` says (QEMU's stub reports i386), so in real mode trust the
# source line, not `x/i`.
set pagination off
set confirm off
set architecture i8086
set disassembly-flavor intel
set $vlsos_real_mode = 1

# The first 32-bit instruction, right after stage 2's far jump into protected mode.
break pmode_enter.pm32

define hook-stop
	if $vlsos_real_mode && (unsigned int) $pc == (unsigned int) &'pmode_enter.pm32'
		set architecture i386
		set $vlsos_real_mode = 0
		printf "protected mode reached: GDB now decodes i386 code; `break kmain` and `continue` for the kernel\n"
	end
	if $vlsos_real_mode
		set $vlsos_ip = (unsigned int) $eip & 0xffff
		printf "real mode CS:IP %04x:%04x = linear 0x%05x\n", $cs, $vlsos_ip, $cs * 16 + $vlsos_ip
	end
end
document hook-stop
In real mode: prints CS:IP and its linear address (GDB prints the source line);
at the far jump's target, switches GDB to i386.
end

# stage 2's first instruction after its header: where stage 1 hands over
break main
