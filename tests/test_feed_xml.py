"""The RSS fast path (``sources.feed_xml``): what it reads is what feedparser reads, and
whatever is not plain RSS 2.0 goes to feedparser."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from benchmarks.synth import write_day
from sources.feed_xml import FeedItem, read_plain_rss
from sources.html_utils import SHANGHAI, feedparser_items, parse_feed
from tests.conftest import FIXTURES

FEEDS = sorted((FIXTURES / "feeds").glob("*.xml"))
DEMO_FEEDS = sorted(p for p in (FIXTURES / "day").rglob("__index__") if p.parent.name in ("rss", "feed"))

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">'
        '<channel><title>站</title><link>https://example.com/</link>')
TAIL = "</channel></rss>"


def rss(*items: str) -> str:
    return HEAD + "".join(f"<item>{item}</item>" for item in items) + TAIL


def both(text: str) -> tuple[list[FeedItem] | None, list[FeedItem]]:
    return read_plain_rss(text), feedparser_items("https://example.com/rss", text)


@pytest.mark.parametrize("path", FEEDS + DEMO_FEEDS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_feeds_read_fast_give_what_feedparser_gives(path: Path) -> None:
    fast, slow = both(path.read_text(encoding="utf-8"))
    assert fast is not None, "a plain RSS feed of the sites went to feedparser"
    assert fast == slow and len(fast) >= 3


def test_the_benchmark_day_feeds_read_fast_give_what_feedparser_gives(tmp_path: Path) -> None:
    write_day(tmp_path, ithome=40, qbitai=8, seed=3)
    feeds = [p for p in tmp_path.rglob("__index__") if p.parent.name in ("rss", "feed")]
    assert len(feeds) == 3  # ithome, and qbitai's two
    for path in feeds:
        fast, slow = both(path.read_text(encoding="utf-8"))
        assert fast is not None and fast == slow


# The quirks of feedparser the fast path keeps: each case read both ways, the same.
SAME = {
    "content without description is the summary too":
        rss("<title>A</title><link>https://a.cn/1</link><content:encoded><![CDATA[\n <p>正文</p>\n]]>"
            "</content:encoded>"),
    "description and content apart":
        rss("<title>A</title><link>https://a.cn/1</link><description>提要</description>"
            "<content:encoded>正文</content:encoded>"),
    "an empty pubDate: the time of <updated>":
        rss("<title>A</title><link>https://a.cn/1</link><pubDate></pubDate>"
            "<updated>Fri, 31 Jan 2025 12:09:45 GMT</updated>"),
    "pubDate before updated":
        rss("<title>A</title><link>https://a.cn/1</link><updated>Fri, 31 Jan 2025 12:09:45 GMT</updated>"
            "<pubDate>Wed, 29 Jul 2026 06:39:43 +0800</pubDate>"),
    "pubDate twice, one value":
        rss("<title>A</title><link>https://a.cn/1</link><pubDate>Wed, 29 Jul 2026 06:39:43 +0000</pubDate>"
            "<pubDate>Wed, 29 Jul 2026 06:39:43 +0000</pubDate>"),
    "no weekday, no seconds, UT":
        rss("<title>A</title><link>https://a.cn/1</link><pubDate>9 Jul 2026 06:39 UT</pubDate>"),
    "entities, character references, padding":
        rss("<title>  A &amp;lt;b&amp;gt; &#x4e2d; </title><link> https://a.cn/1?x=1&amp;y=2 </link>"
            "<description>plain &lt;i&gt;x&lt;/i&gt;</description>"),
    "an empty link (skipped later) beside a linked item":
        rss("<title>A</title><link></link>", "<title>B</title><link>https://a.cn/2</link>"),
    "guid, category, author, a comment":
        rss("<title>A</title><!-- x --><link>https://a.cn/1</link><guid isPermaLink='false'>z</guid>"
            "<category>AI</category><dc:creator>编辑</dc:creator>"),
    "no date at all": rss("<title>A</title><link>https://a.cn/1</link>"),
    "a DOCTYPE whose entities are not used": rss("<title>A B</title><link>https://a.cn/1</link>").replace(
        "<rss ", "<!DOCTYPE rss><rss ", 1),
}


@pytest.mark.parametrize("text", SAME.values(), ids=SAME.keys())
def test_feedparsers_quirks_are_kept(text: str) -> None:
    fast, slow = both(text)
    assert fast is not None and fast == slow


# Not the plain shape: the fast path declines and feedparser reads the feed.
DECLINED = {
    "atom": '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>A</title>'
            '<link href="https://a.cn/1"/></entry></feed>',
    "an entity of the DTD": '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x "y">]><rss><channel><item>'
                            "<title>&x;</title><link>https://a.cn/1</link></item></channel></rss>",
    "an entity of an external DTD": '<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape Communications//'
                                    'DTD RSS 0.91//EN" "http://my.netscape.com/publish/formats/rss-0.91.dtd">'
                                    "<rss><channel><item><title>A&nbsp;B</title><link>https://a.cn/1</link>"
                                    "</item></channel></rss>",
    "malformed": HEAD + "<item><title>A</title><link>https://a.cn/1</link></item><item><title>",
    "a link only in the guid": rss("<title>A</title><guid>https://a.cn/3</guid>"),
    "a link twice": rss("<title>A</title><link>https://a.cn/1</link><link>https://a.cn/2</link>"),
    "a second description": rss("<title>A</title><link>https://a.cn/1</link><description>x</description>"
                                "<description>y</description>"),
    "a second title": rss("<title>A</title><link>https://a.cn/1</link><title>B</title>"),
    "pubDate twice, two values": rss("<title>A</title><link>https://a.cn/1</link>"
                                     "<pubDate>Wed, 29 Jul 2026 06:39:43 +0000</pubDate>"
                                     "<pubDate>Thu, 30 Jul 2026 06:39:43 +0000</pubDate>"),
    "a CST zone": rss("<title>A</title><link>https://a.cn/1</link>"
                      "<pubDate>Wed, 29 Jul 2026 06:39:43 CST</pubDate>"),
    "an unknown zone -0000": rss("<title>A</title><link>https://a.cn/1</link>"
                                 "<pubDate>Wed, 29 Jul 2026 06:39:43 -0000</pubDate>"),
    "an ISO date": rss("<title>A</title><link>https://a.cn/1</link><updated>2026-07-29T06:39:43Z</updated>"),
    "dc:date": rss("<title>A</title><link>https://a.cn/1</link><dc:date>2026-07-29T06:39:43Z</dc:date>"),
    "an atom link": rss("<title>A</title><link>https://a.cn/1</link><atom:link href='https://a.cn/9'/>"),
    "markup inside the title": rss("<title>A <b>B</b></title><link>https://a.cn/1</link>"),
    "an enclosure": rss("<title>A</title><link>https://a.cn/1</link><enclosure url='https://a.cn/x.mp3'/>"),
    "items outside the channel": rss("<title>A</title><link>https://a.cn/1</link>").replace(
        "</rss>", "<item><title>B</title><link>https://a.cn/2</link></item></rss>"),
    "no item with a link": rss("<title>A</title><link></link>"),
    "two channels": rss("<title>A</title><link>https://a.cn/1</link>").replace(
        "</rss>", "<channel><item><title>B</title><link>https://a.cn/2</link></item></channel></rss>"),
    "an empty channel": "<rss><channel></channel></rss>",
}


@pytest.mark.parametrize("text", DECLINED.values(), ids=DECLINED.keys())
def test_anything_else_goes_to_feedparser(text: str) -> None:
    assert read_plain_rss(text) is None


def test_parse_feed_gives_the_same_entries_either_way(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (FIXTURES / "feeds" / "ithome-digi-2025-01-31.xml").read_text(encoding="utf-8")
    fast = parse_feed("https://www.ithome.com/rss/", text, "ithome")
    monkeypatch.setattr("sources.html_utils.read_plain_rss", lambda _text: None)
    assert parse_feed("https://www.ithome.com/rss/", text, "ithome") == fast
    first = fast[0]
    assert first.url == "https://www.ithome.com/0/828/102.htm"
    assert first.published == datetime(2025, 1, 31, 20, 9, 45, tzinfo=SHANGHAI)  # 12:09:45 GMT
    assert first.summary == first.content_html and first.content_html.startswith("<p>")


def test_a_declared_encoding_does_not_apply_twice() -> None:
    # the text is decoded already: read as GBK again it would be mojibake
    text = rss("<title>量子位</title><link>https://a.cn/1</link>").replace('encoding="UTF-8"', 'encoding="gbk"')
    fast = read_plain_rss(text)
    assert fast is not None and fast[0].title == "量子位"


def test_what_feedparser_says_of_a_broken_feed_is_unchanged() -> None:
    from aidaily.errors import ExtractError

    with pytest.raises(ExtractError, match="malformed feed, no entries could be read"):
        parse_feed("https://www.ithome.com/rss/", (FIXTURES / "faults" / "ithome_rss_malformed.xml")
                   .read_text(encoding="utf-8"), "ithome")
    with pytest.raises(ExtractError, match="not an RSS/Atom feed"):
        parse_feed("https://a.cn/rss", "<rss><channel></channel></rss>", "x")
