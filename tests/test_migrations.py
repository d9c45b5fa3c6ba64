"""The schema's migrations on real SQLite files: a home made by the code before issue 11
(``fixtures/legacy_home``, made by aidaily b63267b) opens with every row and writes a full
draft; a database at revision 0001 (what issue 11's code made) gains the memory across
issues (0002) keeping every row, and remembers its published issue from its files; a
fresh home is made by the migrations; the migrations agree with the models; upgrades are
idempotent; a database newer than the code, or a failed upgrade, says to run ``aidaily
db upgrade``. (The same on PostgreSQL: ``test_store_postgres.py``.)
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect
from typer.testing import CliRunner

from aidaily.cli.app import app
from aidaily.errors import StoreError
from aidaily.store import migrate
from aidaily.store.db import Base, engine_for, import_tables, make_engine
from aidaily.store.store import Store

LEGACY = Path(__file__).parent / "fixtures" / "legacy_home"
DAY = "2026-01-19"
#: What the fixture's README says the old code left in it.
LEGACY_ROWS = {"sources": 3, "articles": 23, "fetch_attempts": 23, "runs": 2, "llm_calls": 23,
               "llm_cache": 23, "publications": 1}


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """A copy of the legacy home (never the fixture itself)."""
    home = tmp_path / "legacy"
    shutil.copytree(LEGACY, home)
    return home


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def legacy_columns() -> dict[str, list[str]]:
    """The columns the old code made, per table (later revisions may add columns)."""
    with sqlite3.connect(LEGACY / "aidaily.db") as db:
        return {table: [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
                for table in LEGACY_ROWS}


def all_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every aidaily table in the old code's columns, read with the
    standard library (no ORM between)."""
    columns = legacy_columns()
    with sqlite3.connect(path) as db:
        return {table: sorted(db.execute(f"SELECT {', '.join(columns[table])} FROM {table}").fetchall(),
                              key=repr)
                for table in LEGACY_ROWS}


def revision(path: Path) -> list[tuple[str]]:
    with sqlite3.connect(path) as db:
        return db.execute("SELECT version_num FROM alembic_version").fetchall()


def model_diffs(engine: Engine) -> list[Any]:
    """Alembic's autogenerate comparison of the database with the models (empty: agree)."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import_tables()
    with engine.connect() as connection:
        return list(compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                     Base.metadata))


def schema_of(engine: Engine) -> dict[str, Any]:
    """Tables as the database describes them: columns (type, nullability), key, indexes."""
    insp = inspect(engine)
    return {
        table: {
            "columns": [(c["name"], str(c["type"]), c["nullable"]) for c in insp.get_columns(table)],
            "pk": insp.get_pk_constraint(table)["constrained_columns"],
            "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"]))
                              for i in insp.get_indexes(table)),
            "unique": insp.get_unique_constraints(table),
            "foreign_keys": insp.get_foreign_keys(table),
        }
        for table in sorted(insp.get_table_names()) if table != "alembic_version"
    }


def test_head_names_the_newest_migration() -> None:
    assert migrate.HEAD == migrate.script_head()


def test_a_home_made_before_migrations_keeps_every_row(legacy: Path) -> None:
    db = legacy / "aidaily.db"
    before = all_rows(db)
    assert {table: len(rows) for table, rows in before.items()} == LEGACY_ROWS
    with sqlite3.connect(db) as conn:
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'alembic_version'").fetchall()

    store = Store(sqlite_url(db))
    assert revision(db) == [(migrate.HEAD,)]
    assert all_rows(db) == before
    assert len(store.known_urls()) == LEGACY_ROWS["articles"]
    fetch = store.last_run(date.fromisoformat(DAY), "fetch")
    assert fetch is not None and fetch["status"] == "ok" and fetch["finished"].tzinfo is not None
    assert model_diffs(engine_for(sqlite_url(db))) == []


def at_revision(path: Path, target: str) -> None:
    """Bring the SQLite database at ``path`` to revision ``target`` exactly (an older
    aidaily's schema), as that aidaily's ``migrate.upgrade`` would have."""
    from alembic import command

    engine = make_engine(sqlite_url(path))
    try:
        with engine.begin() as connection:
            if migrate.recorded_revision(connection) is None and migrate.BASELINE_TABLES <= set(
                    inspect(connection).get_table_names()):
                command.stamp(migrate.alembic_config(connection), migrate.BASELINE)
            command.upgrade(migrate.alembic_config(connection), target)
    finally:
        engine.dispose()


def test_a_database_at_0002_gains_the_call_subject_keeping_every_row(legacy: Path) -> None:
    """Revision 0003 adds ``llm_calls.subject`` (what a request was about, for ``aidaily
    llm export``) to a database the code before it made (at 0002): every row of every
    table stays, the old calls have no subject, and the models agree with the result."""
    db = legacy / "aidaily.db"
    before = all_rows(db)
    at_revision(db, "0002")
    with sqlite3.connect(db) as conn:
        calls_before = conn.execute("SELECT * FROM llm_calls ORDER BY id").fetchall()
        assert "subject" not in [r[1] for r in conn.execute("PRAGMA table_info(llm_calls)")]

    Store(sqlite_url(db))
    assert revision(db) == [("0003",)]
    assert all_rows(db) == before
    with sqlite3.connect(db) as conn:
        calls_after = conn.execute("SELECT * FROM llm_calls ORDER BY id").fetchall()
        names = [r[1] for r in conn.execute("PRAGMA table_info(llm_calls)")]
    assert len(calls_after) == len(calls_before) == LEGACY_ROWS["llm_calls"]
    at = names.index("subject")
    assert [r[:at] + r[at + 1:] for r in calls_after] == calls_before
    assert {r[at] for r in calls_after} == {None}
    assert model_diffs(engine_for(sqlite_url(db))) == []


def test_the_migrations_make_the_schema_the_old_code_made(legacy: Path, tmp_path: Path) -> None:
    """The baseline written out is what ``create_all`` made before: the same tables,
    types, nullability, keys and index names."""
    at_revision(tmp_path / "baseline.db", migrate.BASELINE)
    old = make_engine(sqlite_url(legacy / "aidaily.db"))
    new = make_engine(sqlite_url(tmp_path / "baseline.db"))
    try:
        assert schema_of(new) == schema_of(old)
    finally:
        old.dispose()
        new.dispose()


def test_a_database_at_0001_gains_the_memory_keeping_every_row(legacy: Path) -> None:
    """Revision 0002 adds ``issues`` / ``issue_stories`` to a database issue 11's code
    made (at 0001): no row of another table changes, the models agree with the result,
    and the published issue of the home is remembered from its post the first time a
    later date is selected."""
    from aidaily.config import load_settings
    from aidaily.pipeline.stages import select_stories

    db = legacy / "aidaily.db"
    before = all_rows(db)
    at_revision(db, "0001")
    assert revision(db) == [("0001",)] and all_rows(db) == before
    with sqlite3.connect(db) as conn:
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'issues'").fetchall()

    store = Store(sqlite_url(db))
    assert revision(db) == [(migrate.HEAD,)]
    assert all_rows(db) == before
    assert model_diffs(engine_for(sqlite_url(db))) == []
    assert store.issues(date(2026, 1, 1), date(2026, 2, 1)) == []  # new tables, empty

    settings = load_settings(legacy)
    select_stories(settings, date.fromisoformat(DAY) + timedelta(days=1), store)
    [issue] = store.issues(date(2026, 1, 1), date(2026, 2, 1))
    post = settings.post_path(date.fromisoformat(DAY)).read_text(encoding="utf-8")
    assert issue.state == "published" and issue.day == date.fromisoformat(DAY)
    assert len(issue.items) >= 4 and all(f"]({i.url})" in post for i in issue.items)
    assert any(i.articles for i in issue.items)  # the stored articles they stood for
    assert all_rows(db) == before  # remembering wrote only the new tables


def test_a_fresh_database_agrees_with_the_models(tmp_path: Path) -> None:
    engine = engine_for(sqlite_url(tmp_path / "fresh.db"))
    assert revision(tmp_path / "fresh.db") == [(migrate.HEAD,)]
    assert model_diffs(engine) == []


def test_upgrade_is_idempotent(legacy: Path) -> None:
    db = legacy / "aidaily.db"
    engine = make_engine(sqlite_url(db))
    try:
        first = migrate.upgrade(engine)
        schema = schema_of(engine)
        second = migrate.upgrade(engine)
        assert (first.before, first.after, first.legacy, first.created) == (None, migrate.HEAD, True, False)
        assert (second.before, second.after, second.changed) == (migrate.HEAD, migrate.HEAD, False)
        assert schema_of(engine) == schema and revision(db) == [(migrate.HEAD,)]
        assert {table: len(rows) for table, rows in all_rows(db).items()} == LEGACY_ROWS
    finally:
        engine.dispose()


def test_db_upgrade_and_current_on_a_fresh_home_and_a_legacy_one(home: Path, legacy: Path) -> None:
    runner = CliRunner()
    current = runner.invoke(app, ["--home", str(legacy), "db", "current"])
    assert current.exit_code == 1 and "run `aidaily db upgrade`" in current.output
    done = runner.invoke(app, ["--home", str(legacy), "db", "upgrade"])
    assert done.exit_code == 0, done.output
    assert "made before migrations kept" in done.output and f"now at revision {migrate.HEAD}" in done.output
    current = runner.invoke(app, ["--home", str(legacy), "db", "current"])
    assert current.exit_code == 0 and f": {migrate.HEAD} (head)" in current.output

    fresh = home / "new"
    done = runner.invoke(app, ["--home", str(fresh), "db", "upgrade"])
    assert done.exit_code == 0 and f"created at revision {migrate.HEAD}" in done.output, done.output
    again = runner.invoke(app, ["--home", str(fresh), "db", "upgrade"])
    assert again.exit_code == 0 and "nothing to do" in again.output
    assert revision(fresh / "aidaily.db") == [(migrate.HEAD,)]


def test_aidaily_write_makes_a_full_draft_from_the_legacy_home(legacy: Path) -> None:
    """``aidaily write --llm none`` on the old home: every stage reads what the old code
    stored (articles, runs, the model's cache) through today's code."""
    draft = legacy / "output" / "drafts" / f"{DAY}.md"
    old_draft = draft.read_text(encoding="utf-8")
    result = CliRunner().invoke(app, ["--home", str(legacy), "write", "--date", DAY, "--llm", "none"])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 2), result.output
    record = json.loads((legacy / "output" / "drafts" / f"{DAY}.review.json").read_text(encoding="utf-8"))
    assert record["mode"] == "extractive"
    assert record["counts"]["items"] >= 4 and record["counts"]["sections"] >= 2
    text = draft.read_text(encoding="utf-8")
    assert text != old_draft and text.startswith("---\n") and "##" in text
    assert revision(legacy / "aidaily.db") == [(migrate.HEAD,)]


def test_a_database_newer_than_the_code_says_what_to_do(tmp_path: Path) -> None:
    db = tmp_path / "newer.db"
    Store(sqlite_url(db))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    engine = make_engine(sqlite_url(db))
    try:
        with pytest.raises(StoreError, match="9999.*newer aidaily.*aidaily db upgrade"):
            migrate.ensure_head(engine)
    finally:
        engine.dispose()


#: The revision after the shipped head, as a later aidaily would add it.
NEXT = f"{int(migrate.HEAD) + 1:04d}"
NEXT_REVISION = '''"""A later revision (test only): articles get a note.

Revision ID: {next}
Revises: {head}
"""
import sqlalchemy as sa
from alembic import op

revision = "{next}"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("note", sa.Text(), nullable=True))
    {extra}


def downgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("note")
'''


def with_next_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str = "") -> None:
    """The shipped migrations plus revision ``NEXT``, as a later aidaily would have them."""
    scripts = tmp_path / "migrations"
    shutil.copytree(migrate.MIGRATIONS_DIR, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    (scripts / "versions" / f"v{NEXT}_note.py").write_text(
        NEXT_REVISION.format(extra=extra, next=NEXT, head=migrate.HEAD), encoding="utf-8")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", scripts)
    monkeypatch.setattr(migrate, "HEAD", NEXT)


def test_a_later_revision_upgrades_an_old_home_in_batch_mode_keeping_every_row(
        legacy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = legacy / "aidaily.db"
    before = all_rows(db)
    with_next_revision(tmp_path, monkeypatch)
    Store(sqlite_url(db))
    assert revision(db) == [(NEXT,)]
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(articles)")]
        conn.execute("ALTER TABLE articles DROP COLUMN note")  # to compare the rows as they were
    assert "note" in columns
    assert all_rows(db) == before


def test_a_failed_upgrade_says_to_run_aidaily_db_upgrade(
        legacy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with_next_revision(tmp_path, monkeypatch, extra='op.execute("SELECT no_such_column FROM articles")')
    db = legacy / "aidaily.db"
    before = all_rows(db)
    with pytest.raises(StoreError, match=rf"(?s)revision {NEXT}.*no_such_column.*run `aidaily db upgrade`"):
        Store(sqlite_url(db))
    # one transaction: the stamp and the half-done revision are rolled back
    with sqlite3.connect(db) as conn:
        assert not conn.execute("SELECT name FROM sqlite_master WHERE name = 'alembic_version'").fetchall()
        assert "note" not in [row[1] for row in conn.execute("PRAGMA table_info(articles)")]
    assert all_rows(db) == before
