"""The review report (``aidaily review D``, the review page, the publish gate): what it
says of a draft and of its run's record, and what blocks publishing.

The home is ``tests.factories.build_home``: three stored articles, a draft whose first
fact bullet has a number no source has (``BAD_BULLET``), and the run's review record.
Exit codes and blockers are asserted exactly: the gate is one function
(``ReviewReport.blockers``) that the CLI, the page and ``publish`` all call.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from aidaily.config import Settings
from aidaily.llm.usage import LLMUsage
from aidaily.models import LeftOut
from aidaily.pipeline.report import DroppedStory, EarlierStory, SourceFailure
from aidaily.review.report import build_review, unified_diff
from aidaily.store.drafts import Drafts
from tests.factories import BAD_BULLET, BRIEF_URL, DAY, DAY_DATE, DRAFT, GOOD_BULLET, RECORD, CliResult, build_home

Cli = Callable[..., CliResult]

FLAG = f"line 17: ungrounded fact bullet (numbers not in the source: 99 万): {BAD_BULLET}"
REPEATED = "- 交付 300 万行代码的浏览器 FastRender"
UNFETCHED = "https://www.ithome.com/0/999/999.htm"


def write_record(settings: Settings, **fields: Any) -> None:
    (settings.drafts_dir / f"{DAY}.review.json").write_text(
        json.dumps({**RECORD, **fields}, ensure_ascii=False), encoding="utf-8")


def test_review_json_lists_the_ungrounded_bullet_as_the_one_blocker(home: Path, aidaily: Cli) -> None:
    settings = build_home(home)
    done = aidaily("review", DAY, "--json")
    assert done.code == 1, done.output
    report = json.loads(done.out)
    path = str(settings.drafts_dir / f"{DAY}.md")
    assert report["state"] == "draft" and report["draft_path"] == path
    assert report["blockers"] == [FLAG]
    assert [(f["line"], f["bullet"], f["missing_numbers"]) for f in report["flags"]] == [(17, BAD_BULLET, ["99 万"])]
    # warnings are listed, with the file they are in, and do not block
    assert report["lint"] == [
        {"severity": "warning", "line": 1, "code": "missing-key",
         "message": "front matter has no 'coverImage' key", "path": path},
        {"severity": "warning", "line": 8, "code": "draft", "message": "draft marker is set", "path": path},
    ]
    # the run's record, as the run wrote it
    assert report["llm"] == {"sent": 7, "cached": 2, "replayed": 0, "failed": 0, "tokens_in": 12345,
                             "tokens_out": 678, "cost_usd": 0.0123, "calls": 9}
    assert report["dropped"] == [{"story_id": "s9", "title": "被丢掉的故事", "reason": "LLMError: boom"}]
    assert report["failed_sources"] == [{"source": "hubtoday", "error": "HTTP 503 <b>down</b>"}]
    assert report["notices"] == ["a notice for the editor"]
    assert report["diff"] == "" and report["placeholders"] == [] and report["unfetched_links"] == []
    # warnings: the title restates a figure ("百万") no item it restates has; no weak merge
    assert [(f["line"], f["kind"], f["missing_numbers"]) for f in report["restatements"]] == [(10, "title", ["百万"])]
    assert report["weak_support"] == []

    shown = aidaily("review", DAY)
    assert shown.code == 1 and "1 finding(s) block publishing" in shown.out, shown.output
    assert "ready to publish" not in shown.out


def test_a_bullet_fixed_by_hand_unblocks_the_draft_and_the_diff_shows_the_fix(home: Path, aidaily: Cli) -> None:
    settings = build_home(home)
    Drafts(settings.drafts_dir).save_edit(DAY, DRAFT.replace(BAD_BULLET, GOOD_BULLET))
    report = build_review(settings, DAY_DATE)
    assert report.state == "edited"
    assert report.flags == [] and report.blockers == [] and report.exit_code == 0
    lines = DRAFT.split("\n")
    assert lines[16] == f"- {BAD_BULLET}"  # line 17: one line of context either side
    assert report.diff == ("--- previous\n+++ current\n@@ -16,3 +16,3 @@\n"
                           f" {lines[15]}\n-- {BAD_BULLET}\n+- {GOOD_BULLET}\n {lines[17]}\n")
    done = aidaily("review", DAY)
    assert done.code == 0 and f"ready to publish: aidaily publish {DAY}" in done.out, done.output


def test_unified_diff_keeps_line_ends_and_one_line_of_context() -> None:
    old = "a\nb\nc\nd\ne\n"
    assert unified_diff(old, old.replace("c", "C"), "old", "new") == (
        "--- old\n+++ new\n@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n")
    assert unified_diff(old, old, "old", "new") == ""


def test_a_lint_error_blocks_publishing_and_findings_come_in_line_order(home: Path) -> None:
    commentary = "- 谁掌握电力，谁就掌握下一轮入场券，Anthropic 也一样"  # a name no source has
    draft = (DRAFT.replace(BAD_BULLET, GOOD_BULLET).replace(REPEATED, f"{REPEATED}\n{REPEATED}")
             .replace("- 谁掌握电力，谁就掌握下一轮模型入场券", f"{commentary}\n{commentary}")
             .replace(f"（[ithome]({BRIEF_URL})）", f"（[ithome]({UNFETCHED})）"))
    settings = build_home(home, draft=draft)
    report = build_review(settings, DAY_DATE)
    path = str(settings.drafts_dir / f"{DAY}.md")
    # the sources' check (a name no source has: a warning) among the draft's own findings,
    # by line, an error before a warning of the same line
    assert [(f.line, f.severity, f.code) for f in report.lint] == [
        (1, "warning", "missing-key"), (8, "warning", "draft"), (22, "warning", "commentary-unsourced-name"),
        (23, "error", "repeated-bullet"), (23, "warning", "commentary-unsourced-name"),
        (30, "error", "repeated-bullet")]
    assert report.flags == [] and report.unfetched_links == [UNFETCHED]  # a warning, not a blocker
    assert report.blockers == [
        f"{path}:23: error [repeated-bullet] bullet repeats bullet 2 of the same block: merge them",
        f"{path}:30: error [repeated-bullet] bullet repeats bullet 2 of the same block: merge them"]
    assert report.exit_code == 1


def test_a_draft_that_does_not_parse_is_blocked_by_its_lint_error_alone(home: Path) -> None:
    settings = build_home(home, draft=DRAFT.replace("---\n# GW", "# GW"))
    report = build_review(settings, DAY_DATE)
    path = str(settings.drafts_dir / f"{DAY}.md")
    assert report.blockers == [f"{path}:16: error [front-matter-invalid] front matter is not valid YAML: "
                               "could not find expected ':'"]
    assert report.exit_code == 1
    assert report.flags == [] and report.placeholders == [] and report.restatements == []
    assert report.notices == ["a notice for the editor"]  # the record is read all the same


def test_a_missing_draft_blocks_with_nothing_else_to_say(home: Path) -> None:
    settings = build_home(home)
    report = build_review(settings, date(2026, 1, 20))
    assert report.state == "missing" and report.blockers == [] and report.exit_code == 1
    assert report.draft_path == str(settings.drafts_dir / "2026-01-20.md")
    assert report.notices == [] and report.llm is None


EARLIER = {"story_id": "s2", "title": "xAI 超算", "url": "https://x.example/2", "earlier_day": "2026-01-17",
           "earlier_title": "xAI 官宣 Colossus 2", "earlier_url": "https://x.example/old",
           "new_facts": ["功率 1 GW", 2], "earlier_post": "output/ai-daily-2026-01-17.md"}


def test_the_record_s_memory_left_out_and_counts_are_read_and_what_is_not_a_record_is_skipped(home: Path) -> None:
    settings = build_home(home)
    write_record(settings,
                 covered=[EARLIER, "not a story", {"title": "只有标题"}],
                 follow_ups=[{**EARLIER, "new_facts": "not a list"}],
                 left_out=[{"story_id": "s7", "title": "边缘", "url": "https://x.example/7", "reason": "borderline",
                            "detail": "no model judged it"}, 7, {"title": "只有标题"}],
                 counts={"not_ai": 12},
                 notices=["kept", 3, None],
                 llm={"sent": 3, "cached": "many", "failed": 2, "tokens_in": 10.0, "cost_usd": 1},
                 dropped=[{"title": "丢掉的"}, "s3", {"story_id": "s4"}],
                 failed_sources=[{"error": "HTTP 500"}, None, {"source": "rss"}])
    report = build_review(settings, DAY_DATE)
    assert report.covered == [
        EarlierStory("s2", "xAI 超算", "https://x.example/2", "2026-01-17", "xAI 官宣 Colossus 2",
                     "https://x.example/old", ["功率 1 GW", "2"], "output/ai-daily-2026-01-17.md"),
        EarlierStory("", "只有标题", "", "", "", "", [], ""),
    ]
    assert report.follow_ups == [EarlierStory("s2", "xAI 超算", "https://x.example/2", "2026-01-17",
                                              "xAI 官宣 Colossus 2", "https://x.example/old", [],
                                              "output/ai-daily-2026-01-17.md")]
    assert report.left_out == [LeftOut("s7", "边缘", "https://x.example/7", "borderline", "no model judged it"),
                               LeftOut("", "只有标题", "", "", "")]
    assert report.not_ai == 12
    assert report.notices == ["kept"]
    assert report.llm == LLMUsage(sent=3, cached=0, failed=2, tokens_in=10, tokens_out=0, cost_usd=1.0)
    assert report.dropped == [DroppedStory("", "丢掉的", ""), DroppedStory("s4", "", "")]
    assert report.failed_sources == [SourceFailure("", "HTTP 500"), SourceFailure("rss", "")]


def test_counts_that_are_not_a_number_say_nothing(home: Path) -> None:
    settings = build_home(home)
    for counts in ({"not_ai": "12"}, [12], {"other": 1}):
        write_record(settings, counts=counts, llm=[1, 2])
        report = build_review(settings, DAY_DATE)
        assert report.not_ai is None and report.llm is None, counts


def test_lint_in_the_review_uses_the_house_habits_of_the_config(home: Path) -> None:
    (home / "aidaily.toml").write_text("[digest]\ntitle_chars = [10, 20]\n", encoding="utf-8")
    settings = build_home(home)
    report = build_review(settings, DAY_DATE)
    assert [(f.line, f.code, f.message) for f in report.lint if f.code == "title-length"] == [
        (2, "title-length", "title has 24 characters; the house uses 10–20")]


def test_a_draft_without_a_record_or_with_a_damaged_one_is_reviewed_on_its_own(home: Path) -> None:
    settings = build_home(home)
    write_record(settings, notices="a string, not a list")
    assert build_review(settings, DAY_DATE).notices == []  # not one notice per character
    (settings.drafts_dir / f"{DAY}.review.json").unlink()  # a draft written by hand has none
    report = build_review(settings, DAY_DATE)
    assert (report.notices, report.dropped, report.failed_sources, report.llm) == ([], [], [], None)
    assert report.blockers == [FLAG] and report.exit_code == 1


def test_a_bullet_only_the_weakly_merged_article_supports_is_listed(home: Path, aidaily: Cli) -> None:
    """A story the day's grouping joined on lowered evidence (``stories.dedup.weak_pair``):
    a bullet under its item that only the *other* article supports is grounded, and listed
    as weak support (a warning: it does not block), naming the article that supports it."""
    from datetime import datetime

    from aidaily.models import Article
    from aidaily.store.store import Store
    from tests.factories import EVIL_URL, SHANGHAI

    other_url = "https://www.qbitai.com/2026/01/370310.html"
    other = Article(url=other_url, source="qbitai", title="Cursor 用智能体集群写浏览器",
                    text="Cursor 团队透露，这次实验共消耗约 30 亿个 token。",
                    published=datetime(2026, 1, 18, 14, 0, tzinfo=SHANGHAI), origin="量子位", ai_relevant=True)
    bullet = "实验共消耗约 30 亿个 token"
    settings = build_home(home, draft=DRAFT.replace("- 交付 300 万行代码的浏览器 FastRender",
                                                    f"- 交付 300 万行代码的浏览器 FastRender\n- {bullet}"))
    store = Store.from_settings(settings)
    store.upsert_articles([other])
    store.set_story_ids({EVIL_URL: "s-cursor", other_url: "s-cursor"})
    report = json.loads(aidaily("review", DAY, "--json").out)
    assert [(f["bullet"], f["supported_by"], f["weak_merge"]) for f in report["weak_support"]] == [
        (bullet, other_url, True)]
    assert report["blockers"] == [FLAG]  # the weak support warns; only the bad figure blocks
