"""Section `search`: name search (whoosh) over the fixed queries in bench/search_queries.txt, in-process
through SearchIndex and over HTTP through GET /find.json?q=<query> beside the bare app."""

import statistics
import time
from pathlib import Path
from urllib.parse import quote_plus

from bench import client, httpkit
from bench.common import Context, heading, percentile
from bench.httpkit import CONCURRENCY, HOST

QUERIES = Path(__file__).with_name("search_queries.txt")
PASSES = 3
TARGET_P95_MS = 30.0


def queries() -> list[str]:
    lines = QUERIES.read_text().splitlines()
    return [q for q in lines if q.strip() and not q.startswith("#")]


def in_process(ctx: Context, texts: list[str]) -> None:
    from portal.db import make_engine
    from portal.services.search import SearchIndex

    engine = make_engine(ctx.database_url)
    started = time.perf_counter()
    index = SearchIndex.open(engine, ctx.workdir)
    print(f"  SearchIndex.open {time.perf_counter() - started:8.3f} s")
    try:
        runs = []  # per pass: the time of each query, in the file's order
        for _ in range(PASSES + 1):  # the first pass is the cold one, reported apart
            times, found = [], 0
            for text in texts:
                t0 = time.perf_counter()
                hits = index.search(text)
                times.append((time.perf_counter() - t0) * 1e3)
                found += bool(hits)
            runs.append(times)
    finally:
        index.close()
        engine.dispose()
    print(f"  {len(texts)} queries from {QUERIES.name}: {found} with a hit, {len(texts) - found} with none")
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
    ctx.target(
        "search: in-process query p95",
        f"{med['p95']:.2f} ms",
        f"< {TARGET_P95_MS:.0f} ms",
        med["p95"] < TARGET_P95_MS,
    )


def over_http(ctx: Context, texts: list[str]) -> None:
    rounds, count, warmup = (1, 400, 100) if ctx.quick else (3, 2000, 200)
    print(f"  -- GET /find.json?q=<query>, {CONCURRENCY} keep-alive clients (informational) --")
    print(f"  {count:,} requests per round after {warmup} warm-up; {rounds} round(s), interleaved")
    raws = [client.request(HOST, f"/find.json?q={quote_plus(text)}") for text in texts]
    items = {"portal": [(raw, 200) for raw in raws], "bare": [(raw, 200) for raw in raws]}
    with httpkit.portal_and_bare(ctx, prefix="search-") as servers:
        med = httpkit.medians(httpkit.rounds(servers, items, rounds, warmup, count))
    httpkit.ratios(med)
    httpkit.print_logs(servers)


def run(ctx: Context) -> None:
    heading("search: SearchIndex.search in-process, then GET /find.json?q=<name>")
    texts = queries()
    in_process(ctx, texts)
    over_http(ctx, texts)
