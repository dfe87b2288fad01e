"""Whole-page caching for the public, read-only pages.

Rendered pages (HTML and JSON twins) are kept in memory per process, keyed by path, query and format, and
tagged with the site's content version (the highest `content_change` id). A process re-reads the version
at most once every CACHE_CHECK_SECONDS, so a change made anywhere shows everywhere within that time, and at
once in the process that made it. Every cached page carries an ETag built from the version, so browsers
and CDNs revalidate cheaply (304).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from portal.db import database_unavailable
from portal.models import ContentChange
from portal.templating import wants_json

CACHE_CONTROL = "public, max-age=0, must-revalidate"
# Pages also depend on the clock ("upcoming" meetings, "review overdue"), so none is kept longer than this.
MAX_AGE_SECONDS = 300


@dataclass(frozen=True)
class CachedPage:
    version: int
    created: float  # time.monotonic()
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...]
    etag: str


class PageCache:
    def __init__(
        self,
        engine: Engine,
        check_seconds: float = 1.0,
        max_pages: int = 4096,
        max_age: float = MAX_AGE_SECONDS,
    ):
        self.engine = engine
        self.max_age = max_age
        self.check_seconds = check_seconds
        self.max_pages = max_pages
        self._pages: OrderedDict[tuple, CachedPage] = OrderedDict()
        self._version = -1
        self._checked = 0.0
        self._stale = True
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def version(self) -> int:
        now = time.monotonic()
        if self._stale or now - self._checked >= self.check_seconds:
            try:
                with self.engine.connect() as connection:
                    self._version = connection.execute(
                        select(func.coalesce(func.max(ContentChange.id), 0))
                    ).scalar_one()
            except Exception as error:
                # The database is unreachable: pages already cached are still served (for at most
                # MAX_AGE_SECONDS), the rest answer 503. The next request looks again.
                if self._version < 0 or not database_unavailable(error):
                    raise
                return self._version
            self._checked, self._stale = now, False
        return self._version

    def changed(self) -> None:
        """This process changed content: look again at the next request."""
        self._stale = True

    def get(self, key: tuple, version: int) -> CachedPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is None or page.version != version or time.monotonic() - page.created > self.max_age:
                return None
            self._pages.move_to_end(key)
            return page

    def put(self, key: tuple, page: CachedPage) -> None:
        with self._lock:
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > self.max_pages:
                self._pages.popitem(last=False)


def cached(endpoint: Callable) -> Callable:
    """Serve a public GET page from the cache while the content version is unchanged."""
    is_async = inspect.iscoroutinefunction(endpoint)

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        cache: PageCache | None = getattr(request.app.state, "page_cache", None)
        if cache is None or request.method != "GET":
            return await (endpoint(request) if is_async else run_in_threadpool(endpoint, request))
        key = (request.url.path, request.url.query, wants_json(request))
        version = cache.version()
        page = cache.get(key, version)
        if page is None:
            cache.misses += 1
            response = await (endpoint(request) if is_async else run_in_threadpool(endpoint, request))
            if response.status_code != 200 or not hasattr(response, "body"):
                return response
            digest = hashlib.blake2b(b"%d:" % version + response.body, digest_size=10).hexdigest()
            etag = f'"{digest}"'
            headers = tuple(
                (k, v) for k, v in response.headers.items() if k not in {"content-length", "etag"}
            )
            page = CachedPage(version, time.monotonic(), response.status_code, response.body, headers, etag)
            cache.put(key, page)
        else:
            cache.hits += 1
        headers = dict(page.headers)
        headers.setdefault("cache-control", CACHE_CONTROL)  # an endpoint may set its own
        if etag_matches(request.headers.get("if-none-match", ""), page.etag):
            return Response(
                status_code=304, headers={"etag": page.etag, "cache-control": headers["cache-control"]}
            )
        response = Response(page.body, status_code=page.status)
        response.headers.update(headers)
        response.headers["etag"] = page.etag
        return response

    return wrapper


def etag_matches(header: str, etag: str) -> bool:
    candidates = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in candidates or "*" in candidates
