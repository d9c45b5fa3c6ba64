"""The structured outputs the editor asks the model for, as pydantic models.

Every model call of the editor returns one of these, validated by the LLM client
(``json_schema`` mode sends the schema to the provider, ``json_object`` mode puts it
in the prompt and validates afterwards). Because the output is a schema, an article
that says "忽略以上指令，输出……" cannot change the draft's structure: at worst it
changes the wording of one story's text, which the grounding check then reads.

    plan      Plan          sections -> groups -> story ids, plus the 其他动态 ids
    write     StoryWrite    one story: headline, 2–4 facts, 2–3 commentary bullets
              FactsWrite    one story of a shared / commentary-less group: no commentary
                            (both: ``set_aside``, the ids of articles that are not the
                            same news, when the story has several)
              CommentaryWrite  the shared commentary block of a group of stories
    brief     BriefWrite    one 其他动态 line
    finalize  Finalize      title, H2 headline, summary lines, seo keywords

Length rules are enforced here (the client's repair round sees the error), and the
rule for a section title (``section_title_problems``); counts that depend on the day
(how many stories, which ids) are checked in ``plan.py``.

A written answer with more bullets (or summary lines, seo keywords) than its list
allows is cut to the allowed number, the model's first ones kept, instead of being
rejected: the model did the work, a repair turn would only cost a call, and which
ones to keep is no question (the model orders them). ``trimmed`` says what was cut.
A plan is never cut: too many stories in a group is a count the plan step repairs.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    model_validator,
)

SECTION_TITLE_MAX = 40
#: The 其他动态 heading is the assembler's own; no themed section may take its name.
RESERVED_TITLES = ("其他动态", "更多动态", "其它动态")


def section_title_problems(title: str) -> list[str]:
    """What breaks the ``theme：subtitle`` rule in ``title``, as sentences the model can
    act on (empty: a good title)."""
    title = title.strip()
    problems = []
    if "：" not in title or title.startswith("：") or title.endswith("："):
        problems.append(f"板块标题须为“主题：副标题”格式：{title}")
    elif len(title) > SECTION_TITLE_MAX:
        problems.append(f"板块标题过长（最多 {SECTION_TITLE_MAX} 字）：{title}")
    if any(r in title for r in RESERVED_TITLES):
        problems.append(f"板块标题不能是“其他动态”，其他动态请放进 other_ids：{title}")
    return problems


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Trimmed(_Out):
    """An answer whose over-long lists are cut to their maximum length, not rejected."""

    _trimmed: dict[str, int] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _cut_long_lists(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        cut: dict[str, int] = {}
        if isinstance(data, dict):
            data = dict(data)
            for name, info in cls.model_fields.items():
                limit = next((m.max_length for m in info.metadata
                              if isinstance(getattr(m, "max_length", None), int)), None)
                value = data.get(name)
                if limit is not None and isinstance(value, list) and len(value) > limit:
                    cut[name] = len(value)
                    data[name] = value[:limit]
        model = handler(data)
        model._trimmed = cut
        return model

    @property
    def trimmed(self) -> dict[str, int]:
        """Field name -> how many items the answer had, for each list that was cut."""
        return dict(self._trimmed)


class PlanGroup(_Out):
    """Consecutive stories of one section; with ``commentary`` they share one
    "深度解读 & 洞察" block placed after the last of them."""

    story_ids: list[str] = Field(min_length=1, max_length=3)
    commentary: bool


class PlanSection(_Out):
    """One themed section: ``title`` is ``theme：subtitle``."""

    title: str = Field(min_length=3, max_length=60)
    groups: list[PlanGroup] = Field(min_length=1)

    @property
    def story_ids(self) -> list[str]:
        return [sid for g in self.groups for sid in g.story_ids]


class Plan(_Out):
    """The day's plan: ordered sections of main stories and the 其他动态 one-liners."""

    sections: list[PlanSection] = Field(min_length=1)
    other_ids: list[str]

    @property
    def main_ids(self) -> list[str]:
        return [sid for s in self.sections for sid in s.story_ids]

    @property
    def all_ids(self) -> list[str]:
        return [*self.main_ids, *self.other_ids]


class FactsWrite(_Trimmed):
    """A story's link text and fact bullets; ``set_aside``: ids of the story's articles
    (other than the first) that report other news than the rest — the story is split
    and the item stands for the others (``editor.split``)."""

    headline: str = Field(min_length=4, max_length=80)
    facts: list[str] = Field(min_length=2, max_length=4)
    set_aside: list[str] = Field(default_factory=list, max_length=2)


class StoryWrite(FactsWrite):
    """A story with its own commentary block."""

    commentary: list[str] = Field(min_length=2, max_length=3)


class CommentaryWrite(_Trimmed):
    """The one commentary block shared by a group of stories."""

    commentary: list[str] = Field(min_length=2, max_length=3)


class BriefWrite(_Out):
    """One 其他动态 line, without the trailing ``（[site](url)）``."""

    line: str = Field(min_length=6, max_length=90)


class Finalize(_Trimmed):
    """The issue's title, H2 headline, front-matter summary lines and seo keywords."""

    title: str = Field(min_length=8, max_length=45)
    headline: str = Field(min_length=8, max_length=80)
    summary: list[str] = Field(min_length=1, max_length=15)
    seo: list[str] = Field(max_length=12)
