"""The raw-response archive: every response the fetcher got, so any date can be re-run
on exactly the same inputs (``aidaily fetch --offline``) and conditional GETs have the
validators of the last response.

Layout under ``settings.archive_dir``::

    objects/ab/ab12…ef.gz              body, gzip, content-addressed (sha256 of the body)
    index/3f/3f9a…/20260118T153012123456Z-200.json
                                       one small JSON per response of one URL (the directory
                                       is sha256 of the URL): url, final_url, status,
                                       headers, fetched_at, body hash and size

Every file is written to a temporary name and ``os.replace``d into place, and no file is
ever rewritten, so a run killed at any point leaves an archive that reads correctly and two
processes archiving at once cannot corrupt each other. ``latest(url)`` is the newest file
of the URL's directory (names sort by time).

``save(..., record_dir=DIR)`` also writes the body in the mirror layout
(``aidaily.ingest.mirror``), with a ``.headers.json`` sidecar, which is how test fixtures are
refreshed from the real sites.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from datetime import datetime
from pathlib import Path

from aidaily.atomic import atomic_write_bytes
from aidaily.errors import FetchError
from aidaily.ingest.response import FetchResult
from aidaily.ingest.mirror import HEADERS_SUFFIX, url_to_relpath

_STAMP = "%Y%m%dT%H%M%S%fZ"
# Headers worth keeping in a recorded fixture's sidecar (the rest describe one transfer).
_RECORD_HEADERS = {"content-type": "Content-Type", "etag": "ETag", "last-modified": "Last-Modified"}


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Archive:
    """Compressed, append-only store of raw responses, keyed by URL (site URL space)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # Writing ---------------------------------------------------------------------------

    def save(self, result: FetchResult, *, record_dir: Path | None = None) -> Path:
        """Archive ``result``; returns the path of its index entry."""
        digest = _sha256(result.body)
        obj = self._object_path(digest)
        if not obj.exists():  # content-addressed: an identical body is stored once
            atomic_write_bytes(obj, gzip.compress(result.body, compresslevel=6, mtime=0))
        meta = {
            "url": result.url,
            "final_url": result.final_url,
            "status": result.status,
            "headers": result.headers,
            "fetched_at": result.fetched_at.isoformat(),
            "elapsed": round(result.elapsed, 4),
            "body": digest,
            "size": len(result.body),
        }
        stamp = result.fetched_at.strftime(_STAMP)
        entry = self._url_dir(result.url) / f"{stamp}-{result.status}-{digest[:8]}.json"
        atomic_write_bytes(entry, json.dumps(meta, ensure_ascii=False, indent=1).encode("utf-8"))
        if record_dir is not None and result.ok:
            record(result, record_dir)
        return entry

    # Reading ---------------------------------------------------------------------------

    def latest(self, url: str, *, ok_only: bool = True) -> FetchResult | None:
        """The newest archived response for ``url`` (only 2xx ones unless ``ok_only=False``)."""
        for entry in reversed(self._entries(url)):
            meta = self._read_meta(entry)
            if meta is None or (ok_only and not 200 <= int(meta["status"]) < 300):
                continue
            result = self._load(meta)
            if result is not None:
                return result
        return None

    def history(self, url: str) -> list[FetchResult]:
        """Every archived response for ``url``, oldest first (unreadable entries skipped)."""
        out = []
        for entry in self._entries(url):
            meta = self._read_meta(entry)
            result = self._load(meta) if meta else None
            if result is not None:
                out.append(result)
        return out

    def get(self, url: str) -> FetchResult:
        """Like ``latest`` but raises ``FetchError`` when nothing is archived (offline mode)."""
        result = self.latest(url)
        if result is None:
            raise FetchError(url, "not in the archive (offline mode)")
        return result

    # Paths -----------------------------------------------------------------------------

    def _object_path(self, digest: str) -> Path:
        return self.root / "objects" / digest[:2] / f"{digest}.gz"

    def _url_dir(self, url: str) -> Path:
        key = _sha256(url.encode("utf-8"))
        return self.root / "index" / key[:2] / key

    def _entries(self, url: str) -> list[Path]:
        directory = self._url_dir(url)
        if not directory.is_dir():
            return []
        return sorted(p for p in directory.iterdir() if p.suffix == ".json" and not p.name.startswith("."))

    @staticmethod
    def _read_meta(entry: Path) -> dict | None:
        try:
            return json.loads(entry.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def _load(self, meta: dict) -> FetchResult | None:
        try:
            body = gzip.decompress(self._object_path(meta["body"]).read_bytes())
        except (OSError, EOFError, KeyError):
            return None
        return FetchResult(
            url=meta["url"],
            final_url=meta.get("final_url") or meta["url"],
            status=int(meta["status"]),
            headers=dict(meta.get("headers") or {}),
            body=body,
            fetched_at=datetime.fromisoformat(meta["fetched_at"]),
            elapsed=float(meta.get("elapsed") or 0.0),
            from_archive=True,
        )


def record(result: FetchResult, record_dir: Path) -> Path:
    """Write ``result``'s body into ``record_dir`` in the mirror layout (+ headers sidecar)."""
    root = Path(record_dir).resolve()
    target = (root / url_to_relpath(result.url)).resolve()
    if root not in target.parents:  # a URL with '..' segments must not escape the directory
        raise FetchError(result.url, f"refusing to record outside {root}")
    atomic_write_bytes(target, result.body)
    sidecar: dict[str, object] = {
        name: result.headers[key] for key, name in _RECORD_HEADERS.items() if key in result.headers
    }
    if result.status != 200:
        sidecar["status"] = result.status
    side_path = target.with_name(target.name + HEADERS_SUFFIX)
    if sidecar:
        atomic_write_bytes(side_path, json.dumps(sidecar, ensure_ascii=False, indent=1).encode("utf-8"))
    return target
