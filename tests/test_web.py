"""The review page at the HTTP level (Starlette's TestClient; no browser, no Prefect).

The home is built directly: a few hand-made articles in the store, a draft file with
one ungrounded number, and a review record, as ``aidaily run`` would leave them.
``build_home`` (in ``tests.factories``) is shared with ``test_web_browser.py``.
"""

from __future__ import annotations

from datetime import date

import json
import re
from pathlib import Path

import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx")

from starlette.testclient import TestClient

from aidaily.config import Settings
from aidaily.store.drafts import Drafts, text_hash
from aidaily.review.publish import publications
from aidaily.review.web.app import create_app
from aidaily.review.web.guard import base_path
from tests.factories import (
    BAD_BULLET,
    DAY,
    DRAFT,
    EVIL,
    GOOD_BULLET,
    XAI_URL,
    build_home,
)

pytest_plugins = ("tests.fakellm",)

@pytest.fixture
def settings(home: Path) -> Settings:
    return build_home(home)


@pytest.fixture
def client(settings: Settings) -> TestClient:
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        yield c


def csrf_of(client: TestClient, path: str = f"/d/{DAY}") -> str:
    page = client.get(path)
    assert page.status_code == 200, page.text
    match = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert match and client.cookies.get("aidaily_csrf") == match.group(1)
    return match.group(1)


# --- pages ------------------------------------------------------------------------------


def test_index_lists_drafts_with_state(client: TestClient, settings: Settings) -> None:
    Drafts(settings.drafts_dir).write("2026-01-18", DRAFT.replace(DAY, "2026-01-18"))
    settings.post_path(date(2026, 1, 18)).parent.mkdir(parents=True, exist_ok=True)
    settings.post_path(date(2026, 1, 18)).write_text("published", encoding="utf-8")
    text = client.get("/").text
    assert text.index("2026-01-19") < text.index("2026-01-18")  # newest first
    assert 'class="pill draft">draft<' in text and 'class="pill published">published<' in text
    current = Drafts(settings.drafts_dir).current_path(DAY)
    current.write_text(DRAFT.replace("谁掌握电力", "谁握有电力"), encoding="utf-8")
    assert 'class="pill edited">edited<' in client.get("/").text


def test_draft_page_marks_bullets_and_shows_the_report(client: TestClient) -> None:
    page = client.get(f"/d/{DAY}")
    assert page.status_code == 200
    html = page.text
    flagged = re.findall(r'<li class="bullet flagged" data-line="(\d+)"', html)
    ok = re.findall(r'<li class="bullet ok" data-line="(\d+)"', html)
    assert len(flagged) == 1 and len(ok) == 3
    assert flagged == [str(DRAFT.split("\n").index(f"- {BAD_BULLET}") + 1)]
    assert "99 万" in html and "numbers not in the source: 99 万" in html
    # rendered as the blog shows it
    assert "<h1>GW 级超算与百万行浏览器：AI 边际成本归零日</h1>" in html
    assert f'<a href="{XAI_URL}">' in html and "<strong>深度解读 &amp; 洞察：</strong>" in html
    assert '<div class="telegram-card">' in html  # the site's own footer template
    # the side panel: blockers, run report
    assert 'id="blockers"' in html and "ungrounded fact bullet" in html
    for expected in ("12345 in / 678 out", "$0.0123", "7 sent, 2 from cache", "被丢掉的故事",
                     "a notice for the editor", "hubtoday", "HTTP 503 &lt;b&gt;down&lt;/b&gt;"):
        assert expected in html, expected
    assert page.headers["content-security-policy"].startswith("default-src 'self'; script-src 'self'")
    assert page.headers["x-frame-options"] == "DENY"


def test_source_view_highlights_the_nearest_sentence(client: TestClient) -> None:
    line = DRAFT.split("\n").index(f"- {BAD_BULLET}") + 1
    html = client.get(f"/d/{DAY}/source", params={"line": line}).text
    assert '<mark id="nearest">该集群功率达到 1 GW，相当于一座核电站，目前已部署 55 万张 GPU。</mark>' in html
    assert "Numbers not in the source: 99 万" in html and f'name="line" value="{line}"' in html
    missing = client.get(f"/d/{DAY}/source", params={"line": 3}).text
    assert 'id="not-found"' in missing


def test_source_text_is_always_escaped(client: TestClient) -> None:
    line = DRAFT.split("\n").index("- Cursor 让数百个 AI 智能体连续工作 7 天") + 1
    html = client.get(f"/d/{DAY}/source", params={"line": line}).text
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=&#34;window.__pwned = 2&#34;&gt;" in html
    assert "<mark" in html


def test_markdown_html_in_the_draft_is_text(client: TestClient, settings: Settings) -> None:
    evil = DRAFT.replace("- 谁掌握电力", f"- 谁掌握电力 {EVIL} [x](javascript:alert(1))")
    Drafts(settings.drafts_dir).current_path(DAY).write_text(evil, encoding="utf-8")
    html = client.get(f"/d/{DAY}").text
    body = html.split('id="post"', 1)[1].split('class="site-footer"', 1)[0]
    assert "<script" not in body and "<img" not in body and 'href="javascript' not in body
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;&lt;img src=x onerror=" in body


# --- live lint --------------------------------------------------------------------------


def test_lint_endpoint_returns_findings_for_posted_text(client: TestClient) -> None:
    token = csrf_of(client)
    broken = DRAFT.replace("title: GW 级超算与百万行浏览器：AI 边际成本归零日\n", "")
    r = client.post(f"/d/{DAY}/lint", json={"text": broken}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    data = r.json()
    assert data["errors"] >= 1 and any(f["code"] for f in data["findings"])
    clean = client.post(f"/d/{DAY}/lint", json={"text": DRAFT}, headers={"X-CSRF-Token": token}).json()
    assert clean["errors"] == 0


# --- CSRF, token, host ------------------------------------------------------------------


@pytest.mark.parametrize("action", ["lint", "save", "regenerate", "publish"])
def test_every_post_needs_the_csrf_token(client: TestClient, settings: Settings, action: str) -> None:
    token = csrf_of(client)
    url = f"/d/{DAY}/{action}"
    assert client.post(url, data={"text": "x", "line": "1"}).status_code == 403
    assert client.post(url, data={"text": "x", "csrf": "wrong" * 10}).status_code == 403
    assert client.post(url, json={"text": "x"}, headers={"X-CSRF-Token": token + "x"}).status_code == 403
    other = TestClient(create_app(settings), base_url="http://127.0.0.1")  # no cookie at all
    assert other.post(url, data={"csrf": token}).status_code == 403
    assert Drafts(settings.drafts_dir).read_current(DAY) == DRAFT
    assert not settings.post_path(date.fromisoformat(DAY)).exists()


def test_token_required_when_configured(settings: Settings) -> None:
    app = create_app(settings, token="s3cret-token")
    with TestClient(app, base_url="http://192.0.2.10:8710") as c:
        assert c.get("/").status_code == 401
        assert c.get(f"/d/{DAY}", headers={"X-Aidaily-Token": "nope"}).status_code == 401
        assert c.get("/", headers={"Authorization": "Bearer s3cret-token"}).status_code == 200
        r = c.get(f"/d/{DAY}?token=s3cret-token", follow_redirects=False)
        root = base_path("s3cret-token")  # the page's own path: the cookie is scoped to it
        assert r.status_code == 303 and r.headers["location"] == f"{root}/d/{DAY}"
        assert c.cookies.get("aidaily_token") == "s3cret-token"
        assert f"Path={root};" in r.headers["set-cookie"]
        assert c.get(f"{root}/d/{DAY}").status_code == 200


def test_foreign_host_refused_without_token(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url="http://evil.example") as c:
        assert c.get("/").status_code == 403
    with TestClient(create_app(settings), base_url="http://localhost:8710") as c:
        assert c.get("/").status_code == 200


def test_web_command_refuses_public_address_without_token(home: Path) -> None:
    from typer.testing import CliRunner

    from aidaily.cli.app import app

    result = CliRunner().invoke(app, ["web", "--host", "0.0.0.0", "--port", "1"])
    assert result.exit_code == 2
    assert "--token" in result.output


# --- save, publish ----------------------------------------------------------------------


def test_save_makes_the_text_current_and_a_hand_edit(client: TestClient, settings: Settings) -> None:
    drafts = Drafts(settings.drafts_dir)
    token = csrf_of(client, f"/d/{DAY}/edit")
    fixed = DRAFT.replace(BAD_BULLET, GOOD_BULLET)
    r = client.post(f"/d/{DAY}/save", data={"csrf": token, "text": fixed.replace("\n", "\r\n"),
                                          "base": text_hash(DRAFT)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/d/{DAY}?done=saved"
    assert drafts.read_current(DAY) == fixed
    assert [p.name for p in drafts.versions(DAY)] == ["v001.md", "v002-edited.md"]
    assert drafts.is_hand_edited(DAY)
    # a re-run keeps the editor's text current and files its own as a version
    written = drafts.write(DAY, DRAFT.replace("谁掌握电力", "谁握有电力"))
    assert written.kept_hand_edit and drafts.read_current(DAY) == fixed
    page = client.get(f"/d/{DAY}")
    assert "<li class=\"bullet flagged\"" not in page.text and 'id="ready"' in page.text


def test_save_refuses_a_stale_base(client: TestClient, settings: Settings) -> None:
    token = csrf_of(client, f"/d/{DAY}/edit")
    r = client.post(f"/d/{DAY}/save", data={"csrf": token, "text": "changed", "base": "0" * 64})
    assert r.status_code == 409 and "changed since you opened it" in r.text
    assert Drafts(settings.drafts_dir).read_current(DAY) == DRAFT


def test_save_of_a_draft_without_version_state_still_counts_as_edited(home: Path) -> None:
    settings = build_home(home, machine_written=False)
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        token = csrf_of(c, f"/d/{DAY}/edit")
        c.post(f"/d/{DAY}/save", data={"csrf": token, "text": DRAFT + "\n"})
    drafts = Drafts(settings.drafts_dir)
    assert drafts.read_current(DAY) == DRAFT + "\n" and drafts.is_hand_edited(DAY)


def test_publish_uses_the_cli_gate(client: TestClient, settings: Settings) -> None:
    token = csrf_of(client)
    refused = client.post(f"/d/{DAY}/publish", data={"csrf": token})
    assert refused.status_code == 409
    assert 'id="refused"' in refused.text and "ungrounded fact bullet" in refused.text
    assert not settings.post_path(date.fromisoformat(DAY)).exists()
    client.post(f"/d/{DAY}/save", data={"csrf": token, "text": DRAFT.replace(BAD_BULLET, GOOD_BULLET)})
    ok = client.post(f"/d/{DAY}/publish", data={"csrf": token}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == f"/d/{DAY}?done=published"
    post = settings.post_path(date.fromisoformat(DAY)).read_text(encoding="utf-8")
    assert GOOD_BULLET in post and "draft: true" not in post
    assert publications(settings, DAY)[0]["published_by"].endswith("(web)")
    again = client.post(f"/d/{DAY}/publish", data={"csrf": token})
    assert again.status_code == 409 and "already published" in again.text
    assert 'class="pill published"' in client.get(f"/d/{DAY}").text


# --- regenerate -------------------------------------------------------------------------


def test_regenerate_rewrites_one_story_past_the_cache(home: Path, fake_llm) -> None:  # type: ignore[no-untyped-def]
    settings = build_home(home)
    settings.llm.base_url, settings.llm.api_key = fake_llm.base_url, None
    answers = iter([
        {"headline": "xAI 上线 Colossus 2 超算", "facts": [GOOD_BULLET, "专为 Grok 5 训练而建"],
         "commentary": ["电力成为算力竞赛的门槛", "数据中心与电网深度耦合"]},
        {"headline": "xAI Colossus 2 超算上线", "facts": ["年内将扩至 2 GW", GOOD_BULLET],
         "commentary": ["第二版评论一", "第二版评论二"]},
    ])
    fake_llm.on("write", lambda req: next(answers))
    line = DRAFT.split("\n").index(f"- {BAD_BULLET}") + 1
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        token = csrf_of(c)
        r = c.post(f"/d/{DAY}/regenerate", data={"csrf": token, "line": str(line)}, follow_redirects=False)
        assert r.status_code == 303, r.text
        text = Drafts(settings.drafts_dir).read_current(DAY)
        assert "[xAI 上线 Colossus 2 超算](" in text and BAD_BULLET not in text
        assert "- 电力成为算力竞赛的门槛" in text and "谁掌握电力" not in text
        assert "[Cursor 智能体 7 天写出 300 万行浏览器](" in text  # other stories untouched
        first = fake_llm.calls_for("write")[0]
        assert "commentary" in json.dumps(first.schema) and "99 万" in first.user  # story mode + note
        # the same story again: a new prompt (attempt number), so not the cached answer
        r = c.post(f"/d/{DAY}/regenerate", data={"csrf": token, "line": str(line)}, follow_redirects=False)
        assert r.status_code == 303
        assert len(fake_llm.calls_for("write")) == 2
        assert "第二版评论一" in Drafts(settings.drafts_dir).read_current(DAY)
        assert "<li class=\"bullet flagged\"" not in c.get(f"/d/{DAY}").text


def test_regenerate_without_a_model_says_so(client: TestClient, settings: Settings) -> None:
    token = csrf_of(client)
    r = client.post(f"/d/{DAY}/regenerate", data={"csrf": token, "line": "15"})
    assert r.status_code == 409 and "regenerate failed" in r.text and "no LLM configured" in r.text
    assert Drafts(settings.drafts_dir).read_current(DAY) == DRAFT


def test_regenerate_a_story_without_own_commentary_is_a_facts_call(home: Path, fake_llm) -> None:  # type: ignore[no-untyped-def]
    settings = build_home(home)
    settings.llm.base_url, settings.llm.api_key = fake_llm.base_url, None
    fake_llm.on("write", lambda req: {"headline": "Cursor 智能体连续 7 天写浏览器",
                                      "facts": ["数百个 AI 智能体连续工作 7 天", "交付 300 万行代码"]})
    line = DRAFT.split("\n").index("- 交付 300 万行代码的浏览器 FastRender") + 1
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as c:
        r = c.post(f"/d/{DAY}/regenerate", data={"csrf": csrf_of(c), "line": str(line)},
                   follow_redirects=False)
    assert r.status_code == 303, r.text
    request = fake_llm.calls_for("write")[0]
    assert "commentary" not in json.dumps(request.schema)  # FactsWrite, as the plan had it
    text = Drafts(settings.drafts_dir).read_current(DAY)
    assert "[Cursor 智能体连续 7 天写浏览器](" in text and "- 交付 300 万行代码\n" in text
    assert "- 谁掌握电力，谁就掌握下一轮模型入场券" in text  # the xAI story's block untouched
