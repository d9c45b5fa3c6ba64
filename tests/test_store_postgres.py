"""The store on a real PostgreSQL server (the "several workers share it" set-up).

A throw-away cluster is created with the machine's ``initdb`` / ``pg_ctl`` (PostgreSQL's
own binaries, as root through the ``postgres`` user), listening on 127.0.0.1 at a free
port; each test gets a database of its own. The store's behaviour tests from
``test_store.py`` run again here unchanged, against ``postgresql+psycopg://``. Skipped
where PostgreSQL or psycopg is not installed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from aidaily.store.store import Store
from tests.test_store import (  # noqa: F401 - collected here again, with this module's ``store``
    test_articles_for_uses_the_day_window,
    test_changed_content_updates_the_row,
    test_last_run_and_the_content_hashes_of_a_window,
    test_naive_datetimes_are_read_as_beijing_time,
    test_round_trip_keeps_everything_and_times_are_aware_shanghai,
    test_runs_attempts_and_source_health,
    test_story_ids_and_known_urls,
)

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed")


def _pg_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


def _as_postgres(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as the postgres user."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def postgres() -> Iterator[str]:
    """``host:port`` of a running throw-away PostgreSQL cluster."""
    initdb, pg_ctl = _pg_bin("initdb"), _pg_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.skip("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    if os.geteuid() == 0 and (not shutil.which("runuser") or subprocess.run(["id", "postgres"], capture_output=True).returncode):
        pytest.skip("running as root without a postgres user to run the server as")
    # Not under pytest's tmp dir: that is private to root, and the server runs as postgres.
    root = Path(tempfile.mkdtemp(prefix="aidaily-pg-"))
    data, sockets = root / "data", root / "sock"
    sockets.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(sockets, "postgres")
    port = _free_port()
    try:
        subprocess.run(_as_postgres([initdb, "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]),
                       check=True, capture_output=True)
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"]),
                       check=True, capture_output=True, timeout=60)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(f"could not start PostgreSQL: {exc}")
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def store(postgres: str) -> Store:
    """A store on a fresh database of the test cluster."""
    name = f"aidaily_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"postgresql://postgres@{postgres}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return Store(f"postgresql+psycopg://postgres@{postgres}/{name}")


def test_every_table_is_created_on_postgres(store: Store) -> None:
    from sqlalchemy import inspect

    from aidaily.store.db import engine_for

    tables = set(inspect(engine_for(store.url)).get_table_names())
    assert {"articles", "sources", "fetch_attempts", "runs", "llm_calls", "llm_cache", "publications"} <= tables
