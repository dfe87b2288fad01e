"""The application factory. Nothing is built at import time: engine, templates and the lookup index
belong to the app that `create_app` returns."""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from sqlalchemy import exc as sa_exc
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from portal import migrate, paths
from portal.cache import PageCache
from portal.db import make_engine, make_sessionmaker
from portal.errors import service_unavailable
from portal.middleware import BodySizeLimit, InlineScriptHashes, SecurityHeadersMiddleware
from portal.queries.staff import Policy
from portal.routes import (
    about,
    api,
    api_crime,
    boroughs,
    contact,
    contact_figures,
    crime,
    engagement,
    health,
    home,
    maps,
    pledge,
    search,
    staff,
    staff_admin,
    staff_engagement,
    staff_inbox,
    staff_members,
    teams,
)
from portal.security import CsrfMiddleware
from portal.services.geo import GeoIndex
from portal.services.maps import Tiles
from portal.services.search import SearchIndex, Syncer
from portal.settings import Settings
from portal.templating import make_templates, respond

log = logging.getLogger("portal")


class NotMigrated(RuntimeError):
    pass


class Portal(Starlette):
    """Starlette, with the security headers outside its error middleware, so that even the 500 page
    (which Starlette sends from the outermost layer) carries them."""

    def build_middleware_stack(self):
        return SecurityHeadersMiddleware(super().build_middleware_stack(), self.state.settings)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url, connect_timeout=settings.database_connect_timeout)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        current, head = migrate.current_revision(engine), migrate.head_revision()
        if current != head:
            raise NotMigrated(
                f"the database is at revision {current}, not {head}: run `python -m portal setup`"
            )
        app.state.geo = GeoIndex.load(engine)
        if not app.state.geo.ready:
            log.warning("no ward boundaries are loaded: run `python -m portal setup`")
        app.state.search = SearchIndex.open(engine, settings.var_dir)
        syncer = Syncer(engine, settings.var_dir, settings.search_sync_seconds, app.state.search).start()
        stop = threading.Event()
        if settings.warm_caches:
            tiles = Tiles.from_settings(settings)
            threading.Thread(
                target=teams.warm_ward_maps, args=(app.state.sessions, tiles, stop), daemon=True
            ).start()
        yield
        stop.set()
        syncer.close()
        app.state.search.close()
        engine.dispose()

    app = Portal(
        routes=[
            *health.routes,
            *home.routes,
            *search.routes,
            *maps.routes,
            *teams.index_routes,
            *boroughs.index_routes,
            *crime.routes,
            *pledge.routes,
            *about.top_routes,
            Mount(
                "/teams",
                routes=[*teams.routes, *engagement.team_routes, *crime.team_routes, *pledge.team_routes],
                name="teams",
            ),
            Mount(
                "/boroughs",
                routes=[
                    *boroughs.routes,
                    *engagement.borough_routes,
                    *crime.borough_routes,
                    *pledge.borough_routes,
                ],
                name="boroughs",
            ),
            Mount("/contact", routes=[*contact_figures.routes, *contact.routes], name="contact"),
            Mount("/api", routes=[*api_crime.routes, *pledge.api_routes, *api.routes], name="api"),
            Mount(
                "/staff",
                routes=[
                    *staff.routes,
                    *staff_members.routes,
                    *staff_engagement.routes,
                    *staff_admin.routes,
                    *staff_inbox.routes,
                ],
                name="staff",
            ),
            Mount("/about", routes=about.routes, name="about"),
            Mount("/static", app=StaticFiles(directory=paths.STATIC), name="static"),
        ],
        middleware=[
            Middleware(GZipMiddleware, minimum_size=800),
            Middleware(InlineScriptHashes),
            Middleware(CsrfMiddleware),
            Middleware(BodySizeLimit),
        ],
        exception_handlers={
            HTTPException: http_error,
            sa_exc.DBAPIError: service_unavailable,
            sa_exc.TimeoutError: service_unavailable,
            500: server_error,
        },
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    # An app dropped without running its lifespan (a test, a script) still closes its pooled connections.
    weakref.finalize(app, engine.dispose)
    app.state.sessions = make_sessionmaker(engine)
    app.state.page_cache = PageCache(engine, settings.cache_check_seconds)
    app.state.templates = make_templates()
    app.state.staff_policy = Policy(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_max_hours),
        max_failures=settings.sign_in_max_failures,
        lock_for=timedelta(minutes=settings.sign_in_lock_minutes),
        address_limit=settings.sign_in_address_limit,
        window=timedelta(minutes=settings.sign_in_lock_minutes),
    )
    return app


TITLES = {400: "Bad request", 404: "Page not found", 405: "Method not allowed"}


async def http_error(request: Request, exc: HTTPException) -> Response:
    title = TITLES.get(exc.status_code, "Something went wrong")
    detail = exc.detail if exc.detail and exc.detail != title else ""
    if exc.status_code == 404 and not detail:
        detail = (
            "If you typed the web address, check it is correct. If you pasted it, check you copied all of it."
        )
    context = {"status": exc.status_code, "title": title, "message": detail}
    return respond(request, "errors/error.html", context, status_code=exc.status_code, headers=exc.headers)


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unhandled error on %s", request.url.path, exc_info=exc)
    context = {
        "status": 500,
        "title": "Sorry, there is a problem with the service",
        "message": "Try again later. Nothing you sent has been lost.",
    }
    return respond(request, "errors/error.html", context, status_code=500)
