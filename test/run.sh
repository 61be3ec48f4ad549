#!/usr/bin/env bash
# run.sh BUILD [PATTERN]: runs every test in test/ (or those whose name, e.g.
# test_slab or boot_test_ktest, matches the shell PATTERN) and ends with
# "N passed, N failed".
# Every test program speaks TAP ("ok N - name" / "not ok N - name: detail");
# each such line counts once. A program that dies or overruns its time limit
# without saying "not ok" counts as one failure.
#   test/host/test_*.c   host unit tests; the first line names their sources
#                        (host_sources)
#   test/*/test_*.sh     shell tests: image, boot and GDB tests
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=$(cd "${1:?usage: run.sh BUILD [PATTERN]}" && pwd)
PATTERN=${2:-*}
LOGS=$BUILD/test-logs
HOST_TEST_SECONDS=120
SHELL_TEST_SECONDS=600
export BUILD ROOT
cd "$ROOT"
rm -rf "$LOGS" "$BUILD/tmp"
mkdir -p "$LOGS" "$BUILD/tmp" "$BUILD/host"

passed=0
failed=0

# run_tap NAME SECONDS CMD...: runs CMD, echoes its output, counts its TAP lines.
run_tap() {
	local name=$1 secs=$2 status ok bad
	shift 2
	echo "# $name"
	timeout -k 5 "$secs" "$@" >"$LOGS/$name.log" 2>&1
	status=$?
	sed 's/^/  /' "$LOGS/$name.log"
	ok=$(grep -c '^ok ' "$LOGS/$name.log")
	bad=$(grep -c '^not ok ' "$LOGS/$name.log")
	if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then
		[ "$status" -eq 124 ] && echo "not ok - $name: ran past its ${secs}s limit" ||
			echo "not ok - $name: exited with status $status"
		bad=1
	fi
	passed=$((passed + ok))
	failed=$((failed + bad))
}

# host_sources SRC: what a host test is built from, as its first line says:
#   /* sources: FILE... */   those files
#   /* uses: FOLDER... */    each folder whole, as it builds (kernel/mm/*.c), with
#                            its host glue test/host/NAME_glue.c when there is one
#                            (kernel/mm: test/host/mm_glue.c), and lib/*.c
host_sources() {
	local line dir glue
	line=$(head -1 "$1")
	if [[ $line =~ ^/\*\ uses:(.*)\*/ ]]; then
		for dir in ${BASH_REMATCH[1]}; do
			echo "$dir"/*.c
			glue=test/host/$(basename "$dir")_glue.c
			[ -f "$glue" ] && echo "$glue"
		done
		echo lib/*.c
	else
		sed -n '1s|^/\* sources:\(.*\)\*/.*|\1|p' "$1"
	fi
}

host_c_test() {
	local src=$1 name sources
	name=$(basename "$src" .c)
	sources=$(host_sources "$src")
	if ! gcc -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
		-DLIB_HOST -Iinclude -Ilib -Itest/host $sources "$src" -o "$BUILD/host/$name" \
		>"$LOGS/$name.build.log" 2>&1; then
		cat "$LOGS/$name.build.log"
		echo "not ok - $name: does not compile"
		failed=$((failed + 1))
		return
	fi
	run_tap "$name" "$HOST_TEST_SECONDS" "$BUILD/host/$name"
}

for src in test/host/test_*.c; do
	# shellcheck disable=SC2053 # PATTERN is a glob on purpose
	[[ $(basename "$src" .c) == $PATTERN ]] && host_c_test "$src"
done
for script in test/host/test_*.sh test/image/test_*.sh test/boot/test_*.sh; do
	[ -f "$script" ] || continue
	name=$(basename "$(dirname "$script")")_$(basename "$script" .sh)
	# shellcheck disable=SC2053
	[[ $name == $PATTERN ]] || continue
	run_tap "$name" "$SHELL_TEST_SECONDS" bash "$script"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
