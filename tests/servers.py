"""Local HTTP servers for tests and benchmarks: a directory in the mirror layout
(``MirrorServer``), and an ASGI app under uvicorn (``BackgroundServer``).

    with MirrorServer(root) as server:                     # 127.0.0.1, ephemeral port
        url_map = server.url_map("https://www.ithome.com")  # {"https://www.ithome.com": "http://127.0.0.1:PORT/www.ithome.com"}
        server.fault("/www.ithome.com/rss/", status=500, times=2)

The serving itself is ``aidaily.ingest.mirror``'s (``MirrorServer``, ``answer``): files are looked up with ``request_path_to_relpath`` (``/www.ithome.com/rss/``
→ ``www.ithome.com/rss/__index__``). A sidecar ``<file>.headers.json`` gives headers
(``{"Content-Type": "text/html; charset=gbk", "status": 200}``; a nested ``"headers"``
object works too). Every file gets an ETag (the sidecar's, or a hash of the body) and a
request whose If-None-Match matches is answered 304.

Fault injection per request path (``fault(path, ...)``): a status (500, 429 with
``retry_after``), a ``delay`` before answering, a redirect (``location``), an oversized
body (``size`` bytes, with or without Content-Length), a body sent one byte at a time
(``trickle`` seconds apart), a dropped connection (``drop``),
for the next ``times`` requests or for ever. ``closed_port_url()`` gives a URL on which
connections are refused. ``hits[path]`` counts requests and ``requests[path]`` keeps their
headers (for If-None-Match / If-Modified-Since / User-Agent checks); ``trickled`` holds the
paths whose trickled body was sent to its last byte (a client that hung up first: not).

``BackgroundServer(app)``: uvicorn serving an ASGI app (the review page) on an ephemeral
127.0.0.1 port in a daemon thread; ``server.url`` is its address.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from aidaily.ingest import mirror
from aidaily.ingest.mirror import HEADERS_SUFFIX, url_to_relpath


@dataclass
class Fault:
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    location: str | None = None
    size: int | None = None  # serve this many bytes instead of the file
    content_length: bool = True  # with ``size``: announce it (False: stream until close)
    drop: bool = False  # close the connection without answering
    trickle: float = 0.0  # with ``size`` / ``body``: send it one byte every this many seconds
    body: bytes | None = None
    headers: dict[str, str] | None = None
    times: int | None = None  # None: every request


class MirrorServer(mirror.MirrorServer):
    """Serves ``root`` (mirror layout) on 127.0.0.1 in a background thread, with faults."""

    def __init__(self, root: Path | str, *, keep_alive: bool = False) -> None:
        """``keep_alive``: HTTP/1.1 persistent connections, as the sites keep them (the
        benchmarks); the default answers HTTP/1.0, one request per connection, which the
        fault injection of the tests relies on (a body may end at the close)."""
        Path(root).mkdir(parents=True, exist_ok=True)
        self.connections = 0  # TCP connections accepted
        self.hits: dict[str, int] = defaultdict(int)
        self.requests: dict[str, list[dict[str, str]]] = defaultdict(list)
        self.trickled: set[str] = set()
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()
        super().__init__(root, _make_handler(self, keep_alive))

    # Helpers for tests ---------------------------------------------------------------

    def path_for(self, site_url: str) -> str:
        """The request path a site URL is served at (``/www.ithome.com/rss/``)."""
        parts = urlsplit(site_url)
        return f"/{parts.netloc}{parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")

    def put(self, site_url: str, body: bytes | str, headers: dict[str, Any] | None = None) -> Path:
        """Write a file for ``site_url`` (and its sidecar) into the served directory."""
        path = self.root / url_to_relpath(site_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body.encode("utf-8") if isinstance(body, str) else body)
        if headers:
            path.with_name(path.name + HEADERS_SUFFIX).write_text(json.dumps(headers), encoding="utf-8")
        return path

    def fault(self, path: str, **kwargs: Any) -> None:
        """Inject a fault for requests to ``path`` (a request path or a site URL)."""
        if "://" in path:
            path = self.path_for(path)
        with self._lock:
            self._faults[path] = Fault(**kwargs)

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def hits_for(self, site_url: str) -> int:
        return self.hits.get(self.path_for(site_url), 0)

    def take_fault(self, path: str) -> Fault | None:
        with self._lock:
            fault = self._faults.get(path) or self._faults.get(path.split("?", 1)[0])
            if fault is None:
                return None
            if fault.times is not None:
                fault.times -= 1
                if fault.times <= 0:
                    self._faults = {k: v for k, v in self._faults.items() if v is not fault}
            return fault


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _make_handler(server: MirrorServer, keep_alive: bool) -> type[BaseHTTPRequestHandler]:
    class Handler(mirror.QuietHandler):
        protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"
        # headers and body leave as two writes: without TCP_NODELAY the second waits for
        # the client's delayed ACK (40 ms) on a kept-alive connection
        disable_nagle_algorithm = keep_alive

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server.connections += 1

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            path = self.path
            with server._lock:
                server.hits[path] += 1
                server.requests[path].append({k.lower(): v for k, v in self.headers.items()})
            try:
                self._answer(path)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeouts, size cap): nothing to do

        def _answer(self, path: str) -> None:
            fault = server.take_fault(path)
            self._path = path
            if fault is not None:
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.drop:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault.status or fault.location or fault.size is not None or fault.body is not None:
                    self._send_fault(fault)
                    return
            self.respond(mirror.answer(server.root, path, mirror.lowered(self.headers.items())))

        def _send_fault(self, fault: Fault) -> None:
            status = fault.status or (302 if fault.location else 200)
            headers = dict(fault.headers or {})
            if fault.retry_after is not None:
                headers["Retry-After"] = fault.retry_after
            if fault.location:
                headers["Location"] = fault.location
            body = b"x" * fault.size if fault.size is not None else fault.body or b""
            length = bool(fault.content_length or fault.size is None)
            if keep_alive and (fault.trickle or not length):  # the body ends where the connection does
                self.close_connection = True
                headers["Connection"] = "close"
            if not fault.trickle:
                self.respond(mirror.Answer(status, headers, body), length=length)
                return
            self.send_response(status)  # a slow peer: one byte per ``trickle`` seconds
            for name, value in headers.items():
                self.send_header(name, str(value))
            self.end_headers()
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(fault.trickle)
            with server._lock:
                server.trickled.add(self._path)

    return Handler


class BackgroundServer:
    """uvicorn serving ``app`` on an ephemeral 127.0.0.1 port in a daemon thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            await app(scope, receive, send)

        # uvicorn calls the app with no arguments to tell an app factory (a TypeError: not
        # one); an app whose ``__call__`` takes ``*args`` (mutmut's trampoline, any
        # instrumenting wrapper) would answer with a coroutine and be served as its own
        # result. A function of exactly (scope, receive, send) is always taken for the app.
        config = uvicorn.Config(asgi, log_level="warning", lifespan="off", interface="asgi3")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    def __enter__(self) -> Self:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.sock.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"
