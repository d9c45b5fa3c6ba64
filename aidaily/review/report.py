"""The review report: everything an editor must look at before publishing a date.

Built from the *current* draft file (so a bullet fixed by hand stops being flagged),
the stored source articles, and the run's review record:

- lint findings of the draft;
- grounding flags: fact bullets whose numbers or names are not in the source, each
  with the source sentence nearest to it;
- one-liner / item links that are not fetched articles;
- stories the run dropped and why, sources that failed, notices;
- token use and cost;
- the diff against the previous draft version.

``blockers`` is what ``publish`` refuses on: lint errors, grounding flags, and
commentary placeholders an extractive draft leaves for the editor.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from aidaily.format.digest import Digest, Item
from aidaily.review.drafts import Drafts
from aidaily.errors import DigestParseError
from aidaily.format.lint import PLACEHOLDER_MARK, Finding, lint_text
from aidaily.format.parse import parse

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.models import Article


@dataclass
class Flag:
    """A fact bullet the grounding check could not support."""

    line: int
    item: str
    url: str
    bullet: str
    missing_numbers: list[str]
    missing_names: list[str]
    nearest: str

    @property
    def message(self) -> str:
        parts = []
        if self.missing_numbers:
            parts.append("numbers not in the source: " + ", ".join(self.missing_numbers))
        if self.missing_names:
            parts.append("names not in the source: " + ", ".join(self.missing_names))
        return "; ".join(parts) or "no source text to check against"


@dataclass
class ReviewReport:
    day: str
    draft_path: str
    state: str  # missing | draft | edited | published
    lint: list[Finding] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    unfetched_links: list[str] = field(default_factory=list)
    placeholders: list[int] = field(default_factory=list)  # line numbers
    dropped: list[dict[str, Any]] = field(default_factory=list)
    failed_sources: list[dict[str, Any]] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    diff: str = ""

    @property
    def lint_errors(self) -> list[Finding]:
        return [f for f in self.lint if f.severity == "error"]

    @property
    def blockers(self) -> list[str]:
        """One line per reason ``publish`` refuses this draft."""
        out = [f.format() for f in self.lint_errors]
        out += [f"line {f.line}: ungrounded fact bullet ({f.message}): {f.bullet}" for f in self.flags]
        out += [f"line {n}: commentary placeholder left for the editor" for n in self.placeholders]
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["lint"] = [f.to_dict() for f in self.lint]
        data["blockers"] = self.blockers
        return data


def build_review(settings: Settings, day: str, *, store: Any = None) -> ReviewReport:
    """The review report of the current draft of ``day``."""
    from aidaily.review.record import read_record, record_path

    drafts = Drafts(settings.drafts_dir)
    path = drafts.current_path(day)
    text = drafts.read_current(day)
    if text is None:
        return ReviewReport(day, str(path), "missing")
    state = "edited" if drafts.is_hand_edited(day) else "draft"
    report = ReviewReport(day, str(path), state, lint=lint_text(text, str(path)))
    record = read_record(record_path(settings, day)) or {}
    report.dropped = list(record.get("dropped", []))
    report.notices = list(record.get("notices", []))
    report.usage = dict(record.get("usage", {}))
    report.failed_sources = list(record.get("failed_sources", []))
    previous = drafts.previous_text(day)
    if previous is not None:
        report.diff = unified_diff(previous, text, "previous", "current")
    try:
        digest = parse(text)
    except DigestParseError:
        return report  # lint already says why
    report.placeholders = placeholder_lines(digest)
    articles = _day_articles(settings, day, store)
    report.flags = grounding_flags(digest, articles)
    report.unfetched_links = unfetched_links(digest, articles)
    return report


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), old_name, new_name, n=1
        )
    )


def placeholder_lines(digest: Digest) -> list[int]:
    lines = []
    for section in digest.sections:
        for insight in section.insights:
            if any(PLACEHOLDER_MARK in b.text for b in insight.bullets):
                lines.append(insight.line)
    return lines


def source_text_for(item: Item, articles: list[Article], by_url: dict[str, Article]) -> str | None:
    """The text a fact bullet of ``item`` must be grounded in.

    An item links one article; digest sites cited by their front page (the series
    cites ai.hubtoday.app so) are grounded in all of that site's articles of the day.
    """
    article = by_url.get(item.url.rstrip("/"))
    if article is not None:
        return f"{article.title}\n{article.text}"
    parts = urlsplit(item.url)
    if parts.path in ("", "/"):
        same_site = [a for a in articles if urlsplit(a.url).netloc == parts.netloc]
        if same_site:
            return "\n".join(f"{a.title}\n{a.text}" for a in same_site)
    return None


def grounding_flags(digest: Digest, articles: list[Article]) -> list[Flag]:
    from aidaily.checks.grounding import check_bullet

    flags: list[Flag] = []
    by_url = {a.url.rstrip("/"): a for a in articles}
    for item in digest.items:
        source = source_text_for(item, articles, by_url)
        for index, bullet in enumerate(item.bullets):
            line = item.line + 1 + item.bullets_gap + index
            if source is None:
                flags.append(Flag(line, item.title, item.url, bullet.text, [], [], ""))
                continue
            result = check_bullet(bullet.text, source)
            if not result.ok:
                flags.append(
                    Flag(
                        line,
                        item.title,
                        item.url,
                        bullet.text,
                        list(result.missing_numbers),
                        list(result.missing_names),
                        result.nearest_sentence,
                    )
                )
    return flags


def unfetched_links(digest: Digest, articles: list[Article]) -> list[str]:
    fetched = {a.url.rstrip("/") for a in articles}
    hosts = {urlsplit(a.url).netloc for a in articles}
    links = [i.url for i in digest.items] + [b.url for b in digest.briefs]
    out = []
    for url in links:
        parts = urlsplit(url)
        root_of_fetched_site = parts.path in ("", "/") and parts.netloc in hosts
        if url.rstrip("/") not in fetched and not root_of_fetched_site:
            out.append(url)
    return out


def _day_articles(settings: Settings, day: str, store: Any) -> list[Article]:
    from aidaily.store.store import Store

    store = store or Store.from_settings(settings)
    return store.articles_for(
        date.fromisoformat(day), hours=settings.window.hours, timezone=settings.window.timezone
    )
