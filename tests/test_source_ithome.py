"""ithome adapter: RSS listing and article pages of the reconstructed test day."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aidaily.errors import ExtractError
from aidaily.ingest.fetch import decode_body as _decode
from sources.html_utils import canonical_url
from sources.ithome import IthomeSource, canonical_ithome_url

FIX = Path(__file__).parent / "fixtures"
DAY = FIX / "day"
BJ = ZoneInfo("Asia/Shanghai")
# Boilerplate strings from shared/corpus/SOURCES.md that must never reach Article.text.
BOILERPLATE = ["感谢IT之家网友", "的线索投递", "广告声明", "IT之家所有文章均包含本声明", "相关阅读",
               "IT之家附上参考地址", "投诉水文", "我要纠错", "下载IT之家APP", "软媒旗下", "关键词："]


def decode_body(body: bytes, content_type: str | None = None) -> str:
    return _decode(body, content_type)[0]


def read_page(rel: str) -> str:
    path = DAY / rel
    sidecar = path.with_name(path.name + ".headers.json")
    content_type = json.loads(sidecar.read_text())["Content-Type"] if sidecar.exists() else None
    return decode_body(path.read_bytes(), content_type)


@pytest.fixture(scope="module")
def src() -> IthomeSource:
    return IthomeSource()


@pytest.fixture(scope="module")
def listing(src):
    return src.parse_listing("https://www.ithome.com/rss/", read_page("www.ithome.com/rss/__index__"))


def test_listing_urls(src):
    assert src.listing_urls(date(2026, 1, 19)) == ["https://www.ithome.com/rss/"]
    assert src.name == "ithome" and src.user_agent is None


def test_feed_entries(listing):
    entries = listing.entries
    assert len(entries) == 26 and not listing.articles
    first = entries[0]
    assert first.url == "https://www.ithome.com/0/914/312.htm"
    assert first.published == datetime(2026, 1, 19, 0, 12, 5, tzinfo=BJ)
    assert first.published.utcoffset().total_seconds() == 8 * 3600
    assert "<p" in first.content_html  # the description's HTML is kept for the caller
    urls = {e.url for e in entries}
    for news_id in ("178", "192", "198", "173", "232", "301", "303", "305", "295", "278", "292", "228"):
        assert f"https://www.ithome.com/0/914/{news_id}.htm" in urls
    assert all(e.source == "ithome" and e.title for e in entries)


@pytest.mark.parametrize("rel", sorted(p.relative_to(DAY).as_posix()
                                       for p in (DAY / "www.ithome.com/0/914").glob("*.htm")))
def test_every_page_is_clean(src, listing, rel):
    url = "https://" + rel
    entry = next(e for e in listing.entries if e.url == url)
    article = src.parse_article(url, read_page(rel), entry)
    assert article.url == url
    assert article.title == entry.title
    assert article.published == entry.published  # page time (Beijing) == feed time (GMT)
    assert article.published.tzinfo is not None
    assert article.origin == "IT之家" and article.author and article.editor
    assert article.text.startswith("IT之家 1 月 1")  # a.s_tag text kept inline
    for needle in BOILERPLATE:
        assert needle not in article.text, needle
    assert "<" not in article.text and "t.png" not in " ".join(article.images)
    assert all(line.strip() == line and line for line in article.text.split("\n"))


def test_article_details(src):
    a = src.parse_article("http://ithome.com/0/914/192.htm?utm_source=rss#comment",
                          read_page("www.ithome.com/0/914/192.htm"))
    assert a.url == "https://www.ithome.com/0/914/192.htm"
    assert a.title.startswith("Cursor 让数百个 AI 智能体")
    assert a.published == datetime(2026, 1, 18, 8, 50, 27, tzinfo=BJ)
    assert (a.author, a.editor, a.origin) == ("远洋", "远洋", "IT之家")
    assert a.images == ["https://img.ithome.com/newsuploadfiles/2026/1/fastrender.jpg"]
    assert a.lead_image == a.images[0]
    assert "采用“规划者-工作者-裁判”三层架构" in a.text  # span.accentTextColor kept inline
    assert len(a.text.split("\n")) == 4
    assert a.tags == ["Cursor", "AI 智能体", "浏览器"]


def test_reference_links_kept_related_dropped(src):
    a = src.parse_article("https://www.ithome.com/0/914/198.htm", read_page("www.ithome.com/0/914/198.htm"))
    assert a.links == ["https://www.erdosproblems.com/forum/thread/281",
                       "https://mathstodon.xyz/@tao/115000000000000000"]
    b = src.parse_article("https://www.ithome.com/0/914/232.htm", read_page("www.ithome.com/0/914/232.htm"))
    assert b.links == [] and "《" not in b.text


def test_gbk_page(src):
    raw = (DAY / "www.ithome.com/0/914/292.htm").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    a = src.parse_article("https://www.ithome.com/0/914/292.htm", read_page("www.ithome.com/0/914/292.htm"))
    assert a.title.startswith("三星高管谈 Galaxy AI") and "有用但不唐突" in a.text
    meta_only = decode_body((FIX / "faults/ithome_gbk_meta_only.htm").read_bytes())
    b = src.parse_article("https://www.ithome.com/0/914/900.htm", meta_only)
    assert "国产显卡厂商" in b.text and "广告声明" not in b.text


def test_changed_layout_raises(src):
    html = (FIX / "faults/ithome_no_paragraph.htm").read_text()
    with pytest.raises(ExtractError, match=r"914/901\.htm.*layout changed: no #paragraph"):
        src.parse_article("https://www.ithome.com/0/914/901.htm", html)


def test_malformed_feed_raises(src):
    with pytest.raises(ExtractError, match="malformed feed"):
        src.parse_listing("https://www.ithome.com/rss/", (FIX / "faults/ithome_rss_malformed.xml").read_text())
    with pytest.raises(ExtractError, match="empty"):
        src.parse_listing("https://www.ithome.com/rss/", "")


def test_title_fallback_and_hostile_input(src):
    html = ('<html><head><title>某新闻 - IT之家</title></head><body><div id="paragraph">'
            '<p>&lt;script&gt;alert(1)&lt;/script&gt;正文</p><script>bad()</script></div></body></html>')
    a = src.parse_article("https://www.ithome.com/0/1/2.htm", html)
    assert a.title == "某新闻" and "<script" not in a.text and "bad()" not in a.text
    deep = "<div>" * 5000 + "x" + "</div>" * 5000
    with pytest.raises(ExtractError):
        src.parse_article("https://www.ithome.com/0/1/3.htm", deep)
    garbage = '<div id="paragraph"><p>ok</p>' + "<p><b><i>" * 1000  # unclosed tags
    assert src.parse_article("https://www.ithome.com/0/1/4.htm", garbage).text == "ok"
    nested = '<div id="paragraph"><p>ok</p>' + "<div>" * 600 + "x"
    with pytest.raises(ExtractError, match="nested"):
        src.parse_article("https://www.ithome.com/0/1/7.htm", nested)
    with pytest.raises(ExtractError, match="tags"):
        src.parse_article("https://www.ithome.com/0/1/5.htm", "<b>" * 200_000)
    wide = "<div id=\"paragraph\">" + "<p>段落</p>" * 1000 + "</div>"
    assert src.parse_article("https://www.ithome.com/0/1/6.htm", wide).text.count("\n") == 999


def test_content_after_a_stray_closing_html_tag_is_read(src):
    """lxml starts a second <html> after a stray </html>; that content is the page's."""
    html = ('<html><head><title>某新闻 - IT之家</title></head><body><div id="ad"></div>'
            '</body></html><div id="paragraph"><p>正文第一段</p><p>正文第二段</p></div>')
    assert src.parse_article("https://www.ithome.com/0/1/8.htm", html).text == "正文第一段\n正文第二段"


def test_canonical_urls():
    assert canonical_ithome_url("https://m.ithome.com/html/914192.htm") == "https://www.ithome.com/0/914/192.htm"
    assert canonical_ithome_url("//www.ithome.com/0/914/192.htm?from=rss") == "https://www.ithome.com/0/914/192.htm"
    assert canonical_url("HTTP://Example.COM/a?utm_source=x&id=3&spm=1#frag") == "https://example.com/a?id=3"
