"""Issue 20, defect 2: raw HTML in the body is found as a CommonMark renderer finds it
(``aidaily.format.markup.raw_html``), is a lint error and blocks publishing — the five
ways past the old pattern check, and CommonMark's own HTML-block and raw-HTML examples
(tests/fixtures/commonmark_html.json, transcribed from the spec, 0.31.2)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from aidaily.errors import PublishError
from aidaily.format.lint import lint_text
from aidaily.format.markup import raw_html
from tests.factories import BAD_BULLET, DAY, DRAFT, GOOD_BULLET, build_home

FIXTURE = Path(__file__).parent / "fixtures" / "commonmark_html.json"
CLEAN = DRAFT.replace(BAD_BULLET, GOOD_BULLET)
ANCHOR = "- 谁掌握电力，谁就掌握下一轮模型入场券"  # a commentary bullet of the draft

# (what replaces the anchor bullet, the text of the line the finding names)
BYPASSES = {
    "tag in link text": (
        "- 点评 [<img src=x onerror=alert(1)>](https://t.me/aidaily)", "onerror=alert(1)"),
    "between escaped backticks": (
        r"- 代码 \`<img src=x onerror=alert(1)>\` 结束", "onerror=alert(1)"),
    "4-space-indented fence": (
        "- 谁掌握电力\n\n    ```\n<img src=x onerror=alert(1)>\n    ```\n", "onerror=alert(1)"),
    "backtick in the fence's info string": (
        "- 谁掌握电力\n\n```js`x\n<img src=x onerror=alert(1)>\n```\n", "onerror=alert(1)"),
    "tag split over two lines": (
        "- 谁掌握电力\n\n<details\nopen ontoggle=alert(1)>\n", "<details"),
}


def hostile(name: str) -> str:
    return CLEAN.replace(ANCHOR, BYPASSES[name][0])


def raw_html_errors(text: str) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in lint_text(text) if f.code == "raw-html" and f.severity == "error"]


def test_the_clean_draft_has_no_raw_html() -> None:
    assert raw_html_errors(CLEAN) == []


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_each_bypass_is_a_lint_error_on_its_line(name: str) -> None:
    text = hostile(name)
    wanted = next(n for n, line in enumerate(text.split("\n"), 1) if BYPASSES[name][1] in line)
    found = raw_html_errors(text)
    assert [line for line, _ in found] == [wanted], found
    assert found[0][1].startswith("raw HTML outside the footer: <")


@pytest.mark.parametrize("name", sorted(BYPASSES))
def test_each_bypass_blocks_publishing(home: Path, name: str) -> None:
    from aidaily.review.publish import publish_draft

    settings = build_home(home, draft=hostile(name))
    with pytest.raises(PublishError, match="raw-html"):
        publish_draft(settings, date.fromisoformat(DAY))
    assert not settings.post_path(date.fromisoformat(DAY)).exists()


EXAMPLES = json.loads(FIXTURE.read_text(encoding="utf-8"))


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"{e['section']}-{i}" for i, e in enumerate(EXAMPLES)])
def test_commonmark_examples(example: dict[str, object]) -> None:
    markdown = str(example["markdown"])
    assert bool(raw_html(markdown.split("\n"))) is example["html"]


def test_the_spec_examples_cover_both_answers_and_both_sections() -> None:
    assert {e["html"] for e in EXAMPLES} == {True, False}
    assert {"HTML blocks", "Raw HTML"} <= {e["section"] for e in EXAMPLES}


@pytest.mark.parametrize("prose", [
    "a<b 且 c>d", "`<canvas>` 标签", "见 <https://example.com/a>", "1 < 2 > 0", "```\n<b>代码</b>\n```",
])
def test_what_a_renderer_shows_as_text_is_not_raw_html(prose: str) -> None:
    assert raw_html(prose.split("\n")) == []
