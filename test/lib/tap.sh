# tap.sh: TAP output for the shell tests (sourced). Every case runs; tap_done
# exits non-zero when any failed.
TAP_N=0
TAP_FAILED=0

tap_ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
tap_fail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1: $2"
}
# tap_check NAME DETAIL CMD...: ok when CMD succeeds.
tap_check() {
	local name=$1 detail=$2
	shift 2
	if "$@"; then tap_ok "$name"; else tap_fail "$name" "$detail"; fi
}
# tap_report STATUS NAME [DETAIL]: ok when STATUS is 0, for a check already run.
tap_report() {
	if [ "$1" -eq 0 ]; then tap_ok "$2"; else tap_fail "$2" "${3:-failed}"; fi
}
tap_done() {
	echo "1..$TAP_N"
	[ "$TAP_FAILED" -eq 0 ]
}
