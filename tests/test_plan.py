"""plan: the model's plan is accepted only with known ids, each once, counts in range."""

from __future__ import annotations

import pytest

from aidaily.editor.schema import Plan, PlanGroup, PlanSection
from aidaily.editor.plan import plan_problems, prune, validator

IDS = [f"s{i}" for i in range(1, 13)]
LIMITS = {"main_min": 4, "main_max": 8, "other_min": 2, "other_max": 4,
          "sections_min": 2, "sections_max": 4}


def make_plan(sections: list[list[list[str]]], other: list[str],
              titles: list[str] | None = None) -> Plan:
    titles = titles or [f"主题{i}：副标题" for i in range(len(sections))]
    return Plan(
        sections=[PlanSection(title=t, groups=[PlanGroup(story_ids=g, commentary=True) for g in groups])
                  for t, groups in zip(titles, sections)],
        other_ids=other,
    )


GOOD = make_plan([[["s1"], ["s2"]], [["s3", "s4"]], [["s5"]]], ["s6", "s7"])


def test_a_good_plan_has_no_problems() -> None:
    assert plan_problems(GOOD, IDS, LIMITS) == []
    validator(IDS, LIMITS)(GOOD)


@pytest.mark.parametrize(("plan", "needle"), [
    (make_plan([[["s1"], ["s99"]], [["s3", "s4"]]], ["s6", "s7"]), "s99"),
    (make_plan([[["s1"], ["s2"]], [["s3", "s1"]]], ["s6", "s7"]), "重复"),
    (make_plan([[["s1"], ["s2"]], [["s3", "s4"]]], ["s6", "s4"]), "重复"),
    (make_plan([[["s1"]], [["s3"]]], ["s6", "s7"]), "主新闻数量"),
    (make_plan([[["s1"], ["s2"]], [["s3", "s4"]]], ["s6"]), "其他动态数量"),
    (make_plan([[["s1"], ["s2"], ["s3"], ["s4"]]], ["s6", "s7"]), "板块数量"),
    (make_plan([[["s1"], ["s2"]], [["s3", "s4"]]], ["s6", "s7"], ["没有冒号的标题", "主题：副标题"]), "主题：副标题"),
    (make_plan([[["s1"], ["s2"]], [["s3", "s4"]]], ["s6", "s7"], ["其他动态：今日", "主题：副标题"]), "其他动态"),
])
def test_broken_rules_are_named_and_rejected(plan: Plan, needle: str) -> None:
    problems = plan_problems(plan, IDS, LIMITS)
    assert any(needle in p for p in problems), problems
    with pytest.raises(ValueError, match="编排不符合要求"):
        validator(IDS, LIMITS)(plan)


def test_prune_drops_stories_and_shared_commentary() -> None:
    pruned = prune(GOOD, {"s4", "s5", "s7"})
    assert pruned.main_ids == ["s1", "s2", "s3"] and pruned.other_ids == ["s6"]
    assert len(pruned.sections) == 2  # the section of s5 is gone
    shared = pruned.sections[1].groups[0]
    assert shared.story_ids == ["s3"] and shared.commentary is False
    assert GOOD.main_ids == ["s1", "s2", "s3", "s4", "s5"]  # the original is untouched
