"""Helpers shared by the source adapters: pages, elements, times, feeds.

Everything here is pure (text in, values out). Pages are lxml.html trees
(``parse_page``), searched with CSS selectors through lxml's cssselect (``select``);
the text of elements comes from the one text toolkit, ``aidaily.text``. The adapters in
this package build on these so that each site module only says *where* things are on
its pages, not *how* to turn markup into clean text.
"""

from __future__ import annotations

import calendar
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime, time
from functools import lru_cache
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

import lxml.html
from lxml import etree
from cssselect import HTMLTranslator, parse
from lxml.html import HtmlElement

from aidaily.errors import ExtractError
from aidaily.models import FeedEntry
from sources.feed_xml import FeedItem, read_plain_rss
from aidaily.text import (
    NON_TEXT_TAGS,
    block_lines,
    canonical_url,
    html_to_text,
    normalize_space,
    strip_markup,
    visible_text,
)

__all__ = [
    "MAX_DOCUMENT_CHARS", "MAX_TAGS", "SHANGHAI", "HtmlElement", "at_local_time", "attached",
    "block_lines", "canonical_url", "classes", "drop", "drop_label", "elements_below",
    "first_ancestor", "first_text", "html_to_text", "image_urls", "looks_like_html",
    "feedparser_items", "looks_like_xml_feed", "meta_content", "normalize_space", "parse_feed",
    "parse_iso_datetime", "parse_local_datetime", "parse_page", "remove_non_text", "select",
    "select_any", "select_one", "strip_markup", "struct_to_datetime", "text_of",
]

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Pages larger than this are refused rather than parsed: the fetcher caps bodies too,
# but adapters are also fed files by hand (``aidaily extract``) and must stay cheap.
MAX_DOCUMENT_CHARS = 12_000_000
MAX_TAGS = 100_000


# --------------------------------------------------------------------------- parsing
def _check_document(html: str, url: str) -> None:
    """Refuse what is no page: empty, absurdly large, or with more tags than any page.

    Raises:
        ExtractError: the document is empty or absurdly large.
    """
    if not html or not html.strip():
        raise ExtractError(f"{url or 'document'}: empty document")
    if len(html) > MAX_DOCUMENT_CHARS:
        raise ExtractError(
            f"{url or 'document'}: document of {len(html)} characters is larger than "
            f"{MAX_DOCUMENT_CHARS}; refusing to parse it"
        )
    # Real pages have a few thousand tags; hostile markup with hundreds of thousands of
    # them is refused before any parser spends time on it.
    tags = html.count("<")
    if tags > MAX_TAGS:
        raise ExtractError(f"{url or 'document'}: {tags} tags is more than any real page has "
                           f"({MAX_TAGS}); refusing to parse it")


# One parser per thread (lxml parsers must not be shared between threads), reused: its
# error log tells whether libxml2 stopped at one of its limits.
_PARSERS = threading.local()


def _parser(encoding: str | None) -> etree.HTMLParser:
    parsers: dict[str | None, etree.HTMLParser] = _PARSERS.__dict__.setdefault("all", {})
    if encoding not in parsers:
        parser = etree.HTMLParser(encoding=encoding)
        # lxml.html's elements, chosen in C: lxml.html's own lookup calls Python for every
        # element touched (to give forms and inputs their classes, which no adapter uses).
        parser.set_element_class_lookup(etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement, comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction, entity=lxml.html.HtmlEntity))
        parsers[encoding] = parser
    return parsers[encoding]


def parse_page(html: str, url: str = "") -> HtmlElement:
    """Parse a page with lxml.html; returns its ``<html>`` element.

    A text with an XML encoding declaration (which lxml refuses as text) is parsed from
    its UTF-8 bytes.

    Raises:
        ExtractError: the document is empty, absurdly large, or nested deeper than
            libxml2 reads (it stops there, so the rest of the page would be lost).
    """
    _check_document(html, url)
    markup = html.removeprefix("\ufeff")
    try:
        parser = _parser(None)
        try:
            root = lxml.html.document_fromstring(markup, parser=parser)
        except ValueError:  # "Unicode strings with encoding declaration are not supported"
            parser = _parser("utf-8")
            root = lxml.html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except etree.LxmlError as exc:  # "Document is empty": no element at all
        raise ExtractError(f"{url or 'document'}: not an HTML page ({exc})") from exc
    for error in parser.error_log:
        if error.type_name == "ERR_RESOURCE_LIMIT":
            what = "elements nested" if "depth" in error.message else "a resource limit"
            raise ExtractError(f"{url or 'document'}: {what} beyond what the HTML parser "
                               f"reads ({error.message.strip()}): not a page we can read")
    # After a stray </html> (an ad snippet's), libxml2 starts a second <html> beside the
    # first: what it holds is still this page's content, so it joins the first.
    for extra in list(root.itersiblings()):
        if isinstance(extra.tag, str):
            root.extend(list(extra))
    return root


def looks_like_xml_feed(text: str) -> bool:
    """True when ``text`` starts like an RSS/Atom/RDF document rather than HTML."""
    head = text.lstrip("\ufeff \t\r\n")[:600].lower()
    if head.startswith("<?xml"):
        return "<html" not in head
    return head.startswith(("<rss", "<feed", "<rdf:rdf"))


def looks_like_html(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:600].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<meta", "<!--"))


# -------------------------------------------------------------------------- elements
@lru_cache(maxsize=256)
def _compiled(selector: str, whole_page: bool) -> etree.XPath:
    """``selector`` as one XPath (cssselect's translation of each of its comma-separated
    parts), matching below the context element (or it too, for the whole page) and not
    inside a ``<template>``, whose contents are not part of the document."""
    translator = HTMLTranslator()
    prefix = "descendant-or-self::" if whole_page else "descendant::"
    parts = [translator.selector_to_xpath(part, prefix=prefix) + "[not(ancestor::template)]"
             for part in parse(selector)]
    return etree.XPath(" | ".join(parts))


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """The elements below ``root`` that match the CSS ``selector``, in document order.

    The page's ``<html>`` element stands for the whole document: selectors from it may
    match it too (``html body .x``).

    Raises:
        cssselect.SelectorError: ``selector`` is not CSS that cssselect understands.
    """
    return _compiled(selector, root.getparent() is None)(root)  # type: ignore[no-any-return]


@lru_cache(maxsize=64)
def _any_of(names: frozenset[str], ids: frozenset[str], whole_page: bool) -> etree.XPath:
    tests = [f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')" for name in sorted(names)]
    tests += [f"@id = '{name}'" for name in sorted(ids)]
    axis = "descendant-or-self" if whole_page else "descendant"
    return etree.XPath(f"{axis}::*[{' or '.join(tests)}][not(ancestor::template)]")


def select_any(root: HtmlElement, classes: Iterable[str] = (), ids: Iterable[str] = ()) -> list[HtmlElement]:
    """What ``select(root, ".c1, .c2, #i1")`` finds, in one pass over the page instead of
    one per name (the furniture and sidebar lists of the adapters are long).

    Class names and ids are plain names (letters, digits, ``-`` and ``_``)."""
    names, id_names = frozenset(classes), frozenset(ids)
    if not all(re.fullmatch(r"[\w-]+", name) for name in names | id_names):
        raise ValueError(f"not a plain class name or id: {sorted(names | id_names)}")
    return _any_of(names, id_names, root.getparent() is None)(root)  # type: ignore[no-any-return]


def select_one(root: HtmlElement, selector: str) -> HtmlElement | None:
    return next(iter(select(root, selector)), None)


def classes(el: HtmlElement) -> list[str]:
    """The class names of ``el`` (case-sensitive, as CSS matches them on a page)."""
    value = el.get("class")
    return value.split() if value else []


def attached(el: HtmlElement, root: HtmlElement) -> bool:
    """True while ``el`` is still below ``root`` (not dropped with an ancestor)."""
    return any(parent is root for parent in el.iterancestors())


def drop(el: HtmlElement) -> None:
    """Remove ``el`` and everything below it; the text after it stays in place."""
    if el.getparent() is not None:
        el.drop_tree()


def text_of(node: HtmlElement | None) -> str:
    """The normalised text of one small element (a title, a name); "" for None."""
    if node is None:
        return ""
    return normalize_space(strip_markup(visible_text(node)))


def first_text(root: HtmlElement, selectors: Iterable[str]) -> str:
    """The text of the first CSS selector that matches a non-empty element."""
    for selector in selectors:
        for el in select(root, selector):
            value = text_of(el)
            if value:
                return value
    return ""


def first_ancestor(el: HtmlElement, match: Callable[[HtmlElement], bool]) -> HtmlElement | None:
    """The nearest element above ``el`` for which ``match`` is true."""
    return next((parent for parent in el.iterancestors() if match(parent)), None)


def elements_below(root: HtmlElement, *tags: str) -> Iterator[HtmlElement]:
    """The elements below ``root`` (of ``tags`` when given), in document order; comments
    and processing instructions are not elements."""
    for el in root.iterdescendants(*tags):
        if isinstance(el.tag, str):
            yield el


def remove_non_text(node: HtmlElement) -> None:
    """Drop scripts, styles, forms, media and comments below ``node``, in place."""
    for el in list(node.iterdescendants()):
        if not isinstance(el.tag, str) or el.tag in NON_TEXT_TAGS:
            drop(el)


def drop_label(value: str, *labels: str) -> str:
    """``"作者：问舟"`` → ``"问舟"``: strip a leading label and its colon."""
    value = value.strip()
    for label in labels:
        if value.startswith(label):
            value = value[len(label):]
            break
    return value.lstrip("：: ").strip()


def meta_content(page: HtmlElement, *names: str) -> str:
    """The content of the first ``<meta name|property=…>`` among ``names``."""
    metas = list(page.iter("meta"))
    for name in names:
        el = next((m for m in metas if m.get("property") == name), None)
        if el is None:
            el = next((m for m in metas if m.get("name") == name), None)
        if el is not None and el.get("content"):
            return normalize_space(str(el.get("content")))
    return ""


# -------------------------------------------------------------------------- images
def image_urls(node: HtmlElement, base_url: str, skip: Iterable[str] = ()) -> list[str]:
    """Image URLs below ``node``: lazy-load attributes first, placeholders skipped.

    ``skip`` holds substrings of URLs that are never content (placeholders, avatars,
    QR codes). Relative and protocol-relative URLs are made absolute; order kept,
    duplicates dropped.
    """
    skip = tuple(skip)
    seen: list[str] = []
    for img in node.iter("img"):
        for attr in ("data-original", "data-src", "data-lazy-src", "src"):
            raw = img.get(attr)
            if not raw or str(raw).startswith("data:"):
                continue
            absolute = urljoin(base_url, str(raw).strip())
            if any(s in absolute for s in skip):
                continue
            if absolute.startswith(("http://", "https://")) and absolute not in seen:
                seen.append(absolute)
            break
    return seen


# --------------------------------------------------------------------------- times
_DATETIME_RE = re.compile(
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T\u00a0]*(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)


def parse_local_datetime(text: str, tz: ZoneInfo = SHANGHAI) -> datetime | None:
    """Parse the first date(-time) in ``text`` written in local (Beijing) time.

    Accepts ``2026/1/18 7:20:46``, ``2026-01-18 07:20``, ``2026年1月18日``; a date
    without a time is midnight. Returns an aware datetime, or None when nothing
    parses (a wrong date such as 2026/2/30 is None too, not an exception).
    """
    if not text:
        return None
    match = _DATETIME_RE.search(text)
    if not match:
        return None
    g = match.groupdict()
    try:
        return datetime(
            int(g["y"]), int(g["m"]), int(g["d"]),
            int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0), tzinfo=tz,
        )
    except ValueError:
        return None


def parse_iso_datetime(text: str, tz: ZoneInfo = SHANGHAI) -> datetime | None:
    """ISO 8601 (``2026-01-18T07:20:46+08:00``) → aware, in ``tz``; naive means ``tz``."""
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return parse_local_datetime(text, tz)
    if value.tzinfo is None:
        return value.replace(tzinfo=tz)
    return value.astimezone(tz)


def at_local_time(day: date, hour: int = 8, tz: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=tz)


def struct_to_datetime(value, tz: ZoneInfo = SHANGHAI) -> datetime | None:
    """feedparser's ``*_parsed`` (a UTC struct_time) → aware datetime in ``tz``."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=UTC).astimezone(tz)
    except (OverflowError, ValueError, TypeError):
        return None


# --------------------------------------------------------------------------- feeds
def parse_feed(url: str, text: str, source: str, *, canonical=None) -> list[FeedEntry]:
    """Entries of an RSS 2.0 / Atom / RDF feed, with aware Asia/Shanghai times.

    ``canonical`` (url → url) normalises entry links for the source. Entries without
    a link are skipped (nothing to fetch). Plain RSS 2.0 is read with lxml
    (``sources.feed_xml``: the same fields, ~15× faster), everything else by feedparser.

    Raises:
        ExtractError: the text is not a feed (malformed XML with no entries).
    """
    if not text or not text.strip():
        raise ExtractError(f"{url}: empty feed")
    if len(text) > MAX_DOCUMENT_CHARS:
        raise ExtractError(f"{url}: feed of {len(text)} characters is too large to parse")
    items = read_plain_rss(text)
    if items is None:
        items = feedparser_items(url, text)
    entries: list[FeedEntry] = []
    for item in items:
        link = item.link
        if not link:
            continue
        link = urljoin(url, link)
        if not link.startswith(("http://", "https://")):
            continue  # feedparser falls back to the guid (urn:…) when there is no link
        entries.append(FeedEntry(
            url=canonical(link) if canonical else link,
            title=normalize_space(html_to_text(item.title)),
            source=source,
            published=item.published.astimezone(SHANGHAI) if item.published else None,
            summary=item.summary,
            content_html=item.content or item.summary,
        ))
    return entries


def feedparser_items(url: str, text: str) -> list[FeedItem]:
    """The items of any feed, as feedparser reads it (``FeedItem`` s; none when the
    feed has no entry with a link).

    Raises:
        ExtractError: the text is not a feed (malformed XML with no entries).
    """
    import feedparser  # imported here: heavy, and only the feed paths need it

    # feedparser would try to fetch a string that looks like a URL or a file name.
    parsed = feedparser.parse(text.lstrip("\ufeff"), sanitize_html=False,
                              resolve_relative_uris=False)
    # feedparser recovers what it can from broken XML; only entries with a link count.
    if not any(item.get("link") for item in parsed.entries):
        if parsed.bozo:
            reason = getattr(parsed, "bozo_exception", "unknown error")
            raise ExtractError(f"{url}: malformed feed, no entries could be read ({reason})")
        if not parsed.feed:
            raise ExtractError(f"{url}: not an RSS/Atom feed (no channel, no entries)")
        return []
    return [
        FeedItem(
            link=(item.get("link") or "").strip(),
            title=item.get("title", "") or "",
            summary=item.get("summary", "") or "",
            content=(item.content[0].get("value", "") or "") if item.get("content") else "",
            published=struct_to_datetime(item.get("published_parsed") or item.get("updated_parsed")),
        )
        for item in parsed.entries
    ]
