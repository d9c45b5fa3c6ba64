"""``aidaily run``: the whole pipeline for one date, as a Prefect flow run."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer

from aidaily.cli.common import QuickExit, console, parse_day, settings, tomorrow


def run(
    ctx: typer.Context,
    day: Annotated[
        str | None,
        typer.Option("--date", "-d", help="Digest date YYYY-MM-DD.", show_default="tomorrow in Asia/Shanghai"),
    ] = None,
    refetch: Annotated[bool, typer.Option("--refetch", help="Fetch article pages again even when stored.")] = False,
    rewrite: Annotated[bool, typer.Option("--rewrite", help="Write the draft again even when nothing changed.")] = False,
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
) -> None:
    """Fetch, select, plan, write and check one date end to end, leaving a draft in
    output/drafts/. Re-running a date reuses the stored articles and the archive and
    makes LLM calls only for what changed; a draft edited by hand is kept (the new draft
    becomes a new version); a published post is never touched.

    A re-run of a date where nothing changed is up to date and does nothing (see
    --skip-unchanged).

    Exit codes: 0 complete (or up to date), 2 draft written with source or LLM failures,
    1 no draft.
    """
    if llm not in ("auto", "none"):
        raise typer.BadParameter("--llm takes 'auto' or 'none'")
    conf = settings(ctx)
    target = parse_day(day) if day else tomorrow(conf.window.timezone)
    if llm == "auto" and not conf.llm.configured:
        console(stderr=True).print(
            "[yellow]notice:[/] no LLM configured (set OPENAI_API_KEY / OPENAI_BASE_URL): "
            "writing an extractive draft, not written by a model"
        )
    use_llm = llm != "none"
    if skip_unchanged and not (refetch or rewrite or offline):
        if _up_to_date(conf, target, use_llm, wait):
            raise typer.Exit(0)
        skip_unchanged = False  # just checked: the flow need not check again
    # A cold ephemeral Prefect server can take a while to start on a small machine, and
    # two runs (two dates) share its SQLite file: give both more patience than Prefect's.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_DATABASE_TIMEOUT", "60")
    QuickExit.arm()  # before Prefect is imported: see QuickExit
    import asyncio

    from flows.daily import daily_digest

    report = asyncio.run(
        daily_digest(
            date=target, refetch=refetch, rewrite=rewrite, offline=offline, llm=llm,
            home=str(conf.home.resolve()), lock_wait=wait, skip_unchanged=skip_unchanged,
        )
    )
    print_report(report)
    raise QuickExit.exit_with(report["exit_code"])


def _up_to_date(conf: Any, day: str, use_llm: bool, wait: float) -> bool:
    """Check (holding the date's lock) whether ``day`` is up to date; say so if it is."""
    import asyncio
    from datetime import date

    from aidaily.pipeline import uptodate
    from aidaily.pipeline.runlock import date_lock

    with date_lock(conf.locks_dir, day, wait=wait):  # before the store: a run may be creating it
        store = uptodate.open_runs(conf)
        verdict = asyncio.run(uptodate.check(conf, date.fromisoformat(day), use_llm, store=store))
        if not verdict.up_to_date:
            console(stderr=True).print(f"full run: {verdict.reason}", markup=False, highlight=False)
            return False
        report = {"day": day, "draft": verdict.draft, "up_to_date": True, "exit_code": 0}
        uptodate.record_unchanged(store, date.fromisoformat(day), verdict, report)
    finished = verdict.run["finished"] if verdict.run else None
    when = f" (finished {finished:%Y-%m-%d %H:%M} UTC)" if finished else ""
    out = console()
    out.print(f"up to date: {verdict.reason}{when}: the sources serve what they served then, and the "
              "stored articles, settings, prompts and code are the same.", markup=False, highlight=False)
    out.print(f"draft: {verdict.draft}", markup=False, highlight=False)
    out.print("(--no-skip-unchanged runs the flow anyway; --rewrite asks the model again)",
              markup=False, highlight=False)
    return True


def print_report(report: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    out = console()
    table = Table("source", "ok", "seen", "new", "failed", "seconds", title=f"Run {report['day']}")
    for name, s in report["sources"].items():
        ok = "[green]yes[/]" if s.get("ok") else "[red]no[/]"
        table.add_row(name, ok, str(s.get("seen", 0)), str(s.get("new", 0)), str(s.get("failed", 0)), f"{s.get('seconds', 0):.1f}")
    out.print(table)
    usage = report.get("usage") or {}
    summary = Table(show_header=False, title="Summary")
    for what, value in [
        ("draft", report.get("draft") or "—"),
        ("new version", report.get("draft_version") or "unchanged"),
        ("mode", report.get("mode") or "—"),
        ("articles / stories", f"{report['articles']} / {report['stories']}"),
        ("items / one-liners", f"{report['items']} / {report['briefs']}"),
        ("fact checks failed", report["checks_failed"]),
        ("lint errors", report["lint_errors"]),
        ("stories dropped", report["dropped"]),
        ("LLM calls", f"{usage.get('calls', 0)} ({usage.get('cached', usage.get('cached_calls', 0))} cached)"),
        ("tokens in / out", f"{usage.get('tokens_in', 0)} / {usage.get('tokens_out', 0)}"),
        ("cost", f"${float(usage.get('cost_usd', 0.0)):.4f}"),
        *((f"time {k}", f"{v:.1f} s") for k, v in report["stages"].items()),
    ]:
        summary.add_row(what, escape(str(value)))
    out.print(summary)
    for notice in report.get("notices", []):
        out.print(f"[cyan]notice:[/] {escape(notice)}")
    for failure in report.get("failed_sources", []):
        out.print(f"[red]source failed:[/] {escape(failure['source'])}: {escape(str(failure['error']))}")
    if report.get("error"):
        out.print(f"[red]error:[/] {escape(report['error'])}")


def register(app: typer.Typer) -> None:
    app.command("run")(run)
