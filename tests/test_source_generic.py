"""Generic feed source: any RSS/Atom feed by configuration alone; build_sources/get_source."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from aidaily.config import FeedSource, Settings, SourceToggle
from aidaily.errors import ConfigError, ExtractError
from sources import build_sources, get_source
from sources.generic import GenericFeedSource

BJ = ZoneInfo("Asia/Shanghai")

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example AI news</title>
  <id>urn:example</id><updated>2026-01-18T10:00:00Z</updated>
  <entry>
    <title>Model X released</title>
    <link href="https://news.example.com/a/1?utm_source=rss"/>
    <id>urn:1</id><updated>2026-01-18T02:30:00Z</updated>
    <summary>Short summary.</summary>
  </entry>
  <entry>
    <title>No link here</title><id>urn:2</id><updated>2026-01-18T03:30:00Z</updated>
  </entry>
</feed>"""

PAGE = """<!DOCTYPE html><html><head><title>Model X released | Example</title>
<meta property="og:title" content="Model X released">
<meta property="article:published_time" content="2026-01-18T10:30:00+08:00">
</head><body>
<nav><a href="/">Home</a> <a href="/ai">AI</a> Subscribe to our newsletter</nav>
<article><h1>Model X released</h1>
<div class="story-body">
<p>Example Labs released Model X on Sunday, a language model with a context window of one million tokens.</p>
<p>The company said the model beats its predecessor on coding and mathematics benchmarks by a wide margin.</p>
<p>Model X is available through the API today, and a smaller open-weights version will follow next month.</p>
<script>track("read")</script>
</div></article>
<aside class="related">Related: other stories you may like</aside>
<footer>Copyright 2026 Example Media. All rights reserved.</footer>
</body></html>"""


def feed(**kw) -> FeedSource:
    return FeedSource(name="example", url="https://news.example.com/feed.xml", **kw)


def test_listing_atom():
    src = GenericFeedSource(feed())
    assert src.name == "example"
    assert src.listing_urls(date(2026, 1, 19)) == ["https://news.example.com/feed.xml"]
    entries = src.parse_listing(src.feed.url, ATOM).entries
    assert [e.url for e in entries] == ["https://news.example.com/a/1"]  # utm_* dropped, link-less skipped
    assert entries[0].published == datetime(2026, 1, 18, 10, 30, tzinfo=BJ)
    assert entries[0].published == datetime(2026, 1, 18, 2, 30, tzinfo=timezone.utc)


def test_article_by_selector():
    src = GenericFeedSource(feed(selector="div.story-body", ai_only=True))
    a = src.parse_article("https://news.example.com/a/1", PAGE)
    assert a.title == "Model X released" and a.source == "example"
    assert a.text.count("\n") == 2 and "track(" not in a.text and "Copyright" not in a.text
    assert a.published == datetime(2026, 1, 18, 10, 30, tzinfo=BJ)
    assert a.ai_relevant is True


def test_article_by_trafilatura():
    src = GenericFeedSource(feed())
    entry = src.parse_listing(src.feed.url, ATOM).entries[0]
    a = src.parse_article(entry.url, PAGE, entry)
    assert "Model X on Sunday" in a.text and "open-weights" in a.text
    assert "Subscribe" not in a.text and "Copyright" not in a.text and "<" not in a.text
    assert a.title == "Model X released" and a.ai_relevant is None
    assert a.published.tzinfo is not None


def test_feed_text_used_when_page_is_empty():
    src = GenericFeedSource(feed())
    entry = src.parse_listing(src.feed.url, ATOM).entries[0]
    entry.content_html = "<p>The full text carried by the feed itself, long enough to use.</p>"
    a = src.parse_article(entry.url, "<html><body><div></div></body></html>", entry)
    assert a.text.startswith("The full text carried by the feed")


def test_selector_from_the_document_element():
    """A selector may start at <html>, which stands for the whole page."""
    a = GenericFeedSource(feed(selector="html > body article > .story-body")).parse_article(
        "https://news.example.com/a/1", PAGE)
    assert a.text.startswith("Example Labs released Model X")


def test_errors():
    with pytest.raises(ExtractError, match="matched nothing"):
        GenericFeedSource(feed(selector="#missing")).parse_article("https://x.example/1", PAGE)
    with pytest.raises(ExtractError, match="no article text"):
        GenericFeedSource(feed()).parse_article("https://x.example/1", "<html><body><p></p></body></html>")
    with pytest.raises(ExtractError, match="invalid CSS selector"):
        GenericFeedSource(feed(selector="div[")).parse_article("https://x.example/1", PAGE)
    with pytest.raises(ExtractError, match="malformed|not an RSS"):
        GenericFeedSource(feed()).parse_listing("https://x.example/feed", "<rss><channel><item><title>x")


def test_build_and_get_sources():
    settings = Settings()
    assert [s.name for s in build_sources(settings)] == ["ithome", "qbitai", "hubtoday"]  # shipped feeds disabled
    settings = Settings(
        sources={"ithome": SourceToggle(enabled=False)},
        feeds=[feed(), FeedSource(name="off", url="https://off.example/rss", enabled=False)],
    )
    assert [s.name for s in build_sources(settings)] == ["qbitai", "hubtoday", "example"]
    assert get_source("example", settings).feed.url == "https://news.example.com/feed.xml"
    assert get_source("off", settings).name == "off"  # disabled sources can still be tried by hand
    assert get_source("aibase").feed.ai_only is True
    with pytest.raises(ConfigError, match="unknown source 'nope'"):
        get_source("nope", settings)
