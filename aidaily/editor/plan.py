"""The plan step: one model call over compact story cards, and the rules its answer
must satisfy.

The model may only use ids it was given, each story once, and the counts must be
within the configured ranges (scaled down on a small day, see
``prompting.plan_limits``). ``plan_problems`` lists every broken rule; the LLM client
calls ``validator(...)`` on each answer, and a non-empty list becomes a ``ValueError``
whose message goes back to the model in the repair round. A plan that still breaks
the rules after that is mended deterministically (``plan_repair.repair_plan``), and
the changes are recorded; only an answer with nothing usable in it fails the step.
"""

from __future__ import annotations

from datetime import date

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from aidaily.editor.plan_repair import PlanFix, RepairedPlan, repair_plan
from aidaily.editor.schema import Plan, PlanGroup, PlanSection, section_title_problems
from aidaily.editor.prompting import build_plan_messages, plan_limits, story_cards
from aidaily.llm.replay import Subject
from aidaily.errors import InvalidAnswer

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.llm.client import LLMClient
    from aidaily.models import PastIssue, Story

# The plan sees the best-ranked stories only: it picks at most main_max + other_max (54 by
# default) and cards beyond the top few dozen cost tokens without changing the choice.
PLAN_MAX_CARDS = 80


def plan_problems(plan: Plan, ids: Sequence[str], limits: dict[str, int]) -> list[str]:
    """Every rule ``plan`` breaks, as sentences the model can act on (empty: valid)."""
    known = set(ids)
    problems: list[str] = []
    unknown = [sid for sid in plan.all_ids if sid not in known]
    if unknown:
        problems.append(f"以下 id 不在候选卡片中，只能使用给出的 id：{', '.join(unknown[:10])}")
    seen: set[str] = set()
    repeated = []
    for sid in plan.all_ids:
        if sid in seen:
            repeated.append(sid)
        seen.add(sid)
    if repeated:
        problems.append(f"每条新闻只能出现一次，重复的 id：{', '.join(repeated[:10])}")
    n_main, n_other, n_sec = len(plan.main_ids), len(plan.other_ids), len(plan.sections)
    for what, n, lo, hi in (
        ("主新闻", n_main, limits["main_min"], limits["main_max"]),
        ("其他动态", n_other, limits["other_min"], limits["other_max"]),
        ("板块", n_sec, limits["sections_min"], limits["sections_max"]),
    ):
        if not lo <= n <= hi:
            problems.append(f"{what}数量应为 {lo}–{hi}，实际为 {n}")
    for section in plan.sections:
        problems += section_title_problems(section.title)
    return problems


def validator(ids: Sequence[str], limits: dict[str, int]) -> Callable[[Any], None]:
    """The ``validate`` callback for the LLM client: raises ``ValueError`` listing the
    problems of a plan that breaks the rules."""

    def validate(plan: Any) -> None:
        problems = plan_problems(plan, ids, limits)
        if problems:
            raise ValueError("编排不符合要求：\n" + "\n".join(f"- {p}" for p in problems))

    return validate


async def make_plan(
    day: date, stories: Sequence[Story], settings: Settings, llm: LLMClient, *,
    recent: Sequence[PastIssue] = (),
) -> RepairedPlan:
    """The model's plan for ``stories`` (ranked, best first; the top ``PLAN_MAX_CARDS``
    are shown to the model), validated; or, when the model's repair turn still broke
    the rules, its latest usable answer repaired (``fixes`` says what changed).

    Raises:
        LLMError: the model gave no usable plan (no JSON of a plan's shape, or no known
            story in a section) after the client's repair and retries.
    """
    cards, msgs = plan_messages(day, stories, settings, recent=recent)
    limits = plan_limits(len(cards), settings)
    ids = [c["id"] for c in cards]
    try:
        plan = await llm.structured("plan", msgs, Plan, validate=validator(ids, limits),
                                    subject=Subject(day, "plan", "plan"))
    except InvalidAnswer as exc:
        shown = list(stories)[: len(cards)]
        for answer in exc.answers:  # the repair turn's answer first
            repaired = repair_plan(answer, shown, limits)
            if repaired is not None:
                left = plan_problems(repaired.plan, ids, limits)
                if left:  # e.g. too few candidates to fill a count: the editor decides
                    repaired.fixes.append(PlanFix("unresolved", "still: " + "; ".join(left)))
                return repaired
        raise
    assert isinstance(plan, Plan)
    return RepairedPlan(plan)


def plan_messages(
    day: date, stories: Sequence[Story], settings: Settings, *, recent: Sequence[PastIssue] = ()
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The cards of the top ``PLAN_MAX_CARDS`` stories and the plan call's messages
    (which list the ``recent`` issues' headlines)."""
    cards = story_cards(list(stories)[:PLAN_MAX_CARDS])
    return cards, build_plan_messages(cards, settings, day=day, recent=recent)


def prune(plan: Plan, drop: set[str]) -> Plan:
    """``plan`` without the stories in ``drop``. A group that loses a story loses its
    shared commentary (it was written about the dropped story too); empty groups and
    sections disappear."""
    sections = []
    for section in plan.sections:
        groups = []
        for g in section.groups:
            kept = [sid for sid in g.story_ids if sid not in drop]
            if kept:
                groups.append(
                    PlanGroup(story_ids=kept, commentary=g.commentary and len(kept) == len(g.story_ids))
                )
        if groups:
            sections.append(PlanSection.model_construct(title=section.title, groups=groups))
    return Plan.model_construct(
        sections=sections, other_ids=[sid for sid in plan.other_ids if sid not in drop]
    )
