"""``aidaily fetch``: fetch, extract and store the articles of one digest date.

Exit status: 0 everything fetched, 2 partial failure (a source or an article failed; the
rest is stored), 1 nothing fetched at all or bad input.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from aidaily.cli.common import console, exit_after_run
from aidaily.cli.common import settings as load_settings_for
from aidaily.errors import AidailyError, ConfigError

if TYPE_CHECKING:
    from rich.progress import TaskID

    from aidaily.ingest.day import FetchReport, Progress


def parse_day(value: str | None, timezone: str = "Asia/Shanghai") -> date:
    """``--date`` as a date; raises ``ConfigError`` with a clear message when malformed."""
    # deferred: zoneinfo; `aidaily --help` loads typer alone
    from aidaily.stories.window import check_day, default_day

    if not value:
        return default_day(timezone)
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"--date must be a date like 2026-01-19, not {value!r}") from None
    try:
        return check_day(day)
    except ValueError as exc:
        raise ConfigError(f"--date: {exc}") from None


FETCH_HELP = (
    "Fetch the day's listings and article pages, extract them and store the articles. "
    "Reads every enabled source concurrently (or those named with --source), skips pages "
    "already in the store, archives every raw response, groups near-duplicates into stories "
    "and prints a per-source table with what could and could not be reached."
    "\n\nExit status 0: all fine; 2: some source or article failed; 1: nothing fetched or bad input."
)


def fetch(
    ctx: typer.Context,
    day: Annotated[str | None, typer.Option("--date", "-d", help="Digest date YYYY-MM-DD.",
                                               show_default="tomorrow, Asia/Shanghai")] = None,
    source: Annotated[list[str] | None, typer.Option(
        "--source", "-s", help="Only this source (repeatable); disabled sources may be named.")] = None,
    offline: Annotated[bool, typer.Option(
        "--offline", help="No network: re-extract from the raw-response archive alone.")] = False,
    record: Annotated[Path | None, typer.Option(
        "--record", help="Also save every response under DIR in the mirror layout (test fixtures); "
        "with --refetch to include pages already stored.", metavar="DIR")] = None,
    refetch: Annotated[bool, typer.Option(
        "--refetch", help="Read article pages again even when they are stored.")] = False,
) -> None:
    """Fetch, extract and store the articles of one digest date (see ``FETCH_HELP``)."""
    # deferred: SQLAlchemy; `aidaily --help` loads typer alone
    import asyncio

    from aidaily.pipeline.stages import fetch_and_group

    err = console(stderr=True)
    try:
        settings = load_settings_for(ctx)
        target = parse_day(day, settings.window.timezone)
        with _progress(err) as progress:
            report = asyncio.run(fetch_and_group(settings, target, sources=source, offline=offline,
                                           record_dir=record, progress=progress, refetch=refetch))
    except AidailyError as exc:
        err.print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    _print_report(report)
    exit_after_run(report.exit_code)


class _progress:
    """A rich progress display on stderr, one bar per source (nothing when not a terminal)."""

    def __init__(self, err) -> None:  # type: ignore[no-untyped-def]
        # deferred: rich; `aidaily --help` loads typer alone
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._bars = Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
                              TextColumn("{task.fields[stage]}"), TimeElapsedColumn(),
                              console=err, transient=True, disable=not err.is_terminal)
        self._tasks: dict[str, TaskID] = {}

    def __enter__(self) -> Progress:
        self._bars.start()
        return self._update

    def __exit__(self, *exc: object) -> None:
        self._bars.stop()

    def _update(self, event) -> None:  # type: ignore[no-untyped-def]
        task = self._tasks.get(event.source)
        if task is None:
            task = self._tasks[event.source] = self._bars.add_task(event.source, total=None, stage="")
        if event.stage == "done":
            total = self._bars.tasks[task].total or 1
            self._bars.update(task, completed=total, total=total, stage="done")
        else:
            self._bars.update(task, completed=event.done, total=event.total or None, stage=event.stage)


def _print_report(report: FetchReport) -> None:
    # deferred: rich; `aidaily --help` loads typer alone
    from rich.table import Table

    out = console()
    table = Table(title=f"aidaily fetch {report.day.isoformat()}" + (" (offline)" if report.offline else ""))
    for column in ("source", "listings", "items", "new", "updated", "known", "failed", "time"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for rep in report.sources.values():
        failed = len(rep.failed) + len(rep.listing_failed)
        table.add_row(
            rep.name if rep.reached else f"[red]{rep.name}[/]",
            f"{len(rep.listing_reached)}/{len(rep.listing_tried)}",
            str(rep.seen), str(rep.new), str(rep.updated), str(rep.known),
            f"[red]{failed}[/]" if failed else "0", f"{rep.seconds:.1f}s",
        )
    out.print(table)
    for rep in report.sources.values():
        _print_notes(out, rep)
    verdict = {0: "[green]ok[/]", 2: "[yellow]partial failure[/]", 1: "[red]nothing fetched[/]"}
    out.print(f"{report.stories} stories for {report.day.isoformat()}; {verdict[report.exit_code]} "
              f"in {report.seconds:.1f}s (run {report.run_id})")


def _print_notes(out, rep) -> None:  # type: ignore[no-untyped-def]
    """What a source could and could not reach, and why its articles failed."""
    lines = []
    if rep.backfill:
        lines.append("past date: backfill listings read too")
    lines += [f"not reached: {url} — {why}" for url, why in rep.listing_failed.items()]
    lines += [f"failed: {f.url} — {f.reason}" for f in rep.failed[:8]]
    if len(rep.failed) > 8:
        lines.append(f"… and {len(rep.failed) - 8} more failures (see `aidaily sources`)")
    if rep.out_of_window:
        lines.append(f"{rep.out_of_window} entries outside the date window not fetched")
    lines += rep.notes
    if lines:
        out.print(f"[bold]{rep.name}[/]", highlight=False)
        for line in lines:
            out.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("fetch", help=FETCH_HELP)(fetch)
