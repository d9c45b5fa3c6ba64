"""Any RSS/Atom feed, configured without code (``[[feeds]]`` in aidaily.toml).

The feed gives the entries; each article page is read with the configured CSS
``selector`` when there is one, else by trafilatura (main-content detection, which
works on most news sites without tuning). When the page yields nothing but the feed
carried the full text (``content:encoded``), that text is used instead.
"""

from __future__ import annotations

from datetime import date

from cssselect import SelectorError

from aidaily.config import FeedSource
from aidaily.errors import ExtractError
from aidaily.models import Article, FeedEntry
from sources.base import Listing, Source
from sources.html_utils import (
    HtmlElement,
    block_lines,
    canonical_url,
    first_text,
    html_to_text,
    image_urls,
    meta_content,
    normalize_space,
    parse_feed,
    parse_iso_datetime,
    parse_local_datetime,
    parse_page,
    select_one,
    strip_markup,
    text_of,
)

# Pages whose main text is shorter than this are treated as "no article found".
MIN_TEXT_CHARS = 20


class GenericFeedSource(Source):
    """One configured feed: ``FeedSource(name, url, selector=…, ai_only=…)``."""

    def __init__(self, feed: FeedSource) -> None:
        self.feed = feed
        self.name = feed.name

    def listing_urls(self, day: date) -> list[str]:
        return [self.feed.url]

    def parse_listing(self, url: str, text: str) -> Listing:
        return Listing(entries=parse_feed(url, text, self.name, canonical=canonical_url))

    def parse_article(self, url: str, html: str, entry: FeedEntry | None = None) -> Article:
        page = parse_page(html, url)
        meta: dict[str, str] = {}
        if self.feed.selector:
            lines, images = _by_selector(page, self.feed.selector, url)
        else:
            lines, meta = _by_trafilatura(html, url)
            images = image_urls(page, url)[:1]
        if sum(len(line) for line in lines) < MIN_TEXT_CHARS and entry and entry.content_html:
            lines = html_to_text(entry.content_html).split("\n")  # the feed's own full text
        lines = [line for line in lines if line]
        if not lines:
            how = f"selector {self.feed.selector!r}" if self.feed.selector else "trafilatura"
            raise ExtractError(f"{url}: no article text found ({how} matched nothing usable)")
        return Article(
            url=canonical_url(url),
            source=self.name,
            title=self._title(page, meta, entry),
            text="\n".join(lines),
            published=self._published(page, meta, entry),
            author=meta_content(page, "author", "article:author") or meta.get("author", ""),
            origin=self.name,
            images=images,
            ai_relevant=True if self.feed.ai_only else None,
        )

    def _title(self, page: HtmlElement, meta: dict[str, str], entry: FeedEntry | None) -> str:
        if self.feed.title_selector:
            title = first_text(page, [self.feed.title_selector])
            if title:
                return title
        title = meta.get("title") or meta_content(page, "og:title") or first_text(page, ["h1"])
        if not title:
            title = text_of(select_one(page, "title"))
        return title or (entry.title if entry else "")

    def _published(self, page: HtmlElement, meta: dict[str, str], entry: FeedEntry | None):
        """Configured selector, then page meta, then the feed's time (it has a zone),
        then trafilatura's date (a day only: midnight, Beijing time)."""
        if self.feed.time_selector:
            stamp = parse_local_datetime(first_text(page, [self.feed.time_selector]))
            if stamp is not None:
                return stamp
        stamp = parse_iso_datetime(meta_content(page, "article:published_time", "pubdate"))
        if stamp is None and entry is not None:
            stamp = entry.published
        if stamp is None and meta.get("date"):
            stamp = parse_local_datetime(meta["date"])
        return stamp


def _by_selector(page: HtmlElement, selector: str, url: str) -> tuple[list[str], list[str]]:
    try:
        body = select_one(page, selector)
    except SelectorError as exc:
        raise ExtractError(f"{url}: invalid CSS selector {selector!r}: {exc}") from exc
    if body is None:
        raise ExtractError(f"{url}: layout changed: selector {selector!r} matched nothing")
    return block_lines(body), image_urls(body, url)


def _by_trafilatura(html: str, url: str) -> tuple[list[str], dict[str, str]]:
    """Main text by trafilatura, and the title/date/author it finds in the page."""
    import trafilatura  # heavy; only generic feeds without a selector need it

    text = trafilatura.extract(
        html, url=url, include_comments=False, include_tables=False,
        include_images=False, include_links=False, favor_precision=True,
    )
    lines = [normalize_space(strip_markup(line)) for line in (text or "").split("\n")]
    meta: dict[str, str] = {}
    try:
        doc = trafilatura.extract_metadata(html, default_url=url)
    except Exception:  # metadata is a bonus: a page it chokes on still has its text
        doc = None
    if doc is not None:
        for key in ("title", "date", "author"):
            value = getattr(doc, key, None)
            if value:
                meta[key] = normalize_space(str(value))
    return lines, meta
