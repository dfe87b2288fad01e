"""Run one command and print, as JSON on stdout, its wall time, exit code and peak RSS.

A helper process of its own, so that RUSAGE_CHILDREN covers only that command (and whatever it waited for).
The command's own output goes to stderr.
"""

import json
import resource
import subprocess
import sys
import time

started = time.perf_counter()
code = subprocess.run(sys.argv[1:], stdout=sys.stderr).returncode
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(
    json.dumps(
        {
            "returncode": code,
            "wall_s": wall,
            "maxrss_kb": usage.ru_maxrss,
            "cpu_s": usage.ru_utime + usage.ru_stime,
        }
    )
)
