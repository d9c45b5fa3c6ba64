"""Shared pytest fixtures. Keep this file small: add a fixture here only when several test
modules need it, each with a docstring.

- ``hermetic_env`` (autouse): every test gets its own ``AIDAILY_HOME`` in ``tmp_path`` and no
  ``OPENAI_*`` / ``AIDAILY_*`` variables from the developer's shell, so no test reads or
  writes real state or reaches a real model.
- ``home``: that home directory (a ``Path``).
- ``mirror_server``: a ``tests.servers.MirrorServer`` on 127.0.0.1 serving an empty mirror
  directory (``server.root``) that the test fills with ``server.put(url, body, headers)``.
- ``aidaily``: runs ``aidaily ARGS`` through the console entry point in this process and
  returns a ``tests.factories.CliResult`` (exit code, stdout, stderr).
- ``postgres``: ``host:port`` of a throw-away PostgreSQL cluster on 127.0.0.1, one per test
  session (worker), for the store tests on PostgreSQL; skips where the server is missing.
  ``tests.factories.new_postgres_database(host)`` gives each test a fresh database on it.

Shared test data and builders live in ``tests/factories.py``, not here.

Hypothesis runs under the ``ci`` profile unless ``HYPOTHESIS_PROFILE`` names another:
derandomised (the same inputs on every run and every machine, so a submission's CI cannot
pass or fail by chance) and without an example database. ``HYPOTHESIS_PROFILE=explore``
draws new random inputs on every run (and keeps what fails in ``.hypothesis/``) to look
for new failures; every input found so is kept in its test as an ``@example``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES = TESTS_DIR / "fixtures"
if str(TESTS_DIR.parent) not in sys.path:  # ``import tests.servers`` from any working directory
    sys.path.insert(0, str(TESTS_DIR.parent))

from tests.factories import CliResult, cli_runner, postgres_cluster
from tests.servers import MirrorServer


hypothesis_settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
hypothesis_settings.register_profile("explore", print_blob=True)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(autouse=True)
def hermetic_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A private AIDAILY_HOME and a scrubbed environment for every test."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "AIDAILY_")):
            monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("AIDAILY_HOME", str(home))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """The test's AIDAILY_HOME (set by ``hermetic_env``)."""
    return tmp_path / "home"


@pytest.fixture
def mirror_server(tmp_path: Path) -> Iterator[MirrorServer]:
    """A mirror server on 127.0.0.1 serving ``tmp_path / "mirror"``."""
    with MirrorServer(tmp_path / "mirror") as server:
        yield server


@pytest.fixture
def aidaily(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """``aidaily ARGS`` through the console entry point (``tests.factories.cli_runner``)."""
    return cli_runner(monkeypatch, capsys)


@pytest.fixture(scope="session")
def postgres() -> Iterator[str]:
    """``host:port`` of a throw-away PostgreSQL cluster (started once: initdb is slow)."""
    with postgres_cluster() as host:
        yield host
