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
