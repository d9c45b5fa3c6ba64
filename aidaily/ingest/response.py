"""One HTTP response as the rest of the program sees it (``FetchResult``) and how its
body becomes text (``decode_body``).

A module of its own because two modules need the type and neither should import the
other for it: the fetcher (``aidaily.ingest.fetch``) makes responses and archives them,
the archive (``aidaily.ingest.archive``) stores and loads them. Both import from here;
``aidaily.ingest.fetch`` re-exports both names for existing callers.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

__all__ = ["FetchResult", "decode_body"]


@dataclass
class FetchResult:
    """One response, in the original (unmapped) URL space."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes
    fetched_at: datetime  # aware, UTC
    elapsed: float = 0.0  # seconds, all attempts and redirects included
    not_modified: bool = False  # 304: body and headers are the archived ones
    from_archive: bool = False  # read from the archive, no network (offline mode)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @cached_property
    def _decoded(self) -> tuple[str, str]:
        return decode_body(self.body, self.content_type)

    @property
    def text(self) -> str:
        """The body decoded (see ``decode_body``)."""
        return self._decoded[0]

    @property
    def encoding(self) -> str:
        return self._decoded[1]


# Decoding --------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Pages that say gb2312/gbk routinely use characters only gb18030 has.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "ascii": "utf-8",
              "us-ascii": "utf-8", "iso-8859-1": "cp1252", "latin-1": "cp1252"}


_WESTERN = {"cp1252", "latin_1", "iso8859-1", "iso8859-15"}


def _codec(name: str | bytes | None) -> str | None:
    if not name:
        return None
    label = (name.decode("ascii", "ignore") if isinstance(name, bytes) else name).strip().lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _try(body: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_body(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode ``body``; returns ``(text, codec name)``.

    Order: the Content-Type charset, a BOM, a charset declared in the document's first
    4 KiB (``<meta charset>``, ``<meta http-equiv>``, ``<?xml encoding>``), UTF-8, then
    charset-normalizer's guess. A declared charset that does not decode is ignored (sites
    lie), and the last resort is UTF-8 with replacement characters.
    """
    if body.startswith(codecs.BOM_UTF8):
        return body[len(codecs.BOM_UTF8) :].decode("utf-8", "replace"), "utf-8"
    header = _CT_CHARSET.search(content_type or "")
    head = body[:4096]
    declared = _XML_DECL.search(head) or _META_CHARSET.search(head)
    candidates = [
        _codec(header.group(1) if header else None),
        _codec(declared.group(1) if declared else None),
        "utf-8",
    ]
    if candidates[0] in _WESTERN or (candidates[0] is None and candidates[1] in _WESTERN):
        # A Western single-byte label on a body that is valid UTF-8 is a server default, not
        # a fact (cp1252 would "decode" UTF-8 Chinese into mojibake): try UTF-8 first.
        candidates.insert(0, "utf-8")
    for codec in candidates:
        text = _try(body, codec)
        if text is not None:
            return text, codec or "utf-8"
    # deferred: charset-normalizer, only when this runs (`aidaily extract`, `fetch`, … load the
    # module)
    from charset_normalizer import from_bytes

    best = from_bytes(body).best()
    if best is not None and best.encoding:
        return str(best), best.encoding
    return body.decode("utf-8", "replace"), "utf-8"


