"""``aidaily publish D``: publish a reviewed draft."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from aidaily.cli.common import console, parse_day, settings


def publish(
    ctx: typer.Context,
    day: Annotated[str, typer.Argument(help="The digest date, YYYY-MM-DD.", show_default=False)],
    force: Annotated[
        bool,
        typer.Option("--force", help="Publish despite blocking findings or an earlier publication (recorded)."),
    ] = False,
    by: Annotated[str | None, typer.Option("--by", help="Who publishes (default: the login name).")] = None,
) -> None:
    """Publish the draft of D: refuses lint errors, ungrounded fact bullets and
    commentary placeholders unless --force; removes the draft marker; writes the post
    to the publish directory; records who published it and when; commits and pushes it
    when [publish] git_commit / git_push are on (exit 2 if that fails: the post and the
    commit stay); tells [notify] urls."""
    # deferred: SQLAlchemy, rich; `aidaily --help` loads typer alone
    from rich.markup import escape

    from aidaily.review.publish import publish_draft

    result = publish_draft(settings(ctx), date.fromisoformat(parse_day(day)), force=force, by=by)
    out = console()
    out.print(f"[green]published[/] {escape(str(result.path))}")
    if result.cover:
        out.print(f"[green]cover[/] {escape(str(result.cover))}")
    for notice in result.notices:
        out.print(f"[cyan]notice:[/] {escape(notice)}")
    if result.forced and result.overridden:
        out.print(f"[yellow]forced over {len(result.overridden)} finding(s); recorded[/]")
    if result.git is not None:
        style = "yellow" if result.git.error else "green"
        out.print(f"[{style}]{escape(result.git.describe())}[/]")
    for delivery in result.notified:
        style = "dim" if delivery.ok else "yellow"
        out.print(f"[{style}]{escape(delivery.describe())}[/]")
    raise typer.Exit(int(result.exit_code))


def register(app: typer.Typer) -> None:
    app.command("publish")(publish)
