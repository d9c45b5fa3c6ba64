"""``aidaily db upgrade`` / ``aidaily db current``: the database's schema revision.

Every command brings the database to the schema's head when it opens it; ``db upgrade``
does it on purpose and says what it did (an operator's step after installing a new
aidaily, or the fix an error message names); ``db current`` only looks.
"""

from __future__ import annotations

import typer

from aidaily.cli.common import console
from aidaily.cli.common import settings as load_settings_for
from aidaily.errors import AidailyError

DB_HELP = "The database's schema: bring it to this aidaily's revision (upgrade) or show it (current)."


def upgrade_command(ctx: typer.Context) -> None:
    """Bring the database to this aidaily's schema revision (a new one is created; one
    made before migrations keeps every row and is stamped at the baseline)."""
    # deferred: SQLAlchemy; `aidaily --help` loads typer alone
    from aidaily.store import migrate
    from aidaily.store.db import make_engine

    try:
        settings = load_settings_for(ctx)
        if settings.db_url is None:
            settings.home.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.database_url)
        try:
            result = migrate.upgrade(engine)
        finally:
            engine.dispose()
    except AidailyError as exc:
        console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    if not result.changed:
        typer.echo(f"{result.database}: at revision {result.after} (head), nothing to do")
    elif result.created:
        typer.echo(f"{result.database}: created at revision {result.after} (head)")
    elif result.legacy:
        typer.echo(f"{result.database}: tables made before migrations kept, stamped at the baseline "
                  f"{migrate.BASELINE}, now at revision {result.after} (head)")
    else:
        typer.echo(f"{result.database}: upgraded from revision {result.before} to {result.after} (head)")


def current_command(ctx: typer.Context) -> None:
    """Show the database's schema revision and this aidaily's; exit 1 unless they agree."""
    # deferred: SQLAlchemy; `aidaily --help` loads typer alone
    from aidaily.store import migrate
    from aidaily.store.db import make_engine

    try:
        settings = load_settings_for(ctx)
        engine = make_engine(settings.database_url)
        try:
            revision = migrate.current(engine)
        finally:
            engine.dispose()
        head = migrate.script_head()
    except AidailyError as exc:
        console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    if revision == head:
        state = "(head)"
    elif revision is None:
        state = f"(none recorded; this aidaily's head is {head}: run `aidaily db upgrade`)"
    else:
        state = f"(this aidaily's head is {head}: run `aidaily db upgrade`, or a newer aidaily)"
    typer.echo(f"{migrate.safe_url(settings.database_url)}: {revision or '-'} {state}")
    if revision != head:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    group = typer.Typer(name="db", help=DB_HELP, no_args_is_help=True, rich_markup_mode=None)
    group.command("upgrade", help="Bring the database to this aidaily's schema revision and say what changed.")(
        upgrade_command)
    group.command("current", help="Show the database's schema revision; exit 1 unless it is this aidaily's head.")(
        current_command)
    app.add_typer(group, name="db")
