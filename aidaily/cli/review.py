"""``aidaily review D``: what an editor must look at before publishing."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

import typer

from aidaily.cli.common import console, llm_line, parse_day, settings
from aidaily.cli.web import serve_web


def review(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help="The digest date, YYYY-MM-DD.", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    web: Annotated[bool, typer.Option("--web", help="Open the review page in a browser instead.")] = False,
    port: Annotated[int | None, typer.Option(help="Port for --web.")] = None,
) -> None:
    """Show the draft's lint findings, ungrounded fact bullets (with the nearest source
    sentence), dropped stories, failed sources, token use and cost, and the diff against
    the previous draft version. Exit 1 while anything blocks publishing."""
    day = parse_day(day)
    if web:
        serve_web(ctx, day=day, port=port)
        return
    # deferred: SQLAlchemy, python-frontmatter, PyYAML; `aidaily --help` loads typer alone
    from aidaily.review.report import build_review

    report = build_review(settings(ctx), date.fromisoformat(day))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        show(report)
    raise typer.Exit(report.exit_code)


def show(report) -> None:  # type: ignore[no-untyped-def]
    # deferred: rich; `aidaily --help` loads typer alone
    from rich.markup import escape
    from rich.panel import Panel
    from rich.table import Table

    out = console()
    if report.state == "missing":
        out.print(f"[red]no draft for {report.day}[/] (expected {escape(report.draft_path)}); run `aidaily run --date {report.day}`")
        return
    out.print(Panel.fit(f"[bold]{report.day}[/] · {escape(report.draft_path)} · state: {report.state}"))
    if report.lint:
        table = Table("line", "severity", "code", "message", title="Lint")
        for f in report.lint:
            style = "red" if f.severity == "error" else "yellow"
            table.add_row(str(f.line), f"[{style}]{f.severity}[/]", f.code, escape(f.message))
        out.print(table)
    if report.flags:
        table = Table("line", "bullet", "problem", "nearest source sentence", title="Grounding flags", show_lines=True)
        for flag in report.flags:
            table.add_row(str(flag.line), escape(flag.bullet), escape(flag.message), escape(flag.nearest or "—"))
        out.print(table)
    if report.restatements:
        table = Table("line", "text", "problem", "nearest source sentence", show_lines=True,
                      title="Title and summary: not in the sources of the items they restate")
        for flag in report.restatements:
            table.add_row(str(flag.line), escape(flag.bullet), escape(flag.message),
                          escape(flag.nearest or "—"))
        out.print(table)
    if report.weak_support:
        table = Table("line", "bullet", "supported only by", "item links", show_lines=True,
                      title="Weak merges: bullets only another article of the story supports")
        for flag in report.weak_support:
            table.add_row(str(flag.line), escape(flag.bullet), escape(flag.supported_by or "several articles together"),
                          escape(flag.url))
        out.print(table)
    for line in report.placeholders:
        out.print(f"[yellow]line {line}: placeholder left for the editor[/]")
    for url in report.unfetched_links:
        out.print(f"[yellow]link is not a fetched article:[/] {escape(url)}")
    if report.dropped:
        table = Table("story", "reason", title="Dropped stories")
        for d in report.dropped:
            table.add_row(escape(d.title or d.story_id), escape(d.reason))
        out.print(table)
    if report.left_out:
        table = Table("story", "why", title=f"Candidates the plan did not see ({len(report.left_out)})")
        for x in report.left_out:
            table.add_row(escape(x.title or x.story_id), escape(x.detail or x.reason))
        out.print(table)
    if report.not_ai:
        out.print(f"[dim]{report.not_ai} articles of the window judged not AI news[/]")
    if report.covered or report.follow_ups:
        table = Table("story", "ran before", "in", "as", "new facts", title="Memory: stories earlier issues ran")
        for e in [*report.covered, *report.follow_ups]:
            table.add_row(escape(e.title), e.earlier_day, escape(e.earlier_post or "—"), escape(e.earlier_title),
                          escape("、".join(e.new_facts)) if e.new_facts else "— left out")
        out.print(table)
    for failure in report.failed_sources:
        out.print(f"[red]source failed:[/] {escape(failure.source)}: {escape(failure.error)}")
    for notice in report.notices:
        out.print(f"[cyan]notice:[/] {escape(str(notice))}")
    if report.llm:
        out.print(llm_line(report.llm))
    if report.diff:
        # deferred: rich, pygments; `aidaily --help` loads typer alone
        from rich.syntax import Syntax

        out.print(Panel(Syntax(report.diff, "diff", word_wrap=True), title="Diff against the previous version"))
    blockers = report.blockers
    if blockers:
        out.print(f"[red bold]{len(blockers)} finding(s) block publishing[/]")
    else:
        out.print(f"[green bold]ready to publish[/]: aidaily publish {report.day}")


def register(app: typer.Typer) -> None:
    app.command("review")(review)
