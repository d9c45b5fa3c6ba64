"""``aidaily write --date D``: stored articles -> output/drafts/D.md + D.review.json."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.checks.grounding import check_bullet
from aidaily.format.lint import has_errors, lint_text
from aidaily.store.store import Store
from tests.factories import (
    DAY,
    SECTION_TITLES,
    SMALL_DIGEST,
    fake_editor,
    fetch_fixture_day,
    store_handmade_day,
)
from tests.fakellm import FakeLLM

CONFIG = SMALL_DIGEST + """
[llm]
max_retries = 0
timeout = 5
on_unreachable = "{policy}"
"""


@pytest.fixture
def day_home(home: Path) -> Path:
    """A home with the handmade day stored, and a small digest configured."""
    return store_handmade_day(home, CONFIG.format(policy="extractive"))


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeLLM:
    with FakeLLM() as server:
        server.responder = fake_editor
        monkeypatch.setenv("AIDAILY_LLM_BASE_URL", server.base_url)
        monkeypatch.setenv("AIDAILY_LLM_API_KEY", "sk-cli-secret")
        yield server


def write(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["write", "--date", DAY, *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def draft(home: Path) -> Path:
    return home / "output" / "drafts" / f"{DAY}.md"


def record(home: Path) -> dict:
    return json.loads((home / "output" / "drafts" / f"{DAY}.review.json").read_text("utf-8"))


def test_write_with_a_model_then_again_makes_no_call(day_home: Path, fake: FakeLLM) -> None:
    code, out = write()
    assert code == 0, out
    text = draft(day_home).read_text("utf-8")
    assert not has_errors(lint_text(text, str(draft(day_home))))
    rec = record(day_home)
    assert rec["mode"] == "llm" and rec["llm"]["sent"] == fake.calls > 0
    assert rec["counts"]["items"] == 6 and rec["counts"]["briefs"] == 3
    assert len(rec["checks"]) == rec["counts"]["fact_bullets"]
    assert "sk-cli-secret" not in text and "sk-cli-secret" not in json.dumps(rec)
    assert "Summary" in out and "LLM requests sent" in out

    calls = fake.calls
    code2, out2 = write()
    assert code2 == code, out2
    assert fake.calls == calls  # everything came from the cache
    assert draft(day_home).read_text("utf-8") == text
    usage = record(day_home)["llm"]
    assert usage["sent"] == 0 and usage["cached"] > 0 and usage["cost_usd"] == 0


def test_without_a_model_the_draft_is_extractive_and_says_so(day_home: Path) -> None:
    code, out = write()
    assert code == 0, out
    assert "extractive" in out and "not written by a model" in out
    text = draft(day_home).read_text("utf-8")
    assert "\ndraft: true\n" in text and "未经模型撰写" in text
    assert not has_errors(lint_text(text, str(draft(day_home))))
    assert record(day_home)["mode"] == "extractive"


def test_llm_none_forces_extractive(day_home: Path, fake: FakeLLM) -> None:
    code, out = write("--llm", "none")
    assert code == 0 and fake.calls == 0
    assert record(day_home)["mode"] == "extractive"


def _dead_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AIDAILY_LLM_BASE_URL", f"http://127.0.0.1:{port}/v1")
    monkeypatch.setenv("AIDAILY_LLM_API_KEY", "sk-x")


def test_unreachable_model_with_fail_policy_writes_nothing(
    day_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (day_home / "aidaily.toml").write_text(CONFIG.format(policy="fail"), encoding="utf-8")
    _dead_endpoint(monkeypatch)
    code, out = write()
    assert code == 1 and "unreachable" in out
    assert not draft(day_home).exists()
    assert not (day_home / "output" / "drafts" / f"{DAY}.review.json").exists()


def test_unreachable_model_with_extractive_policy_gives_an_extractive_draft(
    day_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dead_endpoint(monkeypatch)
    code, out = write()
    assert code == 2 and "unreachable" in out  # a draft, but the model failed: exitcodes.PARTIAL
    rec = record(day_home)
    assert rec["mode"] == "extractive" and rec["notices"][0].startswith("LLM unreachable")


def test_a_hand_edited_draft_is_kept_unless_replace_edited(day_home: Path) -> None:
    assert write()[0] == 0
    machine = draft(day_home).read_text("utf-8")
    edited = machine.replace("【待编辑补充】本期主线", "编辑写的主线")
    draft(day_home).write_text(edited, encoding="utf-8")
    code, out = write()
    assert code == 0 and "edited by hand and is kept" in out
    assert draft(day_home).read_text("utf-8") == edited
    versions = sorted((day_home / "output" / "drafts" / "versions" / DAY).glob("v*.md"))
    assert [v.read_text("utf-8") for v in versions][-2:] == [edited, machine]
    code, out = write("--replace-edited")
    assert code == 0 and "the new draft is current" in out
    assert draft(day_home).read_text("utf-8") == machine


def test_a_day_without_articles_is_an_error(home: Path) -> None:
    code, out = write()
    assert code == 1 and "no AI stories stored" in out
    assert not draft(home).exists()


def test_prompt_command_prints_the_rendered_messages(day_home: Path) -> None:
    result = CliRunner().invoke(app, ["prompt", "plan", "--date", DAY])
    assert result.exit_code == 0, result.output
    assert "===== system =====" in result.output and '<card id="' in result.output
    story_id = result.output.split('<card id="', 1)[1].split('"', 1)[0]
    result = CliRunner().invoke(app, ["prompt", "write", "--date", DAY, "--story", story_id, "--json"])
    assert result.exit_code == 0, result.output
    messages = json.loads(result.output)
    assert [m["role"] for m in messages] == ["system", "user"]
    assert f'<article id="{story_id}"' in messages[1]["content"]
    result = CliRunner().invoke(app, ["prompt", "finalize", "--date", DAY])
    assert result.exit_code == 0 and "<issue>" in result.output


@pytest.mark.slow
def test_the_fixture_day_fetched_then_written_by_the_model(
    home: Path, fake: FakeLLM, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sources issue's test day, fetched through the mirror, becomes a draft whose
    structure is the model's plan and which passes the lint."""
    (home / "aidaily.toml").write_text(
        CONFIG.format(policy="fail") + "\n[fetch]\nper_host_delay = 0.0\nretries = 0\n",
        encoding="utf-8")
    code, out = fetch_fixture_day(monkeypatch)
    assert code == 0, out
    code, out = write()
    assert code == 0, out
    text = draft(home).read_text("utf-8")
    findings = lint_text(text, str(draft(home)))
    assert not has_errors(findings), [f.format() for f in findings]
    from aidaily.format.parse import parse

    digest = parse(text)
    assert [s.heading for s in digest.sections] == [*SECTION_TITLES, "其他动态"]
    assert len(digest.items) == 6 and len(digest.briefs) == 3
    rec = record(home)
    assert rec["mode"] == "llm" and rec["checks"]
    assert all(c["sources"] for c in rec["checks"])  # every item's bullets had a source

    # One grounding decision: the bullets flagged at write are exactly those review flags.
    review = CliRunner().invoke(app, ["review", DAY, "--json"])
    flagged_at_review = {(f["line"], f["bullet"]) for f in json.loads(review.stdout)["flags"]}
    assert flagged_at_review == {(c["line"], c["bullet"]) for c in rec["checks"] if not c["ok"]}

    # A merged story: a bullet taken from its *second* article is grounded, at write
    # (``ItemSources.from_stories``) and at review (the store's grouping) alike.
    from aidaily.checks.grounding import ItemSources, ground_digest
    from aidaily.config import load_settings
    from aidaily.pipeline.stages import select_stories
    from aidaily.store.drafts import Drafts
    from aidaily.review.report import build_review
    from aidaily.store.store import day_sources

    settings = load_settings(home)
    stories = select_stories(settings, date.fromisoformat(DAY)).stories
    by_url = {a.url: s for s in stories for a in s.articles}
    item, story = next((i, by_url[i.url]) for i in digest.items
                       if i.url in by_url and len(by_url[i.url].articles) > 1)
    second = next(a for a in story.articles if a.url != item.url)
    fact = "据悉，该项目获得 3,217 万美元资助"  # a fact only the second article states
    second.text += f"\n{fact}。"
    Store.from_settings(settings).upsert_articles([second])
    stories = select_stories(settings, date.fromisoformat(DAY)).stories
    linked = next(a for a in story.articles if a.url == item.url)
    assert not check_bullet(fact, f"{linked.title}\n{linked.text}").ok
    bullet_line = text.split("\n").index(f"[{item.title}]({item.url})") + 2
    lines = text.split("\n")
    lines.insert(bullet_line - 1, f"- {fact}")
    edited = "\n".join(lines)
    Drafts(settings.drafts_dir).save_edit(DAY, edited)
    at_write = ground_digest(parse(edited), ItemSources.from_stories(stories))
    at_review = build_review(settings, date.fromisoformat(DAY))
    assert any(v.bullet == fact and v.ok for v in at_write)
    assert fact not in {f.bullet for f in at_review.flags}
    assert [v for v in at_write if not v.ok] == at_review.flags
    assert ground_digest(parse(edited), day_sources(settings, date.fromisoformat(DAY))) == at_write


def test_a_plan_that_misses_the_counts_is_repaired_and_the_record_says_how(
    day_home: Path, fake: FakeLLM
) -> None:
    from aidaily.editor.extractive import PLACEHOLDER
    from aidaily.format.parse import parse
    from tests.factories import CARD_RE, first_user

    def one_big_section(request):  # type: ignore[no-untyped-def]
        if (request.schema or {}).get("title") != "Plan":
            return fake_editor(request)
        ids = CARD_RE.findall(first_user(request))  # 10 stories in 1 section: too many, too few
        return {"sections": [{"title": SECTION_TITLES[0],
                              "groups": [{"story_ids": [sid], "commentary": True} for sid in ids[:10]]}],
                "other_ids": ids[10:12]}

    fake.responder = one_big_section
    code, out = write()
    assert code == 0, out
    assert len(fake.calls_for("plan")) == 2  # the model's repair turn came first
    text = draft(day_home).read_text("utf-8")
    headings = [s.heading for s in parse(text).sections]
    assert headings[0] == SECTION_TITLES[0] and len(headings) == 3  # 2 themed + 其他动态
    assert headings[1].startswith("超算与芯片：") and PLACEHOLDER not in text
    rec = record(day_home)
    assert [f["kind"] for f in rec["plan_fixes"]] == ["main-cut", "section-split"]
    assert any(n.startswith("plan repaired") for n in rec["notices"])
    assert "plan repaired" in out


def test_the_report_never_cuts_the_drafts_path_in_a_narrow_terminal(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The demo and ``run`` print the report's tables: at 40 columns the summary folds its
    values instead of ending them in "…", and the path is printed whole on a line of its own."""
    from datetime import date

    from aidaily.cli.common import print_report
    from aidaily.pipeline.report import RunReport

    path = "/home/editor/aidaily-demo/output/drafts/2026-01-19.md"
    monkeypatch.setenv("COLUMNS", "40")
    print_report(RunReport(day=date(2026, 1, 19), draft=path, mode="extractive"))
    out = capsys.readouterr().out
    assert "…" not in out
    assert f"draft: {path}" in out.splitlines()
    assert max(len(line) for line in out.splitlines() if "│" in line) <= 40
