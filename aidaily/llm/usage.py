"""What a run spent on the model: :class:`LLMUsage`, counted from the call log.

Every ``llm_calls`` row is one HTTP request sent to the provider, except the kinds that
send nothing: ``cached`` (an answer served from the cache), ``replayed`` (an answer read
from a replay file, :mod:`aidaily.llm.replay`), ``error:replay-missing`` and
``error:replay-invalid`` (the file had no answer, or none valid today) and
``error:budget`` (a call refused before sending). :meth:`LLMUsage.count` turns one row
into figures, and both the client's own :attr:`~aidaily.llm.client.LLMClient.usage` and
:func:`run_usage` (read back from the database) are sums of it, so the two cannot
disagree.

Tokens and cost are only those of requests sent: a cache hit is logged with 0 tokens
and $0. ``sent`` counts every HTTP attempt (retries and repair turns included), because
each one is a request the provider sees (and may bill); ``failed`` counts logical calls
that ended in an error (``error:*`` rows, budget refusals included).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from aidaily.llm.calllog import LLMCall
from aidaily.store.db import session_factory

__all__ = ["CACHED", "NOT_SENT", "REPLAYED", "LLMUsage", "run_usage"]

CACHED = "cached"
REPLAYED = "replayed"
BUDGET = "error:budget"
REPLAY_MISSING = "error:replay-missing"
REPLAY_INVALID = "error:replay-invalid"
#: outcomes whose row is not an HTTP request
NOT_SENT = frozenset({CACHED, REPLAYED, BUDGET, REPLAY_MISSING, REPLAY_INVALID})


@dataclass
class LLMUsage:
    """Requests sent, answers served from cache, and what the sent ones cost."""

    sent: int = 0  # HTTP requests sent to the provider (every attempt)
    cached: int = 0  # answers served from the cache (no request)
    replayed: int = 0  # answers read from a replay file (no request, no cost)
    failed: int = 0  # calls that ended in LLMError / BudgetExceeded
    tokens_in: int = 0  # of requests sent only
    tokens_out: int = 0
    cost_usd: float = 0.0
    retries: int = 0  # attempts that failed (timeout, 429, 5xx…) and were retried
    repaired: int = 0  # answers validated after the repair turn
    over_budget: int = 0  # of ``failed``: refused by the token budget

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out

    @property
    def calls(self) -> int:
        """Answers asked for, from the provider, the cache or a replay file."""
        return self.sent + self.cached + self.replayed

    def count(self, outcome: str, tokens_in: int = 0, tokens_out: int = 0,
              cost_usd: float = 0.0) -> None:
        """Add one call-log row (see the module docstring for what counts as sent)."""
        if outcome == CACHED:
            self.cached += 1
            return  # a cache hit costs nothing, whatever the row says
        if outcome == REPLAYED:
            self.replayed += 1
            return  # nothing was sent: no tokens, no cost
        if outcome not in NOT_SENT:
            self.sent += 1
            self.tokens_in += tokens_in
            self.tokens_out += tokens_out
            self.cost_usd += cost_usd
        if outcome.startswith("error:"):
            self.failed += 1
            self.over_budget += outcome == BUDGET
        elif outcome.startswith("retry:") and outcome != "retry:invalid":
            self.retries += 1  # retry:invalid is an answer followed by the repair turn
        elif outcome == "repaired":
            self.repaired += 1

    def to_dict(self) -> dict[str, int | float]:
        """The run report's ``llm`` object; ``calls`` (sent + cached + replayed) for older
        readers."""
        return {
            "sent": self.sent,
            "cached": self.cached,
            "replayed": self.replayed,
            "failed": self.failed,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "cost_usd": self.cost_usd,
            "calls": self.calls,
        }


def run_usage(db_url: str, run_id: str) -> LLMUsage:
    """The usage of ``run_id`` as recorded in ``llm_calls``.

    Rows are summed in the order they were written, the order the client counted them
    in, so the float cost equals :attr:`LLMClient.usage`'s for the same run.
    """
    usage = LLMUsage()
    with session_factory(db_url)() as session:
        rows = session.execute(
            select(LLMCall.outcome, LLMCall.tokens_in, LLMCall.tokens_out, LLMCall.cost_usd)
            .where(LLMCall.run_id == run_id)
            .order_by(LLMCall.id)
        )
        for outcome, tokens_in, tokens_out, cost in rows:
            usage.count(outcome, tokens_in or 0, tokens_out or 0, cost or 0.0)
    return usage
