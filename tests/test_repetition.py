"""No repetition within an issue: bullets that say the same thing are merged in every
mode, and lint calls a repeated bullet or a story linked twice an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.config import Settings
from aidaily.editor.assemble import Finalized, ItemText, Written, assemble
from aidaily.editor.extractive import extractive_item, extractive_plan
from aidaily.format.digest import Insight, Item
from aidaily.format.lint import lint_text
from aidaily.format.parse import parse
from aidaily.format.render import render
from aidaily.models import Article, Story
from aidaily.text import distinct_lines, repeats
from tests.factories import DAY, DAY_DATE, fetch_fixture_day, make_stories


def repeated_bullets(entry: Item | Insight) -> list[str]:
    texts = [b.text for b in entry.bullets]
    return [b for i, b in enumerate(texts) if any(repeats(b, a) for a in texts[:i])]


# --- the one definition -----------------------------------------------------------------


@pytest.mark.parametrize(("a", "b", "same"), [
    ("马斯克表示特斯拉 AI5 芯片接近完成", "马斯克表示，特斯拉AI5芯片接近完成。", True),
    ("特斯拉 AI5 芯片接近完成", "马斯克表示特斯拉 AI5 芯片接近完成，AI6 已在设计", True),
    ("OpenAI 发布 GPT-5", "openai 发布 gpt 5", True),
    ("功率 1 GW", "已部署 55 万张 GPU", False),
    ("", "任何内容", False),
])
def test_repeats_ignores_spaces_punctuation_and_case(a: str, b: str, same: bool) -> None:
    assert repeats(a, b) is same
    assert repeats(b, a) is same


def test_distinct_lines_keeps_the_longer_line_at_the_first_place() -> None:
    lines = ["特斯拉 AI5 芯片接近完成", "功率 1 GW", "马斯克表示，特斯拉 AI5 芯片接近完成。", "功率 1 GW"]
    assert distinct_lines(lines) == ["马斯克表示，特斯拉 AI5 芯片接近完成。", "功率 1 GW"]
    assert distinct_lines(["甲乙", "丙丁"]) == ["甲乙", "丙丁"]


# --- the drafts -------------------------------------------------------------------------


def test_extractive_item_drops_a_lead_the_body_says_again() -> None:
    lead = "IT之家 1 月 19 日消息，小米发布了新款 AI 眼镜，售价 1999 元"
    story = Story(id="s", articles=[Article(
        url="https://www.ithome.com/0/1/1.htm", source="ithome", title="小米发布新款 AI 眼镜",
        text=f"{lead}。\n小米发布了新款 AI 眼镜，售价 1999 元。\n眼镜重 40 克，续航 8 小时。\n首批 10 万台。",
    )])
    facts = extractive_item(story).facts
    assert len(facts) >= 2
    assert distinct_lines(facts) == facts


def test_model_bullets_that_repeat_are_merged_in_the_draft() -> None:
    stories = make_stories()
    by_id = {s.id: s for s in stories}
    plan = extractive_plan(stories, Settings())
    written = Written()
    for sid in plan.main_ids:
        written.items[sid] = ItemText(headline=by_id[sid].title, facts=[
            "英伟达发布新 GPU", "英伟达发布新 GPU。", "功率 1 GW，英伟达发布新 GPU", "价格 3 万美元"])
    for section in plan.sections:
        for group in section.groups:
            if group.commentary:
                written.commentary[tuple(group.story_ids)] = ["行业意义：算力更贵", "行业意义：算力更贵！"]
    final = Finalized(title="标题", headline="头条", summary=["一"], seo=["AI"])
    text = render(assemble(DAY_DATE, plan, written, final, by_id, Settings()))
    digest = parse(text)
    assert digest.items
    for item in digest.items:
        assert [b.text for b in item.bullets] == ["功率 1 GW，英伟达发布新 GPU", "价格 3 万美元"]
    insights = [i for s in digest.sections for i in s.insights]
    assert insights and all(len(i.bullets) == 1 for i in insights)
    assert "repeated-bullet" not in {f.code for f in lint_text(text, f"{DAY}.md")}


def test_the_fixture_day_extractive_draft_repeats_no_bullet(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real pages (ithome repeats its lead in the body): no item of the draft
    repeats a fact bullet, and lint finds no repetition."""
    (home / "aidaily.toml").write_text("[fetch]\nper_host_delay = 0.0\nretries = 0\n", encoding="utf-8")
    code, out = fetch_fixture_day(monkeypatch)
    assert code in (0, 2), out
    written = CliRunner().invoke(app, ["write", "--date", DAY])
    assert written.exit_code in (0, 2), written.output
    text = (home / "output" / "drafts" / f"{DAY}.md").read_text("utf-8")
    digest = parse(text)
    assert len(digest.items) >= 10
    for item in digest.items:
        assert not repeated_bullets(item), item.title
    codes = {f.code for f in lint_text(text, f"{DAY}.md")}
    assert "repeated-bullet" not in codes and "duplicate-link" not in codes


# --- lint -------------------------------------------------------------------------------


DRAFT = """---
title: 标题
date: 2026-01-19
---

# 标题

## 头条

### 芯片：算力之争

[英伟达发布新 GPU](https://www.ithome.com/0/1/1.htm)
- 英伟达发布新 GPU，功率 1 GW
- 英伟达发布新GPU，功率1GW。

[另一条新闻](https://www.ithome.com/0/1/1.htm?utm_source=x)
- 价格 3 万美元
- 首批 10 万台

**深度解读 & 洞察：**
- 行业意义：算力更贵
- 行业意义：算力更贵！
"""


def test_lint_errors_on_a_repeated_bullet_and_a_story_linked_twice() -> None:
    findings = lint_text(DRAFT, "2026-01-19.md")
    errors = [(f.code, f.line) for f in findings if f.severity == "error"]
    lines = DRAFT.splitlines()
    repeated = [line for code, line in errors if code == "repeated-bullet"]
    assert [lines[n - 1].strip() for n in repeated] == ["- 英伟达发布新GPU，功率1GW。", "- 行业意义：算力更贵！"]
    # One article under two headlines: the house does it (2026-04-03, 2026-02-24), so
    # lint warns and leaves the editor to judge (issue 18).
    assert not any(code == "duplicate-link" for code, _ in errors)
    assert any(f.code == "duplicate-link" and f.severity == "warning" for f in findings)


def test_lint_accepts_distinct_bullets() -> None:
    text = DRAFT.replace("- 英伟达发布新GPU，功率1GW。\n", "- 售价 3 万美元\n").replace(
        "- 行业意义：算力更贵！\n", "- 对创业者：机会在推理\n").replace("?utm_source=x", "2")
    codes = {f.code for f in lint_text(text, "2026-01-19.md") if f.severity == "error"}
    assert "repeated-bullet" not in codes and "duplicate-link" not in codes
