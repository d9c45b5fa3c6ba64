"""The run's own Prefect server (``flows.ephemeral``) and its database
(``flows.prefect_database``): a new one is made from the dump of Prefect's migrated
database, which must be exactly what Prefect's migrations make, or migrated by a process
of its own; a database that cannot be made ends the run with the cause.

The happy path (a new PREFECT_HOME made, the flow run recorded in it) is every
``aidaily run`` of ``tests/test_flow.py``; here, the dump, the migrator and the failures.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from flows.prefect_database import (
    LEFT_TO_SERVER,
    MIGRATOR,
    SCHEMAS,
    SNAPSHOT_SWITCH,
    likely_new_database,
    new_sqlite_file,
    prefect_version,
    restore,
    schema_facts,
    snapshot_for,
)

pytestmark = [pytest.mark.prefect, pytest.mark.xdist_group("prefect")]

AIDAILY = Path(sys.executable).with_name("aidaily")


def prefect_env(prefect_home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AIDAILY_", "PREFECT_"))}
    env.update(PREFECT_HOME=str(prefect_home), PREFECT_LOGGING_LEVEL="WARNING", **extra)
    return env


def test_the_migrator_brings_a_new_prefect_database_to_prefects_head_revision(tmp_path: Path) -> None:
    """What the server's process would have done on start: every table, at the head
    revision of the installed Prefect's migrations. A database that exists is left to the
    server's start (exit ``LEFT_TO_SERVER``), untouched."""
    env = prefect_env(tmp_path / "prefect")
    argv = list(MIGRATOR)
    first = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    db_file = tmp_path / "prefect" / "prefect.db"
    with sqlite3.connect(db_file) as db:
        revisions = [row[0] for row in db.execute("SELECT version_num FROM alembic_version")]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert len(revisions) == 1
    assert {"flow", "flow_run", "task_run", "artifact", "deployment_version", "log"} <= tables
    # at the head: Prefect's own upgrade (what its server runs on start) finds nothing to do
    upgrade = [sys.executable, "-c", "import flows.prefect_database as m; m.migrate_database()"]
    subprocess.run(upgrade, env=env, capture_output=True, timeout=600, check=True)
    with sqlite3.connect(db_file) as db:
        assert [row[0] for row in db.execute("SELECT version_num FROM alembic_version")] == revisions
    made = db_file.read_bytes()
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert again.returncode == LEFT_TO_SERVER, again.stdout + again.stderr
    assert (tmp_path / "prefect" / "prefect.db").read_bytes() == made

    # The dump a new database is made from when this Prefect version has one: the very
    # schema and rows these migrations made (else a new database is migrated, as here).
    dump = snapshot_for(prefect_version(), {})
    if dump is not None:
        assert restore(dump, tmp_path / "from-dump.db") is True
        assert schema_facts(tmp_path / "from-dump.db") == schema_facts(db_file)


@pytest.mark.parametrize(("url", "new"), [
    ("sqlite+aiosqlite:///{tmp}/prefect.db", "prefect.db"),
    ("sqlite+aiosqlite:///{tmp}/made.db", None),
    ("sqlite+aiosqlite:///{tmp}/empty.db?mode=rwc", "empty.db"),
    ("sqlite+aiosqlite:///:memory:", None),
    ("sqlite+aiosqlite:///file::memory:?cache=shared", None),
    ("postgresql+asyncpg://u@localhost/prefect", None),
])
def test_only_a_sqlite_file_not_made_yet_is_migrated_apart(tmp_path: Path, url: str, new: str | None) -> None:
    (tmp_path / "made.db").write_bytes(b"SQLite format 3\x00")
    (tmp_path / "empty.db").write_bytes(b"")
    found = new_sqlite_file(url.format(tmp=tmp_path))
    assert found == (tmp_path / new if new else None)
    # the server's guess before Prefect is imported reads the same URL from the environment
    assert likely_new_database({"PREFECT_SERVER_DATABASE_CONNECTION_URL": url.format(tmp=tmp_path)}) is bool(new)


def test_without_a_url_the_guess_looks_for_prefect_db_in_prefect_home(tmp_path: Path) -> None:
    assert likely_new_database({"PREFECT_HOME": str(tmp_path)}) is True
    (tmp_path / "prefect.db").write_bytes(b"SQLite format 3\x00")
    assert likely_new_database({"PREFECT_HOME": str(tmp_path)}) is False
    assert likely_new_database({"PREFECT_HOME": str(tmp_path),
                                "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite:///{tmp_path}/other.db"}) is True


@pytest.mark.parametrize(("snapshot", "said"), [
    ("on", "Prefect's database could not be created at {db}: "),
    ("off", "Prefect's database could not be migrated: "),
])
def test_a_prefect_database_that_cannot_be_made_ends_the_run_with_the_cause(
        tmp_path: Path, snapshot: str, said: str) -> None:
    """The database's directory cannot exist (a file is in its way): the run says the
    server could not make its database, and why, in one message; exit code 1; no
    traceback; nothing fetched, no draft. Made from the dump or migrated alike."""
    if snapshot == "on" and snapshot_for(prefect_version(), {}) is None:
        said = "Prefect's database could not be migrated: "  # no dump for this version: migrated
    (tmp_path / "blocker").write_text("a file, not a directory", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    db = tmp_path / "blocker" / "prefect.db"
    env = prefect_env(tmp_path / "prefect", AIDAILY_HOME=str(home), AIDAILY_PREFECT_SNAPSHOT=snapshot,
                      PREFECT_SERVER_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{db}")
    proc = subprocess.run([str(AIDAILY), "run", "--date", "2026-01-19", "--offline", "--llm", "none"],
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "error: the run's Prefect server exited with code 3: " + said.format(db=db) in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (home / "output" / "drafts").exists() or not any((home / "output" / "drafts").iterdir())


def dump_of_one_table(tmp_path: Path) -> Path:
    dump = tmp_path / "dump.sql"
    dump.write_text("BEGIN TRANSACTION;\nCREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);\n"
                    "INSERT INTO \"alembic_version\" VALUES('head1');\nCOMMIT;\n", encoding="utf-8")
    return dump


def test_a_database_made_from_a_dump_is_whole_and_put_in_place(tmp_path: Path) -> None:
    target = tmp_path / "new" / "prefect.db"
    assert restore(dump_of_one_table(tmp_path), target) is True
    with sqlite3.connect(target) as db:
        assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [("head1",)]
    db.close()
    assert sorted(p.name for p in target.parent.iterdir()) == ["prefect.db"]  # nothing half-made left


def test_a_database_another_run_made_first_is_kept_and_an_empty_file_replaced(tmp_path: Path) -> None:
    dump = dump_of_one_table(tmp_path)
    theirs = tmp_path / "theirs.db"
    theirs.write_bytes(b"SQLite format 3\x00 made by the run beside")
    assert restore(dump, theirs) is False
    assert theirs.read_bytes() == b"SQLite format 3\x00 made by the run beside"
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert restore(dump, empty) is True
    assert schema_facts(empty)[1] == {"alembic_version": [("head1",)]}
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".sql" and p.is_file()) == ["empty.db", "theirs.db"]


def test_a_dump_that_fails_leaves_no_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("BEGIN TRANSACTION;\nCREATE TABLE t (x);\nTHIS IS NOT SQL;\nCOMMIT;\n", encoding="utf-8")
    with pytest.raises(sqlite3.Error):
        restore(bad, tmp_path / "db" / "prefect.db")
    assert list((tmp_path / "db").iterdir()) == []


@pytest.mark.parametrize("switch", ["off", "OFF", "0", "false", "no"])
def test_the_dump_can_be_switched_off_and_only_an_installed_version_s_is_used(switch: str) -> None:
    expected = sorted(SCHEMAS.glob("*.sql"))[0]  # a version with a dump, installed or not
    version = expected.stem
    assert snapshot_for(version, {}) == expected
    assert snapshot_for(version, {SNAPSHOT_SWITCH: switch}) is None
    assert snapshot_for(version, {SNAPSHOT_SWITCH: "on"}) == expected
    assert snapshot_for("0.0.0-not-prefect", {}) is None
