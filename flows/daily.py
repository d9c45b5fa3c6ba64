"""The nightly digest as a Prefect flow: the pipeline's stages mapped to Prefect tasks.

    fetch (one task per source, concurrent, retried) -> select -> plan/write/check -> draft

The wiring and every decision live in the core (``aidaily.pipeline.stages.run_day``);
this module only wraps the stage functions as tasks (retries, names, logging) and
publishes the run report as artifacts. The write task is not cached by Prefect: every
model call is cached by its messages below it (``aidaily.llm``), so a re-run of an
unchanged date sends nothing and its report says so honestly (requests sent vs answered
from the cache).

Works in Prefect's ephemeral mode (no server) and against a server (``PREFECT_API_URL``).
Two runs for one date never interleave: ``run_day`` holds the date's lock throughout.

A flow run names its home: the ``home`` parameter (``aidaily run`` and ``aidaily serve``
pass it) or ``AIDAILY_HOME`` (what ``prefect.yaml`` gives a worker's runs). With neither it
refuses (``ConfigError``) rather than take the working directory, which for a worker is
the code checkout: a second database and drafts written into the checkout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date as Date
from pathlib import Path
from typing import TYPE_CHECKING

from prefect import flow, get_run_logger, task
from prefect.artifacts import acreate_markdown_artifact, acreate_table_artifact
from prefect.cache_policies import NO_CACHE

# The modules the stages import when they first run (``aidaily.pipeline.stages`` imports
# them inside its functions so that ``aidaily write`` and the CLI start small), imported
# here with the flow: a flow run's stages then do only their work, whether the process is
# a served deployment (once for all its runs) or ``aidaily run`` (while the run's Prefect
# server starts, ``flows.ephemeral``). datasketch is most of it: it imports scipy (~0.8 s);
# then the openai SDK (~0.3 s, else paid before the plan request), the site adapters and
# feedparser, Prefect's task engine, the run review's report; what the first model call
# and the cover load lazily (the SDK's chat resource, httpx2's connection layer httpcore2,
# Pillow's image plugins: ~50 ms inside the flow, on the path to the plan request). The
# check's own modules (html5lib) load while the model writes (``aidaily.editor.draft``).
import datasketch  # noqa: F401
import httpcore2  # noqa: F401
import PIL.Image
import openai.resources.chat.chat  # noqa: F401
import openai.resources.chat.completions  # noqa: F401
import prefect.task_engine  # noqa: F401
import aidaily.editor.cover  # noqa: F401
import aidaily.editor.draft  # noqa: F401
import aidaily.ingest.day  # noqa: F401
import aidaily.llm.client  # noqa: F401
import aidaily.memory.recall  # noqa: F401
import aidaily.review.report  # noqa: F401
import aidaily.store.drafts  # noqa: F401
import aidaily.stories.select  # noqa: F401
import sources
from aidaily.config import Settings, load_settings, named_home
from aidaily.editor.prompting import load_templates
from aidaily.editor.schema import house_schemas
from aidaily.errors import ConfigError
from aidaily.format.links import markdown_parser
from aidaily.ingest.fetch import tls_context
from aidaily.pipeline import stages
from aidaily.pipeline.options import RunOptions
from aidaily.pipeline.report import RunReport
from aidaily.stories.relevance import load_model
from aidaily.stories.window import default_day

if TYPE_CHECKING:
    from aidaily.editor.draft import EditorResult
    from aidaily.ingest.day import SourceReport
    from aidaily.models import Story

FLOW_NAME = "daily-digest"


def load_once() -> None:
    """Build what the stages build on first use and keep for the process — the adapters
    and feedparser, Pillow's image plugins, the markdown parsers (hubtoday's items, the check), the fetcher's TLS
    context (the CA bundle), the relevance model (~1 MB of JSON), the shipped prompt
    templates compiled and the schemas of the default figures — with the flow, as its
    modules are imported: not inside the first fetch, or between the model's answers."""
    sources.load_adapters()
    defaults = Settings()
    load_templates(defaults.shipped_prompts_dir)
    house_schemas(defaults.digest)
    PIL.Image.preinit()  # the image plugins the cover's PNG needs
    markdown_parser()
    markdown_parser(html=True)
    tls_context()
    load_model()


load_once()


# Tasks: the stage functions, with Prefect's retries and logging -------------------------


@task(name="fetch-source", retries=2, retry_delay_seconds=[5, 30], task_run_name="fetch-{name}",
      cache_policy=NO_CACHE)
async def fetch_source(settings: Settings, day: Date, name: str, *, offline: bool,
                       refetch: bool) -> SourceReport:
    """Fetch, extract and store one source's articles for ``day``."""
    report = await stages.fetch_source(settings, day, name, offline=offline, refetch=refetch)
    get_run_logger().info("%s: %s", name, report.summary())
    return report


@task(name="select", cache_policy=NO_CACHE)
async def select_stories(settings: Settings, day: Date) -> stages.Selection:
    """The day's candidate stories from the store, ranked, near-duplicates merged.

    Async, though its work is not: in the async flow a sync task run opens a Prefect
    client of its own (a new TLS context and connection, ~25 ms on the path to the plan
    request); an async one uses the flow's. Nothing else runs while it selects."""
    return stages.select_stories(settings, day)


@task(name="plan-write-check", cache_policy=NO_CACHE)
async def write_stories(settings: Settings, day: Date, stories: Sequence[Story], *, use_llm: bool,
                        run_id: str | None, rewrite: bool,
                        progress: stages.Say | None = None) -> EditorResult:
    """Plan, write (concurrent, cached LLM calls), finalize and check the draft."""
    logger = get_run_logger()
    result = await stages.write_stories(settings, day, stories, use_llm=use_llm, run_id=run_id,
                                        rewrite=rewrite, progress=progress or logger.info)
    for notice in result.notices:
        logger.warning(notice)
    return result


TASKS = stages.Stages(fetch=fetch_source, select=select_stories, write=write_stories)


# The flow ---------------------------------------------------------------------------------


@flow(name=FLOW_NAME, log_prints=True)
async def daily_digest(
    date: str | None = None,
    refetch: bool = False,
    rewrite: bool = False,
    offline: bool = False,
    llm: str = "auto",
    home: str | None = None,
    lock_wait: float = 0.0,
    skip_unchanged: bool = True,
    replace_edited: bool = False,
) -> RunReport:
    """Write the draft of the digest dated ``date`` (default: tomorrow, Asia/Shanghai).

    Args:
        date: YYYY-MM-DD; the digest dated D is produced on the night of D-1.
        refetch: fetch article pages again even when they are stored.
        rewrite: write the draft anew: ask the model again (no cached answers).
        offline: use only the archive (no network).
        llm: "auto" (the configured model, or extractive without one) or "none".
        home: the aidaily home directory (default: AIDAILY_HOME; with neither the run refuses).
        lock_wait: seconds to wait for another run of the same date.
        skip_unchanged: do nothing when the date is up to date (``aidaily.pipeline.uptodate``).
            Never with refetch, rewrite or offline.
        replace_edited: make the new draft current even over a draft edited by hand
            (whose text is kept as a version).
    """
    settings = flow_settings(home)
    day = Date.fromisoformat(date) if date else default_day(settings.window.timezone)
    options = RunOptions(refetch=refetch, rewrite=rewrite, offline=offline, use_llm=llm != "none",
                         replace_edited=replace_edited, skip_unchanged=skip_unchanged,
                         lock_wait=lock_wait)
    logger = get_run_logger()
    report = await stages.run_day(settings, day, options, stages=TASKS, say=logger.info)
    if report.error:
        logger.error(report.error)
    if not report.up_to_date:  # an unchanged date keeps the artifacts of its last run
        await publish_artifacts(report)
    logger.info("draft %s (exit %s)", report.draft, int(report.exit_code))
    return report


def flow_settings(home: str | None) -> Settings:
    """The settings of a flow run's home: ``home`` or ``AIDAILY_HOME``, never the working
    directory by default.

    Raises:
        ConfigError: neither names a home.
    """
    if named_home(home) is None:
        raise ConfigError(
            "no aidaily home: pass the flow's 'home' parameter or set AIDAILY_HOME (prefect.yaml "
            "passes the Prefect variable 'aidaily_home' as AIDAILY_HOME); a flow run does not "
            "take the working directory as its home")
    return load_settings(home)


async def publish_artifacts(report: RunReport) -> None:
    """The draft and the run report as Prefect artifacts (shown in the UI)."""
    key = f"digest-{report.day.isoformat()}"
    pending = []  # independent API calls: made together
    if report.draft:
        text = Path(report.draft).read_text(encoding="utf-8")
        pending.append(acreate_markdown_artifact(text, key=f"{key}-draft",
                                                 description=f"Draft of {report.day.isoformat()}"))
    rows = [
        {"source": name, "ok": s.ok, "seen": s.seen, "new": s.new, "failed": s.failed,
         "seconds": s.seconds, "note": s.error or s.summary}
        for name, s in report.sources.items()
    ]
    pending.append(acreate_table_artifact(rows, key=f"{key}-sources", description="Sources"))
    summary = {
        "draft": report.draft, "mode": report.mode, "articles": report.articles,
        "stories": report.stories, "items": report.items, "one-liners": report.briefs,
        "fact bullets not grounded": report.checks_failed, "lint errors": report.lint_errors,
        "dropped": len(report.dropped), "LLM requests sent": report.llm.sent,
        "LLM answers from cache": report.llm.cached, "tokens in": report.llm.tokens_in,
        "tokens out": report.llm.tokens_out, "cost (USD)": report.llm.cost_usd,
        **{f"time {stage} (s)": secs for stage, secs in report.stages.items()},
        "exit code": int(report.exit_code), "error": report.error,
    }
    table = [{"what": k, "value": str(v)} for k, v in summary.items()]
    pending.append(acreate_table_artifact(table, key=f"{key}-report", description="Run report"))
    await asyncio.gather(*pending)
