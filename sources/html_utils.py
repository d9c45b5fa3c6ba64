"""Helpers shared by the source adapters: parsing, clean text, times, URLs, feeds.

Everything here is pure (text in, values out). The adapters in this package build on
these so that each site module only says *where* things are on its pages, not *how*
to turn markup into clean text.
"""

from __future__ import annotations

import calendar
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, CData, Comment, Tag
from bs4.builder import DetectsXMLParsedAsHTML
from bs4.element import PageElement, PreformattedString
from bs4.exceptions import ParserRejectedMarkup
from lxml import etree

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
def _check_document(html: str | bytes, url: str) -> None:
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
    # bs4's tree building slows down badly on hostile markup (tens of thousands of
    # unclosed tags); real pages have a few thousand tags and nest a few dozen deep.
    tags = html.count("<" if isinstance(html, str) else b"<")
    if tags > MAX_TAGS:
        raise ExtractError(f"{url or 'document'}: {tags} tags is more than any real page has "
                           f"({MAX_TAGS}); refusing to parse it")


def _check_depth(depth: int, url: str) -> None:
    if depth > MAX_DEPTH:
        raise ExtractError(f"{url or 'document'}: elements nested {depth} deep (more than "
                           f"{MAX_DEPTH}): not a page we can read")


def make_soup(html: str | bytes, url: str = "") -> BeautifulSoup:
    """Parse HTML with lxml, refusing documents too large to be a page.

    Raises:
        ExtractError: the document is empty or absurdly large.
    """
    _check_document(html, url)
    soup = BeautifulSoup(html, "lxml")
    _check_depth(_max_depth(soup), url)
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


# ------------------------------------------------------------------------ page tree
# The adapters of the cited sites read every page of the day, and building a
# BeautifulSoup tree was most of their cost. ``parse_page`` builds a lighter tree from
# the very events lxml hands to bs4 (same parser, same options), applying bs4's own
# rules as it goes (whitespace-only strings become one space or newline outside
# <pre>/<textarea>; text inside script/style/template/rt/rp is kept apart from page
# text), so the helpers of this module return on it exactly what they return on the
# soup of the same page. ``Element`` has the subset of bs4's ``Tag`` API they use.

_XML_NAMESPACE = "http://www.w3.org/XML/1998/namespace"  # the one prefix bs4 knows: xml
_ASCII_SPACES = " \n\t\x0c\r"
_PRESERVE_WHITESPACE = frozenset(["pre", "textarea"])
# bs4's Script/Stylesheet/TemplateString/RubyText strings: get_text() of other elements
# leaves them out, and get_text() of such an element gives only them.
_CONTAINER_TEXT: dict[str, type[str]] = {
    name: type(f"_{name.title()}Text", (str,), {"__slots__": ()})
    for name in ("rt", "rp", "style", "script", "template")
}
_SPECIAL_TAGS = _PRESERVE_WHITESPACE | _CONTAINER_TEXT.keys()
_CLASS_TOKENS = re.compile(r"\S+")  # how bs4 splits class="a  b"


class Element:
    """An element of a ``parse_page`` tree; ``contents`` holds Elements and strings.

    Every element of a page is also kept in one list in document order, so that the
    elements below one are a slice of it (the tree only ever loses elements).
    """

    __slots__ = ("_all", "_classes", "_end", "_start", "attrs", "contents", "decomposed", "name",
                 "parent")

    def __init__(self, name: str, attrs: dict[str, str], parent: Element | None,
                 everything: list[Element]) -> None:
        self.name = name
        self.attrs = attrs
        self.contents: list[Element | str] = []
        self.parent = parent
        self.decomposed = False
        self._all = everything
        self._start = len(everything)  # this element's index in ``_all`` (-1: the root)
        self._end = self._start + 1  # one past its last descendant, set when it closes
        self._classes: list[str] | None = None

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrs.get(key, default)

    def __getitem__(self, key: str) -> str:
        return self.attrs[key]

    @property
    def classes(self) -> list[str]:
        if self._classes is None:
            value = self.attrs.get("class")
            self._classes = _CLASS_TOKENS.findall(value) if value is not None else []
        return self._classes

    def descendants(self) -> Iterator[Element]:
        """The elements below this one, in document order."""
        for el in self._all[self._start + 1:self._end]:
            if not el.decomposed:
                yield el

    def find_all(self, name: str | Iterable[str] | None = None) -> list[Element]:
        if name is None:
            return list(self.descendants())
        names = (name,) if isinstance(name, str) else frozenset(name)
        return [el for el in self.descendants() if el.name in names]

    def find(self, name: str | Iterable[str] | None = None) -> Element | None:
        names = (name,) if isinstance(name, str) else frozenset(name or ())
        return next((el for el in self.descendants() if name is None or el.name in names), None)

    def first(self, match: Callable[[Element], bool]) -> Element | None:
        """The first element below this one for which ``match`` is true."""
        return next(filter(match, self.descendants()), None)

    def select(self, match: Callable[[Element], bool]) -> list[Element]:
        """The elements below for which ``match`` is true, where a CSS selector finds
        them (soupsieve): in document order, not inside a nested ``<template>``, whose
        contents are not part of the document."""
        found: list[Element] = []
        everything, at = self._all, self._start + 1
        while at < self._end:
            el = everything[at]
            at += 1
            if not el.decomposed:
                if match(el):
                    found.append(el)
                if el.name == "template":
                    at = el._end
        return found

    def find_parent(self, match: Callable[[Element], bool]) -> Element | None:
        parent = self.parent
        while parent is not None and not match(parent):
            parent = parent.parent
        return parent

    def find_next_siblings(self) -> list[Element]:
        if self.parent is None:
            return []
        siblings = self.parent.contents
        at = next(i for i, child in enumerate(siblings) if child is self)
        return [el for el in siblings[at + 1:] if isinstance(el, Element)]

    def get_text(self, separator: str = "") -> str:
        """bs4's ``get_text``: the strings below, of this element's string kind only."""
        kind = _CONTAINER_TEXT.get(self.name, str)
        out: list[str] = []
        stack: list[Element | str] = [self]
        while stack:
            el = stack.pop()
            if isinstance(el, Element):
                stack.extend(reversed(el.contents))
            elif type(el) is kind:
                out.append(el)
        return separator.join(out)

    def decompose(self) -> None:
        """Remove this element and everything below it (as bs4 does: emptied, nameless)."""
        if self.decomposed:
            return
        if self.parent is not None:
            siblings = self.parent.contents
            del siblings[next(i for i, child in enumerate(siblings) if child is self)]
        for el in self._all[self._start:self._end] if self._start >= 0 else (self,):
            if not el.decomposed:
                el.decomposed = True
                el.name = ""
                el.contents = []
                el.parent = None


Node = Tag | Element  # what the text helpers below accept


class _PageBuilder:
    """lxml parser target building Elements the way bs4's lxml tree builder builds Tags
    (``BeautifulSoup.handle_starttag``/``endData``/``_popToTag``). Reusable: ``reset``."""

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.data = self.pending.append  # lxml calls target.data for every text chunk
        self.reset(braces=False)

    def reset(self, *, braces: bool) -> None:
        self.everything: list[Element] = []
        self.root = Element("[document]", {}, None, self.everything)
        self.root._start = -1
        self.stack = [self.root]
        self.open: dict[str, int] = {}  # open elements by name
        self.pending.clear()
        self.preserve = 0  # open <pre>/<textarea>
        self.containers: list[str] = []  # open script/style/template/rt/rp, innermost last
        self.deepest = 0  # the most elements ever open at once
        self.braces = braces  # attribute names may carry "{namespace}" (bs4 rewrites them)

    def _flush(self) -> None:
        text = "".join(self.pending)
        self.pending.clear()
        if not self.preserve and not text.strip(_ASCII_SPACES):
            text = "\n" if "\n" in text else " "
        if self.containers:
            text = _CONTAINER_TEXT[self.containers[-1]](text)
        self.stack[-1].contents.append(text)

    def start(self, tag: str, attrib: Mapping[str, str], nsmap=None) -> None:
        if self.pending:
            self._flush()
        if self.braces:
            attrs = {_bs4_attribute_name(k): v for k, v in attrib.items()}
        else:  # lxml hands over a new dict, or one shared empty mapping
            attrs = attrib if type(attrib) is dict else {}
        stack = self.stack
        parent = stack[-1]
        el = Element(tag, attrs, parent, self.everything)
        self.everything.append(el)
        parent.contents.append(el)
        stack.append(el)
        self.open[tag] = self.open.get(tag, 0) + 1
        if tag in _SPECIAL_TAGS:
            if tag in _PRESERVE_WHITESPACE:
                self.preserve += 1
            else:
                self.containers.append(tag)
        self.deepest = max(self.deepest, len(stack))

    def end(self, tag: str) -> None:
        if self.pending:
            self._flush()
        # bs4 pops up to the innermost open element of that name, if there is one.
        if self.stack[-1].name == tag:
            self._pop()
            return
        while len(self.stack) > 1 and self.open.get(tag):
            if self._pop().name == tag:
                break

    def _pop(self) -> Element:
        el = self.stack.pop()
        name = el.name
        self.open[name] -= 1
        if name in _SPECIAL_TAGS:
            if name in _PRESERVE_WHITESPACE:
                self.preserve -= 1
            else:
                self.containers.pop()
        el._end = len(self.everything)
        return el

    def comment(self, text: str) -> None:
        if self.pending:  # a comment ends a string; bs4 keeps it, but no text helper reads it
            self._flush()

    def pi(self, target: str, data: str | None = None) -> None:
        self.comment("")

    def doctype(self, *args) -> None:
        self.comment("")

    def close(self) -> Element:
        if self.pending:
            self._flush()
        while len(self.stack) > 1:
            self._pop()
        self.root._end = len(self.everything)
        return self.root


# One parser per thread and encoding, reused: setting up lxml's target parser (it
# inspects the target's methods) costs more than parsing a small page.
_PARSERS = threading.local()


def _bs4_attribute_name(key: str) -> str:
    """bs4's name for an lxml attribute key ``{namespace}name``: ``name``, ``xml:name``."""
    if not key.startswith("{") or "}" not in key:
        return key
    namespace, name = key[1:].split("}", 1)
    prefix = "xml" if namespace == _XML_NAMESPACE else None
    if not name:
        return str(prefix)
    return f"{prefix}:{name}" if prefix else name


def _new_parser(encoding: str | None) -> tuple[etree.HTMLParser, _PageBuilder]:
    builder = _PageBuilder()  # bs4's lxml parser: recover, no huge_tree, encoding None/utf8
    return etree.HTMLParser(target=builder, recover=True, huge_tree=False, encoding=encoding), \
        builder


def parse_page(html: str, url: str = "") -> Element:
    """Parse a page into an ``Element`` tree: what ``make_soup`` gives, built ~6× faster.

    Same checks and errors as ``make_soup`` (empty, too large, too many tags, nested too
    deep) and the same parser run as bs4's (lxml's HTML parser, a str first, then its
    UTF-8 bytes if lxml rejects the str), with bs4's warnings.

    Raises:
        ExtractError: the document is empty, absurdly large or absurdly deep.
    """
    _check_document(html, url)
    if len(html) <= 256 and "<" not in html and "\n" not in html \
            and not BeautifulSoup._markup_is_url(html):
        BeautifulSoup._markup_resembles_filename(html)
    DetectsXMLParsedAsHTML.warn_if_markup_looks_like_xml(html, stacklevel=3)
    markup = html.removeprefix("\ufeff")
    rejections: list[ParserRejectedMarkup] = []
    parsers: dict[str | None, tuple[etree.HTMLParser, _PageBuilder]] = \
        _PARSERS.__dict__.setdefault("by_encoding", {})
    for encoding in (None, "utf8"):
        # Taken out while in use: a parser that failed half-way is not reused.
        parser, builder = parsers.pop(encoding, None) or _new_parser(encoding)
        builder.reset(braces="{" in markup)
        try:
            parser.feed(markup if encoding is None else markup.encode("utf8"))
            root = parser.close()
        except (UnicodeDecodeError, LookupError, etree.ParserError) as e:
            rejections.append(ParserRejectedMarkup(e))
            continue
        parsers[encoding] = parser, builder
        _check_depth(min(builder.deepest - 1, MAX_DEPTH + 1), url)
        return root
    raise ParserRejectedMarkup(
        "The markup you provided was rejected by the parser. Trying a different parser or a "
        "different encoding may help.\n\nOriginal exception(s) from parser:\n "
        + "\n ".join(str(e) for e in rejections)
    )


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


def block_lines(node: Node) -> list[str]:
    """The visible text of ``node`` as one line per block (paragraph, heading, item).

    Inline markup (links, spans, ``a.s_tag``) is joined without separators, which is
    right for Chinese text; whitespace inside a block collapses to one space; ``<br>``
    and block boundaries become line breaks; scripts, styles, media and comments are
    skipped. One iterative walk, no tree mutation: linear even on hostile nesting.
    Works on a soup and on a ``parse_page`` tree alike.
    """
    out: list[str] = []
    stack: list[tuple[PageElement | Element | str, bool]] = [(node, False)]
    while stack:
        el, closing = stack.pop()
        if closing:
            out.append("\n")
        elif isinstance(el, str):  # a NavigableString, or a string of a parse_page tree
            if not isinstance(el, PreformattedString) or isinstance(el, CData):
                out.append(_WS_RE.sub(" ", el.replace("\n", " ")))
        else:
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


def text_of(node: Node | None) -> str:
    """The normalised text of one small element (a title, a name); "" for None."""
    if node is None:
        return ""
    return normalize_space(strip_markup(node.get_text("")))


def first_text(root: Node, selectors: Iterable[str | ElementTest]) -> str:
    """The text of the first selector that matches a non-empty element.

    A selector is CSS (on a soup) or a test of one element (``css_class`` …, on either tree).
    """
    for selector in selectors:
        matches = root.select(selector) if isinstance(selector, str) else css_select(root, selector)
        for el in matches:
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


def meta_content(soup: Node, *names: str) -> str:
    """The content of the first ``<meta name|property=…>`` among ``names``."""
    metas = soup.find_all("meta")
    for name in names:
        el = next((m for m in metas if m.get("property") == name), None) or \
            next((m for m in metas if m.get("name") == name), None)
        if el and el.get("content"):
            return normalize_space(str(el["content"]))
    return ""


# ------------------------------------------------------------ CSS, without soupsieve
# soupsieve compiles its own patterns on first use (≈0.2 s in every process) and walks
# the tree slowly. The few selectors of the site adapters are tests of one element
# instead, and these helpers find elements where soupsieve would, on either tree.
ElementTest = Callable[[Any], bool]


def css_classes(el: Node) -> list[str]:
    return el.classes if isinstance(el, Element) else el.get("class") or []


def css_select(root: Node, match: ElementTest) -> list:
    """What soupsieve's ``root.select(…)`` finds: the elements below ``root`` for which
    ``match`` is true, in document order, not inside a nested ``<template>``."""
    if isinstance(root, Element):
        return root.select(match)
    found = []
    stack = [child for child in reversed(root.contents) if isinstance(child, Tag)]
    while stack:
        el = stack.pop()
        if match(el):
            found.append(el)
        if el.name != "template":
            stack.extend(child for child in reversed(el.contents) if isinstance(child, Tag))
    return found


def css_select_one(root: Node, match: ElementTest):
    return next(iter(css_select(root, match)), None)


def css_parent(el: Node) -> Node | None:
    """The parent as CSS combinators see it: none at a ``<template>`` or the document."""
    parent = el.parent
    if parent is None or parent.name in ("template", "[document]"):
        return None
    return parent


def css_below(el: Node, outer: tuple[str | ElementTest, ...]) -> bool:
    """The descendant combinators of ``o1 o2 el``: ``el`` sits below an element that
    passes the last test of ``outer``, itself below one that passes the test before, and
    so on (the nearest each time is enough). A str is a class name; class names are
    case-sensitive, as soupsieve matches them on HTML pages."""
    for test in reversed(outer):
        parent = css_parent(el)
        while parent is not None and not (
                test in css_classes(parent) if isinstance(test, str) else test(parent)):
            parent = css_parent(parent)
        if parent is None:
            return False
        el = parent
    return True


def css_class(name: str, *, below: tuple[str | ElementTest, ...] = ()) -> ElementTest:
    """The CSS selector ``.b1 .b2 .name`` (``below=("b1", "b2")``) as a test."""
    return lambda el: name in css_classes(el) and css_below(el, below)


def css_tag(tag: str, *, below: tuple[str | ElementTest, ...] = ()) -> ElementTest:
    """The CSS selector ``.b1 .b2 tag`` (``below=("b1", "b2")``) as a test."""
    return lambda el: el.name == tag and css_below(el, below)


# -------------------------------------------------------------------------- images
def image_urls(node: Node, base_url: str, skip: Iterable[str] = ()) -> list[str]:
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
