"""``aidaily llm export``: a day's model answers as a replay file.

Any day run with a real model becomes a file that ``[llm] provider = "replay"`` answers
from (``aidaily.llm.replay``): recorded answers keyed by what each request was about,
so a prompt reworded later still finds them.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer

from aidaily.cli.common import parse_day
from aidaily.cli.common import settings as load_settings_for
from aidaily.errors import AidailyError

LLM_HELP = "The model's recorded answers: export a day's as a replay file ([llm] provider = \"replay\")."


def export_command(
    ctx: typer.Context,
    day: Annotated[str, typer.Option("--date", help="The digest date whose answers to export (YYYY-MM-DD).",
                                     callback=parse_day)],
    out: Annotated[Path | None, typer.Option("--out", help="The file to write (default: standard output).")] = None,
    how: Annotated[str, typer.Option("--how", help="How the answers were made, kept in the file "
                                     "(shown by `aidaily demo` and the run).")] = "",
) -> None:
    """Write the answers of DATE's call log (every validated answer of plan, write and
    finalize, the latest per request) as a replay file. Exit 1 when the call log has
    none for that day."""
    # deferred: aidaily.llm.replay; `aidaily --help` loads typer alone
    from aidaily.llm.replay import export_day

    made = {"when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}
    if how:
        made["how"] = how
    try:
        settings = load_settings_for(ctx)
        data = export_day(settings.database_url, date.fromisoformat(day), made=made)
        text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_name(out.name + ".part")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(out)  # never a half-written replay file
    except AidailyError as exc:
        typer.echo(f"error: {exc}", err=True)  # plain lines: a path is never wrapped
        raise typer.Exit(1) from None
    except OSError as exc:
        typer.echo(f"error: cannot write {out}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    if out is not None:
        typer.echo(f"{len(data['answers'])} answers of {day} written to {out}", err=True)


def register(app: typer.Typer) -> None:
    group = typer.Typer(name="llm", help=LLM_HELP, no_args_is_help=True, rich_markup_mode=None)
    group.command("export", help="Write a day's model answers as a replay file.")(export_command)
    app.add_typer(group, name="llm")
