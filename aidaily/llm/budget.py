"""The token budget: a rough prompt estimate and reservations for calls in flight.

``llm.token_budget`` caps prompt + completion tokens of requests sent per client (per
run); ``<= 0`` means unlimited. Before a call is sent its prompt is estimated at one
token per two characters (:func:`estimate_tokens`: a compromise for mixed
Chinese/English text — Chinese runs ~0.7–1.3 tokens/char depending on the tokenizer,
English ~0.25 — chosen to need no tokenizer dependency) plus ``max_tokens`` if set.
Calls in flight hold a reservation, so parallel calls cannot overspend together. When
the next call would exceed the budget :class:`~aidaily.errors.BudgetExceeded` is raised
before sending; callers read :attr:`LLMClient.remaining_budget` / :func:`estimate_tokens`
to degrade ahead of time (fewer stories, shorter inputs) and say so in the draft.
"""

from __future__ import annotations

from typing import Any

from aidaily.errors import BudgetExceeded

__all__ = ["TokenBudget", "estimate_tokens"]


def estimate_tokens(messages: list[dict[str, Any]]) -> int:
    """Rough prompt tokens: characters / 2 plus a few per message (see the docstring)."""
    chars = sum(len(_message_text(m)) for m in messages)
    return chars // 2 + 4 * len(messages)


def _message_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return str(content or "")


class TokenBudget:
    """The budget of one client; ``used`` is always passed in (it is the call log's)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.reserved = 0  # estimated tokens of calls in flight

    def remaining(self, used: int) -> int | None:
        """Tokens left (None: unlimited)."""
        if self.limit <= 0:
            return None
        return max(0, self.limit - used - self.reserved)

    def reserve(self, step: str, need: int, used: int) -> int:
        """Hold ``need`` tokens for a call about to be sent, or raise BudgetExceeded."""
        if self.limit > 0 and used + self.reserved + need > self.limit:
            raise BudgetExceeded(
                f"{step}: token budget {self.limit} would be exceeded: {used} used, "
                f"{self.reserved} reserved by calls in flight, this call needs ~{need}"
            )
        self.reserved += need
        return need

    def release(self, need: int) -> None:
        """The call is done: its real tokens are now in ``used``."""
        self.reserved -= need
