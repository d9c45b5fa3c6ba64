"""Selection: window, AI relevance on ithome-like articles, ranking, story cards."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aidaily.stories.dedup import group_duplicates
from aidaily.models import Article, Story
from aidaily.stories.relevance import house_weight
from aidaily.stories.select import (
    in_window,
    is_ai_relevant,
    lead_text,
    rank_stories,
    select_articles,
    story_cards,
    window_for,
)

SH = ZoneInfo("Asia/Shanghai")


def art(title: str, text: str = "", source: str = "ithome", url: str | None = None,
        published: datetime | None = None, **kw) -> Article:
    return Article(url or f"https://www.ithome.com/0/{abs(hash(title)) % 10**6}.htm", source,
                   title, text, published=published, **kw)


# --- window -----------------------------------------------------------------------------


def test_window_for_is_the_24h_before_midnight_shanghai() -> None:
    start, end = window_for(date(2026, 1, 19))
    assert end == datetime(2026, 1, 19, 0, 0, tzinfo=SH)
    assert start == datetime(2026, 1, 18, 0, 0, tzinfo=SH)
    assert end.utcoffset() == timedelta(hours=8)
    start, end = window_for(date(2026, 1, 19), hours=36, tz="UTC")
    assert end - start == timedelta(hours=36) and end.tzinfo == ZoneInfo("UTC")


@pytest.mark.parametrize(("published", "inside"), [
    (datetime(2026, 1, 18, 0, 0, tzinfo=SH), True),  # start included
    (datetime(2026, 1, 18, 23, 59, 59, tzinfo=SH), True),
    (datetime(2026, 1, 19, 0, 0, tzinfo=SH), False),  # end excluded
    (datetime(2026, 1, 17, 15, 59, tzinfo=ZoneInfo("UTC")), False),  # 23:59 Beijing on the 17th
    (datetime(2026, 1, 17, 16, 0, tzinfo=ZoneInfo("UTC")), True),  # 00:00 Beijing on the 18th
    (datetime(2026, 1, 18, 6, 10), True),  # naive: read as Beijing time (hubtoday page time)
])
def test_in_window(published: datetime, inside: bool) -> None:
    assert in_window(art("x", published=published), window_for(date(2026, 1, 19))) is inside


def test_undated_articles_are_out_unless_asked() -> None:
    window = window_for(date(2026, 1, 19))
    assert not in_window(art("x"), window)
    assert in_window(art("x"), window, undated=True)


# --- relevance ----------------------------------------------------------------------------

PHONE_REVIEW = ("IT之家 1 月 18 日消息，小米 17 Ultra 今日开售，搭载骁龙 8 至尊版处理器，支持 AI 拍照。"
                + "这款手机的续航表现出色，电池容量 7000mAh，支持 100W 快充和 50W 无线充电。"
                  "影像方面配备徕卡光学镜头，主摄为一英寸大底，夜景表现优秀。" * 6)

AI_STORIES = [
    ("智谱发布 GLM-5 大模型，开源 7440 亿参数", "智谱今日发布新一代模型。"),
    ("OpenAI 推出 ChatGPT Go 订阅，价格为 Plus 的 40%", ""),
    ("Anthropic 把 Claude Cowork 下放至 20 美元 Pro 档", ""),
    ("xAI 上线全球首个 GW 级超算 Colossus 2", ""),
    ("三星高管：不追噱头，专注有用的 Galaxy AI", ""),
    ("华为发布昇腾 950 芯片", "面向大模型训练与推理。"),
    ("英伟达发布 Rubin 平台", "英伟达称新平台面向大模型训练与推理，AI 算力提升 5 倍，智能体推理成本下降。"),
    ("这家公司发布新品", "它搭载大模型，智能体可以自主完成任务。AI 助手可以帮你写代码，基于 OpenAI 的 GPT 模型。"),
]
NOT_AI = [
    ("小米 17 Ultra 评测：一英寸大底影像旗舰", PHONE_REVIEW),
    ("华为 Mate 80 Pro 开售，5999 元起", "华为 Mate 80 Pro 今日开售，搭载麒麟 9030 芯片。"),
    ("《黑神话：钟馗》公布，采用虚幻 5 引擎", "游戏科学今日公布新作。"),
    ("比亚迪汉 L 上市，售价 20.98 万元起", "比亚迪汉 L 今日上市，续航 700 公里。"),
    ("微软 Win11 推送 1 月更新，修复开始菜单 Bug", "微软今日推送更新，修复了若干问题。"),
    ("英伟达 RTX 5090 显卡降价", "英伟达 RTX 5090 显卡在电商平台降价 2000 元。"),
]


@pytest.mark.parametrize(("title", "text"), AI_STORIES)
def test_ai_stories_are_relevant(title: str, text: str) -> None:
    assert is_ai_relevant(art(title, text))


@pytest.mark.parametrize(("title", "text"), NOT_AI)
def test_other_tech_news_is_not(title: str, text: str) -> None:
    assert not is_ai_relevant(art(title, text))


def test_the_house_weight_puts_a_model_release_above_a_phone_review() -> None:
    llm = house_weight("智谱发布 GLM-5 大模型", "大模型推理能力提升。")
    phone = house_weight("小米 17 Ultra 评测", PHONE_REVIEW)
    assert 0.0 <= phone < 0.5 < llm <= 1.0


def test_configured_keywords_are_used() -> None:
    assert not is_ai_relevant(art("比亚迪汉 L 上市，售价 20.98 万元起"))
    assert is_ai_relevant(art("比亚迪汉 L 上市，售价 20.98 万元起"), keywords=["比亚迪"])


def test_select_articles() -> None:
    window = window_for(date(2026, 1, 19))
    inside = datetime(2026, 1, 18, 12, tzinfo=SH)
    articles = [
        art("OpenAI 发布新模型", published=inside),
        art("小米 17 Ultra 评测", PHONE_REVIEW, published=inside),
        art("量子位的任何文章", source="qbitai", published=inside),  # AI-only source
        art("OpenAI 旧闻", published=inside - timedelta(days=2)),
        art("游戏新闻", published=inside, ai_relevant=True),  # decided upstream
    ]
    assert [a.title for a in select_articles(articles, window)] == [
        "OpenAI 发布新模型", "量子位的任何文章", "游戏新闻"]


# --- ranking ------------------------------------------------------------------------------


def _story(*articles: Article) -> Story:
    (story,) = group_duplicates(list(articles))
    return story


def test_rank_stories_by_coverage_then_weight_house_weight_recency() -> None:
    t = datetime(2026, 1, 18, 12, tzinfo=SH)
    covered = Story("a", [art("Anthropic 拟融资 250 亿美元", url="https://www.ithome.com/0/1.htm", published=t),
                          art("Anthropic 估值 3500 亿美元", source="qbitai",
                              url="https://www.qbitai.com/2026/01/1.html", published=t)])
    strong = Story("b", [art("OpenAI 发布 GPT-5.3 大模型", source="qbitai",
                             url="https://www.qbitai.com/2026/01/2.html", published=t)])
    # A phone with an AI feature: AI news, but not what the house gives room to.
    weak = Story("c", [art("华为 Mate 80 Pro 开售，支持 AI 修图", "华为 Mate 80 Pro 今日开售，支持 AI 修图功能。",
                           url="https://www.ithome.com/0/3.htm", published=t)])
    old_twin = Story("d", [art("OpenAI 发布 GPT-5.3 大模型", source="qbitai",
                               url="https://www.qbitai.com/2026/01/0.html",
                               published=t - timedelta(hours=5))])
    ranked = rank_stories([weak, old_twin, strong, covered])
    assert [s.id for s in ranked] == ["a", "b", "d", "c"]
    assert [s.id for s in rank_stories([covered, strong, old_twin, weak])] == ["a", "b", "d", "c"]


def test_rank_stories_ties_break_by_url() -> None:
    a = Story("1", [art("同一标题 AI", url="https://www.ithome.com/0/2.htm")])
    b = Story("2", [art("同一标题 AI", url="https://www.ithome.com/0/1.htm")])
    assert [s.id for s in rank_stories([a, b])] == ["2", "1"]
    assert [s.id for s in rank_stories([b, a])] == ["2", "1"]


def test_source_weights_are_configurable() -> None:
    a = Story("1", [art("AI 新闻", source="feed1", url="https://a.example/1")])
    b = Story("2", [art("AI 新闻", source="feed2", url="https://b.example/1")])
    assert [s.id for s in rank_stories([a, b], source_weights={"feed2": 1.0})] == ["2", "1"]


# --- cards --------------------------------------------------------------------------------


def test_lead_text() -> None:
    text = "IT之家 1 月 18 日消息，马斯克旗下 xAI 宣布 Colossus 2 上线。功率 1 GW。年内将扩至 2 GW。"
    assert lead_text(text, 40) == "马斯克旗下 xAI 宣布 Colossus 2 上线。功率 1 GW。"
    assert lead_text("没有句号的很长的一句话" * 20, 10) == "没有句号的很长的一…"
    assert lead_text("短。", 120) == "短。"


def test_story_cards() -> None:
    t = datetime(2026, 1, 18, 9, tzinfo=SH)
    ithome = art("xAI 上线全球首个 GW 级超算 Colossus 2",
                 "IT之家 1 月 18 日消息，马斯克旗下 xAI 宣布，Colossus 2 超算集群已正式上线。功率 1 GW，"
                 "相当于一座核电站。", url="https://www.ithome.com/0/914/100.htm", published=t)
    hub = art("马斯克Colossus 2正式投运", "全球首个GW级超算集群上线了！", source="hubtoday",
              url="https://ai.hubtoday.app/2026-01/2026-01-18/#1", published=t,
              links=["https://www.ithome.com/0/914/100.htm"])
    (card,) = story_cards(group_duplicates([hub, ithome]), lead_chars=60)
    assert card["source"] == "ithome" and card["sources"] == ["hubtoday", "ithome"]
    assert card["title"] == ithome.title and card["duplicates"] == 2
    assert card["lead"] == "马斯克旗下 xAI 宣布，Colossus 2 超算集群已正式上线。功率 1 GW，相当于一座核电站。"
    assert card["entities"][:3] == ["xAI", "Colossus 2", "Musk"]
    assert card["digest_only"] is False and len(card["id"]) == 12
