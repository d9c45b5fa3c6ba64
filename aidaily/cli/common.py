"""Helpers shared by the CLI commands: settings from the global ``--home`` option,
and a rich console (imported lazily)."""

from __future__ import annotations

import gc
from datetime import date
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from aidaily.config import Settings
    from aidaily.llm.usage import LLMUsage
    from aidaily.pipeline.report import RunReport


def settings(ctx: typer.Context, **overrides: Any) -> Settings:
    """Settings for the home given by ``--home`` / ``AIDAILY_HOME``."""
    # deferred: pydantic; `aidaily --help` loads typer alone
    from aidaily.config import load_settings

    home = (ctx.obj or {}).get("home") if ctx is not None else None
    return load_settings(home, **overrides)


def exit_after_run(code: int) -> NoReturn:
    """End a command that ran the pipeline (``run``, ``write``, ``demo``, ``fetch``) with
    ``code``, without the interpreter's exit walking the whole heap.

    Everything such a run imported and made (Prefect, pydantic, SQLAlchemy, openai, numpy,
    scipy) lives until exit; the cyclic collector's passes over it during interpreter
    shutdown took 2–3 s (measured: a process that imported the flow, 2.2–3.0 s from its
    last statement to its exit, 0.15 s frozen). ``gc.freeze`` moves it all to the permanent
    generation, which those passes skip; exit handlers still run (Prefect's, which send the
    last logs, and the run's Prefect server's stop) and memory is the system's at exit.
    """
    gc.freeze()
    raise typer.Exit(code)


def console(stderr: bool = False) -> Console:
    # deferred: rich; `aidaily --help` loads typer alone
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def parse_day(value: str) -> str:
    """``YYYY-MM-DD`` checked (a date a digest can have: ``window.check_day``), or a usage
    error that says what is wrong."""
    # deferred: zoneinfo; `aidaily --help` loads typer alone
    from aidaily.stories.window import check_day

    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date of the form YYYY-MM-DD") from None
    try:
        return check_day(day).isoformat()
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def default_day(timezone: str = "Asia/Shanghai") -> str:
    """The default digest date (``aidaily.stories.window.default_day``) as text."""
    # deferred: zoneinfo; `aidaily --help` loads typer alone
    from aidaily.stories.window import default_day as day

    return day(timezone).isoformat()


def llm_line(usage: LLMUsage) -> str:
    """One line on a run's model use: requests sent apart from answers from the cache;
    tokens and cost are those of the requests sent."""
    replayed = f"{usage.replayed} replayed from a file (not sent), " if usage.replayed else ""
    return (f"LLM: {usage.sent} requests sent, {usage.cached} answered from cache, {replayed}"
            f"{usage.tokens_in} tokens in / {usage.tokens_out} out, ≈ ${usage.cost_usd:.4f}")


def print_report(report: RunReport) -> None:
    """A run's report (``aidaily run`` and ``aidaily write``) as tables on stdout."""
    # deferred: rich; `aidaily --help` loads typer alone
    from rich.markup import escape
    from rich.table import Table

    out = console()
    if report.sources:
        table = Table("source", "ok", "seen", "new", "failed", "seconds",
                      title=f"{report.kind.capitalize()} {report.day.isoformat()}")
        for name, s in report.sources.items():
            ok = "[green]yes[/]" if s.ok else "[red]no[/]"
            table.add_row(escape(name), ok, str(s.seen), str(s.new), str(s.failed), f"{s.seconds:.1f}")
        out.print(table)
    summary = Table(show_header=False, title="Summary")
    # In a narrow terminal the values fold onto more lines rather than end in "…": a
    # draft's path cut short is no path (and it is printed whole below the table too).
    summary.add_column(no_wrap=True)
    summary.add_column(overflow="fold")
    rows: list[tuple[str, object]] = [
        ("draft", report.draft or "—"),
        ("new version", report.draft_version or ("kept as a version" if report.kept_hand_edit else "—")),
        ("cover", report.cover or "—"),
        ("mode", report.mode or "—"),
        ("articles / stories", f"{report.articles} / {report.stories}"),
        ("sections / items / one-liners", f"{report.sections} / {report.items} / {report.briefs}"),
        ("fact bullets not grounded", f"{report.checks_failed} of {report.fact_bullets}"),
        ("links not fetched", report.unfetched_links),
        ("lint errors", report.lint_errors),
        ("stories dropped", len(report.dropped)),
        ("left out, run before / follow-ups", f"{len(report.covered)} / {len(report.follow_ups)}"),
        ("not shown to plan / not AI", f"{len(report.left_out)} / {report.not_ai}"),
        ("LLM requests sent / from cache", f"{report.llm.sent} / {report.llm.cached}"),
        *((("LLM answers replayed (not sent)", report.llm.replayed),) if report.llm.replayed else ()),
        ("tokens in / out (sent)", f"{report.llm.tokens_in} / {report.llm.tokens_out}"),
        ("cost", f"${report.llm.cost_usd:.4f}"),
        *((f"time {k}", f"{v:.1f} s") for k, v in report.stages.items()),
    ]
    for what, value in rows:
        summary.add_row(what, escape(str(value)))
    out.print(summary)
    if report.draft:  # whole, on one line however narrow the terminal: it is copied from here
        out.print(f"draft: {report.draft}", markup=False, soft_wrap=True)
    for notice in report.notices:
        out.print(f"[cyan]notice:[/] {escape(notice)}")
    for dropped in report.dropped:
        out.print(f"[yellow]dropped[/] {escape(dropped.title[:40])}: {escape(dropped.reason)}")
    for left in report.left_out:
        out.print(f"[dim]not shown to the plan:[/] {escape(left.title[:40])}: {escape(left.detail or left.reason)}")
    for story in report.covered:
        out.print(f"[dim]already covered:[/] {escape(story.line)}")
    for story in report.follow_ups:
        out.print(f"[cyan]follow-up:[/] {escape(story.line)}")
    for failure in report.failed_sources:
        out.print(f"[red]source failed:[/] {escape(failure.source)}: {escape(failure.error)}")
    if report.error:
        out.print(f"[red]error:[/] {escape(report.error)}")
    elif report.draft and (report.checks_failed or report.lint_errors or report.unfetched_links):
        out.print(f"[yellow]review:[/] `aidaily review {report.day.isoformat()}` lists what to fix before publishing")
