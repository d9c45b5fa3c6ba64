"""The review report: everything an editor must look at before publishing a date.

Built from the *current* draft file (so a bullet fixed by hand stops being flagged),
the stored source articles, and the run's review record:

- lint findings of the draft (its format and the editorial checks of
  ``format.editorial``), and the editorial checks that need the sources
  (``checks.sourced``: commentary naming what no source names, a page's lead-in line
  as a fact);
- grounding flags: fact bullets whose numbers or names are not in the source, each
  with the source sentence nearest to it; as warnings, bullets only another article of
  a weak merge supports, and title / summary lines the items they restate do not back;
- one-liner / item links that are not fetched articles;
- stories the run dropped and why, candidates the plan did not see and why (borderline
  with no model, below the card limit; and how many articles were judged not AI news),
  stories left out because an earlier issue ran them (which date, which item) and
  follow-ups, sources that failed, notices;
- token use and cost;
- the diff against the previous draft version.

``blockers`` is what ``publish`` refuses on: lint errors (the editorial checks'
errors among them: same headlines, commentary repeating a fact, datelines, bylines and
lead-ins as facts, cut bullets), grounding flags, and commentary placeholders an
extractive draft leaves for the editor.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from aidaily.checks.grounding import (
    BulletVerdict,
    ItemSources,
    ground_digest,
    ground_restatements,
    unfetched_links,
)
from aidaily.checks.sourced import sourced_findings
from aidaily.errors import DigestParseError
from aidaily.format.digest import Digest, Insight, Item
from aidaily.format.lint import PLACEHOLDER_MARK, Finding, lint_text
from aidaily.format.parse import parse
from aidaily.llm.usage import LLMUsage
from aidaily.models import LeftOut
from aidaily.pipeline.report import DroppedStory, EarlierStory, SourceFailure
from aidaily.review.record import read_record, record_path
from aidaily.store.drafts import Drafts
from aidaily.store.store import day_sources
from aidaily.stories.dedup import weak_pair

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.store.store import Store


#: A fact bullet the grounding check could not support (``ground_digest``'s verdict).
Flag = BulletVerdict


@dataclass
class ReviewReport:
    day: date
    draft_path: str
    state: str  # missing | draft | edited | published
    lint: list[Finding] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    # Grounded bullets supported only by another article of a weak merge (a warning:
    # the story may be two stories; the editor decides).
    weak_support: list[Flag] = field(default_factory=list)
    # The title and summary lines whose numbers or names the items they restate do not
    # have (a warning: the house restates loosely, "一周" as "7 天"; the editor decides).
    restatements: list[Flag] = field(default_factory=list)
    unfetched_links: list[str] = field(default_factory=list)
    placeholders: list[int] = field(default_factory=list)  # line numbers
    dropped: list[DroppedStory] = field(default_factory=list)
    covered: list[EarlierStory] = field(default_factory=list)  # left out: an earlier issue ran them
    follow_ups: list[EarlierStory] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)  # candidates the plan did not see
    not_ai: int | None = None  # articles judged not AI news (None: the record does not say)
    failed_sources: list[SourceFailure] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    llm: LLMUsage | None = None  # the run's model use (None: no record of it)
    diff: str = ""

    @property
    def lint_errors(self) -> list[Finding]:
        return [f for f in self.lint if f.severity == "error"]

    @property
    def blockers(self) -> list[str]:
        """One line per reason ``publish`` refuses this draft."""
        out = [f.format() for f in self.lint_errors]
        out += [f"line {f.line}: ungrounded fact bullet ({f.message}): {f.bullet}" for f in self.flags]
        out += [f"line {n}: placeholder left for the editor" for n in self.placeholders]
        return out

    @property
    def exit_code(self) -> int:
        """``aidaily review``: 1 while the draft is missing or anything blocks publishing."""
        return 1 if self.state == "missing" or self.blockers else 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)  # the findings too (``Finding.to_dict`` is ``asdict``)
        data["llm"] = self.llm.to_dict() if self.llm else None
        data["blockers"] = self.blockers
        return data


def build_review(settings: Settings, day: date, *, store: Store | None = None) -> ReviewReport:
    """The review report of the current draft of ``day``."""
    iso = day.isoformat()  # the drafts' file key
    drafts = Drafts(settings.drafts_dir)
    path = drafts.current_path(iso)
    text = drafts.read_current(iso)
    if text is None:
        return ReviewReport(day, str(path), "missing")
    state = "edited" if drafts.is_hand_edited(iso) else "draft"
    report = ReviewReport(day, str(path), state, lint=lint_text(text, str(path), settings.digest))
    record = read_record(record_path(settings, iso)) or {}
    report.dropped = [DroppedStory(str(d.get("story_id", "")), str(d.get("title", "")),
                                   str(d.get("reason", ""))) for d in _dicts(record.get("dropped"))]
    report.covered = _earlier(record.get("covered"))
    report.follow_ups = _earlier(record.get("follow_ups"))
    report.left_out = [LeftOut(*(str(d.get(k, "")) for k in ("story_id", "title", "url", "reason", "detail")))
                       for d in _dicts(record.get("left_out"))]
    counts = record.get("counts")
    not_ai = counts.get("not_ai") if isinstance(counts, dict) else None
    report.not_ai = not_ai if isinstance(not_ai, int) else None
    notices = record.get("notices")
    report.notices = [n for n in notices if isinstance(n, str)] if isinstance(notices, list) else []
    report.llm = _usage(record.get("llm"))
    report.failed_sources = [SourceFailure(str(f.get("source", "")), str(f.get("error", "")))
                             for f in _dicts(record.get("failed_sources"))]
    previous = drafts.previous_text(iso)
    if previous is not None:
        report.diff = unified_diff(previous, text, "previous", "current")
    try:
        digest = parse(text)
    except DigestParseError:
        return report  # lint already says why
    report.placeholders = placeholder_lines(digest)
    sources = day_sources(settings, day, store, weak_pair)
    report.lint = sorted([*report.lint, *sourced_findings(digest, sources)],
                         key=lambda f: (f.line, f.severity != "error", f.code))
    verdicts = ground_digest(digest, sources)
    report.flags = [v for v in verdicts if not v.ok]
    report.weak_support = [v for v in verdicts if v.weak_merge]
    report.restatements = [v for v in ground_restatements(digest, sources) if not v.ok]
    report.unfetched_links = unfetched_links(digest, sources)
    return report


def _dicts(value: object) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _earlier(value: object) -> list[EarlierStory]:
    """``EarlierStory`` values from a review record (what it cannot read is skipped)."""
    out = []
    for d in _dicts(value):
        facts = d.get("new_facts")
        def text(key: str, d: dict[str, Any] = d) -> str:
            return str(d.get(key, ""))

        out.append(EarlierStory(text("story_id"), text("title"), text("url"), text("earlier_day"),
                                text("earlier_title"), text("earlier_url"),
                                [str(f) for f in facts] if isinstance(facts, list) else [],
                                text("earlier_post")))
    return out


def _usage(value: object) -> LLMUsage | None:
    if not isinstance(value, dict):
        return None
    def number(key: str) -> float:
        got = value.get(key, 0)
        return float(got) if isinstance(got, int | float) else 0.0

    return LLMUsage(sent=int(number("sent")), cached=int(number("cached")), failed=int(number("failed")),
                    tokens_in=int(number("tokens_in")), tokens_out=int(number("tokens_out")),
                    cost_usd=number("cost_usd"))


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name, n=1
        )
    )


def placeholder_lines(digest: Digest) -> list[int]:
    """Lines of the commentary blocks and items an extractive writer left for the editor."""
    lines = []
    for section in digest.sections:
        for entry in section.entries:
            if isinstance(entry, Insight | Item) and any(PLACEHOLDER_MARK in b.text for b in entry.bullets):
                lines.append(entry.line)
    return lines


def grounding_flags(digest: Digest, sources: ItemSources) -> list[Flag]:
    """The fact bullets of ``digest`` that are not grounded (``ground_digest``)."""
    return [v for v in ground_digest(digest, sources) if not v.ok]
