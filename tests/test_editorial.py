"""Review catches a broken issue: each way a draft can read broken is reported, by the
one ``lint_text`` (and ``checks.sourced`` where the sources tell) that the write report,
``aidaily review``, the review page and the publish gate all run; the house's own
published issues are never flagged."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from aidaily.checks.grounding import ItemSources
from aidaily.checks.sourced import lead_in_lines, sourced_findings
from aidaily.format.editorial import cut_reason, editorial_findings, is_lead_in
from aidaily.format.lint import lint_text
from aidaily.format.parse import parse
from aidaily.models import Article
from tests.factories import DAY, DRAFT, XAI_URL, build_home

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = (FIXTURES / "digests" / "ai-daily-2026-01-19.md").read_text(encoding="utf-8")
NAME = "ai-daily-2026-01-19.md"
#: Real published issues of the series, chosen for what comes closest to each check:
#: "[链接](url)" under every headline (06-23), a label's colon before sub-bullets
#: (04-05, 04-09), "；" ending list bullets (08-14), “ typed for ” (03-02), bullets ending
#: 参与 / 所在 (03-22, 02-26 style), several layouts (12-21, 02-08, 03-10).
HOUSE = sorted((FIXTURES / "editorial").glob("ai-daily-*.md"))
EDITORIAL = {"same-headline", "headline-as-bullet", "commentary-repeats-fact", "dateline-in-bullet",
             "lead-in-as-fact", "cut-bullet", "seo-not-keyword"}


def findings(text: str) -> list[tuple[str, str, int]]:
    """(code, severity, line) of the editorial findings of ``text``."""
    return [(f.code, f.severity, f.line) for f in lint_text(text, NAME) if f.code in EDITORIAL]


def line_of(text: str, needle: str) -> int:
    """The line of the last occurrence of ``needle`` (a damage adds after the original)."""
    return max(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


@pytest.mark.parametrize("path", [*HOUSE, FIXTURES / "digests" / NAME], ids=lambda p: p.name)
def test_a_published_issue_is_not_flagged(path: Path) -> None:
    digest = parse(path.read_text(encoding="utf-8"))
    assert editorial_findings(digest) == []


# --- each damage, on the reference issue --------------------------------------------------

HEADLINE = "xAI 上线 Colossus 2：全球首个 1 GW 级 AI 训练集群"


def same_headlines(text: str) -> str:
    """Every item's headline made the first's, as a model that ignored the articles."""
    first = re.search(r"^\[([^\]]+)\]\(", text, re.M)
    assert first
    return re.sub(r"^\[[^\]]+\]\(", f"[{first.group(1)}](", text, flags=re.M)


DAMAGES: dict[str, tuple[Callable[[str], str], str, str]] = {
    # name: (damage, the code reported, a text on the line it is reported on)
    "identical headlines": (same_headlines, "same-headline", "](https://www.ithome.com/0/914/178.htm)"),
    "near-identical headline": (
        lambda t: t.replace("[特斯拉 AI5 芯片“接近完成”，AI6 已启动]", "[xAI 的 Colossus 2 上线：全球首个 1 GW 级 AI 训练集群]"),
        "same-headline", "](https://www.ithome.com/0/914/178.htm)"),
    "commentary copying a fact": (
        lambda t: t.replace("- 训练算力从“万卡”跳到“GW”量级", "- 功率 1 GW，相当于一座核电站，已部署 55 万张 GPU，年内将扩至 2 GW\n- 训练算力从“万卡”跳到“GW”量级", 1),
        "commentary-repeats-fact", "- 功率 1 GW，相当于一座核电站，已部署 55 万张 GPU，年内将扩至 2 GW"),
    "a sentence as seo keyword": (
        lambda t: t.replace('"xAI Grok"', '"xAI 发布了全球首个 GW 级训练集群，意义重大"'),
        "seo-not-keyword", "seo:"),
    "an over-long seo keyword": (
        lambda t: t.replace('"xAI Grok"', '"全球首个吉瓦级人工智能训练集群上线"'), "seo-not-keyword", "seo:"),
    "a wire dateline": (
        lambda t: t.replace("- 红杉、GIC、Coatue", "- IT之家 1 月 20 日消息，红杉、GIC、Coatue"),
        "dateline-in-bullet", "IT之家 1 月 20 日消息"),
    "a bullet ending after a label": (
        lambda t: t.replace("- 红杉、GIC、Coatue", "- 技术成熟度分层：\n- 红杉、GIC、Coatue"),
        "cut-bullet", "- 技术成熟度分层："),
    "a bullet cut in “……”": (
        lambda t: t.replace("- 红杉、GIC、Coatue", "- 从零写出了一款名为 FastRender 的浏……\n- 红杉、GIC、Coatue"),
        "cut-bullet", "FastRender 的浏……"),
    "a bullet cut mid-sentence": (
        lambda t: t.replace("- 红杉、GIC、Coatue", "- 本轮融资由红杉资本、GIC 领投，\n- 红杉、GIC、Coatue"),
        "cut-bullet", "GIC 领投，"),
    "a headline repeated as a bullet": (
        lambda t: t.replace("- 功率 1 GW", f"- {HEADLINE}\n- 功率 1 GW", 1),
        "headline-as-bullet", f"- {HEADLINE}"),
    "a byline as a fact": (
        lambda t: t.replace("- 红杉、GIC、Coatue", "- 量子位 | 公众号 QbitAI\n- 红杉、GIC、Coatue"),
        "lead-in-as-fact", "- 量子位 | 公众号 QbitAI"),
}


def test_the_reference_is_clean() -> None:
    assert findings(REFERENCE) == []


@pytest.mark.parametrize("name", list(DAMAGES))
def test_each_damage_is_reported_where_it_is(name: str) -> None:
    damage, code, needle = DAMAGES[name]
    broken = damage(REFERENCE)
    assert broken != REFERENCE, "the damage did not apply"
    severity = "warning" if code == "seo-not-keyword" else "error"
    got = findings(broken)
    assert (code, severity, line_of(broken, needle)) in got, got
    assert {c for c, _, _ in got} == {code}, got  # that damage, and only it


def test_all_identical_headlines_give_one_finding_per_repeat() -> None:
    got = findings(same_headlines(REFERENCE))
    items = len(parse(REFERENCE).items)
    assert [c for c, _, _ in got] == ["same-headline"] * (items - 1)


@pytest.mark.parametrize(("bullet", "why"), [
    ("技术成熟度分层：", "ends after a label"),
    ("从零写出了一款名为 FastRender 的浏……", "ends in a cut “……”"),
    ("本轮融资由红杉资本、GIC 和 Coatue 领投，", "ends on “，”, mid-sentence"),
    ("英伟达（NVIDIA 发布新卡", "leaves （ open"),
    ("最新融资 1100 亿美元，软银参与", ""),  # 参与 ends on 与: a whole sentence
    ("- **三类需专家复核的高风险活动**：", "ends after a label"),
])
def test_cut_reason(bullet: str, why: str) -> None:
    assert cut_reason(bullet) == why


@pytest.mark.parametrize(("line", "lead_in"), [
    ("一个策略同时管好手、臂和腿", True),  # qbitai's subtitle
    ("人形机器人做家务，这回又有新进展。", True),  # its teaser: no number, no name
    ("实验结果", True),  # a section heading
    ("技术成熟度分层：", True),  # a label
    ("鱼羊 发自 凹非寺", True),
    ("来自 UC Berkeley 的研究团队提出了一种全身协同控制方案 Choice Policy。", False),
    ("此次证明几乎由模型独立完成，研究人员仅对证明进行了形式化验证和格式整理。", False),
])
def test_is_lead_in(line: str, lead_in: bool) -> None:
    assert is_lead_in(line) is lead_in


# --- checks that need the sources ------------------------------------------------------------

SOURCE = Article(url=XAI_URL, source="qbitai", title="xAI 上线 Colossus 2：全球首个 1 GW 级 AI 训练集群",
                 text="马斯克的超算又刷新纪录了\n马斯克宣布 xAI 的 Colossus 2 超算上线，功率 1 GW。\n"
                      "集群已部署 55 万张 GPU，专为 Grok 5 训练而建。")


def sourced(text: str) -> list[tuple[str, str, int]]:
    sources = ItemSources([SOURCE], {SOURCE.url: "s1"})
    return [(f.code, f.severity, f.line) for f in sourced_findings(parse(text), sources)]


def test_commentary_naming_what_no_source_names_is_a_warning() -> None:
    named = DRAFT.replace("- 谁掌握电力，谁就掌握下一轮模型入场券",
                          "- 相比之下 Meta 和 Anthropic 的集群仍在规划，马斯克再次领先")
    line = line_of(named, "相比之下 Meta")
    assert sourced(DRAFT) == []
    assert sourced(named) == [("commentary-unsourced-name", "warning", line)]
    finding = sourced_findings(parse(named), ItemSources([SOURCE], {SOURCE.url: "s1"}))[0]
    assert "Meta" in finding.message and "Anthropic" in finding.message
    assert "马斯克" not in finding.message  # a person the commentary may name


def test_a_pages_subtitle_as_a_fact_is_reported() -> None:
    teaser = DRAFT.replace("- 专为 Grok 5 训练而建，年内将扩至 2 GW", "- 马斯克的超算又刷新纪录了")
    assert sourced(teaser) == [("lead-in-as-fact", "error", line_of(teaser, "- 马斯克的超算又刷新纪录了"))]


def test_a_digest_sites_short_line_with_a_name_is_news_not_a_lead_in() -> None:
    """ai.hubtoday.app writes an item as short lines without a full stop: news, all of them."""
    digest_site = Article(url=XAI_URL, source="hubtoday", title="xAI 上线 Colossus 2",
                          text="xAI 的 Colossus 2 已上线\n功率 1 GW，部署 55 万张 GPU，专为 Grok 5 训练。")
    assert lead_in_lines(digest_site.text) == []
    line = DRAFT.replace("- 专为 Grok 5 训练而建，年内将扩至 2 GW", "- xAI 的 Colossus 2 已上线")
    assert [(f.code, f.line) for f in sourced_findings(parse(line), ItemSources([digest_site], {XAI_URL: "s1"}))
            if f.code == "lead-in-as-fact"] == []


# --- the same findings in review, on the page and at the gate ---------------------------------


def test_review_page_and_gate_refuse_a_draft_with_identical_headlines(home: Path) -> None:
    from starlette.testclient import TestClient

    from aidaily.errors import PublishError
    from aidaily.review.publish import publish_draft
    from aidaily.review.report import build_review
    from aidaily.review.web.app import create_app

    broken = DRAFT.replace("[Cursor 智能体 7 天写出 300 万行浏览器]", "[xAI 上线 Colossus 2：全球首个 1 GW 级 AI 训练集群]")
    settings = build_home(home, draft=broken)
    day = date.fromisoformat(DAY)
    line = line_of(broken, "](https://www.ithome.com/0/914/192.htm)")
    report = build_review(settings, day)
    assert any(f.code == "same-headline" and f.line == line for f in report.lint_errors)
    assert any("[same-headline]" in b for b in report.blockers) and report.exit_code == 1
    with pytest.raises(PublishError, match=r"same-headline"):
        publish_draft(settings, day)
    assert not settings.post_path(day).exists()
    with TestClient(create_app(settings), base_url="http://127.0.0.1") as client:
        page = client.get(f"/d/{DAY}").text
    assert "<code>same-headline</code>" in page
    from typer.testing import CliRunner

    from aidaily.cli.app import app

    cli = CliRunner().invoke(app, ["--home", str(home), "review", DAY])
    assert cli.exit_code == 1 and re.search(rf"│ {line} +│ error +│ same-headline +│", cli.output), cli.output


def test_business_words_are_no_names_but_products_are() -> None:
    """A capable model's commentary on the demo day says "ROI" and "To B / To C": words,
    not companies; "FastRender", "Meta" or "Llama" where no source has them are names."""
    from aidaily.checks.sourced import unsourced_names

    source = SOURCE.title + "\n" + SOURCE.text
    assert unsourced_names("做“能直接算清 ROI”的产品，To B 比 To C 更早跑通", source) == []
    assert unsourced_names("这比 FastRender 和 Meta 的 Llama 4 都快", source) == ["Meta", "Llama", "FastRender"]
    assert unsourced_names("马斯克再次领先，xAI 的 Colossus 2 已上线", source) == []


# --- what mutation testing found unpinned (issue 21) ----------------------------------------

KIRO_URL = "https://ai.hubtoday.app/2026-01-19#kiro"
LABEL = "以下是马斯克在当天的发布会上谈到的关于超算、电网、能源外交与下一代模型训练的全部要点："
SUBTITLE = "一个策略同时管好手、臂和腿"
ROBOT_URL = "https://www.qbitai.com/2026/01/370136.html"
SOURCES = ItemSources([
    # a digest site's item: a title without the product's name, a text ending on it
    Article(url=KIRO_URL, source="hubtoday", title="亚马逊发布 AI 编程工具", text="亚马逊发布 AI 编程工具，名为 Kiro"),
    Article(url=XAI_URL, source="qbitai", title="xAI 上线 Colossus 2",
            text=f"henry 发自 凹非寺\n量子位 | 公众号 QbitAI\n\n{LABEL}\n马斯克宣布 xAI 的 Colossus 2 超算上线，功率 1 GW。"),
    Article(url=ROBOT_URL, source="qbitai", title="Berkeley 发布人形机器人全身协同方案 Choice Policy",
            text=f"{SUBTITLE}\nBerkeley 发布人形机器人全身协同方案 Choice Policy，洗碗机装载成功率 100%。"),
], {XAI_URL: "s1", KIRO_URL: "s2", ROBOT_URL: "s3"})

ISSUE = f"""---
title: GW 级超算与编程智能体：今天的三条 AI 新闻
date: 2026-01-19
category: AI 日报
tags: ["AI","AI 日报"]
summary: "- 一\\n- 二"
---
# GW 级超算与编程智能体：今天的三条 AI 新闻

### 超算、工具与机器人

[亚马逊发布 AI 编程工具 Kiro]({KIRO_URL})
- 亚马逊发布 AI 编程工具 Kiro

[xAI 上线 Colossus 2]({XAI_URL})
- 马斯克宣布 xAI 的 Colossus 2 超算上线，功率 1 GW

**深度解读 & 洞察：**
- Kiro 把智能体放进了编辑器，相比之下 Meta 和 Anthropic 的集群仍在规划

[Berkeley 发布人形机器人全身协同方案 Choice Policy]({ROBOT_URL})
- Berkeley 发布人形机器人全身协同方案 Choice Policy
- {SUBTITLE}

**深度解读 & 洞察：**
- 机器人开始进家庭，xAI 则把算力堆到 GW

### 观察

**深度解读 & 洞察：**
- 相比之下 Figure 仍在演示
"""


def sourced_of(text: str) -> list[tuple[str, str, int, str]]:
    return [(f.code, f.severity, f.line, f.message) for f in sourced_findings(parse(text), SOURCES)]


def test_sourced_findings_in_line_order_with_their_messages() -> None:
    """Each commentary block is read against the stories since the block before it: the
    first against Kiro's and xAI's sources together (Kiro is the last word of the first),
    the second against the robot story's alone, so its "xAI" is a name no source of its
    stories has; a block with no story above it (观察) is not read: nothing tells what
    it may name. Findings come in line order, whichever check found them."""
    first = line_of(ISSUE, "Kiro 把智能体")
    subtitle = line_of(ISSUE, f"- {SUBTITLE}")
    second = line_of(ISSUE, "机器人开始进家庭")
    assert sourced_of(ISSUE) == [
        ("commentary-unsourced-name", "warning", first, "commentary names Meta, Anthropic, which no source of "
         "its stories names: keep it only if the comparison is fair"),
        ("lead-in-as-fact", "error", subtitle, f"fact bullet is the source's line “{SUBTITLE}”, a subtitle, "
         "heading or teaser of the page, not a fact of the news"),
        ("commentary-unsourced-name", "warning", second, "commentary names xAI, which no source of its "
         "stories names: keep it only if the comparison is fair"),
    ]


def test_a_long_line_is_quoted_to_40_characters() -> None:
    label = ISSUE.replace("- 马斯克宣布 xAI 的 Colossus 2 超算上线，功率 1 GW", f"- {LABEL}")
    (finding,) = [f for f in sourced_findings(parse(label), SOURCES) if f.code == "lead-in-as-fact"
                  and f.line == line_of(label, LABEL)]
    assert f"“{LABEL[:40]}”" in finding.message and LABEL[:41] not in finding.message


def test_a_near_copy_of_a_subtitle_is_one() -> None:
    """A bullet that drops two characters of the subtitle is as alike as the bar (0.8)."""
    near = ISSUE.replace(f"- {SUBTITLE}", "- 策略同时管好手、臂和腿")
    assert ("lead-in-as-fact", line_of(near, "- 策略同时管好手")) in [(f[0], f[2]) for f in sourced_of(near)]


def test_a_byline_as_a_bullet_is_lints_finding_not_a_second_one() -> None:
    byline = ISSUE.replace("- 马斯克宣布 xAI 的 Colossus 2 超算上线，功率 1 GW", "- henry 发自 凹非寺")
    line = line_of(byline, "- henry 发自")
    assert line not in [f[2] for f in sourced_of(byline)]
    assert ("lead-in-as-fact", line) in [(f.code, f.line) for f in lint_text(byline, NAME)]


def test_lead_in_lines_of_a_real_page_top() -> None:
    """qbitai's byline and masthead, a blank line, a short heading without a name (4
    characters is enough), labels before a list (full-width or ASCII colon, names
    allowed); not a short line with a name (news on a digest site), nor a 3-character one."""
    top = ("henry 发自 凹非寺\n量子位 | 公众号 QbitAI\n\n马斯克的 GW 级集群开跑，电网先慌了\n实验结果\n划重点\n"
           "xAI 超算要点：\nColossus 2 in numbers:\n马斯克宣布 xAI 的 Colossus 2 超算上线，功率 1 GW。\n"
           "机器人做家务，这回又有新进展。")
    assert lead_in_lines(top) == ["henry 发自 凹非寺", "量子位 | 公众号 QbitAI", "实验结果", "xAI 超算要点：",
                                  "Colossus 2 in numbers:"]


@pytest.mark.parametrize(("bullet", "names"), [
    ("AMD 的 MI455X 也在路上", ["AMD"]),  # a known company, however short and capital
    ("Sam Altman 说过类似的话", []),  # a known person
    ("这比 Poe 更快", ["Poe"]),  # three letters: a name
    ("Kiro 也在做", ["Kiro"]),
    ("ARPU 持续走高", []),  # four capitals, unknown: a business word
    ("DEEPX 芯片", ["DEEPX"]),  # five: a name
])
def test_which_unknown_words_are_names(bullet: str, names: list[str]) -> None:
    from aidaily.checks.sourced import unsourced_names

    assert unsourced_names(bullet, SOURCE.title + "\n" + SOURCE.text) == names
