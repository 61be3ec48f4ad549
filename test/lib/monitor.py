"""monitor.py SOCKET COMMAND...: runs each command on QEMU's human monitor (a
unix socket, `-monitor unix:SOCKET,server=on,wait=off`) and prints the replies,
through tools/screenshot.py's Monitor."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from screenshot import Monitor  # noqa: E402

monitor = Monitor(sys.argv[1])
for command in sys.argv[2:]:
    print(monitor.cmd(command).replace("\r", ""))
