"""Exit codes and the publish gate, as a user of the CLI meets them.

- ``aidaily write``: 0 complete, 2 a draft with a story the model could not write
  (dropped), 1 no draft (``aidaily.exitcodes``);
- ``aidaily review D``: 1 when there is no draft for D, 1 while anything blocks
  publishing (an extractive draft's commentary placeholders among them), 0 when ready;
- ``aidaily publish D`` refuses what ``review`` lists as blocking, and writes nothing.

The home holds the hand-made day of ``tests.factories``; the model is the fake server.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.factories import (
    ARTICLE_RE,
    DAY,
    SMALL_DIGEST,
    CliResult,
    fake_editor,
    first_user,
    store_handmade_day,
)
from tests.fakellm import FakeLLM, FakeRequest, Reply

CONFIG = SMALL_DIGEST + "\n[llm]\nmax_retries = 0\ntimeout = 5\n"


@pytest.fixture
def day_home(home: Path) -> Path:
    return store_handmade_day(home, CONFIG)


Cli = Callable[..., CliResult]


def drafts_dir(home: Path) -> Path:
    return home / "output" / "drafts"


def posts(home: Path) -> list[Path]:
    return sorted((home / "output").glob("ai-daily-*.md"))


def test_a_story_the_model_could_not_write_makes_the_draft_partial(
        day_home: Path, monkeypatch: pytest.MonkeyPatch, aidaily: Cli) -> None:
    victims: list[str] = []  # the first story the model is asked to write in full

    def drops_one(request: FakeRequest) -> Any:
        if (request.schema or {}).get("title") == "StoryWrite":
            ids = [a[0] for a in ARTICLE_RE.findall(first_user(request))]
            victims[:] = victims or ids[:1]
            if victims[0] in ids:
                return Reply.text("I'd rather write prose than JSON")
        return fake_editor(request)

    with FakeLLM() as fake:
        fake.responder = drops_one
        monkeypatch.setenv("AIDAILY_LLM_BASE_URL", fake.base_url)
        monkeypatch.setenv("AIDAILY_LLM_API_KEY", "sk-exit-codes")
        done = aidaily("write", "--date", DAY, "--json")
    assert done.code == 2, done.output
    report = json.loads(done.out)
    assert report["exit_code"] == 2 and report["status"] == "partial"
    assert [d["story_id"] for d in report["dropped"]] == victims and len(victims) == 1
    assert report["failed_sources"] == [] and not report["llm_unreachable"]
    assert (drafts_dir(day_home) / f"{DAY}.md").is_file()  # the draft is there all the same


def test_the_same_day_written_in_full_exits_0(day_home: Path, monkeypatch: pytest.MonkeyPatch, aidaily: Cli) -> None:
    with FakeLLM() as fake:
        fake.responder = fake_editor
        monkeypatch.setenv("AIDAILY_LLM_BASE_URL", fake.base_url)
        monkeypatch.setenv("AIDAILY_LLM_API_KEY", "sk-exit-codes")
        done = aidaily("write", "--date", DAY)
    assert done.code == 0, done.output


def test_review_of_a_date_without_a_draft_exits_1_and_creates_nothing(home: Path, aidaily: Cli) -> None:
    done = aidaily("review", "2030-01-02")
    assert done.code == 1, done.output
    assert "no draft for 2030-01-02" in done.out
    done = aidaily("review", "2030-01-02", "--json")
    assert done.code == 1 and json.loads(done.out)["state"] == "missing"
    assert [p for p in home.rglob("*") if "2030-01-02" in p.name] == []


def test_commentary_placeholders_block_publishing(day_home: Path, aidaily: Cli) -> None:
    done = aidaily("write", "--date", DAY, "--llm", "none")
    assert done.code == 0, done.output
    draft_path = drafts_dir(day_home) / f"{DAY}.md"
    draft = draft_path.read_text("utf-8")
    assert "【待编辑补充】" in draft  # an extractive draft leaves the commentary to the editor

    done = aidaily("review", DAY, "--json")
    assert done.code == 1, done.output
    report = json.loads(done.out)
    # Nothing else blocks: the placeholders alone keep the draft from publishing.
    assert [f for f in report["lint"] if f["severity"] == "error"] == [] and report["flags"] == []
    lines = draft.split("\n")
    assert report["placeholders"] and all("深度解读" in lines[n - 1] for n in report["placeholders"])
    assert report["blockers"] == [f"line {n}: commentary placeholder left for the editor"
                                  for n in report["placeholders"]]

    done = aidaily("publish", DAY)
    assert done.code == 1, done.output
    assert "blocking finding" in done.err and "commentary placeholder" in done.err
    assert posts(day_home) == []

    # With the commentary written, the same draft is ready and publishes.
    draft_path.write_text(draft.replace("【待编辑补充】", "编辑补上的解读："), encoding="utf-8")
    done = aidaily("review", DAY)
    assert done.code == 0 and "ready to publish" in done.out, done.output
    done = aidaily("publish", DAY)
    assert done.code == 0, done.output
    assert [p.name for p in posts(day_home)] == [f"ai-daily-{DAY}.md"]
