"""The nightly digest as a Prefect flow: thin wiring of the core.

    fetch (one task per source, concurrent, retried) -> select -> plan + write
    (concurrent LLM calls, cached) -> check -> draft (versioned, atomic) -> artifacts

Everything that decides anything lives in the core (``aidaily.ingest.day``,
``aidaily.stories.select``/``dedup``, ``aidaily.editor.draft``, ``aidaily.review.drafts``); the flow adds
Prefect's retries, caching, logging and artifacts. A re-run of an unchanged date does no
work: pages already stored are not fetched again, the write task's result is cached
under a key of its inputs (the stories' content, the model settings and the prompt
templates), and below it every LLM call is cached by its messages.

Works in Prefect's ephemeral mode (no server) and against a server (``PREFECT_API_URL``).
Two runs for one date never interleave: the flow holds the date's lock throughout.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import time
from dataclasses import asdict, dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import Any

# Everything a run uses is imported with the module. An import is a fixed start-up cost,
# paid once by a served deployment (``aidaily serve``) and before the flow run starts for
# ``aidaily run``, instead of inside every night's run (openai alone is ~0.6 s of CPU).
import lxml.html  # noqa: F401  (the feed prefilter)
import openai
import openai.resources.chat  # noqa: F401  (the SDK imports it on the first call)
from prefect import Flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact

import sources
from aidaily.review import record as rr
from aidaily.pipeline import uptodate
from aidaily.cli.common import tomorrow
from aidaily.config import Settings, load_settings
from aidaily.review.drafts import Drafts
from aidaily.editor.draft import LLMUnreachable, candidate_stories, write_day
from aidaily.errors import LLMError
from aidaily.ingest.fetch import tls_context
from aidaily.ingest.day import fetch_day
from aidaily.llm.client import LLMClient  # noqa: F401
from aidaily.pipeline.runlock import date_lock
from aidaily.store.store import Store

# What the run would import on first use (selection, dedup, and datasketch, which dedup
# imports when it first groups and which pulls in numpy and scipy), and the TLS context
# every fetcher and the model's client share: set up now, not mid-run.
sources.load_adapters()
for _module in ("aidaily.stories.select", "aidaily.stories.dedup", "datasketch", "aidaily.checks.grounding", "aidaily.format.lint", "aidaily.editor.prompting"):
    importlib.import_module(_module)
tls_context()

FLOW_NAME = "daily-digest"


@dataclass
class RunReport:
    """What ``aidaily run`` prints and the artifacts show."""

    day: str
    draft: str | None = None
    draft_version: str | None = None
    kept_hand_edit: bool = False
    mode: str = ""
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    articles: int = 0
    stories: int = 0
    items: int = 0
    briefs: int = 0
    checks_failed: int = 0
    lint_errors: int = 0
    dropped: int = 0
    notices: list[str] = field(default_factory=list)
    usage: dict[str, Any] = field(default_factory=dict)
    stages: dict[str, float] = field(default_factory=dict)
    error: str | None = None
    up_to_date: bool = False  # nothing changed since the last complete run: nothing done
    inputs: dict[str, Any] = field(default_factory=dict)  # what the draft was made from

    @property
    def source_failures(self) -> list[dict[str, Any]]:
        return [
            {"source": name, "error": s.get("error") or "; ".join(s.get("failures", [])[:3]) or s.get("summary", "")}
            for name, s in self.sources.items()
            if not s.get("ok", False)
        ]

    @property
    def exit_code(self) -> int:
        """0 complete; 2 draft written with source / LLM failures; 1 no draft."""
        if self.draft is None:
            return 1
        llm_failures = self.dropped or any("unreachable" in n.lower() for n in self.notices)
        return 2 if self.source_failures or llm_failures else 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"exit_code": self.exit_code, "failed_sources": self.source_failures}


# Tasks ------------------------------------------------------------------------------


@task(name="fetch-source", retries=2, retry_delay_seconds=[5, 30], task_run_name="fetch-{source}")
async def fetch_source(home: str, day: str, source: str, offline: bool, refetch: bool) -> dict[str, Any]:
    """Fetch, extract and store one source's articles for ``day``."""
    settings = load_settings(home)
    # Grouping the day's stories happens once, after every source (``select_stories``).
    report = await fetch_day(
        settings, Date.fromisoformat(day), sources=[source], offline=offline, refetch=refetch, group=False
    )
    src = report.sources.get(source)
    if src is None:
        return {"ok": False, "error": "no report", "new": 0, "seen": 0}
    get_run_logger().info("%s: %s", source, src.summary())
    return {
        "ok": src.ok,
        "seen": src.seen,
        "new": src.new,
        "known": src.known,
        "in_window": src.in_window,
        "failed": len(src.failed),
        "failures": [f"{f.url}: {f.reason}" for f in src.failed][:20],
        "summary": src.summary(),
        "seconds": src.seconds,
        "listings": src.listing_hashes,
        "listed": src.listing_listed,
        "listing_requests": [[url, source, src.user_agent] for url in src.listing_tried],
    }


@task(name="select")
def select_stories(home: str, day: str) -> tuple[int, list[Any]]:
    """The day's candidate stories from the store, ranked, near-duplicates merged."""
    settings = load_settings(home)
    store = Store.from_settings(settings)
    articles = store.articles_for(
        Date.fromisoformat(day), hours=settings.window.hours, timezone=settings.window.timezone
    )
    stories = candidate_stories(articles, settings)
    store.set_story_ids(stories)  # the day's grouping, once, for review and tools
    return len(articles), stories


def _edit_cache_key(_context: Any, parameters: dict[str, Any]) -> str:
    """Same stories, same model settings, same prompts -> same draft."""
    settings = load_settings(parameters["home"])
    digest = hashlib.sha256()
    # The home's database is part of the key: another home is another store.
    digest.update(f"{parameters['day']}|{settings.database_url}".encode())
    digest.update(str(parameters["use_llm"]).encode())  # ``rewrite`` bypasses the cache instead
    for story in parameters["stories"]:
        digest.update(story.id.encode())
        for article in story.articles:
            digest.update(article.content_hash.encode())
    llm = settings.llm.model_dump(exclude={"api_key"}, mode="json")
    digest.update(json.dumps([llm, settings.digest.model_dump(mode="json")], sort_keys=True).encode())
    digest.update(uptodate.prompts_fingerprint(settings).encode())
    return f"aidaily-edit-{digest.hexdigest()}"


@task(name="plan-write-check", cache_key_fn=_edit_cache_key, persist_result=True)
async def edit_day(home: str, day: str, stories: list[Any], use_llm: bool, run_id: str | None,
                   rewrite: bool = False) -> Any:
    """Plan, write (concurrent LLM calls), finalize and check the draft of ``day``."""
    settings = load_settings(home)
    logger = get_run_logger()
    if not use_llm or not settings.llm.configured:
        logger.warning("no LLM configured: writing an extractive draft (not written by a model)")
    try:
        result = await write_day(day, stories, settings, use_llm=use_llm, run_id=run_id,
                                 refresh=rewrite, progress=logger.info)
    except LLMUnreachable as exc:
        raise LLMError(f"the LLM is unreachable ({exc}); no draft written (llm.on_unreachable = fail)") from exc
    for notice in result.notices:
        logger.warning(notice)
    return result


# The flow ---------------------------------------------------------------------------


class PlainParamsFlow(Flow):  # type: ignore[type-arg]
    """A Prefect ``Flow`` whose parameters, when they are plain JSON values (this flow's
    are strings, booleans and numbers), are stored as they are. Prefect's own
    ``serialize_parameters`` imports all of FastAPI for its encoder (~0.3 s) on every
    flow-run creation."""

    def serialize_parameters(self, parameters: dict[str, Any]) -> dict[str, Any]:
        if all(value is None or type(value) in (str, bool, int, float) for value in parameters.values()):
            return dict(parameters)
        return super().serialize_parameters(parameters)


def plain_params_flow(**options: Any) -> Any:
    """``@prefect.flow(**options)`` making a ``PlainParamsFlow``."""
    return lambda fn: PlainParamsFlow(fn, **options)


@plain_params_flow(name=FLOW_NAME, log_prints=True)
async def daily_digest(
    date: str | None = None,
    refetch: bool = False,
    rewrite: bool = False,
    offline: bool = False,
    llm: str = "auto",
    home: str | None = None,
    lock_wait: float = 0.0,
    skip_unchanged: bool = True,
) -> dict[str, Any]:
    """Write the draft of the digest dated ``date`` (default: tomorrow, Asia/Shanghai).

    Args:
        date: YYYY-MM-DD; the digest dated D is produced on the night of D-1.
        refetch: fetch article pages again even when they are stored.
        rewrite: write the draft again even when nothing changed (LLM calls included).
        offline: use only the archive (no network).
        llm: "auto" (the configured model, or extractive without one) or "none".
        home: the aidaily home directory (default: AIDAILY_HOME or the current directory).
        lock_wait: seconds to wait for another run of the same date.
        skip_unchanged: do nothing when the date is up to date (``aidaily.pipeline.uptodate``:
            the sources serve what they served at the last complete run, and the stored
            articles, settings, prompts and code are the same). Never with refetch,
            rewrite or offline.
    """
    settings = load_settings(home)
    home_str = str(settings.home.resolve())
    day = date or tomorrow(settings.window.timezone)
    Date.fromisoformat(day)  # a clear error for a bad date, before any work
    with date_lock(settings.locks_dir, day, wait=lock_wait):
        skip = skip_unchanged and not (refetch or rewrite or offline)
        report = await _run(settings, home_str, day, refetch, rewrite, offline, llm != "none", skip)
    if not report.up_to_date:  # an unchanged date keeps the artifacts of its last run
        await _artifacts(report, settings)
    return report.to_dict()


async def _run(settings: Settings, home: str, day: str, refetch: bool, rewrite: bool,
               offline: bool, use_llm: bool, skip_unchanged: bool) -> RunReport:
    logger = get_run_logger()
    report = RunReport(day)
    store = Store.from_settings(settings)
    digest_date = Date.fromisoformat(day)
    if skip_unchanged:
        verdict = await uptodate.check(settings, digest_date, use_llm, store=store)
        if verdict.up_to_date:
            return _unchanged(store, digest_date, verdict)
        logger.info("full run: %s", verdict.reason)
    run_id = store.start_run(digest_date, "run")

    started = time.monotonic()
    names = _source_names(settings)
    results = await asyncio.gather(
        *(fetch_source(home, day, name, offline, refetch) for name in names), return_exceptions=True
    )
    for name, result in zip(names, results):
        report.sources[name] = (
            result if isinstance(result, dict) else {"ok": False, "error": f"{type(result).__name__}: {result}"}
        )
    report.stages["fetch"] = round(time.monotonic() - started, 3)

    started = time.monotonic()
    report.articles, stories = select_stories(home, day)
    articles_fingerprint = uptodate.articles_fingerprint(store, digest_date, settings)
    report.stories = len(stories)
    report.stages["select"] = round(time.monotonic() - started, 3)
    if not stories:
        report.error = f"no AI stories stored for {day} ({report.articles} articles in the window)"
        logger.error(report.error)
        store.finish_run(run_id, "failed", report.to_dict())
        return report

    started = time.monotonic()
    editor = edit_day.with_options(refresh_cache=rewrite)
    try:
        result = await editor(home, day, stories, use_llm, run_id, rewrite)
    except LLMError as exc:
        report.error = str(exc)
        logger.error(report.error)
        store.finish_run(run_id, "failed", report.to_dict())
        return report
    report.stages["write"] = round(time.monotonic() - started, 3)

    started = time.monotonic()
    _write_draft(settings, day, result, report, run_id)
    report.stages["draft"] = round(time.monotonic() - started, 3)
    if report.exit_code == 0:  # complete: the baseline of the next run's up-to-date check
        fetched = report.sources.values()
        report.inputs = uptodate.inputs(
            settings, use_llm, digest_date, articles=articles_fingerprint,
            listings={url: h for s in fetched for url, h in (s.get("listings") or {}).items()},
            listed={url: h for s in fetched for url, h in (s.get("listed") or {}).items()},
            requests=[r for s in fetched for r in s.get("listing_requests") or []],
            draft_hash=Drafts(settings.drafts_dir).last_written(day),
        )
    store.finish_run(run_id, {0: "ok", 2: "partial"}.get(report.exit_code, "failed"), report.to_dict())
    logger.info("draft %s (exit %s)", report.draft, report.exit_code)
    return report


def _unchanged(store: Any, day: Date, verdict: Any) -> RunReport:
    """The report of a run that found ``day`` up to date: the last run's draft, nothing done."""
    last = verdict.run["stats"]
    report = RunReport(day.isoformat(), draft=verdict.draft, mode=last.get("mode", ""), up_to_date=True,
                       articles=last.get("articles", 0), stories=last.get("stories", 0),
                       items=last.get("items", 0), briefs=last.get("briefs", 0))
    report.notices.append(f"up to date: {verdict.reason}; the draft is {verdict.draft}")
    uptodate.record_unchanged(store, day, verdict, report.to_dict())
    get_run_logger().info(report.notices[-1])
    return report


def _source_names(settings: Settings) -> list[str]:
    names = [name for name, toggle in settings.sources.items() if toggle.enabled]
    return names + [feed.name for feed in settings.feeds if feed.enabled]


def _write_draft(settings: Settings, day: str, result: Any, report: RunReport, run_id: str) -> None:
    written = Drafts(settings.drafts_dir).write(day, result.text)
    record = rr.build_record(result, run_id=run_id)
    record["failed_sources"] = report.source_failures
    record["sources"] = report.sources
    rr.write_record(rr.record_path(settings, day), record)
    report.draft = str(written.current)
    report.draft_version = str(written.version) if written.version else None
    report.kept_hand_edit = written.kept_hand_edit
    report.mode = result.mode
    report.items, report.briefs = len(result.digest.items), len(result.digest.briefs)
    report.checks_failed = len(result.failed_checks)
    report.lint_errors = len(result.lint_errors)
    report.dropped = len(result.dropped)
    report.notices = list(result.notices)
    report.usage = dict(result.usage)
    if written.kept_hand_edit:
        report.notices.append(
            f"the draft was edited by hand and is kept; the new draft is version {written.version}"
        )


async def _artifacts(report: RunReport, settings: Settings) -> None:
    """The draft and the run report as Prefect artifacts (shown in the UI)."""
    key = f"digest-{report.day}"
    pending = []  # three independent API calls: made together
    if report.draft:
        text = Path(report.draft).read_text(encoding="utf-8")
        pending.append(acreate_markdown_artifact(text, key=f"{key}-draft", description=f"Draft of {report.day}"))
    rows = [
        {"source": name, "ok": s.get("ok"), "seen": s.get("seen", 0), "new": s.get("new", 0),
         "failed": s.get("failed", 0), "seconds": s.get("seconds", 0), "note": s.get("summary", s.get("error", ""))}
        for name, s in report.sources.items()
    ]
    pending.append(acreate_table_artifact(rows, key=f"{key}-sources", description="Sources"))
    summary = [
        {"what": k, "value": str(v)}
        for k, v in {
            "draft": report.draft, "mode": report.mode, "articles": report.articles,
            "stories": report.stories, "items": report.items, "one-liners": report.briefs,
            "fact checks failed": report.checks_failed, "lint errors": report.lint_errors,
            "dropped": report.dropped, "tokens in": report.usage.get("tokens_in", 0),
            "tokens out": report.usage.get("tokens_out", 0),
            "cost (USD)": report.usage.get("cost_usd", 0.0),
            **{f"time {stage} (s)": secs for stage, secs in report.stages.items()},
            "exit code": report.exit_code, "error": report.error,
        }.items()
    ]
    pending.append(acreate_table_artifact(summary, key=f"{key}-report", description="Run report"))
    await asyncio.gather(*pending)
