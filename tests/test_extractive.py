"""extractive: a draft without a model that still passes the lint and says what it is."""

from __future__ import annotations

from aidaily.config import Settings
from aidaily.editor.extractive import (
    PLACEHOLDER,
    extractive_digest,
    extractive_item,
    extractive_plan,
    lead_sentences,
    theme_of,
)
from aidaily.format.lint import has_errors, lint_text
from aidaily.models import Article, Story
from aidaily.format.parse import parse
from aidaily.format.render import render
from tests.factories import DAY, DAY_DATE, make_stories


def test_extractive_draft_passes_lint_and_is_marked() -> None:
    text = render(extractive_digest(DAY_DATE, make_stories(), Settings()))
    assert render(parse(text)) == text
    findings = lint_text(text, f"{DAY}.md")
    assert not has_errors(findings), [f.format() for f in findings]
    codes = {f.code for f in findings}
    assert {"draft", "placeholder"} <= codes  # the editor is told what is left to do
    digest = parse(text)
    assert digest.is_draft and "未经模型撰写" in text
    for section in digest.sections:
        for insight in section.insights:
            assert insight.bullets and all(b.text.startswith(PLACEHOLDER) for b in insight.bullets)


def test_fact_bullets_are_lead_sentences_without_datelines() -> None:
    story = make_stories()[1]
    digest = extractive_digest(DAY_DATE, [story, *make_stories()[2:]], Settings())
    item = next(i for i in digest.items if i.url == story.url)
    assert item.bullets[0].text == "马斯克表示特斯拉 AI5 芯片接近完成"
    assert not any("IT之家" in b.text for b in item.bullets)


def test_plan_prefers_stories_reported_more_often_and_sections_by_keyword() -> None:
    stories = make_stories()
    twice = Story(id="dup", articles=[
        Article(url="https://www.qbitai.com/x.html", source="qbitai", title="小公司发布新模型",
                text="小公司发布新模型，参数 70 亿。"),
        Article(url="https://www.ithome.com/x.htm", source="ithome", title="小公司新模型",
                text="小公司发布新模型。"),
    ])
    plan = extractive_plan([*stories, twice], Settings())
    assert plan.main_ids[0] == "dup"
    assert theme_of(stories[1]) == "超算与芯片" and theme_of(stories[4]) == "资本与产业"
    assert all(s.title.endswith(PLACEHOLDER) for s in plan.sections)
    assert not set(plan.main_ids) & set(plan.other_ids)


def test_lead_sentences_skip_bylines() -> None:
    text = "鱼羊 发自 凹非寺\n量子位 | 公众号 QbitAI\nIT之家 1 月 19 日消息，第一句话真的很重要。第二句也有一些内容！短。"
    assert lead_sentences(text) == ["第一句话真的很重要", "第二句也有一些内容"]


def test_html_in_article_text_does_not_reach_the_draft() -> None:
    story = make_stories(1)[0]
    story.articles[0].text = "<script>alert(1)</script>事实一很重要。<img src=x onerror=alert(1)>事实二也重要。"
    text = render(extractive_digest(DAY_DATE, [story, *make_stories()[1:]], Settings()))
    body = text.split("\n---\n\n<div")[0]
    assert "<script" not in body and "<img" not in body and "onerror" not in body


def test_fallback_title_names_the_leading_companies_and_seo_lists_names() -> None:
    from aidaily.editor.assemble import ItemText, Written
    from aidaily.editor.schema import Plan, PlanGroup, PlanSection
    from aidaily.editor.extractive import fallback_final

    plan = Plan(sections=[PlanSection(title="超算与模型：测试", groups=[PlanGroup(story_ids=["a", "b", "c"], commentary=False)])],
                other_ids=[])
    written = Written(items={
        "a": ItemText("马斯克宣布 xAI Colossus 2 超算上线，全球首个 1GW 级 AI 训练集群", ["x"]),
        "b": ItemText("GPT-5.2 Pro 再解一道公开 Erdős 难题，陶哲轩点赞", ["y"]),
        "c": ItemText("消息称 Anthropic 拟新融资 250 亿美元", ["z"]),
    })
    final = fallback_final(plan, written)
    assert final.title.endswith("：今日 3 条 AI 要闻") and " 与 " in final.title
    assert 16 <= len(final.title) <= 39
    assert "Anthropic" in final.seo and not any(n in final.seo for n in ("Erd", "GW", "AI"))


# A qbitai page as the extractor leaves it: the post's subtitle, a teaser, a label, a
# section heading, then the news; and an ithome page whose lead restates its headline.
QBITAI_TEXT = (
    "一个策略同时管好手、臂和腿\n人形机器人做家务，这回又有新进展。\n技术成熟度分层：\n"
    "来自 UC Berkeley 的研究团队提出了一种全身协同控制方案 Choice Policy，让人形机器人在装载洗碗机任务中取得了 100% 的成功率。\n"
    "实验结果\nAI 编程工具 Cursor 近日公布了一项实验：让数百个 AI 智能体在无人干预的情况下连续工作 168 小时，"
    "从零写出了一款名为 FastRender 的浏览器，代码量约 300 万行，目前已经能够正确渲染谷歌首页。"
)


def test_facts_are_news_sentences_not_lead_ins_labels_or_cut_words() -> None:
    story = Story(id="q", articles=[Article(
        url="https://www.qbitai.com/2026/01/370136.html", source="qbitai", text=QBITAI_TEXT,
        title="人形机器人洗碗机装载成功率 100%！Berkeley 提出全身协同新方案 Choice Policy")])
    assert extractive_item(story).facts == [
        "来自 UC Berkeley 的研究团队提出了一种全身协同控制方案 Choice Policy，让人形机器人在装载洗碗机任务中取得了 100% 的成功率",
        # too long for a bullet: cut after a clause, never "名为 FastRender 的浏……"
        "AI 编程工具 Cursor 近日公布了一项实验：让数百个 AI 智能体在无人干预的情况下连续工作 168 小时",
    ]


def test_a_lead_that_restates_the_headline_is_no_fact_and_a_story_with_nothing_else_is_a_one_liner() -> None:
    title = "Anthropic 拟新融资 250 亿美元，估值 3500 亿美元"
    restating = Story(id="a", articles=[Article(
        url="https://www.ithome.com/0/914/303.htm", source="ithome", title=title,
        text="IT之家 1 月 19 日消息，Anthropic 拟融资 250 亿美元，估值 3500 亿美元。红杉、GIC、Coatue 领投，距上一轮 1830 亿美元估值仅 4 个月。")])
    assert extractive_item(restating).facts == ["红杉、GIC、Coatue 领投，距上一轮 1830 亿美元估值仅 4 个月"]
    bare = Story(id="b", articles=[Article(
        url="https://www.ithome.com/0/914/999.htm", source="ithome", title="Hassabis 称 AGI 只差一两个 AlphaGo 级突破",
        text="IT之家 1 月 19 日消息，Hassabis 称 AGI 只差一两个 AlphaGo 级突破。")], )
    assert extractive_item(bare).facts == []
    digest = extractive_digest(DAY_DATE, [bare, restating, *make_stories()], Settings())
    assert bare.url not in [i.url for i in digest.items] and bare.url in [b.url for b in digest.briefs]
    assert restating.url in [i.url for i in digest.items]


def test_the_extractive_draft_has_none_of_the_defects_review_catches() -> None:
    stories = [Story(id="q", articles=[Article(url="https://www.qbitai.com/2026/01/370136.html",
                                               source="qbitai", title="Berkeley 提出全身协同新方案 Choice Policy",
                                               text=QBITAI_TEXT)]), *make_stories()]
    text = render(extractive_digest(DAY_DATE, stories, Settings()))
    editorial = {"same-headline", "headline-as-bullet", "commentary-repeats-fact", "dateline-in-bullet",
                 "lead-in-as-fact", "cut-bullet"}
    assert [f.format() for f in lint_text(text, f"{DAY}.md") if f.code in editorial] == []


def test_an_item_that_must_run_without_facts_is_a_placeholder_that_blocks_publishing() -> None:
    """A replayed day whose answer for a story is missing writes that story extractively
    as the item the plan made it: when its article says no more than its headline, the
    item carries a placeholder fact, which the review counts among what blocks."""
    from aidaily.editor.extractive import PLACEHOLDER_FACT
    from aidaily.review.report import placeholder_lines

    bare = Story(id="b", articles=[Article(
        url="https://www.ithome.com/0/914/999.htm", source="ithome", title="Hassabis 称 AGI 只差一两个 AlphaGo 级突破",
        text="IT之家 1 月 19 日消息，Hassabis 称 AGI 只差一两个 AlphaGo 级突破。")])
    assert extractive_item(bare, placeholder=True).facts == [PLACEHOLDER_FACT]
    text = render(extractive_digest(DAY_DATE, make_stories(), Settings()))
    first = parse(text).items[0]
    with_placeholder = text.replace(f"- {first.bullets[0].text}\n", f"- {PLACEHOLDER_FACT}\n", 1)
    assert first.line in placeholder_lines(parse(with_placeholder))
    assert first.line not in placeholder_lines(parse(text))
