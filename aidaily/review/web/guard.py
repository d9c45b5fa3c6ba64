"""The review page's security layer: ``Guard``, a pure ASGI middleware in front of the app.

In order, for every request:

1. Host header: without a token only the loopback names and the bound host are served
   (no DNS rebinding); with a token the token is the check.
2. Token (``aidaily web --token``; required on any address other than loopback): as the
   header ``X-Aidaily-Token``, ``Authorization: Bearer``, or the cookie set when a page is
   opened with ``?token=`` (the token is then dropped from the address bar). A browser
   sends a cookie to every port of a host, so a ``Path=/`` cookie would reach the blog,
   the Prefect UI or anything else on the host: with a token the page lives under an
   unguessable base path (``base_path``, derived from the token) and the cookie is
   scoped to it, so no other service ever receives it. After ``TokenThrottle.limit``
   wrong tokens from one client in ``TokenThrottle.window`` seconds that client is
   answered 429 (its tokens not even looked at) until the window has passed.
3. CSRF, for every state-changing request (any method but GET / HEAD / OPTIONS):

   - same origin: an ``Origin`` header, when present, must be the request's own origin
     (``scheme://host[:port]`` of the Host header), a ``Referer`` (looked at when there
     is no ``Origin``) must be on it, and ``Sec-Fetch-Site``, when present,
     ``same-origin`` or ``none``. Cookies do not keep ports apart, so a page on another
     port of 127.0.0.1 can plant or read this app's cookies; only the browser's own
     account of where a request comes from tells it apart;
   - a token the server signed (``CsrfTokens``): ``<session>.<HMAC-SHA256(secret,
     session)>`` with a random secret per app, kept in the ``aidaily_csrf`` cookie
     (HttpOnly, SameSite=Strict) and echoed in the form field ``csrf`` or the header
     ``X-CSRF-Token``. A cookie this server did not sign is replaced on the next page
     view and refused on a POST, even when the form field matches it.

   Either failing answers 403. The posted token is looked for in the header and in
   url-encoded forms; a body is read up to ``MAX_BODY`` bytes (413 above).
4. Every response carries a CSP without inline script (``script-src 'self'``), no
   framing, no caching, and ``Referrer-Policy: same-origin``: no referrer leaves the
   app, and the page's own form posts keep their ``Origin`` (under ``no-referrer`` a
   browser sends ``Origin: null`` for them, which the same-origin check refuses).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import deque
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

if TYPE_CHECKING:
    from collections.abc import Callable

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "aidaily_csrf"
TOKEN_COOKIE = "aidaily_token"
TOKEN_HEADER = "x-aidaily-token"
CSRF_HEADER = "x-csrf-token"
MAX_BODY = 2_000_000
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SAME_ORIGIN_FETCH = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


def base_path(token: str) -> str:
    """The base path of a page guarded by ``token``: unguessable without the token (an
    HMAC of it), the same on every start (the printed address stays valid)."""
    digest = hmac.new(token.encode(), b"aidaily review page base path", hashlib.sha256).digest()
    return "/r-" + base64.urlsafe_b64encode(digest[:18]).decode()


class TokenThrottle:
    """Slows a token guesser down: after ``limit`` wrong tokens from one client within
    ``window`` seconds, ``retry_after`` is the wait left (0: not held). At most
    ``MAX_CLIENTS`` clients are remembered (the oldest forgotten first)."""

    MAX_CLIENTS = 4096

    def __init__(self, limit: int = 10, window: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def failed(self, client: str) -> None:
        """One wrong token from ``client``."""
        times = self._failures.pop(client, None) or deque(maxlen=self.limit)
        times.append(self.clock())
        self._failures[client] = times  # re-inserted: the dict stays oldest-first
        while len(self._failures) > self.MAX_CLIENTS:
            del self._failures[next(iter(self._failures))]

    def retry_after(self, client: str) -> float:
        """Seconds ``client`` must wait before a token of its is looked at again."""
        times = self._failures.get(client)
        if not times or len(times) < self.limit:
            return 0.0
        return max(0.0, times[0] + self.window - self.clock())


class CsrfTokens:
    """CSRF tokens this app signs: ``<session>.<signature>``, the signature an
    HMAC-SHA256 of the random session id under a secret only this app holds."""

    def __init__(self, secret: bytes | None = None) -> None:
        self.secret = secret or secrets.token_bytes(32)

    def issue(self) -> str:
        session = secrets.token_urlsafe(24)
        return f"{session}.{self._sign(session)}"

    def valid(self, token: str) -> bool:
        session, _, signature = token.partition(".")
        return bool(session) and _same(signature, self._sign(session))

    def _sign(self, session: str) -> str:
        digest = hmac.new(self.secret, session.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")


class Guard:
    """Host check, token, CSRF, body limit and security headers (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, token: str | None, allowed_hosts: set[str],
                 csrf: CsrfTokens | None = None, throttle: TokenThrottle | None = None) -> None:
        self.app = app
        self.token = token
        self.root = base_path(token) if token else ""
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.csrf = csrf or CsrfTokens()
        self.throttle = throttle or TokenThrottle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.root and (scope["path"] == self.root or scope["path"].startswith(self.root + "/")):
            scope = {**scope, "root_path": self.root}  # the app's routes see the path below it
            if scope["path"] == self.root:
                query = scope.get("query_string", b"").decode("latin-1")
                target = self.root + "/" + (f"?{query}" if query else "")
                await RedirectResponse(target, status_code=307)(scope, receive, send)
                return
        request = Request(scope)
        refused = self._refusal(request)
        if refused is not None:
            await refused(scope, receive, send)
            return
        csrf = request.cookies.get(CSRF_COOKIE) or ""
        new_csrf = None
        if not self.csrf.valid(csrf):
            csrf = new_csrf = self.csrf.issue()
        scope.setdefault("state", {})["csrf"] = csrf
        if scope["method"] not in SAFE_METHODS:
            if not same_origin(request):
                await _plain(403, "cross-origin request refused")(scope, receive, send)
                return
            body = await _read_body(receive)
            if body is None:
                await _plain(413, "request body too large")(scope, receive, send)
                return
            if new_csrf is not None or not _same(_posted_csrf(request, body), csrf):
                await _plain(403, "CSRF check failed: reload the page and try again")(scope, receive, send)
                return
            receive = _replay(body)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [
                    (b"content-security-policy", CSP.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                    (b"cache-control", b"no-store"),
                ]
                if new_csrf is not None:
                    cookie = (f"{CSRF_COOKIE}={new_csrf}; Path={scope.get('root_path') or '/'}; "
                              "HttpOnly; SameSite=Strict")
                    headers.append((b"set-cookie", cookie.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _refusal(self, request: Request) -> Response | None:
        """The answer to a request refused by the host or token check (None: go on)."""
        host = (request.headers.get("host") or "").lower()
        hostname = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if self.token is None:
            # Without a token only loopback names are served: a page elsewhere cannot
            # reach this app through a rebound DNS name.
            return None if hostname in self.allowed_hosts else _plain(403, "forbidden host")
        client = request.client.host if request.client else ""
        wait = self.throttle.retry_after(client)
        if wait > 0:
            return _plain(429, "too many wrong tokens: try again later",
                          {"retry-after": str(max(1, round(wait)))})
        under_root = bool(request.scope.get("root_path"))
        query_token = request.query_params.get("token")
        if query_token is not None:
            if not _same(query_token, self.token):
                self.throttle.failed(client)
                return _plain(401, "wrong token")
            # Trade the token in the URL for a cookie scoped to the page's own base path
            # (no other service of the host receives it), and drop it from the address bar.
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
            below = request.url.path[len(self.root):] if under_root else request.url.path
            target = self.root + (below or "/") + (f"?{urlencode(rest)}" if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(TOKEN_COOKIE, self.token, path=self.root, httponly=True,
                                samesite="strict")
            return response
        given = (request.headers.get(TOKEN_HEADER)
                 or _bearer(request.headers.get("authorization", ""))
                 or (request.cookies.get(TOKEN_COOKIE) if under_root else None) or "")
        if not _same(given, self.token):
            if given:
                self.throttle.failed(client)
            return _plain(401, "a token is required: open the address aidaily web printed "
                          "(…/?token=…)")
        return None


def same_origin(request: Request) -> bool:
    """The browser says ``request`` comes from this app's own origin, or says nothing
    (a client that is not a browser): ``Origin`` and ``Sec-Fetch-Site`` when present."""
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site.strip().lower() not in SAME_ORIGIN_FETCH:
        return False
    origin = request.headers.get("origin")
    if origin is None:
        # No Origin (an older browser, a stripped header): a Referer names the page the
        # request came from, and must be one of ours.
        referer = request.headers.get("referer")
        if not referer:
            return True
        try:
            parts = urlsplit(referer.strip())
        except ValueError:
            return False
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    own = _origin_key(f"{request.scope.get('scheme', 'http')}://{request.headers.get('host', '')}")
    return own is not None and _origin_key(origin.strip()) == own


def _origin_key(origin: str) -> tuple[str, str, int] | None:
    """``(scheme, host, port)`` of an origin, the default port filled in; None for
    ``null`` or anything that is not ``scheme://host[:port]``."""
    try:
        parts = urlsplit(origin)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname or parts.path not in ("", "/") \
            or parts.query or parts.fragment or parts.username is not None:
        return None
    return scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme]


def _same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def _bearer(value: str) -> str:
    return value[7:].strip() if value.lower().startswith("bearer ") else ""


def _plain(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    return PlainTextResponse(text, status_code=status,
                             headers={"content-security-policy": CSP, "cache-control": "no-store",
                                      **(headers or {})})


async def _read_body(receive: Receive) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return {"type": "http.disconnect"}

    return receive


def _posted_csrf(request: Request, body: bytes) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return (parse_qs(body.decode("utf-8", "replace")).get("csrf") or [""])[0]
    return ""
