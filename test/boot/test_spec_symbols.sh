# test_spec_symbols.sh: the specification's interface (malloc, free, calloc,
# realloc, memcpy, memcmp, memset, paging_init, paging_enable, virt_to_phys,
# phys_to_virt, map_page, unmap_page) is in every kernel, the production one
# included, although nothing there calls some of them: the linker script keeps
# them (kernel/linker.ld, EXTERN) past --gc-sections. Then GDB, attached to the
# production kernel as `./build.sh debug` does, calls virt_to_phys and malloc
# once paging is on. GDB's output stays in $BUILD/tmp/spec_symbols/.
. test/lib/tap.sh
. tools/gdb/qemu_gdbstub.sh

SPEC_SYMBOLS=(malloc free calloc realloc memcpy memcmp memset paging_init paging_enable
	virt_to_phys phys_to_virt map_page unmap_page)
T=$BUILD/tmp/spec_symbols
mkdir -p "$T"
trap gdbstub_stop EXIT

# functions ELF: the names of the functions ELF defines, one a line
functions() { llvm-nm --defined-only "$1" | awk '$2 == "T" || $2 == "t" { print $3 }' | sort -u; }

# missing ELF: the functions of the specification ELF does not define
missing() {
	functions "$1" >"$T/defined.txt"
	printf '%s\n' "${SPEC_SYMBOLS[@]}" | sort | comm -23 - "$T/defined.txt" | tr '\n' ' '
}

# The check must see missing symbols, or every pass below means nothing: the
# loader's stage2.elf has none of them.
tap_check "the check sees what stage2.elf lacks" "got: $(missing "$BUILD/stage2.elf")" \
	test "$(missing "$BUILD/stage2.elf" | wc -w)" = ${#SPEC_SYMBOLS[@]}
for variant in kernel kernel-test kernel-bench; do
	lacks=$(missing "$BUILD/$variant.elf")
	tap_check "$variant.elf defines all ${#SPEC_SYMBOLS[@]} functions of the specification" \
		"missing: $lacks" test -z "$lacks"
done

# GDB: past paging_enable, the kernel's own page-table walk answers.
OUT=$T/gdb.out
section() { awk -v s="@@$1" '$0 == s { on = 1; next } /^@@/ { on = 0 } on' "$OUT"; }
has() { section "$1" | grep -qE -- "$2"; }
first() { section "$1" | grep -v '^$' | head -1; }
: >"$OUT"
if gdbstub_start "$BUILD/disk.img" "$T/serial.log" "$T/qemu.log" -display none -monitor none; then
	timeout 60 gdb -batch -nx -x tools/gdb/kernel.gdb \
		-ex "target remote 127.0.0.1:$GDBSTUB_PORT" -ex continue \
		-ex 'tbreak paging_enable' -ex continue -ex finish \
		-ex 'echo @@text\n' -ex 'print/x virt_to_phys(0x100000)' \
		-ex 'echo @@null\n' -ex 'print/x virt_to_phys(0)' \
		-ex 'echo @@malloc\n' -ex 'print/x (unsigned)malloc(24)' \
		-ex 'echo @@end\n' "$BUILD/kernel.elf" >"$OUT" 2>&1
	echo "# gdb exit status $? on port $GDBSTUB_PORT; output in $OUT"
else
	echo "# QEMU did not open its gdbstub: $(head -3 "$T/qemu.log" | tr '\n' ' ')"
fi
gdbstub_stop

tap_check "GDB: call virt_to_phys(0x100000) in the production kernel gives 0x100000" \
	"got: $(first text)" has text '^\$[0-9]+ = 0x100000$'
tap_check "GDB: call virt_to_phys(0) gives PAGING_NOT_MAPPED (page 0 is unmapped)" \
	"got: $(first null)" has null '^\$[0-9]+ = 0xffffffff$'
# any RAM the allocator manages may hold it (low memory too, once the loader is done
# with it): not NULL and 16-byte aligned, as kmalloc promises
tap_check "GDB: call malloc(24) gives a heap address" "got: $(first malloc)" \
	has malloc '^\$[0-9]+ = 0x[0-9a-f]*[1-9a-f][0-9a-f]*0$'
tap_done
