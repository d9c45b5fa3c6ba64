"""The one small interface every source adapter implements.

A source says what to read for a digest date, turns a fetched feed / listing page into
entries (or, for digest-like sites such as hubtoday, directly into articles), and turns
a fetched article page into an ``Article``. Adapters are pure: they receive text that
was fetched elsewhere (``aidaily.ingest.fetch``) and return plain values (``aidaily.models``);
they never touch the network, the database or Prefect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from aidaily.models import Article, FeedEntry


@dataclass
class Listing:
    """What one feed or listing page yields."""

    entries: list[FeedEntry] = field(default_factory=list)  # pages still to fetch
    articles: list[Article] = field(default_factory=list)  # complete already (hubtoday)


class Source:
    """Base class of the adapters in ``sources/``."""

    name: str = ""

    @property
    def user_agent(self) -> str | None:
        """The User-Agent to send to this source (None: the configured one, which names
        aidaily and its operator's contact; no adapter pretends to be a browser)."""
        return None

    def listing_urls(self, day: date) -> list[str]:
        """Feeds / pages to read for the digest dated ``day`` (the newest first).

        A function of the adapter's settings and ``day`` only (not of the clock): the
        up-to-date check replays a run's listing requests on that assumption."""
        raise NotImplementedError

    def backfill_urls(self, day: date) -> list[str]:
        """Extra listing URLs that reach back to a past ``day`` (date archives); may be
        empty when the site has no such pages."""
        return []

    def parse_listing(self, url: str, text: str) -> Listing:
        """Turn one fetched feed / listing page into entries or articles.

        Raises:
            ExtractError: the document is not what this source serves (bad XML, a
                changed layout); the caller records it for this URL and goes on.
        """
        raise NotImplementedError

    def parse_article(self, url: str, html: str, entry: FeedEntry | None = None) -> Article:
        """Extract one article page; ``entry`` is what the feed said of it.

        Raises:
            ExtractError: the page has no recognisable article body.
        """
        raise NotImplementedError
