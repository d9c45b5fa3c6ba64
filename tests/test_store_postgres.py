"""The store on a real PostgreSQL server: what only PostgreSQL has to show.

The store's behaviour tests in ``test_store.py`` run on PostgreSQL too (its ``store``
fixture is parametrised over both back-ends); this module holds the PostgreSQL-only
checks. The cluster is the session's ``postgres`` fixture (``conftest.py``); each test
gets a database of its own. Skipped where PostgreSQL or psycopg is not installed.
"""

from __future__ import annotations

import pytest

from aidaily.store.store import Store
from tests.factories import new_postgres_database


@pytest.fixture
def store(postgres: str) -> Store:
    """A store on a fresh database of the test cluster."""
    return Store(new_postgres_database(postgres))


def test_every_table_is_created_on_postgres(store: Store) -> None:
    from sqlalchemy import inspect

    from aidaily.store.db import engine_for

    tables = set(inspect(engine_for(store.url)).get_table_names())
    assert {"articles", "sources", "fetch_attempts", "runs", "llm_calls", "llm_cache", "publications"} <= tables
