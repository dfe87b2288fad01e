"""Section `site-search`: everything search (whoosh) on the bench database: a full rebuild of the index
from the database, its size, then the 200 fixed queries of bench/site_queries.txt through
SearchIndex.site in-process, and over HTTP through GET /search.json?q=<query> beside the bare app."""

import tempfile
import time
from pathlib import Path

from bench import query_timing
from bench.common import Context, heading

QUERIES = Path(__file__).with_name("site_queries.txt")


def queries() -> list[str]:
    return query_timing.read_queries(QUERIES)


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


def run(ctx: Context) -> None:
    heading("site-search: rebuild, then SearchIndex.site in-process, then GET /search.json?q=<words>")
    texts = queries()
    rebuilds(ctx)
    query_timing.in_process(
        ctx,
        texts,
        lambda index, text: index.site(text).total,
        source=QUERIES.name,
        target="site search: in-process query p95",
    )
    query_timing.over_http(ctx, texts, "/search.json?q=", prefix="site-search-")
