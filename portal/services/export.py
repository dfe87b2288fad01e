"""`python -m portal export-static DIR`: the public pages as files, for a CDN or object storage.

Every page is rendered in this process through the real ASGI app (inside its lifespan), so each file holds
the bytes the dynamic app would send; only the site-relative links in HTML attributes are rewritten:

- a link to another exported page becomes a relative link to its file (`../E05000002/`, `crime.csv`);
- a link that only the dynamic app can answer (forms, search, the postcode finder, contact forms, staff,
  any link with a query string) becomes an absolute URL on the dynamic origin (`--dynamic-origin`,
  else EXPORT_DYNAMIC_ORIGIN, else SITE_URL).

Which pages: a crawl from the home page, the team and borough indexes, the London pages and every team's
and borough's pages listed from the database, following every site-relative link of every HTML page, with
each HTML page's `.json` twin. Paths are written as `teams/E05000001/index.html` (HTML),
`api/metropolitan/E05000001/index.json` (JSON with no extension in its path) and as themselves when the
path has an extension (`teams/E05000001.json`, `…/meetings.ics`, `…/updates.atom`, `static/css/portal.css`).
"""

from __future__ import annotations

import asyncio
import json
import os
import posixpath
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from starlette.routing import Mount, Route, compile_path

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Answered only by the dynamic app: forms, search and lookups, staff.
DYNAMIC_PREFIXES = ("/staff", "/contact", "/search", "/find", "/opensearch.xml", "/api/locate-neighbourhood")
# Public exceptions under a dynamic prefix: read-only pages.
STATIC_EXCEPTIONS = ("/contact/figures", "/contact/figures.json")
# The police.uk-compatible API endpoints that take their input from the query string or a POST body.
DYNAMIC_API = re.compile(r"^/api/(crimes-street|crimes-no-location|pledge/explanations)(/|$)")
# A site-relative URL in an HTML attribute: href, src, action, poster, content and data-…-url.
ATTRIBUTE = re.compile(
    r"""(\s(?:href|src|action|poster|content|data-[\w-]*url)=)(["'])(/(?!/)[^"'<>\s]*)\2"""
)
FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)
EXTENSIONS = {"application/json": "json", "application/geo+json": "geojson", "text/html": "html"}
DEFAULT_CONCURRENCY = 4


class ExportProblem(ValueError):
    """Bad options: the export did not start."""


def is_dynamic(path: str) -> bool:
    if path in STATIC_EXCEPTIONS:
        return False
    if DYNAMIC_API.match(path):
        return True
    return any(
        path == p or path.startswith(p.rstrip("/") + "/") or path.startswith(p + ".")
        for p in DYNAMIC_PREFIXES
    )


def file_for(path: str, content_type: str = "text/html") -> str:
    """The file (relative to DIR, '/'-separated) that holds the page at `path`."""
    segments = [s for s in path.split("/") if s]
    if segments and "." in segments[-1]:
        return "/".join(segments)
    ext = EXTENSIONS.get(content_type.split(";")[0].strip(), "html")
    return "/".join([*segments, f"index.{ext}"])


def default_type(path: str) -> str:
    """What a path without an extension holds: JSON under /api, else HTML."""
    return "application/json" if path == "/api" or path.startswith("/api/") else "text/html"


def relative_link(from_file: str, to_file: str, fragment: str = "") -> str:
    """A relative link from one exported file to another; `…/index.html` becomes `…/`."""
    start = posixpath.dirname(from_file) or "."
    target = posixpath.relpath(to_file, start)
    if posixpath.basename(to_file) == "index.html":
        directory = posixpath.dirname(target)
        target = "./" if directory in ("", ".") else directory + "/"
    return target + (f"#{fragment}" if fragment else "")


@dataclass
class Page:
    path: str
    file: str
    status: int
    content_type: str
    size: int
    links: set[str] = field(default_factory=set)


@dataclass
class ExportReport:
    pages: int = 0
    bytes: int = 0
    seconds: float = 0.0
    by_kind: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)  # path -> status, for links that gave no page
    dynamic_links: int = 0
    rewritten_links: int = 0

    def summary(self) -> str:
        kinds = ", ".join(f"{n:,} {k}" for k, n in sorted(self.by_kind.items()))
        text = (
            f"export-static: {self.pages:,} files ({kinds}), {self.bytes / 1e6:,.1f} MB "
            f"in {self.seconds:.1f} s; "
            f"{self.rewritten_links:,} links made relative, {self.dynamic_links:,} sent to the dynamic app"
        )
        if self.failed:
            shown = ", ".join(f"{p} ({s})" for p, s in sorted(self.failed.items())[:10])
            text += (
                f"\n{len(self.failed)} linked path(s) gave no page, left pointing at the dynamic app: {shown}"
            )
        return text


def _route_templates(routes: Iterable, prefix: str = "") -> list[tuple[str, str]]:
    """(path template, name) for every GET route, mounts expanded."""
    found = []
    for route in routes:
        if isinstance(route, Mount) and getattr(route, "routes", None):
            found += _route_templates(route.routes, prefix + route.path)
        elif isinstance(route, Route) and "GET" in (route.methods or {"GET"}):
            found.append((prefix + route.path, route.name))
    return found


def twin_patterns(app) -> list[re.Pattern]:
    """Regexes for the HTML paths that have a `.json` twin (see `portal.routes.twin`)."""
    templates = _route_templates(app.routes)
    names = {name for _, name in templates}
    patterns = []
    for template, name in templates:
        if template.endswith(".json") and name.endswith("_json") and name[: -len("_json")] in names:
            regex, _, _ = compile_path(template[: -len(".json")])
            patterns.append(regex)
    return patterns


def seeds(
    session_factory, teams: int | None = None, only_team: str | None = None
) -> tuple[list[str], set | None, set | None]:
    """The pages to start from, and the team and borough codes to export (None: all)."""
    from sqlalchemy import select

    from portal.models import Borough, Team

    with session_factory() as session:
        codes = sorted(session.scalars(select(Team.id)))
        boroughs = sorted(session.scalars(select(Borough.code)))
    if only_team:
        if only_team not in codes:
            raise ExportProblem(f"--only-team {only_team}: no team has that ward code")
        codes = [only_team]
    elif teams is not None:
        if teams < 0:
            raise ExportProblem("--teams must be 0 or more")
        codes = codes[:teams]
    paths = ["/", "/teams", "/boroughs", "/crime", "/pledge", "/pledge/indicators", "/map", "/about/data"]
    paths += ["/contact/figures", "/api/", "/api/openapi.json", "/api/pledge/openapi.json"]
    paths += ["/api/forces", "/api/forces/metropolitan", "/api/metropolitan/neighbourhoods"]
    paths += ["/api/crime-categories", "/api/crimes-street-dates", "/api/crime-last-updated"]
    wanted_boroughs = set(boroughs)
    if only_team or teams is not None:
        with session_factory() as session:
            wanted_boroughs = set(session.scalars(select(Team.borough_code).where(Team.id.in_(codes))))
    paths += [f"/boroughs/{code}" for code in boroughs if code in wanted_boroughs]
    for code in codes:
        paths += [f"/teams/{code}", f"/api/metropolitan/{code}"]
    if not (only_team or teams is not None):
        return paths, None, None
    return paths, set(codes), wanted_boroughs


class Exporter:
    def __init__(
        self,
        app,
        out: Path,
        dynamic_origin: str,
        concurrency: int = DEFAULT_CONCURRENCY,
        teams: set[str] | None = None,
        boroughs: set[str] | None = None,
        progress: Callable[[str], None] | None = None,
    ):
        self.app, self.out, self.origin = app, out, dynamic_origin.rstrip("/")
        self.concurrency = max(1, concurrency)
        self.teams, self.boroughs = teams, boroughs  # None: every one
        self.redirects: dict[str, str] = {}  # path -> the site path it redirects to
        self.progress = progress or (lambda _text: None)
        self.pages: dict[str, Page] = {}
        self.queued: set[str] = set()
        self.twins = twin_patterns(app)
        self.report = ExportReport()

    def wanted(self, path: str) -> bool:
        """Is this site path one the export writes?"""
        if is_dynamic(path):
            return False
        if self.teams is not None:
            for prefix in ("/teams/", "/api/metropolitan/", "/staff/teams/"):
                if path.startswith(prefix):
                    code = path[len(prefix) :].split("/", 1)[0].split(".", 1)[0]
                    if code.startswith("E05") and code not in self.teams:
                        return False
        if self.boroughs is not None and path.startswith("/boroughs/"):
            code = path[len("/boroughs/") :].split("/", 1)[0].split(".", 1)[0]
            if code not in self.boroughs:
                return False
        return True

    async def run(self, start: list[str]) -> ExportReport:
        import httpx2 as httpx

        started = time.perf_counter()
        self.out.mkdir(parents=True, exist_ok=True)
        queue: asyncio.Queue[str] = asyncio.Queue()
        for path in start:
            self._enqueue(queue, path)
        transport = httpx.ASGITransport(app=self.app)
        async with (
            self.app.router.lifespan_context(self.app),
            httpx.AsyncClient(transport=transport, base_url="http://export.invalid") as client,
        ):
            workers = [asyncio.create_task(self._worker(client, queue)) for _ in range(self.concurrency)]
            await queue.join()
            for worker in workers:
                worker.cancel()
            await asyncio.gather(*workers, return_exceptions=True)
        self._rewrite_all()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _enqueue(self, queue: asyncio.Queue, path: str) -> None:
        if path not in self.queued and self.wanted(path):
            self.queued.add(path)
            queue.put_nowait(path)

    async def _worker(self, client, queue: asyncio.Queue) -> None:
        while True:
            path = await queue.get()
            try:
                await self._fetch(client, queue, path)
            except Exception as error:  # one page's failure is reported, the export goes on
                self.report.failed[path] = 500
                self.progress(f"failed: {path}: {error!r}")
            finally:
                queue.task_done()

    async def _fetch(self, client, queue: asyncio.Queue, path: str) -> None:
        accept = "application/json" if path.startswith("/api") else BROWSER_ACCEPT
        response = await client.get(path, headers={"Accept": accept})
        location = response.headers.get("location", "")
        if response.status_code in (301, 302, 307, 308) and location:
            parts = urlsplit(location)
            if parts.netloc in ("", "export.invalid") and not parts.query and parts.path != path:
                self.redirects[path] = parts.path  # links to it go where it leads
                self._enqueue(queue, parts.path)
                return
        if response.status_code != 200:
            self.report.failed[path] = response.status_code
            return
        content_type = response.headers.get("content-type", "application/octet-stream")
        name = file_for(path, content_type)
        body = response.content
        target = self.out / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        page = Page(path, name, 200, content_type, len(body))
        if content_type.startswith("text/html"):
            text = body.decode("utf-8", errors="replace")
            page.links = {m.group(3) for m in ATTRIBUTE.finditer(text)}
            for link in page.links:
                parts = urlsplit(link)
                if not parts.query:
                    self._enqueue(queue, parts.path)
            if any(p.fullmatch(path) for p in self.twins):
                self._enqueue(queue, path + ".json")
        self.pages[path] = page
        kind = name.rsplit(".", 1)[-1]
        self.report.pages += 1
        self.report.bytes += len(body)
        self.report.by_kind[kind] = self.report.by_kind.get(kind, 0) + 1
        if self.report.pages % 500 == 0:
            self.progress(
                f"  {self.report.pages:,} files, {self.report.bytes / 1e6:,.0f} MB, "
                f"{len(self.queued) - self.report.pages:,} to go"
            )

    def link(self, page: Page, url: str) -> str:
        """What a site-relative URL in `page` becomes."""
        parts = urlsplit(url)
        path, hops = parts.path, 0
        while path in self.redirects and hops < 5:
            path, hops = self.redirects[path], hops + 1
        target = self.pages.get(path)
        if target is None or parts.query:
            self.report.dynamic_links += 1
            return self.origin + url
        self.report.rewritten_links += 1
        if target.path == page.path and parts.fragment:
            return f"#{parts.fragment}"
        return relative_link(page.file, target.file, parts.fragment)

    def rewrite(self, page: Page, text: str) -> str:
        def attribute(match: re.Match) -> str:
            return f"{match.group(1)}{match.group(2)}{self.link(page, match.group(3))}{match.group(2)}"

        def form(match: re.Match) -> str:  # a form always goes to the dynamic app
            tag = match.group(0)
            return re.sub(
                r"""(\saction=)(["'])([^"']*)\2""",
                lambda m: f"{m.group(1)}{m.group(2)}{self._absolute(m.group(3))}{m.group(2)}",
                tag,
            )

        text = FORM.sub(form, text)
        return ATTRIBUTE.sub(attribute, text)

    def _absolute(self, url: str) -> str:
        if url.startswith("/") and not url.startswith("//"):
            self.report.dynamic_links += 1
            return self.origin + url
        return url

    def _rewrite_all(self) -> None:
        for page in self.pages.values():
            if not page.content_type.startswith("text/html"):
                continue
            target = self.out / page.file
            body = self.rewrite(page, target.read_text(encoding="utf-8")).encode("utf-8")
            target.write_bytes(body)
            self.report.bytes += len(body) - page.size
            page.size = len(body)
        for path in list(self.report.failed):
            if path in self.pages:
                del self.report.failed[path]


def export_static(
    settings,
    out: Path,
    *,
    dynamic_origin: str | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    teams: int | None = None,
    only_team: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> ExportReport:
    from portal.app import create_app

    origin = (dynamic_origin or settings.export_dynamic_origin or settings.site_url).rstrip("/")
    if not origin.startswith(("http://", "https://")):
        raise ExportProblem(f"--dynamic-origin must start with http:// or https://, not {origin!r}")
    if out.exists() and not out.is_dir():
        raise ExportProblem(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()) and not (out / ".portal-export").exists():
        raise ExportProblem(f"{out} is not empty and is not an earlier export: choose an empty or new folder")
    if concurrency < 1:
        raise ExportProblem("--concurrency must be at least 1")
    app = create_app(settings.with_(warm_caches=False, search_sync_seconds=0))
    start, codes, boroughs = seeds(app.state.sessions, teams=teams, only_team=only_team)
    exporter = Exporter(
        app, out, origin, concurrency=concurrency, teams=codes, boroughs=boroughs, progress=progress
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / ".portal-export").write_text(json.dumps({"dynamic_origin": origin, "pid": os.getpid()}) + "\n")
    return asyncio.run(exporter.run(start))
