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

Nothing else changes: the flow run, its tasks, retries, caching and artifacts are Prefect's,
stored in PREFECT_HOME's database as before. A configured server (PREFECT_API_URL or the
active profile) is used as it is, and with ephemeral mode disabled Prefect's own error
stands. The server is stopped when the run ends, whatever way it ends.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO, Any

from aidaily.errors import AidailyError

#: Settings of the run's server process: no telemetry (a nightly job has no business
#: phoning Prefect, and on a new PREFECT_HOME its heartbeat raced the run for the SQLite
#: file), no block types registered (the flow uses no blocks; registering them imports
#: every integration Prefect ships, apprise included, ~1 s on a new home).
SERVER_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
    "PREFECT_SERVER_UI_ENABLED": "false",
}


class PrefectServerError(AidailyError):
    """The run's Prefect server did not start."""


def server_app() -> Any:
    """uvicorn's factory for the run's server: Prefect's app, ephemeral (no UI, no
    background services). Imported in the server's process only."""
    # deferred: Prefect's server (FastAPI, its ORM, every route) is imported in the server's process
    # only, never in the run's
    from prefect.server.api.server import create_app

    return create_app(ephemeral=True, final=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RunServer:
    """One Prefect server process on 127.0.0.1, started at once, waited for on demand."""

    def __init__(self) -> None:
        self.port = _free_port()
        self.log: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - open while the server runs
        env = {**os.environ, **SERVER_ENV}
        env.pop("PREFECT_API_URL", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", f"{__name__}:server_app", "--host", "127.0.0.1",
             "--port", str(self.port), "--log-level", "error", "--lifespan", "on"],
            env=env, stdin=subprocess.DEVNULL, stdout=self.log, stderr=subprocess.STDOUT)

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
