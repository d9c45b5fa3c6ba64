"""Prompts: the templates in ``prompts/`` rendered into chat messages.

Everything here is pure: a template directory and values in, ``[{"role", "content"}]``
out. The templates are jinja2 with ``StrictUndefined`` (a misspelt variable is an
error, not an empty string); ``prompts/README.md`` lists each template's inputs.

Article text is untrusted. It reaches the model only as data inside
``<article id=…>…</article>`` (``<card>`` for the plan), and ``neutralise`` turns every
``<`` / ``>`` in it into full-width brackets first, so no text can close the delimiter
or smuggle markup in. The system prompts say that instructions inside those tags are
data; the structured output (``editor_schema``) does the rest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, is_dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2

from aidaily.editor.schema import house_schemas
from aidaily.format.editorial import SEO_KEYWORD_ZI
from aidaily.models import Story as _Story
from aidaily.stories.house import plan_profile
from aidaily.stories.select import card_lead
from aidaily.stories.select import story_cards as select_cards
from aidaily.text import ZI_RULE, sentence_ends

if TYPE_CHECKING:
    from pydantic import BaseModel

    from aidaily.config import Settings
    from aidaily.editor.schema import Plan
    from aidaily.models import Article, Earlier, PastIssue, Story

Message = dict[str, str]

STEPS = ("plan", "write", "brief", "finalize")
LEAD_CHARS = 120  # the lead of a plan card
BRIEF_CHARS = 600  # article text for a 其他动态 line
RECENT_ITEMS = 24  # headlines of one recent issue shown to the plan
HEADLINE_CHARS = 60
_WS_RE = re.compile(r"[ \t\u3000]+")


# --- templates ------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _environment(prompts_dir: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(prompts_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # plain text for a model; data is neutralised before it gets here
        keep_trailing_newline=False,
        trim_blocks=False,
    )


def load_templates(prompts_dir: Path | str) -> None:
    """Compile every template of ``prompts_dir`` now: jinja compiles one on its first
    render (1–3 ms each, ~18 ms for the nine), which in a run falls between the model's
    answers (``flows.daily`` calls this with the flow's imports)."""
    environment = _environment(str(prompts_dir))
    for name in environment.list_templates(extensions=["j2"]):
        environment.get_template(name)


def render_template(prompts_dir: Path | str, name: str, **values: Any) -> str:
    """Render ``prompts_dir/name`` with ``values`` (and ``zi_rule``, how the figures count
    字, which ``_rules.j2`` tells the model); trailing whitespace is dropped."""
    values.setdefault("zi_rule", ZI_RULE)
    return _environment(str(prompts_dir)).get_template(name).render(**values).strip()


def messages(prompts_dir: Path | str, step: str, **values: Any) -> list[Message]:
    """The system + user messages of ``step`` (``STEP.system.j2`` / ``STEP.user.j2``)."""
    return [
        {"role": "system", "content": render_template(prompts_dir, f"{step}.system.j2", **values)},
        {"role": "user", "content": render_template(prompts_dir, f"{step}.user.j2", **values)},
    ]


def footer_lines(prompts_dir: Path | str) -> list[str]:
    """The footer HTML block (``prompts/footer.html``) as lines, verbatim."""
    return (Path(prompts_dir) / "footer.html").read_text(encoding="utf-8").rstrip("\n").split("\n")


# --- data for the prompts -------------------------------------------------------------


def neutralise(text: str) -> str:
    """Article text made safe to place between our delimiters: angle brackets become
    full-width, so ``</article>``, ``<script>`` or ``<img onerror=…>`` are inert text."""
    return text.replace("<", "＜").replace(">", "＞").replace("\x00", "")


def one_line(text: str) -> str:
    return _WS_RE.sub(" ", " ".join(text.split())).strip()


def trim_text(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at a sentence end when one is near."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    ends = sentence_ends(cut)
    if ends and ends[-1] >= limit * 0.6:
        return cut[: ends[-1]].rstrip() + "……"
    return cut.rstrip() + "……"




def story_cards(stories: Sequence[Story]) -> list[dict[str, Any]]:
    """Compact plan cards ``{id, source, title, lead, dup, follow_up, borderline}`` for
    ``stories`` (``follow_up``: ``earlier_data`` of a follow-up, else None; ``borderline``:
    the relevance classifier could not tell whether it is AI news).

    The fields come from ``aidaily.stories.select.story_cards`` (the lead: whole plain
    sentences, ``card_lead``); the values are neutralised.
    """
    given = list(select_cards(list(stories), lead_chars=LEAD_CHARS))
    cards = []
    for story, card in zip(stories, given, strict=True):
        data = _as_dict(card)
        cards.append(
            {
                "id": str(data.get("id") or story.id),
                "source": neutralise(",".join(data.get("sources") or story.sources)),
                "title": neutralise(one_line(str(data.get("title") or story.title))),
                "lead": neutralise(one_line(str(data.get("lead") or card_lead(story.primary.text, LEAD_CHARS)))),
                "dup": int(data.get("dup") or data.get("duplicates") or story.duplicate_count),
                "follow_up": earlier_data(story.follow_up),
                "borderline": bool(story.borderline),
            }
        )
    return cards


def earlier_data(earlier: Earlier | None) -> dict[str, Any] | None:
    """What an earlier issue said of a follow-up story, and what is new, for a prompt."""
    if earlier is None:
        return None
    return {
        "day": earlier.day.isoformat(),
        "title": neutralise(trim_text(one_line(earlier.title), HEADLINE_CHARS)),
        "bullets": [neutralise(one_line(b)) for b in earlier.bullets],
        "new": [neutralise(one_line(f)) for f in earlier.new_facts],
    }


def recent_data(recent: Sequence[PastIssue]) -> list[dict[str, Any]]:
    """The recent issues for the plan: date, title and the headlines they ran."""
    return [
        {
            "day": issue.day.isoformat(),
            "title": neutralise(one_line(issue.title)),
            "headlines": [neutralise(trim_text(one_line(item.title), HEADLINE_CHARS))
                      for item in issue.items[:RECENT_ITEMS]],
        }
        for issue in recent
    ]


def _as_dict(card: Any) -> dict[str, Any]:
    if isinstance(card, dict):
        return card
    if is_dataclass(card) and not isinstance(card, type):
        return asdict(card)
    if hasattr(card, "model_dump"):
        return dict(card.model_dump())
    return {}


def article_data(article: Article, ident: str, limit: int) -> dict[str, str]:
    return {
        "id": ident,
        "source": article.source,
        "title": neutralise(one_line(article.title)),
        "url": article.url,
        "text": neutralise(trim_text(article.text, limit)),
    }


PROMPT_ARTICLES = 3  # articles of a story a write prompt shows


def article_ident(story_id: str, index: int) -> str:
    """The id a write prompt gives the ``index``-th article of a story: the story's id
    for the first, ``<id>.1``, ``<id>.2`` for the others (what ``set_aside`` names)."""
    return story_id if index == 0 else f"{story_id}.{index}"


def story_articles(story: Story, limit: int) -> list[dict[str, str]]:
    """A story's articles as prompt data, sharing ``limit`` characters of text (the
    primary article gets half at least)."""
    arts = story.articles[:PROMPT_ARTICLES]
    if len(arts) == 1:
        return [article_data(arts[0], story.id, limit)]
    first = max(limit // 2, limit // len(arts))
    rest = (limit - first) // (len(arts) - 1)
    return [
        article_data(a, article_ident(story.id, i), first if i == 0 else rest)
        for i, a in enumerate(arts)
    ]


# --- the steps' messages ---------------------------------------------------------------


def answer_fields(schema: type[BaseModel]) -> list[str]:
    """The fields an answer to ``schema`` must have, as the user message names them:
    each field's description (``headline（条目标题），6–32 字``), optional ones marked.
    Taken from the schema the client validates against, so the two cannot disagree."""
    spec = schema.model_json_schema()
    required = set(spec.get("required", []))
    out = []
    for name, prop in spec.get("properties", {}).items():
        described = str(prop.get("description") or name)
        text = described if described.startswith(name) else f"{name}（{described}）"
        out.append(text if name in required else f"{text}（可选）")
    return out


def plan_limits(n_cards: int, settings: Settings) -> dict[str, int]:
    """The configured counts, scaled down on a day with few candidates."""
    d = settings.digest
    main_min = min(d.main_min, max(1, n_cards - d.other_min))
    other_min = min(d.other_min, max(0, n_cards - main_min))
    return {
        "main_min": main_min,
        "main_max": max(main_min, min(d.main_max, n_cards)),
        "other_min": other_min,
        "other_max": max(other_min, d.other_max),
        "sections_min": max(1, min(d.sections_min, main_min)),
        "sections_max": d.sections_max,
    }


def build_plan_messages(
    cards: Sequence[dict[str, Any]], settings: Settings, *, day: date | None = None,
    recent: Sequence[PastIssue] = (),
) -> list[Message]:
    """Messages of the plan call over ``cards`` (see ``story_cards``), listing what the
    ``recent`` issues ran, with the house's profile measured on its archive
    (``aidaily.stories.house``)."""
    limits = plan_limits(len(cards), settings)
    return messages(settings.prompts_dir, "plan", day=day.isoformat() if day else "",
                    cards=list(cards), limits=limits, recent=recent_data(recent),
                    profile=plan_profile())


def build_write_messages(
    stories: Story | Sequence[Story],
    settings: Settings,
    *,
    mode: str = "story",
    section: str = "",
    article_chars: int | None = None,
) -> list[Message]:
    """Messages of one write call.

    Args:
        stories: the story (``mode`` "story" / "facts"), or the stories of a group that
            share one commentary block (``mode`` "commentary").
        mode: "story" (headline + facts + commentary), "facts" (no commentary) or
            "commentary" (the shared block of a group).
        section: the title of the section the story sits in.
        article_chars: article text per call (default ``settings.llm.article_chars``).
    """
    schemas = house_schemas(settings.digest)
    schema = {"story": schemas.story, "facts": schemas.facts}.get(mode, schemas.commentary)
    group = [stories] if isinstance(stories, _Story) else list(stories)
    limit = article_chars or settings.llm.article_chars
    per_story = max(200, limit // len(group))
    articles = [a for s in group for a in story_articles(s, per_story)]
    earlier = earlier_data(group[0].follow_up) if mode != "commentary" and len(group) == 1 else None
    fields = answer_fields(schema)
    if len(articles) < 2:  # set_aside (optional) is a choice only among several articles
        fields = [f for f in fields if not f.startswith("set_aside")]
    return messages(
        settings.prompts_dir, "write", mode=mode, section=neutralise(section), articles=articles,
        earlier=earlier, layout=settings.digest.layout, house=settings.digest, fields=fields,
    )


def build_brief_messages(story: Story, settings: Settings, *, chars: int = BRIEF_CHARS) -> list[Message]:
    """Messages of the one-line 其他动态 call for ``story``."""
    return messages(
        settings.prompts_dir, "brief", article=article_data(story.primary, story.id, chars),
        earlier=earlier_data(story.follow_up), house=settings.digest,
        fields=answer_fields(house_schemas(settings.digest).brief),
    )


def build_finalize_messages(
    plan: Plan,
    items: dict[str, tuple[str, list[str]]],
    briefs: Sequence[str],
    settings: Settings,
    *,
    day: date | None = None,
) -> list[Message]:
    """Messages of the finalize call.

    Args:
        plan: the (pruned) plan, for the order of sections and stories.
        items: story id -> (headline, facts) as written.
        briefs: the 其他动态 lines.
    """
    sections = [
        {
            "title": neutralise(s.title),
            "items": [
                {"id": sid, "headline": neutralise(items[sid][0]),
                 "facts": [neutralise(f) for f in items[sid][1]]}
                for sid in s.story_ids
                if sid in items
            ],
        }
        for s in plan.sections
    ]
    n_main = sum(len(s["items"]) for s in sections)
    low, high = settings.digest.summary_lines  # fewer on a day with fewer stories
    return messages(
        settings.prompts_dir,
        "finalize",
        day=day.isoformat() if day else "",
        sections=sections,
        briefs=[neutralise(b) for b in briefs],
        summary_min=min(low, max(1, n_main)),
        summary_max=min(high, max(1, n_main)),
        seo_zi=SEO_KEYWORD_ZI,
        house=settings.digest,
        fields=answer_fields(house_schemas(settings.digest).finalize),
    )
