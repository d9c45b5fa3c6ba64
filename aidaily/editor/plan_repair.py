"""Plan repair: a model's plan that still breaks the rules after its repair turn,
mended deterministically instead of thrown away.

Real models miss counts often (27 stories in 3 sections when 10–16 in 4–8 were asked
for); throwing such a plan away costs the day its themed sections and the model's
section titles. ``repair_plan`` keeps what the model decided and changes only what
breaks a rule, in this order, each change recorded as a ``PlanFix``:

1. read leniently: a group of more than 3 stories is split into groups of 3;
2. unknown ids (not among the candidates shown) and repeated ids (the first place
   wins, a main story before a one-liner) are dropped; empty sections go;
3. a section title that is not ``theme：subtitle`` (or too long, or named like
   其他动态) is mended from its own words: the theme from the stories' keyword theme
   (``extractive.theme_of``) when it has none, the subtitle from its lead story's
   headline when it has none; a good title is kept as it is;
4. too many main stories: the ones placed worst by the model's order and our rank
   together (the sum of the two positions) are cut, except each section's best one
   (a section emptied for a count would lose the model's title), and they become
   其他动态 one-liners while 其他动态 has room; too few: the best-ranked unused candidates are added, each
   to the section whose stories share its keyword theme (else the smallest section);
   then the model's own one-liners, best-ranked first, when no unused one is left;
5. too many / too few 其他动态 one-liners: the same, without sections;
6. too many sections: the smallest is merged into its smaller neighbour, which keeps
   its title; too few: the largest is split in two, the second part titled with the
   first part's theme and its lead story's headline (``超算与芯片：特斯拉 AI5 芯片…``).

Stories are never reordered otherwise. Everything here is pure: the parsed answer,
the candidate stories (ranked, best first) and the limits in, a ``RepairedPlan`` out,
or None when nothing usable came back (no plan shape, or no section holding a known
story): then the caller falls back to the keyword plan.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from aidaily.editor.extractive import theme_of
from aidaily.editor.prompting import one_line
from aidaily.editor.schema import (
    RESERVED_TITLES,
    SECTION_TITLE_MAX,
    Plan,
    PlanGroup,
    PlanSection,
    section_title_problems,
)

if TYPE_CHECKING:
    from aidaily.models import Story

FixKind = Literal[
    "group-split",  # a group of more than 3 stories became several
    "unknown-ids",  # ids that are not candidates, dropped
    "repeated-ids",  # ids placed twice, the later places dropped
    "empty-section",  # a section left without stories, removed
    "title",  # a section title mended
    "main-cut",  # main stories over the limit, cut (some moved to 其他动态)
    "main-filled",  # main stories added to reach the minimum
    "other-cut",  # 其他动态 one-liners over the limit, cut
    "other-filled",  # 其他动态 one-liners added to reach the minimum
    "sections-merged",  # sections over the limit, merged into a neighbour
    "section-split",  # sections under the minimum, the largest split
    "unresolved",  # what the repair could not mend (too few candidates)
]
GROUP_MAX = 3  # ``PlanGroup.story_ids``' limit
SHORT_THEME = 8  # a title without "：" this short is a theme, not a subtitle
_CLAUSE_END = re.compile(r"[，,：:；;|｜—]")
_CUT_AT = "，、；,;"
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff]) ")
_SHOWN_IDS = 5  # ids named per note


@dataclass(frozen=True)
class PlanFix:
    """One change the repair made to the model's plan, for the editor."""

    kind: FixKind
    message: str
    story_ids: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.message


@dataclass
class RepairedPlan:
    """A plan and the changes made to the model's answer to get it (none: as given)."""

    plan: Plan
    fixes: list[PlanFix] = field(default_factory=list)

    @property
    def notice(self) -> str:
        """One line for the run's notices."""
        return "plan repaired after the model's repair turn: " + "; ".join(map(str, self.fixes))


@dataclass
class _Group:
    ids: list[str]
    commentary: bool


@dataclass
class _Section:
    title: str
    groups: list[_Group]

    @property
    def ids(self) -> list[str]:
        return [sid for g in self.groups for sid in g.ids]


def repair_plan(answer: Any, stories: Sequence[Story], limits: Mapping[str, int]) -> RepairedPlan | None:
    """``answer`` (a ``Plan`` or the parsed JSON of one) mended to the rules.

    Args:
        answer: the model's plan, as parsed from its answer (any JSON: read leniently).
        stories: the candidate stories the model was shown, best-ranked first.
        limits: ``prompting.plan_limits`` (main / other / sections, min and max).

    Returns:
        The repaired plan with its fixes, or None when the answer holds no section with
        a known story (nothing of the model's to keep).
    """
    if isinstance(answer, Plan):
        answer = answer.model_dump()
    fixes: list[PlanFix] = []
    read = _read(answer, fixes)
    if read is None:
        return None
    sections, other = read
    by_id = {s.id: s for s in stories}
    rank = {s.id: i for i, s in enumerate(stories)}
    other = _drop_unknown_and_repeated(sections, other, rank, fixes)
    _remove_empty(sections, fixes)
    if not sections:
        return None
    _mend_titles(sections, by_id, fixes)
    other = _fit_main(sections, other, stories, by_id, rank, limits, fixes)
    other = _fit_other(other, sections, stories, rank, limits, fixes)
    _remove_empty(sections, fixes)
    _fit_sections(sections, by_id, limits, fixes)
    plan = Plan(
        sections=[PlanSection(title=s.title, groups=[PlanGroup(story_ids=g.ids, commentary=g.commentary)
                                                     for g in s.groups]) for s in sections],
        other_ids=other,
    )
    return RepairedPlan(plan, fixes)


# --- reading ---------------------------------------------------------------------------


def _ids(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in items if isinstance(v, str | int) and str(v).strip()]


def _read(answer: Any, fixes: list[PlanFix]) -> tuple[list[_Section], list[str]] | None:
    """Sections and one-liners from any JSON that has the plan's shape."""
    if not isinstance(answer, dict) or not isinstance(answer.get("sections"), list):
        return None
    sections = []
    split: list[str] = []
    for raw in answer["sections"]:
        if not isinstance(raw, dict):
            continue
        title = raw.get("title")
        groups = []
        raw_groups = raw.get("groups")
        if not isinstance(raw_groups, list):  # stories listed on the section itself
            raw_groups = [[sid] for sid in _ids(raw.get("story_ids", []))]
        for g in raw_groups:
            ids = _ids(g.get("story_ids", []) if isinstance(g, dict) else g)
            commentary = bool(g.get("commentary", True)) if isinstance(g, dict) else True
            if len(ids) > GROUP_MAX:
                split += ids
            groups += [_Group(ids[i:i + GROUP_MAX], commentary) for i in range(0, len(ids), GROUP_MAX)]
        sections.append(_Section(title if isinstance(title, str) else "", groups))
    if split:
        fixes.append(_fix("group-split", f"groups of more than {GROUP_MAX} stories split into "
                                         f"groups of {GROUP_MAX}", split))
    return sections, _ids(answer.get("other_ids", []))


def _drop_unknown_and_repeated(sections: list[_Section], other: list[str], rank: Mapping[str, int],
                               fixes: list[PlanFix]) -> list[str]:
    seen: set[str] = set()
    unknown: list[str] = []
    repeated: list[str] = []

    def keep(ids: list[str]) -> list[str]:
        kept = []
        for sid in ids:
            if sid not in rank:
                unknown.append(sid)
            elif sid in seen:
                repeated.append(sid)
            else:
                seen.add(sid)
                kept.append(sid)
        return kept

    for section in sections:
        for group in section.groups:
            group.ids = keep(group.ids)
    other = keep(other)
    if unknown:
        fixes.append(_fix("unknown-ids", f"{len(unknown)} places of ids that are no candidates dropped", unknown))
    if repeated:
        fixes.append(_fix("repeated-ids", f"{len(repeated)} repeated places dropped (each story "
                                          "keeps its first)", repeated))
    return other


def _remove_empty(sections: list[_Section], fixes: list[PlanFix]) -> None:
    for section in sections:
        section.groups = [g for g in section.groups if g.ids]
    empty = [s.title or "(untitled)" for s in sections if not s.groups]
    sections[:] = [s for s in sections if s.groups]
    if empty:
        fixes.append(_fix("empty-section", "sections left without stories removed: "
                                           + "、".join(f"“{t}”" for t in empty)))


# --- titles ----------------------------------------------------------------------------


def _theme(ids: Sequence[str], by_id: Mapping[str, Story]) -> str:
    """The keyword theme most of ``ids`` share (ties: the earliest story's)."""
    themes = [theme_of(by_id[sid]) for sid in ids]
    counts = Counter(themes)
    return max(themes, key=lambda t: counts[t])


def _clause(story: Story) -> str:
    """The opening of a story's headline, as a section subtitle: up to the first clause
    break that leaves ``SHORT_THEME`` characters at least ("三星高管：不追噱头，…" gives
    "三星高管，不追噱头"), without a "：" of its own."""
    title = one_line(story.title)
    end = next((m.start() for m in _CLAUSE_END.finditer(title) if m.start() >= SHORT_THEME), None)
    return title[:end].strip().replace("：", "，").replace(":", "，") or story.id


def shorten(title: str, limit: int = SECTION_TITLE_MAX) -> str:
    """``title`` cut to ``limit`` characters: at the last clause break after the "：",
    else at the last space after a Chinese character (not inside "300 万" or "Choice
    Policy"), else where it must."""
    if len(title) <= limit:
        return title
    cut = title[:limit]
    start = cut.find("：") + 2  # the subtitle keeps one character at least
    at = max(cut.rfind(mark) for mark in _CUT_AT)
    if at < start:
        at = max((m.start() for m in _CJK_SPACE.finditer(cut)), default=-1)
    return (cut[:at] if at >= start else cut).rstrip()


def mend_title(title: str, theme: str, lead: str) -> str:
    """A ``theme：subtitle`` title from ``title``: kept when it is one; otherwise its
    words, with ``theme`` as the theme and ``lead`` as the subtitle where it lacks one."""
    if not section_title_problems(title):
        return title
    text = title.replace(":", "：")
    for reserved in RESERVED_TITLES:
        text = text.replace(reserved, "")
    head, colon, tail = text.partition("：")
    head, tail = head.strip(" ："), tail.strip(" ：")
    if not colon:  # one part: a short one names the theme, a longer one reads it
        head, tail = (head, "") if len(head) <= SHORT_THEME else ("", head)
    head = head[: SECTION_TITLE_MAX // 2].strip()  # a theme is a few words, not a sentence
    return shorten(f"{head or theme}：{tail or lead}")


def _mend_titles(sections: list[_Section], by_id: Mapping[str, Story], fixes: list[PlanFix]) -> None:
    changed = []
    for section in sections:
        lead = _clause(by_id[section.ids[0]])
        title = mend_title(section.title, _theme(section.ids, by_id), lead)
        if title != section.title:
            changed.append(f"“{section.title}” → “{title}”")
            section.title = title
    if changed:
        fixes.append(_fix("title", "section titles mended: " + "; ".join(changed)))


# --- counts ----------------------------------------------------------------------------


def _worst_first(ids: Sequence[str], rank: Mapping[str, int]) -> list[str]:
    """``ids`` worst first, by the model's order and our rank together: the sum of a
    story's position in ``ids`` and its position among ``ids`` by rank (ties: the one
    the model placed later)."""
    by_rank = {sid: i for i, sid in enumerate(sorted(ids, key=lambda s: rank[s]))}
    return sorted(ids, key=lambda s: (-(ids.index(s) + by_rank[s]), -ids.index(s)))


def _unused(stories: Sequence[Story], sections: list[_Section], other: list[str]) -> list[str]:
    placed = {sid for s in sections for sid in s.ids} | set(other)
    return [s.id for s in stories if s.id not in placed]


def _fit_main(sections: list[_Section], other: list[str], stories: Sequence[Story],
              by_id: Mapping[str, Story], rank: Mapping[str, int], limits: Mapping[str, int],
              fixes: list[PlanFix]) -> list[str]:
    main = [sid for s in sections for sid in s.ids]
    lo, hi = limits["main_min"], limits["main_max"]
    if len(main) > hi:
        worst = _worst_first(main, rank)
        # each section keeps its best story, so that no title of the model's goes for a count
        kept = {max(sec.ids, key=worst.index, default="") for sec in sections[:hi]}
        cut = set([sid for sid in worst if sid not in kept][: len(main) - hi])
        for section in sections:
            for group in section.groups:
                group.ids = [sid for sid in group.ids if sid not in cut]
        cut_ids = sorted(cut, key=lambda s: rank[s])
        moved = cut_ids[: max(0, limits["other_max"] - len(other))]
        other = [*other, *moved]
        fixes.append(_fix("main-cut", f"{len(main)} main stories, at most {hi}: {len(cut)} cut by "
                                      f"the plan's order and rank (each section keeps its best), "
                                      f"{len(moved)} of them moved to 其他动态", cut_ids))
    elif len(main) < lo:
        unused = _unused(stories, sections, other)
        promoted = sorted(other, key=lambda s: rank[s])
        added = [*unused, *promoted][: lo - len(main)]
        other = [sid for sid in other if sid not in added]
        for sid in added:
            _place(sid, sections, by_id)
        fixes.append(_fix("main-filled", f"{len(main)} main stories, at least {lo}: "
                                         f"{len(added)} best-ranked added to the sections "
                                         "of their theme", added))
    return other


def _place(sid: str, sections: list[_Section], by_id: Mapping[str, Story]) -> None:
    """Add ``sid`` as a group of its own to the section most of whose stories share its
    keyword theme, else to the smallest section (ties: the later one)."""
    theme = theme_of(by_id[sid])
    matches = [sum(theme_of(by_id[x]) == theme for x in s.ids) for s in sections]
    if max(matches) > 0:
        target = sections[matches.index(max(matches))]
    else:
        target = min(reversed(sections), key=lambda s: len(s.ids))
    target.groups.append(_Group([sid], True))


def _fit_other(other: list[str], sections: list[_Section], stories: Sequence[Story],
               rank: Mapping[str, int], limits: Mapping[str, int], fixes: list[PlanFix]) -> list[str]:
    lo, hi = limits["other_min"], limits["other_max"]
    if len(other) > hi:
        cut = set(_worst_first(other, rank)[: len(other) - hi])
        fixes.append(_fix("other-cut", f"{len(other)} 其他动态 one-liners, at most {hi}: "
                                       f"{len(cut)} cut by the plan's order and rank",
                          sorted(cut, key=lambda s: rank[s])))
        return [sid for sid in other if sid not in cut]
    if len(other) < lo:
        added = _unused(stories, sections, other)[: lo - len(other)]
        if added:
            fixes.append(_fix("other-filled", f"{len(other)} 其他动态 one-liners, at least {lo}: "
                                              f"{len(added)} best-ranked added", added))
        return [*other, *added]
    return other


# --- sections --------------------------------------------------------------------------


def _fit_sections(sections: list[_Section], by_id: Mapping[str, Story], limits: Mapping[str, int],
                  fixes: list[PlanFix]) -> None:
    n = len(sections)
    merged = []
    while len(sections) > limits["sections_max"]:
        i = min(reversed(range(len(sections))), key=lambda k: len(sections[k].ids))
        j = min((k for k in (i - 1, i + 1) if 0 <= k < len(sections)),
                key=lambda k: len(sections[k].ids))
        small = sections.pop(i)
        into = sections[j if j < i else j - 1]
        into.groups = [*into.groups, *small.groups] if j < i else [*small.groups, *into.groups]
        merged.append(f"“{small.title}” into “{into.title}”")
    if merged:
        fixes.append(_fix("sections-merged", f"{n} sections, at most {limits['sections_max']}: "
                                             "merged " + "; ".join(merged)))
    split = []
    while len(sections) < limits["sections_min"]:
        i = max(range(len(sections)), key=lambda k: (len(sections[k].ids), -k))
        if len(sections[i].ids) < 2:
            break
        second = _split(sections, i, by_id)
        split.append(f"“{sections[i].title}” split, the second part titled “{second}”")
    if split:
        fixes.append(_fix("section-split", f"{n} sections, at least {limits['sections_min']}: "
                                           + "; ".join(split)))


def _split(sections: list[_Section], i: int, by_id: Mapping[str, Story]) -> str:
    """Split ``sections[i]`` in two at the group boundary nearest its middle (a lone
    group is split itself); return the second part's title."""
    section = sections[i]
    groups = section.groups
    if len(groups) == 1:
        ids, commentary = groups[0].ids, groups[0].commentary
        half = (len(ids) + 1) // 2
        groups = [_Group(ids[:half], commentary), _Group(ids[half:], commentary)]
    total = len(section.ids)
    bounds = [sum(len(g.ids) for g in groups[:k]) for k in range(1, len(groups))]
    at = 1 + min(range(len(bounds)), key=lambda k: (abs(2 * bounds[k] - total), -bounds[k]))
    first, rest = groups[:at], groups[at:]
    theme = section.title.partition("：")[0]
    lead = _clause(by_id[rest[0].ids[0]])
    title = shorten(f"{theme}：{lead}")
    section.groups = first
    sections.insert(i + 1, _Section(title, rest))
    return title


def _fix(kind: FixKind, message: str, ids: Sequence[str] = ()) -> PlanFix:
    shown = list(dict.fromkeys(ids))
    if shown:
        more = f" …(+{len(shown) - _SHOWN_IDS})" if len(shown) > _SHOWN_IDS else ""
        message = f"{message} ({', '.join(shown[:_SHOWN_IDS])}{more})"
    return PlanFix(kind, message, tuple(shown))


__all__ = ["FixKind", "PlanFix", "RepairedPlan", "mend_title", "repair_plan", "shorten"]
