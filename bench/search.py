"""Section `search`: name search (whoosh) over the fixed queries in bench/search_queries.txt, in-process
through SearchIndex and over HTTP through GET /find.json?q=<query> beside the bare app."""

from pathlib import Path

from bench import query_timing
from bench.common import Context, heading

QUERIES = Path(__file__).with_name("search_queries.txt")


def queries() -> list[str]:
    return query_timing.read_queries(QUERIES)


def run(ctx: Context) -> None:
    heading("search: SearchIndex.search in-process, then GET /find.json?q=<name>")
    texts = queries()
    query_timing.in_process(
        ctx,
        texts,
        lambda index, text: index.search(text),
        source=QUERIES.name,
        target="search: in-process query p95",
    )
    query_timing.over_http(ctx, texts, "/find.json?q=", prefix="search-")
