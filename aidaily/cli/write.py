"""``aidaily write --date D``: the stored articles of D become ``output/drafts/D.md``.

Exit codes: 0 a draft with nothing to flag; 2 a draft with failures (dropped stories,
ungrounded facts, unfetched links or lint errors: see ``D.review.json``); 1 no draft
(no articles, the model unreachable with ``llm.on_unreachable = "fail"``). Drafts are
stored through ``aidaily.review.drafts`` like the nightly flow's: atomic writes, every version
kept, and a draft edited by hand stays current (the new one is saved as a version)
unless ``--rewrite`` says to replace it.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from aidaily.cli import common as _common
if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.editor.draft import EditorResult


class LLMChoice(str, Enum):
    auto = "auto"
    none = "none"


def register(app: typer.Typer) -> None:
    app.command("write")(write)


def write(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", "-d", help="Digest date, YYYY-MM-DD.")],
    llm: Annotated[
        LLMChoice,
        typer.Option("--llm", help="auto: the configured model, else extractive; none: extractive."),
    ] = LLMChoice.auto,
    rewrite: Annotated[
        bool, typer.Option("--rewrite", help="Make the new draft current even over a draft "
                           "edited by hand (which is kept as a version).")
    ] = False,
) -> None:
    """Write the draft of one date from its stored articles (model or extractive)."""
    the_day = date.fromisoformat(_common.parse_day(day))
    settings = _common.settings(ctx)
    out = _common.console()
    code = run_write(settings, the_day, use_llm=llm is LLMChoice.auto, rewrite=rewrite,
                     echo=out.print)
    raise typer.Exit(code)


def day_stories(settings: Settings, day: date) -> tuple[int, list[Any]]:
    """(articles in the window of ``day``, the candidate stories made of them)."""
    from aidaily.editor.draft import candidate_stories
    from aidaily.store.store import Store

    articles = Store.from_settings(settings).articles_for(
        day, hours=settings.window.hours, timezone=settings.window.timezone
    )
    return len(articles), candidate_stories(articles, settings)


def run_write(
    settings: Settings,
    day: date,
    *,
    use_llm: bool = True,
    rewrite: bool = False,
    echo: Any = print,
) -> int:
    """The command's work, callable from flows; returns the exit code."""
    from aidaily.review import record as rr
    from aidaily.store.store import Store

    iso = day.isoformat()
    n_articles, stories = day_stories(settings, day)
    if not stories:
        echo(f"error: no stored AI articles for {iso} ({n_articles} articles in the window); "
             f"run `aidaily fetch --date {iso}` first")
        return 1
    store = Store.from_settings(settings)
    run_id = store.start_run(day, kind="write")
    try:
        result = _edit(settings, iso, stories, use_llm, run_id, echo)
    except Exception as exc:
        store.finish_run(run_id, "failed", {"error": str(exc)[:500]})
        raise
    if result is None:
        store.finish_run(run_id, "failed", {"error": "LLM unreachable"})
        return 1
    path = _store_draft(settings, iso, result, rewrite)
    record = rr.build_record(result, run_id=run_id)
    rr.write_record(rr.record_path(settings, iso), record)
    status = "failures" if result.has_failures else "ok"
    store.finish_run(run_id, status, record["counts"] | {"mode": result.mode,
                                                         "cost_usd": record["cost_usd"]})
    _summary(result, path, echo)
    return 2 if result.has_failures else 0


def _store_draft(settings: Settings, iso: str, result: EditorResult, rewrite: bool) -> Any:
    """Write the draft through ``Drafts``; returns the current draft's path."""
    from aidaily.atomic import atomic_write_text
    from aidaily.review.drafts import Drafts

    written = Drafts(settings.drafts_dir).write(iso, result.text)
    if written.kept_hand_edit:
        if rewrite:  # the edited text is saved as a version; the new draft becomes current
            atomic_write_text(written.current, result.text)
            result.notices.append("the draft edited by hand was replaced (--rewrite); "
                                  "its text is kept as a version")
        else:
            result.notices.append(f"the draft was edited by hand and is kept; the new draft is "
                                  f"{written.version} (use --rewrite to make it current)")
    return written.current


def _edit(
    settings: Settings, iso: str, stories: list[Any], use_llm: bool, run_id: str, echo: Any
) -> EditorResult | None:
    """Run the editor with the model (if any) and the unreachable policy."""
    import asyncio

    from aidaily.editor.draft import LLMUnreachable, write_day

    if not use_llm or not settings.llm.configured:
        why = "--llm none" if not use_llm else "no LLM configured (set OPENAI_API_KEY or llm.base_url)"
        echo(f"notice: {why}: writing an extractive draft, not written by a model")
    try:
        return asyncio.run(write_day(iso, stories, settings, use_llm=use_llm, run_id=run_id))
    except LLMUnreachable as exc:
        echo(f"error: the LLM is unreachable ({exc}); no draft written "
             "(llm.on_unreachable = fail)")
        return None


def _summary(result: EditorResult, path: Any, echo: Any) -> None:
    d = result.digest
    usage = result.usage
    echo(f"wrote {path} ({result.mode}): {len(d.sections)} sections, {len(d.items)} stories, "
         f"{len(d.briefs)} one-liners")
    if usage:
        echo(f"LLM: {usage.get('calls', 0)} calls, {usage.get('cached', 0)} cached, "
             f"{usage.get('tokens_in', 0)} in / {usage.get('tokens_out', 0)} out tokens, "
             f"${result.cost_usd:.4f}")
    echo(f"checks: {len(result.failed_checks)} of {len(result.checks)} fact bullets not grounded, "
         f"{len(result.links)} unfetched links, {len(result.lint_errors)} lint errors, "
         f"{len(result.dropped)} stories dropped")
    for notice in result.notices:
        echo(f"notice: {notice}")
    for dropped in result.dropped:
        echo(f"dropped {dropped.story_id} ({dropped.title[:40]}): {dropped.reason}")
