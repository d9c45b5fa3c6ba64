"""The answer cache: the ``llm_cache`` table, its key, and reads through memory.

The key (:func:`build_cache_key`) is a sha256 of the cache version, the model, the
messages and every parameter that shapes the answer (temperature, max_tokens, json mode,
the schema). The endpoint URL and the API key are deliberately not part of it, so a
re-run against another URL serving the same model still hits.

:class:`AnswerCache` looks in memory first, then in the table; an answer is stored by
the call log in the same transaction as its ``ok`` row (see
:meth:`aidaily.llm.calllog.CallLog.write`), through :meth:`AnswerCache.entry`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from aidaily.store.db import Base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

__all__ = [
    "CACHE_VERSION",
    "AnswerCache",
    "LLMCacheEntry",
    "build_cache_key",
    "canonical_json",
    "prompt_hash",
]

log = logging.getLogger("aidaily.llm.client")

CACHE_VERSION = 1  # bump when the meaning of a cached answer changes


class LLMCacheEntry(Base):
    """A validated answer, keyed by :func:`build_cache_key`."""

    __tablename__ = "llm_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    step: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200))
    response: Mapped[str] = mapped_column(Text)  # JSON: the parsed answer, or {"text": …}
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


def canonical_json(value: Any) -> str:
    """Deterministic JSON (sorted keys, no whitespace) for hashing."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def prompt_hash(messages: list[dict[str, Any]], params: dict[str, Any] | None = None) -> str:
    """sha256 of the messages and request params (model excluded): identifies a prompt."""
    payload = canonical_json({"messages": messages, "params": params or {}})
    return hashlib.sha256(payload.encode()).hexdigest()


def build_cache_key(model: str, messages: list[dict[str, Any]], params: dict[str, Any]) -> str:
    """sha256 of (cache version, model, messages, params): the ``llm_cache`` key.

    ``params`` must hold everything else that shapes the answer: temperature,
    max_tokens, json mode, response_format / schema.
    """
    payload = canonical_json(
        {"v": CACHE_VERSION, "model": model, "messages": messages, "params": params}
    )
    return hashlib.sha256(payload.encode()).hexdigest()


class AnswerCache:
    """Answers by key, in memory and (with a database) in ``llm_cache``.

    Args:
        sessions: the store's session factory, or None for a memory-only cache.
        refresh: never read (a deliberate rewrite), but still store new answers so the
            next unchanged run is served from the cache again.
    """

    def __init__(self, sessions: sessionmaker[Session] | None, *, refresh: bool = False) -> None:
        self.sessions = sessions
        self.refresh = refresh
        self._memory: dict[str, Any] = {}

    def get(self, key: str) -> Any:
        """The cached answer (parsed JSON) or None."""
        if self.refresh:
            return None
        hit = self._memory.get(key)
        if hit is not None or self.sessions is None:
            return hit
        try:
            with self.sessions() as session:
                entry = session.get(LLMCacheEntry, key)
                stored = entry.response if entry is not None else None
        except SQLAlchemyError as exc:
            log.warning("llm cache read failed: %s", exc)
            return None
        if stored is None:
            return None
        data = json.loads(stored)
        self._memory[key] = data
        return data

    def entry(self, key: str, step: str, model: str, data: Any) -> LLMCacheEntry:
        """Remember ``data`` in memory now; return the row for the call log to store."""
        self._memory[key] = data
        return LLMCacheEntry(
            key=key, step=step, model=model,
            response=json.dumps(data, ensure_ascii=False),
            created_at=datetime.now(UTC),
        )
