"""Issue 20, defect 1 and the API-key part of 8: secrets never leave the process, in any
form. A notification URL whose token is its host part (DingTalk, Slack, Feishu, WeCom,
Lark, Pushover) and an API key an endpoint echoes without its ``sk-`` prefix or in part
must reach neither stderr, nor logs, nor ``--json``, nor the review record, nor a database.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.config import load_settings
from aidaily.delivery.notify import redact as name_url
from aidaily.llm.calllog import redact
from aidaily.store.store import Store
from tests.factories import DAY, make_stories
from tests.fakellm import FakeLLM, FakeRequest, Reply
from tests.servers import closed_port_url

DING = "dingtalkTOKEN0123456789abcdef"
SLACK = ("T1SLACKAAA", "B2SLACKBBB", "C3SLACKCCCCCCCCCCCCCCCCC")
PUSH_USER, PUSH_APP = "u" * 29 + "1", "a" * 29 + "2"
WECOM, FEISHU, LARK = "wecomBOTKEY0123456789", "feishuTOKEN0123456789", "larkTOKEN0123456789"
URLS = [
    f"dingtalk://{DING}/",
    f"slack://{SLACK[0]}/{SLACK[1]}/{SLACK[2]}/#general",
    f"pushover://{PUSH_USER}@{PUSH_APP}",
    f"wecombot://{WECOM}",
    f"feishu://{FEISHU}",
    f"lark://{LARK}/",
    "pushover://short@BROKENAPPTOKEN",  # apprise cannot read it: named by its scheme only
]
TOKENS = [DING, *SLACK, PUSH_USER, PUSH_APP, WECOM, FEISHU, LARK, "BROKENAPPTOKEN"]


def test_name_of_a_notification_url_hides_a_token_in_the_host() -> None:
    for url in URLS:
        named = name_url(url)
        assert named.split("://")[0] == url.split("://")[0]
        assert not [t for t in TOKENS if t in named], named


def test_a_failed_notice_prints_no_token(home: Path, monkeypatch: pytest.MonkeyPatch,
                                         caplog: pytest.LogCaptureFixture) -> None:
    # Every service is reached through a proxy that is not there: no network, all fail.
    dead = closed_port_url()
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.setenv(name, dead)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    listed = ", ".join(json.dumps(u) for u in URLS)
    (home / "aidaily.toml").write_text(f"[notify]\nurls = [{listed}]\ntimeout = 2\n", encoding="utf-8")
    caplog.set_level(logging.DEBUG)

    result = CliRunner().invoke(app, ["write", "--date", DAY, "--json"])

    assert result.exit_code == 1, result.output  # no articles: the run fails and says so
    assert "dingtalk://" in result.output and "failed" in result.output
    leaked = [t for t in TOKENS if t in result.output or t in caplog.text]
    assert leaked == []


KEY = "sk-proj-AbCdEf0123456789GhIjKlMnOpQr"


def test_redact_masks_a_key_without_prefix_and_in_part() -> None:
    body = KEY.removeprefix("sk-proj-")
    text = (f"bad key {body}; shown as {KEY[:12]}…{KEY[-10:]}; "
            f"quoted {body[3:15]}; ok words stay")
    masked = redact(text, [KEY])
    assert body not in masked and body[3:15] not in masked and KEY[-10:] not in masked
    assert masked.endswith("ok words stay")


def test_an_echoed_key_reaches_no_output_record_or_database(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    body = KEY.removeprefix("sk-proj-")

    def echo(request: FakeRequest) -> Reply:
        sent = request.headers["authorization"].removeprefix("Bearer ")
        return Reply.error(401, f"Incorrect API key provided: {sent.removeprefix('sk-proj-')} "
                                f"(ends {sent[-12:]})")

    (home / "aidaily.toml").write_text(
        "[digest]\nmain_min = 4\nmain_max = 8\nother_min = 2\nother_max = 4\n"
        "sections_min = 2\nsections_max = 4\n[llm]\nmax_retries = 0\ntimeout = 5\n"
        'on_unreachable = "extractive"\n', encoding="utf-8")
    Store.from_settings(load_settings(home)).upsert_articles(a for s in make_stories() for a in s.articles)
    with FakeLLM() as fake:
        fake.responder = echo
        monkeypatch.setenv("AIDAILY_LLM_BASE_URL", fake.base_url)
        monkeypatch.setenv("AIDAILY_LLM_API_KEY", KEY)
        result = CliRunner().invoke(app, ["write", "--date", DAY, "--json"])
        assert fake.calls >= 1
    assert "Incorrect API key" in result.output  # the error is told …
    assert body not in result.output and KEY[-12:] not in result.output  # … the key is not
    texts = [p.read_bytes().decode("utf-8", "replace") for p in (home / "output").rglob("*.json")]
    assert texts and not [t for t in texts if body in t or KEY[-12:] in t]
    dumps = []
    for db in home.rglob("*.db"):
        with sqlite3.connect(db) as conn:
            dumps += ["\n".join(conn.iterdump())]
    assert dumps and "Incorrect API key" in "".join(dumps)
    assert not [d for d in dumps if body in d or KEY[-12:] in d]
