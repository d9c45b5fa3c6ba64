"""Lint, finding by finding: the exact severity, line, code and message each kind of
damage to a real issue gives (the reference, ``tests/fixtures/digests``, and issues of
the archive, ``tests/fixtures/aidaily``), and the order an editor reads them in.
Mutation testing of ``aidaily/format/lint.py`` (issue 21) showed which of them no test
looked at."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidaily.format.lint import has_errors, lint_text

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = FIXTURES / "digests" / "ai-daily-2026-01-19.md"
NAME = "ai-daily-2026-01-19.md"
SUMMARY = next(ln for ln in REFERENCE.read_text(encoding="utf-8").split("\n") if ln.startswith("summary:"))
TITLE = "title: GW 级超算与百万行浏览器：AI 边际成本归零日"  # 23 characters, line 2
# The reference's own three warnings (its last two one-liners close with ")").
QUIRKS = [
    ("warning", 110, "brief-close", "one-liner closes with ')' instead of '）'"),
    ("warning", 111, "brief-close", "one-liner closes with ')' instead of '）'"),
    ("warning", 111, "duplicate-link", "site front page https://ai.hubtoday.app/ linked again (first on line 50)"),
]


@pytest.fixture(scope="module")
def reference() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def found(text: str, name: str | None = NAME) -> list[tuple[str, int, str, str]]:
    return [(f.severity, f.line, f.code, f.message) for f in lint_text(text, name)]


def archive(day: str) -> str:
    return (FIXTURES / "aidaily" / f"ai-daily-{day}.md").read_text(encoding="utf-8")


def shifted(by: int) -> list[tuple[str, int, str, str]]:
    """The reference's quirks with ``by`` lines added above them (and above line 50)."""
    return [(s, line + by, code, message.replace("line 50", f"line {50 + by}")) for s, line, code, message in QUIRKS]


def in_order(findings: list[tuple[str, int, str, str]]) -> list[tuple[str, int, str, str]]:
    """As lint sorts them: by line, errors first, then by rule."""
    return sorted(findings, key=lambda f: (f[1], f[0] != "error", f[2]))


def test_the_reference_lints_to_its_three_warnings_named_by_file(reference: str) -> None:
    assert [f.format() for f in lint_text(reference, f"posts/{NAME}")] == [
        f"posts/{NAME}:110: warning [brief-close] one-liner closes with ')' instead of '）'",
        f"posts/{NAME}:111: warning [brief-close] one-liner closes with ')' instead of '）'",
        f"posts/{NAME}:111: warning [duplicate-link] site front page https://ai.hubtoday.app/ linked again "
        "(first on line 50)",
    ]
    assert [f.path for f in lint_text(reference)] == ["", "", ""]


def test_findings_come_by_line_errors_first_then_by_rule() -> None:
    assert found("---\ntitle: 短\n---\n", None) == [
        ("error", 1, "missing-key", "front matter has no 'date' key"),
        ("error", 1, "missing-key", "front matter has no 'category' key"),
        ("error", 1, "missing-key", "front matter has no 'tags' key"),
        ("warning", 1, "missing-key", "front matter has no 'summary' key"),
        ("warning", 1, "missing-key", "front matter has no 'seo' key"),
        ("warning", 1, "missing-key", "front matter has no 'coverImage' key"),
        ("warning", 1, "no-footer", "no '---' footer block"),
        ("warning", 1, "no-other-news", "no '### 其他动态' section"),
        ("warning", 1, "no-story", "the issue has no story"),
        ("warning", 1, "no-title", "the body has no '# title' line"),
        ("warning", 2, "title-length", "title has 1 characters; the house uses 19–39"),
    ]


def test_has_errors_is_about_errors_only(reference: str) -> None:
    findings = lint_text(reference, NAME)
    assert findings and not has_errors(findings)
    assert has_errors(lint_text(reference.replace("date: 2026-01-19", "date: 2026-13-01"), NAME))
    assert not has_errors([])


@pytest.mark.parametrize(("before", "after", "finding"), [
    ('tags: ["AI","AI 日报"]', "tags: AI", ("error", 5, "bad-value", "'tags' must be a list")),
    ('seo: ["AI 日报","最新 AI 咨询","OpenAI","Anthropic Claude","Google Gemini","xAI Grok","Nvidia"]',
     "seo: AI 日报", ("error", 6, "bad-value", "'seo' must be a list")),
    (TITLE, 'title: ""', ("error", 2, "bad-value", "'title' is empty")),
    (TITLE, "title: '   '", ("error", 2, "bad-value", "'title' is empty")),
    (TITLE, "title:", ("error", 2, "bad-value", "'title' is empty")),
    (TITLE, "title: 2026", ("error", 2, "bad-value", "'title' must be text, not a number (2026); quote it")),
    (TITLE, "title: 0.5", ("error", 2, "bad-value", "'title' must be text, not a number (0.5); quote it")),
    (TITLE, "title: yes", ("error", 2, "bad-value", "'title' must be text, not a true/false (True); quote it")),
    (TITLE, "title: [AI, 日报]", ("error", 2, "bad-value", "'title' must be text, not a list (['AI', '日报']); quote it")),
    (TITLE, "title: {a: 1}", ("error", 2, "bad-value", "'title' must be text, not a mapping ({'a': 1}); quote it")),
    (TITLE, "title: [AI 日报, 英伟达, 谷歌, OpenAI, Anthropic, 月之暗面]",  # the value shown is cut at 40 characters
     ("error", 2, "bad-value", "'title' must be text, not a list (['AI 日报', '英伟达', '谷歌', 'OpenAI', 'Anthro); quote it")),
    ('"Nvidia"]', '"Nvidia","这是一个完整的句子，不是关键词。"]',
     ("warning", 6, "seo-not-keyword", "seo entry “这是一个完整的句子，不是关键词。” is not a keyword: it has punctuation")),
    ("category: AI 日报", "category: AI 日报\ndraft: true", ("warning", 5, "draft", "draft marker is set")),
    ("date: 2026-01-19", "date:", ("error", 3, "bad-date", "date '' is not a real YYYY-MM-DD date")),
    ("date: 2026-01-19", "date: 2026-1-19", ("error", 3, "bad-date", "date '2026-1-19' is not a real YYYY-MM-DD date")),
    ("date: 2026-01-19", "date : 2026-02-30", ("error", 3, "bad-date", "date '2026-02-30' is not a real YYYY-MM-DD date")),
    (SUMMARY, 'summary : ""', ("error", 8, "empty-summary", "summary is empty")),
    ("date: 2026-01-19", "date: 2026-01-19x", ("error", 3, "bad-date", "date '2026-01-19x' is not a real YYYY-MM-DD date")),
])
def test_front_matter_damage(reference: str, before: str, after: str, finding: tuple[str, int, str, str]) -> None:
    assert before in reference
    assert found(reference.replace(before, after)) == in_order(
        [finding, *shifted(after.count("\n"))])


def test_a_draft_marker_set_to_false_is_no_finding(reference: str) -> None:
    assert found(reference.replace("category: AI 日报", "category: AI 日报\ndraft: false")) == shifted(1)


@pytest.mark.parametrize(("length", "warned"), [(18, True), (19, False), (39, False), (40, True)])
def test_the_title_length_the_house_uses(reference: str, length: int, warned: bool) -> None:
    title = ("超算" * 20)[:length]
    findings = [f for f in found(reference.replace(TITLE, f"title: {title}")) if f[2] == "title-length"]
    assert findings == ([("warning", 2, "title-length", f"title has {length} characters; the house uses 19–39")]
                        if warned else [])


@pytest.mark.parametrize("path", [
    "ai-daily-2026-01-19.md", "2026-01-20/ai-daily-2026-01-19.md", "notes.md", "posts/draft.md", None])
def test_only_the_file_names_date_is_compared(reference: str, path: str | None) -> None:
    assert found(reference, path) == QUIRKS


def test_a_date_in_the_file_name_that_differs_is_an_error(reference: str) -> None:
    assert found(reference, "2026-01-19/ai-daily-2026-01-18.md")[0] == (
        "error", 3, "date-mismatch", "date 2026-01-19 does not match the file name's date 2026-01-18")


# Issues of the archive: their exact findings (warnings only: the house published them).
ARCHIVE_FINDINGS = {
    # The series' first layout: "## [headline](url)" stories right under the title.
    "2025-12-13": [("warning", 1, "missing-key", "front matter has no 'summary' key"),
                   ("warning", 2, "title-length", "title has 49 characters; the house uses 19–39")],
    "2025-12-14": [("warning", 1, "missing-key", "front matter has no 'summary' key"),
                   ("warning", 34, "duplicate-link",
                    "https://www.qbitai.com/2025/12/360539.html is linked twice (first on line 15)")],
    "2025-12-16": [("warning", 1, "no-other-news", "no '### 其他动态' section"),
                   ("warning", 2, "title-length", "title has 13 characters; the house uses 19–39")],
    # "## theme" sections right above their "### [headline](url)" stories are not empty.
    "2025-12-24": [("warning", 2, "title-length", "title has 16 characters; the house uses 19–39")],
    "2026-02-02": [("warning", 1, "no-other-news", "no '### 其他动态' section"),
                   *[("warning", line, "many-bullets", "item has 5 fact bullets (the house: 2–4)")
                     for line in (74, 91)],
                   *[("warning", line, "duplicate-link",
                      "site front page https://ai.hubtoday.app/ linked again (first on line 14)")
                     for line in (106, 132, 138, 153)],
                   ("warning", 159, "many-bullets", "item has 5 fact bullets (the house: 2–4)"),
                   *[("warning", line, "duplicate-link",
                      "site front page https://ai.hubtoday.app/ linked again (first on line 14)")
                     for line in (167, 172, 177)]],
    # "### headline" one-liners under "## 更多动态" are stories, not empty sections.
    "2026-02-10": [],
    # A prose line with bullets under it below "### [headline](url)" stories: a list in a
    # story, not a headline that lost its link (that is only among bare "[headline](url)" lines).
    "2026-02-16": [("warning", 2, "title-length", "title has 17 characters; the house uses 19–39"),
                   ("warning", 111, "duplicate-link",
                    "https://www.ithome.com/0/922/007.htm is linked twice (first on line 31)"),
                   *[("warning", line, "duplicate-link",
                      "site front page https://ai.hubtoday.app/ linked again (first on line 189)")
                     for line in (190, 191, 193, 194, 195, 198)]],
    # "## theme" above a last "### 更多动态" section that holds the one-liners.
    "2026-05-01": [],
    # June's layout: "### headline", then a bare "[链接](url)" line with a paragraph under
    # it and no bullet: a story told by its lead.
    "2026-06-23": [("warning", 1, "no-other-news", "no '### 其他动态' section"),
                   ("warning", 2, "title-length", "title has 17 characters; the house uses 19–39")],
    # A one-line summary over an issue whose only content is not a story.
    "2026-02-13": [("warning", 1, "no-other-news", "no '### 其他动态' section"),
                   ("warning", 1, "no-story", "the issue has no story"),
                   ("warning", 8, "summary-too-long", "summary has 1 lines but the issue has only 0 stories")],
}


@pytest.mark.parametrize("day", sorted(ARCHIVE_FINDINGS))
def test_issues_of_the_archive_give_exactly_their_warnings(day: str) -> None:
    assert found(archive(day), f"ai-daily-{day}.md") == ARCHIVE_FINDINGS[day]


def test_a_top_level_story_linked_again_is_named() -> None:
    text = archive("2025-12-13").replace("https://mp.weixin.qq.com/s/Zk3wBCILM5L14MXm6NGNUg",
                                         "https://www.ithome.com/0/904/327.htm")
    assert found(text, "ai-daily-2025-12-13.md") == [
        *ARCHIVE_FINDINGS["2025-12-13"],
        ("warning", 32, "duplicate-link", "https://www.ithome.com/0/904/327.htm is linked twice (first on line 13)")]


def test_a_top_level_story_without_a_link_target_is_an_error() -> None:
    text = archive("2025-12-13").replace("(https://mp.weixin.qq.com/s/Zk3wBCILM5L14MXm6NGNUg)", "(ftp://x.com/a)")
    assert [f for f in found(text, "ai-daily-2025-12-13.md") if f[0] == "error"] == [
        ("error", 32, "bad-url", "item URL 'ftp://x.com/a' is not an http(s) URL")]


# The seed's layout: bare "[headline](url)" lines with "- " bullets under them.
ANCHOR = "[韩国 AI 订阅支出 803 亿韩元/月，已超 Netflix](https://www.ithome.com/0/914/305.htm)"


def with_block(reference: str, block: str) -> str:
    """The reference with ``block`` (and a blank line) on line 95, above a story."""
    assert reference.split("\n")[94] == ANCHOR
    return reference.replace(ANCHOR, f"{block}\n\n{ANCHOR}")


@pytest.mark.parametrize("block", [
    "特斯拉 AI5 芯片接近完成\n- 马斯克目标：9 个月一代",  # one bullet
    "特斯拉 AI5 芯片接近完成\n- 马斯克目标：9 个月一代\n- AI6 已启动",
    "  特斯拉 AI5 芯片接近完成\n- 马斯克目标：9 个月一代",
    "特斯拉 AI5 芯片接近完成\n  - 马斯克目标：9 个月一代\n  - AI6 已启动",  # indented bullets
    # named by its first 40 characters
    "特斯拉 AI5 芯片“接近完成”，AI6 已启动，马斯克称每 9 个月完成一代芯片设计，目标年产百万颗\n- 马斯克目标",
])
def test_a_headline_that_lost_its_link_among_linked_stories_is_an_error(reference: str, block: str) -> None:
    headline = block.split("\n")[0]
    assert [f for f in found(with_block(reference, block)) if f[0] == "error"] == [
        ("error", 95, "item-no-url", f"item '{headline[:40]}' has no [headline](url) link")]


@pytest.mark.parametrize("block", [
    "（本期完）",  # a line of prose: no bullets under it
    "-x 价格下调\n- 第一条\n- 第二条",
    "*注：以下为摘要*\n- 第一条\n- 第二条",
    "> 引用一句\n- 第一条\n- 第二条",
    "  > 缩进的引用\n- 第一条\n- 第二条",
    "| a | b |\n- 第一条\n- 第二条",
    "![图](https://ssl.aicode.cc/x.png)\n- 第一条\n- 第二条",
    "```text\n- 第一条\n- 第二条",
    "特斯拉 AI5 芯片接近完成\n- 马斯克目标\n另起一段",  # not all bullets
])
def test_other_blocks_among_linked_stories_are_no_headline(reference: str, block: str) -> None:
    assert [f for f in found(with_block(reference, block)) if f[0] == "error"] == []


def test_a_raw_html_block_among_linked_stories_is_html_not_a_headline(reference: str) -> None:
    assert [f[:3] for f in found(with_block(reference, "<span>注</span>\n- 第一条\n- 第二条")) if f[0] == "error"] == [
        ("error", 95, "raw-html"), ("error", 95, "raw-html")]


ONE_LINER = "（[ithome](https://www.ithome.com/0/914/292.htm)）"  # the third, line 109


@pytest.mark.parametrize(("target", "finding"), [
    ("javascript:void", ("error", 109, "bad-url", "one-liner link 'javascript:void' is not http(s)")),
    ("", ("error", 109, "bad-url", "link '(empty)' is not an http(s) URL")),
    ("#top", None),
    ("https://www.ithome.com/0/914/178.htm",
     ("warning", 109, "duplicate-link", "https://www.ithome.com/0/914/178.htm is linked twice (first on line 25)")),
])
def test_a_one_liners_link(reference: str, target: str, finding: tuple[str, int, str, str] | None) -> None:
    text = reference.replace(ONE_LINER, f"（[ithome]({target})）")
    assert found(text) == in_order([*([finding] if finding else []), *QUIRKS])


STORY_URL = "(https://www.ithome.com/0/914/178.htm)"  # line 25


@pytest.mark.parametrize(("target", "errors"), [
    ("#top", []),
    ("#", []),
    ("#top/x", []),
])
def test_a_story_may_link_an_anchor_of_the_page(reference: str, target: str,
                                                errors: list[tuple[str, int, str, str]]) -> None:
    text = reference.replace(STORY_URL, f"({target})")
    assert [f for f in found(text) if f[0] == "error"] == errors


@pytest.mark.parametrize(("link", "shown"), [
    ("ftp://x.com/a", "ftp://x.com/a"),
    ("", "(empty)"),
    ("data:" + "a" * 100, "data:" + "a" * 75),
])
def test_a_link_in_a_bullet(reference: str, link: str, shown: str) -> None:
    text = reference.replace("- 马斯克目标：9 个月", f"- [马斯克]({link})目标：9 个月")
    assert [f for f in found(text) if f[0] == "error"] == [
        ("error", 26, "bad-url", f"link '{shown}' is not an http(s) URL")]


COVER = 'coverImage: "https://ssl.aicode.cc/n8n/2026/01-18/23-31-41-uyv0j9iA.png"'


@pytest.mark.parametrize(("fields", "errors"), [
    ("coverImage: /images/covers/2026-01-19.png", []),
    ('coverImage: ""', []),
    ("coverImage: javascript:" + "x" * 100,
     [("error", 7, "bad-url", f"'coverImage' link 'javascript:{'x' * 69}' is neither an http(s) URL nor a /path on the blog")]),
    ('heroImage: ["https://ssl.aicode.cc/x.png", "file:///etc/passwd", 3]\n' + COVER,
     [("error", 7, "bad-url", "'heroImage' link 'file:///etc/passwd' is neither an http(s) URL nor a /path on the blog")]),
    ('socialLINK: "//evil.example/x"\n' + COVER,
     [("error", 7, "bad-url", "'socialLINK' link '//evil.example/x' is neither an http(s) URL nor a /path on the blog")]),
    ('heroImages: "file:///etc/passwd"\n' + COVER, []),  # not a link key: it does not end so
])
def test_front_matter_links(reference: str, fields: str, errors: list[tuple[str, int, str, str]]) -> None:
    assert [f for f in found(reference.replace(COVER, fields)) if f[0] == "error"] == errors


def test_html_in_the_front_matter_or_the_footer_is_not_raw_html_of_the_body(reference: str) -> None:
    text = reference.replace('summary: "- xAI', 'summary: "- <b>xAI</b>')
    assert found(text) == QUIRKS
    # The footer is HTML; the same markup right above it is raw HTML of the body.
    footer = '<div class="telegram-card">'
    assert [f[:3] for f in found(reference.replace(f"---\n\n{footer}", f"{footer}</div>\n\n---\n\n{footer}"))
            if f[0] == "error"] == [("error", 113, "raw-html")]


TESLA = ["- 马斯克目标：9 个月完成一代全新自动驾驶芯片设计周期",  # lines 26, 27
         "- 若 2027 年中才能量产，Cybercab 等 2026 车型或继续沿用 AI4"]


@pytest.mark.parametrize(("extra", "errors"), [
    ([TESLA[1]], [("error", 28, "repeated-bullet", "bullet repeats bullet 2 of the same block: merge them")]),
    # each repeat is named once, by the first bullet it repeats
    ([TESLA[0], TESLA[0]], [("error", 28, "repeated-bullet", "bullet repeats bullet 1 of the same block: merge them"),
                            ("error", 29, "repeated-bullet", "bullet repeats bullet 1 of the same block: merge them")]),
])
def test_a_fact_bullet_that_says_again_what_one_above_says(reference: str, extra: list[str],
                                                           errors: list[tuple[str, int, str, str]]) -> None:
    text = reference.replace(TESLA[1], "\n".join([TESLA[1], *extra]))
    assert [f for f in found(text) if f[0] == "error"] == errors


def test_a_commentary_bullet_that_says_again_what_one_above_says(reference: str) -> None:
    first = "- 9 个月迭代节奏远超半导体行业平均 2-3 年，核心是把“流片失败”风险转嫁给整车量产节奏，用车型迭代当“免费测试场”"
    text = reference.replace("- 对国产自动驾驶方案商：", f"{first}\n- 对国产自动驾驶方案商：")
    assert [f for f in found(text) if f[0] == "error"] == [
        ("error", 31, "repeated-bullet", "bullet repeats bullet 1 of the same block: merge them")]


BODY_END = "\n---\n\n<div"


@pytest.mark.parametrize(("before", "after", "by", "warning"), [
    ("# GW 级超算与百万行浏览器：AI 边际成本归零日\n", "", -1,
     ("warning", 1, "no-title", "the body has no '# title' line")),
    ("### 模型与推理", "### 空章节\n\n### 模型与推理", 2,
     ("warning", 33, "empty-section", "section '空章节' is empty")),
    (BODY_END, "\n\n### 空章节\n" + BODY_END, 0,  # the last section, below the quirks
     ("warning", 114, "empty-section", "section '空章节' is empty")),
])
def test_shape_warnings(reference: str, before: str, after: str, by: int,
                        warning: tuple[str, int, str, str]) -> None:
    assert found(reference.replace(before, after)) == in_order([warning, *shifted(by)])


def test_an_issue_without_a_footer(reference: str) -> None:
    assert found(reference.split(BODY_END)[0]) == [("warning", 1, "no-footer", "no '---' footer block"), *QUIRKS]


def test_a_theme_right_above_its_stories_is_not_empty(reference: str) -> None:
    assert found(reference.replace("### 模型与推理", "## 空主题\n\n### 模型与推理")) == shifted(2)


def test_a_bad_link_is_reported_once_per_line(reference: str) -> None:
    text = reference.replace("- 马斯克目标：9 个月", "- [马斯克](ftp://x.com/a)目标[：](ftp://x.com/a)9 个月[又](ftp://x.com/b)")
    assert [f for f in found(text) if f[0] == "error"] == [
        ("error", 26, "bad-url", "link 'ftp://x.com/a' is not an http(s) URL"),
        ("error", 26, "bad-url", "link 'ftp://x.com/b' is not an http(s) URL")]


@pytest.mark.parametrize(("before", "after", "line"), [
    ("# GW 级超算与百万行浏览器", "# GW 级超算<b>与</b>百万行浏览器", 10),  # the body's first line
    (BODY_END, "\n<b>完</b>" + BODY_END, 113),  # right above the footer
])
def test_raw_html_at_the_edges_of_the_body(reference: str, before: str, after: str, line: int) -> None:
    assert [f for f in found(reference.replace(before, after)) if f[0] == "error"] == [
        ("error", line, "raw-html", "raw HTML outside the footer: <b>"),
        ("error", line, "raw-html", "raw HTML outside the footer: </b>")]


def test_raw_html_on_the_last_line_of_an_issue_without_footer(reference: str) -> None:
    text = reference.split(BODY_END)[0] + "\n\n<b>完</b>"
    assert [f for f in found(text) if f[0] == "error"] == [
        ("error", 114, "raw-html", "raw HTML outside the footer: <b>"),
        ("error", 114, "raw-html", "raw HTML outside the footer: </b>")]


def test_an_empty_front_matter_still_has_a_body() -> None:
    text = '---\n---\n# 标题\n\n<b>x</b> [链接](ftp://x.com/a)\n\n---\n\n<div class="telegram-card"></div>'
    assert [f for f in found(text, None) if f[1] > 1] == [
        ("error", 5, "bad-url", "link 'ftp://x.com/a' is not an http(s) URL"),
        ("error", 5, "raw-html", "raw HTML outside the footer: <b>"),
        ("error", 5, "raw-html", "raw HTML outside the footer: </b>")]


def test_a_file_that_does_not_parse_is_one_error_named_by_file() -> None:
    assert [f.format() for f in lint_text("# 标题\n", "posts/ai-daily-2026-01-19.md")] == [
        "posts/ai-daily-2026-01-19.md:1: error [front-matter-missing] front matter missing: "
        "the file must start with a '---' line"]


@pytest.mark.parametrize(("gap", "line"), [("\n", 114), ("\n\n", 115), ("\n\n\n", 116)])
def test_footer_findings_name_their_line_whatever_the_gap_after_the_rule(
        reference: str, gap: str, line: int) -> None:
    text = reference.replace("\n---\n\n<div", f"\n---{gap}<script>x</script>\n<div")
    assert [f for f in found(text) if f[0] == "error"] == [
        ("error", line, "footer-html", "tag <script> is not allowed in the footer")]


def test_bytes_instead_of_text_are_one_finding_on_the_first_line() -> None:
    # A caller that read the file in binary mode: a finding, not a traceback.
    assert found(b"---\ntitle: x\n---\n") == [  # type: ignore[arg-type]
        ("error", 1, "front-matter-invalid", "expected text, got bytes")]


@pytest.mark.parametrize("key", ["title", "date", "category", "tags", "seo"])
def test_a_missing_key_is_said_once(reference: str, key: str) -> None:
    # not also "empty", "not a list" or "not a real date": there is no value to judge
    text = "\n".join(ln for ln in reference.split("\n") if not ln.startswith(f"{key}:"))
    severity = "warning" if key == "seo" else "error"
    assert [f for f in found(text) if f[1] < 100] == [(severity, 1, "missing-key", f"front matter has no '{key}' key")]


@pytest.mark.parametrize(("day", "real"), [
    ("2028-02-29", True), ("2026-02-29", False), ("2100-02-29", False), ("0000-01-19", False)])
def test_a_date_is_real_by_the_calendar_of_its_year(reference: str, day: str, real: bool) -> None:
    text = reference.replace("date: 2026-01-19", f"date: {day}")
    assert [f for f in found(text, f"ai-daily-{day}.md") if f[0] == "error"] == (
        [] if real else [("error", 3, "bad-date", f"date '{day}' is not a real YYYY-MM-DD date")])


def test_one_liners_below_an_introduction_are_checked(reference: str) -> None:
    text = reference.replace("### 其他动态\n\n", "### 其他动态\n\n本期还有这些消息：\n\n").replace(
        ONE_LINER, "（[ithome](javascript:void)）")
    assert found(text) == [("error", 111, "bad-url", "one-liner link 'javascript:void' is not http(s)"),
                           *[(s, line + 2, code, message) for s, line, code, message in QUIRKS]]


def test_on_one_line_the_error_comes_before_the_warning_whatever_their_rules(reference: str) -> None:
    text = reference.replace("- 谷歌揭秘“Nano Banana”生图模型", "- 谷歌揭秘<b>“Nano Banana”</b>生图模型")
    assert found(text) == [("error", 110, "raw-html", "raw HTML outside the footer: <b>"),
                           ("error", 110, "raw-html", "raw HTML outside the footer: </b>"), *QUIRKS]
