"""Which articles are one story, at the edges of the rules (issue 21's mutation holes):
the thresholds at their exact bounds, the evidence a merge rests on and when it is no
evidence, the links and URLs that join articles whatever their wording, and the order
stories come in. Headlines and leads are IT之家 / 量子位 feed items (corpus/feeds) unless
said otherwise; each test asserts what ``compare`` or ``group_duplicates`` decides."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from aidaily.checks.similarity import jaccard, shingles
from aidaily.models import Article
from aidaily.stories.dedup import (
    PairVerdict,
    compare,
    group_duplicates,
    minhashes,
    story_evidence,
    story_names,
    weak_pair,
)

SH = ZoneInfo("Asia/Shanghai")


def groups(articles: list[Article]) -> list[list[str]]:
    """The stories as sorted lists of their articles' URLs, sorted."""
    return sorted(sorted(a.url for a in s.articles) for s in group_duplicates(articles))


NUBIA_TITLE = "努比亚全球首款 AI 智能体手机局部外观公布，或采用横向镜组设计方案"
NUBIA_LEAD = ("努比亚手机官方今日公布了旗下全球首款 AI 智能体手机的局部外观，新机将在 WAIC 2026 正式亮相。"
              "预热图显示，努比亚全球首款 AI 智能体手机提供了一款淡粉配色。")
NUBIA = Article("https://www.ithome.com/0/977/242.htm", "ithome", NUBIA_TITLE,
                "IT之家 7 月 15 日消息，" + NUBIA_LEAD)

# Two betas of one watchOS, both on ithome: alike (Jaccard 0.72) but two pieces of news.
WATCH_BETA2 = Article(
    "https://www.ithome.com/0/964/609.htm", "ithome", "苹果 watchOS 26.6 开发者预览版 Beta 2 发布",
    "IT之家 6 月 16 日消息，苹果今日向 Apple Watch 用户推送了 watchOS 26.6 开发者预览版 Beta 2 更新"
    "（内部版本号：23U5040d），本次更新距离上次发布 Beta / RC 间隔 20 天。")
WATCH_BETA3 = Article(
    "https://www.ithome.com/0/970/239.htm", "ithome", "苹果 watchOS 26.6 开发者预览版 Beta 3 发布",
    "IT之家 6 月 30 日消息，苹果今日向 Apple Watch 用户推送了 watchOS 26.6 开发者预览版 Beta 3 更新"
    "（内部版本号：23U5049c），本次更新距离上次发布 Beta/RC 间隔 14 天。")

X50_ITHOME = Article(
    "https://www.ithome.com/0/945/211.htm", "ithome",
    "极米推出 X50 Ultra / Max 投影仪：至高 10000:1 对比度、7000CVIA 亮度，15499-19499 元",
    "IT之家 4 月 29 日消息，极米在今天的发布会中推出了 X50 Ultra / Ultra Max 投影仪，定价为 15499 元起。"
    "X50 Ultra：15499 元，国补后 13999 元X50 Ultra Max：19499 元，国补后 17999 元")
X50_QBITAI = Article(  # written in 量子位's manner: the same launch, other words
    "https://www.qbitai.com/2026/04/400001.html", "qbitai", "极米X50 Ultra发布：首发RGB纯激光，7000CVIA亮度",
    "极米今天的发布会上，X50 Ultra系列投影仪登场，行业首发RGB纯激光光源，亮度达7000CVIA，起售价15499元。")


# --- the verdict on one pair -------------------------------------------------------------


def test_a_merge_on_shared_evidence_is_weak_and_says_what_it_rests_on() -> None:
    """Two reports of one launch in other words (Jaccard 0.18, under the 0.5 of
    near-duplicates) are one story because both name its figures; grounding marks
    such a pair (``weak_pair``), since it is not a near-duplicate."""
    assert compare(X50_ITHOME, X50_QBITAI) == PairVerdict(0.1769, frozenset({"#7000cvia", "#15499元"}), True, False)
    assert weak_pair(X50_ITHOME, X50_QBITAI) and weak_pair(X50_QBITAI, X50_ITHOME)
    assert groups([X50_ITHOME, X50_QBITAI]) == [[X50_ITHOME.url, X50_QBITAI.url]]


def test_a_near_duplicate_and_a_digest_link_are_strong_merges() -> None:
    repost = Article("https://www.cnbeta.com.tw/articles/tech/1500001.htm", "cnbeta", NUBIA_TITLE, NUBIA_LEAD)
    item = Article("https://ai.hubtoday.app/2026-07/2026-07-15/#item-3", "hubtoday", "努比亚 AI 手机亮相在即",
                   "努比亚将在 WAIC 发布智能体手机。", links=[NUBIA.url])
    assert not weak_pair(NUBIA, repost) and not weak_pair(item, NUBIA) and not weak_pair(NUBIA, item)


def test_ithomes_dateline_is_not_part_of_the_text_compared() -> None:
    """"IT之家 7 月 15 日消息，" opens every ithome article: the same article elsewhere
    without it is word for word the same text."""
    repost = Article("https://www.cnbeta.com.tw/articles/tech/1500001.htm", "cnbeta", NUBIA_TITLE, NUBIA_LEAD)
    assert compare(NUBIA, repost) == PairVerdict(1.0, frozenset(), True, True)


def test_an_article_without_text_is_compared_on_its_title_alone() -> None:
    """A feed item with a title only (量子位's JSON feed has no text) against the
    article: the title's shingles against the title and lead's."""
    item = Article("https://www.qbitai.com/2026/07/470001.html", "qbitai", NUBIA_TITLE, "")
    expected = round(jaccard(shingles(NUBIA_TITLE), shingles(NUBIA_TITLE + NUBIA_LEAD)), 4)
    assert compare(item, NUBIA).similarity == expected == 0.3671


def test_two_articles_of_one_site_merge_only_when_nearly_identical() -> None:
    """Two ithome betas share wording (0.72, over the 0.5 that joins two sites) and
    story names: one site runs one story once, so they are two stories."""
    verdict = compare(WATCH_BETA2, WATCH_BETA3)
    assert (verdict.similarity, verdict.same, verdict.strong) == (0.7209, False, False)
    assert groups([WATCH_BETA2, WATCH_BETA3]) == [[WATCH_BETA2.url], [WATCH_BETA3.url]]


# --- the bars at their exact bounds ------------------------------------------------------
# A headline cut short at two lengths: its first 7 and 12 normalised characters
# ("努比亚全球首款", "…ai智能体") share all 5 shingles of the shorter of 10: Jaccard 0.5
# exactly; 10 and 12 characters share 8 of 10: 0.8 exactly.


def cut(url: str, source: str, chars: int) -> Article:
    return Article(url, source, "努比亚全球首款AI智能体"[:chars], "")


def test_two_sites_wording_alike_at_exactly_the_near_duplicate_bar_are_one_story() -> None:
    a, b = cut("https://www.ithome.com/0/977/1.htm", "ithome", 7), cut("https://www.qbitai.com/2026/07/1.html", "qbitai", 12)
    assert compare(a, b) == PairVerdict(0.5, frozenset(), True, True)


@pytest.mark.parametrize(("chars", "similarity", "same"), [(10, 0.8, True), (9, 0.7, False)])
def test_one_site_twice_is_one_story_from_exactly_its_bar(chars: int, similarity: float, same: bool) -> None:
    a, b = cut("https://www.ithome.com/0/977/1.htm", "ithome", chars), cut("https://www.ithome.com/0/977/2.htm", "ithome", 12)
    assert compare(a, b) == PairVerdict(similarity, frozenset(), same, same)
    assert len(group_duplicates([a, b])) == (1 if same else 2)


def test_two_digest_items_are_never_one_story_however_alike() -> None:
    page = "https://ai.hubtoday.app/2026-07/2026-07-15/"
    a = Article(page + "#item-1", "hubtoday", NUBIA_TITLE, NUBIA_LEAD)
    b = Article(page + "#item-2", "hubtoday", NUBIA_TITLE, NUBIA_LEAD)
    assert compare(a, b) == PairVerdict(1.0, frozenset(), False, False)
    assert groups([a, b]) == [[a.url], [b.url]]


# --- texts with next to nothing to compare -----------------------------------------------


def test_articles_the_extractor_got_nothing_from_are_not_one_story() -> None:
    """No title, no text (or only punctuation and emoji): nothing says they are alike."""
    a = Article("https://www.ithome.com/0/977/1.htm", "ithome", "", "")
    b = Article("https://www.qbitai.com/2026/07/1.html", "qbitai", "🔥！！", "……")
    assert compare(a, b) == PairVerdict(0.0, frozenset(), False, False)
    assert len(group_duplicates([a, b])) == 2


def test_a_text_shorter_than_a_shingle_is_one_shingle() -> None:
    """Headlines of two characters and no text (a live blog's "宕机！"): alike when they are
    the same word."""
    a = Article("https://www.ithome.com/0/977/1.htm", "ithome", "宕机", "")
    b = Article("https://www.qbitai.com/2026/07/1.html", "qbitai", "宕机！", "")
    c = Article("https://www.36kr.com/p/1", "36kr", "停服", "")
    assert compare(a, b) == PairVerdict(1.0, frozenset(), True, True)
    assert compare(a, c).similarity == 0.0
    assert groups([a, b, c]) == [[c.url], [a.url, b.url]]


# --- what counts as evidence ---------------------------------------------------------------


def test_a_person_is_no_story_evidence() -> None:
    """陶哲轩 (a person, not in the shared names) is quoted by many stories."""
    assert story_names("GPT-5.2 Pro 再解公开 Erdős 难题，获陶哲轩点赞") == {"gpt-5.2 pro", "erdős"}


@pytest.mark.parametrize(("headline", "evidence"), [
    # a share is evidence whatever follows it; 618 (a shopping festival) and 799 (a
    # struck-out price) count nothing; 0.069 元 is below 1; 12 期 is a small count
    ("低于 618：答菲新升级第四代湿厕纸 0.069 元 / 抽，特含≥20% 莱赛尔纤维", {"#20%"}),
    ("内盒钛含量达 99.9%：宝威玛四层保温饭盒 799 → 198 元 12 期免息（含钛筷勺）", {"#99.9%", "#198元"}),
    # a Latin unit in lower case, so that 16000MT/s and 16000 mt/s are one figure
    ("瑞萨电子推出第三代 DDR5 MRDIMM 芯片组解决方案，支持 16000MT/s", {"ddr5 mrdimm", "#16000mt"}),
])
def test_story_evidence_of_real_headlines(headline: str, evidence: set[str]) -> None:
    assert story_evidence(headline) == evidence


# --- URLs and links join articles whatever their wording ----------------------------------

NUBIA_UPDATED = Article(  # the same URL fetched again after ithome rewrote the headline
    "http://ithome.com/0/977/242.htm?utm_source=rss", "ithome", "努比亚首款 AI 智能体手机外观揭晓：淡粉配色、横向镜组",
    "IT之家 7 月 15 日消息，更新：努比亚今晚放出第二张预热图，确认新机采用横向排列的后置镜头模组。")


def test_one_url_fetched_twice_is_one_story_whatever_its_text() -> None:
    front = Article("https://www.ithome.com/", "ithome", "IT之家 - 数码之家", "努比亚、小米、OPPO 新品汇总。")
    stories = group_duplicates([front, NUBIA, NUBIA_UPDATED])
    assert sorted([a.url for a in s.articles] for s in stories) == [[front.url], [NUBIA.url]]


def test_links_to_a_site_front_page_name_no_article() -> None:
    """Two items whose link is a site's front page are two stories, not one article."""
    a = Article("https://www.ithome.com/", "feed", "努比亚全球首款 AI 智能体手机局部外观公布", "")
    b = Article("https://ithome.com", "rss", "任天堂新一期直面会明晚举行，展示 Switch 2 和 Switch 第三方游戏", "")
    assert groups([a, b]) == [[b.url], [a.url]]


def test_one_digest_item_fetched_twice_is_one_story() -> None:
    """hubtoday's RSS writes the page URL with '//' (its page does not): two fetches of
    one item are one story, though two items of a digest never are."""
    rss = Article("https://ai.hubtoday.app//2026-07/2026-07-15/#item-3", "hubtoday", "努比亚 AI 手机亮相在即",
                  "努比亚将在 WAIC 发布智能体手机。")
    page = Article("https://ai.hubtoday.app/2026-07/2026-07-15/#item-3", "hubtoday", "努比亚 AI 智能体手机",
                   "努比亚官宣首款 AI 智能体手机，WAIC 见。")
    assert len(group_duplicates([rss, page])) == 1


def test_a_digest_item_joins_the_article_it_links_in_any_words() -> None:
    item = Article("https://ai.hubtoday.app/2026-07/2026-07-15/#item-3", "hubtoday", "手机厂商押注智能体",
                   "又一家厂商把大模型装进手机，首款机型本月亮相。",
                   links=["https://m.example.com/elsewhere", "https://ithome.com/0/977/242.htm"])
    other = Article("https://www.qbitai.com/2026/07/470001.html", "qbitai", "清华系团队给大模型织了一张“智能算力电网”", "")
    assert compare(replace(item, links=[]), NUBIA).similarity < 0.1  # the words alone would not join them
    assert groups([NUBIA, item, other]) == [[item.url, NUBIA.url], [other.url]]


def test_a_digest_item_that_matches_an_article_best_is_the_one_that_joins_it() -> None:
    """Two items of one digest page both resemble an article; only one may join its
    story (a page lists a piece of news once): the closer one."""
    page = "https://ai.hubtoday.app/2026-07/2026-07-15/"
    close = Article(page + "#item-1", "hubtoday", NUBIA_TITLE, NUBIA_LEAD[:60])
    loose = Article(page + "#item-2", "hubtoday", NUBIA_TITLE, NUBIA_LEAD[:30] + "，将搭载豆包手机助手。")
    assert compare(close, NUBIA).similarity > compare(loose, NUBIA).similarity >= 0.5
    for order in ([NUBIA, loose, close], [loose, close, NUBIA]):
        assert groups(order) == [[close.url, NUBIA.url], [loose.url]]


def test_one_article_at_ithomes_mobile_address_is_one_story() -> None:
    mobile = Article("https://m.ithome.com/html/977242.htm", "ithome", NUBIA.title, NUBIA.text)
    assert groups([NUBIA, mobile]) == [[mobile.url, NUBIA.url]]


# --- the order of stories --------------------------------------------------------------------


def test_stories_come_earliest_first_and_a_time_without_zone_is_utc() -> None:
    """A feed that writes times without a zone means UTC (RSS/Atom): 09:00 in Shanghai is
    01:00 UTC, between 00:30 and 03:00 without zone; an undated article comes last."""
    def at(url: str, title: str, published: datetime | None) -> Article:
        return Article(url, "ithome", title, "", published=published)
    undated = at("https://www.ithome.com/0/1/4.htm", "苹果 watchOS 26.0.1 正式版发布", None)
    late = at("https://www.ithome.com/0/1/3.htm", "瑞萨电子推出第三代 DDR5 MRDIMM 芯片组解决方案", datetime(2026, 7, 15, 3, 0))
    shanghai = at("https://www.ithome.com/0/1/2.htm", NUBIA_TITLE, datetime(2026, 7, 15, 9, 0, tzinfo=SH))
    early = at("https://www.ithome.com/0/1/1.htm", "任天堂新一期直面会明晚举行", datetime(2026, 7, 15, 0, 30))
    stories = group_duplicates([undated, late, shanghai, early])
    assert [s.primary.url for s in stories] == [early.url, shanghai.url, late.url, undated.url]
    assert shanghai.published == datetime(2026, 7, 15, 1, 0, tzinfo=UTC)
    assert shanghai.published - timedelta(minutes=30) == early.published.replace(tzinfo=UTC)  # type: ignore[union-attr]


# --- where candidates come from -----------------------------------------------------------

#: One day's reports naming Switch 2 (the first, second and fourth are IT之家's; the
#: others are written in their sites' manner). The first and third are one piece of news
#: in other words (Jaccard 0.14, under LSH's reach): only the name they share brings them
#: together, and it does while at most six of the day's articles name it.
SWITCH2 = [
    Article("https://www.ithome.com/0/857/340.htm", "ithome", "任天堂为 Switch 2 升级家长控制模式：可限制子女与指定用户聊天",
            "IT之家 5 月 30 日消息，为了配合即将于 6 月 5 日推出的 Switch 2，任天堂日前更新了 Nintendo Switch "
            "家长控制应用。此次更新不仅支持新主机，还新增了更细致的管理功能，帮助家长限制子女使用 Switch 2"
            "“GameChat”语音聊天服务。"),
    Article("https://www.ithome.com/0/871/904.htm", "ithome", "任天堂新一期直面会明晚举行，展示 Switch 2 和 Switch 第三方游戏",
            "IT之家 7 月 30 日消息，任天堂官宣，将于美国东部时间 7 月 31 日上午 9 点（北京时间晚上 9 点）举行新一期"
            "直面会。根据任天堂的预热，本次直面会时长大约 25 分钟，将展示发行合作伙伴即将推出的 Switch 2 和 Switch 游戏。"),
    Article("https://www.qbitai.com/2025/05/300001.html", "qbitai", "Switch 2 开售前，任天堂升级家长控制模式：可限制子女和谁聊天",
            "任天堂更新了家长控制应用：16 岁以下玩家在 Switch 2 上语音聊天，只能找父母许可的好友。"),
    Article("https://www.ithome.com/0/918/007.htm", "ithome",
            "Anbernic 安伯尼克 RG G01 手柄详细参数公布：兼容 Switch 2，带有霍尔扳机、电容摇杆、微动按键",
            "IT之家 1 月 30 日消息，Anbernic 安伯尼克今天发布视频，公布 RG G01 手柄的详细参数。这款手柄定位高端，"
            "最大的亮点便是搭载了一枚心率传感器。"),
    Article("https://www.36kr.com/p/300002", "36kr", "Switch 2 首周销量破纪录，任天堂股价上涨",
            "据任天堂财报，Switch 2 首发周全球卖出数百万台，成为其史上卖得最快的游戏机，任天堂股价随之走高。"),
    Article("https://www.gamersky.com/news/300003.shtml", "gamersky", "《马力欧赛车 世界》成 Switch 2 首发护航大作",
            "作为 Switch 2 的首发护航游戏，《马力欧赛车 世界》支持 24 人同场竞速，开放世界地图可自由探索。"),
    Article("https://www.sspai.com/post/300004", "sspai", "Switch 2 开箱：更大的屏幕，磁吸 Joy-Con",
            "我们拿到了 Switch 2 零售版。7.9 英寸屏幕比前代更大，Joy-Con 改为磁吸连接，底座支持 4K 输出。"),
]


@pytest.mark.parametrize(("naming", "together"), [(6, True), (7, False)])
def test_a_name_is_evidence_up_to_six_articles_of_the_day(naming: int, together: bool) -> None:
    parents, kids = SWITCH2[0], SWITCH2[2]
    assert compare(parents, kids) == PairVerdict(0.1438, frozenset({"switch 2"}), True, False)
    stories = groups(SWITCH2[:naming])
    assert len(stories) == naming - together
    assert ([parents.url, kids.url] in stories) is together


def blocked(i: int) -> Article:
    """An anti-bot page a site served instead of the article."""
    return Article(f"https://site{i}.example.com/news/{i}.html", f"site{i}", "访问验证",
                   "您的访问请求已被拦截，请开启浏览器的 JavaScript 并刷新页面后重试。")


@pytest.mark.parametrize(("copies", "merged"), [(200, True), (201, False)])
def test_a_text_more_than_200_articles_share_is_boilerplate(copies: int, merged: bool) -> None:
    """One text in more than 200 articles is a template (an anti-bot page), not a piece
    of news: it merges nothing, and the articles after it are still compared."""
    repost = Article("https://www.cnbeta.com.tw/articles/tech/1500001.htm", "cnbeta", NUBIA_TITLE, NUBIA_LEAD)
    sizes = sorted(len(s.articles) for s in group_duplicates([*map(blocked, range(copies)), NUBIA, repost]))
    assert sizes == ([2, copies] if merged else [1] * copies + [2])


def test_signatures_are_the_same_in_every_run() -> None:
    """Seeded MinHashes: the same articles, the same candidate pairs, the same stories."""
    sets = [{"努比亚".encode("utf-32-le"), "比亚全".encode("utf-32-le")}, {"豆包".encode("utf-32-le")}]
    first, again = minhashes(sets), minhashes(sets)
    assert [list(m.hashvalues) for m in first] == [list(m.hashvalues) for m in again]


def test_units_two_launches_share_are_no_evidence_of_one_story() -> None:
    """Two 极米 projectors launched at one event (IT之家, 2026-04-29) both give their
    brightness in ISO and CVIA: units, not names (they made the two one story)."""
    rs30 = Article("https://www.ithome.com/0/945/206.htm", "ithome",
                   "极米 RS30 系列投影仪发布：引入无极光圈技术、至高 6800 ISO/7000:1 对比度，8822-13499 元",
                   "IT之家 4 月 29 日消息，在今天的极米发布会中，RS30 系列投影仪正式登场，定价为 8822-11999 元。"
                   "RS30 Pro（3600 ISO / 3200 CVIA，4000:1 对比度）：8822 元，国补后 7499 元")
    mira = Article("https://www.qbitai.com/2026/04/400002.html", "qbitai", "极米 MIRA 4K/Pro 短焦投影仪发布：0.175:1 投射比",
                   "极米发布会推出了 MIRA 4K/Pro 短焦投影仪，前者为 1700CVIA / 2000 ISO 规格，定价为 6499 元；"
                   "后者为 2750 CVIA / 3000 ISO 规格，定价为 7999 元。")
    assert "iso" not in story_names(rs30.text) and "cvia" not in story_names(mira.text)
    assert compare(rs30, mira) == PairVerdict(0.1364, frozenset(), False, False)
    assert groups([rs30, mira]) == [[rs30.url], [mira.url]]
