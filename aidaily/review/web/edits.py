"""Changes made from the review page: saving the editor's text, regenerating one story.

Saving
------
``Drafts.write`` is the *run's* writer: it keeps a hand-edited current draft and files
the machine's text only as a version. A save from the page is the opposite case — the
editor's text must become the current draft — so ``save_edit``:

0. refuses a date that has no draft (``NoDraft``: nothing is created) and a text over
   ``MAX_TEXT`` characters (``TextTooLarge``);
1. holds the date lock (``runlock.date_lock``), so a save never interleaves with an
   ``aidaily run`` writing the same date (it waits a little, then refuses);
2. refuses when the current draft is no longer the text the editor started from
   (``base_sha256``): someone or something changed it meanwhile;
3. files the text as the next version (``vNNN-edited.md``) and atomically replaces the
   current draft with it;
4. leaves the "last written by aidaily" hash alone (recording it when there was none),
   so the draft now counts as *edited by hand*: a later re-run keeps it and files its
   own draft only as a version.

Regenerating one story
----------------------
``regenerate_story`` re-runs the write step for the one item at a draft line, the way
the plan had it: the section is the item's section; when the item is the only story
before its own "深度解读 & 洞察" block it was a ``story`` call (headline + facts +
commentary) and the block is replaced too, otherwise a ``facts`` call (headline + facts;
a shared commentary block stays). The story is the day's candidate story that holds the
linked article (the same dedup grouping the run used).

Cache: the LLM client caches answers by prompt, so the run's own prompt would return
the very text being replaced. Regenerate therefore adds one line to the user message —
a revision note naming the attempt and the current bullets' grounding problems — which
makes every regenerate a new cache key (and tells the model what to avoid). The answer
is still logged in ``llm_calls`` (run id ``web-<date>``) and cached under its own key.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from aidaily.checks.grounding import bullet_line, nearest_sentence
from aidaily.errors import AidailyError, LockedError
from aidaily.format.digest import Bullet, Digest, Insight, Item, Section
from aidaily.llm.replay import Subject
from aidaily.models import Story
from aidaily.pipeline.runlock import date_lock
from aidaily.store.drafts import Drafts, text_hash

if TYPE_CHECKING:
    from pathlib import Path

    from aidaily.checks.grounding import ItemSources
    from aidaily.config import Settings
    from aidaily.llm.client import LLMClient

LOCK_WAIT = 3.0  # seconds a save waits for a run of the same date to end
MAX_TEXT = 200_000  # characters of a posted draft (a day's digest has about 10 000)


class EditConflict(AidailyError):
    """The draft changed since the editor opened it, or a run holds the date."""


class NoDraft(AidailyError):
    """The date has no draft to save over: the page edits drafts, it does not make them."""


class TextTooLarge(AidailyError):
    """A posted draft is longer than ``MAX_TEXT`` characters."""

    def __init__(self, size: int) -> None:
        super().__init__(f"the text has {size} characters; a draft may have at most {MAX_TEXT}")


@dataclass
class Saved:
    version: Path | None
    unchanged: bool


def save_edit(settings: Settings, day: str, text: str, *, base_sha256: str | None = None) -> Saved:
    """Make ``text`` the current draft of ``day`` (see the module docstring)."""
    if len(text) > MAX_TEXT:
        raise TextTooLarge(len(text))
    text = text.replace("\r\n", "\n")
    drafts = Drafts(settings.drafts_dir)
    if not drafts.current_path(day).is_file():  # before the lock: nothing is created
        raise NoDraft(f"no draft for {day}: `aidaily run --date {day}` writes one")
    try:
        with date_lock(settings.locks_dir, day, wait=LOCK_WAIT):
            current = drafts.read_current(day)
            if current is None:
                raise NoDraft(f"the draft of {day} was removed meanwhile")
            if base_sha256 and text_hash(current) != base_sha256:
                raise EditConflict(
                    f"the draft of {day} changed since you opened it; reload it and "
                    "apply your edit again (your text is still in the editor)")
            if current == text:
                return Saved(None, True)
            return Saved(drafts.save_edit(day, text), False)
    except LockedError as exc:
        raise EditConflict(str(exc)) from None


# --- regenerate one story ------------------------------------------------------------------


@dataclass
class Regenerated:
    text: str
    mode: str  # story | facts
    story_id: str
    title: str


def locate_item(digest, line: int) -> tuple[Section, Item, Insight | None]:  # type: ignore[no-untyped-def]
    """The item whose link line or bullet is at ``line``, its section, and its own
    commentary block (the block right after it when no other item shares it)."""
    for section in digest.sections:
        entries = section.entries
        for pos, entry in enumerate(entries):
            if not isinstance(entry, Item):
                continue
            lines = {entry.line, *(bullet_line(entry, i) for i in range(len(entry.bullets)))}
            if line not in lines:
                continue
            after = entries[pos + 1] if pos + 1 < len(entries) else None
            before = entries[pos - 1] if pos > 0 else None
            own = (isinstance(after, Insight) and after.is_commentary
                   and not isinstance(before, Item))
            return section, entry, after if own else None  # type: ignore[return-value]
    raise AidailyError(f"no story at line {line} of the draft")


def find_story(item: Item, sources: ItemSources) -> Story:
    """The story an item stands for (``ItemSources``: the run's grouping); for a digest
    site's front-page link, the article of that site most similar to the item."""
    articles = sources.articles_for(item.url)
    if not articles:
        raise AidailyError(f"cannot regenerate: {item.url} is not an article fetched for this date")
    story_id = sources.story_of(item.url)
    if story_id is None and len(articles) > 1:  # a site root: the one article it cites here
        hint = " ".join([item.title, *(b.text for b in item.bullets)])
        best = max(articles, key=lambda a: nearest_sentence(hint, f"{a.title}\n{a.text}")[1])
        articles = [best]
    return Story(story_id or text_hash(articles[0].url)[:12], articles)


def revision_note(attempt: int, problems: list[str]) -> str:
    note = f"（编辑要求重写此条，第 {attempt} 次。"
    if problems:
        note += "上一版有原文中找不到的内容，请只写原文明确说到的事实：" + "；".join(problems)
    return note + "）"


async def regenerate_story(settings: Settings, day: str, text: str, line: int,
                           sources: ItemSources, llm: LLMClient) -> Regenerated:
    """The draft ``text`` with the story at ``line`` written anew by the model."""
    # deferred: SQLAlchemy, jinja2, python-frontmatter, only when this runs (`aidaily web` loads the
    # module)
    from aidaily.editor.assemble import clean, clean_lines
    from aidaily.editor.prompting import build_write_messages, neutralise
    from aidaily.editor.schema import StoryWrite, house_schemas
    from aidaily.format.parse import parse
    from aidaily.format.render import render
    from aidaily.review.report import grounding_flags

    digest = await asyncio.to_thread(parse, text)  # the parse never blocks the page's loop
    section, item, commentary = locate_item(digest, line)
    story = find_story(item, sources)
    mode = "story" if commentary is not None else "facts"
    messages = build_write_messages(story, settings, mode=mode, section=section.heading)
    probe = Digest(digest.front_matter, [Section(section.heading, [item])])
    probe_flags = grounding_flags(probe, sources)
    problems = [f"“{f.bullet}”（{f.message}）" for f in probe_flags][:4]
    attempt = len(Drafts(settings.drafts_dir).versions(day)) + 1
    messages = [*messages[:-1], {**messages[-1],
                                 "content": f"{messages[-1]['content']}\n\n{neutralise(revision_note(attempt, problems))}"}]
    schemas = house_schemas(settings.digest)
    schema = schemas.story if mode == "story" else schemas.facts
    out = await llm.structured("write", messages, schema,
                               subject=Subject(date.fromisoformat(day), "write", "rewrite", (story.id,)))
    item.title = clean(out.headline) or item.title
    facts = clean_lines(out.facts)
    if facts:
        marker = item.bullets[0].marker if item.bullets else "- "
        item.bullets = [Bullet(f, marker) for f in facts]
    if commentary is not None and isinstance(out, StoryWrite):
        notes = clean_lines(out.commentary)
        if notes:
            marker = commentary.bullets[0].marker if commentary.bullets else "- "
            commentary.bullets = [Bullet(b, marker) for b in notes]
    return Regenerated(render(digest), mode, story.id, item.title)
