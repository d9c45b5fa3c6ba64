"""What links and footer HTML a digest may carry, for ``aidaily.format.lint``.

A digest goes verbatim into the published post, so every link in it is a link on the
blog. The house uses absolute http(s) links only: in item headlines (both layouts),
one-liners, bullets, commentary, ``coverImage`` and the footer. The footer after the
last ``---`` is the one place with HTML, and the house footer (the telegram card of
the reference issue) is plain markup: ``div`` / ``p`` / ``span`` / ``a`` / ``img``
with classes, http(s) ``href`` / ``src`` and ``alt`` text. Anything else there (a
``<script>``, an ``on…=`` handler, a ``<form>``, ``style``, a comment, markup the
HTML parser had to repair) is refused.

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

__all__ = ["FOOTER_TAGS", "footer_problems", "is_site_path", "markdown_links", "markdown_parser"]

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
_URL_ATTRIBUTES = frozenset({"href", "src"})
# The elements lxml puts around a fragment; they may not carry attributes (what lxml
# puts into <head> is off the allow-list on its own).
_DOCUMENT_TAGS = frozenset({"html", "head", "body"})
# Text a browser would read as the start of a tag, a comment or a declaration.
_TAG_START_RE = re.compile(r"<[A-Za-z/!?]")


def is_site_path(url: str) -> bool:
    """A path on the blog's own site (``/images/covers/2026-01-19.png``): no scheme, no
    host, no way out of the site — what ``coverImage`` holds for the issue's own cover."""
    value = url.strip()
    return value.startswith("/") and not value.startswith("//") and "\\" not in value and ":" not in value


@lru_cache(maxsize=2)
def markdown_parser(html: bool = False) -> MarkdownIt:
    """A CommonMark markdown-it that keeps every link destination as written
    (markdown-it drops javascript:/vbscript:/data: links and percent-encodes the rest;
    lint must see them, and a source adapter compares them with fetched URLs).
    ``html``: inline tags (``<br/>``, ``<video>``) come out as ``html_inline`` tokens
    instead of text."""
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
    attribute off the allow-list, a link that is not http(s), a comment or processing
    instruction, markup the parser reports as malformed (a misplaced ``<body>``, an
    unexpected end tag: a browser may read those otherwise than lxml), text that still
    looks like a tag. ``lines[0]`` is line ``first_line`` of the file."""
    text = "\n".join(lines)
    if not text.strip():
        return []
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.document_fromstring(text, parser=parser)
    except (etree.LxmlError, ValueError) as exc:
        return [(first_line, f"footer HTML cannot be read: {exc}")]

    def at(sourceline: int | None) -> int:
        return first_line + (sourceline or 1) - 1

    out = [(at(e.line), f"malformed footer HTML: {e.message}") for e in parser.error_log]
    for el in root.iter():
        line = at(el.sourceline)
        if not isinstance(el.tag, str):  # a comment or a processing instruction
            out.append((line, "comment or processing instruction in the footer"))
            continue
        tag = el.tag.lower()
        if tag in _DOCUMENT_TAGS:
            out += [(line, f"attribute '{name}' on <{tag}> in the footer") for name in el.attrib]
        elif tag not in FOOTER_TAGS:
            out.append((line, f"tag <{tag}> is not allowed in the footer"))
        else:
            out += _attribute_problems(tag, dict(el.attrib), line)
        for chunk in (el.text, el.tail):
            if chunk and _TAG_START_RE.search(chunk):
                out.append((line, "text in the footer looks like markup the parser did not read"))
    return out


def _attribute_problems(tag: str, attributes: dict[str, str], line: int) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    allowed = FOOTER_TAGS[tag] | _GLOBAL_ATTRIBUTES
    for name, value in attributes.items():
        if name.lower() not in allowed:
            out.append((line, f"attribute '{name}' on <{tag}> is not allowed in the footer"))
        elif name.lower() in _URL_ATTRIBUTES and not is_http_url(value):
            out.append((line, f"<{tag} {name}='{value[:60]}'> in the footer is not an http(s) link"))
    return out
