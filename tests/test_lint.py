"""Lint: the reference is clean; each kind of damage gives a precise error."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidaily.format.lint import has_errors, lint_text

REFERENCE = Path(__file__).parent / "fixtures" / "digests" / "ai-daily-2026-01-19.md"
NAME = "ai-daily-2026-01-19.md"


@pytest.fixture(scope="module")
def reference() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def errors(text: str, name: str = NAME) -> list[tuple[str, int, str]]:
    return [(f.code, f.line, f.message) for f in lint_text(text, name) if f.severity == "error"]


def warnings(text: str, name: str = NAME) -> list[tuple[str, int, str]]:
    return [(f.code, f.line, f.message) for f in lint_text(text, name) if f.severity == "warning"]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def test_reference_has_no_errors(reference: str) -> None:
    findings = lint_text(reference, NAME)
    assert not has_errors(findings)
    # The reference's own quirks are warnings only: two one-liners close with ")",
    # and ai.hubtoday.app's front page is cited twice.
    assert {f.code for f in findings} == {"brief-close", "duplicate-link"}


def test_front_matter_missing(reference: str) -> None:
    body = reference.split("---\n", 2)[2]
    assert errors(body) == [("front-matter-missing", 1, "front matter missing: the file must start with a '---' line")]


def test_front_matter_unparsable(reference: str) -> None:
    broken = reference.replace('tags: ["AI","AI 日报"]', 'tags: ["AI","AI 日报"')
    [(code, line, message)] = errors(broken)
    assert code == "front-matter-invalid" and line in (5, 6) and "not valid YAML" in message


@pytest.mark.parametrize("key", ["title", "date", "category", "tags"])
def test_missing_required_key(reference: str, key: str) -> None:
    lines = [ln for ln in reference.split("\n") if not ln.startswith(f"{key}:")]
    found = errors("\n".join(lines))
    assert ("missing-key", 1, f"front matter has no '{key}' key") in found


@pytest.mark.parametrize("key", ["summary", "seo", "coverImage"])
def test_missing_recommended_key_is_a_warning(reference: str, key: str) -> None:
    # The house's first issues (2025-12-13, -14) have no summary.
    text = "\n".join(ln for ln in reference.split("\n") if not ln.startswith(f"{key}:"))
    assert errors(text) == []
    assert ("missing-key", 1, f"front matter has no '{key}' key") in warnings(text)


@pytest.mark.parametrize("value", ["2026-02-30", "2026/01/19", "tomorrow"])
def test_date_not_a_real_date(reference: str, value: str) -> None:
    found = errors(reference.replace("date: 2026-01-19", f"date: {value}"))
    assert found == [("bad-date", 3, f"date '{value}' is not a real YYYY-MM-DD date")]


def test_date_not_matching_file_name(reference: str) -> None:
    found = errors(reference, "ai-daily-2026-01-20.md")
    assert found == [("date-mismatch", 3, "date 2026-01-19 does not match the file name's date 2026-01-20")]


def test_item_without_url(reference: str) -> None:
    damaged = reference.replace(
        "[特斯拉 AI5 芯片“接近完成”，AI6 已启动](https://www.ithome.com/0/914/178.htm)",
        "特斯拉 AI5 芯片“接近完成”，AI6 已启动",
    )
    line = line_of(damaged, "特斯拉 AI5 芯片“接近完成”")
    assert errors(damaged) == [("item-no-url", line, "item '特斯拉 AI5 芯片“接近完成”，AI6 已启动' has no [headline](url) link")]


def test_item_with_empty_url(reference: str) -> None:
    damaged = reference.replace("(https://www.ithome.com/0/914/178.htm)", "()")
    line = line_of(damaged, "[特斯拉 AI5")
    assert errors(damaged) == [("item-no-url", line, "item '特斯拉 AI5 芯片“接近完成”，AI6 已启动' has no URL")]


def test_item_with_a_blank_url_is_one_error(reference: str) -> None:
    # "( )" is a link with an empty target, not a headline without a link: one finding
    damaged = reference.replace("(https://www.ithome.com/0/914/178.htm)", "( )")
    line = line_of(damaged, "[特斯拉 AI5")
    assert errors(damaged) == [("bad-url", line, "link '(empty)' is not an http(s) URL")]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://www.ithome.com/0/914/178.htm", "www.ithome.com/0/914/178.htm"])
def test_item_with_non_http_url(reference: str, url: str) -> None:
    damaged = reference.replace("https://www.ithome.com/0/914/178.htm", url)
    line = line_of(damaged, "[特斯拉 AI5")
    assert errors(damaged) == [("bad-url", line, f"item URL '{url}' is not an http(s) URL")]


def test_item_without_fact_bullet(reference: str) -> None:
    damaged = reference.replace("- 一次集成，可无缝切换 GPT/Claude/Gemini 等后端\n", "")
    line = line_of(damaged, "[OpenAI 发布通用 API 标准")
    assert errors(damaged) == [("item-no-bullets", line, "item 'OpenAI 发布通用 API 标准，统一大模型接口' has no fact bullet")]


def test_empty_commentary_block(reference: str) -> None:
    start = reference.index("- 9 个月迭代节奏")
    end = reference.index("\n\n", start)
    damaged = reference[:start] + reference[end + 2 :]  # the block's bullets gone
    line = line_of(damaged, "[Cursor 让数百个") - 3
    assert errors(damaged) == [("empty-insight", line, "'深度解读 & 洞察' block has nothing in it")]


def test_commentary_as_paragraphs_is_not_empty(reference: str) -> None:
    # The house's layout since February: the commentary is prose under the label.
    text = reference.replace("**深度解读 & 洞察：**\n- 9 个月迭代节奏", "**深度解读 & 洞察：**\n\n9 个月迭代节奏")
    assert errors(text) == []


def test_empty_summary(reference: str) -> None:
    lines = ['summary: ""' if ln.startswith("summary:") else ln for ln in reference.split("\n")]
    assert errors("\n".join(lines)) == [("empty-summary", 8, "summary is empty")]


def test_summary_longer_than_the_issue(reference: str) -> None:
    extra = "\\n".join(f"- 第 {i} 条" for i in range(20))
    lines = [f'summary: "{extra}"' if ln.startswith("summary:") else ln for ln in reference.split("\n")]
    text = "\n".join(lines)
    assert errors(text) == []
    assert ("summary-too-long", 8, "summary has 20 lines but the issue has only 17 stories") in warnings(text)


def test_duplicate_links(reference: str) -> None:
    damaged = reference.replace("https://www.ithome.com/0/914/178.htm", "https://www.qbitai.com/2026/01/370077.html")
    line = line_of(damaged, "[特斯拉 AI5")
    # The house links one article twice now and then (2026-04-03): a warning, not damage.
    assert errors(damaged) == []
    assert ("duplicate-link", line, "https://www.qbitai.com/2026/01/370077.html is linked twice (first on line 16)") in warnings(damaged)


@pytest.mark.parametrize("html", ["<script>alert(1)</script>", '<img src=x onerror="alert(1)">', "<br/>"])
def test_raw_html_outside_footer(reference: str, html: str) -> None:
    damaged = reference.replace("- 马斯克目标：9 个月", f"- {html}马斯克目标：9 个月")
    line = line_of(damaged, "马斯克目标")
    found = errors(damaged)
    assert [(code, ln) for code, ln, _ in found] == [("raw-html", line)]


def test_text_with_angle_brackets_is_not_html(reference: str) -> None:
    text = reference.replace("- 马斯克目标：9 个月", "- 延迟 <10ms，a<b 且 c>d，马斯克目标：9 个月")
    assert errors(text) == []


def test_html_in_inline_code_is_text(reference: str) -> None:
    text = reference.replace("- 马斯克目标：9 个月", "- 新增 `<canvas>` 渲染，马斯克目标：9 个月")
    assert errors(text) == []


def test_warnings_do_not_fail(reference: str) -> None:
    text = reference.replace("title: GW 级超算与百万行浏览器：AI 边际成本归零日", "title: 短标题")
    findings = lint_text(text, NAME)
    assert not has_errors(findings)
    assert any(f.code == "title-length" for f in findings)
