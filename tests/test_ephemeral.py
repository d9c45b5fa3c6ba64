"""The run's own Prefect server (``flows.ephemeral``): its database is migrated by a
process of its own, and a database that cannot be migrated ends the run with the cause.

The happy path (a new PREFECT_HOME migrated, the flow run recorded in it) is every
``aidaily run`` of ``tests/test_flow.py``; here, the migrator on its own and the failure.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from flows.ephemeral import LEFT_TO_SERVER, likely_new_database, new_sqlite_file

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
    argv = [sys.executable, "-c", "import flows.ephemeral as m; m.migrate_main()"]
    first = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert first.returncode == 0, first.stdout + first.stderr
    db_file = tmp_path / "prefect" / "prefect.db"
    with sqlite3.connect(db_file) as db:
        revisions = [row[0] for row in db.execute("SELECT version_num FROM alembic_version")]
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert len(revisions) == 1
    assert {"flow", "flow_run", "task_run", "artifact", "deployment_version", "log"} <= tables
    # at the head: Prefect's own upgrade (what its server runs on start) finds nothing to do
    upgrade = [sys.executable, "-c", "import flows.ephemeral as m; m.migrate_database()"]
    subprocess.run(upgrade, env=env, capture_output=True, timeout=600, check=True)
    with sqlite3.connect(db_file) as db:
        assert [row[0] for row in db.execute("SELECT version_num FROM alembic_version")] == revisions
    made = db_file.read_bytes()
    again = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert again.returncode == LEFT_TO_SERVER, again.stdout + again.stderr
    assert (tmp_path / "prefect" / "prefect.db").read_bytes() == made


@pytest.mark.parametrize(("url", "new"), [
    ("sqlite+aiosqlite:///{tmp}/prefect.db", True),
    ("sqlite+aiosqlite:///{tmp}/made.db", False),
    ("sqlite+aiosqlite:///{tmp}/empty.db?mode=rwc", True),
    ("sqlite+aiosqlite:///:memory:", False),
    ("sqlite+aiosqlite:///file::memory:?cache=shared", False),
    ("postgresql+asyncpg://u@localhost/prefect", False),
])
def test_only_a_sqlite_file_not_made_yet_is_migrated_apart(tmp_path: Path, url: str, new: bool) -> None:
    (tmp_path / "made.db").write_bytes(b"SQLite format 3\x00")
    (tmp_path / "empty.db").write_bytes(b"")
    found = new_sqlite_file(url.format(tmp=tmp_path))
    assert (found is not None) is new
    if new:
        assert found == Path(url.format(tmp=tmp_path).split(":///")[1].split("?")[0])
    # the server's guess before Prefect is imported reads the same URL from the environment
    assert likely_new_database({"PREFECT_SERVER_DATABASE_CONNECTION_URL": url.format(tmp=tmp_path)}) is new


def test_without_a_url_the_guess_looks_for_prefect_db_in_prefect_home(tmp_path: Path) -> None:
    assert likely_new_database({"PREFECT_HOME": str(tmp_path)}) is True
    (tmp_path / "prefect.db").write_bytes(b"SQLite format 3\x00")
    assert likely_new_database({"PREFECT_HOME": str(tmp_path)}) is False
    assert likely_new_database({"PREFECT_HOME": str(tmp_path),
                                "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite:///{tmp_path}/other.db"}) is True


def test_a_prefect_database_that_cannot_be_made_ends_the_run_with_the_cause(tmp_path: Path) -> None:
    """The database's directory cannot exist (a file is in its way): the run says the
    server could not migrate its database, and why, in one message; exit code 1; no
    traceback; nothing fetched, no draft."""
    (tmp_path / "blocker").write_text("a file, not a directory", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = prefect_env(tmp_path / "prefect", AIDAILY_HOME=str(home),
                      PREFECT_SERVER_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{tmp_path / 'blocker' / 'prefect.db'}")
    proc = subprocess.run([str(AIDAILY), "run", "--date", "2026-01-19", "--offline", "--llm", "none"],
                          env=env, capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "error: the run's Prefect server exited with code 3: Prefect's database could not be migrated: " \
        in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (home / "output" / "drafts").exists() or not any((home / "output" / "drafts").iterdir())
