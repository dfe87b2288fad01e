"""What the HTTP sections share: the portal and the bare app started side by side, interleaved rounds of
keep-alive load through bench/client.py, per-round figures, their medians and the printed lines."""

import http.client
import statistics
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import client, common
from bench.common import PYTHON, ROOT, Context, mb

HOST = "127.0.0.1"
CONCURRENCY = 20
COMMANDS = {"portal": [PYTHON, "-m", "portal", "serve"], "bare": [PYTHON, "-m", "bench.bare_app"]}
PROBES = {"portal": "/find.json?q=SW1A+2AA", "bare": "/find.json"}


@dataclass
class Server:
    name: str
    proc: subprocess.Popen
    port: int
    took: float  # seconds from start until it answered the probe
    log: Path
    idle_kb: int = 0  # VmRSS once started


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


@contextmanager
def portal_and_bare(ctx: Context, prefix: str = "") -> Iterator[dict[str, Server]]:
    """`python -m portal serve` (WORKERS=1) and bench/bare_app.py, both running; printed once started."""
    with ExitStack() as stack:
        servers = {}
        for name, command in COMMANDS.items():
            log = ctx.workdir / f"{prefix}{name}-server.log"
            env = ctx.env(WORKERS="1", HOST=HOST)
            proc, port, took = stack.enter_context(server(name, command, env, log, PROBES[name]))
            servers[name] = Server(name, proc, port, took, log, common.proc_status_kb(proc.pid, "VmRSS"))
        print(
            "  started: "
            + ", ".join(f"{s.name} in {s.took:.1f} s (RSS {mb(s.idle_kb)})" for s in servers.values()),
            flush=True,
        )
        yield servers


def fetch(port: int, path: str, accept: str = "application/json") -> tuple[int, bytes]:
    """One plain request (for probing), outside the measured load."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("GET", path, headers={"Accept": accept})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


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


def rounds(servers: dict[str, Server], items: dict[str, list], n: int, warmup: int, count: int) -> dict:
    """`n` rounds, each server in turn (so drift in machine load hits both alike); printed as they go.
    Returns {server name: [per-round figures]}."""
    results: dict[str, list[dict]] = {name: [] for name in servers}
    for r in range(n):
        for name, s in servers.items():
            results[name].append(measure(s.proc.pid, s.port, items[name], warmup, count))
            print(line(f"{name} #{r + 1}", results[name][-1]), flush=True)
    return results


def medians(results: dict[str, list[dict]]) -> dict[str, dict]:
    """Per server: the median of each figure over the rounds, errors summed; printed with the error kinds."""
    n = len(next(iter(results.values())))
    print(f"  -- {f'median of {n} rounds' if n > 1 else '1 round (--quick)'}, errors summed --")
    med = {}
    for name, rs in results.items():
        med[name] = {k: statistics.median(r[k] for r in rs) for k in rs[0] if k not in ("errors", "kinds")}
        med[name]["errors"] = sum(r["errors"] for r in rs)
        print(line(name, med[name]))
        if kinds := [r["kinds"] for r in rs if r["kinds"]]:
            print(f"  {name} errors: {kinds}")
    return med


def ratios(med: dict[str, dict]) -> float:
    """Print the portal/bare ratios; return the throughput ratio."""
    p, b = med["portal"], med["bare"]
    print(
        f"  portal/bare: throughput {p['rps'] / b['rps']:.2f}×, p50 latency {p['p50'] / b['p50']:.1f}×, "
        f"server CPU per request {p['srv_cpu'] / b['srv_cpu']:.1f}×"
    )
    return p["rps"] / b["rps"]


def print_logs(servers: dict[str, Server]) -> None:
    for s in servers.values():
        if log := s.log.read_text(errors="replace").strip():
            print(f"  {s.name} server log, last lines:")
            print("\n".join(f"  | {x}" for x in log.splitlines()[-15:]))
