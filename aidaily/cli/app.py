"""The ``aidaily`` command line: a thin dispatcher.

Each command lives in its own module under ``aidaily.cli`` and registers itself
on the app. Start-up stays fast because those modules import only typer at the top;
everything heavy (Prefect, openai, SQLAlchemy, httpx, …) is imported inside the
command that needs it. Library errors (``AidailyError``) become a one-line message and
exit code 1; set ``AIDAILY_RAISE_ERRORS=1`` for the traceback.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from aidaily.errors import AidailyError, describe_os_error

# Order is the order of ``aidaily --help``.
COMMAND_MODULES = [
    "run",
    "demo",
    "fetch",
    "write",
    "review",
    "publish",
    "serve",
    "web",
    "fmt",
    "lint",
    "sources",
    "extract",
    "prompt",
    "eval",
    "db",
    "llm",
]

app = typer.Typer(
    name="aidaily",
    help=(
        "aidaily writes the Chinese daily AI news digest (AI 日报): it fetches the day's "
        "articles, picks and groups the stories, has an LLM write the bullets and "
        "commentary, checks them against the sources, and leaves a dated draft for an "
        "editor to review and publish."
    ),
    no_args_is_help=True,
    add_completion=False,
    # Plain click help: rendering help with rich costs more than everything else at start-up.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home",
            envvar="AIDAILY_HOME",
            help="Directory holding all state: aidaily.toml, database, archive, drafts.",
            show_default="current directory",
        ),
    ] = None,
) -> None:
    ctx.obj = {"home": home}


for _name in COMMAND_MODULES:
    try:
        _module = importlib.import_module(f"aidaily.cli.{_name}")
    except ModuleNotFoundError as exc:  # a command still being built must not break the rest
        if exc.name != f"aidaily.cli.{_name}":
            raise
        continue
    _module.register(app)


def main() -> None:
    """Console entry point."""
    try:
        app()
    except AidailyError as exc:
        if os.environ.get("AIDAILY_RAISE_ERRORS"):
            raise
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except OSError as exc:  # a full disk, a read-only home: the cause, not a traceback
        if os.environ.get("AIDAILY_RAISE_ERRORS"):
            raise
        typer.echo(f"error: {describe_os_error(exc)}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
