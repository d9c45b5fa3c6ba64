"""What makes two reports one story, and which earlier issue a repeat is charged to.

Pinned by results of the public functions (``group_duplicates``, ``recall``), not by the
rules' inner names, so the tests hold through a rewrite of the evidence:

- a year two reports share identifies nothing (two companies' 2025 results are two stories);
- a name that many of the day's articles mention identifies nothing either (eight uses
  of one model are eight stories);
- a story two earlier issues both ran is reported against the most recent of them.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from aidaily.models import Article, PastIssue, PastItem, Story
from aidaily.stories.dedup import group_duplicates
from aidaily.memory.recall import recall

WHEN = datetime(2026, 1, 19, 9, tzinfo=ZoneInfo("Asia/Shanghai"))


def article(url: str, source: str, title: str, text: str) -> Article:
    return Article(url=url, source=source, title=title, text=text, published=WHEN)


def sizes(articles: list[Article]) -> list[int]:
    return sorted(len(s.articles) for s in group_duplicates(articles))


@pytest.mark.parametrize("year", ["2025", "2026", "1999"])
def test_a_shared_year_does_not_make_two_reports_one_story(year: str) -> None:
    # Two sites, two companies' results in the same words: alike (shingle Jaccard ~0.38,
    # under the 0.5 of near-duplicates) but two pieces of news; the year is all they share.
    apple = article("https://www.ithome.com/0/1/1.htm", "ithome", f"苹果公司 {year} 年财报：iPhone 销量创下新高",
                    f"苹果公司公布 {year} 年财报，iPhone 销量创下新高，服务业务收入继续增长。")
    google = article("https://www.qbitai.com/2026/01/1.html", "qbitai", f"谷歌公司 {year} 年财报：云业务收入创下新高",
                     f"谷歌公司公布 {year} 年财报，云业务收入创下新高，广告收入继续增长。")
    assert sizes([apple, google]) == [1, 1]


def test_a_shared_identifying_figure_does_make_them_one_story() -> None:
    """The control of the test above: the same two texts with a figure that identifies
    news in place of the year are one story (the shared evidence decides, not wording)."""
    figure = "1243 亿美元"
    a = article("https://www.ithome.com/0/1/1.htm", "ithome", f"苹果公司 {figure} 财报：iPhone 销量创下新高",
                f"苹果公司公布 {figure} 财报，iPhone 销量创下新高，服务业务收入继续增长。")
    b = article("https://www.qbitai.com/2026/01/1.html", "qbitai", f"谷歌公司 {figure} 财报：云业务收入创下新高",
                f"谷歌公司公布 {figure} 财报，云业务收入创下新高，广告收入继续增长。")
    assert sizes([a, b]) == [2]


#: Eight pieces of news from eight sites, all about uses of one model (pairwise shingle
#: Jaccard 0.07-0.11: no near-duplicates). Its name is in every one of them.
GEMINI_USES = [
    ("三星手机接入 Gemini 3 助手", "三星宣布旗下手机系列将接入 Gemini 3 智能助手，首批机型下月推送。"),
    ("小米汽车座舱测试 Gemini 3", "小米汽车在海外版座舱中测试 Gemini 3，支持语音导航和车控。"),
    ("Gemini 3 登顶数学竞赛榜单", "最新数学竞赛评测显示 Gemini 3 得分第一，超过上一代模型两成。"),
    ("教育平台用 Gemini 3 批改作文", "一家在线教育平台用 Gemini 3 批改学生作文，教师工作量减半。"),
    ("医院试点 Gemini 3 读片", "一家医院试点用 Gemini 3 辅助阅读影像片子，准确率接近专科医生。"),
    ("Gemini 3 进入浏览器侧边栏", "浏览器厂商把 Gemini 3 放进侧边栏，可以总结网页和填写表单。"),
    ("游戏公司用 Gemini 3 生成关卡", "一家游戏公司用 Gemini 3 自动生成关卡设计，开发周期缩短。"),
    ("律所引入 Gemini 3 审合同", "一家律师事务所引入 Gemini 3 审阅合同条款，发现风险更快。"),
]


def test_a_name_in_many_articles_is_no_evidence_of_one_story() -> None:
    articles = [article(f"https://site{i}.example/{i}", f"site{i}", title, text)
                for i, (title, text) in enumerate(GEMINI_USES)]
    assert sizes(articles) == [1] * len(GEMINI_USES)


# --- memory: which earlier issue -------------------------------------------------------------

XAI = article("https://www.qbitai.com/2026/01/370077.html", "qbitai", "xAI 上线 Colossus 2：全球首个 1 GW 级 AI 训练集群",
              "xAI 宣布 Colossus 2 上线，功率 1 GW，相当于一座核电站。集群已部署 55 万张 GPU。")


def issue(day: date, headline: str) -> PastIssue:
    return PastIssue(day, "published", f"sha-{day}", items=[
        PastItem("item", headline, XAI.url, ["功率 1 GW，已部署 55 万张 GPU"], "s-xai", [XAI])])


@pytest.mark.parametrize("order", ["oldest first", "newest first"])
def test_a_story_two_earlier_issues_ran_is_charged_to_the_latest(order: str) -> None:
    issues = [issue(date(2026, 1, 15), "第一次：Colossus 2 上线"), issue(date(2026, 1, 17), "第二次：Colossus 2 满载"),
              issue(date(2026, 1, 16), "中间那次：Colossus 2 调试")]
    if order == "newest first":
        issues.reverse()
    again = article("https://36kr.com/p/1", "36kr", "xAI Colossus 2 超算投入运行",
                    "xAI 的 Colossus 2 投入运行，功率 1GW，部署 55 万张 GPU。")
    result = recall([Story("t", [again])], issues)
    assert result.stories == []
    [(story, earlier)] = result.covered
    assert story.id == "t"
    assert (earlier.day, earlier.title, earlier.url) == (date(2026, 1, 17), "第二次：Colossus 2 满载", XAI.url)
