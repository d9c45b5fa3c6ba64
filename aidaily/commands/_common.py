"""Helpers shared by the CLI commands: settings from the global ``--home`` option,
and a rich console (imported lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    from aidaily.config import Settings


def settings(ctx: typer.Context, **overrides: Any) -> "Settings":
    """Settings for the home given by ``--home`` / ``AIDAILY_HOME``."""
    from aidaily.config import load_settings

    home = (ctx.obj or {}).get("home") if ctx is not None else None
    return load_settings(home, **overrides)


def console(stderr: bool = False) -> "Console":
    from rich.console import Console

    return Console(stderr=stderr, highlight=False)
