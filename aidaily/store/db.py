"""The database: one SQLAlchemy declarative ``Base`` and the engine factory.

SQLite file by default (zero set-up), PostgreSQL by URL when several workers share it.
Tables are declared next to the concept they store (``store/tables.py`` for sources,
articles, fetch attempts and runs; ``llm/`` for the call log and cache;
``review/publish.py`` for publications) on this one ``Base``; the schema itself is made
and changed by the migrations (``migrate.py``), which ``engine_for`` applies when it
first opens a database. SQLAlchemy is heavy to import: only code that touches the
database imports this module.
"""

from __future__ import annotations

import importlib

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from aidaily.store.migrate import ensure_head


class Base(DeclarativeBase):
    """Declarative base of every aidaily table."""


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """A (cached) engine for ``url``, its database at the schema's head revision.

    The first call per database and process runs ``migrate.ensure_head`` (one query when
    the database is at head; see ``aidaily.store.migrate`` for new and older databases
    and for two processes opening a fresh one at once).

    Raises:
        StoreError: the database cannot be brought to head (the message says to run
            ``aidaily db upgrade``).
    """
    engine = _ENGINES.get(url)
    if engine is None:
        engine = make_engine(url)
        try:
            ensure_head(engine)
        except BaseException:
            engine.dispose()
            raise
        _ENGINES[url] = engine
    return engine


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


def make_engine(url: str) -> Engine:
    """A new engine for ``url`` (SQLite: WAL, a busy timeout, foreign keys), its
    database as it is: no migration (``aidaily db`` looks before it upgrades)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets readers go on while a run writes; a busy timeout makes two
            # processes wait for each other instead of failing. synchronous=NORMAL is
            # SQLite's advice for WAL: a commit no longer waits for an fsync (a run
            # commits ~50 times: fetched pages, every model answer logged from the event
            # loop), and the database stays consistent; only a power cut may lose the
            # last commits, which the next run of the date makes again.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


#: The modules that declare tables on ``Base`` (a name that does not exist is skipped:
#: the llm package keeps its tables in ``calllog`` / ``cache``, formerly in ``client``).
TABLE_MODULES = ("aidaily.store.tables", "aidaily.llm.calllog", "aidaily.llm.cache", "aidaily.llm.client",
                 "aidaily.review.publish")


def import_tables() -> None:
    """Import every module that declares tables, so that ``Base.metadata`` holds them all
    (for Alembic's autogenerate and its comparison with the migrations)."""
    for name in TABLE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
