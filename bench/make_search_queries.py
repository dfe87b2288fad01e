"""Write bench/search_queries.txt: the 200 fixed queries of the `search` section.

    .venv/bin/python -m bench.make_search_queries [--database-url URL]

Names are read from a database loaded by `python -m portal setup`: the one at --database-url, or else a
fresh one made in a temporary folder (about 20 s). The output depends only on the bundled data and SEED,
so running it again gives the same file; the file is kept in the repository.

The mix (200): 60 team names and 20 names of 2018 wards as they are (some lower-case), 40 team names with
one typo (a letter dropped, two swapped or one replaced, in turn), 20 borough names, 20 two-word partial
place names, 20 single words (the first word of a team name, or a prefix of it, as typed so far) and 20
team names followed by their borough ("Coulsdon Town, Croydon").
"""

import argparse
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import PYTHON, ROOT

SEED = 20240917
OUT = Path(__file__).with_name("search_queries.txt")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
PARTIALS = [
    "south norwood", "kings cross", "west ham", "east acton", "north kensington", "crystal palace",
    "canary wharf", "brixton hill", "herne hill", "forest gate", "tooting bec", "stoke newington",
    "bethnal green", "mile end", "seven sisters", "golders green", "west hampstead", "upper norwood",
    "hackney wick", "notting hill",
]  # fmt: skip


def names(database_url: str) -> tuple[list[tuple[str, str]], list[str], list[str]]:
    """(team name, its borough) pairs, 2018 ward names and borough names, each sorted and distinct."""
    from sqlalchemy import select

    from portal.db import make_engine
    from portal.models import LEGACY_GENERATION, Borough, Team, Ward

    engine = make_engine(database_url)
    with engine.connect() as conn:
        pairs = select(Team.name, Borough.name).join(Borough, Borough.code == Team.borough_code)
        teams = sorted({(n, b) for n, b in conn.execute(pairs)})
        legacy = select(Ward.name).where(Ward.generation == LEGACY_GENERATION)
        old = sorted({n for (n,) in conn.execute(legacy)} - {n for n, _b in teams})
        boroughs = sorted({n for (n,) in conn.execute(select(Borough.name))})
    engine.dispose()
    return teams, old, boroughs


def typo(rng: random.Random, name: str, kind: int) -> str:
    """One letter of a word of 4 letters or more: dropped (0), swapped with the next (1) or replaced (2)."""
    words = name.split()
    choices = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()] or [0]
    i = rng.choice(choices)
    word = words[i]
    j = rng.randrange(1, len(word) - 1) if len(word) > 2 else 0  # keep the first letter, as people do
    if kind == 0:
        word = word[:j] + word[j + 1 :]
    elif kind == 1 and word[j] != word[j + 1]:
        word = word[:j] + word[j + 1] + word[j] + word[j + 2 :]
    else:
        word = word[:j] + rng.choice([c for c in LETTERS if c != word[j].lower()]) + word[j + 1 :]
    words[i] = word
    return " ".join(words)


def cased(rng: random.Random, text: str) -> str:
    return text.lower() if rng.random() < 0.3 else text


def build(teams: list[tuple[str, str]], old: list[str], boroughs: list[str]) -> list[str]:
    rng = random.Random(SEED)
    pairs = rng.sample(teams, 140)
    picked = [n for n, _b in pairs]
    out = [cased(rng, n) for n in picked[:60]]
    out += [cased(rng, n) for n in rng.sample(old, 20)]
    out += [cased(rng, typo(rng, n, k % 3)) for k, n in enumerate(picked[60:100])]
    out += [cased(rng, n) for n in rng.sample([b for b in boroughs if b != "City of London"], 20)]
    out += PARTIALS
    for n in picked[100:120]:
        first = next((w for w in n.split() if len(w) >= 4 and w.isalpha()), n.split()[0])
        out.append(
            first.lower() if rng.random() < 0.5 else first.lower()[: rng.randint(4, max(4, len(first)))]
        )
    out += [cased(rng, f"{n}, {b}") for n, b in pairs[120:140]]
    assert len(out) == 200 and not any(c.isdigit() for q in out for c in q), (
        "names must not look like postcodes"
    )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.make_search_queries", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--database-url", help="a database `setup` has loaded (default: make one in a temp folder)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="portal-queries-") as tmp:
        url = args.database_url
        if url is None:
            url = f"sqlite:///{Path(tmp) / 'portal.sqlite3'}"
            env = dict(os.environ, DATABASE_URL=url, VAR_DIR=tmp, LOG_LEVEL="warning")
            print("running `python -m portal setup` in a temporary folder …", file=sys.stderr)
            subprocess.run(
                [PYTHON, "-m", "portal", "setup"], cwd=ROOT, env=env, check=True, capture_output=True
            )
        queries = build(*names(url))
    header = [
        "# The `search` section's fixed queries, one a line, from `python -m bench.make_search_queries`.",
        f"# seed {SEED}: 60 team names, 20 names of 2018 wards, 40 team names with a typo, 20 boroughs,",
        "# 20 two-word partial place names, 20 single words or prefixes, 20 'team name, borough'.",
        "# Lines starting with # are ignored.",
    ]
    OUT.write_text("\n".join(header + queries) + "\n")
    print(f"wrote {len(queries)} queries to {OUT.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
