"""How alike two texts are: the character shingles both dedup (``aidaily.stories.dedup``)
and the eval's story matching (``aidaily.checks.quality``) compare, and their Jaccard.

A text is compared normalised: NFKC, entity names in their canonical spelling
(``aidaily.checks.entities``), lower case, punctuation, spaces and emoji removed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Set as AbstractSet

from aidaily.checks.entities import canonicalize_text
from aidaily.text import comparable_text

SHINGLE_SIZE = 3


def normalize_text(text: str) -> str:
    """NFKC, entity names canonical, lower case, punctuation/space/emoji removed."""
    return comparable_text(canonicalize_text(unicodedata.normalize("NFKC", text)))


def shingles(text: str, k: int = SHINGLE_SIZE) -> set[str]:
    """Character k-grams of the normalised text (the whole text when shorter)."""
    return _grams(normalize_text(text), k)


def _grams(norm: str, k: int = SHINGLE_SIZE) -> set[str]:
    if len(norm) <= k:
        return {norm} if norm else set()
    return {norm[i:i + k] for i in range(len(norm) - k + 1)}


def jaccard(a: AbstractSet[object], b: AbstractSet[object]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0
