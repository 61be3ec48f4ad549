"""file_lba.py IMAGE FILE: the LBA of the sector of IMAGE that holds FILE's
bytes 512-1023, found by content (the test files are random, so the match is
unique), for blkdebug error injection on a file's second sector."""
import sys

image = open(sys.argv[1], "rb").read()
want = open(sys.argv[2], "rb").read()[512:1024]
if len(want) != 512:
    sys.exit("file_lba: %s is shorter than 1024 bytes" % sys.argv[2])
at = image.find(want)
if at < 0 or at % 512:
    sys.exit("file_lba: %s's second sector is not in %s" % (sys.argv[2], sys.argv[1]))
if image.find(want, at + 1) >= 0:
    sys.exit("file_lba: %s's second sector is in %s twice" % (sys.argv[2], sys.argv[1]))
print(at // 512)
