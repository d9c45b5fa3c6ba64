"""Helpers shared by the CLI commands: settings from the global ``--home`` option,
and a rich console (imported lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from aidaily.config import Settings


def settings(ctx: typer.Context, **overrides: Any) -> Settings:
    """Settings for the home given by ``--home`` / ``AIDAILY_HOME``."""
    from aidaily.config import load_settings

    home = (ctx.obj or {}).get("home") if ctx is not None else None
    return load_settings(home, **overrides)


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)


def parse_day(value: str) -> str:
    """``YYYY-MM-DD`` checked, or a usage error that says what is wrong."""
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date of the form YYYY-MM-DD") from None


def tomorrow(timezone: str = "Asia/Shanghai") -> str:
    """Tomorrow in ``timezone``: the digest dated D is written on the night of D−1."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    return (datetime.now(ZoneInfo(timezone)).date() + timedelta(days=1)).isoformat()


class QuickExit:
    """End the process right after the exit handlers, without the interpreter's teardown.

    After a flow run the heap holds Prefect, pydantic, SQLAlchemy, openai and the day's
    data; tearing it down module by module takes about a second and achieves nothing
    (the OS reclaims memory and file descriptors; every file we write is written
    atomically and closed). ``arm()`` must be called before Prefect is imported: exit
    handlers run in reverse order of registration, so this one runs after Prefect's (its
    log and event flushes). It acts only once ``exit_with(code)`` has set the code, so
    an error on the way out still gets the normal exit and its traceback. Only the
    console entry point (``aidaily.cli.app.main``) allows it: a command invoked in-process
    (tests, an embedding program) must never end its host's process.
    """

    allowed = False
    code: int | None = None

    @classmethod
    def arm(cls) -> None:
        import atexit

        if cls.allowed:
            atexit.register(cls._end)

    @classmethod
    def exit_with(cls, code: int) -> typer.Exit:
        cls.code = code
        return typer.Exit(code)

    @classmethod
    def _end(cls) -> None:
        if cls.code is None:
            return
        import logging
        import os
        import sys

        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(cls.code)
