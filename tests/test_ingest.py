"""aidaily.ingest.day.fetch_day with small fake sources served over HTTP on 127.0.0.1.

Each fake source reads one listing (a tiny XML format) and article pages (``<h1>`` +
``<div class="body">``). The fault test puts one fault on each source and checks that
every fault is reported for its own source / URL while the rest of the day is stored.
"""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from aidaily.config import FeedSource, Settings, load_settings
from aidaily.errors import ExtractError
from aidaily.ingest.day import FetchReport, ProgressEvent, fetch_day
from aidaily.models import Article, FeedEntry
from aidaily.store.store import Store
from sources.base import Listing, Source
from tests.servers import MirrorServer, closed_port_url

DAY = date(2026, 1, 19)  # window: 2026-01-18 00:00 .. 2026-01-19 00:00 Beijing time
SH = ZoneInfo("Asia/Shanghai")


class FakeSource(Source):
    """A site at ``https://<name>.example``: ``/feed.xml`` lists ``/N.htm`` pages."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.site = f"https://{name}.example"

    def listing_urls(self, day: date) -> list[str]:
        return [f"{self.site}/feed.xml"]

    def parse_listing(self, url: str, text: str) -> Listing:
        try:
            root = ET.fromstring(text)
        except ET.ParseError as exc:
            raise ExtractError(f"{url}: malformed XML ({exc})") from exc
        entries = [
            FeedEntry(url=item.get("url", ""), title=item.get("title", ""), source=self.name,
                      published=datetime.fromisoformat(item.get("time", "")))
            for item in root.iter("item")
        ]
        return Listing(entries=entries)

    def parse_article(self, url: str, html: str, entry: FeedEntry | None = None) -> Article:
        title = re.search(r"<h1>(.*?)</h1>", html, re.DOTALL)
        body = re.search(r'<div class="body">(.*?)</div>', html, re.DOTALL)
        if not title or not body:
            raise ExtractError(f"{url}: no article body (layout changed?)")
        return Article(url=url, source=self.name, title=title.group(1), text=body.group(1).strip(),
                       published=entry.published if entry else None)


def page(title: str, text: str) -> str:
    return f"<html><body><h1>{title}</h1><div class=\"body\">{text}</div></body></html>"


def publish(server: MirrorServer, name: str, pages: dict[str, tuple[str, str]], hour: int = 10) -> list[str]:
    """Serve a feed of ``pages`` ({path: (title, text)}) for source ``name``; returns page URLs."""
    site = f"https://{name}.example"
    items = []
    for i, (path, (title, text)) in enumerate(pages.items()):
        url = f"{site}/{path}"
        when = datetime(2026, 1, 18, hour, i, tzinfo=SH).isoformat()
        items.append(f'<item url="{url}" title="{title}" time="{when}"/>')
        server.put(url, page(title, text), {"Content-Type": "text/html; charset=utf-8"})
    server.put(f"{site}/feed.xml", "<items>" + "".join(items) + "</items>", {"Content-Type": "application/xml"})
    return [f"{site}/{p}" for p in pages]


def settings_for(home: Path, server: MirrorServer, names: list[str], **fetch: object) -> Settings:
    settings = load_settings(home)
    settings.fetch = settings.fetch.model_copy(update={
        "timeout": 1.0, "retries": 1, "backoff": 0.01, "per_host_delay": 0.0, "max_bytes": 20_000,
        "url_map": server.url_map(*(f"https://{n}.example" for n in names)), **fetch,
    })
    return settings


def run_day(settings: Settings, sources: list[Source], **kwargs: object) -> FetchReport:
    return asyncio.run(fetch_day(settings, DAY, adapters=sources, **kwargs))  # type: ignore[arg-type]


AI_PAGE = ("OpenAI 发布新一代大模型", "OpenAI 今天发布了新一代大模型，推理能力大幅提升。")
CAR_PAGE = ("某品牌新车上市", "这款车售价 20 万元，续航 600 公里。")


def test_a_good_day_is_stored_and_a_rerun_fetches_nothing(home: Path, mirror_server: MirrorServer) -> None:
    urls = publish(mirror_server, "good", {"1.htm": AI_PAGE, "2.htm": CAR_PAGE})
    settings = settings_for(home, mirror_server, ["good"])
    events: list[ProgressEvent] = []
    report = run_day(settings, [FakeSource("good")], progress=events.append)
    rep = report.sources["good"]
    assert (rep.seen, rep.new, rep.failed, report.exit_code) == (2, 2, [], 0)
    assert {e.stage for e in events} == {"listing", "pages", "done"}

    store = Store.from_settings(settings)
    stored = {a.url: a for a in store.articles_for(DAY)}
    assert set(stored) == set(urls)
    assert stored[urls[0]].ai_relevant is True and stored[urls[1]].ai_relevant is False
    assert stored[urls[0]].published == datetime(2026, 1, 18, 10, 0, tzinfo=SH)
    assert not any(store.story_ids(urls).values())  # grouping is the select stage's, once per run

    again = run_day(settings, [FakeSource("good")])
    assert (again.sources["good"].new, again.sources["good"].known, again.exit_code) == (0, 2, 0)
    assert all(mirror_server.hits_for(u) == 1 for u in urls)  # pages not fetched again
    feed_requests = mirror_server.requests[mirror_server.path_for("https://good.example/feed.xml")]
    assert "if-none-match" in feed_requests[-1]  # the listing was a conditional GET (304)

    run = store.get_run(again.run_id)  # type: ignore[arg-type]
    assert run and run["status"] == "ok" and run["stats"]["sources"]["good"]["known"] == 2


def test_entries_outside_the_window_are_not_fetched(home: Path, mirror_server: MirrorServer) -> None:
    urls = publish(mirror_server, "good", {"1.htm": AI_PAGE}, hour=10)
    old = publish(mirror_server, "old", {"1.htm": AI_PAGE}, hour=10)
    settings = settings_for(home, mirror_server, ["good", "old"])
    report = asyncio.run(fetch_day(settings, date(2026, 1, 25), adapters=[FakeSource("good")]))
    assert report.sources["good"].out_of_window == 1 and mirror_server.hits_for(urls[0]) == 0
    assert report.exit_code == 0 and old


def test_every_fault_is_reported_for_its_source_and_the_rest_is_stored(
    home: Path, mirror_server: MirrorServer
) -> None:
    server = mirror_server
    names = ["good", "refused", "err500", "limited", "slow", "badxml", "layout", "gbk", "big"]
    good = publish(server, "good", {"1.htm": AI_PAGE, "2.htm": CAR_PAGE})
    for name in ("refused", "err500", "limited", "slow"):
        publish(server, name, {"1.htm": AI_PAGE})
    server.fault("https://err500.example/feed.xml", status=500)
    server.fault("https://limited.example/feed.xml", status=429, retry_after="0")
    server.fault("https://slow.example/feed.xml", delay=6.0)
    server.put("https://badxml.example/feed.xml", "<items><item url='x'", {"Content-Type": "application/xml"})
    layout = publish(server, "layout", {"ok.htm": AI_PAGE, "new.htm": AI_PAGE})
    server.put(layout[1], "<html><main><h2>改版后的页面</h2></main></html>")
    gbk = publish(server, "gbk", {"1.htm": AI_PAGE})
    server.put(gbk[0], page(*AI_PAGE).encode("gbk"), {"Content-Type": "text/html; charset=gbk"})
    big = publish(server, "big", {"small.htm": AI_PAGE, "huge.htm": AI_PAGE})
    server.put(big[1], page("大", "大" * 30_000))

    # 1.5 s against a 6 s delay: normal answers fit even on a loaded CI machine.
    settings = settings_for(home, server, names, timeout=1.5)
    settings.fetch.url_map["https://refused.example"] = closed_port_url()
    report = run_day(settings, [FakeSource(n) for n in names])
    reps = report.sources

    assert report.partial and report.exit_code == 2
    assert reps["good"].ok and reps["good"].new == 2
    assert not reps["refused"].reached and "connection failed" in reps["refused"].summary()
    assert "HTTP 500" in reps["err500"].summary()
    assert "HTTP 429" in reps["limited"].summary()
    assert "timed out" in reps["slow"].summary()
    assert "malformed XML" in reps["badxml"].summary()
    assert [f.url for f in reps["layout"].failed] == [layout[1]] and reps["layout"].new == 1
    assert "layout changed" in reps["layout"].failed[0].reason
    assert reps["gbk"].ok and reps["gbk"].new == 1
    assert [f.url for f in reps["big"].failed] == [big[1]] and "cap" in reps["big"].failed[0].reason

    store = Store.from_settings(settings)
    stored = {a.url: a for a in store.articles_for(DAY)}
    assert set(good) | {layout[0], gbk[0], big[0]} == set(stored)
    assert stored[gbk[0]].title == AI_PAGE[0]  # decoded from GBK
    attempts = store.attempts(run_id=report.run_id)
    failed = {a.url for a in attempts if a.error}
    assert {layout[1], big[1], "https://err500.example/feed.xml", "https://badxml.example/feed.xml"} <= failed
    health = store.source_health()
    assert health["refused"].last_success is None and health["refused"].last_error
    assert health["good"].last_success is not None and health["good"].articles == 2


def test_an_adapter_bug_is_one_failure_not_a_crash(home: Path, mirror_server: MirrorServer) -> None:
    class Buggy(FakeSource):
        def parse_article(self, url: str, html: str, entry: FeedEntry | None = None) -> Article:
            raise AttributeError("'NoneType' object has no attribute 'text'")

    class Broken(FakeSource):
        def listing_urls(self, day: date) -> list[str]:
            raise KeyError("no such section")

    publish(mirror_server, "buggy", {"1.htm": AI_PAGE})
    publish(mirror_server, "good", {"1.htm": AI_PAGE})
    settings = settings_for(home, mirror_server, ["buggy", "good"])
    report = run_day(settings, [Buggy("buggy"), Broken("broken"), FakeSource("good")])
    assert "adapter error AttributeError" in report.sources["buggy"].failed[0].reason
    assert "adapter error KeyError" in report.sources["broken"].failed[0].reason
    assert report.sources["good"].new == 1 and report.exit_code == 2


def test_offline_re_extracts_from_the_archive_alone(home: Path, mirror_server: MirrorServer) -> None:
    urls = publish(mirror_server, "good", {"1.htm": AI_PAGE, "2.htm": CAR_PAGE})
    settings = settings_for(home, mirror_server, ["good"])
    run_day(settings, [FakeSource("good")])
    hits = dict(mirror_server.hits)

    class Fixed(FakeSource):
        """A "fixed" extractor: offline re-extraction must apply it to the archived pages."""

        def parse_article(self, url: str, html: str, entry: FeedEntry | None = None) -> Article:
            article = super().parse_article(url, html, entry)
            article.title = article.title + "（修订）"
            return article

    mirror_server.stop()  # no network at all from here on
    record_dir = home / "recorded"
    report = run_day(settings, [Fixed("good")], offline=True, record_dir=record_dir)
    rep = report.sources["good"]
    assert (rep.seen, rep.updated, rep.failed, report.exit_code) == (2, 2, [], 0)
    assert dict(mirror_server.hits) == hits
    titles = {a.title for a in Store.from_settings(settings).articles_for(DAY)}
    assert titles == {AI_PAGE[0] + "（修订）", CAR_PAGE[0] + "（修订）"}
    assert (record_dir / "good.example" / "1.htm").read_text(encoding="utf-8") == page(*AI_PAGE)
    assert urls


def test_offline_with_an_empty_archive_fetches_nothing(home: Path) -> None:
    settings = load_settings(home)
    report = run_day(settings, [FakeSource("good")], offline=True)
    assert report.exit_code == 1
    assert "not in the archive" in report.sources["good"].summary()


def test_record_writes_the_mirror_layout(home: Path, mirror_server: MirrorServer) -> None:
    publish(mirror_server, "good", {"1.htm": AI_PAGE})
    mirror_server.put("https://good.example/1.htm", page(*AI_PAGE).encode("gbk"),
                      {"Content-Type": "text/html; charset=gbk"})
    settings = settings_for(home, mirror_server, ["good"])
    record_dir = home / "fixtures"
    run_day(settings, [FakeSource("good")], record_dir=record_dir)
    assert (record_dir / "good.example" / "feed.xml").is_file()
    sidecar = (record_dir / "good.example" / "1.htm.headers.json").read_text(encoding="utf-8")
    assert "charset=gbk" in sidecar
    # The recorded directory serves the same day again.
    with MirrorServer(record_dir) as replay:
        settings.fetch.url_map = replay.url_map("https://good.example")
        fresh = load_settings(home / "elsewhere")
        fresh.fetch = settings.fetch
        report = run_day(fresh, [FakeSource("good")])
    assert report.sources["good"].new == 1


def test_generic_feed_source_by_configuration(home: Path, mirror_server: MirrorServer) -> None:
    """A configured RSS feed (no code) goes through the same path."""
    site = "https://feeds.example"
    rss = (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
           f"<item><title>{AI_PAGE[0]}</title><link>{site}/a/1.html</link>"
           "<pubDate>Sun, 18 Jan 2026 02:00:00 GMT</pubDate></item></channel></rss>")
    mirror_server.put(f"{site}/rss", rss, {"Content-Type": "application/rss+xml"})
    mirror_server.put(f"{site}/a/1.html", page(*AI_PAGE))
    settings = settings_for(home, mirror_server, [])
    settings.fetch.url_map = mirror_server.url_map(site)
    settings.feeds = [FeedSource(name="feedy", url=f"{site}/rss", selector="div.body")]
    from sources.generic import GenericFeedSource

    report = run_day(settings, [GenericFeedSource(settings.feeds[0])])
    assert report.sources["feedy"].new == 1, report.sources["feedy"]
    (article,) = Store.from_settings(settings).articles_for(DAY)
    assert article.title == AI_PAGE[0] and article.published == datetime(2026, 1, 18, 10, tzinfo=SH)


def test_unknown_source_name_is_a_config_error(home: Path) -> None:
    from aidaily.errors import ConfigError

    with pytest.raises(ConfigError, match="unknown source"):
        asyncio.run(fetch_day(load_settings(home), DAY, sources=["nope"]))


class FeedTextSource(FakeSource):
    """Like ``FakeSource``, but its feed carries each article's text (as ithome's does)."""

    texts: dict[str, str] = {}

    def parse_listing(self, url: str, text: str) -> Listing:
        listing = super().parse_listing(url, text)
        for entry in listing.entries:
            entry.content_html = f"<p>{self.texts.get(entry.url, '')}</p>"
        return listing


# A real IT之家 feed item (benchmarks/data/relevance_set.tsv), clearly not AI news.
CAR_TITLE = "沃尔沃拟推出全尺寸 SUV 新车：定位高于 XC90，有望基于极氪 9X 打造"
LONG_CAR = ("IT之家 1 月 28 日消息，据外媒 Carscoops 今日报道，沃尔沃汽车 CEO 哈坎 · 塞缪尔森在媒体简报会上"
            "表示，公司正在评估推出一款比 XC90 更大的三排座 SUV，目标直指凯迪拉克凯雷德、奔驰 GLS、宝马 X7 等"
            "全尺寸豪华 SUV 车型，而宝马未来甚至可能还会推出更大的 X9。塞缪尔森强调，目前，这一计划尚未获批。"
            "“更大的 SUV 确实是沃尔沃正在研究的方向，但项目还没有获批。”")


def test_pages_whose_feed_text_is_not_about_ai_are_not_fetched(home: Path, mirror_server: MirrorServer) -> None:
    long_car = LONG_CAR
    long_ai = "OpenAI 今天发布了新一代大模型，推理能力大幅提升，智能体可以自主完成复杂任务。" * 6
    urls = publish(mirror_server, "feedy", {"1.htm": (CAR_TITLE, long_car), "2.htm": ("大模型发布", long_ai),
                                            "3.htm": ("一则短讯", "短")})
    source = FeedTextSource("feedy")
    source.texts = {urls[0]: long_car, urls[1]: long_ai, urls[2]: "短"}  # the teaser proves nothing
    report = run_day(settings_for(home, mirror_server, ["feedy"]), [source])
    rep = report.sources["feedy"]
    assert rep.not_ai == 1 and "not about AI" in rep.summary()
    assert mirror_server.hits_for(urls[0]) == 0
    assert mirror_server.hits_for(urls[1]) == 1 and mirror_server.hits_for(urls[2]) == 1
    assert set(Store.from_settings(load_settings(home)).known_urls()) == {urls[1], urls[2]}


def test_the_feed_prefilter_can_be_switched_off(home: Path, mirror_server: MirrorServer) -> None:
    long_car = LONG_CAR
    [url] = publish(mirror_server, "feedy", {"1.htm": (CAR_TITLE, long_car)})
    source = FeedTextSource("feedy")
    source.texts = {url: long_car}
    report = run_day(settings_for(home, mirror_server, ["feedy"], prefilter_by_feed=False), [source])
    assert report.sources["feedy"].not_ai == 0 and mirror_server.hits_for(url) == 1


def test_an_article_url_that_is_not_http_is_one_failure(home: Path, mirror_server: MirrorServer) -> None:
    class Hostile(FakeSource):
        def parse_article(self, url: str, html: str, entry: FeedEntry | None = None) -> Article:
            article = super().parse_article(url, html, entry)
            if url.endswith("/1.htm"):  # e.g. a canonical link the page itself names
                article.url = "javascript:alert(document.domain)//x"
            return article

    urls = publish(mirror_server, "hostile", {"1.htm": AI_PAGE, "2.htm": AI_PAGE})
    settings = settings_for(home, mirror_server, ["hostile"])
    report = run_day(settings, [Hostile("hostile")])
    rep = report.sources["hostile"]
    assert [f.url for f in rep.failed] == ["javascript:alert(document.domain)//x"]
    assert "http(s)" in rep.failed[0].reason
    assert (rep.new, rep.in_window, report.exit_code) == (1, 1, 2)
    assert [a.url for a in Store.from_settings(settings).articles_for(DAY)] == [urls[1]]


def test_a_page_robots_txt_disallows_is_skipped_and_reported_not_failed(home: Path, mirror_server: MirrorServer) -> None:
    urls = publish(mirror_server, "polite", {"1.htm": AI_PAGE, "members/2.htm": AI_PAGE})
    mirror_server.put("https://polite.example/robots.txt", "User-agent: *\nDisallow: /members/\n")
    settings = settings_for(home, mirror_server, ["polite"])
    report = run_day(settings, [FakeSource("polite")])
    rep = report.sources["polite"]
    assert (rep.new, rep.failed, rep.robots_skipped, report.exit_code) == (1, [], [urls[1]], 0)
    assert "1 page(s) disallowed by the site's robots.txt: not fetched" in rep.summary()
    assert mirror_server.hits_for(urls[1]) == 0
    assert mirror_server.hits_for("https://polite.example/robots.txt") == 1  # once for the listing and pages

    mirror_server.stop()  # offline: the archive alone, as before (robots.txt was never archived)
    again = run_day(settings, [FakeSource("polite")], offline=True)
    assert [(f.url, f.reason) for f in again.sources["polite"].failed] == [
        (urls[1], "not in the archive (offline mode)")]  # as any page the network run did not get
    assert {a.url for a in Store.from_settings(settings).articles_for(DAY)} == {urls[0]}


def test_nothing_is_stored_before_its_responses_are_archived(home: Path, mirror_server: MirrorServer) -> None:
    """The archive is written while the pages are parsed; a source's articles are stored
    only once every response of the source is in it. An archive that cannot be written
    fails the source with its cause, stores nothing of it, and the day goes on."""
    publish(mirror_server, "good", {"1.htm": AI_PAGE, "2.htm": CAR_PAGE})
    settings = settings_for(home, mirror_server, ["good"])
    settings.archive_dir.parent.mkdir(parents=True, exist_ok=True)
    settings.archive_dir.write_text("not a directory", encoding="utf-8")  # every write fails

    report = run_day(settings, [FakeSource("good")])

    rep = report.sources["good"]
    assert [f.stage for f in rep.failed] == ["source"] and "Error" in rep.failed[0].reason
    assert not rep.ok and report.exit_code != 0
    assert Store.from_settings(load_settings(home)).known_urls() == {}
