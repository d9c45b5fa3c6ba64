"""Source adapters, one module per site, behind ``sources.base.Source``.

``build_sources(settings)`` gives the enabled adapters for a run: the three cited sites
(``[sources.<name>] enabled``) plus one ``GenericFeedSource`` per enabled ``[[feeds]]``
entry. ``get_source(name, settings)`` finds one by name (for ``aidaily extract``).
"""

from __future__ import annotations

import importlib
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from aidaily.config import SHIPPED_FEEDS
from aidaily.errors import ConfigError
from sources.base import Listing, Source

if TYPE_CHECKING:
    from aidaily.config import Settings

SITE_NAMES = ("ithome", "qbitai", "hubtoday")

__all__ = ["SITE_NAMES", "Listing", "Source", "build_sources", "get_source", "is_past", "listing_urls_for",
           "load_adapters", "site_source"]


def is_past(day: date, timezone: str = "Asia/Shanghai") -> bool:
    """A digest date whose night has passed (the digest dated D is made on the night of D-1)."""
    return day <= datetime.now(ZoneInfo(timezone)).date()


def listing_urls_for(source: Source, day: date, timezone: str) -> tuple[list[str], bool]:
    """The listing URLs to read for ``day``, and whether backfill URLs are among them
    (a past date: the live feed has moved on, see ``Source.backfill_urls``)."""
    urls = list(source.listing_urls(day))
    extra = list(source.backfill_urls(day)) if is_past(day, timezone) else []
    return list(dict.fromkeys(urls + extra)), bool(extra)


def load_adapters() -> None:
    """Import every adapter module and the feed parser now: a long-lived process (a flow)
    pays these imports once, up front, instead of inside its first fetch. Light callers
    (the CLI, the up-to-date check) import only what they use, when they use it."""
    for name in (*SITE_NAMES, "generic"):
        importlib.import_module(f"sources.{name}")
    importlib.import_module("feedparser")


def site_source(name: str) -> Source:
    """A new adapter of one of the three cited sites.

    Raises:
        KeyError: ``name`` is not one of ``SITE_NAMES``.
    """
    if name == "ithome":
        # deferred: lxml, only when this runs (`aidaily fetch`, `prompt`, … load the module)
        from sources.ithome import IthomeSource

        return IthomeSource()
    if name == "qbitai":
        # deferred: lxml, only when this runs (`aidaily fetch`, `prompt`, … load the module)
        from sources.qbitai import QbitaiSource

        return QbitaiSource()
    if name == "hubtoday":
        # deferred: lxml, only when this runs (`aidaily fetch`, `prompt`, … load the module)
        from sources.hubtoday import HubtodaySource

        return HubtodaySource()
    raise KeyError(name)


def build_sources(settings: Settings) -> list[Source]:
    """The enabled adapters, site sources first, then configured feeds in file order."""
    # deferred: lxml, only when this runs (`aidaily fetch`, `prompt`, … load the module)
    from sources.generic import GenericFeedSource

    result: list[Source] = []
    for name in SITE_NAMES:
        toggle = settings.sources.get(name)
        if toggle is None or toggle.enabled:
            result.append(site_source(name))
    result.extend(GenericFeedSource(feed) for feed in settings.feeds if feed.enabled)
    return result


def get_source(name: str, settings: Settings | None = None) -> Source:
    """The adapter called ``name``, enabled or not (an operator may test a disabled feed).

    Raises:
        aidaily.errors.ConfigError: no site or configured feed has that name.
    """
    if name in SITE_NAMES:
        return site_source(name)
    feeds = settings.feeds if settings is not None else SHIPPED_FEEDS
    for feed in feeds:
        if feed.name == name:
            # deferred: lxml, only when this runs (`aidaily fetch`, `prompt`, … load the module)
            from sources.generic import GenericFeedSource

            return GenericFeedSource(feed)
    known = ", ".join([*SITE_NAMES, *(f.name for f in feeds)])
    raise ConfigError(f"unknown source {name!r} (known: {known})")
