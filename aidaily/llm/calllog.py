"""The call log: one ``llm_calls`` row per HTTP attempt, cache hit or budget refusal.

Rows are written at once, each in its own short transaction (a SIGKILL loses at most
the row being written), and a database that fails to take one does not fail the model
call that already succeeded and was paid for: it is logged and the run goes on.

Outcomes (the ``outcome`` column):

    ok            validated on the first answer
    repaired      validated after the repair turn (on the repair request's row)
    cached        served from the cache, no request
    replayed      read from a replay file (``llm.provider = "replay"``), no request
    retry:<why>   an attempt that failed and was retried by the SDK (why: timeout,
                  connection, http-429, http-500, …), or ``retry:invalid`` (an answer
                  that failed validation and is followed by the repair turn)
    error:<why>   the call failed for good (error:invalid, error:refusal, error:http-400,
                  error:budget, …)

Secrets: every error text passes through :func:`redact` (the API key, ``Bearer …`` and
``sk-…`` tokens) before it reaches a log line or the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import DateTime, Float, Integer, String, Text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from aidaily.redaction import redact
from aidaily.store.db import Base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["CallLog", "CallRecord", "LLMCall", "redact"]

log = logging.getLogger("aidaily.llm.client")  # the name operators already filter on


class LLMCall(Base):
    """One request to the provider (or one cache hit / budget refusal)."""

    __tablename__ = "llm_calls"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str | None] = mapped_column(String(64), index=True)
    step: Mapped[str] = mapped_column(String(32))
    model: Mapped[str] = mapped_column(String(200))
    prompt_hash: Mapped[str] = mapped_column(String(64), index=True)
    cache_key: Mapped[str] = mapped_column(String(64))
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    latency_s: Mapped[float] = mapped_column(Float, default=0.0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)  # redacted
    # what the request was about ("2026-01-19 write:story a1b2…", aidaily.llm.replay.Subject):
    # ``aidaily llm export`` finds a day's answers by it
    subject: Mapped[str | None] = mapped_column(String(400), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


@dataclass(frozen=True)
class CallRecord:
    """One row to log: which call (step, model, hashes) and how this request went."""

    step: str
    model: str
    prompt_hash: str
    cache_key: str
    outcome: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency: float = 0.0
    cost_usd: float = 0.0
    error: str | None = None
    subject: str | None = None


class CallLog:
    """Writes :class:`CallRecord` s as log lines and (with a database) ``llm_calls`` rows.

    Args:
        sessions: the store's session factory, or None to log lines only.
        run_id: stored with every row.
        secrets: masked in every error text (the API key).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session] | None,
        run_id: str | None,
        secrets: Sequence[str] = (),
    ) -> None:
        self.sessions = sessions
        self.run_id = run_id
        self._secrets = tuple(secrets)

    def redact(self, text: str) -> str:
        return redact(text, self._secrets)

    def write(self, record: CallRecord, *, also: Base | None = None) -> None:
        """Log ``record``; ``also`` (a cache entry) is merged in the same transaction,
        so an answer costs one commit, not two."""
        error = self.redact(record.error) if record.error else None
        log.log(
            logging.WARNING if record.outcome.startswith(("error", "retry")) else logging.DEBUG,
            "llm %s %s %s in=%d out=%d %.2fs%s", record.step, record.model, record.outcome,
            record.tokens_in, record.tokens_out, record.latency, f": {error}" if error else "",
        )
        if self.sessions is None:
            return
        row = LLMCall(
            run_id=self.run_id, step=record.step, model=record.model,
            prompt_hash=record.prompt_hash, cache_key=record.cache_key,
            tokens_in=record.tokens_in, tokens_out=record.tokens_out,
            latency_s=round(record.latency, 4), cost_usd=record.cost_usd,
            outcome=record.outcome[:64], error=error, created_at=datetime.now(UTC),
            subject=record.subject[:400] if record.subject else None,
        )

        def add(session: Session) -> None:
            session.add(row)
            if also is not None:
                # merge: two identical calls in parallel (or two processes) both store it.
                session.merge(also)

        self.transaction(add)

    def transaction(self, action: Callable[[Session], object]) -> None:
        """Run ``action`` in one short committed transaction; a failure is only logged."""
        if self.sessions is None:
            return
        try:
            with self.sessions() as session:
                action(session)
                session.commit()
        except SQLAlchemyError as exc:
            log.warning("llm log/cache write failed: %s", self.redact(str(exc))[:300])
