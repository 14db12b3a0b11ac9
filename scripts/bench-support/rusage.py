"""Runs a command and prints its wall time, CPU time (user+sys) and peak RSS as one JSON line on stderr.

Usage: python3 rusage.py CMD [ARG...]   (the command's own stdout and stderr pass through)
The figures come from wait4(), so they are the command's alone, not this wrapper's.
"""
import json
import os
import sys
import time

t0 = time.monotonic()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(sys.argv[1], sys.argv[1:])
    finally:
        os._exit(127)
_, status, ru = os.wait4(pid, 0)
wall = time.monotonic() - t0
sys.stderr.write(json.dumps({
    "wall_s": wall,
    "cpu_s": ru.ru_utime + ru.ru_stime,
    "maxrss_kb": ru.ru_maxrss,
    "status": os.waitstatus_to_exitcode(status),
}) + "\n")
