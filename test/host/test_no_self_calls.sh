#!/bin/bash
# test_no_self_calls.sh - proves the compilers do not turn lib/string.c's
# loops back into memcpy/memset/memmove calls (self-recursion in the kernel)
# and that lib/ objects need nothing but each other (no libgcc, e.g. the
# __udivdi3/__umoddi3 that 64-bit division would pull in).  TAP output.
# Run from the repo root; scratch files go to $BUILD/tmp.
set -u

BUILD=${BUILD:-$PWD/build}
T=$BUILD/tmp/no_self_calls
mkdir -p "$T" || exit 1

# The target command from the build, exactly.
TARGET_CC=(clang --target=i386-elf -march=i586 -ffreestanding -fno-builtin
           -fno-pic -mno-sse -mno-mmx -nostdlib -O2 -Wall -Wextra -Werror
           -Iinclude -Ilib)
# Calls to these from string.c's code would be (mutual) recursion; lib_ are
# the host names, and glibc's own versions would make the tests vacuous.
MEMFNS='(lib_)?(memcpy|memset|memmove|memcmp|bcmp)'

. test/lib/tap.sh

# mem_calls OBJ: prints every call or jump in OBJ that reaches a mem*
# function other than a branch inside the function itself, and every
# relocation naming one (calls to another object show only as relocations).
mem_calls() {
    llvm-objdump -d -r --no-show-raw-insn "$1" | awk -v re="^$MEMFNS\$" '
        /^[0-9a-f]+ <.*>:$/ {
            fn = $2; gsub(/[<>:]/, "", fn); next
        }
        /R_(386|X86_64)_[A-Z0-9_]+/ {
            sym = $NF; sub(/[-+].*/, "", sym)
            if (sym ~ re) print fn ": relocation to " sym
            next
        }
        /(call|jmp)[a-z]*[ \t]/ && /<[^>]*>/ {
            tgt = $0; sub(/.*</, "", tgt); sub(/>.*/, "", tgt)
            base = tgt; sub(/\+0x[0-9a-f]+$/, "", base)
            if (base ~ re && (base != fn || tgt == fn))
                print fn ": branch to " tgt
        }'
}

# check_object NAME OBJ: reports whether OBJ is free of mem* calls.
check_object() {
    local bad
    bad=$(mem_calls "$2" | sort -u | tr '\n' ';')
    if [ -z "$bad" ]; then tap_report 0 "$1"; else tap_report 1 "$1" "$bad"; fi
}

# compile NAME OUT CMD...: runs a compile, reporting only a failure.
compile() {
    local name=$1 out=$2 err
    shift 2
    if err=$("$@" -c -o "$out" 2>&1); then
        return 0
    fi
    tap_report 1 "$name compiles" "$(echo "$err" | head -3 | tr '\n' ' ')"
    return 1
}

# The checker must see planted calls, or every pass below means nothing:
# plain loops that both compilers turn into memcpy/memset when allowed to.
cat > "$T/planted.c" <<'EOF'
void *copy(char *restrict d, const char *restrict s, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        d[i] = s[i];
    return d;
}

void clear(char *d, unsigned long n)
{
    for (unsigned long i = 0; i < n; i++)
        d[i] = 0;
}
EOF
planted() {
    local name="checker sees the memcpy/memset a $1 build plants" seen
    shift
    compile "$name" "$T/planted.o" "$@" "$T/planted.c" || return
    seen=$(mem_calls "$T/planted.o" | grep -Eo 'memcpy|memset' | sort -u |
           tr '\n' ' ')
    if [ "$seen" = "memcpy memset " ]; then
        tap_report 0 "$name"
    else
        tap_report 1 "$name" "saw only '$seen'; passes below could be vacuous"
    fi
}
planted "gcc -O3 host" gcc -std=gnu11 -O3
# (clang's -ffreestanding implies -fno-builtin, so leave both out here.)
planted "clang -O2 i386" clang --target=i386-elf -march=i586 -fno-pic \
    -mno-sse -mno-mmx -O2

# The real target build.
if compile "string.c (target)" "$T/string.o" "${TARGET_CC[@]}" lib/string.c
then
    check_object "target string.o: no mem* self-calls" "$T/string.o"
    und=$(llvm-nm -u "$T/string.o" | tr -s ' \n' ' ')
    if [ -z "${und// /}" ]; then
        tap_report 0 "target string.o has no undefined symbols"
    else
        tap_report 1 "target string.o has no undefined symbols" "$und"
    fi
fi

# The attributes in string.c must hold without help from -fno-builtin (or
# -ffreestanding, which implies it in clang) and at the most aggressive
# optimisation, for clang and for gcc.
no_fno_builtin=()
for f in "${TARGET_CC[@]}"; do
    case $f in -fno-builtin|-ffreestanding|-O2) ;; *) no_fno_builtin+=("$f") ;;
    esac
done
if compile "string.c (clang -O3, builtins on)" "$T/string_clang_o3.o" \
    "${no_fno_builtin[@]}" -nostdlibinc -O3 lib/string.c; then
    check_object "clang -O3 with builtins on: no mem* self-calls" \
        "$T/string_clang_o3.o"
fi
for opt in -O1 -O2 -O3; do
    if compile "string.c (gcc host $opt)" "$T/string_host$opt.o" \
        gcc -std=gnu11 "$opt" -DLIB_HOST -Iinclude -Ilib lib/string.c; then
        check_object "gcc host $opt: no mem*/lib_mem* calls" \
            "$T/string_host$opt.o"
    fi
done
if gcc -m32 -E -x c /dev/null >/dev/null 2>&1 &&
    compile "string.c (gcc -m32 -O3)" "$T/string_gcc32.o" \
        gcc -m32 -march=i586 -ffreestanding -std=gnu11 -O3 -Iinclude -Ilib \
        lib/string.c; then
    check_object "gcc -m32 -O3 freestanding: no mem* self-calls" \
        "$T/string_gcc32.o"
fi

# Every lib/ object built for the target may only need symbols that lib/
# itself defines: no libgcc helpers such as __udivdi3/__umoddi3.
objs=()
all_built=0
for src in lib/*.c; do
    obj=$T/$(basename "$src" .c).o
    if compile "$src (target)" "$obj" "${TARGET_CC[@]}" "$src"; then
        objs+=("$obj")
    else
        all_built=1
    fi
done
tap_report $all_built "every lib/*.c compiles with the target command"
llvm-nm --defined-only -g "${objs[@]}" 2>/dev/null |
    awk 'NF == 3 { print $3 }' | sort -u > "$T/defined.txt"
for obj in "${objs[@]}"; do
    missing=$(llvm-nm -u "$obj" | awk '{ print $NF }' | sort -u |
              comm -23 - "$T/defined.txt" | tr '\n' ' ')
    if [ -z "$missing" ]; then
        tap_report 0 "$(basename "$obj") needs only symbols lib/ defines"
    else
        tap_report 1 "$(basename "$obj") needs only symbols lib/ defines" \
            "undefined: $missing"
    fi
done

tap_done
