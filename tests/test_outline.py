"""What a reader counts in an issue (issue 18 part 2): themes that hold stories,
stories (story headings, linked or not, and bare headline lines), one-liners (the lines
of a 其他动态 / 更多动态 list). The counts below were made by hand, reading each issue,
on 23 issues of every layout of the archive; ``aidaily eval`` scores with the same
reading (``aidaily.checks.quality.stories_of``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aidaily.checks.quality import _counts, match_stories, score, stories_of
from aidaily.format.outline import outline
from aidaily.format.parse import parse

FIXTURES = Path(__file__).parent / "fixtures"
ARCHIVE = FIXTURES / "aidaily"

# issue: (themes, stories, one-liners), counted by hand, and the layout that makes it a case
HAND_COUNTS = {
    "reference": (6, 12, 5),  # the seed: ## subtitle, ### theme, bare [headline](url) lines
    "2025-12-13": (0, 3, 8),  # ## [headline](url) stories, ### 深度解读 & 洞察 / ### 影响 parts, ## 更多
    "2025-12-14": (0, 4, 9),  # ## intro heading over prose, then ## [headline](url) stories
    "2025-12-15": (3, 10, 7),  # ## theme, ### [headline](url) and ### unlinked stories, a link list
    "2025-12-24": (4, 12, 45),  # ### unlinked headlines with **深度解读 & 洞察：**, 45 更多动态 lines
    "2026-01-03": (1, 3, 12),  # "**深度解读 & 洞察：**  " (trailing spaces), two ## lists of links
    "2026-01-06": (4, 10, 14),  # ## theme with an intro, ### unlinked stories each with commentary
    "2026-02-04": (0, 5, 10),  # ## story headings with ### 核心背景 … sub-headings
    "2026-02-07": (0, 7, 9),  # ## story headings over **label**：paragraphs
    "2026-02-10": (4, 15, 29),  # lead paragraph, **label：** bullets, prose commentary, ### one-liners
    "2026-02-24": (5, 11, 12),  # a ### 更多动态 list in each theme
    "2026-02-13": (0, 0, 0),  # published with a lead paragraph only
    "2026-03-13": (4, 6, 7),  # ## theme > ### unlinked story > #### parts
    "2026-03-25": (0, 9, 10),  # ## story headings with an inline **深度解读：** paragraph
    "2026-04-04": (0, 8, 17),  # ## stories with labelled blocks; 更多动态 grouped under **labels**
    "2026-04-16": (7, 38, 18),  # ### [headline](url) alone (headline-only items)
    "2026-05-21": (8, 32, 33),  # ### [headline](url) with text after the link, ### 更多…动态 lists
    "2026-06-13": (6, 24, 20),  # ### [更多动态](#), a ## list of links
    "2026-06-20": (1, 9, 7),  # ## stories with ### sub-headings; one ## theme of ### stories
    "2026-06-23": (6, 16, 0),  # ### headline with "[链接](url)" under it
    "2026-07-12": (4, 8, 10),  # ### 更多动态 under every theme
    "2026-08-12": (6, 10, 40),  # numbered ## 一、… themes, ### 更多…动态 and ## 七、更多动态
    "2026-08-22": (6, 15, 23),  # ### 其他…动态 lists, **影响：** blocks
}


def _path(name: str) -> Path:
    if name == "reference":
        return FIXTURES / "digests" / "ai-daily-2026-01-19.md"
    return ARCHIVE / f"ai-daily-{name}.md"


@pytest.mark.parametrize("name", sorted(HAND_COUNTS))
def test_outline_counts_as_a_reader(name: str) -> None:
    read = outline(parse(_path(name).read_text(encoding="utf-8")))
    assert (len(read.themes), len(read.stories), len(read.briefs)) == HAND_COUNTS[name]


@pytest.mark.parametrize("name", sorted(HAND_COUNTS))
def test_eval_counts_the_same(name: str) -> None:
    digest = parse(_path(name).read_text(encoding="utf-8"))
    counts = _counts(digest, "")
    themes, stories, briefs = HAND_COUNTS[name]
    assert (counts["sections"], counts["items"], counts["briefs"]) == (themes, stories, briefs)
    kinds = [s.kind for s in stories_of(digest)]
    assert kinds.count("item") == stories and kinds.count("brief") == briefs


def test_the_seed_layout_reads_facts_and_commentary_apart() -> None:
    read = outline(parse(_path("reference").read_text(encoding="utf-8")))
    xai = read.stories[0]
    assert xai.url == "https://www.qbitai.com/2026/01/370077.html"
    assert len(xai.facts) == 3 and len(xai.commentary) == 2 and xai.lead == []
    assert [len(t.stories) for t in read.themes] == [2, 3, 3, 1, 1, 2]


def test_the_february_layout_reads_lead_facts_and_prose_commentary() -> None:
    read = outline(parse(_path("2026-02-10").read_text(encoding="utf-8")))
    compiler = read.stories[0]
    assert compiler.title == "Anthropic实验：16个Claude两周构建完整C编译器"
    assert compiler.lead == ["Anthropic研究团队让16个Claude智能体在几乎无需人工干预的情况下协作，仅用两周时间编写约10万行Rust代码，成功构建功能完备的C语言编译器。"]
    assert len(compiler.facts) == 7  # **核心成果：** 4 + **现存局限：** 3
    assert len(compiler.commentary) == 2 and compiler.commentary[0].startswith("这个实验的意义")


def test_an_unlinked_story_has_no_url_and_matches_by_its_headline() -> None:
    read = outline(parse(_path("2026-06-20").read_text(encoding="utf-8")))
    policy = read.stories[0]
    assert policy.title.startswith("政策加码") and policy.url == "" and policy.kind == "heading"
    mine = stories_of(parse(_path("2026-06-20").read_text(encoding="utf-8")))
    [match] = match_stories(mine[:1], mine)
    assert match.by == "title" and match.reference.title == policy.title


def test_a_draft_scored_against_itself_in_every_layout_recalls_everything() -> None:
    for name in HAND_COUNTS:
        digest = parse(_path(name).read_text(encoding="utf-8"))
        if not stories_of(digest):
            continue
        result = score(digest, digest)
        assert result.story_recall == 1.0 and result.story_precision == 1.0, name
