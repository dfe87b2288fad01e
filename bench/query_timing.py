"""What the two search sections share: a fixed query file, timed passes through one in-process call
(the first pass cold, reported apart), and the same queries over HTTP beside the bare app."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote_plus

from bench import client, httpkit
from bench.common import Context, percentile
from bench.httpkit import HOST

PASSES = 3
TARGET_P95_MS = 30.0


def read_queries(path: Path) -> list[str]:
    return [q for q in path.read_text().splitlines() if q.strip() and not q.startswith("#")]


def in_process(
    ctx: Context, texts: list[str], query: Callable[[object, str], bool], *, source: str, target: str
) -> None:
    """Open the index once, run every text through `query(index, text)` (true when it found something)
    PASSES + 1 times, and print p50/p95/max per pass, their medians and the slowest queries."""
    from portal.db import make_engine
    from portal.services.search import SearchIndex

    engine = make_engine(ctx.database_url)
    started = time.perf_counter()
    index = SearchIndex.open(engine, ctx.workdir)
    print(f"  SearchIndex.open {time.perf_counter() - started:8.3f} s")
    try:
        runs = []  # per pass: the time of each query, in the file's order
        for _ in range(PASSES + 1):
            times, found = [], 0
            for text in texts:
                t0 = time.perf_counter()
                found += bool(query(index, text))
                times.append((time.perf_counter() - t0) * 1e3)
            runs.append(times)
    finally:
        index.close()
        engine.dispose()
    print(f"  {len(texts)} queries from {source}: {found} with results, {len(texts) - found} with none")
    figures = []
    for times in runs:
        ordered = sorted(times)
        figures.append({"p50": percentile(ordered, 50), "p95": percentile(ordered, 95), "max": ordered[-1]})
    cold, warm = figures[0], figures[1:]
    med = {k: statistics.median(f[k] for f in warm) for k in ("p50", "p95", "max")}
    print(f"  cold pass        p50 {cold['p50']:6.2f}  p95 {cold['p95']:6.2f}  max {cold['max']:7.2f} ms")
    for i, f in enumerate(warm, 1):
        print(f"  pass #{i}          p50 {f['p50']:6.2f}  p95 {f['p95']:6.2f}  max {f['max']:7.2f} ms")
    print(f"  median of {PASSES}      p50 {med['p50']:6.2f}  p95 {med['p95']:6.2f}  max {med['max']:7.2f} ms")
    per_query = sorted(
        ((statistics.median(t[i] for t in runs[1:]), q) for i, q in enumerate(texts)), reverse=True
    )
    print("  slowest (median ms): " + ", ".join(f"{q!r} {ms:.1f}" for ms, q in per_query[:6]))
    ctx.target(target, f"{med['p95']:.2f} ms", f"< {TARGET_P95_MS:.0f} ms", med["p95"] < TARGET_P95_MS)


def over_http(ctx: Context, texts: list[str], path: str, *, prefix: str) -> None:
    """GET `path` + the quoted query for every text, keep-alive clients, portal beside the bare app."""
    rounds, count, warmup = (1, 400, 100) if ctx.quick else (3, 2000, 200)
    print(f"  -- GET {path}<query>, {httpkit.CONCURRENCY} keep-alive clients (informational) --")
    print(f"  {count:,} requests per round after {warmup} warm-up; {rounds} round(s), interleaved")
    raws = [client.request(HOST, f"{path}{quote_plus(text)}") for text in texts]
    items = {"portal": [(raw, 200) for raw in raws], "bare": [(raw, 200) for raw in raws]}
    with httpkit.portal_and_bare(ctx, prefix=prefix) as servers:
        med = httpkit.medians(httpkit.rounds(servers, items, rounds, warmup, count))
    httpkit.ratios(med)
    httpkit.print_logs(servers)
