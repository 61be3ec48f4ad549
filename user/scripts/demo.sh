# DEMO.SH: the shell at work, for a demonstration at boot (BOOT.CFG:
# init=/BIN/SH -x /BIN/DEMO.SH prints each line before it runs) or at the
# prompt (sh -x /BIN/DEMO.SH). docs/console.md describes the shell.
HELLO "from a script" with arguments
ARGS one "two words" three
FALSE
ARGS "FALSE left the status $?"
cd /TEST/SUB
pwd
WC Long-file-name.bin
HELLO a b | WC
cd ..
pwd
SLEEP 0.2 &
SLEEP 0.5
cd /
