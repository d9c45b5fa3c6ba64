"""What each issue ran, kept in the store: the memory across issues.

The truth of what an issue ran is its text: the published post when there is one
(``publish.post_path``), else the current draft (an editor's hand edit included). One
function reads it (``issue_text``), one turns it into the stories it ran and stores
them (``remember_issue``: ``stories.memory.past_items`` over the items and 其他动态
lines, each with the articles of its date it stood for, ``review.report.day_sources``),
and one gives a date the issues before it (``recent_issues``), re-reading any whose
text changed since it was stored (an edit, a publication). ``record_draft`` and
``publish`` call ``remember_issue`` as they write; a home whose tables are empty (made
before the memory) is filled from its files the first time a later date is selected.
When no file is left (drafts cleaned, posts published elsewhere), the store remembers.

Only dates before the one being written count, so a re-run of a date never leaves out
its own stories.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from aidaily.errors import DigestParseError
from aidaily.review.drafts import Drafts, text_hash

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.models import PastIssue
    from aidaily.store.store import Store

PUBLISHED, DRAFT = "published", "draft"


@dataclass
class Memory:
    """The issues before a date, oldest first, and what could not be read."""

    issues: list[PastIssue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        """What the memory holds (dates, states, texts): a change means another draft.
        Empty without earlier issues."""
        if not self.issues:
            return ""
        digest = hashlib.sha256()
        for issue in self.issues:
            digest.update(f"{issue.day.isoformat()} {issue.state} {issue.sha256}\n".encode())
        return digest.hexdigest()


def issue_text(settings: Settings, day: date) -> tuple[str, str] | None:
    """``(text, state)`` of the issue dated ``day``: the published post, else the
    current draft; None when there is neither."""
    from aidaily.review.publish import post_path

    post = post_path(settings, day)
    try:
        if post.is_file():
            return post.read_text(encoding="utf-8"), PUBLISHED
        draft = Drafts(settings.drafts_dir).read_current(day.isoformat())
    except (OSError, UnicodeDecodeError):
        return None
    return (draft, DRAFT) if draft is not None else None


def read_issue(settings: Settings, day: date, text: str, state: str, store: Store) -> PastIssue:
    """The stories the issue ``text`` of ``day`` runs, with the articles they stood for.

    Raises:
        DigestParseError: the text is not a digest.
    """
    from aidaily.format.parse import parse
    from aidaily.models import PastIssue
    from aidaily.review.report import day_sources
    from aidaily.stories.memory import past_items

    digest = parse(text)
    return PastIssue(day, state, text_hash(text), digest.title or "", digest.headline or "",
                     past_items(digest, day_sources(settings, day, store)))


def remember_issue(settings: Settings, day: date, store: Store | None = None) -> str | None:
    """Store what the issue of ``day`` runs, as its files say now; a notice when its
    text cannot be read as a digest (what was stored stays), else None."""
    from aidaily.store.store import Store

    found = issue_text(settings, day)
    if found is None:
        return None
    text, state = found
    store = store or Store.from_settings(settings)
    try:
        store.save_issue(read_issue(settings, day, text, state, store))
    except DigestParseError as exc:
        return f"memory: the issue of {day.isoformat()} is not a readable digest ({exc.message}); its stories are not remembered anew"
    return None


def recent_issues(settings: Settings, day: date, store: Store | None = None) -> Memory:
    """The issues dated in the ``digest.memory_days`` days before ``day`` (never ``day``
    itself), each as its files say now (stored anew when they changed) or, without
    files, as stored."""
    from aidaily.store.store import Store

    days = settings.digest.memory_days
    if days <= 0:
        return Memory()
    store = store or Store.from_settings(settings)
    start = day - timedelta(days=days)
    known = {issue.day: issue for issue in store.issues(start, day)}
    memory = Memory()
    for n in range(days):
        when = start + timedelta(days=n)
        found = issue_text(settings, when)
        stored = known.get(when)
        if found is not None and not _current(stored, *found):
            notice = remember_issue(settings, when, store)
            if notice:
                memory.notices.append(notice)
    memory.issues = store.issues(start, day)
    return memory


def _current(stored: PastIssue | None, text: str, state: str) -> bool:
    """Is ``stored`` what the files say? A published issue stays published even when
    only a draft of it is left (its post moved away)."""
    if stored is None:
        return False
    if stored.state == PUBLISHED and state == DRAFT:
        return True
    return stored.state == state and stored.sha256 == text_hash(text)
