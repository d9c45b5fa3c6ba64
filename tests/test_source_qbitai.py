"""qbitai adapter: feeds, the date archive and article pages of the test day."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aidaily.errors import ExtractError
from aidaily.ingest.mirror import url_to_relpath
from sources.qbitai import QbitaiSource, canonical_qbitai_url

FIX = Path(__file__).parent / "fixtures"
DAY = FIX / "day"
BJ = ZoneInfo("Asia/Shanghai")
BOILERPLATE = ["发自 凹非寺", "公众号 QbitAI", "版权所有", "扫码关注", "$('.biaojiwei')", "biaojiwei",
               "相关阅读", "热门文章", "追踪人工智能新趋势", "参考链接", "来源：", "GPT-4化身黑客"]


def fixture(url: str) -> str:
    return (DAY / url_to_relpath(url)).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def src() -> QbitaiSource:
    return QbitaiSource()


def test_urls(src):
    assert src.user_agent is None  # the configured, honest one
    assert src.listing_urls(date(2026, 1, 19)) == [
        "https://www.qbitai.com/feed/",
        "https://www.qbitai.com/category/%E8%B5%84%E8%AE%AF/feed/",
    ]
    # the digest dated 2026-01-19 covers 2026-01-18: that day's archive is read
    assert src.backfill_urls(date(2026, 1, 19)) == ["https://www.qbitai.com/2026/01/18/"]
    for url in (*src.listing_urls(date(2026, 1, 19)), *src.backfill_urls(date(2026, 1, 19))):
        assert (DAY / url_to_relpath(url)).is_file(), url


def test_feeds(src):
    site = src.parse_listing("https://www.qbitai.com/feed/", fixture("https://www.qbitai.com/feed/"))
    assert [e.url.rsplit("/", 1)[1] for e in site.entries] == [
        "370136.html", "370119.html", "370102.html", "370085.html", "370077.html", "370031.html"]
    first = site.entries[-2]
    assert first.title.startswith("全球首个GW级AI训练集群上线")
    assert first.published == datetime(2026, 1, 18, 9, 12, 33, tzinfo=BJ)
    assert "凹非寺" in first.content_html  # content:encoded is passed on as is
    news_url = src.listing_urls(date(2026, 1, 19))[1]
    news = src.parse_listing(news_url, fixture(news_url))
    assert len(news.entries) == 4


def test_date_archive(src):
    url = "https://www.qbitai.com/2026/01/18/"
    entries = src.parse_listing(url, fixture(url)).entries
    ids = [e.url.rsplit("/", 1)[1] for e in entries]
    assert ids == ["370136.html", "370119.html", "370102.html", "370085.html", "370077.html"]
    assert all(e.title and e.published.date() == date(2026, 1, 18) for e in entries)
    assert "370031.html" not in ids  # the sidebar's 热门文章 are not the day's articles


@pytest.mark.parametrize("news_id", ["370031", "370077", "370085", "370102", "370119", "370136"])
def test_pages_are_clean(src, news_id):
    day = "17" if news_id == "370031" else "18"
    url = f"https://www.qbitai.com/2026/01/{news_id}.html"
    a = src.parse_article(url, fixture(url))
    assert a.url == url and a.title and a.author and a.origin == "量子位"
    assert a.published.date() == date(2026, 1, int(day)) and a.published.tzinfo is not None
    for needle in BOILERPLATE:
        assert needle not in a.text, needle
    assert a.text.split("\n")[0] and a.title not in a.text.split("\n")
    assert all(i.startswith("https://i.qbitai.com/wp-content/uploads/2026/01/") for i in a.images)
    assert "<" not in a.text


def test_article_details(src):
    url = "https://www.qbitai.com/2026/01/370077.html"
    a = src.parse_article("http://qbitai.com/2026/01/370077.html?utm_source=x#top", fixture(url))
    assert a.url == url
    assert a.published == datetime(2026, 1, 18, 9, 12, 33, tzinfo=BJ)
    assert a.author == "衡宇" and a.tags == ["xAI", "马斯克", "超算"]
    assert a.text.startswith("专为Grok 5训练而生\n马斯克的xAI，又搞了个大家伙。")
    assert "168套特斯拉Megapack" in a.text and "6700万居民" in a.text
    assert a.links == ["https://x.com/elonmusk/status/2012000000000000000"]
    assert a.images == ["https://i.qbitai.com/wp-content/uploads/2026/01/370077_2.png"]


def test_changed_layout(src):
    with pytest.raises(ExtractError, match=r"370999\.html: layout changed: no \.article"):
        src.parse_article("https://www.qbitai.com/2026/01/370999.html",
                          (FIX / "faults/qbitai_no_article.html").read_text())


def test_canonical():
    assert canonical_qbitai_url("http://qbitai.com/2026/01/1.html?a=1") == "https://www.qbitai.com/2026/01/1.html"
    assert canonical_qbitai_url("https://www.qbitai.com/?p=370077") == "https://www.qbitai.com/?p=370077"
