"""Section `scale`: a synthetic year of Met-sized data in PostgreSQL.

In a throw-away schema on `PORTAL_BENCH_DATABASE_URL` (skipped when it is not set): `python -m portal setup`
(the bundled data and the demo content of all 679 teams), then 12 generated months of 95,000 street crimes
(bench.make_crimes, distinct months) in one `import-crimes`, timed as the `crime-import` section times it;
then the database size per table; then the `pages` section's endpoints served from that database. The
targets are the earlier issues' (`crime-import` and `pages`), under names starting "scale:".
`--quick`: 2 months of 20,000 rows.
"""

import json
import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bench import crime_import, make_crimes, pages
from bench.common import PYTHON, ROOT, Context, heading, mb
from bench.contact import _postgres_schema

MONTHS, ROWS = 12, 95_000
QUICK_MONTHS, QUICK_ROWS = 2, 20_000


@dataclass
class ScaleContext(Context):
    """A bench context whose database is the PostgreSQL schema, with its targets named "scale: …"."""

    url: str = ""
    parent: Context | None = None

    @property
    def database_url(self) -> str:
        return self.url

    def target(self, name: str, figure: str, goal: str, passed: bool) -> None:
        self.parent.target(f"scale: {name}", figure, goal, passed)


def _setup(ctx: ScaleContext) -> None:
    command = [PYTHON, "-m", "bench.child_rusage", PYTHON, "-m", "portal", "setup"]
    done = subprocess.run(command, cwd=ROOT, env=ctx.env(), capture_output=True, text=True)
    for line in done.stderr.splitlines():
        if line.strip() and "\r" not in line:
            print(f"  | {line}")
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"setup helper failed (exit {done.returncode})")
    stats = json.loads(done.stdout.splitlines()[-1])
    if stats["returncode"] != 0:
        raise RuntimeError(f"`python -m portal setup` exited {stats['returncode']}")
    print(
        f"  setup on PostgreSQL: wall {stats['wall_s']:.1f} s, CPU {stats['cpu_s']:.1f} s, "
        f"peak RSS {mb(stats['maxrss_kb'])}"
    )


def sizes(url: str) -> tuple[list[tuple[str, int, int]], int]:
    """(table, rows estimate, total bytes with indexes and TOAST) for the schema's tables, largest first,
    and their sum."""
    from sqlalchemy import text

    from portal.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        rows = conn.execute(
            text(
                "SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm') ORDER BY 3 DESC"
            )
        ).all()
    engine.dispose()
    tables = [(name, max(int(count), 0), int(size)) for name, count, size in rows]
    return tables, sum(size for _, _, size in tables)


def _print_sizes(url: str) -> None:
    tables, total = sizes(url)
    print(f"  database size (the schema's tables with their indexes and TOAST): {total / 1e6:,.0f} MB")
    for name, count, size in tables[:12]:
        print(f"    {name:<34} {count:>12,} rows  {size / 1e6:10,.1f} MB")
    rest = tables[12:]
    if rest:
        print(f"    ({len(rest)} smaller tables: {sum(s for _, _, s in rest) / 1e6:,.1f} MB)")


def run(ctx: Context) -> None:
    months, rows = (QUICK_MONTHS, QUICK_ROWS) if ctx.quick else (MONTHS, ROWS)
    heading(f"scale: PostgreSQL, all 679 teams' demo content, {months} months x {rows:,} street crimes")
    base = os.environ.get("PORTAL_BENCH_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        print("  skipped: set PORTAL_BENCH_DATABASE_URL=postgresql://… (a throw-away schema is made in it)")
        return
    workdir = ctx.workdir / "scale"
    workdir.mkdir(exist_ok=True)
    started = time.perf_counter()
    with _postgres_schema(base) as url:
        sctx = ScaleContext(quick=ctx.quick, workdir=workdir, url=url, parent=ctx)
        _setup(sctx)
        folder = workdir / "crimes"
        folder.mkdir(exist_ok=True)
        t0 = time.perf_counter()
        boxes = make_crimes.ward_boxes()
        files: list[Path] = [
            make_crimes.write(folder / f"2024-{m:02d}.csv", rows, f"2024-{m:02d}", boxes=boxes)
            for m in range(1, months + 1)
        ]
        print(f"  generated {months} files of {rows:,} rows in {time.perf_counter() - t0:.0f} s")
        crime_import.report(sctx, f"{months} months", files, months * rows, targets=True)
        for path in files:
            path.unlink()
        _print_sizes(url)
        pages.run(sctx)
    print(f"  scale section: {time.perf_counter() - started:.0f} s in all; the schema is dropped")
