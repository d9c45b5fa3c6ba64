"""Lint at the edges of its two counted rules, on the reference issue (17 stories; its
first item has 3 fact bullets):

- the summary may have as many lines as the issue has stories (items + one-liners), not
  one more (a warning);
- an item may have up to 4 fact bullets (the default ``[digest]`` habit, 2-4); a fifth is
  a warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aidaily.format.lint import lint_text

REFERENCE = Path(__file__).parent / "fixtures" / "digests" / "ai-daily-2026-01-19.md"
NAME = "ai-daily-2026-01-19.md"
STORIES = 17
FIRST_ITEM_LINE = 16
LAST_BULLET = "- 美国电网运营商 PJM 警告"


@pytest.fixture(scope="module")
def reference() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def findings(text: str, code: str) -> list[tuple[str, int, str]]:
    return [(f.severity, f.line, f.message) for f in lint_text(text, NAME) if f.code == code]


def with_summary(reference: str, lines: int) -> str:
    summary = "\\n".join(f"- 第 {i} 条" for i in range(lines))
    return "\n".join(f'summary: "{summary}"' if ln.startswith("summary:") else ln
                     for ln in reference.split("\n"))


def test_a_summary_as_long_as_the_issue_is_fine(reference: str) -> None:
    assert findings(with_summary(reference, STORIES), "summary-too-long") == []
    assert findings(with_summary(reference, 1), "summary-too-long") == []


def test_a_summary_one_line_longer_than_the_issue_is_a_warning(reference: str) -> None:
    assert findings(with_summary(reference, STORIES + 1), "summary-too-long") == [
        ("warning", 8, f"summary has {STORIES + 1} lines but the issue has only {STORIES} stories")]


def with_bullets(reference: str, count: int) -> str:
    """The reference with ``count`` fact bullets under its first item (it has 3)."""
    lines = reference.split("\n")
    first = FIRST_ITEM_LINE  # 0-based index of the item's first bullet
    assert lines[first + 2].startswith(LAST_BULLET) and not lines[first + 3].startswith("- ")
    bullets = lines[first:first + 3] + [f"- 补充事实第 {i} 条，来自原文" for i in range(count - 3)]
    return "\n".join(lines[:first] + bullets[:count] + lines[first + 3:])


@pytest.mark.parametrize("bullets", [1, 2, 3, 4])
def test_up_to_four_fact_bullets_are_no_warning(reference: str, bullets: int) -> None:
    text = with_bullets(reference, bullets)
    assert len(text.split("\n")) == len(reference.split("\n")) + bullets - 3
    assert findings(text, "many-bullets") == []


@pytest.mark.parametrize("bullets", [5, 6])
def test_a_fifth_fact_bullet_is_a_warning(reference: str, bullets: int) -> None:
    text = with_bullets(reference, bullets)
    assert findings(text, "many-bullets") == [
        ("warning", FIRST_ITEM_LINE, f"item has {bullets} fact bullets (the house: 2–4)")]
    assert [f for f in lint_text(text, NAME) if f.severity == "error"] == []


LONG_TITLE = "特斯拉 AI5 芯片“接近完成”，AI6 已启动，马斯克称每 9 个月完成一代芯片设计，目标年产百万颗"  # > 40 characters
ITEM = "[特斯拉 AI5 芯片“接近完成”，AI6 已启动](https://www.ithome.com/0/914/178.htm)"


@pytest.mark.parametrize(("link", "code", "said"), [
    (f"[{LONG_TITLE}]()", "item-no-url", "has no URL"),
    (f"[{LONG_TITLE}](https://www.ithome.com/0/914/178.htm)", "item-no-bullets", "has no fact bullet"),
])
def test_an_item_is_named_by_the_first_40_characters_of_its_title(
        reference: str, link: str, code: str, said: str) -> None:
    lines = reference.split("\n")
    at = lines.index(ITEM)
    lines[at] = link
    if code == "item-no-bullets":
        while lines[at + 1].startswith("- "):
            del lines[at + 1]
    assert [(f.severity, f.line, f.message) for f in lint_text("\n".join(lines), NAME) if f.code == code] == [
        ("error", at + 1, f"item '{LONG_TITLE[:40]}' {said}")]


def test_a_commentary_placeholder_is_a_warning_at_its_block(reference: str) -> None:
    lines = reference.split("\n")
    block = next(i for i, ln in enumerate(lines) if ln.startswith("**深度解读"))
    lines[block + 1] = "- 【待编辑补充】本期主线"
    found = [(f.severity, f.line, f.code, f.message) for f in lint_text("\n".join(lines), NAME)
             if f.code == "placeholder"]
    assert found == [("warning", block + 1, "placeholder", "commentary is still a placeholder for the editor")]
