"""The token budget: the one token estimate, and reservations for calls in flight.

``llm.token_budget`` caps prompt + completion tokens of requests sent per client (per
run); ``<= 0`` means unlimited. Before a call is sent its prompt is estimated
(:func:`messages_tokens`) plus ``max_tokens`` if set. The estimate needs no tokenizer
dependency: one token per CJK character (Chinese runs ~0.7–1.3 tokens a character
depending on the tokenizer), one per four other characters (English ~0.25), four per
message for the role and framing. It is the only one: the client's budget, the editor's
plan of a day's budget (``aidaily.editor.compose``), ``aidaily prompt`` and the token
benchmark all count a prompt with it, so they agree on what one prompt costs.
Calls in flight hold a reservation, so parallel calls cannot overspend together. When
the next call would exceed the budget :class:`~aidaily.errors.BudgetExceeded` is raised
before sending; callers read :attr:`LLMClient.remaining_budget` / :func:`estimate_tokens`
to degrade ahead of time (fewer stories, shorter inputs) and say so in the draft.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from aidaily.errors import BudgetExceeded

__all__ = ["TokenBudget", "estimate_tokens", "messages_tokens"]

#: Tokens of a message beyond its text: the role and the chat template's framing.
MESSAGE_OVERHEAD = 4


def estimate_tokens(text: str) -> int:
    """Tokens of ``text``: one per CJK character, one per four other characters."""
    cjk = sum(1 for ch in text if "\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return cjk + math.ceil((len(text) - cjk) / 4)


def messages_tokens(messages: Iterable[Mapping[str, Any]]) -> int:
    """Tokens of a prompt: its messages' text plus ``MESSAGE_OVERHEAD`` each."""
    return sum(estimate_tokens(_message_text(m)) + MESSAGE_OVERHEAD for m in messages)


def _message_text(message: Mapping[str, Any]) -> str:
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
