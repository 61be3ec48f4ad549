# test_boot_screen.sh: docs/boot-screen.png (the README's picture) is still what
# the VGA screen shows after boot: tools/screenshot.py boots build/disk.img,
# compares the screen's text (numbers aside) and, where the text agrees, its
# pixels with the picture's. `python3 tools/screenshot.py make build
# docs/boot-screen.png` makes the picture again.
exec timeout -k 5 180 python3 tools/screenshot.py check "$BUILD" docs/boot-screen.png
