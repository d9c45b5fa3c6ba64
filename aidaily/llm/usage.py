"""(Temporary shim until the llm package split lands: LLMUsage with sent/cached apart.)"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class LLMUsage:
    sent: int = 0
    cached: int = 0
    failed: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost_usd: float = 0.0

    @property
    def calls(self) -> int:
        return self.sent + self.cached

    def to_dict(self) -> dict[str, int | float]:
        return {"sent": self.sent, "cached": self.cached, "failed": self.failed,
                "tokens_in": self.tokens_in, "tokens_out": self.tokens_out,
                "cost_usd": round(self.cost_usd, 6), "calls": self.calls}


def run_usage(db_url: str, run_id: str) -> LLMUsage:
    from aidaily.llm.client import run_usage as old

    u = old(db_url, run_id)
    return LLMUsage(sent=u.calls, cached=u.cached, failed=u.errors, tokens_in=u.tokens_in,
                    tokens_out=u.tokens_out, cost_usd=u.cost_usd)
