"""The write step: the plan's stories written by the model, in parallel, then finalized.

Per plan group (a story, or stories sharing one commentary block):

    one story with commentary   one ``StoryWrite`` call (headline, facts, commentary)
    otherwise                   a ``FactsWrite`` call per story, plus one
                                ``CommentaryWrite`` call for the group if it has a block
    per 其他动态 story           one ``BriefWrite`` call

All of them go out at once (``asyncio.gather``; the LLM client bounds concurrency), then
one ``Finalize`` call for the title, headline, summary and seo.

Failure is per story: a story whose call fails for good (after the client's retries and
repair) is dropped, the reason recorded, and the plan pruned, so the draft stays
valid. Replaying recorded answers (``llm.provider = "replay"``), a call the file has no
answer for is written extractively instead, as without a model, and said. An answer with more bullets than allowed keeps the model's first ones
(``schema``), with a notice. A failed shared commentary leaves its stories without a block; a failed
finalize falls back to the extractive title and summary. Both are reported.

Before anything is sent the calls are costed against the client's remaining token
budget: over budget, article text is trimmed harder, then the lowest-placed stories
are left out — and each step of that is recorded as a notice.
"""

from __future__ import annotations

from datetime import date

import asyncio
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aidaily.editor.assemble import Finalized, ItemText, Written
from aidaily.editor.schema import Finalize, Plan, house_schemas
from aidaily.errors import BudgetExceeded, LLMError
from aidaily.llm.replay import ReplayMissing, Subject
from aidaily.editor.extractive import (
    extractive_brief,
    extractive_item,
    fallback_final,
    placeholder_commentary,
)
from aidaily.editor.plan import prune
from aidaily.editor.prompting import (
    build_brief_messages,
    build_finalize_messages,
    build_write_messages,
)
from aidaily.llm.budget import messages_tokens

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.llm.client import LLMClient
    from aidaily.models import Story

Progress = Callable[[str], None]
#: Called with each call's kind (story | facts | commentary | brief), story ids and
#: validated answer as soon as it arrives, while the other calls are still out.
OnWritten = Callable[[str, tuple[str, ...], Any], None]

# Completion tokens a call may use, for the budget plan (the model writes little).
COMPLETION_ESTIMATE = {"story": 700, "facts": 400, "commentary": 400, "brief": 120, "finalize": 900}
ARTICLE_CHARS_FLOOR = 500  # trimming stops here; below it stories are left out instead
BUDGET_SAFETY = 0.9  # plan for 90 % of what is left: estimates are estimates


@dataclass
class Dropped:
    """A story left out of the draft, and why."""

    story_id: str
    title: str
    url: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"story_id": self.story_id, "title": self.title, "url": self.url, "reason": self.reason}


@dataclass
class Composed:
    """What the write step produced."""

    plan: Plan  # pruned of every dropped story
    written: Written
    final: Finalized
    dropped: list[Dropped] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    article_chars: int = 0
    degraded: bool = False
    # replaying: the calls the replay file had no answer for ("id" or "id+id"), written
    # extractively instead, as for an unreachable model
    unanswered: list[str] = field(default_factory=list)


@dataclass
class _Call:
    """One planned model call."""

    kind: str  # story | facts | commentary | brief
    ids: tuple[str, ...]
    messages: list[dict[str, str]]
    schema: type[Any]
    step: str = "write"


# --- planning the calls ---------------------------------------------------------------


def plan_calls(
    plan: Plan, stories: Mapping[str, Story], settings: Settings, article_chars: int
) -> list[_Call]:
    """Every write call the plan needs, with its messages and the house's schemas (pure)."""
    schemas = house_schemas(settings.digest)
    calls: list[_Call] = []
    for section in plan.sections:
        for group in section.groups:
            members = [stories[sid] for sid in group.story_ids]
            if len(members) == 1 and group.commentary:
                msgs = build_write_messages(
                    members[0], settings, mode="story", section=section.title,
                    article_chars=article_chars,
                )
                calls.append(_Call("story", tuple(group.story_ids), msgs, schemas.story))
                continue
            for story in members:
                msgs = build_write_messages(
                    story, settings, mode="facts", section=section.title, article_chars=article_chars
                )
                calls.append(_Call("facts", (story.id,), msgs, schemas.facts))
            if group.commentary:
                msgs = build_write_messages(
                    members, settings, mode="commentary", section=section.title,
                    article_chars=article_chars,
                )
                calls.append(_Call("commentary", tuple(group.story_ids), msgs, schemas.commentary))
    for sid in plan.other_ids:
        msgs = build_brief_messages(stories[sid], settings)
        calls.append(_Call("brief", (sid,), msgs, schemas.brief))
    return calls


def estimate_cost(calls: Sequence[_Call]) -> int:
    """Estimated tokens (prompt + completion) of ``calls`` plus the finalize call."""
    total = sum(messages_tokens(c.messages) + COMPLETION_ESTIMATE[c.kind] for c in calls)
    return total + 2500 + COMPLETION_ESTIMATE["finalize"]


def fit_budget(
    plan: Plan, stories: Mapping[str, Story], settings: Settings, remaining: int | None
) -> tuple[Plan, int, list[_Call], list[str], list[str]]:
    """Shrink the work until its estimate fits ``remaining`` tokens.

    Returns the plan, the article characters per call, the calls, notices, and the ids
    left out for the budget. First article text is trimmed (halving down to
    ``ARTICLE_CHARS_FLOOR``), then 其他动态 and then main stories are left out from the
    end of the plan (the plan orders them by importance).
    """
    chars = settings.llm.article_chars
    calls = plan_calls(plan, stories, settings, chars)
    if remaining is None:
        return plan, chars, calls, [], []
    allowance = int(remaining * BUDGET_SAFETY)
    notices: list[str] = []
    while estimate_cost(calls) > allowance and chars > ARTICLE_CHARS_FLOOR:
        chars = max(ARTICLE_CHARS_FLOOR, chars // 2)
        calls = plan_calls(plan, stories, settings, chars)
    if chars != settings.llm.article_chars:
        notices.append(
            f"token budget: article text per call trimmed from {settings.llm.article_chars} "
            f"to {chars} characters"
        )
    left_out: list[str] = []
    while estimate_cost(calls) > allowance:
        candidates = plan.other_ids or plan.main_ids[1:]
        if not candidates:
            break
        left_out.append(candidates[-1])
        plan = prune(plan, {candidates[-1]})
        calls = plan_calls(plan, stories, settings, chars)
    if left_out:
        notices.append(
            f"token budget: {len(left_out)} stories left out to stay within "
            f"{remaining} remaining tokens"
        )
    return plan, chars, calls, notices, left_out


# --- running them ---------------------------------------------------------------------


def _reason(exc: BaseException) -> str:
    if isinstance(exc, BudgetExceeded):
        return f"token budget exhausted: {exc}"
    return f"{type(exc).__name__}: {exc}"[:300]


async def _run(
    day: date, llm: LLMClient, call: _Call, progress: Progress | None,
    on_written: OnWritten | None = None,
) -> Any:
    result = await llm.structured(call.step, call.messages, call.schema,
                                  subject=Subject(day, call.step, call.kind, call.ids))
    if progress:
        progress(f"wrote {call.kind} {'+'.join(call.ids)}")
    if on_written:
        on_written(call.kind, call.ids, result)
    return result


async def compose(
    day: date,
    plan: Plan,
    stories: Mapping[str, Story],
    settings: Settings,
    llm: LLMClient,
    *,
    progress: Progress | None = None,
    on_written: OnWritten | None = None,
) -> Composed:
    """Write every story of ``plan`` with the model and finalize the issue.

    Raises:
        LLMError: not one main story could be written.
    """
    remaining = getattr(llm, "remaining_budget", None)
    plan, chars, calls, notices, left_out = fit_budget(plan, stories, settings, remaining)
    dropped = [_dropped(stories[sid], "left out: token budget") for sid in left_out]

    results = await asyncio.gather(
        *(_run(day, llm, c, progress, on_written) for c in calls), return_exceptions=True
    )
    written = Written()
    failed: dict[str, str] = {}
    trimmed: list[str] = []
    unanswered: list[str] = []  # replaying: calls the replay file has no answer for
    for call, result in zip(calls, results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result  # cancellation / KeyboardInterrupt: not a story's failure
            if isinstance(result, ReplayMissing):  # missing or invalid: as without a model
                _collect_extractive(written, call, stories)
                unanswered.append("+".join(call.ids))
                continue
            if call.kind == "commentary":
                notices.append(
                    f"commentary for {'+'.join(call.ids)} failed ({_reason(result)}); "
                    "the stories keep no commentary block"
                )
            else:
                failed.setdefault(call.ids[0], _reason(result))
            continue
        _collect(written, call, result)
        trimmed += [f"{'+'.join(call.ids)} {name} {n}→{len(getattr(result, name))}"
                    for name, n in getattr(result, "trimmed", {}).items()]
    if trimmed:
        notices.append(f"{len(trimmed)} lists longer than allowed cut, the model's first "
                       f"items kept: {', '.join(trimmed[:8])}{' …' if len(trimmed) > 8 else ''}")
    if unanswered:
        notices.append(f"replay: no usable recorded answer for {len(unanswered)} calls "
                       f"({', '.join(unanswered[:8])}{' …' if len(unanswered) > 8 else ''}); "
                       "extractive text for them, as without a model")
    dropped += [_dropped(stories[sid], why) for sid, why in failed.items()]
    plan = prune(plan, set(failed))
    if not plan.main_ids:
        raise LLMError(f"no story of {day} could be written: " + "; ".join(failed.values())[:500])

    final, final_notice = await _finalize(day, plan, written, settings, llm)
    if final_notice:
        notices.append(final_notice)
    if dropped:
        notices.append(f"{len(dropped)} stories dropped: " + ", ".join(d.story_id for d in dropped))
    return Composed(plan=plan, written=written, final=final, dropped=dropped, notices=notices,
                    article_chars=chars, degraded=bool(left_out) or chars != settings.llm.article_chars,
                    unanswered=unanswered)


def _collect(written: Written, call: _Call, result: Any) -> None:
    if call.kind in ("story", "facts"):
        written.items[call.ids[0]] = ItemText(headline=result.headline, facts=list(result.facts))
        if result.set_aside:
            written.set_aside[call.ids[0]] = list(result.set_aside)
    if call.kind in ("story", "commentary"):
        written.commentary[call.ids] = list(result.commentary)
    if call.kind == "brief":
        written.briefs[call.ids[0]] = result.line


def _collect_extractive(written: Written, call: _Call, stories: Mapping[str, Story]) -> None:
    """What the extractive writer makes for ``call`` (its answer is missing)."""
    if call.kind in ("story", "facts"):
        written.items[call.ids[0]] = extractive_item(stories[call.ids[0]], placeholder=True)
    if call.kind in ("story", "commentary"):
        written.commentary[call.ids] = placeholder_commentary()
    if call.kind == "brief":
        written.briefs[call.ids[0]] = extractive_brief(stories[call.ids[0]])


def _dropped(story: Story, reason: str) -> Dropped:
    return Dropped(story_id=story.id, title=story.title, url=story.url, reason=reason)


async def _finalize(
    day: date, plan: Plan, written: Written, settings: Settings, llm: LLMClient
) -> tuple[Finalized, str | None]:
    items = {sid: (t.headline, t.facts) for sid, t in written.items.items()}
    briefs = [written.briefs[sid] for sid in plan.other_ids if sid in written.briefs]
    msgs = build_finalize_messages(plan, items, briefs, settings, day=day)
    try:
        out = await llm.structured("finalize", msgs, house_schemas(settings.digest).finalize,
                                   subject=Subject(day, "finalize", "finalize"))
    except Exception as exc:  # noqa: BLE001 - any failure: fall back, and say so
        return fallback_final(plan, written, draft=False), (
            f"finalize failed ({_reason(exc)}); title and summary taken from the headlines"
        )
    assert isinstance(out, Finalize)  # an over-long summary or seo list is cut in the schema
    n_lines = len(plan.main_ids) + len(briefs)  # lint: no more summary lines than items
    return Finalized(out.title, out.headline, out.summary[:n_lines], out.seo), None

