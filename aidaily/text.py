"""The one text toolkit: whitespace, sentences, HTML to plain text, canonical URLs.

Every module that cuts text into sentences, turns markup into plain text or compares
URLs calls these, so that the pipeline makes each of those decisions one way:

- ``normalize_space`` / ``strip_markup``: runs of spaces (NBSP, ideographic space …)
  become one space, zero-widths go; anything still shaped like a tag is dropped.
- ``split_sentences`` / ``sentence_ends``: Chinese or mixed text, split after 。！？!?
  (and ；; unless ``semicolons=False``), after newlines, and at ``. `` for English
  (unless ``english=False``).
- ``block_lines`` / ``visible_text`` / ``html_to_text``: the visible text of an lxml
  element (or of an HTML string) as one line per block.
- ``comparable_text`` / ``repeats`` / ``distinct_lines``: text compared with spaces,
  punctuation and case ignored; one line repeats another when it equals it or either
  contains the other (a page's lead sentence that the body says again);
  ``similarity``: how much of their wording two lines share (near-identical headlines).
- ``zi_count``: a length in 字 as the prompts state it and the schemas and checks
  measure it (one Latin word or number is one 字; ``ZI_RULE`` says so to the model).
- ``canonical_url`` (the key an article is stored under) and ``comparable_url`` (the
  looser key two reports of one article are matched by); ``is_http_url``: an absolute
  http(s) URL, the only kind the store keeps and the review page links.

lxml is imported only by the HTML functions: the sentence and URL helpers are used by
light callers (the CLI) that should not pay for it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

if TYPE_CHECKING:
    from lxml.html import HtmlElement

__all__ = [
    "BLOCK_TAGS",
    "NON_TEXT_TAGS",
    "TRACKING_PARAMS",
    "block_lines",
    "canonical_url",
    "comparable_text",
    "comparable_url",
    "distinct_lines",
    "html_to_text",
    "is_site_root",
    "story_url_key",
    "normalize_space",
    "repeats",
    "sentence_ends",
    "similarity",
    "split_sentences",
    "strip_markup",
    "visible_text",
    "ZI_RULE",
    "zi_count",
]

# ---------------------------------------------------------------------------- spaces
_WS_RE = re.compile(r"[ \t\r\f\v\u00a0\u3000\u2002\u2003\u2009]+")
_ZERO_WIDTH_RE = re.compile(r"[\u200b\u2060\ufeff]")  # ZWJ kept: emoji sequences need it
# A tag-looking run of text; used as a last guard so markup never reaches Article.text.
_TAG_RE = re.compile(r"</?(?:[a-z][a-z0-9]*)(?:\s[^<>]*)?/?>", re.IGNORECASE)
_ASCII_SPACES = " \n\t\x0c\r"


def normalize_space(text: str) -> str:
    """Collapse runs of spaces (incl. NBSP and ideographic space) and drop zero-widths.

    Newlines are kept (they separate blocks); the ends are stripped."""
    return _WS_RE.sub(" ", _ZERO_WIDTH_RE.sub("", text)).strip()


def strip_markup(text: str) -> str:
    """Remove anything that still looks like a tag (a guard, not a parser)."""
    if "<" not in text:
        return text
    return _TAG_RE.sub("", text)


# ------------------------------------------------------------------------ repetition
_NOT_WORD_RE = re.compile(r"[\W_]+")


def comparable_text(text: str) -> str:
    """``text`` as compared for sameness: NFKC, lower case, no spaces or punctuation."""
    return _NOT_WORD_RE.sub("", unicodedata.normalize("NFKC", text).lower())


def repeats(a: str, b: str) -> bool:
    """``a`` and ``b`` say the same: equal, or one contains the other, once spaces,
    punctuation and case are ignored. Empty text repeats nothing."""
    ca, cb = comparable_text(a), comparable_text(b)
    return bool(ca) and bool(cb) and (ca in cb or cb in ca)


def similarity(a: str, b: str) -> float:
    """The Jaccard similarity (0..1) of the character trigrams of ``a`` and ``b`` as
    ``comparable_text`` sees them: 1.0 for the same words in another spacing or
    punctuation, about 0.5 for one headline reworded, near 0 for different news."""
    ga, gb = _trigrams(comparable_text(a)), _trigrams(comparable_text(b))
    return len(ga & gb) / len(ga | gb) if ga and gb else 0.0


def _trigrams(text: str) -> set[str]:
    return {text[i:i + 3] for i in range(len(text) - 2)} if len(text) > 3 else ({text} if text else set())


def distinct_lines(lines: Iterable[str]) -> list[str]:
    """``lines`` with repetitions merged: of two lines that repeat each other the longer
    (the one that says more) is kept, at the place of the first."""
    kept: list[str] = []
    for line in lines:
        for i, earlier in enumerate(kept):
            if repeats(line, earlier):
                if len(comparable_text(line)) > len(comparable_text(earlier)):
                    kept[i] = line
                break
        else:
            kept.append(line)
    # A line that replaced an earlier one may now repeat another kept line.
    return kept if len(kept) < 2 or not _any_repeat(kept) else distinct_lines(kept)


def _any_repeat(lines: list[str]) -> bool:
    return any(repeats(a, b) for i, a in enumerate(lines) for b in lines[i + 1:])


# ------------------------------------------------------------------------------- 字
#: A Latin word or a number with what holds it together (GPT-5.2, 1.5GW, 2,800, C++).
_LATIN_WORD_RE = re.compile(r"[A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+"
                            r"(?:[.,'’+\-_/&][A-Za-z0-9\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+)*\+*")
#: How ``zi_count`` counts, in the words the prompts give the model (``_rules.j2`` says it
#: with these examples; a test holds the two to each other).
ZI_RULE = "一个汉字或一个标点算 1 字，一个英文单词或一个数字（如 GPT-5.2、1.5GW、2026）算 1 字，空格不算"


def zi_count(text: str) -> int:
    """The length of ``text`` in 字, as the house's figures count it: every CJK character
    and every punctuation mark is one, a Latin word or a number (with its inner dots,
    hyphens, commas: ``GPT-5.2``, ``2,800``, ``1.5GW``) is one, spaces are none. So
    ``"GPT-5.2 Pro 发布"`` is 4 字 and ``"55 万张 GPU"`` is 4."""
    words = _LATIN_WORD_RE.findall(text)
    rest = _LATIN_WORD_RE.sub("", text)
    return len(words) + sum(1 for ch in rest if not ch.isspace())


# ------------------------------------------------------------------------- sentences
_TERMINATORS = "。！？!?"
_SEMICOLONS = "；;"
# Compiled per (semicolons, english): a split point after a terminator or a newline,
# and, for English, the whitespace after a full stop (consumed: it belongs to no one).
_SPLITTERS: dict[tuple[bool, bool], re.Pattern[str]] = {}


def _splitter(semicolons: bool, english: bool) -> re.Pattern[str]:
    key = (semicolons, english)
    if key not in _SPLITTERS:
        ends = re.escape(_TERMINATORS + (_SEMICOLONS if semicolons else "")) + r"\n"
        _SPLITTERS[key] = re.compile(rf"(?<=[{ends}])" + (r"|(?<=\.)\s+" if english else ""))
    return _SPLITTERS[key]


def split_sentences(text: str, *, semicolons: bool = True, english: bool = True,
                    strip: bool = True) -> list[str]:
    """Sentences of a Chinese (or mixed) text, each with its closing punctuation.

    Splits after 。！？!?, after ；; (``semicolons``), after newlines, and at a full
    stop followed by whitespace (``english``). ``strip`` trims each sentence; without
    it the pieces keep their spaces, so that (with ``english=False``) they join back to
    ``text``. Empty pieces are dropped.
    """
    pieces = _splitter(semicolons, english).split(text or "")
    if strip:
        return [p.strip() for p in pieces if p and p.strip()]
    return [p for p in pieces if p]


def sentence_ends(text: str, *, semicolons: bool = True) -> list[int]:
    """Offsets just after each sentence end of ``text`` (a terminator or a newline)."""
    ends = re.escape(_TERMINATORS + (_SEMICOLONS if semicolons else "")) + r"\n"
    return [m.end() for m in re.finditer(f"[{ends}]", text)]


# ------------------------------------------------------------------------------ HTML
# Elements that never carry article text.
NON_TEXT_TAGS = frozenset(["script", "style", "noscript", "iframe", "template", "svg", "form",
                           "button", "input", "select", "textarea", "object", "embed", "video",
                           "audio"])
# Elements after which text starts a new line when flattening a subtree.
BLOCK_TAGS = frozenset(
    ["address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
     "fieldset", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
     "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
     "tbody", "thead", "tfoot", "tr", "td", "th", "ul"]
)
_CLOSE = object()  # marks the end of a block element in block_lines' walk


def _strings(node: HtmlElement) -> Iterator[str]:
    """The text pieces below ``node`` in document order, leaving out non-text elements
    (scripts, styles, forms, media) and comments, but not the text that follows them."""
    # deferred: lxml, only when this runs (`aidaily eval`, `fetch`, … load the module)
    from lxml import etree

    walker = etree.iterwalk(node, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event in ("comment", "pi"):  # left out, but the text after it is not
            if el.tail:
                yield el.tail
        elif event == "start":
            if el is not node and el.tag in NON_TEXT_TAGS:
                walker.skip_subtree()  # its end event still comes, with its tail
            elif el.text:
                yield el.text
        elif el is not node and el.tail:
            yield el.tail


def visible_text(node: HtmlElement) -> str:
    """The text of ``node`` as written (no collapsing), without scripts, styles, forms,
    media or comments. A whitespace-only piece between elements counts as one newline
    (if it holds one) or one space, so indentation of the markup never shows."""
    out = []
    for piece in _strings(node):
        if not piece.strip(_ASCII_SPACES):
            piece = "\n" if "\n" in piece else " "
        out.append(piece)
    return "".join(out)


def block_lines(node: HtmlElement) -> list[str]:
    """The visible text of ``node`` as one line per block (paragraph, heading, item).

    Inline markup (links, spans) is joined without separators, which is right for
    Chinese text; whitespace inside a block collapses to one space; ``<br>`` and block
    boundaries become line breaks; ``<pre>`` keeps its lines; scripts, styles, media
    and comments are skipped. One iterative walk, no tree mutation: linear even on
    hostile nesting.
    """
    out: list[str] = []
    stack: list[object] = [node]
    while stack:
        item = stack.pop()
        if item is _CLOSE:
            out.append("\n")
        elif isinstance(item, str):
            out.append(_WS_RE.sub(" ", item.replace("\n", " ")))
        else:
            el: HtmlElement = item  # type: ignore[assignment]
            tag = el.tag
            if not isinstance(tag, str) or tag in NON_TEXT_TAGS:
                continue  # a comment, a script …: their tails are on the stack already
            if tag == "br":
                out.append("\n")
            elif tag == "pre":
                out.append("\n" + "".join(_strings(el)) + "\n")
            else:
                if tag in BLOCK_TAGS:
                    out.append("\n")
                    stack.append(_CLOSE)
                for child in reversed(el):
                    if child.tail:
                        stack.append(child.tail)
                    stack.append(child)
                if el.text:
                    stack.append(el.text)
    lines = (normalize_space(strip_markup(line)) for line in "".join(out).split("\n"))
    return [line for line in lines if line]


def parse_html(html: str) -> HtmlElement:
    """lxml's tree of an HTML document given as text (one with an XML encoding
    declaration, which lxml refuses as text, is parsed from its UTF-8 bytes).

    Raises:
        lxml.etree.ParserError: nothing to parse (lxml: "Document is empty").
    """
    # deferred: lxml, only when this runs (`aidaily eval`, `fetch`, … load the module)
    import lxml.html

    markup = html.removeprefix("\ufeff")
    try:
        return lxml.html.document_fromstring(markup)
    except ValueError:  # "Unicode strings with encoding declaration are not supported"
        parser = lxml.html.HTMLParser(encoding="utf-8")
        return lxml.html.document_fromstring(markup.encode("utf-8"), parser=parser)


def html_to_text(html: str) -> str:
    """Plain text (one line per block) of an HTML fragment, e.g. a feed description.

    Never raises: what lxml cannot parse loses its tags by pattern instead."""
    if not html or not html.strip():
        return ""
    if "<" not in html and "&" not in html:
        return normalize_space(html)
    # deferred: lxml, only when this runs (`aidaily eval`, `fetch`, … load the module)
    from lxml import etree

    try:
        return "\n".join(block_lines(parse_html(html)))
    except (etree.LxmlError, ValueError):  # nothing lxml can read: an empty document
        return normalize_space(re.sub(r"<[^>]*>", " ", html))


# ------------------------------------------------------------------------------ URLs
# Query parameters that only track the reader and never change the page.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|spm|from|source|share\w*|fbclid|gclid|mc_\w+|ref|ref_src|"
    r"isappinstalled|scene|clicktime|enterid|wfr|wd|eqid|_hsenc|_hsmid|yclid)$",
    re.IGNORECASE,
)


def is_http_url(url: object) -> bool:
    """``url`` is an absolute ``http://`` or ``https://`` URL with a host (not
    ``javascript:``, ``data:``, a relative path …)."""
    if not isinstance(url, str):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


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


@lru_cache(maxsize=65_536)
def is_site_root(url: str) -> bool:
    """A site's front page (no path, query or fragment): it stands for no one article."""
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query and not parts.fragment


def story_url_key(url: str) -> str | None:
    """The key two links to one article are matched by (``comparable_url``), or None for
    what names no one article: a site's front page (many stories cite one), a non-http
    link."""
    url = url.strip()
    if not is_http_url(url) or is_site_root(url):
        return None
    return comparable_url(url)


def comparable_url(url: str) -> str:
    """A comparable form of ``url``: ``canonical_url`` keeping the fragment, then https
    whatever the scheme, the host without ``www.``, no repeated or trailing slash.

    The fragment is kept on purpose: hubtoday items of one page differ only by their
    anchor. Two URLs with one comparable form are one article."""
    parts = urlsplit(canonical_url(url, keep_fragment=True))
    host = parts.netloc.removeprefix("www.")
    path = re.sub(r"/{2,}", "/", parts.path).rstrip("/")  # hubtoday RSS writes '//2026-01'
    return urlunsplit(("https", host, path, parts.query, parts.fragment))
