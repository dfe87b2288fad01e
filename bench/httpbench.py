"""Section `http`: GET /find.json?q=<postcode> on `python -m portal serve`, beside a bare Starlette app."""

import random
from urllib.parse import quote_plus

from bench import client, common, httpkit
from bench.common import Context, heading, mb
from bench.httpkit import CONCURRENCY, HOST

TARGET_P95_MS = 20.0
TARGET_RSS_MB = 400.0


def queries(ctx: Context, n: int, seed: int = 7) -> list[tuple[str, int]]:
    """Random real postcodes as a search box sends them ("RM6+4AB"), with the status the portal gives."""
    geo = ctx.geo()
    rng = random.Random(seed)
    keys = sorted(geo.postcodes)
    picked = [f"{k[:-3]} {k[-3:]}" for k in (rng.choice(keys) for _ in range(n))]
    return [(f"/find.json?q={quote_plus(p)}", geo.lookup_postcode(p).http_status) for p in picked]


def run(ctx: Context) -> None:
    rounds, count, warmup = (1, 600, 200) if ctx.quick else (3, 4000, 500)
    heading(f"http: GET /find.json?q=<postcode>, {CONCURRENCY} keep-alive clients")
    print(f"  {count:,} requests per round after {warmup} warm-up; {rounds} round(s), interleaved")
    portal_items = [(client.request(HOST, path), status) for path, status in queries(ctx, 5000)]
    items = {"portal": portal_items, "bare": [(raw, 200) for raw, _status in portal_items]}
    with httpkit.portal_and_bare(ctx) as servers:
        results = httpkit.rounds(servers, items, rounds, warmup, count)
        after = {
            name: (common.proc_status_kb(s.proc.pid, "VmRSS"), common.proc_status_kb(s.proc.pid, "VmHWM"))
            for name, s in servers.items()
        }
    med = httpkit.medians(results)
    httpkit.ratios(med)
    for name, (rss, hwm) in after.items():
        print(
            f"  {name} server RSS after the run: {mb(rss)} (peak {mb(hwm)}, idle {mb(servers[name].idle_kb)})"
        )
    httpkit.print_logs(servers)
    p, rss_mb = med["portal"], after["portal"][0] / 1024
    ctx.target(
        f"http: /find.json p95, {CONCURRENCY} clients",
        f"{p['p95']:.2f} ms",
        f"< {TARGET_P95_MS:.0f} ms, no errors",
        p["p95"] < TARGET_P95_MS and p["errors"] == 0,
    )
    ctx.target(
        "http: portal server RSS", f"{rss_mb:.0f} MB", f"< {TARGET_RSS_MB:.0f} MB", rss_mb < TARGET_RSS_MB
    )
