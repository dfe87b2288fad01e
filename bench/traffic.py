"""Section `traffic`: mixed resident traffic at rising concurrency on `python -m portal serve` with
WORKERS=N (SQLite, and PostgreSQL when PORTAL_BENCH_DATABASE_URL is set), beside the bare Starlette app
with the same worker count and nginx serving a static copy of a rendered team page."""

import os
import random
import shutil
import subprocess
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote_plus

from bench import client, common, httpkit, site_search
from bench.common import PYTHON, ROOT, Context, heading
from bench.contact import postgres_schema
from bench.httpkit import HOST
from bench.pages import BROWSER, team_codes

SEED = 1010
WORKERS = int(os.environ.get("PORTAL_BENCH_WORKERS", "2"))  # 2 cores here
LEVELS, QUICK_LEVELS = (1, 4, 16, 64, 128), (1, 16, 64)
TARGET_P95_MS = 100.0  # mixed traffic: the crime page's target (the team page's is 50 ms)
NGINX = "/usr/sbin/nginx"
# (label, weight in %, accept): what one request in the mix is
MIX = [
    ("home /", 10, BROWSER),
    ("/find.json?q=<postcode>", 20, "application/json"),
    ("/find?q=<postcode> (HTML, 303)", 10, BROWSER),
    ("/teams/{code}", 25, BROWSER),
    ("/teams/{code}/crime", 10, BROWSER),
    ("/search?q=<query>", 10, BROWSER),
    ("/api/metropolitan/{code}", 15, "application/json"),
]


def mix(ctx: Context, n: int) -> list[tuple[str, str, int]]:
    """`n` fixed-seed requests: (path, Accept, expected status)."""
    geo, codes, queries = ctx.geo(), team_codes(ctx), site_search.queries()
    keys = sorted(geo.postcodes)
    rng = random.Random(SEED)
    out = []
    for _ in range(n):
        label = rng.choices([m[0] for m in MIX], weights=[m[1] for m in MIX])[0]
        accept = next(m[2] for m in MIX if m[0] == label)
        code = rng.choice(codes)
        if label == "home /":
            out.append(("/", accept, 200))
        elif label.startswith("/find"):
            key = rng.choice(keys)
            postcode = f"{key[:-3]} {key[-3:]}"
            result = geo.locate(postcode)
            if label.startswith("/find.json"):
                out.append((f"/find.json?q={quote_plus(postcode)}", accept, result.http_status))
            else:
                status = 303 if result.kind == "ward" else result.http_status
                out.append((f"/find?q={quote_plus(postcode)}", accept, status))
        elif label == "/search?q=<query>":
            out.append((f"/search?q={quote_plus(rng.choice(queries))}", accept, 200))
        else:
            out.append((label.format(code=code), accept, 200))
    return out


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its live children (uvicorn's workers, nginx's workers)."""
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += common.cpu_seconds(p)
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def ensure_nginx() -> None:
    if not Path(NGINX).exists():
        print("  installing the Debian nginx package for the static baseline", flush=True)
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "nginx"], check=True, env=env)


@contextmanager
def nginx(page: bytes, workers: int):
    """nginx in the foreground, unprivileged, its own config in a temp folder, answering every path with
    `page` (a rendered team page). Yields (process, port)."""
    ensure_nginx()
    with tempfile.TemporaryDirectory(prefix="portal-bench-nginx-") as tmp:
        root = Path(tmp)
        (root / "www").mkdir()
        (root / "www" / "team.html").write_bytes(page)
        port = common.free_port()
        (root / "nginx.conf").write_text(
            f"""daemon off;
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/body; proxy_temp_path {root}/proxy; fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi; scgi_temp_path {root}/scgi;
    keepalive_requests 1000000;
    types {{ text/html html; }}
    server {{
        listen {HOST}:{port};
        root {root}/www;
        location / {{ default_type text/html; try_files /team.html =404; }}
    }}
}}
"""
        )
        user = {}
        if os.geteuid() == 0:  # run it as nobody, not root
            for path in [root, *root.rglob("*")]:
                shutil.chown(path, "nobody", "nogroup")
            user = {"user": "nobody", "group": "nogroup", "extra_groups": []}
        command = [NGINX, "-p", str(root), "-e", str(root / "error.log"), "-c", str(root / "nginx.conf")]
        proc = subprocess.Popen(command, start_new_session=True, **user)
        try:
            started = time.perf_counter()
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"nginx exited {proc.returncode}: {(root / 'error.log').read_text()}")
                try:
                    httpkit.fetch(port, "/")
                    break
                except OSError:
                    if time.perf_counter() - started > 30:
                        raise TimeoutError("nginx did not answer within 30 s") from None
                    time.sleep(0.1)
            yield proc, port
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def pg_setup(url: str, var_dir: Path) -> float:
    """`python -m portal setup` into the throw-away schema; returns the seconds it took."""
    started = time.perf_counter()
    env = dict(os.environ, DATABASE_URL=url, VAR_DIR=str(var_dir), LOG_LEVEL="warning")
    done = subprocess.run(
        [PYTHON, "-m", "portal", "setup"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"`portal setup` on PostgreSQL failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - started


def measure(pid: int, port: int, items, concurrency: int, warmup: int, count: int) -> dict:
    cpu_before, sent = tree_cpu(pid), warmup + count
    stats = client.load(HOST, port, items, concurrency=concurrency, warmup=warmup, count=count)
    return {
        "rps": len(stats.latencies) / stats.elapsed if stats.elapsed else 0.0,
        **{f"p{n}": common.percentile(stats.latencies, n) * 1e3 for n in (50, 95, 99)},
        "errors": sum(stats.errors.values()),
        "kinds": dict(stats.errors),
        "cpu": (tree_cpu(pid) - cpu_before) / sent * 1e3,
    }


def run(ctx: Context) -> None:
    levels = QUICK_LEVELS if ctx.quick else LEVELS
    count, warmup = (400, 100) if ctx.quick else (2000, 200)
    heading(f"traffic: mixed resident traffic, WORKERS={WORKERS}, rising keep-alive connections")
    requests = mix(ctx, 5000)
    print(
        "  mix (fixed seed "
        + str(SEED)
        + "): "
        + ", ".join(f"{label} {weight}%" for label, weight, _ in MIX)
        + f"; per level {warmup} warm-up + {count:,} measured requests per server; levels {levels}"
    )
    portal_items = [(client.request(HOST, path, accept), status) for path, accept, status in requests]
    plain = [(raw, 200) for raw, _ in portal_items]
    pg = os.environ.get("PORTAL_BENCH_DATABASE_URL", "")
    with ExitStack() as stack:
        servers: dict[str, tuple[subprocess.Popen, int, list]] = {}
        env = ctx.env(WORKERS=str(WORKERS), HOST=HOST)
        proc, port, took = stack.enter_context(
            httpkit.server(
                "portal", [PYTHON, "-m", "portal", "serve"], env, ctx.workdir / "traffic-sqlite.log", "/"
            )
        )
        servers["portal-sqlite"] = (proc, port, portal_items)
        print(f"  started portal-sqlite in {took:.1f} s", flush=True)
        if pg:
            url = stack.enter_context(postgres_schema(pg, prefix="bench_traffic"))
            var_dir = ctx.workdir / "traffic-pg"
            print(
                f"  PostgreSQL: setup into a throw-away schema took {pg_setup(url, var_dir):.0f} s",
                flush=True,
            )
            env_pg = dict(env, DATABASE_URL=url, VAR_DIR=str(var_dir))
            proc, port, took = stack.enter_context(
                httpkit.server(
                    "portal", [PYTHON, "-m", "portal", "serve"], env_pg, ctx.workdir / "traffic-pg.log", "/"
                )
            )
            servers["portal-postgresql"] = (proc, port, portal_items)
            print(f"  started portal-postgresql in {took:.1f} s", flush=True)
        else:
            print("  portal-postgresql: skipped (set PORTAL_BENCH_DATABASE_URL=postgresql://… to run it)")
        bare = [PYTHON, "-m", "bench.bare_app", "--workers", str(WORKERS)]
        proc, port, took = stack.enter_context(
            httpkit.server("bare", bare, env, ctx.workdir / "traffic-bare.log", "/")
        )
        servers["bare"] = (proc, port, plain)
        status, page = httpkit.fetch(servers["portal-sqlite"][1], f"/teams/{team_codes(ctx)[0]}", BROWSER)
        proc, port = stack.enter_context(nginx(page, WORKERS))
        servers["nginx"] = (proc, port, plain)
        print(
            f"  nginx serves a static copy of a team page ({len(page):,} bytes, status {status})", flush=True
        )
        results: dict[int, dict[str, dict]] = {}
        for level in levels:
            print(f"  -- {level} connection(s) --", flush=True)
            results[level] = {}
            for name, (proc, port, items) in servers.items():
                r = measure(proc.pid, port, items, level, max(warmup, 2 * level), count)
                results[level][name] = r
                print(
                    f"  {name:<18}{r['rps']:8,.0f} req/s  p50 {r['p50']:7.2f}  p95 {r['p95']:7.2f}  "
                    f"p99 {r['p99']:7.2f} ms  errors {r['errors']:<3} server CPU/req {r['cpu']:.2f} ms",
                    flush=True,
                )
                if r["kinds"]:
                    print(f"  {name} errors: {r['kinds']}")
            rs = results[level]
            for portal in [n for n in rs if n.startswith("portal")]:
                print(
                    f"  {portal}: /bare req/s {rs[portal]['rps'] / rs['bare']['rps']:.3f}×, "
                    f"/nginx req/s {rs[portal]['rps'] / rs['nginx']['rps']:.3f}×"
                )
        print(f"  {os.getloadavg()[0]:.2f} load average (1 min) at the end: the machine is shared")
        for name in servers:
            log = ctx.workdir / {
                "portal-sqlite": "traffic-sqlite.log",
                "portal-postgresql": "traffic-pg.log",
            }.get(name, "traffic-bare.log")
            if name != "nginx" and log.exists() and (text := log.read_text(errors="replace").strip()):
                print(f"  {name} log, last lines:\n" + "\n".join(f"  | {x}" for x in text.splitlines()[-10:]))
    for portal in [n for n in results[levels[0]] if n.startswith("portal")]:
        worst = {lvl: results[lvl][portal]["errors"] for lvl in levels if lvl <= 64}
        ctx.target(
            f"traffic: {portal} errors up to 64 conns",
            str(sum(worst.values())),
            "0",
            sum(worst.values()) == 0,
        )
        if 16 in results:
            p95 = results[16][portal]["p95"]
            ctx.target(
                f"traffic: {portal} p95 at 16 conns",
                f"{p95:.1f} ms",
                f"< {TARGET_P95_MS:.0f} ms",
                p95 < TARGET_P95_MS,
            )
