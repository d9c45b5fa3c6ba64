"""One finding of a check on a digest text: where, how bad, which rule, what to do.

Its own module so that every check on the text (``lint``, ``editorial``) reports in one
shape without importing the others; ``aidaily.format.lint`` re-exports it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Finding:
    """One finding: errors block ``aidaily publish``, warnings are for the editor."""

    severity: Severity
    line: int
    code: str
    message: str
    path: str = ""

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.path else f"line {self.line}"
        return f"{where}: {self.severity} [{self.code}] {self.message}"

    def to_dict(self) -> dict[str, object]:
        return asdict(self)
