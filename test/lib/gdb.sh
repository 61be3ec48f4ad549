# gdb.sh: reading a batch GDB session's output (sourced by the GDB tests).
# The session echoes "@@NAME" before each step; OUT names its output file.

# section NAME: the GDB output after the "@@NAME" marker, up to the next one.
section() { awk -v s="@@$1" '$0 == s { on = 1; next } /^@@/ { on = 0 } on' "$OUT"; }
# has NAME REGEX: section NAME has a line matching (ERE) REGEX.
has() { section "$1" | grep -qE -- "$2"; }
# first NAME: the first line of section NAME, for failure details.
first() { section "$1" | grep -v '^$' | head -1; }
