"""Section `http`: GET /find.json?q=<postcode> on `python -m portal serve`, beside a bare Starlette app."""

import http.client
import random
import statistics
import subprocess
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import quote_plus

from bench import client, common
from bench.common import PYTHON, ROOT, Context, heading, mb

HOST = "127.0.0.1"
CONCURRENCY = 20
TARGET_P95_MS = 20.0
TARGET_RSS_MB = 400.0


@contextmanager
def server(name: str, command: list[str], env: dict[str, str], log: Path, probe: str):
    """Start a server on a free port; yield (process, port, startup seconds) once it answers `probe`.
    It is terminated on the way out, whatever happened."""
    port, started = common.free_port(), time.perf_counter()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*command, "--port", str(port)], cwd=ROOT, env=env, stdout=out, stderr=out, start_new_session=True
        )  # Ctrl-C reaches only the bench, which stops it
        try:
            while proc.poll() is None:
                try:
                    conn = http.client.HTTPConnection(HOST, port, timeout=5)
                    conn.request("GET", probe)
                    conn.getresponse().read()
                    conn.close()
                    break
                except OSError:
                    if time.perf_counter() - started > 180:
                        raise TimeoutError(f"{name} server did not answer within 180 s") from None
                    time.sleep(0.2)
            else:
                tail = log.read_text(errors="replace")[-2000:]
                raise RuntimeError(f"{name} server exited {proc.returncode} before answering:\n{tail}")
            yield proc, port, time.perf_counter() - started
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def queries(ctx: Context, n: int, seed: int = 7) -> list[tuple[str, int]]:
    """Random real postcodes as a search box sends them ("RM6+4AB"), with the status the portal gives."""
    geo = ctx.geo()
    rng = random.Random(seed)
    keys = sorted(geo.postcodes)
    picked = [f"{k[:-3]} {k[-3:]}" for k in (rng.choice(keys) for _ in range(n))]
    return [(f"/find.json?q={quote_plus(p)}", geo.lookup_postcode(p).http_status) for p in picked]


def measure(pid: int, port: int, items, warmup: int, count: int) -> dict:
    cpu_before, client_before, sent = common.cpu_seconds(pid), time.process_time(), count + warmup
    stats = client.load(HOST, port, items, concurrency=CONCURRENCY, warmup=warmup, count=count)
    ms = {f"p{n}": common.percentile(stats.latencies, n) * 1e3 for n in (50, 95, 99)}
    return {
        "rps": len(stats.latencies) / stats.elapsed,
        **ms,
        "errors": sum(stats.errors.values()),
        "kinds": dict(stats.errors),
        "srv_cpu": (common.cpu_seconds(pid) - cpu_before) / sent * 1e3,
        "cli_cpu": (time.process_time() - client_before) / sent * 1e3,
    }


def line(label: str, r: dict) -> str:
    return (
        f"  {label:<10}{r['rps']:7,.0f} req/s  p50 {r['p50']:5.2f}  p95 {r['p95']:5.2f}  "
        f"p99 {r['p99']:5.2f} ms  "
        f"errors {r['errors']:<2.0f} CPU/req: server {r['srv_cpu']:.2f} ms, client {r['cli_cpu']:.2f} ms"
    )


def run(ctx: Context) -> None:
    rounds, count, warmup = (1, 600, 200) if ctx.quick else (3, 4000, 500)
    heading(f"http: GET /find.json?q=<postcode>, {CONCURRENCY} keep-alive clients")
    print(f"  {count:,} requests per round after {warmup} warm-up; {rounds} round(s), interleaved")
    portal_items = [(client.request(HOST, path), status) for path, status in queries(ctx, 5000)]
    items = {"portal": portal_items, "bare": [(raw, 200) for raw, _status in portal_items]}
    commands = {"portal": [PYTHON, "-m", "portal", "serve"], "bare": [PYTHON, "-m", "bench.bare_app"]}
    probes = {"portal": "/find.json?q=SW1A+2AA", "bare": "/find.json"}
    logs = {name: ctx.workdir / f"{name}-server.log" for name in commands}
    results: dict[str, list[dict]] = {name: [] for name in commands}
    with ExitStack() as stack:
        servers = {
            name: stack.enter_context(
                server(name, commands[name], ctx.env(WORKERS="1", HOST=HOST), logs[name], probes[name])
            )
            for name in commands
        }
        idle = {name: common.proc_status_kb(proc.pid, "VmRSS") for name, (proc, _port, _s) in servers.items()}
        print(
            "  started: "
            + ", ".join(
                f"{name} in {took:.1f} s (RSS {mb(idle[name])})"
                for name, (_proc, _port, took) in servers.items()
            )
        )
        for r in range(rounds):  # interleaved, so drift in machine load hits both alike
            for name, (proc, port, _took) in servers.items():
                results[name].append(measure(proc.pid, port, items[name], warmup, count))
                print(line(f"{name} #{r + 1}", results[name][-1]), flush=True)
        after = {
            name: (common.proc_status_kb(proc.pid, "VmRSS"), common.proc_status_kb(proc.pid, "VmHWM"))
            for name, (proc, _port, _took) in servers.items()
        }
    print(f"  -- {f'median of {rounds} rounds' if rounds > 1 else '1 round (--quick)'}, errors summed --")
    med = {}
    for name, rs in results.items():
        med[name] = {k: statistics.median(r[k] for r in rs) for k in rs[0] if k not in ("errors", "kinds")}
        med[name]["errors"] = sum(r["errors"] for r in rs)
        print(line(name, med[name]))
        if kinds := [r["kinds"] for r in rs if r["kinds"]]:
            print(f"  {name} errors: {kinds}")
    p, b = med["portal"], med["bare"]
    print(
        f"  portal/bare: throughput {p['rps'] / b['rps']:.2f}×, p50 latency {p['p50'] / b['p50']:.1f}×, "
        f"server CPU per request {p['srv_cpu'] / b['srv_cpu']:.1f}×"
    )
    for name, (rss, hwm) in after.items():
        print(f"  {name} server RSS after the run: {mb(rss)} (peak {mb(hwm)}, idle {mb(idle[name])})")
        if log := logs[name].read_text(errors="replace").strip():
            print(f"  {name} server log, last lines:")
            print("\n".join(f"  | {x}" for x in log.splitlines()[-15:]))
    rss_mb = after["portal"][0] / 1024
    ctx.target(
        f"http: /find.json p95, {CONCURRENCY} clients",
        f"{p['p95']:.2f} ms",
        f"< {TARGET_P95_MS:.0f} ms, no errors",
        p["p95"] < TARGET_P95_MS and p["errors"] == 0,
    )
    ctx.target(
        "http: portal server RSS", f"{rss_mb:.0f} MB", f"< {TARGET_RSS_MB:.0f} MB", rss_mb < TARGET_RSS_MB
    )
