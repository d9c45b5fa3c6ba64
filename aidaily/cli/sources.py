"""``aidaily sources``: the configured sources and how they have been doing."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from aidaily.cli.common import console
from aidaily.cli.common import settings as load_settings_for
from aidaily.errors import AidailyError

SOURCES_HELP = (
    "List the sources (the three sites and every configured feed, enabled or not) with their "
    "health from the database: last success, items seen then, stored articles, recent failed "
    "attempts and the last error."
)


def sources_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
) -> None:
    """List the configured sources with their health (see ``SOURCES_HELP``)."""
    try:
        rows = _rows(load_settings_for(ctx))
    except AidailyError as exc:
        console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    _print_table(rows)


def _rows(settings) -> list[dict]:  # type: ignore[no-untyped-def]
    """One dict per configured source, health fields None when it never ran."""
    # deferred: SQLAlchemy; `aidaily --help` loads typer alone
    from aidaily.store.store import Store

    health = Store.from_settings(settings).source_health()
    rows = []
    for name, kind, url, enabled in _configured(settings):
        h = health.get(name)
        rows.append({
            "name": name, "kind": kind, "enabled": enabled, "url": url or (h.url if h else ""),
            "last_success": h.last_success.isoformat(timespec="seconds") if h and h.last_success else None,
            "last_yield": h.last_yield if h else None,
            "articles": h.articles if h else 0,
            "recent_attempts": h.recent_attempts if h else 0,
            "recent_failures": h.recent_failures if h else 0,
            "last_failure": h.last_failure.isoformat(timespec="seconds") if h and h.last_failure else None,
            "last_error": h.last_error if h else None,
        })
    return rows


def _configured(settings) -> list[tuple[str, str, str, bool]]:  # type: ignore[no-untyped-def]
    """(name, kind, url, enabled) of the three sites and the configured feeds."""
    # deferred: zoneinfo; `aidaily --help` loads typer alone
    from aidaily.stories.window import default_day

    out = []
    for name in ("ithome", "qbitai", "hubtoday"):
        toggle = settings.sources.get(name)
        out.append((name, "site", _site_url(name, default_day()), toggle is None or toggle.enabled))
    out += [(feed.name, "feed", feed.url, feed.enabled) for feed in settings.feeds]
    return out


def _site_url(name: str, day) -> str:  # type: ignore[no-untyped-def]
    try:
        # deferred: zoneinfo; `aidaily --help` loads typer alone
        from sources import site_source

        urls = site_source(name).listing_urls(day)
    except Exception:  # noqa: BLE001 - a listing of sources must not fail on one adapter
        return ""
    return urls[0] if urls else ""


def _print_table(rows: list[dict]) -> None:
    # deferred: rich; `aidaily --help` loads typer alone
    from rich.table import Table

    table = Table(title="aidaily sources")
    for column in ("source", "kind", "enabled", "last success", "yield", "articles", "recent failures",
                   "last error"):
        table.add_column(column, overflow="fold")
    for r in rows:
        failures = f"{r['recent_failures']}/{r['recent_attempts']}" if r["recent_attempts"] else "-"
        table.add_row(
            r["name"], r["kind"], "yes" if r["enabled"] else "[dim]no[/]", r["last_success"] or "never",
            "-" if r["last_yield"] is None else str(r["last_yield"]), str(r["articles"]),
            f"[red]{failures}[/]" if r["recent_failures"] else failures,
            (r["last_error"] or "")[:120],
        )
    console().print(table)
    for r in rows:
        console().print(f"  {r['name']}: {r['url']}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    app.command("sources", help=SOURCES_HELP)(sources_command)
