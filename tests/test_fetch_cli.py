"""``aidaily fetch`` and ``aidaily sources`` end to end through the CLI, configured the way
an operator would: feeds in aidaily.toml, the sites served locally through AIDAILY_URL_MAP."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidaily.cli import app
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
