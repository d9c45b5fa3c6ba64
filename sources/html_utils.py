"""Helpers shared by the source adapters: parsing, clean text, times, URLs, feeds.

Everything here is pure (text in, values out). The adapters in this package build on
these so that each site module only says *where* things are on its pages, not *how*
to turn markup into clean text.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, CData, Comment, NavigableString, Tag
from bs4.element import PageElement, PreformattedString

from aidaily.errors import ExtractError
from aidaily.models import FeedEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Pages larger than this are refused rather than parsed: the fetcher caps bodies too,
# but adapters are also fed files by hand (``aidaily extract``) and must stay cheap.
MAX_DOCUMENT_CHARS = 12_000_000
MAX_TAGS = 100_000
MAX_DEPTH = 512

# Elements that never carry article text.
NON_TEXT_TAGS = ("script", "style", "noscript", "iframe", "template", "svg", "form",
                 "button", "input", "select", "textarea", "object", "embed", "video", "audio")

# Elements after which text starts a new line when flattening a subtree.
BLOCK_TAGS = frozenset(
    ["address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "thead", "tfoot", "tr", "td", "th", "ul"]
)

# Query parameters that only track the reader and never change the page.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|spm|from|source|share_\w+|sharer?|fbclid|gclid|mc_\w+|ref|ref_src|"
    r"isappinstalled|scene|clicktime|enterid|wfr|wd|eqid|_hsenc|_hsmid|yclid)$",
    re.IGNORECASE,
)

# A tag-looking run of text; used as a last guard so markup never reaches Article.text.
_TAG_RE = re.compile(r"</?(?:[a-z][a-z0-9]*)(?:\s[^<>]*)?/?>", re.IGNORECASE)
_WS_RE = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009]+")
_ZERO_WIDTH_RE = re.compile(r"[\u200b\u2060\ufeff]")  # ZWJ kept: emoji sequences need it


# --------------------------------------------------------------------------- parsing
def make_soup(html: str | bytes, url: str = "") -> BeautifulSoup:
    """Parse HTML with lxml, refusing documents too large to be a page.

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
    # bs4's tree building slows down badly on hostile markup (tens of thousands of
    # unclosed tags); real pages have a few thousand tags and nest a few dozen deep.
    tags = html.count("<" if isinstance(html, str) else b"<")
    if tags > MAX_TAGS:
        raise ExtractError(f"{url or 'document'}: {tags} tags is more than any real page has "
                           f"({MAX_TAGS}); refusing to parse it")
    soup = BeautifulSoup(html, "lxml")
    depth = _max_depth(soup)
    if depth > MAX_DEPTH:
        raise ExtractError(f"{url or 'document'}: elements nested {depth} deep (more than "
                           f"{MAX_DEPTH}): not a page we can read")
    return soup


def _max_depth(root: Tag) -> int:
    """Deepest element nesting below ``root`` (iterative: no recursion limit)."""
    deepest = 0
    stack = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in el.contents if isinstance(child, Tag))
    return deepest


def looks_like_xml_feed(text: str) -> bool:
    """True when ``text`` starts like an RSS/Atom/RDF document rather than HTML."""
    head = text.lstrip("\ufeff \t\r\n")[:600].lower()
    if head.startswith("<?xml"):
        return "<html" not in head
    return head.startswith(("<rss", "<feed", "<rdf:rdf"))


def looks_like_html(text: str) -> bool:
    head = text.lstrip("\ufeff \t\r\n")[:600].lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<meta", "<!--"))


# ---------------------------------------------------------------------------- text
def normalize_space(text: str) -> str:
    """Collapse runs of spaces (incl. NBSP and ideographic space) and drop zero-widths."""
    return _WS_RE.sub(" ", _ZERO_WIDTH_RE.sub("", text)).strip()


def strip_markup(text: str) -> str:
    """Remove anything that still looks like a tag (a guard, not a parser)."""
    if "<" not in text:
        return text
    return _TAG_RE.sub("", text)


def remove_non_text(node: Tag) -> None:
    """Drop scripts, styles, forms, media and comments below ``node``, in place."""
    for el in node.find_all(NON_TEXT_TAGS):
        el.decompose()
    for comment in node.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()


def block_lines(node: Tag) -> list[str]:
    """The visible text of ``node`` as one line per block (paragraph, heading, item).

    Inline markup (links, spans, ``a.s_tag``) is joined without separators, which is
    right for Chinese text; whitespace inside a block collapses to one space; ``<br>``
    and block boundaries become line breaks; scripts, styles, media and comments are
    skipped. One iterative walk, no tree mutation: linear even on hostile nesting.
    """
    out: list[str] = []
    stack: list[tuple[PageElement, bool]] = [(node, False)]
    while stack:
        el, closing = stack.pop()
        if closing:
            out.append("\n")
        elif isinstance(el, NavigableString):
            if not isinstance(el, PreformattedString) or isinstance(el, CData):
                out.append(_WS_RE.sub(" ", el.replace("\n", " ")))
        elif isinstance(el, Tag):
            if el.name in NON_TEXT_TAGS:
                continue
            if el.name == "br":
                out.append("\n")
            elif el.name == "pre":
                out.append("\n" + el.get_text("") + "\n")
            else:
                if el.name in BLOCK_TAGS:
                    out.append("\n")
                    stack.append((el, True))
                stack.extend((child, False) for child in reversed(el.contents))
    lines = (normalize_space(strip_markup(line)) for line in "".join(out).split("\n"))
    return [line for line in lines if line]


def html_to_text(html: str) -> str:
    """Plain text (one line per block) of an HTML fragment, e.g. a feed description."""
    if not html or not html.strip():
        return ""
    if "<" not in html and "&" not in html:
        return normalize_space(html)
    soup = BeautifulSoup(html, "lxml")
    return "\n".join(block_lines(soup))


def text_of(node: Tag | None) -> str:
    """The normalised text of one small element (a title, a name); "" for None."""
    if node is None:
        return ""
    return normalize_space(strip_markup(node.get_text("")))


def first_text(soup: Tag, selectors: Iterable[str]) -> str:
    """The text of the first selector that matches a non-empty element."""
    for selector in selectors:
        for el in soup.select(selector):
            value = text_of(el)
            if value:
                return value
    return ""


def drop_label(value: str, *labels: str) -> str:
    """``"作者：问舟"`` → ``"问舟"``: strip a leading label and its colon."""
    value = value.strip()
    for label in labels:
        if value.startswith(label):
            value = value[len(label):]
            break
    return value.lstrip("：: ").strip()


def meta_content(soup: BeautifulSoup, *names: str) -> str:
    """The content of the first ``<meta name|property=…>`` among ``names``."""
    for name in names:
        el = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
        if el and el.get("content"):
            return normalize_space(str(el["content"]))
    return ""


# -------------------------------------------------------------------------- images
def image_urls(node: Tag, base_url: str, skip: Iterable[str] = ()) -> list[str]:
    """Image URLs below ``node``: lazy-load attributes first, placeholders skipped.

    ``skip`` holds substrings of URLs that are never content (placeholders, avatars,
    QR codes). Relative and protocol-relative URLs are made absolute; order kept,
    duplicates dropped.
    """
    skip = tuple(skip)
    seen: list[str] = []
    for img in node.find_all("img"):
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


# ---------------------------------------------------------------------------- URLs
def canonical_url(
    url: str,
    *,
    host: str | None = None,
    keep_query: bool = True,
    keep_fragment: bool = False,
) -> str:
    """The key an article is stored under: https, lower-case host, no tracking noise.

    ``host`` forces a host (``www.ithome.com`` for ``ithome.com``); ``keep_query=False``
    drops the whole query (sites whose article URLs never need one). Tracking parameters
    (utm_*, spm, fbclid, …) are always dropped; the fragment is dropped unless asked.
    """
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https", ""):
        scheme = "https"
    netloc = (host or parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443) and host is None:
        netloc = f"{netloc}:{parts.port}"
    query = ""
    if keep_query and parts.query:
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if not TRACKING_PARAMS.match(k)]
        query = urlencode(pairs)
    path = parts.path or "/"
    fragment = parts.fragment if keep_fragment else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


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
    a link are skipped (nothing to fetch).

    Raises:
        ExtractError: the text is not a feed (malformed XML with no entries).
    """
    import feedparser  # imported here: heavy, and only the feed paths need it

    if not text or not text.strip():
        raise ExtractError(f"{url}: empty feed")
    if len(text) > MAX_DOCUMENT_CHARS:
        raise ExtractError(f"{url}: feed of {len(text)} characters is too large to parse")
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
    entries: list[FeedEntry] = []
    for item in parsed.entries:
        link = (item.get("link") or "").strip()
        if not link:
            continue
        link = urljoin(url, link)
        if not link.startswith(("http://", "https://")):
            continue  # feedparser falls back to the guid (urn:…) when there is no link
        content_html = ""
        if item.get("content"):
            content_html = item.content[0].get("value", "") or ""
        summary = item.get("summary", "") or ""
        published = struct_to_datetime(item.get("published_parsed") or item.get("updated_parsed"))
        entries.append(FeedEntry(
            url=canonical(link) if canonical else link,
            title=normalize_space(html_to_text(item.get("title", "") or "")),
            source=source,
            published=published,
            summary=summary,
            content_html=content_html or summary,
        ))
    return entries
