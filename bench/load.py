"""Section `load`: the first-run data load, `python -m portal setup`, into an empty temp folder."""

import json
import subprocess

from bench.common import PYTHON, ROOT, Context, heading, mb

TARGET_S = 60.0


def run(ctx: Context, *, report: bool = True) -> None:
    ctx.db_path = ctx.workdir / "portal.sqlite3"
    heading("load: python -m portal setup (first run, empty SQLite database)")
    command = [PYTHON, "-m", "bench.child_rusage", PYTHON, "-m", "portal", "setup"]
    done = subprocess.run(command, cwd=ROOT, env=ctx.env(), capture_output=True, text=True)
    for line in done.stderr.splitlines():
        print(f"  | {line}")
    if done.returncode != 0 or not done.stdout.strip():
        raise RuntimeError(f"setup helper failed (exit {done.returncode})")
    stats = json.loads(done.stdout.splitlines()[-1])
    if stats["returncode"] != 0:
        raise RuntimeError(f"`python -m portal setup` exited {stats['returncode']}")
    wall = stats["wall_s"]
    size = sum(p.stat().st_size for p in ctx.workdir.glob("portal.sqlite3*"))
    print(f"  wall time        {wall:8.1f} s   (target < {TARGET_S:.0f} s: {wall / TARGET_S:.0%} of budget)")
    print(f"  CPU time         {stats['cpu_s']:8.1f} s   (CPU/wall {stats['cpu_s'] / wall:.2f})")
    print(f"  peak RSS (child) {mb(stats['maxrss_kb']):>10}")
    print(f"  database size    {mb(size / 1024):>10}")
    if report:
        ctx.target("load: first-run setup", f"{wall:.1f} s", f"< {TARGET_S:.0f} s", wall < TARGET_S)
