"""Reading a digest file that may be anything: the one bounded read ``lint``, ``eval``
and ``fmt`` share.

A digest is about 10,000 characters (30 KB); ``MAX_DIGEST_BYTES`` is far above any real
one and far below what would hurt: ``aidaily lint /dev/zero`` reads that much and
stops with a clear error instead of filling the memory.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aidaily.errors import InputTooLarge

if TYPE_CHECKING:
    from pathlib import Path

MAX_DIGEST_BYTES = 1_000_000

__all__ = ["MAX_DIGEST_BYTES", "read_digest"]


def read_digest(path: Path, limit: int = MAX_DIGEST_BYTES) -> str:
    """The UTF-8 text of ``path``, read no further than ``limit`` bytes.

    Raises:
        InputTooLarge: the file holds more than ``limit`` bytes (or never ends).
        OSError, UnicodeDecodeError: it cannot be read, or is not UTF-8 text.
    """
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputTooLarge(f"more than {limit:,} bytes: not a digest (a digest is about 30 KB)")
    return data.decode("utf-8")
