"""The run report: one definition of what a run did, for every caller.

``aidaily run`` prints it (``--json`` as JSON), ``aidaily write`` prints it, the Prefect
flow returns it and publishes it as artifacts, and the store keeps it as the run's
stats (the up-to-date check reads its ``inputs`` back). Its exit code is decided by
``aidaily.exitcodes.outcome``, like every other command's.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from aidaily.exitcodes import STATUS, ExitCode, outcome
from aidaily.llm.usage import LLMUsage

if TYPE_CHECKING:
    from aidaily.editor.plan_repair import PlanFix
    from aidaily.ingest.day import SourceReport
    from aidaily.models import Earlier, Story


@dataclass
class SourceOutcome:
    """What one source gave the run: a summary of ``ingest.day.SourceReport``."""

    name: str
    ok: bool
    seen: int = 0
    new: int = 0
    known: int = 0
    in_window: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)  # the first few "url: reason"
    summary: str = ""
    error: str = ""  # the source could not be fetched at all (an exception)
    seconds: float = 0.0

    @classmethod
    def from_report(cls, rep: SourceReport) -> SourceOutcome:
        return cls(
            name=rep.name, ok=rep.ok, seen=rep.seen, new=rep.new, known=rep.known,
            in_window=rep.in_window, failed=len(rep.failed),
            failures=[f"{f.url}: {f.reason}" for f in rep.failed][:20],
            summary=rep.summary(), seconds=rep.seconds,
        )

    @classmethod
    def crashed(cls, name: str, exc: BaseException) -> SourceOutcome:
        return cls(name=name, ok=False, error=f"{type(exc).__name__}: {exc}")

    @property
    def problem(self) -> str:
        """Why this source is not ok, in one line."""
        return self.error or "; ".join(self.failures[:3]) or self.summary


@dataclass
class SourceFailure:
    source: str
    error: str


@dataclass
class DroppedStory:
    """A story the model could not write (``editor.compose.Dropped``), for the report."""

    story_id: str
    title: str
    reason: str


@dataclass
class EarlierStory:
    """A story of the day an earlier issue already ran (``aidaily.memory``): left out as
    already covered, or run again as a follow-up for the ``new_facts`` it brings."""

    story_id: str
    title: str
    url: str
    earlier_day: str  # YYYY-MM-DD of the earlier issue
    earlier_title: str  # its item there
    earlier_url: str
    new_facts: list[str] = field(default_factory=list)
    # where the earlier issue was read: its post(s) under [publish] dir, or its draft
    # ("" when only the store remembers it)
    earlier_post: str = ""

    @classmethod
    def of(cls, story: Story, earlier: Earlier, post: str = "") -> EarlierStory:
        return cls(story.id, story.title, story.url, earlier.day.isoformat(), earlier.title, earlier.url,
                   list(earlier.new_facts), post)

    @property
    def line(self) -> str:
        """One line for people: which story, which earlier issue, which post."""
        new = f"; new: {', '.join(self.new_facts)}" if self.new_facts else ""
        where = f" in {self.earlier_post}" if self.earlier_post else ""
        return f"{self.title} — ran {self.earlier_day}{where} as “{self.earlier_title}”{new}"


@dataclass
class RunReport:
    """What one run of the pipeline did for the digest dated ``day``."""

    day: date
    kind: str = "run"  # run (fetch + write) | write (from stored articles)
    run_id: str | None = None
    draft: str | None = None  # the current draft's path
    draft_version: str | None = None  # the version file, when the new draft is not current
    kept_hand_edit: bool = False
    cover: str | None = None  # the cover picture made for the draft (``editor.cover``)
    mode: str = ""  # llm | extractive
    sources: dict[str, SourceOutcome] = field(default_factory=dict)
    articles: int = 0
    stories: int = 0
    sections: int = 0
    items: int = 0
    briefs: int = 0
    fact_bullets: int = 0
    checks_failed: int = 0
    unfetched_links: int = 0
    lint_errors: int = 0
    dropped: list[DroppedStory] = field(default_factory=list)
    covered: list[EarlierStory] = field(default_factory=list)  # left out: an earlier issue ran them
    follow_ups: list[EarlierStory] = field(default_factory=list)  # run again for their new facts
    degraded: bool = False  # the model fell back somewhere (plan, budget)
    llm_unreachable: bool = False
    notices: list[str] = field(default_factory=list)
    plan_fixes: list[PlanFix] = field(default_factory=list)  # how the model's plan was repaired
    llm: LLMUsage = field(default_factory=LLMUsage)
    stages: dict[str, float] = field(default_factory=dict)  # seconds per stage
    error: str | None = None
    up_to_date: bool = False  # nothing changed since the last complete run: nothing done
    inputs: dict[str, Any] = field(default_factory=dict)  # what the draft was made from

    @property
    def failed_sources(self) -> list[SourceFailure]:
        return [SourceFailure(name, s.problem) for name, s in self.sources.items() if not s.ok]

    @property
    def exit_code(self) -> ExitCode:
        """``aidaily.exitcodes``: 0 complete, 2 a draft with source or model failures,
        1 no draft."""
        failures = bool(self.failed_sources or self.dropped or self.llm_unreachable)
        return outcome(produced=self.draft is not None, failures=failures)

    @property
    def status(self) -> str:
        """The run's status in the store."""
        return STATUS[self.exit_code]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready; the ``llm`` object holds ``sent``, ``cached``, ``failed``,
        ``tokens_in``, ``tokens_out``, ``cost_usd`` (tokens and cost of requests sent only)."""
        data = asdict(self)
        data["day"] = self.day.isoformat()
        data["llm"] = self.llm.to_dict()
        data["exit_code"] = int(self.exit_code)
        data["status"] = self.status
        data["failed_sources"] = [asdict(f) for f in self.failed_sources]
        return data
