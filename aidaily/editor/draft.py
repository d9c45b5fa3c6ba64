"""The editor: a day's ranked stories become a checked draft.

    plan (one call) -> write (parallel calls) -> finalize (one call) -> assemble
    -> grounding check of every fact bullet -> link check -> format lint

Without a model (``llm is None``) the draft is extractive (``extractive.py``). When the
plan breaks the rules even after the model's repair turn, it is repaired
deterministically (``plan_repair``; ``EditorResult.plan_fixes`` and a notice say what
changed). When the plan call fails for good (nothing usable came back) the endpoint is
probed: unreachable -> ``LLMUnreachable`` (the caller applies ``llm.on_unreachable``);
reachable -> the keyword plan is used and the stories are still written by the model,
with a notice. When not one story
could be written, the draft is extractive, with a notice.

Nothing here touches files, the database or the network except through the
``LLMClient`` it is given.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal

from aidaily.checks.grounding import (
    BulletVerdict,
    CheckMemo,
    ItemSources,
    ground_bullet,
    ground_digest,
    ground_restatements,
    support_of,
    unfetched_links,
)
from aidaily.checks.sourced import sourced_findings
from aidaily.editor.assemble import assemble
from aidaily.editor.compose import Dropped, compose
from aidaily.editor.extractive import extractive_digest, extractive_plan
from aidaily.editor.plan import make_plan, offered_candidates
from aidaily.editor.split import Split, split_stories
from aidaily.errors import BudgetExceeded, LLMError
from aidaily.format.lint import lint_text
from aidaily.format.parse import parse
from aidaily.format.render import render
from aidaily.stories.dedup import weak_pair

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.editor.plan_repair import PlanFix
    from aidaily.editor.schema import Plan
    from aidaily.format.digest import Digest
    from aidaily.format.lint import Finding
    from aidaily.llm.client import LLMClient
    from aidaily.llm.usage import LLMUsage
    from aidaily.models import LeftOut, PastIssue, Story

Progress = Callable[[str], None]
#: What the check imports on first use, html5lib (the footer's WHATWG parser, pure
#: Python) above all. With a model they load in a thread while the plan request is out:
#: the check after the finalize answer then only checks.
CHECK_MODULES = ("html5lib", "aidaily.checks.sourced", "aidaily.format.lint")
NO_LLM_NOTICE = "no LLM configured: extractive draft (lead sentences, commentary left to the editor)"


class LLMUnreachable(LLMError):
    """The model endpoint cannot be reached at all."""


@dataclass
class EditorResult:
    """A draft and everything the review needs to know about it."""

    day: date
    digest: Digest
    mode: Literal["llm", "extractive"]
    checks: list[BulletVerdict] = field(default_factory=list)  # one per fact bullet
    # the title's and each summary line's verdict (``ground_restatements``; warnings)
    restatements: list[BulletVerdict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # links no fetched article stands behind
    lint: list[Finding] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    plan_fixes: list[PlanFix] = field(default_factory=list)  # how the model's plan was repaired
    usage: LLMUsage | None = None  # the client's usage (None: no model)
    degraded: bool = False  # the model fell back somewhere (plan, budget)
    unreachable: bool = False  # a model is configured but could not be reached
    left_out: list[LeftOut] = field(default_factory=list)  # candidates the plan did not see
    splits: list[Split] = field(default_factory=list)  # articles the writer set aside

    @property
    def text(self) -> str:
        return render(self.digest)

    @property
    def failed_checks(self) -> list[BulletVerdict]:
        return [c for c in self.checks if not c.ok]

    @property
    def lint_errors(self) -> list[Finding]:
        return [f for f in self.lint if f.severity == "error"]

    @property
    def has_failures(self) -> bool:
        """Something the editor must look at: a dropped story, an ungrounded fact, an
        unfetched link or a lint error."""
        return bool(self.dropped or self.failed_checks or self.links or self.lint_errors)


async def write_digest(
    day: date,
    stories: Sequence[Story],
    settings: Settings,
    llm: LLMClient | None,
    *,
    progress: Progress | None = None,
    recent: Sequence[PastIssue] = (),
) -> EditorResult:
    """The draft of ``day`` from ``stories`` (ranked, best first).

    Args:
        day: the digest date.
        stories: the day's candidate stories, best first (follow-ups marked).
        llm: the model client, or None for the extractive mode.
        progress: called with a short message as the work advances.
        recent: the issues before ``day``, for the plan to see what ran.

    Raises:
        LLMUnreachable: the model endpoint cannot be reached.
        BudgetExceeded: the token budget does not even allow the plan call.
    """
    say = progress or (lambda _msg: None)
    all_stories = stories
    stories, left_out = offered_candidates(all_stories, model=llm is not None)
    by_id = {s.id: s for s in stories}
    sources = ItemSources.from_stories(all_stories, weak_pair)
    memo: CheckMemo = {}
    if llm is None:
        say("extractive draft (no model)")
        result = EditorResult(day, extractive_digest(day, stories, settings), "extractive",
                              notices=[NO_LLM_NOTICE])
    else:
        warm = asyncio.ensure_future(asyncio.to_thread(_import_all, CHECK_MODULES))
        say(f"plan over {len(stories)} stories")
        plan, fixes, notices = await _plan(day, stories, settings, llm, recent)
        say(f"write {len(plan.main_ids)} stories and {len(plan.other_ids)} one-liners")
        early = EarlyChecks(by_id, sources, memo)
        try:
            done = await compose(day, plan, by_id, settings, llm, progress=say,
                                 on_written=early.on_written)
        except LLMError as exc:  # not one story written: the editor still gets a draft
            early.drain()
            result = EditorResult(day, extractive_digest(day, stories, settings), "extractive",
                                  notices=[*notices, f"the model wrote nothing ({exc}); "
                                           "extractive draft instead"], plan_fixes=fixes,
                                  usage=llm.usage)
        else:
            early.drain()  # the last wave's facts, before the final check
            # An article the writer set aside leaves its story before the check: the item
            # is grounded in the articles it was written from.
            by_id, alone, splits, split_notices = split_stories(by_id, done.written.set_aside)
            if splits:
                offered = {s.id for s in stories}
                unoffered = [s for s in all_stories if s.id not in offered]
                sources = ItemSources.from_stories([*by_id.values(), *alone, *unoffered], weak_pair)
            digest = assemble(day, done.plan, done.written, done.final, by_id, settings)
            result = EditorResult(day, digest, "llm", dropped=done.dropped,
                                  notices=[*notices, *done.notices, *split_notices,
                                           *(split.notice for split in splits)],
                                  plan_fixes=fixes, usage=llm.usage, degraded=done.degraded,
                                  # replayed answers missing: those stories as if unreachable
                                  unreachable=bool(done.unanswered), splits=splits)
        await warm
    result.left_out = left_out
    say("check")
    check(result, sources, memo, settings)
    return result


def _import_all(names: Sequence[str]) -> None:
    for name in names:
        importlib.import_module(name)


async def write_day(
    day: date,
    stories: Sequence[Story],
    settings: Settings,
    *,
    use_llm: bool = True,
    run_id: str | None = None,
    refresh: bool = False,
    progress: Progress | None = None,
    recent: Sequence[PastIssue] = (),
) -> EditorResult:
    """``write_digest`` with the configured model, or extractive without one, and the
    ``llm.on_unreachable`` policy: an unreachable endpoint gives the extractive draft
    (with a notice) or, with ``on_unreachable = "fail"``, raises ``LLMUnreachable``.
    ``refresh`` asks the model again instead of using cached answers (a rewrite)."""
    if not use_llm or not settings.llm.configured:
        return await write_digest(day, stories, settings, None, progress=progress)
    # deferred: SQLAlchemy, httpx2, only when this runs (`aidaily run`, `serve` load the module)
    from aidaily.llm.client import LLMClient

    try:
        async with LLMClient(settings.llm, db_url=settings.database_url, run_id=run_id,
                             refresh=refresh) as client:
            return await write_digest(day, stories, settings, client, progress=progress, recent=recent)
    except LLMUnreachable as exc:
        if settings.llm.on_unreachable == "fail":
            raise
        result = await write_digest(day, stories, settings, None, progress=progress)
        # A model is configured, just not reachable: say that, not "no LLM configured".
        result.unreachable = True
        result.notices = [f"LLM unreachable: {exc}; extractive draft instead",
                          *(n for n in result.notices if n != NO_LLM_NOTICE)]
        return result


async def _plan(
    day: date, stories: Sequence[Story], settings: Settings, llm: LLMClient,
    recent: Sequence[PastIssue] = (),
) -> tuple[Plan, list[PlanFix], list[str]]:
    """The plan, the fixes made to the model's, and notices (a repair or the fallback)."""
    try:
        planned = await make_plan(day, stories, settings, llm, recent=recent)
    except BudgetExceeded:
        raise
    except LLMError as exc:
        try:
            await llm.list_models()
        except LLMError as probe:
            raise LLMUnreachable(str(probe)) from None
        return extractive_plan(stories, settings), [], [
            f"plan failed ({exc}); stories chosen and grouped by keywords, "
            "section subtitles left to the editor"
        ]
    return planned.plan, planned.fixes, [planned.notice] if planned.fixes else []


# --- checks ---------------------------------------------------------------------------


#: Seconds an answer's facts wait before they are checked: a wave's answers come back
#: together (within ~40 ms at 8 calls), and each checked at once would make the next
#: answer wait to be read — and the call waiting for its slot wait to be sent.
EARLY_CHECK_DELAY = 0.05


class EarlyChecks:
    """Each story's facts checked as soon as the wave that wrote them is read: the checks
    run while the other calls are out, not after the last answer (``check`` reuses them
    through ``memo``; the verdicts are the same ``ground_digest`` makes).

    ``on_written`` (called in the write stage's event loop) queues an answer's facts and
    drains the queue :data:`EARLY_CHECK_DELAY` later; ``drain`` checks whatever is still
    queued (the editor calls it before the final check)."""

    def __init__(self, stories: dict[str, Story], sources: ItemSources, memo: CheckMemo) -> None:
        self.stories, self.sources, self.memo = stories, sources, memo
        self.pending: list[tuple[str, str]] = []  # (fact, the item's URL)
        self._timer: asyncio.TimerHandle | None = None

    def on_written(self, kind: str, ids: tuple[str, ...], result: Any) -> None:
        story = self.stories.get(ids[0]) if ids else None
        if kind not in ("story", "facts") or story is None:
            return
        self.pending += [(fact, story.url) for fact in getattr(result, "facts", []) if isinstance(fact, str)]
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(EARLY_CHECK_DELAY, self.drain)

    def drain(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        pending, self.pending = self.pending, []
        for fact, url in pending:
            verdict, _ = ground_bullet(fact, url, self.sources, self.memo)
            if verdict is not None and verdict.ok:  # which article holds it, as ground_digest asks
                support_of(fact, url, self.sources, self.memo)


def check(result: EditorResult, sources: ItemSources, memo: CheckMemo | None = None,
          settings: Settings | None = None) -> None:
    """Fill ``result.checks`` (every fact bullet's grounding verdict, ``ground_digest``
    on the draft as it will be written), ``result.links`` (links no fetched article
    stands behind) and ``result.lint`` (``lint_text`` and the checks that need the
    sources, ``checks.sourced``). ``memo`` holds checks already made."""
    text = result.text
    digest = parse(text)  # the file's line numbers, as the review counts them
    result.checks = ground_digest(digest, sources, memo)
    result.restatements = ground_restatements(digest, sources, memo)
    result.links = unfetched_links(digest, sources)
    house = settings.digest if settings else None
    found = lint_text(text, f"{result.day.isoformat()}.md", house) + sourced_findings(digest, sources)
    result.lint = sorted(found, key=lambda f: (f.line, f.severity != "error", f.code))


__all__ = [
    "EditorResult",
    "LLMUnreachable",
    "check",
    "write_digest",
]
