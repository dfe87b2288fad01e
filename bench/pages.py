"""Section `pages`: a team's HTML page and its police.uk-style API twin, on the portal beside the bare app."""

import http.client
import random
import statistics
import time

from bench import client, httpkit
from bench.common import Context, heading
from bench.httpkit import CONCURRENCY, HOST

SEED = 679
TARGET_SHARE = 0.25  # portal throughput as a share of the bare route's
TARGET_P95_MS = 50.0
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ENDPOINTS = [  # (label, path pattern, Accept header, throughput share target or None, p95 target in ms)
    ("team page", "/teams/{code}", BROWSER, TARGET_SHARE, TARGET_P95_MS),
    ("API", "/api/metropolitan/{code}", "application/json", TARGET_SHARE, TARGET_P95_MS),
    ("ward crime page", "/teams/{code}/crime", BROWSER, None, 100.0),  # issue 5: p95 < 100 ms
    ("team Pledge scorecard", "/teams/{code}/pledge", BROWSER, None, 100.0),  # issue 6
]
COLD_SAMPLE = 150  # pages measured cold per endpoint (every team's page would take minutes for some)


def team_codes(ctx: Context) -> list[str]:
    """The ward codes (E05…) of the Met's Safer Neighbourhood Teams in this run's database."""
    from sqlalchemy import select

    from portal.db import make_engine
    from portal.models import Team

    engine = make_engine(ctx.database_url)
    with engine.connect() as conn:
        codes = sorted(code for (code,) in conn.execute(select(Team.id)))
    engine.dispose()
    return codes


def probe(port: int, paths: list[str], accept: str) -> dict[int, int]:
    """Status -> count over a few plain requests, and the median body size printed."""
    statuses: dict[int, int] = {}
    sizes = []
    for path in paths:
        status, body = httpkit.fetch(port, path, accept)
        statuses[status] = statuses.get(status, 0) + 1
        sizes.append(len(body))
    size = statistics.median(sizes)
    print(f"  probe: {len(paths)} requests, status {statuses}, median body {size:,.0f} bytes")
    return statuses


def cold_pass(port: int, paths: list[str], accept: str) -> float:
    """Request every page once, one at a time: the cost of a page nobody has asked for yet."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    took = []
    for path in paths:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Accept": accept})
        conn.getresponse().read()
        took.append((time.perf_counter() - started) * 1e3)
    conn.close()
    return statistics.median(took)


def run(ctx: Context) -> None:
    rounds, count, warmup = (1, 400, 100) if ctx.quick else (3, 2000, 300)
    codes = team_codes(ctx)
    rng = random.Random(SEED)
    picked = [rng.choice(codes) for _ in range(3000)]
    heading(f"pages: team page and API neighbourhood, {CONCURRENCY} keep-alive clients")
    print(
        f"  {len(codes)} Met teams, codes drawn at random (seed {SEED}); {count:,} requests per round after "
        f"{warmup} warm-up; {rounds} round(s), interleaved"
    )
    with httpkit.portal_and_bare(ctx, prefix="pages-") as servers:
        for label, pattern, accept, share_target, p95_target in ENDPOINTS:
            print(f"  -- {label}: GET {pattern} (Accept: {accept.split(',')[0]}) --")
            paths = [pattern.format(code=code) for code in picked]
            statuses = probe(servers["portal"].port, paths[:20], accept)
            if set(statuses) == {404}:
                print(f"  endpoint not available: {pattern} answered 404 to every probe; not measured")
                ctx.target(f"pages: {label}", "not available", f"< {p95_target:.0f} ms", False)
                continue
            sample = random.Random(SEED).sample(codes, min(COLD_SAMPLE, len(codes)))
            cold_paths = [pattern.format(code=code) for code in sample]
            cold_ms = cold_pass(servers["portal"].port, cold_paths, accept)
            print(
                f"  cold: first request for {len(sample)} of the {len(codes)} pages, one client: median "
                f"{cold_ms:.2f} ms (rendered and cached); the rounds below measure the warm steady state"
            )
            raws = [client.request(HOST, path, accept) for path in paths]
            items = {"portal": [(raw, 200) for raw in raws], "bare": [(raw, 200) for raw in raws]}
            med = httpkit.medians(httpkit.rounds(servers, items, rounds, warmup, count))
            share, p = httpkit.ratios(med), med["portal"]
            if share_target is not None:
                ctx.target(
                    f"pages: {label} vs bare",
                    f"{share:.0%}",
                    f">= {share_target:.0%} of bare",
                    share >= share_target,
                )
            ctx.target(
                f"pages: {label} p95",
                f"{p['p95']:.2f} ms",
                f"< {p95_target:.0f} ms, no errors",
                p["p95"] < p95_target and p["errors"] == 0,
            )
    httpkit.print_logs(servers)
