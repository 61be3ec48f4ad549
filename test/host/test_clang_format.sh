#!/usr/bin/env bash
# test_clang_format.sh: every C file of the tree (kernel/ lib/ include/ tools/ user/
# test/ bench/) is as clang-format 14 leaves it under .clang-format. One case a
# folder, naming each file that is not; `clang-format -i FILE` fixes one. First,
# that the check can fail at all: a badly laid out snippet must be refused.
set -u
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$ROOT" || exit 1
. test/lib/tap.sh
FOLDERS=(kernel lib include tools test bench user)

# Debian's clang-format is version 14 (./build.sh installs it); another version
# lays some code out differently, so 14 is asked for by name when it is there.
CF=clang-format
command -v clang-format-14 >/dev/null && CF=clang-format-14
if ! command -v "$CF" >/dev/null; then
	tap_fail "clang-format is installed" "no $CF: ./build.sh deps installs it"
	tap_done
	exit 1
fi
version=$("$CF" --version)
tap_check "clang-format is version 14" "$version" grep -q 'version 14\.' <<<"$version"
tap_check "the tree has a .clang-format" "no $ROOT/.clang-format" test -f .clang-format

# check FILE...: the files clang-format would change, one a line (one run for
# all: it names each file it would change in a -Werror message); a run that
# fails without naming one prints what it said instead
check() {
	local out status
	out=$(timeout 120 "$CF" --dry-run -Werror --style=file "$@" 2>&1)
	status=$?
	local names
	names=$(sed -n 's/^\(.*\):[0-9]*:[0-9]*: error: code should be clang-formatted.*/\1/p' <<<"$out" | sort -u)
	if [ -n "$names" ]; then echo "$names"
	elif [ "$status" -ne 0 ]; then echo "clang-format failed (status $status): $(head -3 <<<"$out")"
	fi
}

bad_snippet() {
	printf 'int  f(int a){\n  return a+1;}\n' >"$BUILD_TMP/bad.c"
	[ -n "$(check "$BUILD_TMP/bad.c")" ]
}
BUILD_TMP=${BUILD:-$ROOT/build}/tmp/clang_format
mkdir -p "$BUILD_TMP"
cp .clang-format "$BUILD_TMP/.clang-format"
tap_check "the check refuses a badly laid out file" "clang-format --dry-run -Werror passed it" bad_snippet
good_snippet() {
	printf 'int f(int a)\n{\n\treturn a + 1;\n}\n' >"$BUILD_TMP/good.c"
	[ -z "$(check "$BUILD_TMP/good.c")" ]
}
tap_check "the check passes a file laid out in the house style" "clang-format --dry-run -Werror refused it" good_snippet

# tracked files when this is a git checkout, else every C file under the folders
files_in() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -- "$1/*.c" "$1/*.h"
	else
		find "$1" -name '*.[ch]' | sort
	fi
}
for folder in "${FOLDERS[@]}"; do
	mapfile -t files < <(files_in "$folder")
	if [ "${#files[@]}" -eq 0 ]; then
		tap_ok "$folder/: no C files"
		continue
	fi
	bad=$(check "${files[@]}" | tr '\n' ' ')
	if [ -z "$bad" ]; then
		tap_ok "$folder/: all ${#files[@]} C files formatted"
	else
		tap_fail "$folder/: all ${#files[@]} C files formatted" "not formatted (clang-format -i): $bad"
	fi
done
tap_done
