"""A local HTTP server for tests and benchmarks: serves a directory in the mirror layout.

    with MirrorServer(root) as server:                     # 127.0.0.1, ephemeral port
        url_map = server.url_map("https://www.ithome.com")  # {"https://www.ithome.com": "http://127.0.0.1:PORT/www.ithome.com"}
        server.fault("/www.ithome.com/rss/", status=500, times=2)

Files are looked up with ``aidaily.ingest.mirror.request_path_to_relpath`` (``/www.ithome.com/rss/``
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
headers (for If-None-Match / If-Modified-Since / User-Agent checks).
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

from aidaily.ingest.mirror import HEADERS_SUFFIX, request_path_to_relpath, url_to_relpath

_TYPES = {".xml": "application/xml", ".htm": "text/html", ".html": "text/html", ".md": "text/markdown",
          ".json": "application/json", ".txt": "text/plain"}


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


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 overflows when a test fetches a day concurrently, and a
    # dropped SYN is retried only after a second: tests would see spurious timeouts.
    request_queue_size = 128


class MirrorServer:
    """Serves ``root`` (mirror layout) on 127.0.0.1 in a background thread."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.hits: dict[str, int] = defaultdict(int)
        self.requests: dict[str, list[dict[str, str]]] = defaultdict(list)
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _make_handler(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # Life cycle ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Self:
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # Helpers for tests ---------------------------------------------------------------

    def url_map(self, *sites: str) -> dict[str, str]:
        """``{site: base_url/host}`` for each site root such as ``https://www.ithome.com``."""
        return {site.rstrip("/"): f"{self.base_url}/{urlsplit(site).netloc}" for site in sites}

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

    def _take_fault(self, path: str) -> Fault | None:
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


def _make_handler(server: MirrorServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"  # one request per connection: bodies may end at close

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            path = self.path
            with server._lock:
                server.hits[path] += 1
                server.requests[path].append({k.lower(): v for k, v in self.headers.items()})
            try:
                self._answer(path)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeouts, size cap): nothing to do

        def _answer(self, path: str) -> None:
            fault = server._take_fault(path)
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
            self._send_file(path)

        def _send_fault(self, fault: Fault) -> None:
            status = fault.status or (302 if fault.location else 200)
            headers = dict(fault.headers or {})
            if fault.retry_after is not None:
                headers["Retry-After"] = fault.retry_after
            if fault.location:
                headers["Location"] = fault.location
            body = b"x" * fault.size if fault.size is not None else fault.body or b""
            self._send(status, headers, body, fault.content_length or fault.size is None,
                       trickle=fault.trickle)

        def _send_file(self, path: str) -> None:
            rel_path, _, query = path.partition("?")
            file = server.root / request_path_to_relpath(rel_path, query)
            if not file.is_file():
                self._send(404, {"Content-Type": "text/plain"}, b"not found")
                return
            body = file.read_bytes()
            status, headers = _sidecar(file)
            headers.setdefault("Content-Type", _TYPES.get(file.suffix, "text/html; charset=utf-8"))
            headers.setdefault("ETag", f'"{hashlib.sha1(body).hexdigest()[:16]}"')
            if _not_modified(self.headers, headers):
                self._send(304, {"ETag": headers["ETag"]}, b"")
                return
            self._send(status, headers, body)

        def _send(self, status: int, headers: dict[str, str], body: bytes, length: bool = True,
                  trickle: float = 0.0) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, str(value))
            if length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status == 304:
                return
            if not trickle:
                self.wfile.write(body)
                return
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(trickle)

    return Handler


def _sidecar(file: Path) -> tuple[int, dict[str, str]]:
    side = file.with_name(file.name + HEADERS_SUFFIX)
    if not side.is_file():
        return 200, {}
    data = json.loads(side.read_text(encoding="utf-8"))
    status = int(data.pop("status", 200))
    nested = data.pop("headers", None)
    headers = {str(k): str(v) for k, v in data.items()}
    if isinstance(nested, dict):
        headers.update({str(k): str(v) for k, v in nested.items()})
    # Header names as the sidecar wrote them; look them up case-insensitively below.
    return status, _canonical(headers)


def _canonical(headers: dict[str, str]) -> dict[str, str]:
    names = {"content-type": "Content-Type", "etag": "ETag", "last-modified": "Last-Modified"}
    return {names.get(k.lower(), k): v for k, v in headers.items()}


def _not_modified(request_headers: Any, headers: dict[str, str]) -> bool:
    inm = request_headers.get("If-None-Match")
    if inm is not None:
        return headers.get("ETag") in [tag.strip() for tag in inm.split(",")]
    ims = request_headers.get("If-Modified-Since")
    return ims is not None and ims == headers.get("Last-Modified")
