"""Response headers every response carries, and the Content-Security-Policy.

`SecurityHeadersMiddleware` wraps the whole application, outside Starlette's error middleware, so the
500 page gets the headers too: nosniff, Referrer-Policy, Permissions-Policy, X-Frame-Options, a default
Content-Security-Policy and, on HTTPS (or in production, behind a TLS proxy), Strict-Transport-Security.
A header a handler set itself (the contact pages' `no-referrer`) is kept.

`InlineScriptHashes` sits inside the GZip middleware and gives each HTML page its own policy. Scripts may
only come from this site (`script-src 'self'`), never `unsafe-inline`; the one kind of inline script the
portal has, folium's generated map set-up, is allowed by its SHA-256 hash, which the middleware computes
from the page it sends. Hashes rather than nonces because whole pages are cached (`portal/cache.py`) and a
cached page must stay valid: the same bytes always have the same hash. An injected script can never match.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import re
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), payment=(), usb=(), geolocation=(self)"),
    (b"cross-origin-opener-policy", b"same-origin"),
]
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
CSP = b"content-security-policy"

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.IGNORECASE | re.DOTALL)


def tiles_origin(tiles_url: str) -> str:
    """The origin map tiles come from, as a CSP source ("https://*.tile.example.org" for "{s}.")."""
    if not tiles_url:
        return ""
    parts = urlsplit(tiles_url.replace("{s}", "x"))
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return ""
    host = parts.netloc.replace("x.", "*.", 1) if "{s}." in tiles_url else parts.netloc
    return f"{parts.scheme}://{host}"


def content_security_policy(tiles_url: str = "", script_hashes: list[str] | None = None) -> str:
    tiles = tiles_origin(tiles_url)
    scripts = " ".join(["'self'", *(f"'sha256-{h}'" for h in script_hashes or [])])
    directives = {
        "default-src": "'self'",
        "script-src": scripts,
        # Leaflet and folium position map panes with inline styles; styles cannot run code.
        "style-src": "'self' 'unsafe-inline'",
        "img-src": " ".join(filter(None, ["'self'", "data:", tiles])),
        "font-src": "'self'",
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def inline_script_hashes(html: bytes) -> list[str]:
    found = []
    for match in INLINE_SCRIPT.finditer(html):
        body = match.group(1)
        if body.strip():
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")
            if digest not in found:
                found.append(digest)
    return found


def _settings(scope: Scope):
    return scope["app"].state.settings


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, settings) -> None:
        self.app = app
        self.settings = settings
        self.default_csp = content_security_policy(settings.map_tiles_url).encode("ascii")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https" or self.settings.environment == "production"

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = [*HEADERS, (CSP, self.default_csp), *([HSTS] if secure else [])]
                message["headers"] = headers + [h for h in extra if h[0] not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class InlineScriptHashes:
    """Holds back an HTML response until its body is complete, then sends it with a policy that allows
    exactly the inline scripts it contains. Other responses pass straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        chunks: list[bytes] = []

        async def hold_html(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                content_type = dict(message.get("headers", [])).get(b"content-type", b"")
                if content_type.startswith(b"text/html"):
                    start = message
                    return
            elif message["type"] == "http.response.body" and start is not None:
                chunks.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(chunks)
                hashes = inline_script_hashes(body)
                tiles = _settings(scope).map_tiles_url
                policy = content_security_policy(tiles, hashes).encode("ascii")
                start["headers"] = [*start.get("headers", []), (CSP, policy)]
                await send(start)
                await send({"type": "http.response.body", "body": body})
                return
            await send(message)

        await self.app(scope, receive, hold_html)


class BodyTooLarge(Exception):
    pass


TOO_LARGE = (
    "The information you sent is too large for this service. Go back and send less, or a smaller file."
)


class BodySizeLimit:
    """Refuses a request body larger than MAX_BODY_BYTES (MAX_UPLOAD_BYTES for a multipart body sent to a
    staff page) with 413: at once when Content-Length says so, and, for a chunked body with no length,
    as soon as the bytes received pass the limit (whatever the handler was doing is dropped). The answer
    is the error page, or JSON under /api and for `.json` / JSON-accepting requests."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def limit(scope: Scope) -> int:
        settings = _settings(scope)
        headers = dict(scope.get("headers", []))
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        if multipart and scope.get("path", "").startswith("/staff/"):
            return settings.max_upload_bytes
        return settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit(scope)
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > limit:
            await self.too_large(scope, send)
            return
        received, exceeded, started = 0, False, False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # the handler's answer to a cut-off body (a 400, say) gives way to the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(BodyTooLarge):
            await self.app(scope, counted_receive, guarded_send)
        if exceeded and not started:
            await self.too_large(scope, send)

    @staticmethod
    async def too_large(scope: Scope, send: Send) -> None:
        from portal.templating import respond

        request = Request(scope)
        if request.url.path.startswith("/api/"):
            response: Response = JSONResponse({"error": TOO_LARGE}, status_code=413)
        else:
            context = {"status": 413, "title": "Too much information sent", "message": TOO_LARGE}
            response = respond(request, "errors/error.html", context, status_code=413)
        response.headers["connection"] = "close"

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, no_body, send)
