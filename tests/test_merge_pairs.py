"""Merges that are right (issue 19): evidence of one piece of news is specific to it, the
labelled pairs of benchmarks/data/merge_pairs.json hold their measured figures, and the
fixture day merges its three cross-site duplicates and nothing else."""

from __future__ import annotations

import json

from aidaily.models import Article
from aidaily.stories import dedup
from aidaily.stories.dedup import compare, group_duplicates, shared_names, story_evidence, story_names
from benchmarks.merge import PAIRS, evaluate, load_pairs
from tests.factories import fixture_day_articles


def test_names_many_stories_share_are_no_evidence() -> None:
    assert {"openai", "claude", "gpt", "nvidia", "chatgpt", "gemini"} <= shared_names()
    assert story_names("OpenAI 的 GPT 与 Anthropic 的 Claude，英伟达和 ChatGPT") == set()
    assert story_names("xAI 的 Colossus 2 与优必选 Walker S2") == {"colossus 2", "walker s2"}


def test_figures_count_with_their_unit() -> None:
    evidence = story_evidence("已部署 55 万张 GPU，融资 250 亿美元，增长 71.5%，2026 年 5 个")
    assert evidence == {"#550000张", "#25000000000美", "#71.5%"}


def test_two_stories_naming_gpt_and_claude_stay_apart() -> None:
    """The issue's false merge: a model-release report and a game article, both naming
    GPT and Claude, became one story (two shared names lowered the bar)."""
    release = Article("https://www.ithome.com/0/920/001.htm", "ithome",
                      "消息称 OpenAI 下周发布新模型，GPT 与 Claude 之争再升级",
                      "IT之家消息，据知情人士透露，OpenAI 计划下周发布新一代 GPT 模型，与 Anthropic 的 Claude 竞争。")
    game = Article("https://www.qbitai.com/2026/01/380001.html", "qbitai",
                   "AI 模型玩宝可梦：GPT 与 Claude 谁先通关",
                   "一位开发者让 GPT 和 Claude 同时玩宝可梦，直播通关过程，OpenAI 与 Anthropic 的模型各有千秋。")
    verdict = compare(release, game)
    assert verdict.evidence == frozenset() and not verdict.same
    assert len(group_duplicates([release, game])) == 2


def test_digest_link_is_a_strong_merge() -> None:
    article = Article("https://www.qbitai.com/2026/01/370077.html", "qbitai", "Colossus 2 上线", "正文")
    item = Article("https://ai.hubtoday.app/2026-01/2026-01-18/#item-1", "hubtoday", "超算", "摘要",
                   links=["https://qbitai.com/2026/01/370077.html?utm_source=x"])
    assert compare(item, article) == dedup.PairVerdict(1.0, frozenset(), True, True)


def test_pair_set_figures() -> None:
    """The labelled pairs: at least 200, all three kinds, and the figures
    benchmarks/README.md reports (a change of the grouping must update both)."""
    pairs = load_pairs(PAIRS)
    assert len(pairs) >= 200
    assert {p["label"] for p in pairs} == {"same", "different", "follow-up"}
    assert len({p["id"] for p in pairs}) == len(pairs)
    counts = evaluate(pairs)["counts"]
    assert (counts["all"]["tp"], counts["all"]["fp"], counts["all"]["fn"]) == (86, 20, 17)
    assert counts["fixture-day"] == {"tp": 3, "fp": 0, "fn": 0, "tn": 18,
                                          "precision": 1.0, "recall": 1.0}


def test_fixture_day_merges_every_cross_site_duplicate_and_nothing_else() -> None:
    articles = fixture_day_articles()
    assert len(articles) == 38
    merged = sorted(sorted(a.url.rsplit("/", 1)[-1] for a in s.articles)
                    for s in group_duplicates(articles) if len(s.articles) > 1)
    assert merged == [["192.htm", "370102.html"], ["198.htm", "370119.html"],
                      ["210.htm", "370077.html"]]


def test_pair_file_is_valid_json_of_articles() -> None:
    for pair in json.loads(PAIRS.read_text(encoding="utf-8")):
        for side in ("a", "b"):
            assert pair[side]["title"] and pair[side]["url"].startswith("http")
