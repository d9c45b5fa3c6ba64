"""The on-disk layout of a mirrored day: one file per URL, ``<host>/<path>``.

Used three ways, so it lives in one place: the test fixtures are stored in it, the
fetcher's ``record`` option writes real responses into it, and the local HTTP server
used by tests and benchmarks serves it (with the URL map
``{"https://www.ithome.com": "http://127.0.0.1:PORT/www.ithome.com"}``).

    https://www.ithome.com/rss/                  -> www.ithome.com/rss/__index__
    https://www.ithome.com/0/914/178.htm         -> www.ithome.com/0/914/178.htm
    https://www.qbitai.com/?p=1                  -> www.qbitai.com/__index__?p=1  (query kept, '/' escaped)

A sidecar ``<file>.headers.json`` may hold response headers (e.g. Content-Type with a
charset) and a ``status``.

``MirrorServer`` serves a mirror on 127.0.0.1 (``aidaily demo`` serves the day shipped in
``aidaily.demo``; the tests' server adds fault injection on top): ``answer`` decides
each response (the file, its sidecar's headers and status, an ETag, 304 on a match, 404).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote, unquote, urlsplit

INDEX_NAME = "__index__"
HEADERS_SUFFIX = ".headers.json"


def url_to_relpath(url: str) -> str:
    """The mirror path (POSIX, relative) for ``url``."""
    parts = urlsplit(url)
    path = unquote(parts.path) or "/"
    if path.endswith("/"):
        path += INDEX_NAME
    rel = f"{parts.netloc.lower()}{path}"
    if parts.query:
        rel += "?" + quote(parts.query, safe="=&")
    return rel


def request_path_to_relpath(path: str, query: str = "") -> str:
    """The mirror path for a request to the mirror server: ``/www.ithome.com/rss/``."""
    rel = unquote(path).lstrip("/")
    if rel.endswith("/") or "/" not in rel:
        rel = rel.rstrip("/") + "/" + INDEX_NAME
    if query:
        rel += "?" + quote(unquote(query), safe="=&")
    return rel


# --- serving a mirror ---------------------------------------------------------------------
CONTENT_TYPES = {".xml": "application/xml", ".htm": "text/html", ".html": "text/html",
                 ".md": "text/markdown", ".json": "application/json", ".txt": "text/plain"}


@dataclass(frozen=True)
class Answer:
    """One response of a mirror server."""

    status: int
    headers: dict[str, str]
    body: bytes


def answer(root: Path, request_path: str, request_headers: Mapping[str, str]) -> Answer:
    """The response to ``GET request_path`` (``/www.ithome.com/rss/``; header names of
    ``request_headers`` in lower case) from the mirror
    at ``root``: the file with its sidecar's status and headers and an ETag, 304 when the
    request's validators match, 404 when there is no such file (or it lies outside)."""
    rel_path, _, query = request_path.partition("?")
    file = (root / request_path_to_relpath(rel_path, query)).resolve()
    if not file.is_file() or not file.is_relative_to(root.resolve()):
        return Answer(404, {"Content-Type": "text/plain"}, b"not found")
    body = file.read_bytes()
    status, headers = read_sidecar(file)
    headers.setdefault("Content-Type", CONTENT_TYPES.get(file.suffix, "text/html; charset=utf-8"))
    headers.setdefault("ETag", f'"{hashlib.sha1(body).hexdigest()[:16]}"')
    if not_modified(request_headers, headers):
        return Answer(304, {"ETag": headers["ETag"]}, b"")
    return Answer(status, headers, body)


def read_sidecar(file: Path) -> tuple[int, dict[str, str]]:
    """The status and headers a sidecar gives ``file`` (200 and none without one)."""
    side = file.with_name(file.name + HEADERS_SUFFIX)
    if not side.is_file():
        return 200, {}
    data = json.loads(side.read_text(encoding="utf-8"))
    status = int(data.pop("status", 200))
    nested = data.pop("headers", None)
    headers = {str(k): str(v) for k, v in data.items()}
    if isinstance(nested, dict):
        headers.update({str(k): str(v) for k, v in nested.items()})
    names = {"content-type": "Content-Type", "etag": "ETag", "last-modified": "Last-Modified"}
    return status, {names.get(k.lower(), k): v for k, v in headers.items()}


def not_modified(request_headers: Mapping[str, str], headers: Mapping[str, str]) -> bool:
    """The request's If-None-Match / If-Modified-Since (``request_headers`` keyed in
    lower case) match the response's validators."""
    inm = request_headers.get("if-none-match")
    if inm is not None:
        return headers.get("ETag") in [tag.strip() for tag in inm.split(",")]
    ims = request_headers.get("if-modified-since")
    return ims is not None and ims == headers.get("Last-Modified")


def lowered(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Request headers keyed by lower-case name."""
    return {k.lower(): v for k, v in headers}


class QuietHandler(BaseHTTPRequestHandler):
    """A handler that answers from a mirror (``self.server.root``) and logs nothing."""

    protocol_version = "HTTP/1.0"  # one request per connection: bodies may end at close
    server: MirrorHTTPServer

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        try:
            self.respond(answer(self.server.root, self.path, lowered(self.headers.items())))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeouts, size cap): nothing to do

    def respond(self, reply: Answer, *, length: bool = True) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, str(value))
        if length:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.status != 304:
            self.wfile.write(reply.body)


class MirrorHTTPServer(ThreadingHTTPServer):
    # The default backlog of 5 overflows when a day is fetched concurrently, and a
    # dropped SYN is retried only after a second.
    request_queue_size = 128
    daemon_threads = True

    def __init__(self, root: Path, handler: type[BaseHTTPRequestHandler] = QuietHandler) -> None:
        self.root = Path(root)
        super().__init__(("127.0.0.1", 0), handler)


class MirrorServer:
    """Serves ``root`` (mirror layout) on 127.0.0.1, on a free port, in a thread."""

    def __init__(self, root: Path | str, handler: type[BaseHTTPRequestHandler] = QuietHandler) -> None:
        self.root = Path(root)
        self.httpd = MirrorHTTPServer(self.root, handler)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_map(self, *sites: str) -> dict[str, str]:
        """``{site: base_url/host}`` for each site root such as ``https://www.ithome.com``:
        the ``[fetch] url_map`` (``AIDAILY_URL_MAP``) that sends a run here."""
        return {site.rstrip("/"): f"{self.base_url}/{urlsplit(site).netloc}" for site in sites}

    def start(self) -> Self:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
