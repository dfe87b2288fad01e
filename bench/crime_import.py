"""Section `crime-import`: `python -m portal import-crimes` on generated police.uk files, against plain
`csv.reader` reading of the same file, in the bench's temp database.

Run as `python -m bench.crime_import FILE...` it is the child that imports: the CLI's own `import-crimes`
command function, used only while `portal/cli.py` does not yet list `import-crimes` in its argument parser.
"""

import argparse
import csv
import json
import subprocess
import sys
import time
from pathlib import Path

from bench import make_crimes
from bench.common import PYTHON, ROOT, Context, heading, mb

TARGET_ROWS_S = 20_000
TARGET_RSS_MB = 500
ROWS = 100_000
YEAR_ROWS = 95_000


def cli_has_import_crimes() -> bool:
    from portal.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return "import-crimes" in sub.choices


def command(paths: list[Path]) -> list[str]:
    if cli_has_import_crimes():
        return [PYTHON, "-m", "portal", "import-crimes", *map(str, paths)]
    return [PYTHON, "-m", "bench.crime_import", *map(str, paths)]


def timed_import(ctx: Context, paths: list[Path]) -> tuple[dict, str]:
    done = subprocess.run(
        [PYTHON, "-m", "bench.child_rusage", *command(paths)],
        cwd=ROOT,
        env=ctx.env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"import helper failed (exit {done.returncode}):\n{done.stderr}")
    stats = json.loads(done.stdout.splitlines()[-1])
    if stats["returncode"] != 0:
        raise RuntimeError(f"import-crimes exited {stats['returncode']}:\n{done.stderr}")
    return stats, done.stderr


def csv_read_seconds(paths: list[Path]) -> float:
    started = time.perf_counter()
    for path in paths:
        with path.open(newline="", encoding="utf-8") as handle:
            for _ in csv.reader(handle):
                pass
    return time.perf_counter() - started


def report(ctx: Context, label: str, paths: list[Path], rows: int, *, targets: bool) -> None:
    stats, output = timed_import(ctx, paths)
    for line in output.splitlines():
        if line.strip() and "\r" not in line:
            print(f"  | {line}")
    plain = csv_read_seconds(paths)
    rate, plain_rate = rows / stats["wall_s"], rows / plain
    rss = stats["maxrss_kb"] / 1024
    size = sum(p.stat().st_size for p in paths) / 1e6
    print(f"  {label}: {len(paths)} file(s), {rows:,} rows, {size:.0f} MB")
    print(
        f"  import-crimes    {stats['wall_s']:8.1f} s   {rate:10,.0f} rows/s   (CPU {stats['cpu_s']:.1f} s)"
    )
    print(f"  csv.reader only  {plain:8.2f} s   {plain_rate:10,.0f} rows/s")
    print(f"  import / csv.reader time: {stats['wall_s'] / plain:.1f}x")
    print(f"  peak RSS (child) {mb(stats['maxrss_kb']):>10}")
    if targets:
        ctx.target(
            f"crime-import: {label} rows/s", f"{rate:,.0f}", f">= {TARGET_ROWS_S:,}", rate >= TARGET_ROWS_S
        )
        ctx.target(
            f"crime-import: {label} peak RSS", f"{rss:.0f} MB", f"< {TARGET_RSS_MB} MB", rss < TARGET_RSS_MB
        )


def run(ctx: Context) -> None:
    rows = 20_000 if ctx.quick else ROWS
    how = "python -m portal import-crimes" if cli_has_import_crimes() else "the CLI's import-crimes function"
    heading(f"crime-import: {how} on a generated month ({rows:,} rows)")
    folder = ctx.workdir / "crimes"
    folder.mkdir(exist_ok=True)
    boxes = make_crimes.ward_boxes()
    month = make_crimes.write(folder / "2025-01.csv", rows, "2025-01", boxes=boxes)
    report(ctx, "one month", [month], rows, targets=True)
    if ctx.quick:
        print("  (year of 12 files skipped with --quick)")
        return
    heading(f"crime-import: a year, 12 generated files of {YEAR_ROWS:,} rows in one import")
    started = time.perf_counter()
    year = [
        make_crimes.write(folder / f"2024-{m:02d}.csv", YEAR_ROWS, f"2024-{m:02d}", boxes=boxes)
        for m in range(1, 13)
    ]
    print(f"  generated in {time.perf_counter() - started:.0f} s")
    report(ctx, "year", year, 12 * YEAR_ROWS, targets=True)


def child(argv: list[str]) -> int:
    from portal.cli import _import_crimes
    from portal.settings import Settings

    args = argparse.Namespace(paths=[Path(p) for p in argv], dry_run=False)
    return _import_crimes(args, Settings.from_env())


if __name__ == "__main__":
    sys.exit(child(sys.argv[1:]))
