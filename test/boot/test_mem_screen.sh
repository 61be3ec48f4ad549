# test_mem_screen.sh: docs/mem-screen.png (the README's second picture) is still
# what the VGA screen shows after `mem` is typed at the shell on the keyboard
# (QEMU's sendkey): tools/screenshot.py boots build/disk.img, waits for the
# prompt, types the command, and compares the screen as test_boot_screen.sh
# does. `python3 tools/screenshot.py make build docs/mem-screen.png mem` makes
# the picture again.
exec timeout -k 5 180 python3 tools/screenshot.py check "$BUILD" docs/mem-screen.png mem
