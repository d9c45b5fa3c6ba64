"""parse/render are exact inverses: on the reference, on variants, on generated digests."""

from __future__ import annotations

from pathlib import Path

import frontmatter
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidaily.format.digest import (
    Brief,
    BriefList,
    Bullet,
    Digest,
    Field,
    Footer,
    FrontMatter,
    Headline,
    Insight,
    Item,
    Raw,
    Section,
    Title,
    is_numbered_heading,
    is_other_news_heading,
)
from aidaily.errors import DigestParseError
from aidaily.format.front_matter import HouseYAMLHandler
from aidaily.format.parse import parse
from aidaily.format.render import render

DIGESTS = Path(__file__).parent / "fixtures" / "digests"
REFERENCE = DIGESTS / "ai-daily-2026-01-19.md"


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", sorted(DIGESTS.glob("*.md")), ids=lambda p: p.name)
def test_render_parse_is_identity_on_fixture_digests(path: Path) -> None:
    text = read(path)
    assert render(parse(text)) == text


def test_reference_is_understood_not_just_kept() -> None:
    digest = parse(read(REFERENCE))
    fm = digest.front_matter
    assert fm.keys() == ["title", "date", "category", "tags", "seo", "coverImage", "summary"]
    assert fm.get("date") == "2026-01-19"
    assert fm.get("tags") == ["AI", "AI 日报"]
    assert [f.style for f in fm.fields] == ["plain", "plain", "plain", "flow", "flow", "double", "double"]
    assert len(digest.summary_lines) == 7
    assert digest.title == "GW 级超算与百万行浏览器：AI 边际成本归零日"
    assert digest.headline.startswith("从 GW 级超算")
    assert len(digest.sections) == 7
    assert digest.sections[0].theme == "超算与芯片"
    assert digest.sections[0].subtitle == "AI 军备竞赛进入“GW 时代”"
    assert len(digest.items) == 12
    assert sum(len(i.bullets) for i in digest.items) + len(digest.briefs) == 24  # HOUSE_STYLE counts one-liners too
    insights = [e for s in digest.sections for e in s.insights]
    assert len(insights) == 9 and all(i.is_commentary for i in insights)
    assert sum(len(i.bullets) for i in insights) == 18
    assert len(digest.briefs) == 5
    assert digest.briefs[0].site == "qbitai"
    assert [b.close for b in digest.briefs].count(")") == 2
    assert digest.footer is not None and digest.footer.html[0] == '<div class="telegram-card">'
    assert not any(isinstance(n, Raw) for n in digest.body)
    assert not any(isinstance(e, Raw) for s in digest.sections for e in s.entries)


def test_variant_with_heading_items_numbered_sections_and_labels() -> None:
    digest = parse(read(DIGESTS / "ai-daily-2026-01-12.md"))
    assert digest.title.startswith("AI 日报 | ")
    assert digest.headline == "今日看点：巨头之间从竞争走向“竞合”"
    headings = [s.heading for s in digest.sections]
    assert headings == ["一、模型与平台", "二、算力与芯片", "六、更多动态"]
    assert digest.sections[0].theme == "模型与平台"
    items = digest.items
    assert [i.heading_level for i in items] == [3, 3, 3]
    assert items[0].bullets_gap == 1 and items[2].bullets_gap == 0
    labels = [e.label for s in digest.sections for e in s.insights]
    assert labels == ["影响", "深度解读 & 洞察"]
    assert digest.sections[1].entries[-1] == Raw(["> 编者注：Rubin 的量产节奏仍待台积电产能确认。"])
    assert digest.sections[2].is_other_news and len(digest.briefs) == 2


def test_variant_with_unusual_front_matter_and_no_other_news() -> None:
    text = read(DIGESTS / "ai-daily-2026-01-05.md")
    digest = parse(text)
    assert digest.front_matter.get("tags") == ["AI", "AI 日报"]
    assert digest.summary_lines == ["DeepSeek 发布 mHC 架构论文", "Meta 以数十亿美元收购 Manus"]
    assert not any(s.is_other_news for s in digest.sections)
    assert digest.trailing_gap == 2  # the file ends with "\n\n"
    assert isinstance(digest.sections[-1].entries[-1], Raw)


def test_changed_value_is_rewritten_in_house_style() -> None:
    digest = parse(read(DIGESTS / "ai-daily-2026-01-05.md"))
    digest.front_matter.set("tags", ["AI", "AI 日报", "DeepSeek"])
    assert 'tags: ["AI","AI 日报","DeepSeek"]' in render(digest)


@pytest.mark.parametrize("name", ["ai-daily-2026-01-19.md", "ai-daily-2026-01-12.md"])
def test_python_frontmatter_with_the_house_handler_reads_what_we_parse(name: str) -> None:
    text = read(DIGESTS / name)
    post = frontmatter.loads(text, handler=HouseYAMLHandler())
    fields = parse(text).front_matter.fields
    assert list(post.metadata.items()) == [(f.key, f.value) for f in fields if f.key]
    assert post.metadata["date"] == name.removeprefix("ai-daily-").removesuffix(".md")  # text, not a date


def test_block_scalar_summary_read_alone_has_no_final_newline() -> None:
    """The one place our field-by-field reading differs from reading the whole front
    matter: a ``summary: |`` block keeps its final newline only in the latter."""
    text = read(DIGESTS / "ai-daily-2026-01-05.md")
    post = frontmatter.loads(text, handler=HouseYAMLHandler())
    ours = parse(text).front_matter
    assert post.metadata["summary"] == ours.get("summary") + "\n"
    assert {k: v for k, v in post.metadata.items() if k != "summary"} == {
        f.key: f.value for f in ours.fields if f.key and f.key != "summary"}


@pytest.mark.parametrize("name", ["ai-daily-2026-01-19.md", "ai-daily-2026-01-12.md"])
def test_python_frontmatter_with_the_house_handler_writes_the_house_format(name: str) -> None:
    """Both issues write every field in its house style, so ``frontmatter.dumps`` of their
    metadata alone gives their front matter back byte for byte."""
    text = read(DIGESTS / name)
    post = frontmatter.loads(text, handler=HouseYAMLHandler())
    fence = text.index("\n---\n", 3)
    again = frontmatter.Post("", HouseYAMLHandler(), **post.metadata)
    assert frontmatter.dumps(again) == text[:fence + 4]


def test_bom_and_crlf_survive() -> None:
    text = "\ufeff" + read(REFERENCE).replace("\n", "\r\n")
    assert render(parse(text)) == text


@pytest.mark.parametrize(
    "text, line",
    [
        ("# no front matter\n", 1),
        ("---\ntitle: x\n", 1),
        ("---\ntitle: [unclosed\n---\n# x", 2),
        ("---\n- a list\n---\n", 2),
    ],
)
def test_text_that_is_not_a_digest_raises_parse_error(text: str, line: int) -> None:
    with pytest.raises(DigestParseError) as info:
        parse(text)
    assert info.value.line == line


# Property tests ---------------------------------------------------------------------

_safe_char = st.characters(
    blacklist_categories=("Cs", "Cc", "Zl", "Zp"), blacklist_characters="\n\r[]()*#`<>|\\\""
)
_word = st.text(_safe_char, min_size=1, max_size=12).map(str.strip).filter(bool)
_phrase = st.lists(_word, min_size=1, max_size=4).map(" ".join)
_url = st.builds(lambda host, n: f"https://{host}.com/0/{n}.htm", st.sampled_from(["www.ithome", "www.qbitai"]), st.integers(1, 10**6))
_bullets = st.lists(_phrase.map(Bullet), min_size=1, max_size=4)


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    title = draw(_phrase)
    fm = FrontMatter(
        [
            Field("title", title, "plain"),
            Field("date", "2026-01-19", "plain"),
            Field("category", "AI 日报", "plain"),
            Field("tags", ["AI", "AI 日报"], "flow"),
            Field("seo", draw(st.lists(_phrase, min_size=1, max_size=5)), "flow"),
            Field("coverImage", draw(_url), "double"),
            Field("summary", "\n".join(f"- {p}" for p in draw(st.lists(_phrase, min_size=1, max_size=5))), "double"),
        ]
    )
    sections = []
    for _ in range(draw(st.integers(1, 4))):
        entries = []
        for _ in range(draw(st.integers(1, 3))):
            entries.append(Item(draw(_phrase), draw(_url), draw(_bullets), draw(st.sampled_from([0, 3]))))
            if draw(st.booleans()):
                entries.append(Insight(draw(_bullets)))
        sections.append(Section(f"{draw(_phrase)}：{draw(_phrase)}", entries))
    if draw(st.booleans()):
        briefs = [Brief(draw(_phrase), "ithome", draw(_url)) for _ in range(draw(st.integers(1, 4)))]
        sections.append(Section("其他动态", [BriefList(briefs)]))
    # A headline that reads like a numbered or "其他动态" section heading is one: the format
    # cannot tell them apart, so generated headlines avoid those shapes.
    headline = draw(_phrase.filter(lambda t: not is_numbered_heading(t) and not is_other_news_heading(t)))
    body = [Title(title), Headline(headline), *sections]
    if draw(st.booleans()):
        body.append(Footer(['<div class="telegram-card">', "  <p>join</p>", "</div>"]))
    return Digest(fm, body, draw(st.integers(0, 2)))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(digests())
def test_parse_of_render_gives_back_the_digest(digest: Digest) -> None:
    text = render(digest)
    parsed = parse(text)
    # A style the value cannot take (a title "0" written plain) comes back as the
    # style it was actually written in; everything else comes back equal.
    assert [(f.key, f.value) for f in parsed.front_matter.fields] == [
        (f.key, f.value) for f in digest.front_matter.fields
    ]
    assert parsed.body == digest.body and parsed.trailing_gap == digest.trailing_gap
    assert render(parsed) == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_parser_raises_only_its_own_error_on_arbitrary_text(text: str) -> None:
    try:
        digest = parse(text)
    except DigestParseError:
        return
    assert render(digest) == text


_line = st.one_of(
    st.sampled_from(["", "---", "# t", "## h", "### s：x", "### 其他动态", "**深度解读 & 洞察：**", "**影响：**", "- b", "  - nested", "<div>", "```"]),
    st.builds(lambda t, u: f"[{t}]({u})", _phrase, _url),
    st.builds(lambda t, u: f"### [{t}]({u})", _phrase, _url),
    st.builds(lambda t, u: f"- {t}（[ithome]({u})）", _phrase, _url),
    st.text(max_size=20),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_line, max_size=40))
def test_any_body_with_front_matter_round_trips(lines: list[str]) -> None:
    text = "---\ntitle: t\n---\n" + "\n".join(lines)
    assert render(parse(text)) == text
