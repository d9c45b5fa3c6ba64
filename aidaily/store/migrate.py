"""Schema migrations: every database aidaily opens is brought to the schema's head.

The schema is made and changed by Alembic revisions in ``aidaily/store/migrations``
(shipped as package data), configured here in code: no ``alembic.ini`` at run time.
``db.engine_for`` calls ``ensure_head`` once per process and database:

- at head (the usual case) it costs one query, ``SELECT version_num FROM
  alembic_version``, compared with ``HEAD``; Alembic itself is not even imported;
- otherwise ``upgrade`` runs under a lock: a new database is created by the
  migrations; a database made before aidaily had migrations (its tables, no
  ``alembic_version``) keeps its tables and rows and is stamped at the baseline, then
  upgraded; a database newer than this code, or a failed upgrade, is a ``StoreError``
  that says to run ``aidaily db upgrade`` (which does the same on purpose and reports).

Two processes opening a fresh home at once must not both create the tables: on SQLite
they take a file lock next to the database file (``<file>.migrate.lock``), on
PostgreSQL a transaction-scoped advisory lock; the second one then finds the database
at head and does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from aidaily.errors import StoreError, write_failure

if TYPE_CHECKING:
    from alembic.config import Config

#: The newest revision in ``migrations/versions`` (``tests/test_migrations.py`` holds them
#: together): a database stamped with it needs nothing, without loading the scripts.
HEAD = "0003"
#: The revision that describes the schema ``create_all`` made before migrations.
BASELINE = "0001"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Every table of the baseline: a database holding any of them without
#: ``alembic_version`` was made by aidaily before migrations.
BASELINE_TABLES = frozenset(
    {"sources", "articles", "fetch_attempts", "runs", "llm_calls", "llm_cache", "publications"}
)
#: pg_advisory_xact_lock key of aidaily's migrations (any constant unique to aidaily).
PG_LOCK_KEY = 0x61696461696C79
LOCK_WAIT_S = 300.0  # a migration of a big table can take a while; then say who holds it
UPGRADE_HINT = "run `aidaily db upgrade`"


@dataclass(frozen=True)
class UpgradeResult:
    """What ``upgrade`` found and did."""

    database: str  # the URL without its password
    before: str | None  # the revision it was at (None: none recorded)
    after: str  # the revision it is at now
    legacy: bool = False  # tables made before migrations, adopted at the baseline
    created: bool = False  # no table before: made from scratch

    @property
    def changed(self) -> bool:
        return self.before != self.after


def safe_url(url: str) -> str:
    """The database URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a message helper must not fail
        return "<database>"


def recorded_revision(connection: Connection) -> str | None:
    """The revision in ``alembic_version`` (None when the table is missing or empty)."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _quick_revision(engine: Engine) -> str | None:
    """``recorded_revision`` in one query (the hot path); None on any error."""
    try:
        with engine.connect() as connection:
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no such table yet: the slow path looks properly
        return None


def ensure_head(engine: Engine) -> None:
    """Bring the database of ``engine`` to ``HEAD`` (one query when it is there already).

    Raises:
        StoreError: the database is newer than this code, or the upgrade failed.
    """
    if _quick_revision(engine) == HEAD:
        return
    upgrade(engine)


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration for aidaily's migrations, running on ``connection``."""
    # deferred: Alembic, pygments, only when this runs (`aidaily db`, `eval`, … load the module)
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def script_head() -> str:
    """The head revision of the migration scripts (loads them: not for the hot path)."""
    # deferred: Alembic, pygments, only when this runs (`aidaily db`, `eval`, … load the module)
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    if head is None:
        raise StoreError(f"no migrations in {MIGRATIONS_DIR}: the installation is incomplete")
    return head


def upgrade(engine: Engine) -> UpgradeResult:
    """Bring the database of ``engine`` to the head revision, under the migration lock.

    Raises:
        StoreError: the database is newer than this code, or the upgrade failed.
    """
    database = safe_url(engine.url.render_as_string(hide_password=False))
    try:
        with _migration_lock(engine), _transaction(engine) as connection:
            return _upgrade_locked(connection, database)
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - Alembic's and the driver's errors alike
        cause = write_failure(exc, engine.url.database if engine.dialect.name == "sqlite" else None)
        if cause is not None:  # not the schema's fault: say what is
            raise StoreError(f"cannot write the database {database}: {cause}") from exc
        raise StoreError(f"cannot bring the database {database} to schema revision {HEAD}: "
                         f"{type(exc).__name__}: {exc}; {UPGRADE_HINT} to retry") from exc


@contextmanager
def _transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction around the whole upgrade, DDL included: a failed revision leaves
    the database as it was (no half-copied table, no stamp).

    PostgreSQL's DDL is transactional as it is; a transaction-scoped advisory lock makes
    a second process wait, then find the database at head. SQLite's driver would commit
    DDL outside the transaction it opens (it begins one only before DML), so the
    connection is put in autocommit and the transaction is ours: ``BEGIN IMMEDIATE``
    (which also takes the write lock first) to ``COMMIT``.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_LOCK_KEY})
            yield connection
        return
    with engine.connect() as plain:
        connection = plain.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.exec_driver_sql("ROLLBACK")
            raise
        connection.exec_driver_sql("COMMIT")


def _upgrade_locked(connection: Connection, database: str) -> UpgradeResult:
    # deferred: Alembic, pygments, only when this runs (`aidaily db`, `eval`, … load the module)
    from alembic import command
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    config = alembic_config(connection)
    scripts = ScriptDirectory.from_config(config)
    head = scripts.get_current_head()
    if head is None:
        raise StoreError(f"no migrations in {MIGRATIONS_DIR}: the installation is incomplete")
    before = recorded_revision(connection)
    if before is not None:
        try:
            scripts.get_revision(before)
        except CommandError:
            raise StoreError(
                f"the database {database} is at schema revision {before}, which this aidaily does "
                f"not know (it knows up to {head}): a newer aidaily upgraded it; install that "
                f"version, or restore a backup and {UPGRADE_HINT}"
            ) from None
    if before == head:
        return UpgradeResult(database, before, before)
    tables = set(inspect(connection).get_table_names())
    legacy = before is None and bool(tables & BASELINE_TABLES)
    if legacy and BASELINE_TABLES <= tables:
        # Made by create_all before migrations: the baseline describes exactly these
        # tables, so the database is at the baseline already. (An older home lacking
        # some of them runs the baseline instead, which creates only what is missing.)
        command.stamp(config, BASELINE)
    command.upgrade(config, "head")
    after = recorded_revision(connection)
    if after != head or after != HEAD:
        raise StoreError(f"the database {database} ended at revision {after}, not {head} "
                         f"(HEAD says {HEAD}): {UPGRADE_HINT}")
    return UpgradeResult(database, before, after, legacy=legacy, created=not tables)


def current(engine: Engine) -> str | None:
    """The revision the database of ``engine`` is at (None: none recorded)."""
    try:
        with engine.connect() as connection:
            return recorded_revision(connection)
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot read the schema revision of {safe_url(str(engine.url))}: {exc}") from exc


@contextmanager
def _migration_lock(engine: Engine) -> Iterator[None]:
    """A file lock next to an SQLite file; nothing elsewhere (PostgreSQL locks in SQL,
    an in-memory SQLite database is this process's own)."""
    path = _sqlite_file(engine)
    if path is None:
        yield
        return
    # deferred: filelock, only when this runs (`aidaily db`, `eval`, … load the module)
    from filelock import FileLock, Timeout

    lock = FileLock(f"{path}.migrate.lock", timeout=LOCK_WAIT_S)
    try:
        lock.acquire()
    except Timeout:
        raise StoreError(f"another process has been migrating {path} for {LOCK_WAIT_S:.0f} s "
                         f"(lock {lock.lock_file}); wait for it, then {UPGRADE_HINT}") from None
    try:
        yield
    finally:
        lock.release()


def _sqlite_file(engine: Engine) -> Path | None:
    if engine.dialect.name != "sqlite":
        return None
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:") or engine.url.query.get("mode") == "memory":
        return None
    return Path(database)
