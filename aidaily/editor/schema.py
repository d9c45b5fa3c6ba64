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
(how many stories, which ids) are checked in ``plan.py``. The classes below are the
structure; ``house_schemas(settings.digest)`` gives the ones the editor asks for, with
the house figures of ``DigestSettings`` (the same the prompts state): list lengths,
and lengths in 字 counted by ``aidaily.text.zi_count`` for headlines, the one-liner,
the title, the thesis and the summary lines.

A written answer with more bullets (or summary lines, seo keywords) than its list
allows is cut to the allowed number, the model's first ones kept, instead of being
rejected: the model did the work, a repair turn would only cost a call, and which
ones to keep is no question (the model orders them). ``trimmed`` says what was cut.
A plan is never cut: too many stories in a group is a count the plan step repairs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    create_model,
    model_validator,
)

from aidaily.text import ZI_RULE, zi_count

if TYPE_CHECKING:
    from aidaily.config import DigestSettings

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
    set_aside: list[str] = Field(default_factory=list, max_length=2, description=(
        "set_aside（报道的不是同一件事的文章 id，第一篇除外；都是同一件事或只有一篇则为 []）"))


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


# --- the house's figures ------------------------------------------------------------------


@dataclass(frozen=True)
class HouseSchemas:
    """The answer schemas of the write and finalize calls with the house figures."""

    story: type[StoryWrite]
    facts: type[FactsWrite]
    commentary: type[CommentaryWrite]
    brief: type[BriefWrite]
    finalize: type[Finalize]


#: The figures of ``DigestSettings`` the schemas take, in this order.
FIGURES = ("headline_zi", "title_chars", "thesis_zi", "summary_zi", "brief_zi", "summary_lines",
           "seo_keywords", "fact_bullets", "commentary_per_block")


def house_schemas(digest: DigestSettings) -> HouseSchemas:
    """The schemas for ``digest``'s figures (made once per set of figures)."""
    return _house_schemas(tuple(tuple(getattr(digest, name)) for name in FIGURES))


def zi_between(low: int, high: int, what: str) -> Callable[[str], str]:
    """A validator: the text has ``low``–``high`` 字 (``zi_count``), else an error the
    model can act on in its repair turn."""

    def check(text: str) -> str:
        n = zi_count(text)
        if not low <= n <= high:
            raise ValueError(f"{what}有 {n} 字，须为 {low}–{high} 字（计字：{ZI_RULE}）")
        return text

    return check


def _text(limits: tuple[int, int], what: str) -> Any:
    low, high = limits
    return (Annotated[str, AfterValidator(zi_between(low, high, what))],
            Field(description=f"{what}，{low}–{high} 字"))


def _chars(limits: tuple[int, int], what: str) -> Any:
    """A text of ``limits`` characters (the title: lint and eval count it so)."""
    low, high = limits
    return (str, Field(min_length=low, max_length=high, description=f"{what}，{low}–{high} 个字符"))


def _list(count: tuple[int, int], what: str, item: Any = str, low: int | None = None) -> Any:
    return (list[item], Field(min_length=count[0] if low is None else low, max_length=count[1],
                              description=f"{what}，{count[0]}–{count[1]} 条"))


@lru_cache(maxsize=8)
def _house_schemas(figures: tuple[tuple[int, ...], ...]) -> HouseSchemas:
    f = {name: (value[0], value[1]) for name, value in zip(FIGURES, figures, strict=True)}
    headline = _text(f["headline_zi"], "headline（条目标题）")
    facts = _list(f["fact_bullets"], "facts（事实要点）")
    commentary = _list(f["commentary_per_block"], "commentary（深度解读 & 洞察）")
    summary_line = Annotated[str, AfterValidator(zi_between(*f["summary_zi"], "summary 的每一行"))]
    return HouseSchemas(
        story=create_model("StoryWrite", __base__=StoryWrite, headline=headline, facts=facts,
                           commentary=commentary),
        facts=create_model("FactsWrite", __base__=FactsWrite, headline=headline, facts=facts),
        commentary=create_model("CommentaryWrite", __base__=CommentaryWrite, commentary=commentary),
        brief=create_model("BriefWrite", __base__=BriefWrite, line=_text(f["brief_zi"], "line（一句话快讯）")),
        finalize=create_model(
            "Finalize", __base__=Finalize,
            title=_chars(f["title_chars"], "title（文章标题）"),
            headline=_text(f["thesis_zi"], "headline（二级标题）"),
            # at least one line: a day with fewer stories than the house's minimum has fewer
            summary=_list(f["summary_lines"], "summary（摘要）", summary_line, low=1),
            seo=_list(f["seo_keywords"], "seo（关键词）", low=0),
        ),
    )
