"""The Prefect API of one ``aidaily run`` when no server is configured (the cron path).

Prefect's own ephemeral mode starts its server from inside the flow's first API call: the
run's process first imports the whole server (``prefect.server.api.server``: FastAPI, the
ORM, every route; 2–3 s) only to get the class that starts it, then starts a process that
imports it all again, migrates its database and registers block types, and waits for it:
all of it after the run's own imports, one after the other. Here the same server — Prefect's
public app factory ``create_app(ephemeral=True)`` (the UI and background services off, as
Prefect's ephemeral server has them) under uvicorn's command line, on the same
PREFECT_HOME and database — is started *first*, runs its start-up on the other core while
this process imports the flow, and the run talks to it as to any server (PREFECT_API_URL,
then ``refresh_global_settings_context``), so this process never imports the server.

Its database, on a new PREFECT_HOME, is made before the app is built
(``flows.prefect_database``): from the dump of what Prefect's own 116 Alembic migrations
make, kept per Prefect version (~10 ms instead of ~6 s, the longest part of the start);
for a version without one, by those migrations, in a process of their own started first
so that they run on one core while the server's imports run on the other.

Nothing else changes: the flow run, its tasks, retries, caching and artifacts are Prefect's,
stored in PREFECT_HOME's database as before. A configured server (PREFECT_API_URL or the
active profile) is used as it is, and with ephemeral mode disabled Prefect's own error
stands. The server is stopped when the run ends, whatever way it ends: at exit by the run,
and by itself when the run's process is gone without a word (a SIGKILL, the OOM killer),
as its end of a pipe the run holds open closes (``STOPS_WITH_RUN``).
"""

from __future__ import annotations

import atexit
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO, Any

from aidaily.errors import AidailyError
from flows.prefect_database import (
    LEFT_TO_SERVER,
    MIGRATOR,
    database_file,
    likely_new_database,
    prefect_version,
    restore,
    snapshot_for,
)

#: Settings of the run's server process: no telemetry (a nightly job has no business
#: phoning Prefect, and on a new PREFECT_HOME its heartbeat raced the run for the SQLite
#: file), no block types registered (the flow uses no blocks; registering them imports
#: every integration Prefect ships, apprise included, ~1 s on a new home).
#: A new database is made before the app is built (``server_app``).
SERVER_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
}

#: In the server's environment (set by ``RunServer``): its stdin is a pipe whose other end
#: only the run's process holds, so its end is the run's end, however the run ended.
STOPS_WITH_RUN = "AIDAILY_SERVER_STOPS_WITH_RUN"


def _stop_when_the_run_is_gone() -> None:
    """In the server's process: wait for the end of stdin (the run's process has gone and
    the kernel closed its end of the pipe: even a SIGKILL closes it) and stop the server as
    uvicorn stops on SIGTERM. Without it, a killed run left its server running for ever.

    ``os.read`` on the descriptor, not ``sys.stdin``: a daemon thread blocked inside the
    buffered reader holds its lock, and an exit while it waits (a failed migration's
    ``MIGRATION_FAILED``) then aborts the interpreter instead of exiting with the code."""
    while os.read(sys.stdin.fileno(), 65536):
        pass
    os.kill(os.getpid(), signal.SIGTERM)


#: The server process's exit code when its database could not be made or migrated.
MIGRATION_FAILED = 3


class PrefectServerError(AidailyError):
    """The run's Prefect server did not start."""


def server_app() -> Any:
    """uvicorn's factory for the run's server: Prefect's app, ephemeral (no UI, no
    background services). Imported in the server's process only.

    A new SQLite database is made first (``flows.prefect_database``): from the dump of
    what Prefect's migrations make, when there is one for the installed version (~10 ms
    instead of ~6 s of migrations); else by Prefect's own migrations in a process of their
    own, started before this one imports the server, so that the two run on two cores. A
    database that exists (a warm PREFECT_HOME: ``likely_new_database``) or is not a SQLite
    file is left to the app's start, as Prefect does it. Either way the app's start checks
    the head revision as Prefect's does, except after the migrator (it has just made it).
    A database that cannot be made ends this process (exit ``MIGRATION_FAILED``) with its
    error.
    """
    if os.environ.get(STOPS_WITH_RUN):
        threading.Thread(target=_stop_when_the_run_is_gone, name="stops-with-run", daemon=True).start()
    os.environ["PREFECT_SERVER_DATABASE_MIGRATE_ON_START"] = "true"  # Prefect's check, unless the migrator ran
    if likely_new_database(os.environ) and not made_from_snapshot():
        migrate_apart()
    # deferred: Prefect's server (FastAPI, its ORM, every route) is imported in the server's
    # process only, never in the run's
    from prefect.server.api.server import create_app

    return create_app(ephemeral=True, final=True)


def made_from_snapshot() -> bool:
    """Make a new database from the installed Prefect's dump; False when there is none
    (the migrator makes it then). True too when Prefect's settings say the database is
    not a new SQLite file after all: the app's start takes it, as Prefect does, and a
    migrator would only find the same and exit."""
    dump = snapshot_for(prefect_version(), os.environ)
    if dump is None:
        return False
    target = database_file()
    if target is None:
        return True
    try:
        restore(dump, target)
    except (OSError, sqlite3.Error) as exc:
        # Said in one line and the process ends (uvicorn would print this factory's
        # traceback); the run reports the server's output (``RunServer.wait_healthy``).
        print(f"Prefect's database could not be created at {target}: {exc}", file=sys.stderr, flush=True)
        raise SystemExit(MIGRATION_FAILED) from None
    return True


def migrate_apart() -> None:
    """Prefect's migrations in a process of their own (``migrate_main``) while this one
    imports the server; the app's start is told not to run them again."""
    migrator = subprocess.Popen(
        MIGRATOR, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    # deferred: Prefect's server, in the server's process only (while the migrator migrates)
    import prefect.server.api.server  # noqa: F401

    # stdout holds the migrator's one-line error; stderr what a library printed on its way
    # out (aiosqlite's thread after the failure), shown only when stdout says nothing
    output, noise = migrator.communicate()
    output = output.strip() or noise
    if migrator.returncode == LEFT_TO_SERVER:  # the guess was wrong: migrated on start after all
        return
    if migrator.returncode:
        said = output.decode("utf-8", "replace").strip()[-1500:]
        print(f"Prefect's database could not be migrated: {said}", file=sys.stderr, flush=True)
        raise SystemExit(MIGRATION_FAILED)
    os.environ["PREFECT_SERVER_DATABASE_MIGRATE_ON_START"] = "false"  # made just now
    from prefect.context import refresh_global_settings_context  # deferred: Prefect, server side only

    refresh_global_settings_context()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunServer:
    """One Prefect server process on 127.0.0.1, started at once, waited for on demand."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - open while the server runs
        env = {**os.environ, **SERVER_ENV, STOPS_WITH_RUN: "1"}
        env.pop("PREFECT_API_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", f"{__name__}:server_app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
            env=env, stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def wait_healthy(self, timeout: float) -> None:
        """Return once ``/api/health`` answers; PrefectServerError when the process ends or
        ``timeout`` seconds pass first."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise PrefectServerError(f"the run's Prefect server exited with code {self.process.returncode}: "
                                         f"{self.output()[-1500:]}")
            with suppress(OSError):
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            if time.monotonic() > deadline:
                raise PrefectServerError(
                    f"the run's Prefect server did not answer within {timeout:.0f} s "
                    "(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS)")
            time.sleep(0.05)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 5 s) and reap it."""
        if self.log.closed:  # stopped already
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.log.close()


@contextmanager
def prefect_api() -> Iterator[str | None]:
    """The Prefect API for the run inside: yields the URL of a server started for it, or
    None when a server is configured (or ephemeral mode is off: Prefect's error stands).

    Prefect's settings and the flow (``flows.daily``) are imported while the server starts.
    """
    if os.environ.get("PREFECT_API_URL") or os.environ.get("AIDAILY_EPHEMERAL_SERVER") == "prefect":
        yield None
        return
    server = RunServer()  # at once: it starts while Prefect's settings load
    # Stopped at exit, after Prefect's own exit handlers (registered later, run first)
    # have sent the run's last logs and events to it.
    atexit.register(server.stop)
    try:
        # deferred: Prefect loads here, while the run's server (started first, above) comes up on
        # the other CPU
        from prefect.context import refresh_global_settings_context
        from prefect.settings import get_current_settings

        current = get_current_settings()
        if current.api.url or not current.server.ephemeral.enabled:
            server.stop()  # a profile names a server, or ephemeral mode is off
            atexit.unregister(server.stop)
            yield None
            return
        os.environ["PREFECT_API_URL"] = server.api_url
        refresh_global_settings_context()
        try:
            import flows.daily  # noqa: F401 - the flow's imports, while the server starts

            server.wait_healthy(current.server.ephemeral.startup_timeout_seconds)
            yield server.api_url
        finally:
            os.environ.pop("PREFECT_API_URL", None)
            refresh_global_settings_context()
    except BaseException:
        server.stop()
        raise
