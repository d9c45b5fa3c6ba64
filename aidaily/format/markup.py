"""What in markdown is raw HTML: the one definition, taken from a CommonMark parser.

A digest is published verbatim, and blog renderers that pass HTML through (Hexo's
marked, Astro) emit whatever a CommonMark renderer reads as HTML. So "raw HTML" is not
a pattern over lines but what markdown-it (with HTML on, as those renderers have it)
turns into ``html_block`` and ``html_inline`` tokens: a tag inside link text, between
escaped backticks, after a 4-space-indented "fence", after a fence whose info string
holds a backtick, or split over two lines is found like any other; a tag inside a real
code span or code block, an autolink, or Chinese prose such as ``a<b 且 c>d`` is not.

- ``raw_html(lines, first_line)``: ``(line, snippet)`` for each piece of raw HTML.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["raw_html"]

SNIPPET = 40  # characters of the HTML quoted in a finding

_HTML_TOKENS = frozenset({"html_block", "html_inline"})


@lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    # deferred: markdown-it, only when this runs (`aidaily eval`, `lint`, … load the module)
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})


def _html_in(tokens: list[Token]) -> list[tuple[Token, Token]]:
    """``(html token, the block token it sits in)`` for every HTML token, in order;
    inline children (link text, image alt text) are searched too."""
    out: list[tuple[Token, Token]] = []

    def walk(children: list[Token], block: Token) -> None:
        for child in children:
            if child.type in _HTML_TOKENS:
                out.append((child, block))
            if child.children:
                walk(child.children, block)

    for token in tokens:
        if token.type in _HTML_TOKENS:
            out.append((token, token))
        if token.children:
            walk(token.children, token)
    return out


def raw_html(lines: list[str], first_line: int = 1) -> list[tuple[int, str]]:
    """``(line, snippet)`` for every piece of markdown in ``lines`` a CommonMark renderer
    would emit as HTML; ``lines[0]`` is line ``first_line`` of the file. The line is the
    first one of the block holding the HTML that contains the HTML's first line."""
    out: list[tuple[int, str]] = []
    for html, block in _html_in(_markdown().parse("\n".join(lines))):
        start, end = block.map if block.map else (0, len(lines))
        head = html.content.strip().split("\n", 1)[0]
        offset = next((i for i in range(start, min(end, len(lines))) if head and head in lines[i]), start)
        out.append((first_line + offset, " ".join(html.content.split())[:SNIPPET]))
    return out
