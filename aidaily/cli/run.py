"""``aidaily run``: the whole pipeline for one date, as a Prefect flow run."""

from __future__ import annotations

import json
import os
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from aidaily.cli.common import console, default_day, exit_after_run, parse_day, print_report, settings
from aidaily.pipeline.options import RunOptions

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.pipeline.report import RunReport


def run(
    ctx: typer.Context,
    day: Annotated[
        str | None,
        typer.Option("--date", "-d", help="Digest date YYYY-MM-DD.", show_default="tomorrow in Asia/Shanghai"),
    ] = None,
    refetch: Annotated[bool, typer.Option("--refetch", help="Fetch article pages again even when stored.")] = False,
    rewrite: Annotated[bool, typer.Option("--rewrite", help="Write the draft anew: ask the model again (no cached answers). A draft edited by hand stays current (see --replace-edited).")] = False,
    replace_edited: Annotated[
        bool, typer.Option("--replace-edited", help="Make the new draft current even over a draft "
                           "edited by hand (whose text is kept as a version).")
    ] = False,
    offline: Annotated[bool, typer.Option("--offline", help="Use only the archive: no network at all.")] = False,
    llm: Annotated[str, typer.Option("--llm", help="'auto' (the configured model) or 'none' (extractive).")] = "auto",
    wait: Annotated[
        float, typer.Option("--wait", help="Seconds to wait for another run of the same date (default: refuse).")
    ] = 0.0,
    skip_unchanged: Annotated[
        bool,
        typer.Option(
            "--skip-unchanged/--no-skip-unchanged",
            help="Do nothing when the date is up to date: its listings serve what they served at "
            "the last complete run, and the stored articles, settings, prompts and code are the "
            "same (checked in well under a second, without starting Prefect). Never with "
            "--refetch, --rewrite or --offline.",
        ),
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON on stdout "
                                          "(its 'llm' object: requests sent and cached, tokens, cost).")] = False,
) -> None:
    """Fetch, select, plan, write and check one date end to end, leaving a draft in
    output/drafts/. Re-running a date reuses the stored articles and the archive and
    makes LLM calls only for what changed; a draft edited by hand is kept (the new draft
    becomes a new version); a published post is never touched.

    A re-run of a date where nothing changed is up to date and does nothing (see
    --skip-unchanged).

    --rewrite asks the model again (no cached answers); --replace-edited makes the new
    draft current even over a draft edited by hand (whose text is kept as a version).

    Exit codes: 0 complete (or up to date), 2 draft written with source or LLM failures,
    1 no draft. Findings of the checks are for `aidaily review`.
    """
    if llm not in ("auto", "none"):
        raise typer.BadParameter("--llm takes 'auto' or 'none'")
    conf = settings(ctx)
    target = date.fromisoformat(parse_day(day) if day else default_day(conf.window.timezone))
    err = console(stderr=True)
    if llm == "auto" and not conf.llm.configured:
        err.print("[yellow]notice:[/] no LLM configured (set OPENAI_API_KEY / OPENAI_BASE_URL): "
                  "writing an extractive draft, not written by a model")
    options = RunOptions(refetch=refetch, rewrite=rewrite, offline=offline, use_llm=llm != "none",
                         replace_edited=replace_edited, skip_unchanged=skip_unchanged, lock_wait=wait)
    report = run_in_flow(conf, target, options)
    show_report(report, as_json)
    exit_after_run(report.exit_code)


def run_in_flow(conf: Settings, target: date, options: RunOptions) -> RunReport:
    """``target`` up to date (checked without Prefect), else one run of the daily-digest
    flow: what ``aidaily run`` and ``aidaily demo`` do."""
    if options.checks_unchanged:
        report = _up_to_date(conf, target, options)
        if report is not None:
            return report
        options.skip_unchanged = False  # just checked: the flow need not check again
    # A cold Prefect server can take a while to start on a small machine, and two runs
    # (two dates) share its SQLite file: give both more patience than Prefect's.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_DATABASE_TIMEOUT", "60")
    # deferred: asyncio; `aidaily --help` loads typer alone
    import asyncio

    # Prefect and the flow are imported here, not at start-up: `aidaily --help` and the
    # up-to-date check above must not pay for them.
    from flows.ephemeral import prefect_api

    with prefect_api():  # no server configured: one for this run, started before the imports
        # deferred: Prefect, datasketch (numpy, scipy), SQLAlchemy, Pillow; `aidaily --help` loads
        # typer alone
        from flows.daily import daily_digest

        return asyncio.run(daily_digest(
            date=target.isoformat(), refetch=options.refetch, rewrite=options.rewrite,
            offline=options.offline, llm="auto" if options.use_llm else "none", home=str(conf.home.resolve()),
            lock_wait=options.lock_wait, skip_unchanged=options.skip_unchanged,
            replace_edited=options.replace_edited,
        ))


def _up_to_date(conf: Settings, day: date, options: RunOptions) -> RunReport | None:
    """The report of an up-to-date ``day`` (checked under the date's lock, without
    Prefect), or None when a full run is needed (the reason goes to stderr)."""
    # deferred: SQLAlchemy; `aidaily --help` loads typer alone
    import asyncio

    from aidaily.pipeline.runlock import date_lock
    from aidaily.pipeline.stages import check_unchanged

    err = console(stderr=True)
    with date_lock(conf.locks_dir, day.isoformat(), wait=options.lock_wait,
                   on_wait=lambda message: err.print(message, markup=False, highlight=False)):
        verdict, report = asyncio.run(check_unchanged(conf, day, options.use_llm))
    if report is None:
        err.print(f"full run: {verdict.reason}", markup=False, highlight=False)
        return None
    finished = verdict.run["finished"] if verdict.run else None
    when = f" (finished {finished:%Y-%m-%d %H:%M} UTC)" if finished else ""
    report.notices = [
        f"up to date: {verdict.reason}{when}: the sources serve what they served then, and the "
        "stored articles, settings, prompts and code are the same.",
        "(--no-skip-unchanged runs the flow anyway; --rewrite asks the model again)",
    ]
    return report


def show_report(report: RunReport, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    elif report.up_to_date:
        out = console()
        for notice in report.notices:
            out.print(notice, markup=False, highlight=False)
        out.print(f"draft: {report.draft}", markup=False, highlight=False)
    else:
        print_report(report)


def register(app: typer.Typer) -> None:
    app.command("run")(run)
