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
    assert report["blockers"] == [f"line {n}: placeholder left for the editor"
                                  for n in report["placeholders"]]

    done = aidaily("publish", DAY)
    assert done.code == 1, done.output
    assert "blocking finding" in done.err and "placeholder left for the editor" in done.err
    assert posts(day_home) == []

    # With the commentary written, the same draft is ready and publishes.
    draft_path.write_text(draft.replace("【待编辑补充】", "编辑补上的解读："), encoding="utf-8")
    done = aidaily("review", DAY)
    assert done.code == 0 and "ready to publish" in done.out, done.output
    done = aidaily("publish", DAY)
    assert done.code == 0, done.output
    assert [p.name for p in posts(day_home)] == [f"ai-daily-{DAY}.md"]


# --- what the report says of each source and of the memory ----------------------------------


def test_the_report_says_what_each_source_gave_and_why_one_failed() -> None:
    from datetime import date

    from aidaily.ingest.day import ItemFailure, SourceReport
    from aidaily.pipeline.report import RunReport, SourceOutcome

    failures = [ItemFailure(f"https://x.example/{i}", f"HTTP 50{i % 10}") for i in range(25)]
    partial = SourceReport("qbitai", listing_tried=["https://q.example/", "https://q.example/2"],
                           listing_reached=["https://q.example/"], listing_failed={"https://q.example/2": "HTTP 404"},
                           seen=40, in_window=30, new=20, known=7, failed=failures, seconds=1.5)
    whole = SourceReport("ithome", listing_tried=["https://i.example/"], listing_reached=["https://i.example/"],
                         seen=5, in_window=5, new=5)
    report = RunReport(date(2026, 1, 19), draft="d.md", sources={
        "qbitai": SourceOutcome.from_report(partial), "ithome": SourceOutcome.from_report(whole),
        "hubtoday": SourceOutcome.crashed("hubtoday", ValueError("no numbered items"))})
    data = report.to_dict()
    assert data["sources"]["qbitai"] == {
        "name": "qbitai", "ok": False, "seen": 40, "new": 20, "known": 7, "in_window": 30, "failed": 25,
        "failures": [f"https://x.example/{i}: HTTP 50{i % 10}" for i in range(20)],
        "summary": "reached 1/2 listing URL(s); not reached https://q.example/2 (HTTP 404)", "error": "",
        "seconds": 1.5}
    assert data["sources"]["ithome"]["ok"] is True and data["sources"]["ithome"]["failures"] == []
    assert data["sources"]["hubtoday"] == {
        "name": "hubtoday", "ok": False, "seen": 0, "new": 0, "known": 0, "in_window": 0, "failed": 0,
        "failures": [], "summary": "", "error": "ValueError: no numbered items", "seconds": 0.0}
    assert data["failed_sources"] == [
        {"source": "qbitai", "error": "; ".join(f"https://x.example/{i}: HTTP 50{i}" for i in range(3))},
        {"source": "hubtoday", "error": "ValueError: no numbered items"}]
    assert (data["exit_code"], data["status"]) == (2, "partial")


def test_the_report_names_the_earlier_issue_of_a_story() -> None:
    from datetime import date

    from aidaily.models import Article, Earlier, Story
    from aidaily.pipeline.report import EarlierStory

    story = Story("s1", [Article(url="https://x.example/1", source="x", title="Colossus 2 满载", text="…")])
    earlier = Earlier(date(2026, 1, 17), "Colossus 2 上线", "https://q.example/1", ["1 GW"], ["1.5GW", "Grok 5"])
    told = EarlierStory.of(story, earlier)
    assert (told.story_id, told.title, told.url, told.earlier_day, told.earlier_title, told.earlier_url,
            told.new_facts) == ("s1", "Colossus 2 满载", "https://x.example/1", "2026-01-17", "Colossus 2 上线",
                                "https://q.example/1", ["1.5GW", "Grok 5"])
    assert told.line == "Colossus 2 满载 — ran 2026-01-17 as “Colossus 2 上线”; new: 1.5GW, Grok 5"
    assert EarlierStory.of(story, Earlier(date(2026, 1, 17), "t", "u")).line == "Colossus 2 满载 — ran 2026-01-17 as “t”"
    # the post the earlier issue was read from is named (the review page and the run's notice say where)
    in_post = EarlierStory.of(story, earlier, "posts/2026-01-17.md")
    assert in_post.earlier_post == "posts/2026-01-17.md"
    assert in_post.line == ("Colossus 2 满载 — ran 2026-01-17 in posts/2026-01-17.md as “Colossus 2 上线”; "
                            "new: 1.5GW, Grok 5")
