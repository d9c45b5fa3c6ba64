"""The editor: a day's ranked stories become a checked draft.

    plan (one call) -> write (parallel calls) -> finalize (one call) -> assemble
    -> grounding check of every fact bullet -> link check -> format lint

Without a model (``llm is None``) the draft is extractive (``extractive.py``). When the
plan call fails for good the endpoint is probed: unreachable -> ``LLMUnreachable``
(the caller applies ``llm.on_unreachable``); reachable -> the extractive plan is used
and the stories are still written by the model, with a notice. When not one story
could be written, the draft is extractive, with a notice.

Nothing here touches files, the database or the network except through the
``LLMClient`` it is given; ``write_digest_sync`` runs it without an event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from aidaily.editor.assemble import assemble
from aidaily.editor.compose import Dropped, compose
from aidaily.errors import BudgetExceeded, LLMError
from aidaily.editor.extractive import extractive_digest, extractive_plan
from aidaily.editor.plan import make_plan
from aidaily.format.render import render

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.format.digest import Digest
    from aidaily.editor.schema import Plan
    from aidaily.llm.client import LLMClient
    from aidaily.models import Article, Story

Progress = Callable[[str], None]
NO_LLM_NOTICE = "no LLM configured: extractive draft (lead sentences, commentary left to the editor)"


class LLMUnreachable(LLMError):
    """The model endpoint cannot be reached at all."""


@dataclass
class EditorResult:
    """A draft and everything the review needs to know about it."""

    day: str
    digest: Digest
    mode: Literal["llm", "extractive"]
    checks: list[dict[str, Any]] = field(default_factory=list)  # one per fact bullet
    links: list[dict[str, Any]] = field(default_factory=list)  # links that were not fetched
    lint: list[dict[str, Any]] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    degraded: bool = False

    @property
    def text(self) -> str:
        return render(self.digest)

    @property
    def cost_usd(self) -> float:
        return float(self.usage.get("cost_usd", 0.0))

    @property
    def failed_checks(self) -> list[dict[str, Any]]:
        return [c for c in self.checks if not c["ok"]]

    @property
    def lint_errors(self) -> list[dict[str, Any]]:
        return [f for f in self.lint if f["severity"] == "error"]

    @property
    def has_failures(self) -> bool:
        """Something the editor must look at: a dropped story, an ungrounded fact, an
        unfetched link or a lint error."""
        return bool(self.dropped or self.failed_checks or self.links or self.lint_errors)


async def write_digest(
    day: str,
    stories: Sequence[Story],
    settings: Settings,
    llm: LLMClient | None,
    *,
    progress: Progress | None = None,
) -> EditorResult:
    """The draft of ``day`` from ``stories`` (ranked, best first).

    Args:
        day: ``YYYY-MM-DD``.
        stories: the day's candidate stories, best first.
        llm: the model client, or None for the extractive mode.
        progress: called with a short message as the work advances.

    Raises:
        LLMUnreachable: the model endpoint cannot be reached.
        BudgetExceeded: the token budget does not even allow the plan call.
    """
    say = progress or (lambda _msg: None)
    by_id = {s.id: s for s in stories}
    checked: _Checked = {}
    if llm is None:
        say("extractive draft (no model)")
        result = EditorResult(day, extractive_digest(day, stories, settings), "extractive",
                              notices=[NO_LLM_NOTICE])
    else:
        say(f"plan over {len(stories)} stories")
        plan, notices = await _plan(day, stories, settings, llm)
        say(f"write {len(plan.main_ids)} stories and {len(plan.other_ids)} one-liners")
        try:
            done = await compose(day, plan, by_id, settings, llm, progress=say,
                                 on_written=_check_early(by_id, checked))
        except LLMError as exc:  # not one story written: the editor still gets a draft
            result = EditorResult(day, extractive_digest(day, stories, settings), "extractive",
                                  notices=[*notices, f"the model wrote nothing ({exc}); "
                                           "extractive draft instead"], usage=_usage(llm))
        else:
            digest = assemble(day, done.plan, done.written, done.final, by_id, settings)
            result = EditorResult(day, digest, "llm", dropped=done.dropped,
                                  notices=[*notices, *done.notices], usage=_usage(llm),
                                  degraded=done.degraded)
    say("check")
    check(result, by_id, checked)
    return result


async def write_day(
    day: str,
    stories: Sequence[Story],
    settings: Settings,
    *,
    use_llm: bool = True,
    run_id: str | None = None,
    refresh: bool = False,
    progress: Progress | None = None,
) -> EditorResult:
    """``write_digest`` with the configured model, or extractive without one, and the
    ``llm.on_unreachable`` policy: an unreachable endpoint gives the extractive draft
    (with a notice) or, with ``on_unreachable = "fail"``, raises ``LLMUnreachable``.
    ``refresh`` asks the model again instead of using cached answers (a rewrite)."""
    if not use_llm or not settings.llm.configured:
        return await write_digest(day, stories, settings, None, progress=progress)
    from aidaily.llm.client import LLMClient

    try:
        async with LLMClient(settings.llm, db_url=settings.database_url, run_id=run_id,
                             refresh=refresh) as client:
            return await write_digest(day, stories, settings, client, progress=progress)
    except LLMUnreachable as exc:
        if settings.llm.on_unreachable == "fail":
            raise
        result = await write_digest(day, stories, settings, None, progress=progress)
        # A model is configured, just not reachable: say that, not "no LLM configured".
        result.notices = [f"LLM unreachable: {exc}; extractive draft instead",
                          *(n for n in result.notices if n != NO_LLM_NOTICE)]
        return result


def write_digest_sync(
    day: str,
    stories: Sequence[Story],
    settings: Settings,
    llm: LLMClient | None,
    *,
    progress: Progress | None = None,
) -> EditorResult:
    """``write_digest`` for callers without an event loop."""
    return asyncio.run(write_digest(day, stories, settings, llm, progress=progress))


async def _plan(
    day: str, stories: Sequence[Story], settings: Settings, llm: LLMClient
) -> tuple[Plan, list[str]]:
    try:
        return await make_plan(day, stories, settings, llm), []
    except BudgetExceeded:
        raise
    except LLMError as exc:
        try:
            await llm.list_models()
        except LLMError as probe:
            raise LLMUnreachable(str(probe)) from None
        return extractive_plan(stories, settings), [
            f"plan failed ({exc}); stories chosen and grouped by keywords, "
            "section subtitles left to the editor"
        ]


# --- candidates ------------------------------------------------------------------------


def candidate_stories(articles: Sequence[Article], settings: Settings) -> list[Story]:
    """The day's stories, best first: AI-relevant articles, near-duplicates merged
    (``aidaily.stories.dedup``), ranked (``aidaily.stories.select``)."""
    from aidaily.stories.dedup import group_duplicates
    from aidaily.stories.select import is_ai_relevant, rank_stories

    keywords = settings.ai_keywords
    relevant = [a for a in articles
                if a.ai_relevant or (a.ai_relevant is None and is_ai_relevant(a, keywords))]
    return list(rank_stories(group_duplicates(relevant), keywords))


# --- checks ---------------------------------------------------------------------------


#: Fact checks already made in this run: (bullet text, story id) -> the check.
_Checked = dict[tuple[str, str], dict[str, Any]]


def _check_early(stories: dict[str, Story], checked: _Checked) -> Callable[[str, tuple[str, ...], Any], None]:
    """Check each story's facts as soon as they are written: the checks then run while
    the other calls are still out, not after the last answer (``check`` reuses them)."""

    def on_written(kind: str, ids: tuple[str, ...], result: Any) -> None:
        story = stories.get(ids[0]) if ids else None
        if kind not in ("story", "facts") or story is None:
            return
        source = _source_text(story)
        for fact in getattr(result, "facts", []):
            if isinstance(fact, str):
                checked.setdefault((fact, story.id), _check_bullet(fact, source))

    return on_written


def check(result: EditorResult, stories: dict[str, Story], checked: _Checked | None = None) -> None:
    """Fill ``result.checks`` (every fact bullet against its story's text),
    ``result.links`` (links that are not a fetched article) and ``result.lint``.
    ``checked`` holds checks already made (``_check_early``)."""
    from aidaily.checks.grounding import check_links
    from aidaily.format.lint import lint_text

    by_url = {a.url: s for s in stories.values() for a in s.articles}
    by_url.update({s.url: s for s in stories.values()})
    checks: list[dict[str, Any]] = []
    if result.mode == "llm":  # extractive bullets are the source's own sentences
        for item in result.digest.items:
            story = by_url.get(item.url)
            source = _source_text(story) if story else ""
            for bullet in item.bullets:
                early = (checked or {}).get((bullet.text, story.id)) if story else None
                found = early if early is not None else _check_bullet(bullet.text, source)
                checks.append({"url": item.url, "story_id": story.id if story else None,
                               "bullet": bullet.text, **found})
    result.checks = checks
    texts = {i.url: i.title for i in result.digest.items}
    texts.update({b.url: b.text for b in result.digest.briefs})
    result.links = [{"url": u, "text": texts[u], "problem": "not a fetched article"}
                    for u in check_links(list(texts), list(by_url))]
    result.lint = [f.to_dict() for f in lint_text(result.text, f"{result.day}.md")]


def _source_text(story: Story) -> str:
    return "\n".join(f"{a.title}\n{a.text}" for a in story.articles)


def _check_bullet(text: str, source: str) -> dict[str, Any]:
    """``aidaily.checks.grounding.check_bullet`` as a plain dict."""
    from aidaily.checks.grounding import check_bullet

    found = check_bullet(text, source)
    return {
        "ok": bool(found.ok),
        "missing_numbers": list(getattr(found, "missing_numbers", []) or []),
        "missing_names": list(getattr(found, "missing_names", []) or []),
        "nearest_sentence": getattr(found, "nearest_sentence", None),
    }


def _usage(llm: LLMClient) -> dict[str, Any]:
    usage = llm.usage
    return {**usage.to_dict(), "retries": usage.retries, "repaired": usage.repaired,
            "tokens": usage.tokens}


__all__ = [
    "EditorResult",
    "LLMUnreachable",
    "candidate_stories",
    "check",
    "write_digest",
    "write_digest_sync",
]
