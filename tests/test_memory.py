"""Memory across issues: a story an earlier issue ran is not run again, unless it brings
new facts; then it runs once, marked as a follow-up.

Two consecutive days. Day 1 (digest 2026-01-19) is the handmade day of
``tests.factories`` (12 stories, all of them run). Day 2 (digest 2026-01-20) is the
REAL hubtoday page of 2026-01-19 (``fixtures/hubtoday/daily_as_published/2026-01-19.md``,
14 items; its first one, "马斯克Colossus 2正式投运", cites day 1's qbitai article and adds
"4 月升级至 1.5GW" and "6 万亿参数": a real follow-up) plus ``REREPORTS``: seven of day 1's
stories re-reported by other sites under new URLs, in other words, with nothing new.
The pure matching is also checked on two real hubtoday pages (2026-01-15 / 16: the
second repeats one GitHub project of the first).
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.config import Settings, load_settings
from aidaily.format.lint import has_errors, lint_text
from aidaily.format.parse import parse
from aidaily.models import Article, PastIssue, PastItem, Story
from aidaily.pipeline.options import RunOptions
from aidaily.pipeline.report import RunReport
from aidaily.pipeline.stages import run_day
from aidaily.store.drafts import Drafts
from aidaily.review.publish import publish_draft
from aidaily.store.store import Store
from aidaily.stories.dedup import group_duplicates
from aidaily.memory.recall import FOLLOW_UP_MARK, _is_name, mark_follow_up, new_facts, recall
from sources.hubtoday import HubtodaySource
from tests.factories import fake_editor, first_user, make_stories, new_postgres_database, plan_for
from tests.fakellm import FakeLLM, FakeRequest

BJ = ZoneInfo("Asia/Shanghai")
DAY1, DAY2 = date(2026, 1, 19), date(2026, 1, 20)
HUBTODAY = Path(__file__).parent / "fixtures" / "hubtoday" / "daily_as_published"
COLOSSUS_HUB = "https://ai.hubtoday.app/2026-01/2026-01-19/#item-1"  # real: cites day 1's article

#: (source, new URL, title, text, the day-1 URL of the story it re-reports). Written for
#: this test from the facts of day 1's articles only, in other words.
REREPORTS = [
    ("36kr", "https://36kr.com/p/3001", "马斯克：特斯拉 AI5 芯片即将完成设计，AI6 已经启动",
     "特斯拉 CEO 马斯克称，AI5 芯片已接近完成，AI6 已经启动。特斯拉的目标是每 9 个月完成一代芯片设计。"
     "如果 AI5 要到 2027 年中才量产，Cybercab 可能仍使用 AI4。", "https://www.ithome.com/0/914/178.htm"),
    ("jiqizhixin", "https://www.jiqizhixin.com/articles/2026-01-19-3",
     "数百个 AI 智能体连写一周：Cursor 交付 300 万行代码的浏览器 FastRender",
     "Cursor 用 GPT-5.2-Codex 驱动数百个智能体连续开发 168 小时，写出了 300 万行代码的浏览器 FastRender。"
     "它已经可以渲染谷歌首页，源码已开源。", "https://www.ithome.com/0/914/192.htm"),
    ("sina", "https://finance.sina.com.cn/tech/2026-01-19/doc-1.shtml",
     "陶哲轩点赞：GPT-5.2 Pro 几乎独立解决一道 Erdős 问题",
     "OpenAI 的 GPT-5.2 Pro 几乎独立完成了一道 Erdős 组合数学难题的证明，陶哲轩认为这是 AI 解决开放问题最明确的案例。",
     "https://www.ithome.com/0/914/198.htm"),
    ("36kr", "https://36kr.com/p/3002", "Anthropic 新一轮融资 250 亿美元，估值升至 3500 亿美元",
     "据悉，Anthropic 正在进行 250 亿美元的新一轮融资，估值达到 3500 亿美元，由红杉、GIC 和 Coatue 领投。"
     "上一轮估值为 1830 亿美元，两轮相隔仅 4 个月。", "https://www.ithome.com/0/914/303.htm"),
    ("sina", "https://finance.sina.com.cn/tech/2026-01-19/doc-2.shtml", "优必选 Walker S2 人形机器人进驻空客工厂",
     "优必选的 Walker S2 人形机器人已进入空客工厂工作。该机器人拥有 52 个自由度，负载 15 kg；"
     "优必选规划 2026 年产能达到万台，海外订单已超过 14 亿元。", "https://www.ithome.com/0/914/232.htm"),
    ("jiqizhixin", "https://www.jiqizhixin.com/articles/2026-01-19-5", "韩国人每月花 803 亿韩元订阅 AI，首次超过 Netflix",
     "韩国用户在 AI 订阅上的月支出达到 803 亿韩元，超过 Netflix，其中 ChatGPT 占 71.5%，企业客单价为 509 元。",
     "https://www.ithome.com/0/914/305.htm"),
    ("36kr", "https://36kr.com/p/3003", "Hassabis：AGI 还差一两个 AlphaGo 级别的突破",
     "Hassabis 表示，距离 AGI 只差一到两个 AlphaGo 级别的突破，五年内就可能实现。",
     "https://www.ithome.com/0/914/278.htm"),
]
ANTHROPIC_URL = "https://36kr.com/p/3002"
#: The Anthropic re-report with news in it: a bigger round, a higher valuation, new investors.
ANTHROPIC_NEWS = ("36kr", ANTHROPIC_URL, "Anthropic 完成 300 亿美元融资，估值 3800 亿美元，微软、英伟达参投",
                  "Anthropic 宣布完成 300 亿美元融资，投后估值 3800 亿美元，高于此前传出的 3500 亿美元。"
                  "微软和英伟达参与本轮投资。", "https://www.ithome.com/0/914/303.htm")


# --- the two days ---------------------------------------------------------------------------


def run(settings: Settings, day: date, *, use_llm: bool = False) -> RunReport:
    return asyncio.run(run_day(settings, day, RunOptions(fetch=False, use_llm=use_llm, skip_unchanged=False)))


def day_one(home: Path, config: str = "") -> Settings:
    """A home whose day 1 is written (extractive): all 12 stories run."""
    (home / "aidaily.toml").write_text(config, encoding="utf-8")
    settings = load_settings(home)
    Store.from_settings(settings).upsert_articles(
        replace(a, ai_relevant=True) for s in make_stories() for a in s.articles)
    report = run(settings, DAY1)
    assert report.draft and report.items + report.briefs == 12 and not report.covered, report.to_dict()
    return settings


def hubtoday_page(day: str) -> list[Article]:
    """The real hubtoday page of ``day`` as the adapter reads it."""
    text = (HUBTODAY / f"{day}.md").read_text(encoding="utf-8")
    return HubtodaySource().parse_listing(f"https://ai.hubtoday.app/{day[:7]}/{day}/", text).articles


def store_day_two(settings: Settings, rereports: list[tuple[str, str, str, str, str]] = REREPORTS) -> None:
    when = datetime(2026, 1, 19, 10, tzinfo=BJ)  # in the window of the digest dated 2026-01-20
    others = [Article(url=url, source=src, title=title, text=text, published=when, ai_relevant=True)
              for src, url, title, text, _ in rereports]
    Store.from_settings(settings).upsert_articles(hubtoday_page("2026-01-19") + others)


def draft_text(settings: Settings, day: date) -> str:
    return Drafts(settings.drafts_dir).current_path(day.isoformat()).read_text(encoding="utf-8")


def lines_with(text: str, url: str) -> list[str]:
    return [line for line in text.split("\n") if f"]({url})" in line]


# --- acceptance -----------------------------------------------------------------------------


def test_day_two_runs_none_of_the_stories_day_one_ran_and_is_still_a_full_issue(home: Path) -> None:
    settings = day_one(home)
    publish_draft(settings, DAY1, force=True)  # the published post is what ran
    store_day_two(settings)

    report = run(settings, DAY2)
    assert report.exit_code == 0, report.to_dict()
    text = draft_text(settings, DAY2)
    digest = parse(text)
    assert not has_errors(lint_text(text))
    assert len(digest.items) >= 10  # still a full issue
    for _, url, *_ in REREPORTS:
        assert url not in text
    assert {(c.url, c.earlier_day, c.earlier_url) for c in report.covered} == {
        (url, "2026-01-19", earlier) for _, url, _, _, earlier in REREPORTS}
    published = (settings.publish_dir / "ai-daily-2026-01-19.md").read_text(encoding="utf-8")
    assert all(f"[{c.earlier_title}]({c.earlier_url})" in published or f"- {c.earlier_title}（" in published
               for c in report.covered)

    # The real hubtoday item about Colossus 2 says what day 1 did not: once, as a follow-up.
    [follow] = report.follow_ups
    assert follow.url == COLOSSUS_HUB and follow.earlier_url == "https://www.qbitai.com/2026/01/370077.html"
    assert follow.new_facts == ["1.5GW", "6万亿", "Musk"]  # 4 月升级至 1.5GW，6 万亿参数的 Grok 5；马斯克
    [line] = lines_with(text, COLOSSUS_HUB)
    assert line.startswith(f"[{FOLLOW_UP_MARK}") or line.startswith(f"- {FOLLOW_UP_MARK}")
    item = next(i for i in digest.items if i.url == COLOSSUS_HUB)
    assert "1.5" in item.bullets[0].text  # the extractive facts lead with what is new

    # The review says what was left out, which earlier date, which story.
    record = json.loads((settings.drafts_dir / "2026-01-20.review.json").read_text(encoding="utf-8"))
    assert record["counts"]["covered"] == 7 and record["counts"]["follow_ups"] == 1
    review = CliRunner().invoke(app, ["review", "2026-01-20", "--json"])
    data = json.loads(review.stdout)
    assert {(c["title"], c["earlier_day"]) for c in data["covered"]} == {
        (title, "2026-01-19") for _, _, title, _, _ in REREPORTS}
    shown = CliRunner().invoke(app, ["review", "2026-01-20"]).output
    assert "Memory: stories earlier issues ran" in shown and "2026-01-19" in shown


def test_without_memory_day_two_runs_the_repeats(home: Path) -> None:
    """The same two days with ``memory_days = 0``: the re-reports run again (what the
    memory prevents)."""
    settings = day_one(home, "[digest]\nmemory_days = 0\n")
    store_day_two(settings)
    report = run(settings, DAY2)
    text = draft_text(settings, DAY2)
    assert not report.covered and not report.follow_ups
    assert sum(url in text for _, url, *_ in REREPORTS) >= 5
    assert FOLLOW_UP_MARK not in text


def test_a_rereport_with_new_facts_runs_once_marked_as_a_follow_up(home: Path) -> None:
    settings = day_one(home)  # day 1 drafted, not published: the draft is what ran
    store_day_two(settings, [ANTHROPIC_NEWS if r[1] == ANTHROPIC_URL else r for r in REREPORTS])
    report = run(settings, DAY2)
    text = draft_text(settings, DAY2)
    [line] = lines_with(text, ANTHROPIC_URL)
    assert FOLLOW_UP_MARK in line and line.count(FOLLOW_UP_MARK) == 1
    follow = next(f for f in report.follow_ups if f.url == ANTHROPIC_URL)
    assert follow.earlier_day == "2026-01-19" and follow.earlier_url == "https://www.ithome.com/0/914/303.htm"
    assert {"300 亿美元", "3800 亿美元", "Microsoft", "Nvidia"} <= set(follow.new_facts), follow.new_facts
    assert len(report.covered) == 6 and ANTHROPIC_URL not in {c.url for c in report.covered}


def test_a_rerun_of_a_date_keeps_its_own_stories(home: Path) -> None:
    settings = day_one(home)
    store_day_two(settings)
    first = run(settings, DAY2)
    again = run(settings, DAY2)  # DAY2's own draft is remembered now: it must not count
    assert [c.url for c in again.covered] == [c.url for c in first.covered] and len(again.covered) == 7
    assert again.items == first.items and again.briefs == first.briefs
    day1 = run(settings, DAY1)  # an earlier date is not compared with the later one
    assert not day1.covered and day1.items + day1.briefs == 12


def test_an_edit_by_hand_is_what_ran(home: Path) -> None:
    """The editor took the Anthropic item (its headline and fact bullets) out of day 1:
    day 2 may run its re-report."""
    settings = day_one(home)
    drafts = Drafts(settings.drafts_dir)
    text = draft_text(settings, DAY1)
    [line] = lines_with(text, "https://www.ithome.com/0/914/303.htm")
    item = text[text.index(line):].split("\n\n", 1)[0]  # the headline line and its bullets
    drafts.save_edit(DAY1.isoformat(), text.replace(item + "\n", ""))
    store_day_two(settings)
    report = run(settings, DAY2)
    assert ANTHROPIC_URL not in {c.url for c in report.covered} and len(report.covered) == 6
    assert ANTHROPIC_URL in draft_text(settings, DAY2)
    [issue] = Store.from_settings(settings).issues(DAY1, DAY2)
    assert issue.state == "draft" and "https://www.ithome.com/0/914/303.htm" not in {i.url for i in issue.items}


def test_an_unreadable_earlier_issue_is_said_and_what_was_remembered_stays(home: Path) -> None:
    settings = day_one(home)
    Drafts(settings.drafts_dir).save_edit(DAY1.isoformat(), "not a digest at all\n")
    store_day_two(settings)
    report = run(settings, DAY2)
    assert any("memory: the issue of 2026-01-19 is not a readable digest" in n for n in report.notices)
    assert len(report.covered) == 7  # as remembered when day 1 was written
    record = json.loads((settings.drafts_dir / "2026-01-20.review.json").read_text(encoding="utf-8"))
    assert any("not a readable digest" in n for n in record["notices"])


# --- with the model -------------------------------------------------------------------------

CARD_BODY_RE = re.compile(r'<card id="([^"]+)"[^>]*>\n(.*?)</card>', re.S)


def follow_ups_first(request: FakeRequest) -> Any:
    """The fake editor, planning the follow-up cards first (so the follow-up is written)."""
    if (request.schema or {}).get("title") == "Plan":
        cards = CARD_BODY_RE.findall(first_user(request))
        return plan_for([i for i, body in cards if "后续：" in body] + [i for i, body in cards if "后续：" not in body])
    return fake_editor(request)


#: The fake editor plans 6 stories and 3 one-liners: day 2's counts, once day 1 has run.
SMALL_ISSUE = "[digest]\nmain_min = 4\nmain_max = 8\nother_min = 2\nother_max = 4\nsections_min = 2\nsections_max = 4\n"


def test_with_the_model_the_plan_sees_the_recent_issues_and_the_follow_up(
        home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = day_one(home)
    store_day_two(settings)
    (home / "aidaily.toml").write_text(SMALL_ISSUE, encoding="utf-8")
    with FakeLLM() as fake:
        fake.responder = follow_ups_first
        monkeypatch.setenv("AIDAILY_LLM_BASE_URL", fake.base_url)
        monkeypatch.setenv("AIDAILY_LLM_API_KEY", "sk-test")
        report = run(load_settings(home), DAY2, use_llm=True)
        plan = fake.calls_for("plan")[0].user
        writes = [c.user for c in fake.calls_for("write")]
    assert report.mode == "llm" and len(report.covered) == 7, report.to_dict()
    # The plan lists what day 1 ran, offers none of its re-reports, and the follow-up
    # with what was said before.
    assert '<issue date="2026-01-19"' in plan and "Hassabis 称 AGI 只差一两个 AlphaGo 级突破" in plan
    for _, _, title, _, _ in REREPORTS:
        assert title not in plan
    card = next(body for _, body in CARD_BODY_RE.findall(plan) if "Colossus" in body)
    assert "后续：2026-01-19 已报道“xAI 上线 Colossus 2" in card and "1.5" in card
    # The follow-up is written as one, and the draft says so.
    assert any("这是一条后续报道：2026-01-19" in w and "Colossus 2正式投运" in w for w in writes)
    [line] = lines_with(draft_text(settings, DAY2), COLOSSUS_HUB)
    assert line.startswith(f"[{FOLLOW_UP_MARK}马斯克")


# --- the pure matching ----------------------------------------------------------------------

WHEN = datetime(2026, 1, 19, 9, tzinfo=BJ)


def article(url: str, title: str, text: str, source: str = "36kr", links: list[str] | None = None) -> Article:
    return Article(url=url, source=source, title=title, text=text, published=WHEN, links=links or [])


def issue_of(*stories: Story, day: date = DAY1) -> PastIssue:
    """An issue that ran ``stories``: their titles as headlines, their first sentences as bullets."""
    return PastIssue(day, "published", "x", items=[
        PastItem("item", s.title, s.url, [s.primary.text.split("。")[0]], s.id, list(s.articles)) for s in stories])


XAI = article("https://www.qbitai.com/2026/01/370077.html", "xAI 上线 Colossus 2：全球首个 1 GW 级 AI 训练集群",
              "xAI 宣布 Colossus 2 上线，功率 1 GW，相当于一座核电站。集群已部署 55 万张 GPU，年内将扩至 2 GW。", "qbitai")


def test_the_same_story_is_found_by_url_by_a_digest_link_and_by_its_text() -> None:
    earlier = issue_of(*group_duplicates([XAI]))
    same_url = article(XAI.url + "?utm_source=feed", "xAI Colossus 2 上线", "正文。")
    cited = article("https://ai.hubtoday.app/2026-01/2026-01-19/#item-9", "超算上线了", "一条摘要。",
                    "hubtoday", [XAI.url])
    paraphrase = article("https://36kr.com/p/1", "马斯克 xAI 的 Colossus 2 超算集群投入运行，功率达 1GW",
                         "xAI 的 Colossus 2 集群投入运行，功率 1GW，部署 55 万张 GPU。")
    other = article("https://36kr.com/p/2", "Kimi 发布新模型", "月之暗面发布 Kimi 新模型，上下文 200 万字。")
    for candidate in (same_url, cited, paraphrase):
        result = recall([Story("t", [candidate])], [earlier])
        assert [s.id for s, _ in result.covered] == ["t"] and not result.stories, candidate.title
    kept = recall([Story("k", [other])], [earlier])
    assert [s.id for s in kept.stories] == ["k"] and not kept.covered


def test_the_days_own_grouping_is_left_as_it_is() -> None:
    """Two of the day's stories that both resemble one earlier item stay two stories."""
    stories = [Story("a", [article("https://36kr.com/p/1", "马斯克 xAI 的 Colossus 2 超算集群投入运行，功率达 1GW",
                                   "xAI 的 Colossus 2 集群投入运行，功率 1GW，部署 55 万张 GPU，4 月升级至 1.5GW。")]),
               Story("b", [article("https://sina.cn/2", "Kimi 发布新模型", "月之暗面发布 Kimi 新模型。")])]
    result = recall(stories, [issue_of(*group_duplicates([XAI]))])
    assert [s.id for s in result.stories] == ["a", "b"]
    assert result.stories[0].articles == stories[0].articles and result.stories[0].follow_up is not None
    assert result.stories[1] is stories[1] and result.stories[1].follow_up is None


@pytest.mark.parametrize(("text", "follow_up"), [
    ("xAI 的 Colossus 2 投入运行，功率 1GW，部署 55 万张 GPU。", False),  # nothing new
    ("xAI 的 Colossus 2 于 1 月 18 日投入运行，功率 1GW，部署 55 万张 GPU，2026 年扩建。", False),  # dates, a year
    ("据 Bloomberg 报道，xAI 的 Colossus 2 投入运行，功率 1GW。", False),  # one new name: a byline
    ("xAI 的 Colossus 2 投入运行，功率 1GW，项目 ⭐12.5k。", False),  # a popularity counter
    ("xAI 的 Colossus 2 投入运行，功率 1GW，4 月将升级至 1.5GW。", True),  # a new figure
    ("xAI 上线 Colossus 2 超算，功率 1 GW，微软和英伟达将租用算力。", True),  # two new names
])
def test_what_counts_as_new_facts(text: str, follow_up: bool) -> None:
    earlier = issue_of(*group_duplicates([XAI]))
    story = Story("t", [article("https://36kr.com/p/9", "xAI Colossus 2 超算投入运行", text)])
    assert bool(new_facts(story, earlier.items)) is follow_up
    result = recall([story], [earlier])
    assert bool(result.follow_ups) is follow_up and bool(result.covered) is not follow_up


def test_real_hubtoday_pages_repeat_one_project_and_nothing_else() -> None:
    """hubtoday's 2026-01-16 page features Frigate again (the same GitHub repository as on
    01-15, a day more of stars): the one repeat among its 20 stories."""
    ran = issue_of(*group_duplicates(hubtoday_page("2026-01-15")), day=date(2026, 1, 15))
    stories = group_duplicates(hubtoday_page("2026-01-16"))
    result = recall(stories, [ran])
    assert [(s.title, e.title) for s, e in result.covered] == [("Frigate本地实时目标检测NVR", "Frigate本地监控系统")]
    assert not result.follow_ups and len(result.stories) == len(stories) - 1


def test_a_follow_up_is_marked_once() -> None:
    assert mark_follow_up("Colossus 2 升级") == "（后续）Colossus 2 升级"
    assert mark_follow_up(mark_follow_up("Colossus 2 升级")) == "（后续）Colossus 2 升级"
    assert mark_follow_up("后续：Colossus 2 升级") == "后续：Colossus 2 升级"


# --- the store ------------------------------------------------------------------------------


def check_store_round_trip(store: Store) -> None:
    stories = group_duplicates([XAI])
    first = replace(issue_of(*stories), state="draft", sha256="a" * 64, title="第一稿")
    store.save_issue(first)
    store.save_issue(replace(first, day=DAY2, items=[]))
    [back] = store.issues(DAY1, DAY2)  # the end date is not included
    assert back == first and back.items[0].articles[0].published == XAI.published
    published = replace(first, state="published", sha256="b" * 64,
                        items=[PastItem("brief", "一行", "https://x.example/1", [], None, [])])
    store.save_issue(published)  # replaces the date's stories
    assert store.issues(DAY1, DAY2 + timedelta(days=1)) == [published, replace(first, day=DAY2, items=[])]


def test_the_store_remembers_issues(home: Path) -> None:
    check_store_round_trip(Store.from_settings(load_settings(home)))


def test_the_store_remembers_issues_on_postgresql(postgres: str) -> None:
    check_store_round_trip(Store(new_postgres_database(postgres)))


# --- the up-to-date check -------------------------------------------------------------------


def test_an_edit_of_an_earlier_issue_means_a_full_run(home: Path) -> None:
    from aidaily.pipeline import uptodate
    from aidaily.memory.issues import recent_issues

    settings = day_one(home)
    store_day_two(settings)
    run(settings, DAY2)
    store = Store.from_settings(settings)
    drafts = Drafts(settings.drafts_dir)
    memory = recent_issues(settings, DAY2, store)
    assert [i.day for i in memory.issues] == [DAY1]
    run_id = store.start_run(DAY2, "run")
    store.finish_run(run_id, "ok", {"inputs": uptodate.inputs(
        settings, False, DAY2, articles=uptodate.articles_fingerprint(store, DAY2, settings), listings={},
        listed={}, requests=[], draft_hash=drafts.last_written(DAY2.isoformat()), memory=memory.fingerprint)})
    text = draft_text(settings, DAY1)
    drafts.save_edit(DAY1.isoformat(), text.replace("## ", "## 编辑改过的主线 ", 1))
    verdict = asyncio.run(uptodate.check(settings, DAY2, False, store=store))
    assert not verdict.up_to_date and "an earlier issue changed" in verdict.reason


# --- the matching's rules one at a time (what mutation testing of memory/recall.py found)


def past_issue_on(day: date, *items: PastItem) -> PastIssue:
    return PastIssue(day, "published", "0" * 64, items=list(items))


def article_at(url: str, title: str, text: str, source: str = "ithome", links: tuple[str, ...] = ()) -> Article:
    return Article(url=url, source=source, title=title, text=text, links=list(links))


A_ITEM = PastItem("item", "甲公司发布新芯片", "https://a.example/chip", ["融资 130 亿美元"])
B_ITEM = PastItem("item", "乙公司模型上线", "https://b.example/model", ["面向开发者开放"])


def test_every_url_a_story_shares_with_earlier_items_counts_not_only_one() -> None:
    # the story's own words share nothing with either item: only the URLs tie them; its one
    # figure is in the older item alone, so it is no new fact only if both items are read
    story = Story("s1", [article_at("https://a.example/chip", "今日消息", "据悉，130 亿美元。"),
                         article_at("https://b.example/model", "又一则消息", "详见原文。")])
    out = recall([story], [past_issue_on(date(2026, 1, 10), A_ITEM), past_issue_on(date(2026, 1, 17), B_ITEM)])
    assert out.stories == []
    assert [(s.id, e.day, e.title, e.new_facts) for s, e in out.covered] == [
        ("s1", date(2026, 1, 17), "乙公司模型上线", [])]


def test_a_digest_item_is_the_story_its_links_cite_and_a_site_article_is_not() -> None:
    cites = article_at("https://ai.hubtoday.app/2026-01-18#3", "今日消息", "详见原文。", source="hubtoday",
                  links=("https://a.example/chip",))
    out = recall([Story("d1", [cites])], [past_issue_on(date(2026, 1, 10), A_ITEM)])
    assert [(s.id, e.title) for s, e in out.covered] == [("d1", "甲公司发布新芯片")]
    # a site's article linking to the same page is another story (links in a page are not its source)
    links = article_at("https://c.example/other", "今日消息", "详见原文。", links=("https://a.example/chip",))
    assert [s.id for s in recall([Story("c1", [links])], [past_issue_on(date(2026, 1, 10), A_ITEM)]).stories] == ["c1"]


def test_a_follow_up_mark_is_not_doubled_when_the_headline_says_so_near_its_start() -> None:
    assert mark_follow_up("xAI的后续计划") == "xAI的后续计划"  # "后续" within the first 6 characters
    assert mark_follow_up("Meta的后续计划") == FOLLOW_UP_MARK + "Meta的后续计划"  # it ends on the 7th


@pytest.mark.parametrize(("name", "counts"), [("AI", True), ("GPT", True), ("Claude", True), ("A", False),
                                               ("npm", False), ("安", False)])
def test_a_new_name_is_two_characters_or_more_and_not_a_lower_case_word(name: str, counts: bool) -> None:
    assert _is_name(name) is counts
