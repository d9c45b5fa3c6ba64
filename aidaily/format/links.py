"""What links and footer HTML a digest may carry, for ``aidaily.format.lint``.

A digest goes verbatim into the published post, so every link in it is a link on the
blog. The house uses absolute http(s) links only: in item headlines (both layouts),
one-liners, bullets, commentary, ``coverImage`` and the footer. The footer after the
last ``---`` is the one place with HTML, and the house footer (the telegram card of
the reference issue) is plain markup: ``div`` / ``p`` / ``span`` / ``a`` / ``img``
with classes, http(s) ``href`` / ``src`` and ``alt`` text. Anything else there (a
``<script>``, an ``on…=`` handler, a ``<form>``, ``style``, a comment, markup the
HTML parser had to repair) is refused.

``FOOTER_TAGS`` (with ``footer_attributes``) is the one allow-list: lint checks the
footer against it, reading it with the WHATWG parsing algorithm (html5lib: what a
browser and the page's sanitiser read, not what lxml's libxml2 guesses), and the review
page sanitises the footer to it with nh3 (``aidaily.review.web.view.safe_footer``).

- ``is_site_path``: a root-relative path on the blog (the issue's own cover); "an
  http(s) link" is ``aidaily.text.is_http_url``, the one test of it.
- ``markdown_links``: every link and image destination markdown-it finds in markdown
  lines, with line numbers, ``javascript:`` ones included (the page's renderer would
  silently drop those; lint must see them).
- ``footer_problems``: what in the footer HTML is not house markup, with line numbers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from aidaily.text import is_http_url

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

__all__ = ["FOOTER_TAGS", "footer_attributes", "footer_problems", "is_site_path", "markdown_links",
           "markdown_parser"]

_GLOBAL_ATTRIBUTES = frozenset({"class", "title"})
# The footer's allow-list: tag -> attributes besides class and title.
FOOTER_TAGS: dict[str, frozenset[str]] = {
    "div": frozenset(),
    "p": frozenset(),
    "span": frozenset(),
    "br": frozenset(),
    "strong": frozenset(),
    "em": frozenset(),
    "b": frozenset(),
    "i": frozenset(),
    "a": frozenset({"href", "target", "rel"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
}
URL_ATTRIBUTES = frozenset({"href", "src"})  # http(s) links only (``is_http_url``)
# The house footer is 615 characters and 17 tags in all 208 published issues; far
# beyond that is not a footer, and the WHATWG parser (pure Python) is not made to
# chew on 20,000 nested tags.
MAX_FOOTER_CHARS = 20_000
MAX_FOOTER_TAGS = 500
# Text a browser would read as the start of a tag, a comment or a declaration.
_TAG_START_RE = re.compile(r"<[A-Za-z/!?]")


def is_site_path(url: str) -> bool:
    """A path on the blog's own site (``/images/covers/2026-01-19.png``): no scheme, no
    host, no way out of the site — what ``coverImage`` holds for the issue's own cover."""
    value = url.strip()
    return value.startswith("/") and not value.startswith("//") and "\\" not in value and ":" not in value


def footer_attributes() -> dict[str, frozenset[str]]:
    """Tag -> every attribute it may carry in the footer (``class`` and ``title`` included)."""
    return {tag: names | _GLOBAL_ATTRIBUTES for tag, names in FOOTER_TAGS.items()}


@lru_cache(maxsize=2)
def markdown_parser(html: bool = False) -> MarkdownIt:
    """A CommonMark markdown-it that keeps every link destination as written
    (markdown-it drops javascript:/vbscript:/data: links and percent-encodes the rest;
    lint must see them, and a source adapter compares them with fetched URLs).
    ``html``: inline tags (``<br/>``, ``<video>``) come out as ``html_inline`` tokens
    instead of text."""
    # deferred: markdown-it, only when this runs (`aidaily eval`, `lint`, … load the module)
    from markdown_it import MarkdownIt

    class AllLinks(MarkdownIt):
        def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
            return True

        def normalizeLink(self, url: str) -> str:  # noqa: N802
            return url

    return AllLinks("commonmark", {"html": html, "linkify": False, "typographer": False})


def markdown_links(lines: list[str], first_line: int) -> list[tuple[str, int]]:
    """``(destination, line)`` for every link and image in ``lines``, whose first line
    is line ``first_line`` of the file; autolinks and reference links included."""
    out: list[tuple[str, int]] = []
    for block in markdown_parser().parse("\n".join(lines)):
        if block.type != "inline" or not block.children:
            continue
        start, end = block.map if block.map else (0, 1)
        for token in block.children:
            url = token.attrGet("href") if token.type == "link_open" else (
                token.attrGet("src") if token.type == "image" else None)
            if url is None:
                continue
            url = str(url)
            offset = next((i for i in range(start, end) if url and url in lines[i]), start)
            out.append((url, first_line + offset))
    return out


def footer_problems(lines: list[str], first_line: int) -> list[tuple[int, str]]:
    """``(line, problem)`` for what in the footer HTML is not house markup: a tag or
    attribute off the allow-list, a link that is not http(s), a comment, markup the
    WHATWG parser reports as malformed (an unclosed attribute, a stray end tag: what
    a browser repairs, lint does not guess at), text that still looks like a tag.
    ``lines[0]`` is line ``first_line`` of the file."""
    text = "\n".join(lines)
    if not text.strip():
        return []
    if len(text) > MAX_FOOTER_CHARS or text.count("<") > MAX_FOOTER_TAGS:
        return [(first_line, f"the footer is too large to be house markup (over {MAX_FOOTER_CHARS:,} "
                             f"characters or {MAX_FOOTER_TAGS} tags)")]
    # deferred: html5lib, only when this runs (`aidaily eval`, `lint`, … load the module)
    import html5lib

    parser = html5lib.HTMLParser(tree=html5lib.getTreeBuilder("etree"), namespaceHTMLElements=False)
    try:
        root = parser.parseFragment(text, container="div")
    except (ValueError, RecursionError) as exc:
        return [(first_line, f"footer HTML cannot be read: {exc}")]
    out = [(first_line + max(1, line or 1) - 1, f"malformed footer HTML: {_parse_error(code, data)}")
           for (line, _col), code, data in parser.errors]
    lowered, cursor = text.lower(), 0

    def at(tag: str) -> int:
        """The line of the next ``<tag`` in the text (elements come in document order)."""
        nonlocal cursor
        found = lowered.find(f"<{tag}", cursor)
        if found < 0:
            return first_line
        cursor = found + 1
        return first_line + lowered.count("\n", 0, found)

    allowed = footer_attributes()
    for el in root.iter():
        if el is root:
            continue
        if not isinstance(el.tag, str):  # a comment
            out.append((first_line + lowered.count("\n", 0, max(0, lowered.find("<!", cursor))),
                        "comment in the footer"))
        else:
            tag = el.tag.lower()  # "{namespace}name" for SVG and MathML: never allowed
            name = tag.rpartition("}")[2]
            line = at(name)
            if tag not in allowed:
                out.append((line, f"tag <{name}> is not allowed in the footer"))
            else:
                out += _attribute_problems(tag, dict(el.attrib), line, allowed[tag])
        for chunk in (el.text, el.tail):
            if chunk and _TAG_START_RE.search(chunk):
                out.append((first_line, "text in the footer looks like markup the parser did not read"))
    return list(dict.fromkeys(out))


_PARSE_ERRORS = {
    "unexpected-start-tag": "misplaced <{name}>",
    "unexpected-end-tag": "unexpected end tag </{name}>",
    "unexpected-end-tag-treated-as": "unexpected end tag </{originalName}>",
}


def _parse_error(code: str, data: object) -> str:
    """html5lib's error ``code`` in words, with the tag it is about when it says."""
    values = data if isinstance(data, dict) else {}
    try:
        return _PARSE_ERRORS[code].format(**values) if code in _PARSE_ERRORS else (
            f"{code} <{values['name']}>" if "name" in values else code)
    except (KeyError, IndexError):
        return code


def _attribute_problems(tag: str, attributes: dict[str, str], line: int,
                        allowed: frozenset[str]) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for name, value in attributes.items():
        if name.lower() not in allowed:
            out.append((line, f"attribute '{name}' on <{tag}> is not allowed in the footer"))
        elif name.lower() in URL_ATTRIBUTES and not is_http_url(value):
            out.append((line, f"<{tag} {name}='{value[:60]}'> in the footer is not an http(s) link"))
    return out
