# elf.sh: what the ELF parser's shell tests (test_elf_real.sh, test_elfbad.sh,
# test_fuzz_elf.sh) share, sourced: small programs linked by clang and ld.lld, and
# test/host/elf_check.c, kernel/proc/elf.c on files, built with ASan and UBSan. The
# caller sets T (its scratch folder). Programs are linked where user/ links VlsOs's:
# at VM_USER_TEXT (include/vm_layout.h).
ELF_USER_TEXT=$(awk '$1 == "#define" && $2 == "VM_USER_TEXT" { print $3 }' include/vm_layout.h)
# clang's i386-elf driver links through gcc, which makes a PIE unless told not to
ELF_CC=(clang --target=i386-elf -ffreestanding -nostdlib -fuse-ld=lld -O1 -Wl,--no-pie)

# elf_give_up NAME DETAIL: a failed setup step as the last TAP line, then stop (for
# the callers that source test/lib/tap.sh)
elf_give_up() {
	tap_fail "$1" "$2"
	tap_done
	exit 1
}

# elf_program NAME [FLAG...]: $T/NAME, a static program with text, read-only data,
# data and bss, linked at ELF_USER_TEXT unless FLAGs say otherwise
elf_program() {
	local name=$1
	shift
	[ -f "$T/program.c" ] || cat >"$T/program.c" <<'SRC'
int counter = 5;
char buffer[40000];
const char message[] = "hello";
void _start(void)
{
	buffer[counter] = message[1];
	for (;;)
		__asm__ volatile("hlt");
}
SRC
	timeout 60 "${ELF_CC[@]}" -static -Wl,--image-base="$ELF_USER_TEXT" "$@" "$T/program.c" -o "$T/$name"
}

# elf_check_build: $T/elf_check, or a non-zero status with the compiler's words in
# $T/elf_check.log
elf_check_build() {
	timeout 120 gcc -std=gnu11 -g -O1 -Wall -Wextra -fsanitize=address,undefined -fno-sanitize-recover=all \
		-DLIB_HOST -Iinclude -Ilib -Itest/host test/host/elf_check.c kernel/proc/elf.c lib/string.c \
		lib/format.c -o "$T/elf_check" >"$T/elf_check.log" 2>&1
}
