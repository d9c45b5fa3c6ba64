"""Near-duplicate grouping: the same news from several sources is one story."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aidaily.stories.dedup import (
    significant_number,
    canonical_url,
    group_duplicates,
    shingles,
    stories_from_groups,
    story_id,
)
from aidaily.checks.entities import (
    canonical_name,
    canonicalize_text,
    entity_variants,
    extract_entities,
    normalize_entities,
)
from aidaily.models import Article

SH = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 1, 18, hour, minute, tzinfo=SH)


# Realistic reports of one day (wording modelled on ithome / qbitai / hubtoday).
XAI_ITHOME = Article(
    "https://www.ithome.com/0/914/100.htm", "ithome", "xAI 上线全球首个 GW 级超算 Colossus 2",
    "IT之家 1 月 18 日消息，马斯克旗下人工智能公司 xAI 宣布，其位于美国孟菲斯的 Colossus 2 "
    "超算集群已正式上线，成为全球首个吉瓦级 AI 训练集群。马斯克表示，该集群将于 4 月升级至 1.5 GW。",
    published=at(9, 30))
XAI_QBITAI = Article(
    "https://www.qbitai.com/2026/01/370077.html", "qbitai",
    "马斯克 xAI 的 Colossus 2 超算集群投入运行，功率达 1GW",
    "全球首个GW级超算集群，上线了。就在刚刚，马斯克宣布xAI的Colossus 2正式投运，功率达1GW，"
    "相当于一座核电站，已部署55万张GPU。" * 2,
    published=at(8, 10))
XAI_HUBTODAY = Article(
    "https://ai.hubtoday.app/2026-01/2026-01-18/#1", "hubtoday", "马斯克Colossus 2正式投运",
    "全球首个GW级超算集群上线了！这座城市级算力工厂位于孟菲斯，功率达1GW，相当于一座核电站。",
    published=at(6, 10), links=["https://www.qbitai.com/2026/01/370077.html"])
XAI_FUNDING = Article(
    "https://www.ithome.com/0/914/101.htm", "ithome", "xAI 完成 200 亿美元 E 轮融资，英伟达参投",
    "IT之家 1 月 18 日消息，马斯克旗下人工智能公司 xAI 宣布完成 200 亿美元 E 轮融资，投资方包括英伟达、思科等。",
    published=at(10))
XAI_GROK = Article(
    "https://www.qbitai.com/2026/01/370100.html", "qbitai",
    "xAI 发布 Grok 4.1 Fast，智能体工具调用能力大幅提升",
    "xAI 今天发布了 Grok 4.1 Fast 模型，主打智能体工具调用，上下文窗口 200 万 token。",
    published=at(11))
TESLA_CHIP = Article(
    "https://www.ithome.com/0/914/178.htm", "ithome", "马斯克：特斯拉 AI5 芯片接近完成，AI6 已启动",
    "IT之家 1 月 18 日消息，马斯克在 X 平台表示，特斯拉 AI5 芯片设计接近完成，AI6 已经启动，"
    "目标 9 个月完成一代芯片设计。", published=at(12))
NVIDIA_TEAMS = Article(
    "https://www.qbitai.com/2026/01/370085.html", "qbitai", "英伟达一年买下十几个华人团队",
    "英伟达2025财年营收1305亿美元。200亿美元买下Groq技术与团队，一年内收购CentML、LeptonAI等。",
    published=at(13))
ANTHROPIC_ITHOME = Article(
    "https://www.ithome.com/0/914/303.htm", "ithome", "Anthropic 拟新融资 250 亿美元，估值 3500 亿美元",
    "IT之家 1 月 18 日消息，据彭博社报道，Anthropic 正在进行新一轮 250 亿美元融资，估值达 3500 亿美元，"
    "红杉、GIC、Coatue 领投。", published=at(14))
ANTHROPIC_QBITAI = Article(
    "https://www.qbitai.com/2026/01/370200.html", "qbitai", "Anthropic估值3500亿美元，4个月翻倍",
    "Anthropic又要融资了，这次250亿美元，估值3500亿美元，距上一轮1830亿美元仅4个月。",
    published=at(15))
HUB_OTHER = Article(  # another item of the same hubtoday page: never merged with the first
    "https://ai.hubtoday.app/2026-01/2026-01-18/#2", "hubtoday", "马斯克Colossus 2扩容计划",
    "马斯克透露4月将升级至1.5GW，最终达2GW。全球首个GW级超算集群上线了！",
    published=at(6, 10))

DAY = [XAI_ITHOME, XAI_QBITAI, XAI_HUBTODAY, XAI_FUNDING, XAI_GROK, TESLA_CHIP, NVIDIA_TEAMS,
       ANTHROPIC_ITHOME, ANTHROPIC_QBITAI, HUB_OTHER]


def _groups(articles: list[Article]) -> set[frozenset[str]]:
    return {frozenset(a.url for a in s.articles) for s in group_duplicates(articles)}


def test_same_news_in_other_words_merges_and_different_news_stays_apart() -> None:
    groups = _groups(DAY)
    assert frozenset({XAI_ITHOME.url, XAI_QBITAI.url, XAI_HUBTODAY.url}) in groups
    assert frozenset({ANTHROPIC_ITHOME.url, ANTHROPIC_QBITAI.url}) in groups
    for single in (XAI_FUNDING, XAI_GROK, TESLA_CHIP, NVIDIA_TEAMS, HUB_OTHER):
        assert frozenset({single.url}) in groups
    assert len(groups) == 7


def test_ithome_and_qbitai_pair_merges_without_the_hubtoday_link() -> None:
    assert _groups([XAI_ITHOME, XAI_QBITAI]) == {frozenset({XAI_ITHOME.url, XAI_QBITAI.url})}


def test_result_does_not_depend_on_input_order() -> None:
    expected = [(s.id, [a.url for a in s.articles]) for s in group_duplicates(DAY)]
    shuffled = DAY[:]
    random.Random(7).shuffle(shuffled)
    assert [(s.id, [a.url for a in s.articles]) for s in group_duplicates(shuffled)] == expected


def test_best_article_first_and_stable_id() -> None:
    (story,) = [s for s in group_duplicates(DAY) if len(s.articles) == 3]
    # full articles before the hubtoday item; the longer full article first
    assert [a.source for a in story.articles] == ["qbitai", "ithome", "hubtoday"]
    assert story.id == story_id(XAI_QBITAI.url) and len(story.id) == 12
    assert story.duplicate_count == 3 and story.sources == ["hubtoday", "ithome", "qbitai"]


def test_same_canonical_url_is_one_story() -> None:
    again = Article(XAI_ITHOME.url.replace("https://www.", "http://") + "?utm_source=rss",
                    "ithome", XAI_ITHOME.title, XAI_ITHOME.text)
    stories = group_duplicates([XAI_ITHOME, again])
    assert len(stories) == 1 and len(stories[0].articles) == 1  # one article per URL


def test_stories_from_groups_orders_and_ids() -> None:
    stories = stories_from_groups([[ANTHROPIC_QBITAI, ANTHROPIC_ITHOME], [XAI_HUBTODAY]])
    assert [s.primary.url for s in stories] == [XAI_HUBTODAY.url, ANTHROPIC_ITHOME.url]
    assert stories_from_groups([[]]) == []


@pytest.mark.parametrize(("a", "b"), [
    ("https://www.ithome.com/0/914/192.htm", "http://ithome.com/0/914/192.htm/"),
    ("https://ai.hubtoday.app//2026-01/2026-01-19/", "https://ai.hubtoday.app/2026-01/2026-01-19"),
    ("https://www.qbitai.com/2026/01/1.html?utm_medium=x&id=3", "https://qbitai.com/2026/01/1.html?id=3"),
])
def test_canonical_url(a: str, b: str) -> None:
    assert canonical_url(a) == canonical_url(b)


def test_canonical_url_keeps_fragments_of_digest_items() -> None:
    assert canonical_url("https://ai.hubtoday.app/x/#1") != canonical_url("https://ai.hubtoday.app/x/#2")


def test_shingles_see_entity_variants_alike() -> None:
    assert shingles("英伟达发布新芯片") == shingles("NVIDIA 发布新芯片！")


def test_many_articles_group_in_reasonable_time() -> None:
    """2,000 synthetic articles (with planted duplicates) go through LSH, not all pairs.
    No timing assertion: the benchmark measures speed; this shows it runs and is right."""
    rng = random.Random(1)
    vocab = list("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该铁价严龙飞")
    articles = []
    for i in range(2000):
        words = "".join(rng.choice(vocab) for _ in range(60))
        articles.append(Article(f"https://example.com/{i}", "feed", f"新闻 {i} {words[:20]}",
                                words, published=at(0) + timedelta(seconds=i)))
    for i in range(0, 200, 2):  # plant 100 re-posts on another site
        src = articles[i]
        articles.append(Article(f"https://other.example.org/{i}", "other", src.title, src.text))
    stories = group_duplicates(articles)
    assert len(stories) == 2000
    assert sum(len(s.articles) == 2 for s in stories) == 100


# --- entities ---------------------------------------------------------------------------


@pytest.mark.parametrize(("variant", "canonical"), [
    ("英伟达", "Nvidia"), ("NVIDIA", "Nvidia"), ("辉达", "Nvidia"), ("nvidia", "Nvidia"),
    ("谷歌", "Google"), ("微软", "Microsoft"), ("阿里巴巴", "Alibaba"), ("阿里", "Alibaba"),
    ("字节跳动", "ByteDance"), ("深度求索", "DeepSeek"), ("月之暗面", "Moonshot"), ("智谱", "Zhipu"),
    ("马斯克", "Musk"), ("黄仁勋", "Jensen Huang"), ("未知公司", "未知公司"),
])
def test_canonical_name(variant: str, canonical: str) -> None:
    assert canonical_name(variant) == canonical


def test_entity_variants() -> None:
    assert set(entity_variants("英伟达")) >= {"Nvidia", "NVIDIA", "英伟达", "辉达"}
    assert entity_variants("Colossus") == ("Colossus",)


@pytest.mark.parametrize(("text", "expected"), [
    ("英伟达 2025 财年营收 1305 亿美元，NVIDIA 与辉达", ["Nvidia"]),
    ("GPT-5.2 Pro 再解公开 Erdős 难题，获陶哲轩点赞", ["GPT-5.2 Pro", "Erdős", "Terence Tao"]),
    ("Anthropic 把 Claude Cowork 下放至 20 美元档", ["Anthropic", "Claude", "Claude Cowork"]),
    ("优必选 Walker S2 进空客工厂", ["UBTech", "Walker S2", "Airbus"]),
    ("xAI 上线 Colossus 2，配套 168 套特斯拉 Megapack", ["xAI", "Colossus 2", "Tesla", "Megapack"]),
    ("基于 GPT-5.2-Codex 的浏览器 FastRender", ["GPT-5.2-Codex", "FastRender"]),
    ("字节阿里各订20万张H200，1 字节", ["ByteDance", "Alibaba", "H200"]),
    ("XAI 可解释性与 meta 标签", ["XAI"]),  # not xAI, not Meta
    ("AI 与 API 的 CEO", []),
])
def test_extract_entities(text: str, expected: list[str]) -> None:
    assert extract_entities(text) == expected


def test_normalize_entities_and_canonicalize_text() -> None:
    assert normalize_entities("英伟达和 Nvidia，谷歌") == {"Nvidia", "Google"}
    assert canonicalize_text("英伟达与谷歌") == "Nvidia与Google"


@pytest.mark.parametrize(("key", "identifies"), [
    ("5%", True), ("0.5%", True),  # any share
    ("1", False), ("1.0", False), ("1.5", True), ("0.8", False),  # a fraction identifies above 1
    ("31", False), ("32", True), ("1989", True), ("1990", False), ("2100", False), ("2101", True),  # days, years
])
def test_an_identifying_figure_is_not_a_day_of_the_month_nor_a_year(key: str, identifies: bool) -> None:
    assert significant_number(key) is identifies
