"""The database: one SQLAlchemy declarative ``Base`` and the engine factory.

SQLite file by default (zero set-up), PostgreSQL by URL when several workers share it.
Tables are declared next to the concept they store (``store.py`` for sources, articles,
fetch attempts and runs; ``llm.py`` for the call log and cache) on this one ``Base``.
SQLAlchemy is heavy to import: only code that touches the database imports this module.
"""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker


class Base(DeclarativeBase):
    """Declarative base of every aidaily table."""


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """A (cached) engine for ``url``, with the tables created."""
    engine = _ENGINES.get(url)
    if engine is None:
        engine = _make_engine(url)
        _import_tables()
        _create_tables(engine)
        _ENGINES[url] = engine
    return engine


def _create_tables(engine: Engine) -> None:
    """Create the missing tables. Two processes starting on a fresh database (two dates
    run at once in a new home) can both find a table missing and both create it: the
    loser's error means the table is there now, so it looks again, once."""
    try:
        Base.metadata.create_all(engine)
    except DBAPIError:
        Base.metadata.create_all(engine)


def session_factory(url: str) -> sessionmaker[Session]:
    return sessionmaker(engine_for(url), expire_on_commit=False)


def _make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            # WAL lets readers go on while a run writes; a busy timeout makes two
            # processes wait for each other instead of failing.
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def _import_tables() -> None:
    """Import every module that declares tables so that ``create_all`` sees them."""
    import importlib

    for name in ("aidaily.store.store", "aidaily.llm.client", "aidaily.review.publish"):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
