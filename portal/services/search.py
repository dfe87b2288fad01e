"""Name search over teams and boroughs, with whoosh (the Whoosh-Reloaded distribution).

The index lives on local disk under VAR_DIR/index and is built from the database by `python -m portal
reindex` and by `setup` (never inside a request). A rebuild writes a new folder and then swaps a symlink,
so searches keep working during it. Each process opens the index once; `SearchIndex.current()` reopens it
only when a rebuild has swapped it.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.analysis import StandardAnalyzer
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.query.compound import DefaultOr

from portal.db import make_sessionmaker
from portal.importers.common import ImportReport
from portal.models import Borough, Team, TeamMember

ANALYZER = StandardAnalyzer(stoplist=None)
SCHEMA = Schema(
    key=ID(stored=True, unique=True),
    kind=ID(stored=True),
    code=ID(stored=True),
    name=TEXT(stored=True, analyzer=ANALYZER, field_boost=3.0),
    borough=TEXT(stored=True, analyzer=ANALYZER),
    borough_code=STORED,
    content=TEXT(analyzer=ANALYZER),
)
MAX_QUERY = 200


@dataclass(frozen=True)
class Hit:
    kind: str  # "team" or "borough"
    code: str
    name: str
    borough: str
    borough_code: str
    score: float

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "code": self.code,
            "name": self.name,
            "borough": {"code": self.borough_code, "name": self.borough},
        }


def index_root(var_dir: Path) -> Path:
    return var_dir / "index"


def documents(engine: Engine, team_ids: list[str] | None = None) -> Iterator[dict]:
    """Every document, or only the given teams' when `team_ids` is set."""
    with make_sessionmaker(engine)() as session:
        members: dict[str, list[str]] = {}
        member_query = select(TeamMember.team_id, TeamMember.name, TeamMember.role)
        team_query = select(Team.id, Team.name, Team.borough_code, Borough.name).join(
            Borough, Borough.code == Team.borough_code
        )
        if team_ids is not None:
            member_query = member_query.where(TeamMember.team_id.in_(team_ids))
            team_query = team_query.where(Team.id.in_(team_ids))
        for team_id, name, role in session.execute(member_query):
            members.setdefault(team_id, []).extend([name, role or ""])
        boroughs = session.execute(select(Borough.code, Borough.name)) if team_ids is None else ()
        for code, name in boroughs:
            yield {
                "key": f"borough:{code}",
                "kind": "borough",
                "code": code,
                "name": name,
                "borough": name,
                "borough_code": code,
                "content": "",
            }
        for code, name, borough_code, borough in session.execute(team_query):
            yield {
                "key": f"team:{code}",
                "kind": "team",
                "code": code,
                "name": name,
                "borough": borough,
                "borough_code": borough_code,
                "content": " ".join(members.get(code, [])),
            }


@contextmanager
def _lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def rebuild(engine: Engine, var_dir: Path) -> ImportReport:
    """Build a fresh index beside the live one, then swap it in atomically."""
    root = index_root(var_dir)
    report = ImportReport(dataset="search-index", source="database")
    with _lock(root):
        folder = root / f"build-{time.time_ns()}"
        folder.mkdir()
        ix = whoosh_index.create_in(folder, SCHEMA)
        writer = ix.writer(limitmb=128)
        for document in documents(engine):
            writer.add_document(**document)
            report.rows_read += 1
        writer.commit()
        report.rows_stored = report.rows_read
        link = root / "live"
        temporary = root / f"live-{time.time_ns()}"
        temporary.symlink_to(folder.name)
        os.replace(temporary, link)  # atomic: readers see the old index or the new one, never neither
        for old in root.glob("build-*"):
            if old != folder and old.name != _previous(root):
                shutil.rmtree(old, ignore_errors=True)
        (root / "previous").write_text(folder.name)
    report.notes.append(f"index at {link} -> {folder.name}")
    return report


def update_teams(engine: Engine, var_dir: Path, team_ids: list[str]) -> int:
    """Re-index these teams in the live index in place (after a staff edit), so search sees the change at
    once; every process's open index notices the new generation on its next search. Returns how many
    documents were written; 0 if there is no index yet (the next `reindex` or start builds it)."""
    root = index_root(var_dir)
    if not exists(var_dir):
        return 0
    wanted = {f"team:{t}" for t in team_ids}
    written = 0
    with _lock(root):
        ix = whoosh_index.open_dir(root / os.readlink(root / "live"))
        writer = ix.writer()
        try:
            for document in documents(engine, team_ids=team_ids):
                if document["key"] in wanted:
                    writer.update_document(**document)
                    written += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
    return written


def _previous(root: Path) -> str:
    marker = root / "previous"
    return marker.read_text() if marker.exists() else ""


def exists(var_dir: Path) -> bool:
    live = index_root(var_dir) / "live"
    return live.exists() and whoosh_index.exists_in(live)


class SearchIndex:
    def __init__(self, var_dir: Path):
        self.root = index_root(var_dir)
        self._target = ""
        self._ix = None
        self._searcher = None

    @classmethod
    def open(cls, engine: Engine, var_dir: Path) -> SearchIndex:
        """Open the index, building it first if it is missing or unreadable."""
        search = cls(var_dir)
        try:
            search.current()
        except Exception:  # missing or corrupt: rebuild rather than fail to start
            rebuild(engine, var_dir)
            search.current()
        return search

    def current(self):
        live = self.root / "live"
        target = os.readlink(live)
        if target == self._target and not self._searcher.up_to_date():
            self._target = ""  # updated in place (a staff edit): reopen it below
        if target != self._target:
            ix = whoosh_index.open_dir(live.parent / target)
            searcher = ix.searcher()
            vocabulary = Vocabulary(
                {f: [w.decode() for w in searcher.lexicon(f)] for f in ("name", "borough")}
            )
            if self._searcher is not None:
                self._searcher.close()
            self._ix, self._searcher, self._target, self.vocabulary = ix, searcher, target, vocabulary
        return self._searcher

    def search(self, text: str, limit: int = 20) -> list[Hit]:
        tokens = [t.text for t in ANALYZER(text[:MAX_QUERY])][:12]  # as the index split the names
        if not tokens:
            return []
        searcher = self.current()
        # DefaultOr: whoosh's automatic choice for small indexes preloads every document per Or node
        for combine in (wq.And, DefaultOr):
            last = len(tokens) - 1
            query = combine([self._token_query(t, prefix=i == last) for i, t in enumerate(tokens)])
            if len(tokens) > 1:
                query = (
                    DefaultOr([query, wq.Phrase("name", tokens, boost=5.0)]) if combine is wq.And else query
                )
            results = searcher.search(query, limit=limit)
            if len(results):
                return [
                    Hit(r["kind"], r["code"], r["name"], r["borough"], r["borough_code"], r.score)
                    for r in results
                ]
        return []

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()

    def _token_query(self, token: str, prefix: bool) -> wq.Query:
        """Exact words score highest; a near miss ("chadwel") still matches by edit distance, and the last
        word may be unfinished ("barking" finds "Barkingside")."""
        parts: list[wq.Query] = [
            wq.Term("name", token, boost=4.0),
            wq.Term("borough", token),
            wq.Term("content", token, boost=0.5),
        ]
        if prefix and len(token) >= 3:
            parts.append(wq.Prefix("name", token, boost=1.5))
        for field, boost in (("name", 1.0), ("borough", 0.5)):
            parts += [wq.Term(field, word, boost=boost) for word in self.vocabulary.near(field, token)]
        return DefaultOr(parts)


class Vocabulary:
    """The indexed words of the name fields, held in memory to find near misses quickly.

    whoosh's FuzzyTerm walks the term list with a pure-Python automaton on every query (tens of
    milliseconds); the vocabulary here is a few thousand words, so a bounded edit distance over the words
    of similar length and the same first letter is far cheaper.
    """

    def __init__(self, words: dict[str, list[str]]):
        self.words: dict[str, dict[tuple[str, int], list[str]]] = {}
        for field, field_words in words.items():
            buckets: dict[tuple[str, int], list[str]] = {}
            for word in field_words:
                buckets.setdefault((word[:1], len(word)), []).append(word)
            self.words[field] = buckets

    def near(self, field: str, token: str) -> list[str]:
        maxdist = 0 if len(token) <= 3 else (1 if len(token) <= 6 else 2)
        if not maxdist:
            return []
        buckets = self.words.get(field, {})
        found = []
        for length in range(len(token) - maxdist, len(token) + maxdist + 1):
            for word in buckets.get((token[:1], length), ()):
                if word != token and edit_distance(token, word, maxdist) <= maxdist:
                    found.append(word)
        return found


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once every path exceeds `limit`."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]
