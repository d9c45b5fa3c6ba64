"""plan_repair: a plan that breaks the rules after the model's repair turn is mended
deterministically, keeping the model's titles and order, and every change is named."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidaily.editor.plan import plan_problems
from aidaily.editor.plan_repair import mend_title, repair_plan, shorten
from aidaily.editor.schema import SECTION_TITLE_MAX, section_title_problems
from tests.factories import make_stories

STORIES = make_stories()  # s1 … s12, best-ranked first
IDS = [s.id for s in STORIES]
LIMITS = {"main_min": 4, "main_max": 8, "other_min": 2, "other_max": 4,
          "sections_min": 2, "sections_max": 4}


def answer(*sections: tuple[str, list[list[str]]], other: list[str] | None = None) -> dict[str, Any]:
    """A plan's JSON: (title, groups of story ids) per section."""
    return {"sections": [{"title": title, "groups": [{"story_ids": g, "commentary": True} for g in groups]}
                         for title, groups in sections],
            "other_ids": other or []}


def singles(*ids: str) -> list[list[str]]:
    return [[sid] for sid in ids]


def repaired(data: Any, limits: dict[str, int] = LIMITS) -> Any:
    """The repair of ``data`` over the 12 stories, which always meets the rules."""
    result = repair_plan(data, STORIES, limits)
    assert result is not None
    assert plan_problems(result.plan, IDS, limits) == []
    return result


def kinds(result: Any) -> list[str]:
    return [f.kind for f in result.fixes]


def titles(result: Any) -> list[str]:
    return [s.title for s in result.plan.sections]


def test_a_good_plan_comes_back_as_it_was() -> None:
    good = answer(("超算与芯片：AI 军备竞赛", [["s1"], ["s2", "s3"]]),
                  ("资本与产业：估值千亿", singles("s5", "s7")), other=["s8", "s9"])
    result = repaired(good)
    assert result.fixes == [] and result.plan.model_dump() == good


def test_unknown_and_repeated_ids_are_dropped_the_first_place_kept() -> None:
    result = repaired(answer(("超算与芯片：A 题", singles("s1", "s99", "s2", "s1")),
                             ("资本与产业：B 题", singles("s5", "s2", "s7")), other=["s5", "s8", "s9", "ghost"]))
    assert result.plan.main_ids == ["s1", "s2", "s5", "s7"]
    assert result.plan.other_ids == ["s8", "s9"]
    fixes = {f.kind: f for f in result.fixes}
    assert set(fixes) == {"unknown-ids", "repeated-ids"}
    assert fixes["unknown-ids"].story_ids == ("s99", "ghost")
    assert fixes["repeated-ids"].story_ids == ("s1", "s2", "s5")
    assert "s99" in fixes["unknown-ids"].message


def test_a_section_keeps_its_best_story_when_stories_are_cut() -> None:
    result = repaired(answer(("模型与推理：A 题", singles(*IDS[:8])), ("行业动态：B 题", singles("s11", "s12")),
                             other=["s9", "s10"]))
    assert titles(result) == ["模型与推理：A 题", "行业动态：B 题"]  # B, though placed and ranked last
    assert result.plan.main_ids == [*IDS[:6], "s7", "s11"] and "s12" in result.plan.other_ids


def test_too_many_main_stories_are_cut_by_model_order_and_rank_and_become_one_liners() -> None:
    # the model put s1 (our best) last: its rank keeps it; s9 and s10 are late in both
    result = repaired(answer(("模型与推理：A 题", singles("s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9")),
                             ("行业动态：B 题", singles("s10", "s1"))))
    assert result.plan.main_ids == ["s2", "s3", "s4", "s5", "s6", "s7", "s8", "s1"]
    assert result.plan.other_ids == ["s9", "s10"]  # moved, best-ranked first
    assert kinds(result) == ["main-cut"]
    assert result.fixes[0].story_ids == ("s9", "s10")
    assert titles(result) == ["模型与推理：A 题", "行业动态：B 题"]


def test_cut_stories_only_fill_the_room_left_in_other_news() -> None:
    result = repaired(answer(("模型与推理：A 题", singles(*IDS[:8])), ("行业动态：B 题", singles("s9", "s10")),
                             other=["s11", "s12", "s3"]), {**LIMITS, "other_max": 3})
    # s3 is repeated (a main story first); B keeps its best (s9), so s10 and s8 are cut,
    # and the better-ranked of them fits beside s11, s12
    assert result.plan.other_ids == ["s11", "s12", "s8"]
    assert [s.story_ids for s in result.plan.sections] == [IDS[:7], ["s9"]]
    assert len(result.plan.main_ids) == 8


def test_too_few_main_stories_are_filled_from_the_best_unused_into_their_theme() -> None:
    result = repaired(answer(("资本与产业：A 题", singles("s7")), ("模型与推理：B 题", singles("s1", "s4")),
                             other=["s2", "s3"]), {**LIMITS, "main_min": 5})
    # best unused: s5 (资本与产业 -> A by theme), s6 (机器人: no match -> the smaller, later)
    assert [s.story_ids for s in result.plan.sections] == [["s7", "s5"], ["s1", "s4", "s6"]]
    assert result.plan.other_ids == ["s2", "s3"]
    assert kinds(result) == ["main-filled"] and result.fixes[0].story_ids == ("s5", "s6")
    assert all(g.commentary for s in result.plan.sections for g in s.groups)


def test_without_unused_stories_the_best_one_liners_are_promoted() -> None:
    stories = make_stories(5)
    limits = {**LIMITS, "sections_min": 1}
    result = repair_plan(answer(("模型与推理：A 题", singles("s1")), other=["s5", "s3", "s2", "s4"]),
                         stories, limits)
    assert result is not None
    assert result.plan.main_ids == ["s1", "s2", "s3", "s4"] and result.plan.other_ids == ["s5"]
    assert kinds(result) == ["main-filled"] and result.fixes[0].story_ids == ("s2", "s3", "s4")


def test_too_many_and_too_few_one_liners() -> None:
    many = repaired(answer(("模型与推理：A 题", singles("s1", "s2")), ("行业动态：B 题", singles("s3", "s4")),
                           other=["s12", "s5", "s6", "s11", "s7", "s8"]))
    # order + rank: s12 0+5, s5 1+0, s6 2+1, s11 3+4, s7 4+2, s8 5+3 -> s8 and s11 go
    assert many.plan.other_ids == ["s12", "s5", "s6", "s7"]
    assert kinds(many) == ["other-cut"] and many.fixes[0].story_ids == ("s8", "s11")
    few = repaired(answer(("模型与推理：A 题", singles("s1", "s3")), ("行业动态：B 题", singles("s2", "s4")),
                          other=["s9"]))
    assert few.plan.other_ids == ["s9", "s5"]  # the best-ranked unused one added
    assert kinds(few) == ["other-filled"]


def test_too_many_sections_are_merged_smallest_into_its_smaller_neighbour() -> None:
    data = answer(("T0：零", singles("s1", "s2")), ("T1：一", singles("s3")), ("T2：二", singles("s4")),
                  ("T3：三", singles("s5", "s6")), ("T4：四", singles("s7")), ("T5：五", singles("s8")),
                  other=["s9", "s10"])
    result = repaired(data)
    assert titles(result) == ["T0：零", "T1：一", "T3：三", "T4：四"]  # the model's titles, kept
    assert [s.story_ids for s in result.plan.sections] == [["s1", "s2"], ["s3", "s4"], ["s5", "s6"], ["s7", "s8"]]
    assert result.plan.main_ids == [f"s{i}" for i in range(1, 9)]  # the order is untouched
    assert kinds(result) == ["sections-merged"]
    assert "“T5：五” into “T4：四”" in result.fixes[0].message


def test_too_few_sections_the_largest_is_split_with_a_derived_title() -> None:
    result = repaired(answer(("超算与芯片：AI 军备竞赛进入“GW 时代”", [["s2"], ["s1"], ["s4", "s5"], ["s6"]]),
                             other=["s9", "s10"]))
    assert titles(result) == ["超算与芯片：AI 军备竞赛进入“GW 时代”", "超算与芯片：GPT-5.2 Pro 再解公开 Erdős 难题"]
    assert [s.story_ids for s in result.plan.sections] == [["s2", "s1"], ["s4", "s5", "s6"]]
    assert kinds(result) == ["section-split"]
    assert not any("待编辑" in t for t in titles(result))


def test_a_lone_shared_group_is_split_itself() -> None:
    result = repaired(answer(("模型与推理：三条一组", [["s1", "s3", "s4"]]), other=["s9", "s10"]),
                      {**LIMITS, "main_min": 3})
    assert [[g.story_ids for g in s.groups] for s in result.plan.sections] == [[["s1", "s3"]], [["s4"]]]


def test_long_groups_are_split_into_groups_of_three() -> None:
    result = repaired(answer(("模型与推理：八条一组", [["s1", "s2", "s3", "s4", "s5", "s6", "s7"]]),
                             ("行业动态：B 题", singles("s8")), other=["s9", "s10"]))
    assert [g.story_ids for g in result.plan.sections[0].groups] == [["s1", "s2", "s3"], ["s4", "s5", "s6"], ["s7"]]
    assert kinds(result) == ["group-split"]


@pytest.mark.parametrize(("title", "mended"), [
    ("超算与芯片：AI 军备竞赛", "超算与芯片：AI 军备竞赛"),  # a good title is kept
    ("超算与芯片: AI 军备竞赛", "超算与芯片：AI 军备竞赛"),
    ("芯片战争", "芯片战争：特斯拉 AI5 芯片“接近完成”"),  # a theme alone gets the lead story
    ("AI 芯片竞赛进入新阶段，多家厂商发力", "超算与芯片：AI 芯片竞赛进入新阶段，多家厂商发力"),
    ("其他动态：芯片", "超算与芯片：芯片"),
    ("其他动态", "超算与芯片：特斯拉 AI5 芯片“接近完成”"),
    ("", "超算与芯片：特斯拉 AI5 芯片“接近完成”"),
])
def test_broken_titles_are_mended_from_their_own_words(title: str, mended: str) -> None:
    assert mend_title(title, "超算与芯片", "特斯拉 AI5 芯片“接近完成”") == mended


def test_a_long_title_is_cut_at_a_clause_or_word_break() -> None:
    long = "模型与推理：Cursor 让数百个智能体交付 300 万行浏览器，渲染谷歌首页，源码已全部开源"
    assert shorten(long) == "模型与推理：Cursor 让数百个智能体交付 300 万行浏览器，渲染谷歌首页"
    assert shorten("模型与推理：Cursor 让数百个 AI 智能体连续开发 168 小时交付 300 万行浏览器") == (
        "模型与推理：Cursor 让数百个 AI 智能体连续开发 168 小时交付")
    assert len(shorten("主题：" + "长" * 60)) == SECTION_TITLE_MAX


def test_mended_titles_are_recorded() -> None:
    result = repaired(answer(("其他动态：今日", singles("s1", "s2")), ("模型与推理：B 题", singles("s3", "s4")),
                             other=["s9", "s10"]))
    assert titles(result) == ["模型与推理：今日", "模型与推理：B 题"]  # s1, s2: 模型 / 芯片, the first wins a tie
    assert kinds(result) == ["title"] and "“其他动态：今日” → “模型与推理：今日”" in result.fixes[0].message


def test_a_plan_given_loosely_is_read() -> None:
    loose = {"sections": [{"title": "模型与推理：A 题", "groups": [["s1", "s2"], "s3", {"story_ids": "s4"}]},
                          {"title": "行业动态：B 题", "story_ids": ["s5", "s6"]}, "junk"],
             "other_ids": ["s9", 10, None, "s10"]}
    result = repaired(loose)
    assert result.plan.main_ids == ["s1", "s2", "s3", "s4", "s5", "s6"]
    assert result.plan.other_ids == ["s9", "s10"]
    assert kinds(result) == ["unknown-ids"]  # "10" is no candidate


@pytest.mark.parametrize("data", [
    None, "a plan", [], {}, {"sections": "x"}, {"sections": []},
    {"sections": [{"title": "模型与推理：A 题", "groups": [{"story_ids": ["s99"]}]}], "other_ids": ["s1"]},
])
def test_nothing_usable_is_none(data: Any) -> None:
    assert repair_plan(data, STORIES, LIMITS) is None


_TITLES = st.one_of(st.sampled_from(["超算与芯片：AI 军备竞赛", "其他动态", "芯片", "", "T：", "：副标题",
                                     "模型: 推理", "主题：" + "长" * 50]),
                    st.text(alphabet="主题：: 其他动态abc", max_size=70))
_ID = st.sampled_from([*IDS, "s99", "x", ""])
_GROUP = st.fixed_dictionaries({"story_ids": st.lists(_ID, max_size=8), "commentary": st.booleans()})
_SECTION = st.fixed_dictionaries({"title": _TITLES, "groups": st.lists(_GROUP, max_size=8)})
_ANSWER = st.fixed_dictionaries({"sections": st.lists(_SECTION, max_size=9),
                                 "other_ids": st.lists(_ID, max_size=8)})


@settings(max_examples=200, deadline=None)
@given(_ANSWER)
def test_any_answer_is_repaired_to_the_rules_or_refused(data: dict[str, Any]) -> None:
    result = repair_plan(data, STORIES, LIMITS)
    known_main = {sid for s in data["sections"] for g in s["groups"] for sid in g["story_ids"] if sid in IDS}
    assert (result is None) == (not known_main)
    if result is not None:
        assert plan_problems(result.plan, IDS, LIMITS) == []
        good = {s["title"] for s in data["sections"] if not section_title_problems(s["title"])}
        notes = " ".join(f.message for f in result.fixes if f.kind in ("title", "section-split"))
        for section in result.plan.sections:  # the model's good titles, or a title the notes name
            assert section.title in good or f"“{section.title}”" in notes
            assert "待编辑" not in section.title
