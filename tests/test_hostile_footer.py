"""Issue 20, defect 7: one footer allow-list for lint and page. Lint reads the footer as
a browser does (WHATWG parsing: an unclosed attribute is malformed, not silently
dropped), the page sanitises it with nh3 to the same list (no ``<table>``, ``<h1 id>``
or ``<svg>`` that lint refuses), and what lint accepts the page shows unchanged."""

from __future__ import annotations

from pathlib import Path

import html5lib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from aidaily.format.links import FOOTER_TAGS, footer_problems
from aidaily.format.lint import lint_text
from aidaily.review.web.app import create_app
from aidaily.review.web.view import safe_footer
from tests.factories import BAD_BULLET, DAY, DRAFT, FOOTER, GOOD_BULLET, build_home

CLEAN = DRAFT.replace(BAD_BULLET, GOOD_BULLET)


def footer_errors(footer: str) -> list[str]:
    text = CLEAN.replace(FOOTER, footer)
    return [f.message for f in lint_text(text) if f.code == "footer-html" and f.severity == "error"]


@pytest.mark.parametrize("footer", [
    '<a href="<script>x</a>',
    FOOTER + '\n<a href="<script>x</a>',
    '<p class="x>y</p>',
])
def test_an_unclosed_attribute_is_a_lint_error(footer: str) -> None:
    assert footer_errors(footer), footer


def test_the_house_footer_passes() -> None:
    assert footer_errors(FOOTER) == []


@pytest.mark.parametrize(("extra", "tag"), [
    ("<table><tr><td>x</td></tr></table>", "<table"),
    ('<h1 id="top">大标题</h1>', "<h1"),
    ('<svg width="10"><circle r="4"></circle></svg>', "<svg"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<img src="data:image/png;base64,AAAA">', "data:"),
    ('<p style="position:fixed">x</p>', "position:fixed"),
])
def test_what_lint_refuses_the_page_does_not_show(home: Path, extra: str, tag: str) -> None:
    footer = FOOTER + "\n" + extra
    assert footer_errors(footer)
    assert tag not in str(safe_footer(footer))
    settings_ = build_home(home, draft=CLEAN.replace(FOOTER, footer))
    with TestClient(create_app(settings_), base_url="http://127.0.0.1:8710") as c:
        page = c.get(f"/d/{DAY}")
    assert page.status_code == 200
    shown = page.text.split('<div class="site-footer">', 1)[1].split("</main>", 1)[0]
    assert "telegram-card" in shown and tag not in shown


def _tree(html: str) -> str:
    """The fragment as the WHATWG algorithm reads it, serialised the same way each time."""
    fragment = html5lib.parseFragment(html, treebuilder="etree", namespaceHTMLElements=False)
    return str(html5lib.serializer.HTMLSerializer(quote_attr_values="always", minimize_boolean_attributes=False,
                                                  alphabetical_attributes=True).render(
        html5lib.getTreeWalker("etree")(fragment)))


PIECES = st.sampled_from([
    "<div>", "</div>", '<div class="c">', "<p>", "</p>", "<span>", "</span>", "<a ", 'href="',
    "https://t.me/x", '">', "</a>", "<img ", 'src="https://x.example/i.png"', 'alt="a"', ">", "<",
    '"', "'", "=", " ", "文字", "<script>", "</script>", "<table>", "<b>", "</b>", "<br>", "<!--",
    "-->", "onclick=x", "javascript:x", "<svg>", "&amp;", "&", "\n",
])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=14).map("".join))
def test_a_footer_lint_accepts_is_shown_as_written(footer: str) -> None:
    if footer_problems(footer.split("\n"), 1):
        return
    assert _tree(str(safe_footer(footer))) == _tree(footer)


def test_the_allow_list_is_the_one_both_use() -> None:
    shown = str(safe_footer("".join(f"<{t}>x</{t}>" if t not in ("br", "img") else f"<{t}>"
                                    for t in FOOTER_TAGS)))
    assert all(f"<{t}>" in shown for t in FOOTER_TAGS)
