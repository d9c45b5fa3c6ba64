"""What a listing served and what it lists, as hashes: a run records them
(``aidaily.ingest.day``) and the up-to-date check (``aidaily.pipeline.uptodate``)
compares them with what the listings serve now.

Here, in the fetching layer, because the fetch makes them: the pipeline above reads
them back, and a lower layer never imports an upper one for them.
"""

from __future__ import annotations

import hashlib
from typing import Any

__all__ = ["body_hash", "hash_parts", "listing_fingerprint"]


def body_hash(body: bytes) -> str:
    """What a listing served, as a run records it and the check compares it."""
    return hashlib.sha256(body).hexdigest()


def listing_fingerprint(listing: Any) -> str:
    """What a parsed listing (``sources.Listing``) lists: its entries (URL, title, time and
    the feed's own text) and finished articles (URL and content hash), in order."""
    parts = [f"e {e.url}\t{e.title}\t{e.published.isoformat() if e.published else ''}\t"
             f"{body_hash((e.content_html or e.summary).encode('utf-8', 'surrogatepass'))}"
             for e in listing.entries]
    parts += [f"a {a.url}\t{a.content_hash}" for a in listing.articles]
    return hash_parts(*parts)


def hash_parts(*parts: str) -> str:
    """One sha256 over ``parts``, each ended by a NUL (so ``("ab", "c")`` and
    ``("a", "bc")`` differ)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()
