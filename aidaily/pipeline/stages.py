"""The pipeline: the stages of one digest date, as plain functions over typed results.

    fetch (per source) -> select -> plan / write / check (the editor) -> draft -> record

``run_day`` runs them in order and is the only wiring of the pipeline: ``aidaily run``
(through the Prefect flow), ``aidaily write`` (from the stored articles, no fetch), and
the flow itself all call it. The flow hands it Prefect-task versions of the stage
functions (``Stages``) to add retries, logging and the UI; nothing else differs.
``aidaily fetch`` runs the first two stages alone (``fetch_and_group``).

What each stage decides lives below it: fetching in ``aidaily.ingest``, selection in
``aidaily.stories``, writing and checking in ``aidaily.editor`` / ``aidaily.checks``,
drafts and the review record in ``aidaily.review``; exit codes in ``aidaily.exitcodes``,
the report in ``aidaily.pipeline.report``. Usage and cost are read back from the run's
own call log (``aidaily.llm.usage.run_usage``): a run reports what *it* sent.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from aidaily.delivery.events import after_crash, after_run
from aidaily.errors import DraftReadError, LLMError
from aidaily.llm.usage import run_usage
from aidaily.memory.issues import recent_issues, remember_issue
from aidaily.memory.recall import recall
from aidaily.pipeline import uptodate
from aidaily.pipeline.options import RunOptions
from aidaily.pipeline.report import DroppedStory, EarlierStory, RunReport, SourceOutcome
from aidaily.pipeline.runlock import date_lock
from aidaily.review import record as rr
from aidaily.store.drafts import Drafts
from aidaily.store.store import Store
from aidaily.stories.select import choose_candidates

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.editor.draft import EditorResult
    from aidaily.ingest.day import FetchReport, Progress, SourceReport
    from aidaily.models import Story
    from aidaily.pipeline.uptodate import Verdict

Say = Callable[[str], None]


def _quiet(_message: str) -> None:
    return None


@dataclass
class Selection:
    """The select stage's result: how many articles the window holds, the stories to
    write (follow-ups among them), and those earlier issues already ran."""

    articles: int
    stories: list[Story] = field(default_factory=list)
    fingerprint: str = ""  # the stored articles of the day (``uptodate.articles_fingerprint``)
    covered: list[EarlierStory] = field(default_factory=list)  # left out: already run
    follow_ups: list[EarlierStory] = field(default_factory=list)  # run again: new facts
    memory: str = ""  # the earlier issues compared with (``memory.issues.Memory.fingerprint``)
    notices: list[str] = field(default_factory=list)
    not_ai: int = 0  # articles of the window judged not AI news


# The stages ---------------------------------------------------------------------------


async def fetch_source(settings: Settings, day: date, name: str, *, offline: bool = False,
                       refetch: bool = False, progress: Progress | None = None) -> SourceReport:
    """Fetch, extract and store one source's articles of ``day``."""
    # deferred: httpx, rich, pygments, only when this runs (`aidaily fetch`, `prompt`, … load the
    # module)
    from aidaily.ingest.day import SourceReport, fetch_day

    report = await fetch_day(settings, day, sources=[name], offline=offline, refetch=refetch,
                             progress=progress)
    return report.sources.get(name) or SourceReport(name, notes=["the source gave no report"])


def select_stories(settings: Settings, day: date, store: Store | None = None) -> Selection:
    """The day's candidate stories from the store, best first; the grouping is recorded
    in the store (``story_id``), the one grouping the review grounds bullets with. A
    story the last ``digest.memory_days`` issues ran is left out, or kept
    as a follow-up when it brings new facts (``memory.recall.recall``)."""
    store = store or Store.from_settings(settings)
    articles = store.articles_for(day, hours=settings.window.hours, timezone=settings.window.timezone)
    # Borderline stories are candidates, marked; the editor shows them to a model's plan
    # and leaves them out of an extractive draft (``editor.plan.offered_candidates``).
    candidates = choose_candidates(articles, settings.ai_keywords)
    stories = candidates.stories
    store.set_story_ids(stories)
    memory = recent_issues(settings, day, store)
    recalled = recall(stories, memory.issues)
    return Selection(len(articles), recalled.stories, uptodate.articles_fingerprint(store, day, settings),
                     covered=[EarlierStory.of(story, earlier, memory.origin(earlier.day))
                              for story, earlier in recalled.covered],
                     follow_ups=[EarlierStory.of(story, story.follow_up, memory.origin(story.follow_up.day))
                                 for story in recalled.follow_ups if story.follow_up is not None],
                     memory=memory.fingerprint, notices=memory.notices, not_ai=candidates.not_ai)


async def select_stage(settings: Settings, day: date) -> Selection:
    """``select_stories`` as ``run_day`` awaits every stage. Awaited, not called, because
    the flow's select task is async: a sync Prefect task in the async flow opened a
    Prefect client of its own (a new TLS context and connection before the plan)."""
    return select_stories(settings, day)


async def write_stories(settings: Settings, day: date, stories: Sequence[Story], *,
                        use_llm: bool = True, run_id: str | None = None, rewrite: bool = False,
                        progress: Say | None = None) -> EditorResult:
    """Plan, write, finalize and check the draft (``editor.draft.write_day``: the model,
    or extractive without one, and the ``llm.on_unreachable`` policy). The plan is shown
    the recent issues (``memory.issues.recent_issues``).

    Raises:
        LLMError: the model is unreachable and ``llm.on_unreachable = "fail"``.
    """
    # deferred: jinja2, python-frontmatter, PyYAML, only when this runs (`aidaily fetch`, `prompt`,
    # … load the module)
    from aidaily.editor.draft import LLMUnreachable, write_day

    try:
        return await write_day(day, stories, settings, use_llm=use_llm, run_id=run_id,
                               refresh=rewrite, progress=progress,
                               recent=recent_issues(settings, day).issues)
    except LLMUnreachable as exc:
        raise LLMError(f"the LLM is unreachable ({exc}); no draft written "
                       "(llm.on_unreachable = fail)") from exc


def record_draft(settings: Settings, result: EditorResult, report: RunReport, *,
                 replace_hand_edit: bool = False) -> None:
    """Write the draft (atomic, versioned, a hand edit kept unless replaced), its cover
    and its review record next to it; remember the stories the current draft runs
    (``aidaily.memory``); fill the report from the result."""
    # deferred: Pillow, only when this runs (`aidaily fetch`, `prompt`, … load the module)
    from aidaily.editor.cover import try_make_cover

    iso = report.day.isoformat()
    written = Drafts(settings.drafts_dir).write(iso, result.text, replace_hand_edit=replace_hand_edit)
    report.draft = str(written.current)
    # The cover of the current draft (a hand edit kept: of its title), beside it.
    cover = try_make_cover(settings, report.day, written.current.read_text(encoding="utf-8"))
    report.cover = str(cover.path) if cover.path else None
    report.draft_version = str(written.version) if written.kept_hand_edit and written.version else None
    report.kept_hand_edit = written.kept_hand_edit
    report.mode = result.mode
    digest = result.digest
    report.sections, report.items, report.briefs = len(digest.sections), len(digest.items), len(digest.briefs)
    report.fact_bullets = len(result.checks)
    report.checks_failed = len(result.failed_checks)
    report.unfetched_links = len(result.links)
    report.lint_errors = len(result.lint_errors)
    report.dropped = [DroppedStory(d.story_id, d.title, d.reason) for d in result.dropped]
    report.left_out = list(result.left_out)
    report.degraded = result.degraded
    report.llm_unreachable = result.unreachable
    report.notices += result.notices + cover.notices
    report.plan_fixes = list(result.plan_fixes)
    if written.kept_hand_edit:
        report.notices.append(f"the draft was edited by hand and is kept; the new draft is "
                              f"{written.version} (--replace-edited makes it current)")
    elif replace_hand_edit and written.version and not written.unchanged:
        report.notices.append("--replace-edited: the new draft is current; an edit by hand is kept as a version")
    if result.splits:  # the grouping review grounds with is the one the draft was checked with
        Store.from_settings(settings).set_story_ids({s.url: s.new_story_id for s in result.splits})
    notice = remember_issue(settings, report.day)
    if notice:
        report.notices.append(notice)
    rr.write_record(rr.record_path(settings, iso), rr.build_record(result, report))


# The wiring ------------------------------------------------------------------------------


class FetchStage(Protocol):
    def __call__(self, settings: Settings, day: date, name: str, *, offline: bool,
                 refetch: bool) -> Awaitable[SourceReport]: ...


class WriteStage(Protocol):
    def __call__(self, settings: Settings, day: date, stories: Sequence[Story], *, use_llm: bool,
                 run_id: str | None, rewrite: bool, progress: Say | None) -> Awaitable[EditorResult]: ...


@dataclass
class Stages:
    """The stage functions ``run_day`` calls; the flow substitutes Prefect tasks."""

    fetch: FetchStage = fetch_source
    select: Callable[[Settings, date], Awaitable[Selection]] = select_stage
    write: WriteStage = write_stories


def source_names(settings: Settings) -> list[str]:
    """The enabled sources: the site adapters, then the configured feeds."""
    names = [name for name, toggle in settings.sources.items() if toggle.enabled]
    return names + [feed.name for feed in settings.feeds if feed.enabled]


async def check_unchanged(settings: Settings, day: date, use_llm: bool,
                          store: Store | None = None) -> tuple[Verdict, RunReport | None]:
    """Is ``day`` up to date (``aidaily.pipeline.uptodate``)? When it is, the report of
    the run that did nothing, noted as a run of its own. Callers hold the date's lock."""
    verdict = await uptodate.check(settings, day, use_llm, store=store)
    if not verdict.up_to_date:
        return verdict, None
    report = unchanged_report(day, verdict)
    uptodate.record_unchanged(store or uptodate.open_runs(settings), day, verdict, report.to_dict())
    return verdict, report


def unchanged_report(day: date, verdict: Verdict) -> RunReport:
    """The report of a run that found ``day`` up to date: the last run's draft, nothing done."""
    last = (verdict.run or {}).get("stats") or {}
    report = RunReport(day, draft=verdict.draft, mode=last.get("mode", ""), up_to_date=True,
                       articles=last.get("articles", 0), stories=last.get("stories", 0),
                       items=last.get("items", 0), briefs=last.get("briefs", 0))
    report.notices.append(f"up to date: {verdict.reason}; the draft is {verdict.draft}")
    return report


async def run_day(settings: Settings, day: date, options: RunOptions | None = None, *,
                  stages: Stages | None = None, say: Say | None = None) -> RunReport:
    """Run the pipeline for the digest dated ``day`` under the date's lock and return
    the report (its ``exit_code`` is the command's). Failures of a source or of the
    model are in the report, not raised, and so is a current draft that cannot be read
    (nothing is done then); nothing already written is damaged.

    Raises:
        LockedError: another run of ``day`` holds the lock past ``options.lock_wait``.
        StoreError / ConfigError: the store or the settings cannot be used at all.
    """
    # deferred: python-frontmatter, PyYAML, only when this runs (`aidaily fetch`, `prompt`, … load
    # the module)
    from aidaily.review.report import build_review

    options = options or RunOptions()
    say = say or _quiet
    with date_lock(settings.locks_dir, day.isoformat(), wait=options.lock_wait, on_wait=say):
        try:
            report = await _run_locked(settings, day, options, stages or Stages(), say)
        except Exception as exc:
            for delivery in after_crash(settings, day, exc):
                say(delivery.describe())
            raise
    # Told after the run is recorded: a notifier that fails or hangs costs nothing done.
    for delivery in after_run(settings, report, build_review):
        say(delivery.describe())
        report.notices.append(delivery.describe())
    return report


async def _run_locked(settings: Settings, day: date, options: RunOptions, stages: Stages,
                      say: Say) -> RunReport:
    store = Store.from_settings(settings)
    if options.checks_unchanged:
        verdict, unchanged = await check_unchanged(settings, day, options.use_llm, store)
        if unchanged is not None:
            say(unchanged.notices[-1])
            return unchanged
        say(f"full run: {verdict.reason}")
    kind = "run" if options.fetch else "write"
    report = RunReport(day, kind=kind, run_id=store.start_run(day, kind))
    assert report.run_id is not None
    try:  # the draft this run would replace or keep must be readable: refuse before any work
        Drafts(settings.drafts_dir).read_current(day.isoformat())
    except DraftReadError as exc:
        report.error = f"the current draft cannot be read: {exc}"
        return _finish(store, report)
    fetched: list[SourceReport] = []

    if options.fetch:
        started = time.monotonic()
        names = source_names(settings)
        results = await asyncio.gather(
            *(stages.fetch(settings, day, name, offline=options.offline, refetch=options.refetch)
              for name in names),
            return_exceptions=True,
        )
        for name, outcome in zip(names, results):
            if isinstance(outcome, BaseException):
                report.sources[name] = SourceOutcome.crashed(name, outcome)
            else:
                fetched.append(outcome)
                report.sources[name] = SourceOutcome.from_report(outcome)
        report.stages["fetch"] = _since(started)

    started = time.monotonic()
    selection = await stages.select(settings, day)
    report.articles, report.stories = selection.articles, len(selection.stories)
    report.covered, report.follow_ups = list(selection.covered), list(selection.follow_ups)
    report.not_ai = selection.not_ai
    report.notices += selection.notices
    report.stages["select"] = _since(started)
    if not selection.stories:
        hint = "" if options.fetch else f"; run `aidaily fetch --date {day.isoformat()}` first"
        covered = f", {len(selection.covered)} run by earlier issues" if selection.covered else ""
        report.error = (f"no AI stories stored for {day.isoformat()} "
                        f"({selection.articles} articles in the window{covered}){hint}")
        return _finish(store, report)

    if not options.use_llm or not settings.llm.configured:
        why = "--llm none" if not options.use_llm else "no LLM configured (set OPENAI_API_KEY / OPENAI_BASE_URL)"
        say(f"notice: {why}: writing an extractive draft, not written by a model")
    started = time.monotonic()
    try:
        result = await stages.write(settings, day, selection.stories, use_llm=options.use_llm,
                                    run_id=report.run_id, rewrite=options.rewrite, progress=say)
    except LLMError as exc:
        report.error = str(exc)
        report.llm = run_usage(settings.database_url, report.run_id)
        return _finish(store, report)
    report.stages["write"] = _since(started)

    started = time.monotonic()
    report.llm = run_usage(settings.database_url, report.run_id)
    record_draft(settings, result, report, replace_hand_edit=options.replace_edited)
    report.stages["draft"] = _since(started)
    if report.exit_code == 0 and options.fetch:  # the baseline of the next up-to-date check
        report.inputs = _inputs(settings, day, options, selection, fetched)
    return _finish(store, report)


def _inputs(settings: Settings, day: date, options: RunOptions, selection: Selection,
            fetched: list[SourceReport]) -> dict[str, object]:
    return uptodate.inputs(
        settings, options.use_llm, day, articles=selection.fingerprint,
        listings={url: h for s in fetched for url, h in s.listing_hashes.items()},
        listed={url: h for s in fetched for url, h in s.listing_listed.items()},
        failed={url: status for s in fetched for url, status in s.listing_status.items()},
        requests=[[url, s.name, s.user_agent] for s in fetched for url in s.listing_tried],
        draft_hash=Drafts(settings.drafts_dir).last_written(day.isoformat()), memory=selection.memory,
    )


def _finish(store: Store, report: RunReport) -> RunReport:
    assert report.run_id is not None
    store.finish_run(report.run_id, report.status, report.to_dict())
    return report


def _since(started: float) -> float:
    return round(time.monotonic() - started, 3)


# aidaily fetch ---------------------------------------------------------------------------


async def fetch_and_group(settings: Settings, day: date, *, sources: Sequence[str] | None = None,
                          offline: bool = False, refetch: bool = False,
                          record_dir: Path | None = None, progress: Progress | None = None) -> FetchReport:
    """``aidaily fetch``: the fetch stage for the chosen sources (all enabled ones by
    default), then the select stage, so the day's grouping is the one a run makes."""
    # deferred: httpx, rich, pygments, only when this runs (`aidaily fetch`, `prompt`, … load the
    # module)
    from aidaily.ingest.day import fetch_day

    report = await fetch_day(settings, day, sources=sources, offline=offline, refetch=refetch,
                             record_dir=record_dir, progress=progress)
    report.stories = len(select_stories(settings, day).stories)
    return report
