"""Write bench/site_queries.txt: the 200 fixed queries of the `site-search` section.

    .venv/bin/python -m bench.make_site_queries [--database-url URL]

Words are read from a database loaded by `python -m portal setup` (the bundled real data and the seeded
demo content): the one at --database-url, or else ./var's. The output depends only on that content and
SEED, so running it again gives the same file; the file is kept in the repository.

The mix (200), what residents type into a site's search box: 30 everyday concerns ("drug dealing",
"ward panel"), 40 openings of priority titles, 30 streets and places from priorities, 20 officers' names,
20 team or borough names with a kind of page ("Hackney Central meetings"), 20 Pledge questions, 20
concerns or places with one typo, and 20 "quoted phrases".
"""

import argparse
import os
import random
from pathlib import Path

from bench.make_search_queries import typo

SEED = 20261122
OUT = Path(__file__).with_name("site_queries.txt")
CONCERNS = [
    "drug dealing", "anti-social behaviour", "burglary", "knife crime", "speeding", "moped",
    "phone snatching",
    "street drinking", "graffiti", "shoplifting", "fly-tipping", "noise", "off-road bikes", "car crime",
    "bike theft", "scam", "begging", "nuisance neighbours", "ward panel", "beat surgery", "contact point",
    "police station", "online meeting", "meeting", "cancelled", "weapons sweep", "neighbourhood watch",
    "school", "robbery", "parking",
]  # fmt: skip
PLEDGE = [
    "999 calls", "answer within 24 hours", "satisfaction", "how quickly you answer", "confidence in police",
    "emergency response", "public meetings every month", "priorities reviewed", "monthly updates",
    "dissatisfaction", "crime maps", "team contact details", "time spent on patrol", "victims kept informed",
    "complaint", "Policing Pledge", "101 calls", "treated fairly", "missed target", "what we did",
]  # fmt: skip
KINDS = ["meetings", "priorities", "ward panel", "updates", "team", "police station"]


def words(database_url: str) -> dict[str, list[str]]:
    from sqlalchemy import select

    from portal.db import make_engine
    from portal.models import Borough, Priority, Team, TeamMember

    engine = make_engine(database_url)
    with engine.connect() as conn:
        found = {
            "titles": sorted({t for (t,) in conn.execute(select(Priority.title))}),
            "places": sorted({p for (p,) in conn.execute(select(Priority.place)) if p}),
            "officers": sorted({n for (n,) in conn.execute(select(TeamMember.name))}),
            "teams": sorted({n for (n,) in conn.execute(select(Team.name))}),
            "boroughs": sorted({n for (n,) in conn.execute(select(Borough.name))}),
        }
    engine.dispose()
    return found


def build(found: dict[str, list[str]]) -> list[str]:
    rng = random.Random(SEED)
    out = list(CONCERNS)
    for title in rng.sample(found["titles"], 40):
        out.append(" ".join(title.split()[: rng.choice([2, 3, 4])]))
    out += rng.sample(found["places"], 30)
    out += rng.sample(found["officers"], 20)
    for place in rng.sample(found["teams"], 14) + rng.sample(found["boroughs"], 6):
        out.append(f"{place} {rng.choice(KINDS)}")
    out += PLEDGE
    for i, text in enumerate(rng.sample(CONCERNS, 10) + rng.sample(found["places"], 10)):
        out.append(typo(rng, text, i % 3))
    for title in rng.sample(found["titles"], 10):
        out.append('"' + " ".join(title.split()[:2]).lower() + '"')
    for text in rng.sample(CONCERNS, 10):
        out.append(f'"{text}"')
    assert len(out) == 200, len(out)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    from portal.settings import Settings

    url = args.database_url or Settings.from_env().database_url
    queries = build(words(url))
    header = [
        "# The `site-search` section's fixed queries, one a line, from `python -m bench.make_site_queries`.",
        f"# seed {SEED}: 30 concerns, 40 priority-title openings, 30 places, 20 officers, 20 place + kind,",
        "# 20 Pledge questions, 20 with a typo, 20 quoted phrases. Lines starting with # are ignored.",
    ]
    OUT.write_text("\n".join(header + queries) + "\n")
    print(f"wrote {len(queries)} queries to {OUT}")


if __name__ == "__main__":
    main()
