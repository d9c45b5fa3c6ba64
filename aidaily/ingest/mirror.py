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
"""

from __future__ import annotations

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
