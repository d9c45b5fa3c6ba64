"""``aidaily fetch`` and ``aidaily sources`` end to end through the CLI, configured the way
an operator would: feeds in aidaily.toml, the sites served locally through AIDAILY_URL_MAP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidaily.cli.app import app
from tests.servers import MirrorServer, closed_port_url

DAY = "2026-01-19"
PAGE = "<html><body><h1>{title}</h1><div class='body'><p>{text}</p></div></body></html>"
ITEMS = {
    "alpha": [("OpenAI 发布 GPT-6 大模型", "OpenAI 今天发布了 GPT-6 大模型。"),
              ("智谱开源新一代智能体框架", "智谱开源了智能体框架，支持多模态。")],
    "beta": [("谷歌 Gemini 4 上线", "谷歌发布 Gemini 4，大模型能力提升。")],
}


def serve_feed(server: MirrorServer, name: str) -> str:
    site = f"https://{name}.example"
    items = []
    for i, (title, text) in enumerate(ITEMS.get(name, [])):
        url = f"{site}/news/{i}.html"
        server.put(url, PAGE.format(title=title, text=text), {"Content-Type": "text/html; charset=utf-8"})
        items.append(f"<item><title>{title}</title><link>{url}</link>"
                     f"<pubDate>Sun, 18 Jan 2026 0{i + 1}:00:00 GMT</pubDate></item>")
    rss = ('<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
           + "".join(items) + "</channel></rss>")
    server.put(f"{site}/rss", rss, {"Content-Type": "application/rss+xml; charset=utf-8"})
    return site


@pytest.fixture
def operator_home(home: Path, mirror_server: MirrorServer, monkeypatch: pytest.MonkeyPatch) -> MirrorServer:
    """aidaily.toml with the sites off and three feeds; alpha/beta served, gamma refused."""
    sites = [serve_feed(mirror_server, n) for n in ("alpha", "beta")]
    feeds = "".join(
        f'[[feeds]]\nname = "{n}"\nurl = "https://{n}.example/rss"\nselector = "div.body"\n\n'
        for n in ("alpha", "beta", "gamma")
    )
    (home / "aidaily.toml").write_text(
        "[sources.ithome]\nenabled = false\n[sources.qbitai]\nenabled = false\n"
        "[sources.hubtoday]\nenabled = false\n\n"
        "[fetch]\ntimeout = 1.0\nretries = 1\nbackoff = 0.01\nper_host_delay = 0.0\n\n" + feeds,
        encoding="utf-8",
    )
    url_map = mirror_server.url_map(*sites)
    url_map["https://gamma.example"] = closed_port_url()
    monkeypatch.setenv("AIDAILY_URL_MAP", json.dumps(url_map))
    return mirror_server


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_all_fine_exits_0_and_prints_the_table(operator_home: MirrorServer) -> None:
    result = invoke("fetch", "--date", DAY, "--source", "alpha", "--source", "beta")
    assert result.exit_code == 0, result.output
    assert "alpha" in result.stdout and "beta" in result.stdout and "ok" in result.stdout
    again = invoke("fetch", "--date", DAY, "--source", "alpha")
    assert again.exit_code == 0
    assert operator_home.hits_for("https://alpha.example/news/0.html") == 1  # nothing fetched twice


def test_partial_failure_exits_2_and_says_what_was_not_reached(operator_home: MirrorServer) -> None:
    operator_home.fault("https://beta.example/news/0.html", status=500)
    result = invoke("fetch", "--date", DAY)
    assert result.exit_code == 2, result.output
    assert "partial failure" in result.stdout
    assert "not reached: https://gamma.example/rss" in result.stdout
    assert "failed: https://beta.example/news/0.html — HTTP 500" in result.stdout

    health = json.loads(invoke("sources", "--json").stdout)
    by_name = {row["name"]: row for row in health}
    assert by_name["alpha"]["last_success"] and by_name["alpha"]["articles"] == 2
    assert by_name["gamma"]["last_success"] is None and "connection failed" in by_name["gamma"]["last_error"]
    assert by_name["beta"]["recent_failures"] == 1
    assert not by_name["ithome"]["enabled"]
    table = invoke("sources")
    assert table.exit_code == 0 and "gamma" in table.stdout


def test_nothing_fetched_exits_1(operator_home: MirrorServer) -> None:
    result = invoke("fetch", "--date", DAY, "--source", "gamma")
    assert result.exit_code == 1
    assert "nothing fetched" in result.stdout


def test_offline_and_record(operator_home: MirrorServer, home: Path) -> None:
    record_dir = home / "recorded"
    assert invoke("fetch", "--date", DAY, "--source", "alpha", "--record", str(record_dir)).exit_code == 0
    assert (record_dir / "alpha.example" / "news" / "0.html").is_file()
    # A second recording into a fresh directory is complete too: stored pages are read
    # again with --refetch, and 304 answers still write their (archived) bodies.
    again = home / "recorded-again"
    assert invoke("fetch", "--date", DAY, "--source", "alpha", "--refetch", "--record", str(again)).exit_code == 0
    assert sorted(p.name for p in (again / "alpha.example").rglob("*") if p.is_file()) == sorted(
        p.name for p in (record_dir / "alpha.example").rglob("*") if p.is_file())
    operator_home.stop()
    result = invoke("fetch", "--date", DAY, "--source", "alpha", "--offline")
    assert result.exit_code == 0, result.output
    assert "(offline)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--date", "2026-13-45"], "--date must be a date"),
     (["--date", "yesterday"], "--date must be a date"),
     (["--date", DAY, "--source", "nope"], "unknown source 'nope'")],
)
def test_bad_input_is_a_clear_error(args: list[str], message: str) -> None:
    result = invoke("fetch", *args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


# Acceptance: the test day (tests/fixtures/day) through ``aidaily fetch`` into the database -----

DAY_DIR = Path(__file__).parent / "fixtures" / "day"
SITES = ("https://www.ithome.com", "https://www.qbitai.com", "https://ai.hubtoday.app",
         "https://raw.githubusercontent.com")
BOILERPLATE = ("感谢IT之家网友", "广告声明", "相关阅读", "版权所有", "扫码关注", "发自 凹非寺")
SAME_STORY = [("https://www.ithome.com/0/914/210.htm", "https://www.qbitai.com/2026/01/370077.html"),
              ("https://www.ithome.com/0/914/192.htm", "https://www.qbitai.com/2026/01/370102.html"),
              ("https://www.ithome.com/0/914/198.htm", "https://www.qbitai.com/2026/01/370119.html")]


@pytest.fixture
def test_day(home: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """The three sites of the test day served on 127.0.0.1 via AIDAILY_URL_MAP."""
    if not (DAY_DIR / "www.ithome.com" / "rss" / "__index__").is_file():
        pytest.skip("tests/fixtures/day is not there")
    (home / "aidaily.toml").write_text("[fetch]\nper_host_delay = 0.0\ntimeout = 5.0\n", encoding="utf-8")
    with MirrorServer(DAY_DIR) as server:
        monkeypatch.setenv("AIDAILY_URL_MAP", json.dumps(server.url_map(*SITES)))
        yield server


def _pubtime(html_file: Path) -> str:
    import re

    return re.search(r'id="pubtime_baidu"[^>]*>([^<]+)<', html_file.read_text(encoding="utf-8")).group(1)  # type: ignore[union-attr]


def test_the_test_day_goes_into_the_database(test_day: MirrorServer, home: Path) -> None:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    import feedparser

    from aidaily.config import load_settings
    from aidaily.store.store import Store

    result = invoke("fetch", "--date", DAY)
    assert result.exit_code == 0, result.output
    store = Store.from_settings(load_settings(home))
    articles = {a.url: a for a in store.articles_for(date(2026, 1, 19))}
    by_source = {s: [a for a in articles.values() if a.source == s] for s in ("ithome", "qbitai", "hubtoday")}
    assert all(by_source.values()), {s: len(v) for s, v in by_source.items()}

    # Titles: what the feeds say (the GBK page 914292 included, so no mojibake).
    feed = feedparser.parse((DAY_DIR / "www.ithome.com" / "rss" / "__index__").read_bytes())
    for item in feed.entries:
        if item.link in articles:
            assert articles[item.link].title == item.title.strip(), item.link
    assert "https://www.ithome.com/0/914/292.htm" in articles

    # Times: aware, Beijing time, as the page says.
    shanghai = ZoneInfo("Asia/Shanghai")
    assert all(a.published is not None and a.published.tzinfo == shanghai for a in articles.values())
    stamp = _pubtime(DAY_DIR / "www.ithome.com" / "0" / "914" / "192.htm")
    assert articles["https://www.ithome.com/0/914/192.htm"].published == datetime.strptime(
        stamp, "%Y/%m/%d %H:%M:%S").replace(tzinfo=shanghai)

    # Clean text: no boilerplate left, and every article has text.
    for article in articles.values():
        assert article.text.strip(), article.url
        leftovers = [b for b in BOILERPLATE if b in article.text or b in article.title]
        assert not leftovers, (article.url, leftovers)

    # Duplicates merged: the same news on ithome and qbitai shares a story id.
    ids = store.story_ids([u for pair in SAME_STORY for u in pair])
    for ithome_url, qbitai_url in SAME_STORY:
        assert ids[ithome_url] and ids[ithome_url] == ids[qbitai_url], (ithome_url, qbitai_url)
    assert len(set(store.story_ids(list(articles)).values())) < len(articles)

    # hubtoday items carry their section and the original links.
    assert all(a.section and a.links for a in by_source["hubtoday"])

    # A re-run fetches no page it already has, and offline re-extraction needs no server.
    pages = [u for u in articles if u.startswith(("https://www.ithome.com/0/", "https://www.qbitai.com/2026/01/3"))]
    assert invoke("fetch", "--date", DAY).exit_code == 0
    assert all(test_day.hits_for(u) == 1 for u in pages)
    test_day.stop()
    offline = invoke("fetch", "--date", DAY, "--offline")
    assert offline.exit_code == 0, offline.output
    assert {a.url for a in store.articles_for(date(2026, 1, 19))} == set(articles)
