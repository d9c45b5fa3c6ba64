"""The grounding check on real hubtoday items (tests/fixtures/grounding/) with bullets
written for the tests: true ones must pass, also when they restate the figures in another
notation; false ones (a number or a name the source does not have) must be flagged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aidaily.format.digest import Brief, BriefList, Bullet, Digest, Insight, Item, Section
from aidaily.checks.grounding import (
    BulletCheck,
    CheckMemo,
    ItemSources,
    check_bullet,
    ground_digest,
    nearest_sentence,
    split_sentences,
    unfetched_links,
)
from aidaily.models import Article, Story

FIXTURES = Path(__file__).parent / "fixtures" / "grounding"
ITEMS = {it["key"]: it for it in
         json.loads((FIXTURES / "hubtoday_items.json").read_text(encoding="utf-8"))}


def source(key: str) -> str:
    """What the pipeline stores for a hubtoday item: its title, then its paragraph."""
    return f"{ITEMS[key]['title']}\n{ITEMS[key]['paragraph']}"


# --- true bullets, several in another notation than the source --------------------------

TRUE_BULLETS = [
    ("colossus", "马斯克 Colossus 2 正式投运，功率 1 GW，相当于一座核电站"),  # source: 1GW
    ("colossus", "4 月将升级至 1.5 GW，最终达 2 GW"),
    ("colossus", "算力服务于 Grok 训练，为 6 万亿参数的 Grok 5 铺路"),
    ("colossus", "为 6,000,000,000,000 参数的 Grok 5 铺路"),  # 6万亿 written out
    ("rag", "Agentic RAG 成本比 Enhanced RAG 高出 2 到 10 倍"),  # source: 2-10倍
    ("rag", "Agentic RAG 成本高出 2～10 倍，弱模型下表现不佳"),
    ("rag", "Agentic RAG 成本高出 2-10倍"),
    ("pjm", "电网运营商 PJM 预计夏季轮流断电，数据中心需求年增 4.8 %"),
    ("pjm", "xAI 已部署 168 个特斯拉 Megapack 缓冲用电"),
    ("pjm", "亚马逊、谷歌等反对限电提议"),
    ("pjm", "Amazon 与 Google 反对限电提议"),  # entity variants: 亚马逊 / 谷歌
    ("h200", "字节与阿里各订购 20 万张英伟达 H200"),
    ("h200", "两家各订购 200,000 张 Nvidia H200，单家金额 375 亿人民币"),
    ("h200", "两家合计约 750 亿，英伟达要求 100% 预付"),
    ("h200", "单家采购金额 37,500,000,000 人民币"),
    ("hipaa", "Claude 通过 HIPAA，班纳健康 2.2 万员工在用"),
    ("hipaa", "班纳健康已有 22,000 名员工使用 Claude"),
    ("hipaa", "用户可从苹果健康导入数据"),
    ("minimax", "MiniMax 港股首日涨 61%，开盘涨 42%"),
    ("minimax", "公开发售超额认购 1837 倍，国际配售超额 37 倍"),
    ("minimax", "从成立到 IPO 仅用四年"),  # 四年 in source
    ("openai_ads", "OpenAI 年烧钱超 80 亿美元，18 个月内或面临资金枯竭"),
    ("openai_ads", "年烧钱超 8,000,000,000 美元"),
    ("msft_energy", "微软宣布投入 800 亿美元建设数据中心，纳德拉称算力即商品"),
    ("msft_energy", "Microsoft 豪掷 800亿美元建数据中心"),
    ("open_responses", "OpenAI 推出通用 API 标准 Open Responses，统一 Claude、Gemini 等模型接口"),
]


@pytest.mark.parametrize(("key", "bullet"), TRUE_BULLETS)
def test_true_bullets_pass(key: str, bullet: str) -> None:
    check = check_bullet(bullet, source(key))
    assert check.ok, check
    assert check.missing_numbers == [] and check.missing_names == []


# --- false bullets: the flagged number / name ---------------------------------------------

FALSE_NUMBERS = [
    ("colossus", "功率 1 GW，已部署 55 万张 GPU", ["55 万"]),
    ("colossus", "4 月将升级至 2.5 GW", ["2.5"]),
    ("colossus", "为 5 万亿参数的 Grok 5 铺路", ["5 万亿"]),
    ("rag", "Agentic RAG 成本高出 2 到 20 倍", ["2 到 20"]),
    ("rag", "Agentic RAG 成本高出 3-10倍", ["3-10"]),
    ("pjm", "数据中心需求年增 48%", ["48%"]),
    ("pjm", "xAI 已部署 186 个特斯拉 Megapack", ["186"]),
    ("h200", "两家各订购 2 万张英伟达 H200", ["2 万"]),
    ("h200", "单家采购金额 3750 亿人民币", ["3750 亿"]),
    ("hipaa", "班纳健康 2.2 万员工在用，覆盖 30 家医院", ["30"]),
    ("minimax", "公开发售超额认购 1837 倍，首日涨 16%", ["16%"]),
    ("openai_ads", "OpenAI 年烧钱超 80 亿美元，12 个月内或资金枯竭", ["12"]),
    ("msft_energy", "微软投入 8000 亿美元建设数据中心", ["8000 亿"]),
    ("minimax", "从成立到 IPO 仅用三年", ["三"]),
]


@pytest.mark.parametrize(("key", "bullet", "missing"), FALSE_NUMBERS)
def test_numbers_not_in_source_are_flagged(key: str, bullet: str, missing: list[str]) -> None:
    check = check_bullet(bullet, source(key))
    assert not check.ok
    assert check.missing_numbers == missing


FALSE_NAMES = [
    ("colossus", "xAI 的 Colossus 2 正式投运，功率 1 GW", ["xAI"]),  # the item never says xAI
    ("colossus", "Colossus 2 正式投运，由 Nvidia 提供算力", ["Nvidia"]),
    ("pjm", "电网运营商 ERCOT 预计夏季轮流断电", ["ERCOT"]),
    ("rag", "Agentic RAG 与 Graph RAG 对比，成本高出 2-10 倍", ["Graph"]),
    ("open_responses", "统一 OpenAI、Claude、Llama 等模型接口", ["Llama"]),
    ("h200", "字节与阿里各订购 20 万张英伟达 B200", ["B200"]),
    ("hipaa", "Claude 通过 HIPAA，由黄仁勋宣布", ["Jensen Huang"]),
]


@pytest.mark.parametrize(("key", "bullet", "missing"), FALSE_NAMES)
def test_names_not_in_source_are_flagged(key: str, bullet: str, missing: list[str]) -> None:
    check = check_bullet(bullet, source(key))
    assert not check.ok
    assert check.missing_names == missing
    assert check.missing_numbers == []


def test_model_versions_are_names_not_numbers() -> None:
    text = "OpenAI 发布 GPT-5.2-Codex，Cursor 用它写出浏览器 FastRender"
    assert check_bullet("基于 GPT-5.2-Codex 开发 FastRender", text).ok
    check = check_bullet("基于 GPT-5.3-Codex 开发 FastRender", text)
    assert check.missing_numbers == [] and check.missing_names == ["GPT-5.3-Codex"]
    # GPT-5 is another model than GPT-5.2
    assert check_bullet("基于 GPT-5 开发", text).missing_names == ["GPT-5"]


def test_a_model_written_after_its_makers_name_is_checked_whole() -> None:
    # real titles: a known name (Qwen, DeepSeek, Gemini) with a hyphen and the model after it
    qwen = "阿里Qwen-Audio-3.0拿下语音赛道全球大满贯"
    assert check_bullet("阿里 Qwen-Audio-3.0 拿下语音赛道全球大满贯", qwen).ok
    assert check_bullet("阿里 Qwen-Audio-2.5 拿下语音赛道全球大满贯", qwen).missing_names == ["Qwen-Audio-2.5"]
    scores = "Agent能力提升显著，超越DeepSeek-V4-Pro；创意写作能力与Gemini 3.1 Pro相当"
    assert check_bullet("超越 DeepSeek V4 Pro，写作能力与 Gemini-3.1-Pro 相当", scores).ok
    assert check_bullet("超越 DeepSeek-V3-Pro", scores).missing_names == ["DeepSeek-V3-Pro"]
    assert check_bullet("写作能力与 Gemini-3-Pro 相当", scores).missing_names == ["Gemini-3-Pro"]
    # ... while the words of a known name are not names of their own (摩尔线程 is Moore Threads)
    moore = "摩尔线程 MTT S5000 成为首个通过国家安全可靠测评的 AI 训推芯片"
    assert check_bullet("Moore Threads MTT S5000 成为首个通过国家安全可靠测评的 AI 训推芯片", moore).ok


def test_a_namesake_is_not_the_person_the_source_names() -> None:
    # Dario and Daniela Amodei (the archive, 2026-06-13): the surname alone stood for Dario,
    # so a bullet putting his sister's words in Dario's mouth passed
    sister = "Anthropic 总裁 Daniela Amodei 表示，公司将扩招写作岗位。"
    assert check_bullet("Anthropic 总裁 Daniela Amodei 表示，公司将扩招写作岗位", sister).ok
    assert check_bullet("Anthropic CEO Dario Amodei 表示，公司将扩招写作岗位", sister).missing_names == ["Dario Amodei"]
    dario = "Anthropic CEO Dario Amodei 表示，公司将扩招写作岗位。"
    assert check_bullet("Anthropic CEO Amodei 表示，公司将扩招写作岗位", dario).ok
    # the surname alone in the source stands for him; so does his full name after any word
    assert check_bullet("Dario Amodei 表示，公司将扩招写作岗位", "Anthropic CEO Amodei 表示，公司将扩招写作岗位。").ok
    assert check_bullet("Dario Amodei 表示，公司将扩招写作岗位", "Anthropic Dario Amodei 表示，公司将扩招写作岗位。").ok
    assert check_bullet("Jensen Huang 表示需求强劲", "Nvidia Jensen Huang 表示需求强劲。").ok


def test_names_tolerate_spacing_and_case() -> None:
    text = "Cursor 的浏览器 Fast Render 基于 gpt-5.2 开发"
    assert check_bullet("FastRender 基于 GPT-5.2 开发", text).ok


def test_nearest_sentence_points_at_the_supporting_sentence() -> None:
    check = check_bullet("Agentic RAG 成本高出 2 到 10 倍", source("rag"))
    assert "成本高出2-10倍" in check.nearest_sentence
    assert 0.3 < check.score <= 1.0
    sentence, score = nearest_sentence("", source("rag"))
    assert (sentence, score) == ("", 0.0)


def test_split_sentences() -> None:
    assert split_sentences("一。二！三？\n四；five. Six") == ["一。", "二！", "三？", "四；", "five.", "Six"]


def test_bullet_check_shape() -> None:
    check = check_bullet("功率 1 GW", source("colossus"))
    assert isinstance(check, BulletCheck) and check.ok and check.nearest_sentence


# --- links ------------------------------------------------------------------------------


def test_unfetched_links() -> None:
    fetched = ["https://www.ithome.com/0/914/192.htm",
               "https://ai.hubtoday.app/2026-01/2026-01-18/#2",
               "https://www.qbitai.com/2026/01/370077.html"]
    urls = ["https://www.ithome.com/0/914/192.htm",
            "https://ai.hubtoday.app/",  # a site root: fine, an article of it was fetched
            "https://www.qbitai.com/2026/01/370077.html?utm_source=x",
            "https://www.ithome.com/0/914/999.htm",
            "https://news.aibase.com/"]  # nothing of aibase was fetched
    sources = ItemSources([Article(url=u, source="", title="", text="") for u in fetched], {})
    assert sources.unfetched(urls) == ["https://www.ithome.com/0/914/999.htm",
                                          "https://news.aibase.com/"]


# --- a whole digest -----------------------------------------------------------------------


def _digest() -> Digest:
    colossus = Item("马斯克 Colossus 2 正式投运", "https://www.qbitai.com/2026/01/370077.html",
                    [Bullet("功率 1 GW，相当于一座核电站，最终达 2 GW"),
                     Bullet("已在孟菲斯部署 55 万张 GPU")], line=10)
    rag = Item("Agentic RAG 成本高出 2-10 倍", "https://ai.hubtoday.app/",
               [Bullet("Agentic RAG 成本高出 2 到 10 倍"), Bullet("由 DeepMind 发布")], line=14)
    missing = Item("不存在的文章", "https://www.ithome.com/0/999/999.htm",
                   [Bullet("一条事实")], line=18)
    insight = Insight([Bullet("算力跳到 GW 量级，3 年内将到 10 GW"),
                       Bullet("对地方政府而言，批电即批模型")], line=21)
    briefs = BriefList([Brief("Claude 通过 HIPAA，2.2 万员工在用", "ai.hubtoday.app",
                              "https://ai.hubtoday.app/"),
                        Brief("MiniMax 首日涨 99%", "ai.hubtoday.app", "https://ai.hubtoday.app/")],
                       line=30)
    return Digest(body=[Section("超算：GW 时代", [colossus, rag, missing, insight], line=8),
                        Section("其他动态", [briefs], line=28)])


def _article(url: str, key: str) -> Article:
    return Article(url=url, source="hubtoday" if "hubtoday" in url else "qbitai",
                   title=ITEMS[key]["title"], text=ITEMS[key]["paragraph"])


def _sources() -> ItemSources:
    articles = [_article("https://www.qbitai.com/2026/01/370077.html", "colossus"),
                _article("https://ai.hubtoday.app/2026-01/2026-01-18/#2", "rag"),
                _article("https://ai.hubtoday.app/2026-01/2026-01-13/#1", "hipaa"),
                _article("https://ai.hubtoday.app/2026-01/2026-01-10/#1", "minimax")]
    return ItemSources(articles, {a.url: f"s{i}" for i, a in enumerate(articles)})


def test_ground_digest_verdicts() -> None:
    digest = _digest()
    before = repr(digest)
    verdicts = ground_digest(digest, _sources())
    assert repr(digest) == before  # never altered
    assert [(v.line, v.ok) for v in verdicts] == [(11, True), (12, False), (15, True), (16, False),
                                                  (19, False)]
    gw = verdicts[1]
    assert gw.missing_numbers == ["55 万"] and "孟菲斯" in gw.nearest and "55 万" in gw.message
    assert verdicts[3].missing_names  # DeepMind: a site root stands for all of that site's articles
    assert verdicts[4].sources == [] and "not a fetched article" in verdicts[4].message
    assert unfetched_links(digest, _sources()) == ["https://www.ithome.com/0/999/999.htm"]


def test_a_merged_storys_bullet_is_grounded_in_its_second_article() -> None:
    """An item stands for its whole story: a bullet taken from the second article of a
    merged story is grounded, whichever article the item links."""
    first = _article("https://www.qbitai.com/2026/01/370077.html", "colossus")
    second = _article("https://www.ithome.com/0/914/192.htm", "pjm")
    alone = _article("https://www.ithome.com/0/914/193.htm", "hipaa")
    from_second = "xAI 已部署 168 个特斯拉 Megapack 缓冲用电"
    item = Item("Colossus 2", first.url, [Bullet(from_second)], line=3)
    digest = Digest(body=[Section("超算", [item], line=1)])
    merged = ItemSources([first, second, alone], {first.url: "s1", second.url: "s1", alone.url: "s2"})
    assert [v.ok for v in ground_digest(digest, merged)] == [True]
    assert sorted(ground_digest(digest, merged)[0].sources) == sorted([first.url, second.url])
    apart = ItemSources([first, second, alone], {first.url: "s1", second.url: "s3", alone.url: "s2"})
    assert [v.ok for v in ground_digest(digest, apart)] == [False]
    story = Story("s1", [second, first])  # the editor's view: the same verdict
    assert ground_digest(digest, ItemSources.from_stories([story])) == ground_digest(digest, merged)


def test_a_remembered_check_is_reused_only_for_the_same_sources() -> None:
    """One bullet text under two items: grounded in the first item's article, not in
    the second's. Checking the draft through one memo (as the editor does while writing)
    gives the verdicts checking it afresh gives (as review and the publish gate do)."""
    from aidaily.format.parse import parse
    from tests.factories import ARTICLES, BAD_BULLET, DRAFT, EVIL_URL, GOOD_BULLET, XAI_URL

    text = (DRAFT.replace(BAD_BULLET, GOOD_BULLET)
            .replace("- Cursor 让数百个 AI 智能体连续工作 7 天", f"- {GOOD_BULLET}"))
    digest = parse(text)
    sources = ItemSources(ARTICLES, {})
    memo: CheckMemo = {}
    with_memo = ground_digest(digest, sources, memo)
    assert with_memo == ground_digest(digest, sources)
    verdicts = {(v.url, v.bullet): v.ok for v in with_memo}
    assert verdicts[(XAI_URL, GOOD_BULLET)] is True
    assert verdicts[(EVIL_URL, GOOD_BULLET)] is False
    # and once more through the memo that now holds both checks
    assert ground_digest(digest, sources, memo) == with_memo


def test_a_unit_stuck_to_a_number_is_not_a_name() -> None:
    """Issue 19: "96G HBM" copied from the source was flagged for a missing name "G"."""
    source_text = "新卡配备 96G HBM 内存，功耗 1.5GW 级集群可用，另有 8B 参数模型与 4K 屏幕。"
    for bullet in ["配备 96G HBM 内存", "1.5GW 级集群", "8B 参数模型", "支持 4K 屏幕"]:
        assert check_bullet(bullet, source_text).ok, bullet
    # The number is still checked, and a real name still is one.
    assert check_bullet("配备 128G HBM 内存", source_text).missing_numbers == ["128"]
    assert check_bullet("配备 96G HBM4 内存", source_text).missing_names == ["HBM4"]


def test_numbers_grouped_as_a_reader_groups_them() -> None:
    source_text = "PJM 称 6\u2009700 万居民可能受影响，预计 2 800 万台设备。"
    for bullet in ["6700 万居民", "6,700 万居民", "６７００万居民", "2800 万台", "2,800万台"]:
        assert check_bullet(bullet, source_text).ok, bullet


def test_own_article_first_and_weak_merges_flagged() -> None:
    """Issue 19: a bullet is grounded in the item's own linked article first; the verdict
    names the article that supports it; a bullet only another article of a weak merge
    supports is marked (review lists it), one of a strong merge is not."""
    own = Article("https://www.ithome.com/0/914/301.htm", "ithome", "OpenAI 将在 ChatGPT 中投放广告",
                  "IT之家消息，OpenAI 宣布将在 ChatGPT 免费版中测试广告，年烧钱超 80 亿美元。")
    weak = Article("https://www.qbitai.com/2026/01/370300.html", "qbitai", "马斯克起诉 OpenAI 案开庭",
                   "马斯克诉 OpenAI 一案开庭，索赔 1340 亿美元，ChatGPT 的商业化成为焦点。")
    item = Item("ChatGPT 广告", own.url, [Bullet("OpenAI 将在 ChatGPT 免费版测试广告"),
                                          Bullet("马斯克索赔 1340 亿美元")], line=3)
    digest = Digest(body=[Section("商业", [item], line=1)])
    from aidaily.stories.dedup import weak_pair

    sources = ItemSources([own, weak], {own.url: "s1", weak.url: "s1"}, weak_pair)
    first, second = ground_digest(digest, sources)
    assert (first.ok, first.supported_by, first.weak_merge) == (True, own.url, False)
    assert (second.ok, second.supported_by, second.weak_merge) == (True, weak.url, True)
    # The same bullet under a strong merge (a digest item that links the article): no mark.
    item_digest = Article("https://ai.hubtoday.app/2026-01/2026-01-18/#item-1", "hubtoday", "广告",
                          "OpenAI 测试广告。", links=[weak.url])
    strong = Item("ChatGPT 广告", item_digest.url, [Bullet("马斯克索赔 1340 亿美元")], line=3)
    strong_sources = ItemSources([item_digest, weak], {item_digest.url: "s1", weak.url: "s1"}, weak_pair)
    (verdict,) = ground_digest(Digest(body=[Section("商业", [strong], line=1)]), strong_sources)
    assert (verdict.ok, verdict.supported_by, verdict.weak_merge) == (True, weak.url, False)


# --- the title and the summary (issue 19 point 3) ---------------------------------------


def test_summary_lines_are_grounded_in_the_items_they_restate() -> None:
    """A summary line is checked against the sources of the items it restates, not of
    the whole issue: a figure of another item's source does not ground it."""
    from aidaily.checks.grounding import ground_restatements, restated_links
    from aidaily.format.digest import FrontMatter

    digest = _digest()
    digest.front_matter = FrontMatter()
    digest.front_matter.set("summary", "- 马斯克 Colossus 2 正式投运，4 月升级至 1.5 GW\n"
                                       "- 马斯克 Colossus 2 正式投运，员工 2.2 万")
    colossus = "https://www.qbitai.com/2026/01/370077.html"
    assert restated_links("马斯克 Colossus 2 正式投运，4 月升级至 1.5 GW", digest) == [colossus]
    verdicts = ground_restatements(digest, _sources())
    assert [(v.kind, v.ok, v.missing_numbers) for v in verdicts] == [
        ("summary", True, []), ("summary", False, ["2.2 万"])]  # 2.2 万 is the HIPAA item's
    assert verdicts[0].sources == [colossus]


def test_the_reference_issue_title_and_summary_on_the_fixture_day() -> None:
    """The published issue restates loosely (一周 as "7 天", 300 万行 as "百万行"): those
    lines are named for the editor, as warnings; the others are grounded."""
    from aidaily.checks.grounding import ground_restatements
    from aidaily.format.parse import parse
    from aidaily.stories.dedup import group_duplicates
    from tests.factories import fixture_day_articles

    sources = ItemSources.from_stories(group_duplicates(fixture_day_articles()))
    text = (Path(__file__).parent / "fixtures" / "digests" / "ai-daily-2026-01-19.md").read_text(encoding="utf-8")
    verdicts = ground_restatements(parse(text), sources)
    assert [v.kind for v in verdicts] == ["summary"] * 7 + ["title"]
    assert [(v.line, v.missing_numbers, v.missing_names) for v in verdicts if not v.ok] == [
        (8, ["7"], []), (8, ["24"], ["Office"]), (8, ["500"], []), (10, ["百万"], [])]


def test_review_page_shows_the_supporting_article_and_the_weak_merge() -> None:
    from aidaily.format.render import render
    from aidaily.review.web.view import source_view

    own = Article("https://www.ithome.com/0/914/301.htm", "ithome", "OpenAI 将在 ChatGPT 中投放广告",
                  "IT之家消息，OpenAI 宣布将在 ChatGPT 免费版中测试广告。")
    other = Article("https://www.qbitai.com/2026/01/370300.html", "qbitai", "马斯克起诉 OpenAI 案开庭",
                    "马斯克诉 OpenAI 一案开庭，索赔 1340 亿美元。")
    item = Item("ChatGPT 广告", own.url, [Bullet("OpenAI 将在 ChatGPT 免费版测试广告"),
                                          Bullet("马斯克索赔 1340 亿美元")])
    text = render(Digest(body=[Section("商业", [item])]))
    from aidaily.stories.dedup import weak_pair

    sources = ItemSources([own, other], {own.url: "s1", other.url: "s1"}, weak_pair)
    lines = text.split("\n")
    first = source_view(text, lines.index("- OpenAI 将在 ChatGPT 免费版测试广告") + 1, sources)
    second = source_view(text, lines.index("- 马斯克索赔 1340 亿美元") + 1, sources)
    assert (first.article_url, first.own, first.weak_merge) == (own.url, True, False)
    assert (second.article_url, second.own, second.weak_merge) == (other.url, False, True)
