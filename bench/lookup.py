"""Section `lookup`: GeoIndex.lookup_postcode in-process, over postcodes written the ways people type them."""

import random
import statistics
import string
import time
from collections import Counter

from bench.common import Context, heading, mb, proc_status_kb

TARGET_PER_S = 50_000
SEED = 20240601
NOT_LONDON = ["EH", "M", "B", "G", "CF", "LS", "BS", "NE", "L", "S"]


def typed(rng: random.Random, key: str) -> str:
    """A compact postcode ("RM64AB") written as a person might: any case, any spacing."""
    out, inc = key[:-3], key[-3:]
    text = rng.choice([f"{out} {inc}", f"{out}{inc}", f"  {out}   {inc} ", f"{out} {inc} ", f" {out}{inc}"])
    case = rng.randrange(3)
    if case == 1:
        return text.lower()
    if case == 2:
        return "".join(c.lower() if rng.random() < 0.5 else c for c in text)
    return text


def invalid(rng: random.Random, parse) -> str:
    while True:
        length = rng.randint(0, 12)
        text = "".join(rng.choice(string.ascii_letters + string.digits + " -!.") for _ in range(length))
        if parse(text) is None:
            return text


def unknown(rng: random.Random, keys: set[str], outcodes: list[str]) -> str:
    """A well-formed full postcode not in the data: a new London incode, or somewhere outside London."""
    while True:
        incode = str(rng.randrange(10)) + "".join(rng.choice("ABDEFGHJLNPQRSTUWXYZ") for _ in range(2))
        if rng.random() < 0.5:
            outcode = rng.choice(outcodes)
        else:
            outcode = rng.choice(NOT_LONDON) + str(rng.randint(1, 20))
        if outcode + incode not in keys:
            return typed(rng, outcode + incode)


def sample(geo, size: int, seed: int = SEED) -> list[str]:
    from portal.services.postcode import parse

    rng = random.Random(seed)
    keys = sorted(geo.postcodes)
    key_set, outcodes = set(keys), sorted(geo.districts)
    queries = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.05:
            queries.append(invalid(rng, parse))
        elif roll < 0.10:
            queries.append(unknown(rng, key_set, outcodes))
        else:
            queries.append(typed(rng, rng.choice(keys)))
    return queries


def run(ctx: Context) -> None:
    heading("lookup: GeoIndex.lookup_postcode, in-process")
    rss_before = proc_status_kb("self", "VmRSS")
    started = time.perf_counter()
    geo = ctx.geo()
    print(
        f"  GeoIndex.load    {time.perf_counter() - started:8.2f} s   ({len(geo.wards)} wards, "
        f"{len(geo.postcodes):,} postcodes, +{mb(proc_status_kb('self', 'VmRSS') - rss_before)} RSS)"
    )
    size = 10_000 if ctx.quick else 50_000
    queries = sample(geo, size)
    kinds = Counter(geo.lookup_postcode(q).kind for q in queries)
    print(
        f"  sample           {size:,} queries, seed {SEED}: "
        + ", ".join(f"{k} {n / size:.1%}" for k, n in kinds.most_common())
    )
    lookup, rates = geo.lookup_postcode, []
    for _ in range(5):
        started = time.perf_counter()
        for q in queries:
            lookup(q)
        rates.append(size / (time.perf_counter() - started))
    median = statistics.median(rates)
    print(
        f"  lookups/s        {median:10,.0f}   median of 5 (min {min(rates):,.0f}, max {max(rates):,.0f}); "
        f"{1e6 / median:.1f} µs each"
    )
    print(f"  vs target        {median / TARGET_PER_S:8.2f}×  of {TARGET_PER_S:,}/s")
    ctx.target(
        "lookup: in-process lookups/s", f"{median:,.0f}/s", f">= {TARGET_PER_S:,}/s", median >= TARGET_PER_S
    )
