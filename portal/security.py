"""The web side of staff sign-in and CSRF protection (the rules themselves: `portal/services/auth.py` and
`portal/queries/staff.py`).

- `CsrfMiddleware` gives each browser a random CSRF token in a signed cookie, set only on responses whose
  page used it (so cached public pages never carry a cookie). Templates put it in every form with
  `{{ csrf_field() }}`.
- `checked_form(request)` reads a submitted form and refuses it (403) unless its token matches the cookie
  and the request did not come from another site (Origin / Referer). Every state-changing form handler
  starts with it; a test walks every POST route without a token. A file in a form is cut off while it is
  read once it passes `max_file_size` (64 KiB unless the handler allows more, as the photo upload does).
- `staff_only` wraps a handler: no valid session → to the sign-in page (303, with `next`); the handler
  gets the signed-in `Staff`. Session cookies are signed, HttpOnly, SameSite=Lax and Secure whenever the
  request came over HTTPS or the portal runs in production.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextlib import aclosing
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from markupsafe import Markup, escape
from python_multipart.multipart import parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.db import session_scope
from portal.queries import staff as staff_queries
from portal.queries.staff import Policy, Staff
from portal.services import auth

CSRF_COOKIE = "portal_csrf"
CSRF_FIELD = "csrf_token"
SESSION_COOKIE = "portal_staff"
CSRF_SALT, SESSION_SALT = "csrf", "staff-session"
MAX_FORM_FIELDS = 300
MAX_FORM_PART = 64 * 1024  # a text field, and a file unless the handler allows a larger one
MAX_FORM_FILES = 5
CSRF_MESSAGE = (
    "This form could not be accepted because it has expired or did not come from this site. Go back, "
    "reload the page and send it again."
)


def _secret(scope_or_request: Any) -> str:
    app = scope_or_request.app if isinstance(scope_or_request, Request) else scope_or_request["app"]
    return app.state.settings.secret_key


def is_secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.app.state.settings.environment == "production"


def _cookie_header(name: str, value: str, *, secure: bool, max_age: int | None = None) -> bytes:
    cookie: SimpleCookie = SimpleCookie()
    cookie[name] = value
    morsel = cookie[name]
    morsel["path"] = "/"
    morsel["httponly"] = True
    morsel["samesite"] = "Lax"
    if secure:
        morsel["secure"] = True
    if max_age is not None:
        morsel["max-age"] = max_age
    return morsel.OutputString().encode("latin-1")


class CsrfMiddleware:
    """Puts the browser's CSRF token in `scope["state"]["csrf_token"]` (a new one when it has none or a
    forged one) and sets the cookie on the response when the page used a new token."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        secret = _secret(scope)
        token = auth.unsign(secret, CSRF_SALT, request.cookies.get(CSRF_COOKIE))
        state = scope.setdefault("state", {})
        state["csrf_token"] = token or auth.new_token()
        state["csrf_new"] = token is None
        state["csrf_used"] = False

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start" and state.get("csrf_used") and state.get("csrf_new"):
                value = auth.sign(secret, CSRF_SALT, state["csrf_token"])
                secure = (
                    scope.get("scheme") == "https" or scope["app"].state.settings.environment == "production"
                )
                headers = list(message.get("headers", []))
                headers.append((b"set-cookie", _cookie_header(CSRF_COOKIE, value, secure=secure)))
                headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def csrf_token(request: Request) -> str:
    """The token for this browser's forms; marks the response as needing the cookie."""
    request.scope["state"]["csrf_used"] = True
    return request.scope["state"]["csrf_token"]


def csrf_field(request: Request) -> Markup:
    return Markup('<input type="hidden" name="{}" value="{}">').format(
        CSRF_FIELD, escape(csrf_token(request))
    )


def renew_csrf(request: Request, response: Response) -> None:
    """A fresh token (at sign-in and sign-out), so a token planted before cannot be used after."""
    token = auth.new_token()
    request.scope["state"]["csrf_token"] = token
    value = auth.sign(_secret(request), CSRF_SALT, token)
    response.raw_headers.append(
        (b"set-cookie", _cookie_header(CSRF_COOKIE, value, secure=is_secure(request)))
    )
    request.scope["state"]["csrf_new"] = False


def _same_site(request: Request) -> bool:
    """False when the browser says the request came from another site (Origin, else Referer)."""
    expected = (request.url.scheme, request.url.netloc)
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if value and value != "null":
            parts = urlsplit(value)
            return (parts.scheme, parts.netloc) == expected
    return True  # neither header: a non-browser client, left to the token check


class FileTooLarge(Exception):
    pass


class _FileLimitedParser(MultiPartParser):
    """Starlette limits a form's text parts (`max_part_size`) but spools files to disk whatever their
    size: this parser stops reading a file part as soon as it passes `max_file_size`."""

    def __init__(self, *args: Any, max_file_size: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_file_size, self.file_bytes = max_file_size, 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self.file_bytes = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is not None:
            self.file_bytes += end - start
            if self.file_bytes > self.max_file_size:
                raise FileTooLarge
        super().on_part_data(data, start, end)


async def _read_form(request: Request, max_file_size: int) -> FormData:
    content_type, _ = parse_options_header(request.headers.get("content-type"))
    if content_type != b"multipart/form-data":
        return await request.form(max_fields=MAX_FORM_FIELDS, max_part_size=MAX_FORM_PART)
    async with aclosing(request.stream()) as stream:
        parser = _FileLimitedParser(
            request.headers,
            stream,
            max_files=MAX_FORM_FILES,
            max_fields=MAX_FORM_FIELDS,
            max_part_size=MAX_FORM_PART,
            max_file_size=max_file_size,
        )
        try:
            form = await parser.parse()
        except MultiPartException as error:
            raise HTTPException(400, error.message) from None
        except BaseException:  # cut off (file or body too large, client gone): no spooled file left open
            for file in parser._files_to_close_on_error:
                file.close()
            raise
    request._form = form  # kept as `request.form()` keeps it: a later call returns this form
    return form


def _size(limit: int) -> str:
    return f"{limit / 1024 / 1024:g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


async def checked_form(request: Request, *, max_file_size: int = MAX_FORM_PART) -> FormData:
    """The submitted form, or 403 when the CSRF token is missing, wrong, or the request is cross-site;
    413 as soon as a file in it passes `max_file_size` bytes."""
    if not _same_site(request):
        raise HTTPException(403, CSRF_MESSAGE)
    try:
        form = await _read_form(request, max_file_size)
    except FileTooLarge:
        raise HTTPException(
            413,
            f"The file you chose is too large: it must be {_size(max_file_size)} or smaller. "
            "Go back and choose a smaller file.",
        ) from None
    except HTTPException:
        raise
    except Exception:  # a malformed body: multipart errors and the like
        raise HTTPException(400, "The form could not be read. Go back and send it again.") from None
    cookie = auth.unsign(_secret(request), CSRF_SALT, request.cookies.get(CSRF_COOKIE))
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not auth.same(sent, cookie):
        await form.close()  # a refused form's uploaded files are not kept open
        raise HTTPException(403, CSRF_MESSAGE)
    return form


# -- staff sessions ------------------------------------------------------------------------------------


def policy(request: Request) -> Policy:
    return request.app.state.staff_policy


def session_token(request: Request) -> str | None:
    return auth.unsign(_secret(request), SESSION_SALT, request.cookies.get(SESSION_COOKIE))


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    value = auth.sign(_secret(request), SESSION_SALT, token)
    response.raw_headers.append(
        (b"set-cookie", _cookie_header(SESSION_COOKIE, value, secure=is_secure(request)))
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.raw_headers.append(
        (b"set-cookie", _cookie_header(SESSION_COOKIE, "", secure=is_secure(request), max_age=0))
    )


def _load_staff(request: Request) -> Staff | None:
    token = session_token(request)
    if not token:
        return None
    with session_scope(request.app.state.sessions) as session:
        return staff_queries.staff_for_token(session, token, policy=policy(request))


async def current_staff(request: Request) -> Staff | None:
    if "staff" not in request.scope["state"]:
        request.scope["state"]["staff"] = await run_in_threadpool(_load_staff, request)
    return request.scope["state"]["staff"]


def sign_in_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return str(request.app.url_path_for("staff:sign_in")) + "?next=" + quote(target, safe="/")


Handler = Callable[[Request, Staff], Awaitable[Response]]


def staff_only(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """For staff pages: the handler runs only for a signed-in person, never cached by anyone."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        staff = await current_staff(request)
        if staff is None:
            if request.method in ("GET", "HEAD"):
                return RedirectResponse(sign_in_url(request), status_code=303)
            raise HTTPException(
                401, "You are not signed in, or your session has ended. Sign in and try again."
            )
        response = await handler(request, staff)
        response.headers["cache-control"] = "no-store"
        return response

    return endpoint


def safe_next(target: str | None, default: str) -> str:
    """Only a path on this site: never another host (an open redirect) or a scheme-relative URL."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    decoded = unquote(target)
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in decoded) or decoded.startswith("//") or "\\" in decoded:
        return (
            default  # control characters and spaces (a browser drops tabs: "/\t/x" is "//x"), encoded tricks
        )
    return target
