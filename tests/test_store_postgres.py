"""The store on a real PostgreSQL server: what only PostgreSQL has to show.

The store's behaviour tests in ``test_store.py`` run on PostgreSQL too (its ``store``
fixture is parametrised over both back-ends); this module holds the PostgreSQL-only
checks. The cluster is the session's ``postgres`` fixture (``conftest.py``); each test
gets a database of its own. Skipped where PostgreSQL or psycopg is not installed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aidaily.store.store import Store
from tests.factories import new_postgres_database, open_at_once

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")


@pytest.fixture
def store(postgres: str) -> Store:
    """A store on a fresh database of the test cluster."""
    return Store(new_postgres_database(postgres))


def test_every_table_is_created_on_postgres(store: Store) -> None:
    from sqlalchemy import inspect

    from aidaily.store.db import engine_for

    tables = set(inspect(engine_for(store.url)).get_table_names())
    assert {"articles", "sources", "fetch_attempts", "runs", "llm_calls", "llm_cache", "publications"} <= tables


LEGACY_SQL = Path(__file__).parent / "fixtures" / "legacy_home" / "schema_postgresql.sql"


def model_diffs(url: str) -> list[object]:
    """Alembic's autogenerate comparison of the database with the models (empty: agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from aidaily.store.db import Base, engine_for, import_tables

    import_tables()
    with engine_for(url).connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                     Base.metadata))


def test_a_fresh_postgres_database_is_at_head_and_agrees_with_the_models(store: Store) -> None:
    from sqlalchemy import text

    from aidaily.store.db import engine_for
    from aidaily.store.migrate import HEAD

    with engine_for(store.url).connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [HEAD]
    assert model_diffs(store.url) == []


def test_a_postgres_database_made_before_migrations_keeps_every_row(postgres: str) -> None:
    """The schema the old code's create_all made on PostgreSQL (``schema_postgresql.sql``),
    with rows in every table, opened by today's code."""
    from datetime import date

    from aidaily.store.migrate import HEAD

    url = new_postgres_database(postgres)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(LEGACY_SQL.read_text(encoding="utf-8"))
        conn.execute("INSERT INTO sources VALUES ('ithome', 'site', 'https://www.ithome.com', now(), NULL, NULL, 26)")
        conn.execute("INSERT INTO articles VALUES ('https://www.ithome.com/0/1.htm', 'ithome', 't', '正文。', "
                     "'2026-01-18 02:00', 'Asia/Shanghai', '', '', '', '[]', '[]', '[]', '', true, 'h1', NULL, "
                     "now(), now())")
        conn.execute("INSERT INTO fetch_attempts (run_id, url, source, kind, status, error, duration, time) "
                     "VALUES ('r1', 'https://www.ithome.com/rss/', 'ithome', 'listing', 200, NULL, 0.5, now())")
        conn.execute("INSERT INTO runs VALUES ('r1', '2026-01-19', 'fetch', now(), now(), 'ok', '{}')")
        conn.execute("INSERT INTO llm_calls (run_id, step, model, prompt_hash, cache_key, tokens_in, tokens_out, "
                     "latency_s, cost_usd, outcome, error, created_at) "
                     "VALUES ('r1', 'plan', 'm', 'p', 'k', 10, 5, 1.0, 0.001, 'ok', NULL, now())")
        conn.execute("INSERT INTO llm_cache VALUES ('k', 'plan', 'm', '{}', 10, 5, now())")
        conn.execute("INSERT INTO publications (date, path, sha256, published_by, published_at, forced, overridden) "
                     "VALUES ('2026-01-19', 'output/ai-daily-2026-01-19.md', 's', 'me', now(), false, '[]')")
    tables = ("sources", "articles", "fetch_attempts", "runs", "llm_calls", "llm_cache", "publications")

    with psycopg.connect(plain) as conn:  # the old code's columns (later revisions add some)
        legacy = {t: [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
            "ORDER BY ordinal_position", (t,))] for t in tables}

    def rows() -> dict[str, list[tuple[object, ...]]]:
        with psycopg.connect(plain) as conn:
            return {t: sorted(conn.execute(f"SELECT {', '.join(legacy[t])} FROM {t}").fetchall(), key=repr)
                    for t in tables}

    before = rows()
    store = Store(url)
    assert rows() == before and all(len(r) == 1 for r in before.values())
    with psycopg.connect(plain) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
    assert store.known_urls() == {"https://www.ithome.com/0/1.htm": "h1"}
    assert store.last_run(date(2026, 1, 19), "fetch")["id"] == "r1"  # type: ignore[index]
    assert model_diffs(url) == []




def test_processes_opening_a_fresh_postgres_database_at_once_all_get_it_at_head(postgres: str) -> None:
    from aidaily.store.migrate import HEAD

    url = new_postgres_database(postgres)
    open_at_once(url)
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]
    assert sorted(Store(url).source_health()) == ["site0", "site1", "site2"]
