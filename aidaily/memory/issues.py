"""What each issue ran, kept in the store: the issues the memory compares a day with.

The truth of what an issue ran is its text: the posts of its date in the blog
(``memory.blog``: every post of the series under ``[publish] dir``, aidaily's own
published post among them, whatever wrote the others), else the current draft (an
editor's hand edit included). One function reads it (``issue_text``), one turns it into
the stories it ran and stores them (``remember_issue``: ``format.outline`` counts the
stories of any layout as a reader does, ``memory.recall.past_items`` gives each the articles of its
date it stood for, ``store.day_sources``), and one gives a date the issues before it
(``recent_issues``: the last ``[digest] memory_days`` dates that have an issue),
re-reading any whose text changed since it was stored (an edit, a publication, a post
the blog's own job wrote). ``record_draft`` and ``publish`` call ``remember_issue`` as
they write; a home whose tables are empty (made before the memory, or pointed at a
blog for the first time) is filled from its files the first time a later date is
selected. When no file is left (drafts cleaned, posts moved), the store remembers.

Only dates before the one being written count, so a re-run of a date never leaves out
its own stories.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from aidaily.errors import AidailyError, DigestParseError
from aidaily.format.outline import outline
from aidaily.memory.blog import Post, series_posts
from aidaily.memory.recall import past_items
from aidaily.models import PastIssue
from aidaily.store.drafts import Drafts, text_hash
from aidaily.store.store import Store, day_sources

if TYPE_CHECKING:
    from aidaily.config import Settings

PUBLISHED, DRAFT = "published", "draft"


@dataclass
class IssueText:
    """The text of one date's issue: its posts (``published``), or its draft."""

    state: str  # published | draft
    parts: list[tuple[str, str]]  # (where it was read: a post's path under [publish] dir, or the draft's file), text

    @property
    def sha256(self) -> str:
        """Of the text (one post or the draft: the text's own hash, as stored before the
        blog was read); of every part with its name when a date has several posts."""
        if len(self.parts) == 1:
            return text_hash(self.parts[0][1])
        return text_hash("\0".join(f"{name}\0{text}" for name, text in self.parts))

    @property
    def origin(self) -> str:
        """Where the issue was read, for people: the posts' paths, or the draft's."""
        return ", ".join(name for name, _ in self.parts)


@dataclass
class Memory:
    """The issues before a date, oldest first, where each was read, and what could
    not be read."""

    issues: list[PastIssue] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    origins: dict[date, str] = field(default_factory=dict)  # date -> the post(s) or draft read

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

    def origin(self, day: date) -> str:
        """Where the issue of ``day`` was read ("" when only the store remembers it)."""
        return self.origins.get(day, "")


def issue_text(settings: Settings, day: date, posts: dict[date, list[Post]] | None = None) -> IssueText | None:
    """The text of the issue dated ``day``: its posts in the blog (``posts``, default
    read from ``[publish] dir``; aidaily's own post counted once), else the current
    draft; None when there is neither or it cannot be read."""
    posts = series_posts(settings) if posts is None else posts
    found = list(posts.get(day, []))
    own = settings.post_path(day)
    try:
        paths = [p.path for p in found]
        if own.is_file() and all(own.resolve() != p.resolve() for p in paths):
            found.append(Post(own, own.relative_to(settings.publish_dir).as_posix(), day, ""))
        if found:
            return IssueText(PUBLISHED, [(p.name, p.path.read_text(encoding="utf-8")) for p in found])
        drafts = Drafts(settings.drafts_dir)
        draft = drafts.read_current(day.isoformat())
    except (OSError, UnicodeDecodeError, AidailyError):
        return None
    if draft is None:
        return None
    path = drafts.current_path(day.isoformat())
    name = path.relative_to(settings.home).as_posix() if path.is_relative_to(settings.home) else str(path)
    return IssueText(DRAFT, [(name, draft)])


def read_issue(settings: Settings, day: date, found: IssueText, store: Store) -> PastIssue:
    """The stories the issue ``found`` of ``day`` runs, with the articles they stood for.

    Raises:
        DigestParseError: a text of it is not a post (no front matter).
    """
    # Imported here: reading an issue anew brings the parser (YAML, the house model) and
    # the matching dedup's MinHash (datasketch, scipy), which the up-to-date check of an
    # unchanged date, whose issues the store already has, never needs.
    from aidaily.format.parse import parse

    sources = day_sources(settings, day, store)
    issue = PastIssue(day, found.state, found.sha256)
    for name, text in found.parts:
        try:
            digest = parse(text)
        except DigestParseError as exc:
            raise DigestParseError(f"{name}: {exc.message}") from None
        issue.title = issue.title or digest.title or ""
        issue.headline = issue.headline or digest.headline or ""
        issue.items += past_items(outline(digest), sources)
    return issue


def remember_issue(settings: Settings, day: date, store: Store | None = None,
                   posts: dict[date, list[Post]] | None = None) -> str | None:
    """Store what the issue of ``day`` runs, as its files say now; a notice when its
    text cannot be read as a digest (what was stored stays), else None."""
    found = issue_text(settings, day, posts)
    if found is None:
        return None
    store = store or Store.from_settings(settings)
    try:
        store.save_issue(read_issue(settings, day, found, store))
    except DigestParseError as exc:
        return f"memory: the issue of {day.isoformat()} is not a readable digest ({exc.message}); its stories are not remembered anew"
    return None


def recent_issues(settings: Settings, day: date, store: Store | None = None) -> Memory:
    """The issues of the last ``digest.memory_days`` dates before ``day`` that have one
    (a post in the blog, a draft, or the store's record; never ``day`` itself), each as
    its files say now (stored anew when they changed) or, without files, as stored."""
    count = settings.digest.memory_days
    if count <= 0:
        return Memory()
    store = store or Store.from_settings(settings)
    posts = series_posts(settings)
    drafts = {date.fromisoformat(d) for d in Drafts(settings.drafts_dir).days()}
    dates = sorted({d for d in [*posts, *drafts] if d < day} | set(store.issue_dates(day, count)))[-count:]
    if not dates:
        return Memory()
    known = {issue.day: issue for issue in store.issues(dates[0], day)}
    memory = Memory()
    for when in dates:
        found = issue_text(settings, when, posts)
        if found is None:
            if when in posts:  # indexed a moment ago, unreadable now
                memory.notices.append(f"memory: the post of {when.isoformat()} ({posts[when][0].name}) "
                                      "could not be read; what the store remembers of it stands")
            continue
        memory.origins[when] = found.origin
        if not _current(known.get(when), found):
            notice = remember_issue(settings, when, store, posts)
            if notice:
                memory.notices.append(notice)
    memory.issues = [issue for issue in store.issues(dates[0], day) if issue.day in set(dates)]
    return memory


def _current(stored: PastIssue | None, found: IssueText) -> bool:
    """Is ``stored`` what the files say? A published issue stays published even when
    only a draft of it is left (its post moved away)."""
    if stored is None:
        return False
    if stored.state == PUBLISHED and found.state == DRAFT:
        return True
    return stored.state == found.state and stored.sha256 == found.sha256
