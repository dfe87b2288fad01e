"""`python -m bench [--quick] [--only NAME,...]`: run the sections, then PASS/MISS per target.

Targets are informational: the exit status is 0 whatever the figures, 1 only if a section crashed.
"""

import argparse
import os
import platform
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path

from bench import (
    contact,
    crime_import,
    httpbench,
    lighthouse,
    load,
    lookup,
    pages,
    scale,
    search,
    site_search,
    traffic,
)
from bench.common import Context, heading

SECTIONS = {
    "load": load.run,
    "lookup": lookup.run,
    "http": httpbench.run,
    "pages": pages.run,
    "search": search.run,
    "site-search": site_search.run,
    "crime-import": crime_import.run,
    "contact": contact.run,
    "scale": scale.run,
    "lighthouse": lighthouse.run,
    "traffic": traffic.run,
}


def loadavg() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts, one HTTP round: a smoke run")
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        metavar="NAME[,NAME]",
        help=f"sections to run, from: {', '.join(SECTIONS)} (default: all)",
    )
    args = parser.parse_args(argv)
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    if unknown := [name for name in args.only if name not in SECTIONS]:
        parser.error(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind, so servers and temp dirs are cleaned up
    started = time.perf_counter()
    print(
        f"portal bench{' --quick' if args.quick else ''}: {', '.join(args.only)} | Python "
        f"{platform.python_version()} | {os.cpu_count()} CPUs | {platform.platform()} | {loadavg()}"
    )
    crashed = []
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        ctx = Context(quick=args.quick, workdir=Path(tmp))
        if "load" not in args.only and set(args.only) - {"contact", "scale"}:  # these make their own database
            print("(load not selected: running setup once for a database; its figures are not targets)")
            load.run(ctx, report=False)
        for name in [n for n in SECTIONS if n in args.only]:
            try:
                SECTIONS[name](ctx)
            except Exception:  # report and go on: later sections may still work
                traceback.print_exc()
                crashed.append(name)
    heading(f"summary ({time.perf_counter() - started:.0f} s; {loadavg()})")
    for t in ctx.targets:
        print(f"  {'PASS' if t.passed else 'MISS'}  {t.name:<36} {t.figure:>12}  (target {t.goal})")
    for name in crashed:
        print(f"  ERROR {name}: the section crashed, see above")
    return 1 if crashed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # servers and the temp folder are already gone: context managers unwound
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)
