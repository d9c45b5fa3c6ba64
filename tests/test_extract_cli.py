"""``aidaily extract``: one adapter on one saved feed/page or URL, table or JSON."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidaily.cli.app import app

FIX = Path(__file__).parent / "fixtures"
DAY = FIX / "day"
ROOT = Path(__file__).resolve().parent.parent
HUB_MD = FIX / "hubtoday/daily_final/2026-01-18.md"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("AIDAILY_HOME", str(tmp_path))
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, ["extract", *args], catch_exceptions=False)

    return invoke


def test_hubtoday_json(run):
    result = run("--source", "hubtoday", str(HUB_MD), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source"] == "hubtoday" and data["kind"] == "listing"
    expected = len(re.findall(r"^\d+\. \*\*", HUB_MD.read_text(encoding="utf-8"), re.M))
    assert data["count"] == len(data["items"]) == expected == 6
    for item in data["items"]:
        assert item["title"] and item["section"] and item["links"] and item["published"]
    assert "开源TOP项目" in {i["section"] for i in data["items"]}
    assert "OpenAI推出通用API标准Open Responses" in result.stdout  # ensure_ascii=False


def test_ithome_detects_listing_and_article(run):
    feed = run("--source", "ithome", str(DAY / "www.ithome.com/rss/__index__"), "--json")
    assert feed.exit_code == 0
    data = json.loads(feed.stdout)
    assert data["kind"] == "listing" and data["count"] == 26
    assert data["url"] == "https://www.ithome.com/rss/"
    page = run("--source", "ithome", str(DAY / "www.ithome.com/0/914/292.htm"), "--json")
    article = json.loads(page.stdout)["items"][0]
    assert json.loads(page.stdout)["kind"] == "article"
    assert article["url"] == "https://www.ithome.com/0/914/292.htm"  # from the mirror path
    assert "有用但不唐突" in article["text"]  # the GBK sidecar header was honoured
    assert article["published"] == "2026-01-18T17:30:27+08:00"


def test_table_output(run):
    result = run("--source", "qbitai", str(DAY / "www.qbitai.com/2026/01/370077.html"))
    assert result.exit_code == 0
    assert "qbitai · article · 1 item(s)" in result.stdout and "Colossus" in result.stdout


def test_kind_override(run):
    result = run("--source", "qbitai", "--kind", "listing", str(DAY / "www.qbitai.com/2026/01/18/__index__"), "--json")
    assert json.loads(result.stdout)["count"] == 5


def test_errors_are_one_line(run):
    missing = run("--source", "ithome", "/nonexistent/page.htm")
    assert missing.exit_code == 1 and "cannot read file" in missing.stderr
    broken = run("--source", "ithome", str(FIX / "faults/ithome_no_paragraph.htm"))
    assert broken.exit_code == 1 and "no #paragraph" in broken.stderr and "Traceback" not in broken.output
    bad_feed = run("--source", "ithome", str(FIX / "faults/ithome_rss_malformed.xml"))
    assert bad_feed.exit_code == 1 and "malformed feed" in bad_feed.stderr
    unknown = run("--source", "nope", str(HUB_MD))
    assert unknown.exit_code == 1 and "unknown source" in unknown.stderr
    assert run("--source", "ithome", "--kind", "page", str(HUB_MD)).exit_code == 2


def test_url_is_fetched_through_the_url_map(run, monkeypatch):
    handler = partial(SimpleHTTPRequestHandler, directory=str(DAY / "www.qbitai.com"))
    handler.log_message = lambda *a, **k: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AIDAILY_URL_MAP", json.dumps(
        {"https://www.qbitai.com": f"http://127.0.0.1:{server.server_address[1]}"}))
    try:
        url = "https://www.qbitai.com/2026/01/370085.html"
        result = run("--source", "qbitai", url, "--json")
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)
        assert "1305亿美元" in data["items"][0]["text"] and data["url"] == url
        gone = run("--source", "qbitai", url.replace("370085", "999999"))
        assert gone.exit_code == 1 and "HTTP 404" in gone.stderr
    finally:
        server.shutdown()


def test_subprocess_json(tmp_path):
    exe = Path(sys.executable).parent / "aidaily"
    env = {**os.environ, "AIDAILY_HOME": str(tmp_path)}
    proc = subprocess.run([str(exe), "extract", "--source", "hubtoday", str(HUB_MD), "--json"],
                          capture_output=True, text=True, env=env, timeout=60, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["count"] == 6
