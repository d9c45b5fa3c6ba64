"""The memory across issues, rule by rule (what mutation testing of ``memory/recall.py``
asked): what an issue is remembered to have run, what the select stage leaves out because
an earlier issue ran it, and what makes a re-report a follow-up with new facts.

Pure functions on hand-made values: ``past_items`` over an outline, ``recall`` and
``new_facts`` over stories and earlier items.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from aidaily.checks.grounding import ItemSources
from aidaily.format.outline import Outline
from aidaily.format.outline import Story as Told
from aidaily.memory.recall import ARTICLE_CHARS, Recall, new_facts, past_items, recall
from aidaily.models import Article, Earlier, PastIssue, PastItem, Story

WHEN = datetime(2026, 1, 18, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
EARLIER = date(2026, 1, 18)


def article(url: str, title: str, text: str, source: str = "ithome", links: tuple[str, ...] = ()) -> Article:
    return Article(url=url, source=source, title=title, text=text, published=WHEN, links=list(links))


def issue(*items: PastItem, day: date = EARLIER) -> PastIssue:
    return PastIssue(day, "published", "0" * 64, items=list(items))


# --- what an issue ran ----------------------------------------------------------------------

CHIP = article("https://a.example/chip", "甲公司发布新芯片", "甲" * (ARTICLE_CHARS + 10), links=("https://cited.example/1",))
CHIP_TOO = article("https://b.example/chip-2", "甲公司新芯片细节", "乙公司跟进。", source="36kr")
FRONT = article("https://c.example/news/1", "丙站新闻", "丙站正文。")


def test_an_issue_is_remembered_as_its_stories_and_one_liners_with_their_articles() -> None:
    sources = ItemSources([CHIP, CHIP_TOO, FRONT], {CHIP.url: "s1", CHIP_TOO.url: "s1", FRONT.url: "s2"})
    ran = Outline(
        stories=[Told(" 甲公司发布新芯片 ", " https://a.example/chip?utm_source=rss ", "item", 3,
                      facts=[" 融资 130 亿美元 ", "  "], commentary=["点评不算"], lead=["导语一句。"]),
                 Told("丙站首页上的消息", "https://c.example/", "item", 8, facts=["一条事实"]),
                 Told("没有链接的主线", "", "heading", 11, facts=["另一条事实"])],
        briefs=[Told("丙站的一行新闻", "https://c.example/news/1", "brief", 15)])
    trimmed = [article(CHIP.url, CHIP.title, "甲" * ARTICLE_CHARS, links=("https://cited.example/1",)), CHIP_TOO]
    assert past_items(ran, sources) == [
        # the story's articles, its own first by URL order, text kept to ARTICLE_CHARS
        PastItem("item", "甲公司发布新芯片", "https://a.example/chip?utm_source=rss", ["导语一句。", "融资 130 亿美元"],
                 "s1", trimmed),
        # a site's front page stands for no article of its own
        PastItem("item", "丙站首页上的消息", "https://c.example/", ["一条事实"], None, []),
        PastItem("item", "没有链接的主线", "", ["另一条事实"], None, []),
        PastItem("brief", "丙站的一行新闻", "https://c.example/news/1", [], "s2", [FRONT]),
    ]
    assert sources.articles_for(CHIP.url)[0].text == CHIP.text  # the day's own articles untouched


# --- what the select stage leaves out: the same story as an earlier item ---------------------

#: An earlier issue's one-liner about xAI's cluster, linked to an article not fetched then.
CLUSTER = PastItem("brief", "xAI 上线 Colossus 2 超算集群，功率达到 1GW", "https://x.example/colossus", [], None, [])
KIMI = PastItem("item", "月之暗面发布 Kimi K2 模型", "https://k.example/kimi", ["上下文 200 万字"], None, [])


def test_an_earlier_one_liner_matched_by_its_text_alone_leaves_the_story_out() -> None:
    """The first item of the memory counts like the others (by its own headline)."""
    story = Story("s", [article("https://36kr.com/p/1", "xAI 的 Colossus 2 超算集群上线，功率达到 1GW",
                                "xAI 的 Colossus 2 超算集群上线，功率达到 1GW。")])
    out = recall([story], [issue(CLUSTER, KIMI)])
    assert [(s.id, e.title) for s, e in out.covered] == [("s", CLUSTER.title)] and out.stories == []


NEWS = ("xAI 的 Colossus 2 超算集群上线，功率达到 1GW", "xAI 的 Colossus 2 超算集群上线，功率达到 1GW。")
ELSE = ("要闻", "见原文。")  # what resembles nothing of the day


@pytest.mark.parametrize("where", ["headline", "bullets", "article title", "article text"])
def test_an_earlier_item_is_matched_by_any_text_it_holds(where: str) -> None:
    """The editor's headline or bullets, or the title or text of an article it stood for:
    whichever of them tells the day's story, the story is left out."""
    title, text = NEWS
    stood_for = article("https://old.example/1", title if where == "article title" else ELSE[0],
                        text if where == "article text" else ELSE[1])
    item = PastItem("item", title if where == "headline" else ELSE[0], "https://old.example/1",
                    [text if where == "bullets" else ELSE[1]], None, [stood_for])
    story = Story("s", [article("https://36kr.com/p/1", title, text, source="36kr")])
    assert recall([story], [issue(KIMI)]).stories == [story]
    out = recall([story], [issue(KIMI, item)])
    assert [(s.id, e.title) for s, e in out.covered] == [("s", item.title)] and out.stories == []


def test_the_original_a_remembered_digest_item_cited_is_the_same_story() -> None:
    """An earlier issue ran hubtoday's item; today a site publishes (or we fetch) the
    article hubtoday cited: the same story, though the texts share little."""
    cited = "https://www.qbitai.com/2026/01/370077.html"
    hub = article("https://ai.hubtoday.app/2026-01/2026-01-17/#item-3", "超算一则", "一条摘要。", source="hubtoday",
                  links=(cited,))
    ran = PastItem("item", "超算一则", hub.url, ["一条摘要。"], None, [hub])
    story = Story("s", [article(cited, "马斯克的新集群", "详情见正文。", source="qbitai")])
    out = recall([story], [issue(KIMI, ran)])
    assert [(s.id, e.title) for s, e in out.covered] == [("s", "超算一则")] and out.stories == []


def test_a_story_citing_two_earlier_items_is_checked_against_both() -> None:
    """Each of the story's articles is the original of one remembered digest item: its
    figures are in the two items together, so nothing is new (read against the latest alone,
    the older item's figure would look new)."""
    def hub_item(n: int, day: str, cited: str, figure: str) -> PastItem:
        # the figure deep in the item's text: no evidence for the grouping, which reads
        # the start of a text, but what the issue's readers could know
        background = "".join(f"第{k}段背景介绍与今日消息无关。" for k in range(20))
        hub = article(f"https://ai.hubtoday.app/2026-01/{day}/#item-{n}", f"摘要{n}", f"{background}{figure}。",
                      source="hubtoday", links=(cited,))
        return PastItem("item", f"摘要{n}", hub.url, ["一条摘要。"], None, [hub])

    one = hub_item(1, "2026-01-16", "https://a.example/chip", "融资 130 亿美元")
    two = hub_item(2, "2026-01-17", "https://b.example/model", "估值 3800 亿美元")
    story = Story("s", [article("https://a.example/chip", "今日消息", "据悉，130 亿美元。"),
                        article("https://b.example/model", "又一消息", "估值 3800 亿美元。")])
    out = recall([story], [issue(one, day=date(2026, 1, 16)), issue(two, day=date(2026, 1, 17))])
    assert out.covered == [(story, Earlier(date(2026, 1, 17), "摘要2", two.url, ["一条摘要。"], []))]


# --- what a follow-up is: new facts in the title and lead ------------------------------------

XAI = PastItem("item", "xAI 上线 Colossus 2 超算集群", "https://x.example/colossus",
               ["xAI 宣布 Colossus 2 上线，功率 1GW，部署 55 万张 GPU。"], None, [])


def story_of(*texts: str) -> Story:
    return Story("s", [article(f"https://36kr.com/p/{i}", "xAI Colossus 2 超算投入运行", text)
                       for i, text in enumerate(texts, 1)])


def test_one_new_name_in_each_of_two_articles_is_no_follow_up() -> None:
    """Two reports of the story, one byline among them: no new facts (the articles' texts
    are read as they are, nothing between them counts)."""
    story = story_of("据 Bloomberg 报道，xAI 的 Colossus 2 投入运行，功率 1GW。", "xAI 的 Colossus 2 投入运行，部署 55 万张 GPU。")
    assert new_facts(story, [XAI]) == []
    assert new_facts(story_of("据 Bloomberg 报道，Colossus 2 投入运行。", "据 Reuters 报道，Colossus 2 投入运行。"),
                     [XAI]) == ["Bloomberg", "Reuters"]


def test_a_new_figure_counts_within_the_first_300_characters_of_an_article() -> None:
    known = "xAI 的 Colossus 2 投入运行，功率 1GW，部署 55 万张 GPU。" * 3  # 135 characters said before
    assert new_facts(story_of(known + "4 月将升级至 1.5GW。"), [XAI]) == ["1.5GW"]
    assert new_facts(story_of(known * 3 + "4 月将升级至 1.5GW。"), [XAI]) == []  # past the lead


def test_a_model_version_is_a_name_not_a_new_figure() -> None:
    """``GLM-4.5`` names a model: its 4.5 is no figure (one new name alone is no follow-up)."""
    assert new_facts(story_of("xAI 的 Colossus 2 投入运行，将训练 GLM-4.5 的对手。"), [XAI]) == []


def test_two_earlier_items_alike_in_words_stay_two_stories() -> None:
    """One issue ran the chip; a later one ran another story whose article retold the chip
    in other words (alike, but not as alike as one site running one story twice). A re-run
    of the chip's article is charged to the chip's issue, not chained on to the later one."""
    chip = PastItem("item", "甲公司发布新芯片 X1，性能提升三成", "https://a.example/chip",
                    ["甲公司今天发布新芯片 X1，性能比上一代提升三成，明年量产。"], None, [])
    retold = article("https://b.example/model", "甲公司新芯片 X1 发布，性能提升三成",
                     "甲公司今天发布新芯片 X1，性能比上一代提升三成，明年在台积电量产。", source="36kr")
    model = PastItem("item", "乙公司推出大模型", retold.url, ["乙公司推出大模型。"], None, [retold])
    story = Story("s", [article("https://a.example/chip", "今日消息", "详见原文。")])
    out = recall([story], [issue(chip, day=date(2026, 1, 16)), issue(model, day=date(2026, 1, 17))])
    assert [(s.id, e.day, e.title) for s, e in out.covered] == [("s", date(2026, 1, 16), chip.title)]


def test_an_item_of_many_short_bullets_retold_in_one_paragraph_is_the_same_story() -> None:
    """The bullets are read as the lines they are, one after the other."""
    facts = ["性能更强", "明年量产", "售价未定", "散热更好", "功耗下降", "面向手机", "体积更小", "内存翻倍"]
    chip = PastItem("item", "甲公司发布新芯片", "https://a.example/chip", facts, None, [])
    story = Story("s", [article("https://36kr.com/p/7", "甲公司新芯片来了", "，".join(facts) + "。", source="36kr")])
    assert [(s.id, e.title) for s, e in recall([story], [issue(chip)]).covered] == [("s", chip.title)]


def test_without_earlier_issues_or_stories_nothing_is_left_out() -> None:
    story = Story("s", [article("https://36kr.com/p/1", *NEWS)])
    assert recall([story], []) == Recall([story]) and recall([story], [issue()]) == Recall([story])
    assert recall([], [issue(KIMI)]) == Recall([])


def test_a_story_linking_only_a_front_page_is_compared_by_its_text() -> None:
    """A front page names no one article (no URL to match): the story is kept when its text
    is another story's, left out when it is the earlier item's."""
    other = Story("o", [article("https://openai.com/", "OpenAI 官网更新", "官网改版。", source="36kr")])
    same = Story("s", [article("https://x.example/", CLUSTER.title, CLUSTER.title + "。", source="36kr")])
    out = recall([other, same], [issue(CLUSTER)])
    assert out.stories == [other] and [(s.id, e.title) for s, e in out.covered] == [("s", CLUSTER.title)]
