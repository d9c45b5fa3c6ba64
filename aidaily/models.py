"""Plain data passed between the pipeline's stages.

Sources turn feeds and pages into ``FeedEntry`` and ``Article`` values; selection turns
articles into ``Story`` values (one story = one piece of news, possibly reported by
several articles). What earlier issues ran is ``PastIssue`` / ``PastItem`` (the memory
across issues, ``aidaily.memory.recall``); a story that follows up on one of them
carries ``Earlier``. These are values only: persistence lives in ``aidaily.store``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass
class FeedEntry:
    """One entry of a feed or listing page: what to fetch, and what the feed says of it."""

    url: str
    title: str
    source: str
    published: datetime | None = None
    summary: str = ""  # the feed's own text (may be full HTML for some feeds)
    content_html: str = ""  # content:encoded / description HTML when the feed carries it


@dataclass
class Article:
    """One article after extraction: clean text and its metadata.

    For hubtoday, one daily page yields many ``Article`` values: each numbered item is
    a story of its own, ``links`` holding the originals it cites and ``section`` the
    page section it sits in.
    """

    url: str  # canonical URL: the key in the store
    source: str  # adapter name: ithome | qbitai | hubtoday | <feed name>
    title: str
    text: str
    published: datetime | None = None  # aware, Asia/Shanghai for the Chinese sites
    author: str = ""
    origin: str = ""  # the "来源" the site names (e.g. IT之家, 量子位)
    editor: str = ""
    images: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # outbound links worth keeping
    section: str = ""  # hubtoday page section (产品与功能更新, 前沿研究, …)
    ai_relevant: bool | None = None  # None: not decided yet

    @property
    def lead_image(self) -> str | None:
        return self.images[0] if self.images else None

    @property
    def content_hash(self) -> str:
        """Hash of what the article says; a changed hash means a changed article."""
        payload = "\x1f".join([self.title, self.text, *self.links])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


@dataclass
class Earlier:
    """What an earlier issue said about a story that is back with new facts: the story
    is run again as a follow-up (``aidaily.memory.recall``)."""

    day: date  # the earlier issue's date
    title: str  # its item's headline (or one-liner)
    url: str
    bullets: list[str] = field(default_factory=list)  # its fact bullets
    new_facts: list[str] = field(default_factory=list)  # numbers and names it did not say


@dataclass
class Story:
    """One piece of news: the articles that report it, best first."""

    id: str
    articles: list[Article]
    follow_up: Earlier | None = None  # an earlier issue ran it; this is what is new

    @property
    def primary(self) -> Article:
        return self.articles[0]

    @property
    def title(self) -> str:
        return self.primary.title

    @property
    def url(self) -> str:
        return self.primary.url

    @property
    def sources(self) -> list[str]:
        return sorted({a.source for a in self.articles})

    @property
    def duplicate_count(self) -> int:
        return len(self.articles)


@dataclass
class PastItem:
    """One story an issue ran: a linked item or a 其他动态 line, as the issue's text says
    it, with the articles it stood for when the issue was recorded (their text trimmed)."""

    kind: str  # item | brief
    title: str  # the item's headline, or the one-liner's text
    url: str  # the link as written
    bullets: list[str] = field(default_factory=list)  # fact bullets (none for a one-liner)
    story_id: str | None = None  # the run's grouping of the linked article, when known
    articles: list[Article] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        """The link and the URLs of the articles it stood for."""
        return list(dict.fromkeys([self.url, *(a.url for a in self.articles)]))


@dataclass
class PastIssue:
    """One issue as it ran (``published``) or is drafted (``draft``): what the memory
    across issues compares a new day's stories with."""

    day: date
    state: str  # draft | published
    sha256: str  # hash of the issue text the items were read from
    title: str = ""
    headline: str = ""
    items: list[PastItem] = field(default_factory=list)
