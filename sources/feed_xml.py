"""Plain RSS 2.0 read with lxml: the fast path of ``html_utils.parse_feed``.

feedparser reads every feed there is (broken XML, RSS 0.9x/1.0/2.0, Atom, forty date
formats) and is kept for all of them, but it is pure Python: IT之家's 300-item feed costs
it ~70 ms, on the critical path of every run (the pages of the day wait for it), where
lxml reads the same XML in ~5 ms. This module reads only the plain shape the sites serve:

* well-formed XML (no entity of a DTD used), ``<rss>`` → ``<channel>`` → ``<item>`` s;
* items whose children are all in :data:`KNOWN_CHILDREN`, the fields we read (title,
  link, description, content:encoded, pubDate, updated) at most once each (pubDate
  repeated with one value, as qbitai writes it), each one plain text (CDATA included);
* exactly one ``<link>``; dates in RFC 822 form with a numeric zone or GMT/UT/UTC/Z.

Anything else — an Atom element, a second title, a ``CST`` zone (feedparser reads it as
US Central), a link only in ``<guid>`` — returns None, and feedparser reads the feed as
before. What this reader returns is what feedparser gives for these fields, feedparser's
quirks included (an item without ``<description>`` has its content as summary; every
field is stripped): ``tests/test_feed_xml.py`` compares the two on every feed the tests
hold, ``benchmarks/feeds.py`` on the corpus's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from lxml import etree

__all__ = ["FeedItem", "KNOWN_CHILDREN", "read_plain_rss"]

CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_CREATOR = "{http://purl.org/dc/elements/1.1/}creator"

#: The fields read here: feedparser reads them the way this module does.
READ = ("title", "link", "description", CONTENT_ENCODED, "pubDate", "updated")
#: Item children feedparser takes none of those fields from (checked on the corpus feeds;
#: ``id`` is IT之家's, read by feedparser as a guid, which never replaces a ``<link>``).
KNOWN_CHILDREN = frozenset({*READ, "guid", "id", "category", "author", DC_CREATOR, "comments"})

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_RFC822 = re.compile(
    rf"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), )?\d{{1,2}} (?:{_MONTHS}) \d{{4}} "
    r"\d{2}:\d{2}(?::\d{2})? (?:[+-]\d{4}|GMT|UTC|UT|Z)"
)


@dataclass(frozen=True)
class FeedItem:
    """One item's fields as feedparser gives them (``published``: pubDate, else updated;
    aware)."""

    link: str
    title: str
    summary: str
    content: str
    published: datetime | None


class _NotPlain(Exception):
    """The feed is not the plain shape: feedparser reads it."""


def read_plain_rss(text: str) -> list[FeedItem] | None:
    """The items of a plain RSS 2.0 feed, or None when ``text`` is anything else (or
    has no item with a link: feedparser then says what it is)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, encoding="utf-8")
    try:
        # the text is decoded already: a declared encoding must not apply again
        root = etree.fromstring(text.lstrip("\ufeff").encode("utf-8"), parser=parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    # (a DOCTYPE's entities are not expanded: a use of one is markup, declined below)
    if root.tag != "rss":
        return None
    channel = root.find("channel")
    items = channel.findall("item") if channel is not None else []
    if sum(1 for _ in root.iter("item")) != len(items):
        return None  # items outside the (first) channel: feedparser's business
    try:
        read = [_item(item) for item in items]
    except _NotPlain:
        return None
    return read if any(item.link for item in read) else None


def _item(item: object) -> FeedItem:
    fields: dict[str, list[str]] = {}
    for child in item:  # type: ignore[attr-defined]
        tag = child.tag
        if not isinstance(tag, str):
            continue  # a comment or processing instruction
        if tag not in KNOWN_CHILDREN:
            raise _NotPlain(tag)
        if tag in READ:
            if len(child):
                raise _NotPlain(f"markup inside <{tag}>")
            fields.setdefault(tag, []).append((child.text or "").strip())
    link = _once(fields, "link")
    if link is None:
        raise _NotPlain("no <link>")  # feedparser may take the guid
    content = _once(fields, CONTENT_ENCODED)
    summary = _once(fields, "description")
    return FeedItem(
        link=link,
        title=_once(fields, "title") or "",
        summary=summary if summary is not None else (content or ""),
        content=content or "",
        published=_date(_once(fields, "pubDate", repeats=True)) or _date(_once(fields, "updated")),
    )


def _once(fields: dict[str, list[str]], tag: str, *, repeats: bool = False) -> str | None:
    """The one value of ``tag`` (None: absent); ``repeats``: the same value may come
    again (a different one is not plain)."""
    values = fields.get(tag)
    if not values:
        return None
    if len(values) > 1 and not (repeats and len(set(values)) == 1):
        raise _NotPlain(f"<{tag}> more than once")
    return values[0]


def _date(text: str | None) -> datetime | None:
    if not text:
        return None  # an empty <pubDate/>: feedparser has no date either
    if not _RFC822.fullmatch(text):
        raise _NotPlain(f"date {text!r}")
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        raise _NotPlain(f"date {text!r}") from None
    if moment.tzinfo is None:  # "-0000": a zone unknown (RFC 2822 §3.3)
        raise _NotPlain(f"date {text!r}")
    return moment
