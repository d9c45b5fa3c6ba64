"""The Prefect database of the run's own server (``flows.ephemeral``) on a new PREFECT_HOME.

Prefect makes its SQLite database by running its Alembic migrations: on 3.9.1, 116
revisions, 34,054 SQL statements, each handed through aiosqlite's thread — ~6 s of CPU on
every new PREFECT_HOME (a fresh container each night pays it every night), for a result
that is always the same: 235 tables and indexes and one row, the head revision.

So the result is kept. ``flows/prefect_schema/<version>.sql`` is the SQL dump
(``sqlite3.Connection.iterdump``) of the database Prefect's own migrations made, written by
``python -m flows.prefect_database capture`` for the installed version, and checked against
a fresh migration of it by ``tests/test_ephemeral.py``. A new SQLite database is made from
it when the installed Prefect is that very version (``importlib.metadata``, nothing of
Prefect imported): ~10 ms. It is made in a file of its own and then linked into place, so
a failure, or a second run starting at the same moment, never leaves a half-made
database. Prefect's server then starts as on any warm PREFECT_HOME, its migrate-on-start
included: it finds the head revision and has nothing to do. It is like restoring the
backup of an empty Prefect database.

For any other version — no dump for it — or with ``AIDAILY_PREFECT_SNAPSHOT=off``, the
migrations run as Prefect runs them, through its public database interface, in a process
of their own (``migrate_main``) while the server's process imports the server.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

#: The dumps of Prefect's migrated database, one per Prefect version.
SCHEMAS = Path(__file__).resolve().parent / "prefect_schema"
#: ``off``: a new database is always migrated (the dump is not used).
SNAPSHOT_SWITCH = "AIDAILY_PREFECT_SNAPSHOT"
#: The migrator's exit code for a database it leaves to the server's start.
LEFT_TO_SERVER = 10


def new_sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database ``url`` that does not exist yet (or is empty), else
    None: PostgreSQL, in memory, or a file already made."""
    if not url.startswith("sqlite") or ":///" not in url or "memory" in url:
        return None
    path = Path(url.split(":///", 1)[1].split("?", 1)[0])
    return None if path.exists() and path.stat().st_size else path


def likely_new_database(environ: Mapping[str, str]) -> bool:
    """A guess, before Prefect is imported, that its database is a SQLite file not made
    yet: the URL in the environment, else ``prefect.db`` in PREFECT_HOME (``~/.prefect``
    by default). It only decides whether the database is made apart (every warm start would
    otherwise pay a second import of Prefect's settings); ``database_file`` decides with
    Prefect's own settings, and either way the database ends at the head revision."""
    url = environ.get("PREFECT_SERVER_DATABASE_CONNECTION_URL") or environ.get("PREFECT_API_DATABASE_CONNECTION_URL")
    if url:
        return new_sqlite_file(url) is not None
    home = Path(environ.get("PREFECT_HOME") or "~/.prefect").expanduser()
    return new_sqlite_file(f"sqlite+aiosqlite:///{home / 'prefect.db'}") is not None


def database_file() -> Path | None:
    """The new SQLite file of Prefect's database by Prefect's own settings, else None."""
    from prefect.settings import get_current_settings  # deferred: Prefect, in the server's processes only

    url = get_current_settings().server.database.connection_url
    return None if url is None else new_sqlite_file(url.get_secret_value())


def prefect_version() -> str:
    return importlib.metadata.version("prefect")


def snapshot_for(version: str, environ: Mapping[str, str]) -> Path | None:
    """The dump of Prefect ``version``'s migrated database, when there is one and the
    operator has not switched it off."""
    if environ.get(SNAPSHOT_SWITCH, "").strip().lower() in {"off", "0", "false", "no"}:
        return None
    dump = SCHEMAS / f"{version}.sql"
    return dump if dump.is_file() else None


def restore(dump: Path, target: Path) -> bool:
    """Make the database ``target`` from ``dump``: in a file of its own in the same
    directory, linked into place only when whole. False when another process made it
    first (theirs is kept). OSError or sqlite3.Error when it cannot be made."""
    target.parent.mkdir(parents=True, exist_ok=True)
    script = dump.read_text(encoding="utf-8")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".making", dir=target.parent)
    os.close(handle)
    made = Path(name)
    try:
        with sqlite3.connect(made) as db:
            db.executescript(script)
        db.close()
        try:
            os.link(made, target)
        except FileExistsError:
            if target.stat().st_size:
                return False  # made by a run that started beside this one
            os.replace(made, target)  # an empty file (``new_sqlite_file``): ours replaces it
        return True
    finally:
        made.unlink(missing_ok=True)


def migrate_database() -> None:
    """Create or upgrade the Prefect database of the current settings to Prefect's head
    revision: Prefect's public database interface, the very call its server makes on
    start when ``PREFECT_SERVER_DATABASE_MIGRATE_ON_START`` is on."""
    # deferred: Prefect's database layer (its ORM, Alembic), in the migrator's process only
    from prefect.server.database import provide_database_interface

    asyncio.run(provide_database_interface().create_db())


#: The migrator process's command (``migrate_main``).
MIGRATOR = (sys.executable, "-c", "import flows.prefect_database as m; m.migrate_main()")


def migrate_main() -> None:
    """The migrator process: a new SQLite database is created and migrated here (exit 0);
    any other (one that exists: a warm PREFECT_HOME, PostgreSQL, in memory) is left to
    the server's own start (exit ``LEFT_TO_SERVER``, after Prefect's settings only:
    every night's warm start pays no second import of Prefect's database layer). A
    failure is one line on stdout (the error, not a traceback) and exit code 1."""
    if database_file() is None:
        raise SystemExit(LEFT_TO_SERVER)
    try:
        migrate_database()
    except Exception as exc:  # noqa: BLE001 - any failure is the server's to report
        print(f"{type(exc).__name__}: {exc}", flush=True)
        raise SystemExit(1) from None


def schema_facts(db_file: Path) -> tuple[list[tuple[str, ...]], dict[str, list[tuple[object, ...]]]]:
    """What a database is made of: every schema object (its SQL's lines, in sorted order)
    and every table's rows. Sorted lines because Prefect's migrations themselves are not
    byte-for-byte repeatable: Alembic's batch mode rebuilds a SQLite table with its
    foreign keys in an order that changes from one process to the next (a set's order),
    and SQLite's behaviour does not depend on that order."""
    with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as db:
        objects = sorted((kind, name, table, *sorted(line.strip().rstrip(",").strip() for line in sql.splitlines()))
                         for kind, name, table, sql in
                         db.execute("SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master"))
        rows = {name: sorted(db.execute(f'SELECT * FROM "{name}"'), key=repr)
                for kind, name, *_ in objects if kind == "table"}
    db.close()
    return objects, rows


def capture(version: str) -> Path:
    """Migrate a new database with the installed Prefect (``migrate_main`` in a process of
    its own, on a PREFECT_HOME of its own) and write its dump to ``SCHEMAS``."""
    with tempfile.TemporaryDirectory(prefix="aidaily-prefect-") as home:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
        env.update(PREFECT_HOME=home, PREFECT_SERVER_ANALYTICS_ENABLED="false")
        done = subprocess.run(MIGRATOR, env=env, capture_output=True, text=True, check=False)
        if done.returncode:
            raise SystemExit(f"error: Prefect {version} could not migrate a new database: "
                             f"{(done.stdout or done.stderr).strip()[-1500:]}")
        with sqlite3.connect(Path(home) / "prefect.db") as db:
            head = db.execute("SELECT version_num FROM alembic_version").fetchone()[0]
            dump = "\n".join(db.iterdump())
        db.close()
    SCHEMAS.mkdir(exist_ok=True)
    out = SCHEMAS / f"{version}.sql"
    out.write_text(f"-- Prefect {version}'s database as its migrations make it (Alembic head {head}).\n"
                   f"-- Written by `python -m flows.prefect_database capture`; see flows/prefect_database.py.\n"
                   f"{dump}\n", encoding="utf-8")
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flows.prefect_database",
        description="The dump a new PREFECT_HOME's database is made from (flows/prefect_schema/).")
    parser.add_argument("command", choices=["capture", "show"],
                        help="capture: migrate a new database with the installed Prefect and write its dump; "
                             "show: which dump a new database would be made from")
    args = parser.parse_args(argv)
    version = prefect_version()
    if args.command == "capture":
        print(f"Prefect {version}: migrating a new database (~6 s)…", file=sys.stderr, flush=True)
        print(capture(version))
        return 0
    dump = snapshot_for(version, os.environ)
    print(dump if dump else f"none for Prefect {version}: a new database is migrated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
