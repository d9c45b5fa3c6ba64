"""Replayed answers (``[llm] provider = "replay"``, ``aidaily.llm.replay``) and
``aidaily llm export``: the demo day's recorded answers (a capable model's, shipped with
aidaily) replay every request even when every prompt template is reworded; a request
with no recorded answer is written extractively, with a notice and exit 2; a replayed
run exports back to the same file; bad files are clear errors."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.config import load_settings
from aidaily.demo import replay_file
from aidaily.editor.extractive import PLACEHOLDER
from aidaily.errors import ConfigError, LLMError
from aidaily.format.lint import has_errors, lint_text
from aidaily.format.parse import parse
from aidaily.llm.replay import FORMAT, Subject, load_book
from tests.factories import DAY, fetch_fixture_day

#: The demo day's Cursor story: one StoryWrite call (headline, facts, commentary).
CURSOR = "d14a56e7ca5b"
REWORDED = "（本提示词已被运营改写，措辞与出厂版本不同。）"


def squeezed(text: str) -> str:
    """``text`` without white space: a console may wrap a long path anywhere."""
    return "".join(text.split())


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def shipped() -> dict[str, Any]:
    return json.loads(replay_file().read_text(encoding="utf-8"))


@pytest.fixture
def day_home(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home holding the demo day's articles (fetched from the fixture pages)."""
    code, out = fetch_fixture_day(monkeypatch)
    assert code == 0, out
    return home


def write_json(*extra: str) -> tuple[int, dict[str, Any]]:
    code, out = invoke("write", "--date", DAY, "--json", *extra)
    return code, json.loads(out[out.index("{"):])


def test_a_reworded_prompt_still_replays_every_answer(day_home: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Every template reworded in the home's own prompts: each request still finds its
    answer (keyed by day, step, kind and story ids, not by wording); nothing is sent."""
    settings = load_settings(day_home)
    own = day_home / "prompts"
    shutil.copytree(settings.shipped_prompts_dir, own, ignore=shutil.ignore_patterns("__*"))
    for template in own.glob("*.j2"):
        text = template.read_text(encoding="utf-8")
        text = text.replace("日报", "每日简报").replace("新闻", "消息")
        template.write_text(f"{REWORDED}\n{text}", encoding="utf-8")
    code, out = invoke("prompt", "plan", "--date", DAY)
    assert code == 0 and REWORDED in out and "每日简报" in out  # the reworded prompt is the one used
    monkeypatch.setenv("AIDAILY_LLM_REPLAY", str(replay_file()))

    code, report = write_json()

    answers = len(shipped()["answers"])
    assert code == 0, report["notices"]
    assert report["mode"] == "llm"
    assert report["llm"] == {"sent": 0, "cached": 0, "replayed": answers, "failed": 0, "tokens_in": 0,
                             "tokens_out": 0, "cost_usd": 0.0, "calls": answers}
    assert not [n for n in report["notices"] if "replay" in n]
    text = (day_home / "output" / "drafts" / f"{DAY}.md").read_text(encoding="utf-8")
    assert PLACEHOLDER not in text
    assert not has_errors(lint_text(text, "draft.md"))
    assert report["fact_bullets"] >= 30 and report["checks_failed"] == 0
    assert report["items"] == 14 and report["briefs"] == 4


@pytest.mark.parametrize("damage", ["removed", "invalid"])
def test_a_missing_answer_gives_that_story_extractively_with_a_notice(
        day_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str) -> None:
    """The Cursor story's answer removed, or made invalid (no facts: a schema tightened
    since it was recorded): that story is written extractively, the rest replayed."""
    data = shipped()
    if damage == "removed":
        kept = [a for a in data["answers"] if a["ids"] != [CURSOR]]
    else:
        kept = [{**a, "answer": {**a["answer"], "facts": []}} if a["ids"] == [CURSOR] else a
                for a in data["answers"]]
    partial = tmp_path / "partial.json"
    partial.write_text(json.dumps({**data, "answers": kept}, ensure_ascii=False), encoding="utf-8")
    monkeypatch.setenv("AIDAILY_LLM_REPLAY", str(partial))

    code, report = write_json()

    assert code == 2  # the draft is there, but a story was not written by the model
    assert report["llm"]["replayed"] == len(data["answers"]) - 1 and report["llm"]["sent"] == 0
    assert report["llm"]["failed"] == 1
    assert [n for n in report["notices"] if n.startswith("replay:")] == [
        f"replay: no usable recorded answer for 1 calls ({CURSOR}); extractive text for them, "
        "as without a model"]
    assert report["dropped"] == []  # written, not dropped
    digest = parse((day_home / "output" / "drafts" / f"{DAY}.md").read_text(encoding="utf-8"))
    written = {item.url: item for item in digest.items}
    cursor = written["https://www.ithome.com/0/914/192.htm"]
    # the extractive item: the source's own title, its lead sentences, commentary left to the editor
    assert cursor.title == "Cursor 让数百个 AI 智能体连续工作一周，写出 300 万行代码的浏览器"
    others = [item for url, item in written.items() if url != "https://www.ithome.com/0/914/192.htm"]
    assert len(others) == 13 and all(PLACEHOLDER not in item.title for item in others)
    assert (day_home / "output" / "drafts" / f"{DAY}.md").read_text(encoding="utf-8").count(PLACEHOLDER) == 2


def test_a_replayed_day_exports_back_to_the_same_answers(day_home: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIDAILY_LLM_REPLAY", str(replay_file()))
    code, _ = write_json()
    assert code == 0
    out = tmp_path / "exported" / "replay.json"

    code, said = invoke("llm", "export", "--date", DAY, "--out", str(out), "--how", "a test")

    assert code == 0 and squeezed(f"21 answers of {DAY} written to {out}") in squeezed(said)
    exported = json.loads(out.read_text(encoding="utf-8"))
    assert exported["format"] == FORMAT and exported["made"]["how"] == "a test"
    assert exported["made"]["model"] == "replay:replay-2026-01-19.json"
    assert exported["answers"] == shipped()["answers"]
    assert not list(out.parent.glob("*.part"))


def test_export_of_a_day_without_model_answers_is_an_error(day_home: Path, tmp_path: Path) -> None:
    code, _ = write_json("--llm", "none")
    assert code == 0
    code, said = invoke("llm", "export", "--date", DAY, "--out", str(tmp_path / "r.json"))
    assert code == 1
    assert squeezed(f"the call log holds no answered model request for {DAY}") in squeezed(said)
    assert not (tmp_path / "r.json").exists()


@pytest.mark.parametrize(("content", "problem"), [
    (None, "cannot be read"),
    ("{not json", "not JSON"),
    ('{"format": "other", "answers": []}', "not a replay file"),
    (f'{{"format": "{FORMAT}", "answers": {{}}}}', '"answers" must be a list'),
    (f'{{"format": "{FORMAT}", "answers": [{{"day": "2026-01-19", "step": "write", "kind": "story", '
     '"ids": [3], "answer": {}}]}', "answer 1 is malformed (ids must be a list of story ids)"),
    (f'{{"format": "{FORMAT}", "answers": [{{"day": "19.1.2026", "step": "plan", "kind": "plan", '
     '"ids": [], "answer": {}}]}', "answer 1 is malformed"),
])
def test_a_bad_replay_file_is_a_clear_error(tmp_path: Path, content: str | None, problem: str) -> None:
    path = tmp_path / "replay.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(LLMError) as caught:
        load_book(path)
    assert str(caught.value).startswith(f"replay file {path}: ") and problem in str(caught.value)


def test_a_bad_replay_file_fails_the_write_with_one_line(day_home: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("[]", encoding="utf-8")
    monkeypatch.setenv("AIDAILY_LLM_REPLAY", str(bad))
    code, out = invoke("write", "--date", DAY)
    assert code == 1
    assert squeezed(f"replay file {bad}: not a replay file") in squeezed(out)
    assert "Traceback" not in out and not (day_home / "output" / "drafts" / f"{DAY}.md").exists()


def test_replay_needs_a_file_in_the_config(home: Path) -> None:
    (home / "aidaily.toml").write_text('[llm]\nprovider = "replay"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match='provider "replay" needs replay = PATH'):
        load_settings(home)
    (home / "aidaily.toml").write_text('[llm]\nprovider = "replay"\nreplay = "answers.json"\n',
                                       encoding="utf-8")
    settings = load_settings(home)
    assert settings.llm.configured and settings.llm.replay == str(home / "answers.json")


def test_a_subject_is_its_key_and_back() -> None:
    subject = Subject(date(2026, 1, 19), "write", "commentary", ("a1", "b2"))
    assert subject.key == "2026-01-19 write:commentary a1+b2"
    assert Subject.from_key(subject.key) == subject
    plan = Subject(date(2026, 1, 19), "plan", "plan")
    assert plan.key == "2026-01-19 plan:plan" and Subject.from_key(plan.key) == plan
    with pytest.raises(ValueError):
        Subject.from_key("write story")


def test_the_shipped_answers_say_how_they_were_made() -> None:
    book = load_book(replay_file())
    assert {"how", "when", "model"} <= set(book.made)
    assert "handmodel" in book.made["how"] and "by hand" in book.made["how"]
    assert {s.day for s in book.answers} == {date(2026, 1, 19)}
    steps = sorted({(s.step, s.kind) for s in book.answers})
    assert steps == [("finalize", "finalize"), ("plan", "plan"), ("write", "brief"),
                     ("write", "commentary"), ("write", "facts"), ("write", "story")]
