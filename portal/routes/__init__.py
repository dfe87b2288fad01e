"""Route modules, one per page group. Each exposes `routes`; `portal.app` mounts them."""

import logging

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.routing import Route

from portal.services import search as search_index

log = logging.getLogger("portal")


def twin(path: str, endpoint, name: str, **kwargs) -> list[Route]:
    """The page and its JSON twin (`….json`), from one endpoint. The `.json` route must come first."""
    return [
        Route(f"{path}.json", endpoint, name=f"{name}_json", **kwargs),
        Route(path, endpoint, name=name, **kwargs),
    ]


async def content_changed(request: Request) -> None:
    """After a change to published content has committed: this process's cached pages refresh now and its
    search index takes in the change; other processes and nodes follow within CACHE_CHECK_SECONDS and
    SEARCH_SYNC_SECONDS."""
    request.app.state.page_cache.changed()
    settings = request.app.state.settings

    def index_it() -> None:
        search_index.sync(request.app.state.engine, settings.var_dir, allow_rebuild=False)
        request.app.state.search.current()  # reopen now, not in the next search request

    try:
        await run_in_threadpool(index_it)
    except Exception:  # the change is saved; the background sync will index it
        log.exception("search index update failed after a change")
