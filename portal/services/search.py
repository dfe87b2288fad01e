"""Search, with whoosh (the Whoosh-Reloaded distribution): one index over every public page's content.

Two ways in. The finder (`SearchIndex.search`) looks up teams and boroughs by name for "find your team",
forgiving typos and unfinished words. Site search (`SearchIndex.site`) looks through everything: teams and
their members and base, boroughs, meetings, priorities and their actions, updates, the Pledge's promises,
indicators and explanations, and the static pages, with English stemming, phrases, highlighted snippets,
filters, pages of results and "did you mean".

The index lives on local disk under VAR_DIR/index, one per web node, built from the database by `python -m
portal reindex` and by `setup`, never inside a request. A rebuild writes a new folder and then swaps a
symlink, so searches keep working during it. Each process opens the index once; `SearchIndex.current()`
reopens it only when a rebuild has swapped it or an update has added to it.

Keeping it current: every change to published content writes a `content_change` row naming its scope (see
`search_documents`). `sync()` applies the rows an index has not seen yet: it re-indexes the scopes they
name, or rebuilds when an import changed what search covers. The web process that made a change syncs at
once; every web process also syncs every SEARCH_SYNC_SECONDS in a background thread, so an index on
another node converges within that time.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from markupsafe import Markup, escape
from sqlalchemy import Engine, func, select
from whoosh import index as whoosh_index
from whoosh import qparser, scoring
from whoosh import query as wq
from whoosh.analysis import ShingleFilter, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, STORED, TEXT, Schema
from whoosh.lang.porter import stem as porter_stem
from whoosh.query.compound import DefaultOr
from whoosh.searching import Searcher

from portal.db import database_unavailable, make_sessionmaker
from portal.importers.common import ImportReport
from portal.models import ContentChange
from portal.services.search_documents import KINDS, documents

log = logging.getLogger("portal.search")

ANALYZER = StandardAnalyzer(stoplist=None)
STEM = StemmingAnalyzer()  # English: "meetings" finds "meeting", "dealing" finds "dealers"
PAIRS = StemmingAnalyzer() | ShingleFilter(size=2, sep=" ")  # "street drinking" -> "street drink"
SCHEMA = Schema(
    key=ID(stored=True, unique=True),
    kind=ID(stored=True),
    scope=ID,  # re-indexed together; see search_documents
    code=ID(stored=True),
    # the finder's fields: only teams and boroughs have them
    name=TEXT(stored=True, analyzer=ANALYZER, field_boost=3.0),
    borough=TEXT(stored=True, analyzer=ANALYZER),
    content=TEXT(analyzer=ANALYZER),
    # site search: every document
    borough_code=ID(stored=True),
    title=STORED,
    body=STORED,  # shown in snippets
    all=TEXT(analyzer=STEM, phrase=False),  # what a query must match: title, body and place (team, ward,
    # borough); without word positions: a "phrase" is matched on `pairs`
    pairs=TEXT(analyzer=PAIRS, phrase=False),
    path=STORED,
    area=STORED,
    date=DATETIME(stored=True),
)
MAX_QUERY = 200
BUILD_PROCS = min(os.cpu_count() or 1, 4)  # for `reindex` and `setup`
MAX_WORDS = 24
PER_PAGE = 20
MAX_PAGE = 50
# Datasets whose import changes what search covers; other imports (crime, postcodes) leave it alone.
REBUILD_DATASETS = frozenset(
    {"boundaries-borough", "boundaries-ward-2024", "demo-content", "pledge-indicators", "stations"}
)
# How far back a sync looks again for changes committed out of id order (PostgreSQL hands out ids at
# insert, so a slow transaction can commit an id lower than one already seen).
RECHECK_IDS = 200


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


@dataclass(frozen=True)
class Result:
    kind: str
    title: str
    path: str
    area: str
    date: datetime | None
    snippet: Markup
    score: float

    def as_dict(self) -> dict:
        return {
            "type": self.kind,
            "type_label": KINDS[self.kind][0],
            "title": self.title,
            "url": self.path,
            "area": self.area,
            "date": self.date.isoformat() + "Z" if self.date else None,
            "snippet": str(self.snippet),
            "snippet_text": _plain(self.snippet),
        }


@dataclass
class Found:
    """One page of site search results."""

    query: str  # as searched (the corrected words, when the query as typed found nothing)
    results: list[Result] = field(default_factory=list)
    total: int = 0  # matching the kind filter
    counts: dict[str, int] = field(default_factory=dict)  # per kind, before the kind filter
    page: int = 1
    pages: int = 0
    typed: str | None = None  # the query as typed, when it found nothing and `query` is a correction
    suggestion: str | None = None  # did you mean …
    some_words: bool = False  # nothing had every word; these results have some of them

    def as_dict(self) -> dict:
        return {
            "query": self.query,
            "typed": self.typed,
            "suggestion": self.suggestion,
            "some_words": self.some_words,
            "total": self.total,
            "counts": self.counts,
            "page": self.page,
            "pages": self.pages,
            "results": [r.as_dict() for r in self.results],
        }


class QueryError(ValueError):
    """The query cannot be searched; the message says what to do."""


def _plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", str(html)).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


_TOKEN = re.compile(r"\w+(?:['’.]\w+)*")
_STEM = lru_cache(maxsize=50_000)(porter_stem)
SNIPPET = 240


def highlighted(body: str, stems: set[str]) -> Markup:
    """A snippet of `body` around the first word that matched, every matching word in <mark> and
    everything else escaped. (whoosh's highlighter re-analyses the whole text per hit: several times
    slower, for the same result on texts this short.)"""
    body = " ".join(body.split())
    matches = [m for m in _TOKEN.finditer(body) if _STEM(m.group(0).lower()) in stems]
    if not matches:
        return escape(body[:SNIPPET] + ("…" if len(body) > SNIPPET else ""))
    start = max(0, matches[0].start() - 60)
    if start:
        start = body.find(" ", start, matches[0].start()) + 1 or matches[0].start()
    end = min(len(body), start + SNIPPET)
    if end < len(body):
        end = body.rfind(" ", start, end) if body.rfind(" ", start, end) > matches[0].end() else end
    parts = ["…" if start else ""]
    at = start
    for match in matches:
        if match.start() < at or match.end() > end:
            continue
        parts += [escape(body[at : match.start()]), Markup("<mark>%s</mark>") % match.group(0)]
        at = match.end()
    parts += [escape(body[at:end]), "…" if end < len(body) else ""]
    return Markup("").join(parts)


def index_root(var_dir: Path) -> Path:
    return var_dir / "index"


@contextmanager
def _lock(root: Path, name: str = ".lock") -> Iterator[None]:
    """An exclusive lock between the processes of this node: `.lock` for the short moments an index
    changes (an update, a swap), `.rebuild-lock` for the whole of a rebuild, so two never run at once."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / name, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


# -- which changes an index has seen ------------------------------------------------------------------


def _marker(folder: Path) -> dict:
    try:
        return json.loads((folder / "applied.json").read_text())
    except (OSError, ValueError):
        return {"last": 0, "seen": []}


def _write_marker(folder: Path, last: int, seen: set[int]) -> None:
    keep = sorted(i for i in seen if i > last - RECHECK_IDS)
    temporary = folder / "applied.json.tmp"
    temporary.write_text(json.dumps({"last": last, "seen": keep}))
    os.replace(temporary, folder / "applied.json")


# -- checksums: a damaged index is found at start, not by a visitor ---------------------------------------
# whoosh opens an index whose segment files were overwritten in the middle and answers searches from it,
# wrongly (no hits, or too few). So every commit (a build, an update) records each file's size and hash
# in `checksums.json`, and a process checks them when it opens the index at start.

MANIFEST = "checksums.json"
_UNCHECKED = {MANIFEST, MANIFEST + ".tmp", "applied.json", "applied.json.tmp"}


class IndexDamaged(Exception):
    """The index on disk does not match its checksums (or has none)."""


def _checked_files(folder: Path) -> list[Path]:
    files = (f for f in folder.iterdir() if f.is_file() and f.name not in _UNCHECKED)
    return sorted(f for f in files if not f.name.endswith("LOCK"))


def _file_digest(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "blake2b").hexdigest()[:32]


def _write_manifest(folder: Path) -> None:
    files = {f.name: [f.stat().st_size, _file_digest(f)] for f in _checked_files(folder)}
    temporary = folder / (MANIFEST + ".tmp")
    temporary.write_text(json.dumps(files))
    os.replace(temporary, folder / MANIFEST)


def verify(folder: Path) -> None:
    """Raise `IndexDamaged` unless every file the last commit recorded is there, whole and unchanged."""
    try:
        files = json.loads((folder / MANIFEST).read_text())
        recorded = {str(name): (int(size), str(digest)) for name, (size, digest) in files.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        raise IndexDamaged(f"{folder.name} has no readable {MANIFEST}") from None
    if not recorded:
        raise IndexDamaged(f"{folder.name}/{MANIFEST} lists no files")
    for name, (size, digest) in recorded.items():
        path = folder / name
        if not path.is_file():
            raise IndexDamaged(f"{folder.name}/{name} is missing")
        if path.stat().st_size != size or _file_digest(path) != digest:
            raise IndexDamaged(f"{folder.name}/{name} does not match its checksum")


def _latest_change(engine: Engine) -> tuple[int, set[int]]:
    """The newest change id, and the ids near it already committed: what a build reading the database now
    includes."""
    with engine.connect() as connection:
        last = connection.execute(select(func.coalesce(func.max(ContentChange.id), 0))).scalar_one()
        seen = connection.execute(select(ContentChange.id).where(ContentChange.id > last - RECHECK_IDS))
        return last, set(seen.scalars())


# -- building and updating ----------------------------------------------------------------------------


def _progress(total: int, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="indexing", file=sys.stderr, mininterval=0.5)


def rebuild(engine: Engine, var_dir: Path, progress: bool = False, procs: int = 1) -> ImportReport:
    """Build a fresh index beside the live one, then swap it in atomically, then apply whatever changed
    while it was building. `procs` > 1 indexes in that many forked processes: for the command line, not
    for a web process with threads running."""
    with _lock(index_root(var_dir), ".rebuild-lock"):
        return _rebuild(engine, var_dir, progress, procs)


def _rebuild(engine: Engine, var_dir: Path, progress: bool, procs: int) -> ImportReport:
    root = index_root(var_dir)
    report = ImportReport(dataset="search-index", source="database")
    started = time.perf_counter()
    last, seen = _latest_change(engine)  # read first: anything later is applied after the swap
    folder = root / f"build-{time.time_ns()}"
    folder.mkdir()
    try:
        ix = whoosh_index.create_in(folder, SCHEMA)
        with make_sessionmaker(engine)() as session:
            docs = list(documents(session))
        bar = _progress(len(docs), progress)
        writer = (
            ix.writer(limitmb=128, procs=procs, multisegment=True) if procs > 1 else ix.writer(limitmb=256)
        )
        kinds: dict[str, int] = {}
        words: Counter[str] = Counter()
        for i, document in enumerate(docs):
            words.update(w.lower() for w in _WORD.findall(document.get("spell", "")))
            writer.add_document(**_prepared(document))
            kinds[document["kind"]] = kinds.get(document["kind"], 0) + 1
            if bar is not None and i % 500 == 499:
                bar.update(500)
        if bar is not None:
            bar.update(len(docs) % 500)
            bar.close()
        writer.commit()
        # Suggestions come from words used at least twice: a one-off is as likely a typo itself.
        (folder / "words.txt").write_text("".join(f"{w}\t{n}\n" for w, n in words.items() if n > 1))
        _write_manifest(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    report.rows_read = report.rows_stored = len(docs)
    with _lock(root):
        _write_marker(folder, last, seen)
        link = root / "live"
        temporary = root / f"live-{time.time_ns()}"
        temporary.symlink_to(folder.name)
        os.replace(temporary, link)  # atomic: readers see the old index or the new one, never neither
        previous = _previous(root)
        for old in root.glob("build-*"):  # not the new one, the one before it, nor one being built
            if old != folder and old.name != previous and (old / "applied.json").exists():
                shutil.rmtree(old, ignore_errors=True)
        (root / "previous").write_text(folder.name)
    sync(engine, var_dir, allow_rebuild=False)
    size = sum(f.stat().st_size for f in folder.iterdir())
    report.notes.append(", ".join(f"{n:,} {k}" for k, n in sorted(kinds.items())))
    report.notes.append(
        f"index at {link} -> {folder.name}: {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s"
    )
    return report


def _prepared(document: dict) -> dict:
    """A document from `search_documents` as the schema stores it."""
    document = dict(document)
    document.pop("spell", None)
    place = document.pop("place", "")
    title, body = document.get("title", ""), document.get("body", "")
    # The title twice: its words weigh more, at no cost to a query (a second, boosted title query costs
    # several times the search itself on a common word).
    document["all"] = document["pairs"] = "\n".join((title, title, body, place))
    return document


def apply(engine: Engine, var_dir: Path, scopes: set[str]) -> int:
    """Re-index these scopes in the live index in place. Returns how many documents were written; 0 if
    there is no index yet (the next `reindex` or start builds it). Call it holding the lock."""
    folder = _live_folder(var_dir)
    ix = whoosh_index.open_dir(folder)
    with make_sessionmaker(engine)() as session:
        docs = list(documents(session, scopes))
    writer = ix.writer()
    try:
        for scope in scopes:
            writer.delete_by_term("scope", scope)
        for document in docs:
            writer.add_document(**_prepared(document))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()
    _write_manifest(folder)
    return len(docs)


def sync(engine: Engine, var_dir: Path, allow_rebuild: bool = True, procs: int = 1) -> str:
    """Bring this node's index up to date with the content changes it has not seen. Returns what it did:
    "none", "updated N scope(s)", "rebuilt" or "rebuild needed" (when not allowed to rebuild here)."""
    if not exists(var_dir):
        return "none"
    root = index_root(var_dir)
    with _lock(root):
        folder = _live_folder(var_dir)
        marker = _marker(folder)
        last, seen = marker["last"], set(marker["seen"])
        new = _unseen(engine, folder)
        if not new:
            return "none"
        if any(_needs_rebuild(scope) for _, scope in new):
            if not allow_rebuild:
                return "rebuild needed"
            rebuild_now = True
        else:
            rebuild_now = False
            scopes = {scope for _, scope in new if not scope.startswith("load:")}  # other imports: no
            if scopes:
                apply(engine, var_dir, scopes)
            _write_marker(folder, max(last, new[-1][0]), seen | {i for i, _ in new})
    if rebuild_now:
        with _lock(root, ".rebuild-lock"):
            # Another process of this node may have rebuilt while this one waited: look again.
            if not any(_needs_rebuild(scope) for _, scope in _unseen(engine, _live_folder(var_dir))):
                return sync(engine, var_dir, allow_rebuild=False)
            _rebuild(engine, var_dir, progress=False, procs=procs)
        return "rebuilt"
    return f"updated {len(scopes)} scope(s)"


def _unseen(engine: Engine, folder: Path) -> list[tuple[int, str | None]]:
    """The content changes an index has not taken in, oldest first."""
    marker = _marker(folder)
    seen = set(marker["seen"])
    with engine.connect() as connection:
        rows = connection.execute(
            select(ContentChange.id, ContentChange.scope)
            .where(ContentChange.id > marker["last"] - RECHECK_IDS)
            .order_by(ContentChange.id)
        ).all()
    return [(i, scope) for i, scope in rows if i not in seen]


def _needs_rebuild(scope: str | None) -> bool:
    if scope is None:
        return True
    return scope.startswith("load:") and scope.removeprefix("load:") in REBUILD_DATASETS


def _remove_abandoned_builds(root: Path) -> None:
    """Delete the half-built folders of rebuilds that never finished (a process killed mid-build: it
    never wrote `applied.json`). Only when no rebuild is running now, that is when `.rebuild-lock` is
    free; its file outlives the process, but the lock itself died with it."""
    with open(root / ".rebuild-lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return  # a rebuild is running: its folder is not abandoned
        live = os.readlink(root / "live") if (root / "live").is_symlink() else ""
        for folder in root.glob("build-*"):
            if folder.name != live and not (folder / "applied.json").exists():
                log.warning("removing %s, left by an index rebuild that did not finish", folder.name)
                shutil.rmtree(folder, ignore_errors=True)


def _live_folder(var_dir: Path) -> Path:
    root = index_root(var_dir)
    return root / os.readlink(root / "live")


def _previous(root: Path) -> str:
    marker = root / "previous"
    return marker.read_text() if marker.exists() else ""


def exists(var_dir: Path) -> bool:
    live = index_root(var_dir) / "live"
    return live.exists() and whoosh_index.exists_in(live)


def index_size(var_dir: Path) -> int:
    return sum(f.stat().st_size for f in _live_folder(var_dir).iterdir())


class Syncer:
    """The background thread that keeps a web process's index converging with the database."""

    def __init__(self, engine: Engine, var_dir: Path, every: float, index: SearchIndex | None = None):
        self.engine, self.var_dir, self.every, self.index = engine, var_dir, every, index
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, name="search-sync", daemon=True)

    def start(self) -> Syncer:
        if self.every > 0:
            self.thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=30)

    def _run(self) -> None:
        while not self.stop.wait(self.every):
            try:
                if sync(self.engine, self.var_dir) != "none" and self.index is not None:
                    self.index.current()  # reopen here, so no request waits for it
            except Exception as error:  # the database may be down for a while; try again next time
                if database_unavailable(error):  # one line, not a stack trace every few seconds
                    log.warning("search sync failed (database unavailable); trying again in %s s", self.every)
                else:
                    log.exception("search sync failed; trying again in %s s", self.every)


class SearchIndex:
    def __init__(self, var_dir: Path):
        self.root = index_root(var_dir)
        self._target = ""
        self._ix = None
        self._searcher = None
        self._reopen = threading.Lock()
        self.vocabulary = Vocabulary({})
        self.spelling = Vocabulary({})
        self._boroughs: list[tuple[str, str]] = []
        self.name_pairs: set[tuple[str, str]] = set()
        self._view: _View | None = None

    @classmethod
    def open(cls, engine: Engine, var_dir: Path) -> SearchIndex:
        """Open the index, building it first if it is missing or unreadable, then catch up with changes
        made while this node was away."""
        search = cls(var_dir)
        try:
            search._open_checked(var_dir)
        except Exception:  # missing, damaged or unreadable: rebuild rather than fail to start
            with _lock(index_root(var_dir), ".rebuild-lock"):
                try:  # another process of this node may have rebuilt it while this one waited
                    search._open_checked(var_dir)
                except Exception as error:
                    log.warning(
                        "the search index is missing or unreadable (%s: %s): rebuilding it from the database",
                        type(error).__name__,
                        error,
                    )
                    _rebuild(engine, var_dir, progress=False, procs=1)
                    search.current()
        _remove_abandoned_builds(index_root(var_dir))
        sync(engine, var_dir)
        return search

    def _open_checked(self, var_dir: Path) -> None:
        with _lock(index_root(var_dir)):  # no update is half-written while the files are checked
            verify(_live_folder(var_dir))
            self.current()

    def current(self):
        live = self.root / "live"
        target = os.readlink(live)
        with self._reopen:
            if target == self._target and not self._searcher.up_to_date():
                # Updated in place: open a new searcher. Not whoosh's refresh(), which reuses the readers of
                # segments it has seen and so misses deletions made in them since (a re-indexed team would
                # show twice). The old searcher is left to the garbage collector, not closed: another
                # thread may be reading it this moment.
                self._searcher = self._ix.searcher()
                self._view = _View.of(self._searcher)
            elif target != self._target:
                ix = whoosh_index.open_dir(live.parent / target)
                searcher = ix.searcher()
                self.vocabulary = Vocabulary(
                    {f: [w.decode() for w in searcher.lexicon(f)] for f in ("name", "borough")}
                )
                # Suggestions come from words used at least twice: a one-off is as likely a typo itself.
                self.spelling = Vocabulary.load(live.parent / target / "words.txt")
                self.name_pairs = {
                    pair for d in searcher.documents(kind="team") for pair in _pairs(d["name"])
                } | {pair for d in searcher.documents(kind="borough") for pair in _pairs(d["name"])}
                self._boroughs = sorted(
                    ((d["code"], d["name"]) for d in searcher.documents(kind="borough")), key=lambda b: b[1]
                )
                self._view = _View.of(searcher)
                self._ix, self._searcher, self._target = ix, searcher, target
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
        for name, boost in (("name", 1.0), ("borough", 0.5)):
            parts += [wq.Term(name, word, boost=boost) for word in self.vocabulary.near(name, token)]
        return DefaultOr(parts)

    def boroughs(self) -> list[tuple[str, str]]:
        """(code, name) of every borough, by name: for the search filter."""
        self.current()
        return self._boroughs

    # -- site search ----------------------------------------------------------------------------------

    def site(
        self,
        text: str,
        kind: str | None = None,
        borough: str | None = None,
        page: int = 1,
        correct: bool = True,
    ) -> Found:
        """One page of results for `text`, optionally only of one kind or in one borough.

        Every word must match (in the title, the text, or the name of the place); a "quoted phrase" must
        match as written. When nothing matches, a query with misspelt words is corrected and searched
        again (unless `correct` is False), and failing that the results with some of the words are shown.
        """
        text = " ".join(text.split())
        if not text:
            raise QueryError("Enter a word or two to search for")
        if len(text) > MAX_QUERY:
            raise QueryError(f"Enter at most {MAX_QUERY} characters")
        if len(text.split()) > MAX_WORDS:
            raise QueryError(f"Enter at most {MAX_WORDS} words")
        self.current()
        view = self._view
        suggestion = self._suggest(view.searcher, text)
        found = self._run(view, text, kind, borough, page, all_words=True)
        if not found.counts and suggestion and correct:
            corrected = self._run(view, suggestion, kind, borough, page, all_words=True)
            if corrected.counts:
                corrected.typed = text
                return corrected
        if not found.counts:
            retry = suggestion if suggestion and correct else text
            some = self._run(view, retry, kind, borough, page, all_words=False)
            if some.counts:
                some.some_words, some.typed = True, text if retry != text else None
                return some
        found.suggestion = suggestion
        return found

    def _run(
        self, view: _View, text: str, kind: str | None, borough: str | None, page: int, all_words: bool
    ) -> Found:
        query = _parse(text, all_words)
        found = Found(query=text, page=page)
        if query is None:
            return found
        # Count the matches of each kind by set arithmetic on the matching documents (unscored, cheap),
        # then score only for the page wanted, which lets whoosh skip the blocks that cannot reach it.
        matching = set(query.docs(view.searcher))
        if borough:
            matching &= view.borough_docs(borough)
        counts = {k: len(matching & docs) for k, docs in view.kinds.items()}
        found.counts = {k: n for k, n in sorted(counts.items(), key=_kind_order) if n}
        found.total = found.counts.get(kind, 0) if kind else sum(found.counts.values())
        found.pages = min(-(-found.total // PER_PAGE), MAX_PAGE)
        if not found.total:
            return found
        wanted = page * PER_PAGE
        allowed = matching & view.kinds[kind] if kind else matching
        results = view.searcher.search(query, limit=wanted, filter=allowed)
        stems = {word for _, t in query.iter_all_terms() for word in t.split()}
        for hit in results[(page - 1) * PER_PAGE : wanted]:
            stored = hit.fields()
            snippet = highlighted(stored.get("body", ""), stems)
            found.results.append(
                Result(
                    kind=stored["kind"],
                    title=stored.get("title", ""),
                    path=stored["path"],
                    area=stored.get("area", ""),
                    date=stored.get("date"),
                    snippet=snippet,
                    score=hit.score,
                )
            )
        return found

    def _suggest(self, searcher, text: str) -> str | None:
        """The query with each word the index has never seen replaced by the nearest common word; of
        equally near words, one that makes a place's name with its neighbour ("hackney centrl" -> "hackney
        central", not "centre") wins, then the most used."""
        matches = list(_WORD.finditer(text))
        words = [m.group(0).lower() for m in matches]
        changed = False
        for i, match in enumerate(matches):
            word = match.group(0)
            if word in ("AND", "OR", "NOT") or len(word) < 4 or _known(searcher, words[i]):
                continue
            near = self.spelling.nearest("spell", words[i])
            if not near:
                continue
            before, after = words[i - 1] if i else "", words[i + 1] if i + 1 < len(words) else ""
            named = [w for w in near if (before, w) in self.name_pairs or (w, after) in self.name_pairs]
            words[i], changed = (named or near)[0], True
        if not changed:
            return None
        parts, end = [], 0
        for match, word in zip(matches, words, strict=True):
            parts += [text[end : match.start()], word if word != match.group(0).lower() else match.group(0)]
            end = match.end()
        return "".join(parts) + text[end:]


_WORD = re.compile(r"[^\W\d_][\w'’]*")
_ORDER = {kind: i for i, kind in enumerate(KINDS)}


def _kind_order(item: tuple[str, int]) -> int:
    return _ORDER.get(item[0], len(_ORDER))


def _parser(group) -> qparser.QueryParser:
    parser = qparser.QueryParser("all", SCHEMA, group=group)
    # Residents type words and "phrases", perhaps AND, OR, NOT and brackets. Field names, wildcards,
    # ranges and boosts are not for them (and a leading wildcard would walk every word in the index).
    for plugin in (
        qparser.FieldsPlugin,
        qparser.WildcardPlugin,
        qparser.RangePlugin,
        qparser.BoostPlugin,
        qparser.EveryPlugin,
    ):
        parser.remove_plugin_class(plugin)
    return parser


_PARSERS = {True: _parser(qparser.AndGroup), False: _parser(qparser.OrGroup.factory(0.9))}


def _parse(text: str, all_words: bool) -> wq.Query | None:
    """What a document must match; None for a query with no words to search for."""
    try:
        query = _PARSERS[all_words].parse(text)
    except Exception as error:  # whoosh's parser is forgiving, but a query is the public's input
        raise QueryError("We could not read that search. Try plain words, without symbols.") from error
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return None
    # Matching is on one field, fast; a match in the title then counts three times.
    if not any(True for _ in query.iter_all_terms()):
        return None
    return _pairs_for_phrases(query)


def _pairs_for_phrases(query: wq.Query) -> wq.Query:
    """Each "phrase" as the pairs of neighbouring words it is made of: one posting list per pair rather
    than word positions checked document by document (stop words are skipped, so "drinking on the
    parade" matches "drinking on parade" too)."""
    if isinstance(query, wq.Phrase):
        words = query.words
        if len(words) == 1:
            return wq.Term("all", words[0], boost=query.boost)
        return wq.And([wq.Term("pairs", f"{a} {b}") for a, b in pairwise(words)], boost=query.boost)
    if query.is_leaf():
        return query
    return query.apply(_pairs_for_phrases)


def _docs_of(searcher, field_name: str, value: str) -> set[int]:
    try:
        return set(searcher.postings(field_name, value).all_ids())
    except Exception:  # no document has it
        return set()


@dataclass
class _View:
    """One generation of the index as site search reads it, swapped whole so that a search never mixes
    the document numbers of two generations."""

    searcher: Searcher  # ranks by TF-IDF, which whoosh scores several times faster than BM25F over the
    # thousands of matches of a common word (the finder keeps BM25F); it shares the finder's reader
    kinds: dict[str, set[int]]  # the documents of each kind
    boroughs: dict[str, set[int]]  # of each borough, filled as they are asked for

    @classmethod
    def of(cls, searcher) -> _View:
        site = Searcher(searcher.reader(), weighting=scoring.TF_IDF(), closereader=False)
        return cls(site, {kind: _docs_of(searcher, "kind", kind) for kind in KINDS}, {})

    def borough_docs(self, code: str) -> set[int]:
        if code not in self.boroughs:
            self.boroughs[code] = _docs_of(self.searcher, "borough_code", code)
        return self.boroughs[code]


def _pairs(name: str) -> Iterator[tuple[str, str]]:
    words = [w.lower() for w in _WORD.findall(name)]
    return pairwise(words)


def _known(searcher, word: str) -> bool:
    """Whether the live index has this word (edits since the last rebuild included)."""
    stems = [t.text for t in STEM(word)]
    return any(searcher.doc_frequency("all", stem) > 0 for stem in stems)


class Vocabulary:
    """The indexed words of a field, held in memory to find near misses quickly.

    whoosh's FuzzyTerm walks the term list with a pure-Python automaton on every query (tens of
    milliseconds); bucketing the words by first letter and length, and a bounded edit distance over the
    few words of similar length, is far cheaper.
    """

    def __init__(self, words: dict[str, list[str]], counts: dict[str, int] | None = None):
        self.counts = counts or {}
        self.words: dict[str, dict[tuple[str, int], list[str]]] = {}
        for field_name, field_words in words.items():
            buckets: dict[tuple[str, int], list[str]] = {}
            for word in field_words:
                buckets.setdefault((word[:1], len(word)), []).append(word)
            self.words[field_name] = buckets

    def near(self, field_name: str, token: str) -> list[str]:
        return [word for _, word in self._near(field_name, token)]

    @classmethod
    def load(cls, path: Path) -> Vocabulary:
        """The words of site search's texts with how often each is used, as `rebuild` wrote them."""
        counts = {}
        if path.exists():
            for line in path.read_text().splitlines():
                word, _, count = line.partition("\t")
                counts[word] = int(count)
        return cls({"spell": list(counts)}, counts)

    def nearest(self, field_name: str, token: str) -> list[str]:
        """The near words, nearest first, and of those equally near the most used first."""
        near = sorted(
            self._near(field_name, token), key=lambda dw: (dw[0], -self.counts.get(dw[1], 0), dw[1])
        )
        return [word for distance, word in near if distance == near[0][0]]

    def _near(self, field_name: str, token: str) -> list[tuple[int, str]]:
        maxdist = 0 if len(token) <= 3 else (1 if len(token) <= 6 else 2)
        if not maxdist:
            return []
        buckets = self.words.get(field_name, {})
        found = []
        for length in range(len(token) - maxdist, len(token) + maxdist + 1):
            for word in buckets.get((token[:1], length), ()):
                if word != token and (distance := edit_distance(token, word, maxdist)) <= maxdist:
                    found.append((distance, word))
        return found


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edit distance counting a swap of neighbouring letters as one edit, as people make them ("scohol"),
    giving up (returning limit + 1) once every path exceeds `limit`."""
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        if min(current) > limit:
            return limit + 1
        before, previous = previous, current
    return previous[-1]
