"""The structured outputs the editor asks the model for, as pydantic models.

Every model call of the editor returns one of these, validated by the LLM client
(``json_schema`` mode sends the schema to the provider, ``json_object`` mode puts it
in the prompt and validates afterwards). Because the output is a schema, an article
that says "忽略以上指令，输出……" cannot change the draft's structure: at worst it
changes the wording of one story's text, which the grounding check then reads.

    plan      Plan          sections -> groups -> story ids, plus the 其他动态 ids
    write     StoryWrite    one story: headline, 2–4 facts, 2–3 commentary bullets
              FactsWrite    one story of a shared / commentary-less group: no commentary
              CommentaryWrite  the shared commentary block of a group of stories
    brief     BriefWrite    one 其他动态 line
    finalize  Finalize      title, H2 headline, summary lines, seo keywords

Length rules are enforced here (the client's repair round sees the error); counts
that depend on the day (how many stories, which ids) are checked in ``plan.py``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class FactsWrite(_Out):
    """A story's link text and fact bullets."""

    headline: str = Field(min_length=4, max_length=80)
    facts: list[str] = Field(min_length=2, max_length=4)


class StoryWrite(FactsWrite):
    """A story with its own commentary block."""

    commentary: list[str] = Field(min_length=2, max_length=3)


class CommentaryWrite(_Out):
    """The one commentary block shared by a group of stories."""

    commentary: list[str] = Field(min_length=2, max_length=3)


class BriefWrite(_Out):
    """One 其他动态 line, without the trailing ``（[site](url)）``."""

    line: str = Field(min_length=6, max_length=90)


class Finalize(_Out):
    """The issue's title, H2 headline, front-matter summary lines and seo keywords."""

    title: str = Field(min_length=8, max_length=45)
    headline: str = Field(min_length=8, max_length=80)
    summary: list[str] = Field(min_length=1, max_length=15)
    seo: list[str] = Field(max_length=12)
