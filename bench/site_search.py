"""Section `site-search`: everything search (whoosh) on the bench database: a full rebuild of the index
from the database, its size, then the 200 fixed queries of bench/site_queries.txt through
SearchIndex.site in-process, and over HTTP through GET /search.json?q=<query> beside the bare app."""

import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import quote_plus

from bench import client, httpkit
from bench.common import Context, heading, percentile
from bench.httpkit import HOST

QUERIES = Path(__file__).with_name("site_queries.txt")
PASSES = 3
TARGET_P95_MS = 30.0


def queries() -> list[str]:
    lines = QUERIES.read_text().splitlines()
    return [q for q in lines if q.strip() and not q.startswith("#")]


def rebuilds(ctx: Context) -> None:
    from portal.db import make_engine
    from portal.services import search

    engine = make_engine(ctx.database_url)
    runs = [("reindex / setup", search.BUILD_PROCS), ("in a web process", 1)]
    for label, procs in runs[:1] if ctx.quick else runs:
        with tempfile.TemporaryDirectory(prefix="index-", dir=ctx.workdir) as folder:
            started = time.perf_counter()
            report = search.rebuild(engine, Path(folder), procs=procs)
            took = time.perf_counter() - started
            size = search.index_size(Path(folder))
        print(f"  full rebuild, {label} ({procs} process{'es' if procs > 1 else ''}): {took:6.1f} s")
    print(f"  {report.rows_stored:,} documents: {report.notes[0]}")
    print(f"  index size on disk {size / 1e6:.1f} MB ({size / report.rows_stored / 1e3:.2f} kB a document)")
    engine.dispose()


def in_process(ctx: Context, texts: list[str]) -> None:
    from portal.db import make_engine
    from portal.services.search import SearchIndex

    engine = make_engine(ctx.database_url)
    started = time.perf_counter()
    index = SearchIndex.open(engine, ctx.workdir)
    print(f"  SearchIndex.open {time.perf_counter() - started:8.3f} s")
    try:
        runs = []
        for _ in range(PASSES + 1):  # the first pass is the cold one, reported apart
            times, empty = [], 0
            for text in texts:
                t0 = time.perf_counter()
                found = index.site(text)
                times.append((time.perf_counter() - t0) * 1e3)
                empty += not found.total
            runs.append(times)
    finally:
        index.close()
        engine.dispose()
    print(f"  {len(texts)} queries from {QUERIES.name}: {len(texts) - empty} with results, {empty} with none")
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
        "site search: in-process query p95",
        f"{med['p95']:.2f} ms",
        f"< {TARGET_P95_MS:.0f} ms",
        med["p95"] < TARGET_P95_MS,
    )


def over_http(ctx: Context, texts: list[str]) -> None:
    rounds, count, warmup = (1, 400, 100) if ctx.quick else (3, 2000, 200)
    print(f"  -- GET /search.json?q=<query>, {httpkit.CONCURRENCY} keep-alive clients (informational) --")
    print(f"  {count:,} requests per round after {warmup} warm-up; {rounds} round(s), interleaved")
    raws = [client.request(HOST, f"/search.json?q={quote_plus(text)}") for text in texts]
    items = {"portal": [(raw, 200) for raw in raws], "bare": [(raw, 200) for raw in raws]}
    with httpkit.portal_and_bare(ctx, prefix="site-search-") as servers:
        med = httpkit.medians(httpkit.rounds(servers, items, rounds, warmup, count))
    httpkit.ratios(med)
    httpkit.print_logs(servers)


def run(ctx: Context) -> None:
    heading("site-search: rebuild, then SearchIndex.site in-process, then GET /search.json?q=<words>")
    texts = queries()
    rebuilds(ctx)
    in_process(ctx, texts)
    over_http(ctx, texts)
