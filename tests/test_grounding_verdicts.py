"""The grounding verdicts in detail (issue 21: the holes mutation testing found in
``checks/grounding.py``): which sentence a verdict quotes and its exact share, how names
are matched, which articles a link stands for, what a verdict on an unfetched link, a
failed bullet, the title and the summary lines holds, which article supports a bullet
(and when that support is a weak merge's), and that a check remembered in the editor's
memo is the one reused. Pure functions on handmade articles: no fixtures, no I/O."""

from __future__ import annotations

from aidaily.checks.grounding import (
    BulletCheck,
    BulletVerdict,
    CheckMemo,
    ItemSources,
    check_bullet,
    ground_digest,
    ground_restatements,
    nearest_sentence,
    restated_links,
    support_of,
)
from aidaily.format.digest import Bullet, Digest, FrontMatter, Item, Paragraph, Section
from aidaily.format.parse import parse
from aidaily.models import Article, Story

COLOSSUS = Article("https://www.qbitai.com/2026/01/370077.html", "qbitai", "马斯克 Colossus 2 正式投运",
                   "xAI 宣布 Colossus 2 上线，功率 1 GW，相当于一座核电站。集群已部署 55 万张 GPU")
MEGAPACK = Article("https://www.ithome.com/0/914/192.htm", "ithome", "特斯拉 Megapack 为数据中心供电",
                   "xAI 已部署 168 个特斯拉 Megapack 缓冲用电。")
HIPAA = Article("https://www.ithome.com/0/914/193.htm", "ithome", "Claude 通过 HIPAA 认证",
                "班纳健康 2.2 万员工在用 Claude。")


def _digest(*items: Item) -> Digest:
    return Digest(body=[Section("超算", list(items), line=7)])


# --- the sentence a verdict quotes ----------------------------------------------------------


def test_the_nearest_sentence_and_its_exact_share_of_bigrams() -> None:
    # "ABCD" has the bigrams ab, bc, cd; "ABCX" holds two of the three.
    assert nearest_sentence("ABCD", "XYZ。ABCX。") == ("ABCX。", 0.6667)
    # a tie goes to the first sentence; a source sharing nothing gives no sentence
    assert nearest_sentence("ABCD", "ABCX。ABCY。") == ("ABCX。", 0.6667)
    assert nearest_sentence("ABCD", "XYZ。UVW。") == ("", 0.0)
    # a one-character bullet is its own bigram
    assert nearest_sentence("A", "B。A。") == ("A。", 1.0)


def test_a_merged_storys_sentences_are_quoted_as_each_article_writes_them() -> None:
    """The texts of a story's articles are joined line by line: the sentence a verdict
    quotes is one article's, never run into the next article's title."""
    merged = ItemSources([COLOSSUS, MEGAPACK], {COLOSSUS.url: "s1", MEGAPACK.url: "s1"})
    item = Item("马斯克 Colossus 2 正式投运", COLOSSUS.url, [Bullet("集群已部署 55 万张 GPU")], line=8)
    (verdict,) = ground_digest(_digest(item), merged)
    assert verdict.nearest == "集群已部署 55 万张 GPU"
    # the second article's title, right after the first article's text
    (verdict,) = ground_digest(_digest(Item("x", COLOSSUS.url, [Bullet("Colossus 2 正式投运")])), merged)
    assert verdict.nearest == "马斯克 Colossus 2 正式投运"


# --- names --------------------------------------------------------------------------------


def test_a_name_is_not_found_inside_a_longer_name() -> None:
    assert check_bullet("Claude 发布新版", "ClaudeBot 发布新版").missing_names == ["Claude"]
    assert check_bullet("Open 发布新版", "OpenAI 发布新版").missing_names == ["Open"]


def test_a_name_is_found_without_its_hyphen_or_in_other_case() -> None:
    assert check_bullet("基于 GPT-5.2 开发", "基于 GPT5.2 开发").ok
    assert check_bullet("iPhone 17 发布", "IPHONE 17 发布").ok
    assert check_bullet("xAI 发布", "XAI 发布").ok


def test_a_name_is_listed_once_and_a_latin_name_right_after_an_entity_is_checked() -> None:
    # "Jensen Huang" is a known entity: its Latin words are not names of their own
    check = check_bullet("Claude 通过 HIPAA，由 Jensen Huang 宣布", "Claude 通过 HIPAA")
    assert check.missing_names == ["Jensen Huang"]
    # "B200" right after 英伟达 is a name of its own, and the source does not have it
    assert check_bullet("英伟达B200 发布", "英伟达 H200 发布").missing_names == ["B200"]


# --- which articles a link stands for -----------------------------------------------------


def test_a_site_root_stands_for_the_sites_articles_with_or_without_www() -> None:
    sources = ItemSources([MEGAPACK, HIPAA, COLOSSUS], {})
    assert [a.url for a in sources.articles_for("https://ithome.com/")] == [MEGAPACK.url, HIPAA.url]
    assert [a.url for a in sources.articles_for("https://WWW.ithome.com/")] == [MEGAPACK.url, HIPAA.url]
    assert sources.articles_for("https://aibase.com/") == []


def test_the_story_of_a_link() -> None:
    sources = ItemSources([COLOSSUS, MEGAPACK, HIPAA], {COLOSSUS.url: "s1", MEGAPACK.url: "s1"})
    assert sources.story_of(COLOSSUS.url + "?utm_source=x") == "s1"
    assert sources.story_of(HIPAA.url) is None  # fetched, but of no story
    assert sources.story_of("https://www.ithome.com/0/999/999.htm") is None


# --- the verdicts on an item's bullets ------------------------------------------------------


def test_verdicts_on_an_unfetched_link_and_on_a_failed_bullet() -> None:
    """Every bullet of an item whose link was not fetched has a verdict naming the item;
    a bullet that fails names no supporting article and no weak merge."""
    unfetched = "https://www.ithome.com/0/999/999.htm"
    digest = _digest(Item("不存在的文章", unfetched, [Bullet("一条事实"), Bullet("二条事实")], line=8),
                     Item("马斯克 Colossus 2", COLOSSUS.url, [Bullet("功率 1 GW"), Bullet("部署 99 万张 GPU")],
                          line=12))
    sources = ItemSources([COLOSSUS, MEGAPACK], {COLOSSUS.url: "s1", MEGAPACK.url: "s1"},
                          weak_pair=lambda _a, _b: True)
    assert ground_digest(digest, sources) == [
        BulletVerdict(9, "不存在的文章", unfetched, "一条事实", False),
        BulletVerdict(10, "不存在的文章", unfetched, "二条事实", False),
        BulletVerdict(13, "马斯克 Colossus 2", COLOSSUS.url, "功率 1 GW", True, [], [],
                      "xAI 宣布 Colossus 2 上线，功率 1 GW，相当于一座核电站。", [MEGAPACK.url, COLOSSUS.url],
                      COLOSSUS.url, False),
        BulletVerdict(14, "马斯克 Colossus 2", COLOSSUS.url, "部署 99 万张 GPU", False, ["99 万"], [],
                      "集群已部署 55 万张 GPU", [MEGAPACK.url, COLOSSUS.url], "", False),
    ]


def test_a_story_of_one_article_supports_its_bullets_without_a_weak_merge() -> None:
    sources = ItemSources([COLOSSUS], {COLOSSUS.url: "s1"}, weak_pair=lambda _a, _b: True)
    (verdict,) = ground_digest(_digest(Item("x", COLOSSUS.url, [Bullet("功率 1 GW")])), sources)
    assert (verdict.ok, verdict.supported_by, verdict.weak_merge) == (True, COLOSSUS.url, False)


def test_a_bold_label_in_a_lead_is_markup_not_a_name() -> None:
    item = Item("马斯克 Colossus 2", COLOSSUS.url, [], line=8,
                lead=[Paragraph(["**要点**：Colossus 2 上线，功率 1 GW"], gap=0)])
    memo: CheckMemo = {}
    (verdict,) = ground_digest(_digest(item), ItemSources([COLOSSUS], {}), memo)
    assert (verdict.line, verdict.ok, verdict.bullet) == (9, True, "**要点**：Colossus 2 上线，功率 1 GW")
    # what is checked (and remembered, as the editor's early checks are) is the text
    # without its markup
    assert list(memo) == [("要点：Colossus 2 上线，功率 1 GW", (COLOSSUS.url,))]


def test_support_without_a_weak_pair_rule_is_never_a_weak_merge() -> None:
    """Sources built without dedup's rule (review of a stored day without it) call no
    merge weak: the other article's support is plain."""
    sources = ItemSources([COLOSSUS, MEGAPACK], {COLOSSUS.url: "s1", MEGAPACK.url: "s1"})
    assert support_of("xAI 已部署 168 个特斯拉 Megapack", COLOSSUS.url, sources) == (MEGAPACK.url, False)


def test_a_bullet_only_the_story_together_supports() -> None:
    """No one article supports "Colossus 2 … 168 个 Megapack": none is named, and the
    verdict is a weak merge's exactly when the item's article was merged weakly."""
    bullet = "Colossus 2 已部署 168 个 Megapack"
    story = {COLOSSUS.url: "s1", MEGAPACK.url: "s1"}
    weak = ItemSources([COLOSSUS, MEGAPACK], story, weak_pair=lambda _a, _b: True)
    strong = ItemSources([COLOSSUS, MEGAPACK], story, weak_pair=lambda _a, _b: False)
    assert support_of(bullet, COLOSSUS.url, weak) == ("", True)
    assert support_of(bullet, COLOSSUS.url, strong) == ("", False)
    (verdict,) = ground_digest(_digest(Item("x", COLOSSUS.url, [Bullet(bullet)])), weak)
    assert (verdict.ok, verdict.supported_by, verdict.weak_merge) == (True, "", True)


def test_the_editors_stories_carry_the_weak_merge_rule() -> None:
    """``from_stories`` (the editor's view) marks a weak merge as the store's view does."""
    bullet = "xAI 已部署 168 个特斯拉 Megapack"
    sources = ItemSources.from_stories([Story("s1", [COLOSSUS, MEGAPACK])], weak_pair=lambda _a, _b: True)
    assert support_of(bullet, COLOSSUS.url, sources) == (MEGAPACK.url, True)


# --- the memo: a check made once is the one reused --------------------------------------------


def test_grounding_remembers_every_check_it_makes() -> None:
    bullet = "xAI 已部署 168 个特斯拉 Megapack"
    sources = ItemSources([COLOSSUS, MEGAPACK], {COLOSSUS.url: "s1", MEGAPACK.url: "s1"})
    memo: CheckMemo = {}
    (verdict,) = ground_digest(_digest(Item("x", COLOSSUS.url, [Bullet(bullet)])), sources, memo)
    assert (verdict.ok, verdict.supported_by) == (True, MEGAPACK.url)
    assert memo == {
        (bullet, (MEGAPACK.url, COLOSSUS.url)): check_bullet(bullet, f"{MEGAPACK.title}\n{MEGAPACK.text}\n"
                                                                       f"{COLOSSUS.title}\n{COLOSSUS.text}"),
        (bullet, (COLOSSUS.url,)): check_bullet(bullet, f"{COLOSSUS.title}\n{COLOSSUS.text}"),
        (bullet, (MEGAPACK.url,)): check_bullet(bullet, f"{MEGAPACK.title}\n{MEGAPACK.text}"),
    }


def test_a_remembered_check_is_the_verdict() -> None:
    """What the editor checked while writing is not checked again: the memo's check is
    the verdict (here one that differs from a fresh check, to tell them apart)."""
    bullet = "xAI 已部署 168 个特斯拉 Megapack"
    sources = ItemSources([COLOSSUS, MEGAPACK], {COLOSSUS.url: "s1", MEGAPACK.url: "s1"})
    digest = _digest(Item("x", COLOSSUS.url, [Bullet(bullet)]))
    remembered = BulletCheck(ok=False, missing_names=["Megapack"])
    (verdict,) = ground_digest(digest, sources, {(bullet, (MEGAPACK.url, COLOSSUS.url)): remembered})
    assert (verdict.ok, verdict.missing_names) == (False, ["Megapack"])
    # the own article's remembered check decides which article supports the bullet
    memo: CheckMemo = {(bullet, (COLOSSUS.url,)): BulletCheck(ok=True)}
    assert support_of(bullet, COLOSSUS.url, sources, memo) == (COLOSSUS.url, False)
    memo = {(bullet, (MEGAPACK.url,)): BulletCheck(ok=False)}
    assert support_of(bullet, COLOSSUS.url, sources, memo) == ("", False)


# --- the title and the summary lines ------------------------------------------------------


def test_a_line_restates_every_item_holding_a_quarter_of_its_bigrams() -> None:
    first = Item("甲乙", "https://a.example/1")
    second = Item("丁戊", "https://a.example/2")
    third = Item("己庚", "https://a.example/3")
    digest = _digest(first, second, third)
    # 甲乙丙丁戊: 甲乙, 乙丙, 丙丁, 丁戊: the first and second items hold one each
    assert restated_links("甲乙丙丁戊", digest) == [first.url, second.url]
    # below a quarter everywhere: the one item that holds most
    assert restated_links("己庚辛壬癸子丑", digest) == [third.url]
    # a line of punctuation restates nothing
    assert restated_links("——", digest) == []
    assert restated_links("甲乙", _digest()) == []


def test_a_line_restating_a_headline_and_its_first_fact_together() -> None:
    """An item's headline and facts are read as one text: a line running the headline
    into its first fact ("…供电，已部署…") shares the bigram across the two."""
    item = Item("特斯拉 Megapack 为数据中心供电", MEGAPACK.url, [Bullet("已部署 168 个")])
    other = Item("马斯克 Colossus 2 正式投运", COLOSSUS.url, [Bullet("功率 1 GW")])
    assert restated_links("电，已", _digest(item, other)) == [MEGAPACK.url]


def _front(summary: str, key: str = "summary") -> str:
    return f"---\ntitle: AI 日报\n{key}: |\n" + "".join(f"  - {line}\n" for line in summary.split("\n")) + "---\n"


def test_restatement_verdicts_in_full() -> None:
    """The summary lines (at the line of the ``summary`` key, however it is spaced) and
    the title: grounded ones hold the check, one restating only unfetched items says so
    with the item's link, a title restating nothing has no link."""
    text = (_front("马斯克 Colossus 2 正式投运，功率 1 GW\n不存在的文章里的一条事实", key="summary ")
            + "\n# ——\n\n### 超算\n\n[马斯克 Colossus 2 正式投运](https://www.qbitai.com/2026/01/370077.html)\n"
            "- 功率 1 GW\n\n[不存在的文章](https://www.ithome.com/0/999/999.htm)\n- 一条事实\n")
    digest = parse(text)
    assert digest.summary_lines and text.split("\n")[2].startswith("summary :")
    sources = ItemSources([COLOSSUS], {})
    memo: CheckMemo = {}
    verdicts = ground_restatements(digest, sources, memo)
    grounded = "马斯克 Colossus 2 正式投运，功率 1 GW"
    assert verdicts == [
        BulletVerdict(3, "summary", COLOSSUS.url, grounded, True, [], [], "马斯克 Colossus 2 正式投运",
                      [COLOSSUS.url], kind="summary"),
        BulletVerdict(3, "summary", "https://www.ithome.com/0/999/999.htm", "不存在的文章里的一条事实", False,
                      kind="summary"),
        BulletVerdict(8, "title", "", "——", False, kind="title"),
    ]
    assert memo == {(grounded, (COLOSSUS.url,)): check_bullet(grounded, f"{COLOSSUS.title}\n{COLOSSUS.text}")}
    # a remembered check is the verdict
    memo[(grounded, (COLOSSUS.url,))] = BulletCheck(ok=False, missing_numbers=["1 GW"])
    assert ground_restatements(digest, sources, memo)[0].missing_numbers == ["1 GW"]


def test_summary_lines_of_a_built_digest() -> None:
    """A digest built in memory (the editor's) has its summary at the key's rendered line."""
    digest = _digest(Item("马斯克 Colossus 2 正式投运", COLOSSUS.url, [Bullet("功率 1 GW")]))
    digest.front_matter = FrontMatter()
    digest.front_matter.set("title", "AI 日报")
    digest.front_matter.set("summary", "- 马斯克 Colossus 2 正式投运")
    (verdict,) = ground_restatements(digest, ItemSources([COLOSSUS], {}))
    assert (verdict.line, verdict.kind, verdict.ok, verdict.url) == (3, "summary", True, COLOSSUS.url)
