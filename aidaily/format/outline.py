"""The stories an issue runs, as a reader counts them, whatever its layout.

The series' archive has several layouts (``../shared/corpus/aidaily``), and a post of
any of them is an issue the house ran (the memory across issues reads every post of a
blog). A reader sees a story in each of:

- a heading holding a link: ``### [headline](url)`` (or ``##`` / ``####``);
- a line that is one link and nothing else: the seed's bare ``[headline](url)``;
- a heading without a link that holds text and no deeper heading: a story told under
  its headline (``### Claude 逆势登顶…`` + paragraphs, ``## 行业大事件：…`` + a lead,
  ``#### 1. …`` under ``### 一、…``); a heading over other headings or over link lines
  is a theme;
- a line of a ``其他动态`` / ``更多动态`` list: a one-liner (``brief``), its link when
  it has one (``text（[site](url)）`` gives ``text``).

A story's *facts* are the text a reader takes as its report: the lead paragraphs and
the fact bullets, up to its commentary (a bold label such as ``**深度解读 & 洞察：**``).

This reads the markdown structure (markdown-it's block tokens), not the house model of
``aidaily.format.parse``: that model keeps what it does not understand verbatim, and a
story must be counted whichever way it was written. Front matter is read with the
house's YAML loader (``front_matter.load_yaml``: untrusted input, bounded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from aidaily.errors import DigestParseError
from aidaily.format.digest import is_other_news_heading
from aidaily.format.front_matter import MAX_FRONT_MATTER_CHARS, load_yaml
from aidaily.format.links import markdown_parser

__all__ = ["IssueOutline", "OutlineStory", "front_matter_of", "outline"]

# A bold label opening the commentary: "**深度解读 & 洞察：**", "**影响：**", "**点评**".
_COMMENTARY_WORDS = re.compile(r"解读|洞察|点评|评论|观点")
# "text（[site](url)）": the site in parentheses after a one-liner is not its text.
_TRAILING_SITE = "（{}）", "({})", "（{})", "({}）"


@dataclass
class OutlineStory:
    """One story of an issue: a linked or unlinked item (``item``) or a one-liner
    (``brief``)."""

    kind: str  # item | brief
    title: str  # the headline as a reader reads it (markup left out)
    url: str  # its link as written; "" when the story has none
    facts: list[str] = field(default_factory=list)  # lead and fact bullets, commentary left out
    line: int = 0  # 1-based line of the headline in the file


@dataclass
class IssueOutline:
    """What an issue's text says it ran."""

    front_matter: dict[str, Any]
    title: str  # the "# " title ("" when there is none)
    headline: str  # the first "## " that is neither a story nor a list of one-liners
    stories: list[OutlineStory]

    @property
    def items(self) -> list[OutlineStory]:
        return [s for s in self.stories if s.kind == "item"]

    @property
    def briefs(self) -> list[OutlineStory]:
        return [s for s in self.stories if s.kind == "brief"]


def front_matter_of(text: str) -> tuple[dict[str, Any], int]:
    """The front matter of ``text`` as a mapping, and the index of the first body line.

    Raises:
        DigestParseError: no front matter between ``---`` lines, or not a YAML mapping.
    """
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or lines[0].rstrip() != "---":
        raise DigestParseError("front matter missing: the file must start with a '---' line", 1)
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    if close is None:
        raise DigestParseError("front matter is not closed by a '---' line", 1)
    block = "\n".join(lines[1:close])
    if len(block) > MAX_FRONT_MATTER_CHARS:
        raise DigestParseError(f"front matter is too long ({len(block)} characters)", 2)
    try:
        data = load_yaml(block) if block.strip() else {}
    except yaml.YAMLError as exc:
        raise DigestParseError(f"front matter is not valid YAML: {getattr(exc, 'problem', None) or exc}", 2) from None
    if not isinstance(data, dict):
        raise DigestParseError("front matter is not a mapping of keys to values", 2)
    return data, close + 1


@dataclass
class _Block:
    kind: str  # heading | para | list | other
    line: int
    level: int = 0  # of a heading
    inlines: list[Any] = field(default_factory=list)  # markdown-it inline tokens (a list: one per line item)


def outline(text: str) -> IssueOutline:
    """The stories ``text`` (a whole post: front matter and markdown) runs, in order.

    Raises:
        DigestParseError: the text has no front matter (see ``front_matter_of``).
    """
    front_matter, start = front_matter_of(text)
    body = "\n".join(text.lstrip("\ufeff").splitlines()[start:])
    first = start + 1  # the 1-based line number of the body's first line
    blocks = _blocks(markdown_parser().parse(body), first)
    title = next((_plain(b.inlines[0]) for b in blocks if b.kind == "heading" and b.level == 1), "")
    stories: list[OutlineStory] = []
    headline = ""
    current: OutlineStory | None = None
    commentary = False
    other_news: int | None = None  # the level of the 其他动态 heading we are under
    for i, block in enumerate(blocks):
        if block.kind == "heading":
            current, commentary = None, False
            heading = block.inlines[0]
            if other_news is not None and block.level <= other_news:
                other_news = None
            link = _first_link(heading)
            if block.level == 1:
                continue
            if link is None and is_other_news_heading(_plain(heading)):
                other_news = block.level
            elif link is not None or _holds_one_story(blocks, i):
                current = OutlineStory("item", _plain(heading), link[0] if link else "", line=block.line)
                stories.append(current)
            elif block.level == 2 and not headline:
                headline = _plain(heading)
            continue
        if block.kind == "other" or (block.kind == "para" and _plain(block.inlines[0]).startswith("<")):
            # A rule, a table, code or HTML (the footer) ends what came before.
            current, commentary, other_news = None, False, None
            continue
        if other_news is not None:
            stories += [_brief(inline, _line(inline, block.line, first)) for inline in block.inlines if _plain(inline)]
            continue
        if block.kind == "para":
            alone = _only_link(block.inlines[0])
            if alone is not None:
                current, commentary = OutlineStory("item", alone[1], alone[0], line=block.line), False
                stories.append(current)
            elif _is_commentary_label(block.inlines[0]):
                commentary = True
            elif current is not None and not commentary:
                current.facts.append(_plain(block.inlines[0]))
        elif block.kind == "list" and current is not None and not commentary:
            current.facts += [t for t in map(_plain, block.inlines) if t]
    return IssueOutline(front_matter, title, headline, stories)


def _blocks(tokens: list[Any], first_line: int) -> list[_Block]:
    """The top-level blocks: headings, paragraphs, lists (the inline of each of their
    items, nested ones included) and the rest."""
    out: list[_Block] = []
    depth = 0
    for n, tok in enumerate(tokens):
        line = _line(tok, first_line, first_line)
        if depth == 0 and tok.type == "heading_open":
            out.append(_Block("heading", line, int(tok.tag[1:]), [tokens[n + 1]]))
        elif depth == 0 and tok.type == "paragraph_open":
            out.append(_Block("para", line, inlines=[tokens[n + 1]]))
        elif tok.type in ("bullet_list_open", "ordered_list_open"):
            if depth == 0:
                out.append(_Block("list", line))
            depth += 1
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        elif depth > 0 and tok.type == "inline":
            out[-1].inlines.append(tok)
        elif depth == 0 and tok.type in ("hr", "html_block", "fence", "code_block", "table_open"):
            out.append(_Block("other", line))
    return out


def _line(tok: Any, default: int, first_line: int) -> int:
    """The 1-based line of a token in the file (``default`` when markdown-it has none)."""
    return first_line + tok.map[0] if tok.map else default


def _holds_one_story(blocks: list[_Block], i: int) -> bool:
    """Does the unlinked heading ``blocks[i]`` hold one story told under it: text, and
    no deeper heading or link line before the next heading of its level or above?"""
    level = blocks[i].level
    text = False
    for block in blocks[i + 1:]:
        if block.kind == "heading":
            if block.level <= level:
                break
            return False
        if block.kind == "para" and _only_link(block.inlines[0]) is not None:
            return False
        text = text or block.kind in ("para", "list")
    return text and not _COMMENTARY_WORDS.search(_plain(blocks[i].inlines[0]))


def _children(inline: Any) -> list[Any]:
    return list(inline.children or [])


def _plain(inline: Any) -> str:
    """The text of an inline token, markup left out."""
    parts = []
    for child in _children(inline):
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _first_link(inline: Any) -> tuple[str, str] | None:
    """``(url, text)`` of the first link in ``inline``."""
    children = _children(inline)
    for n, child in enumerate(children):
        if child.type == "link_open":
            text = []
            for inner in children[n + 1:]:
                if inner.type == "link_close":
                    break
                if inner.type in ("text", "code_inline"):
                    text.append(inner.content)
            return str(child.attrs.get("href") or ""), "".join(text).strip()
    return None


def _only_link(inline: Any) -> tuple[str, str] | None:
    """``(url, text)`` when the line is one link and nothing else (bare headline line)."""
    children = [c for c in _children(inline) if not (c.type == "text" and not c.content.strip())]
    if len(children) < 2 or children[0].type != "link_open" or children[-1].type != "link_close":
        return None
    if sum(c.type == "link_open" for c in children) != 1:
        return None
    return _first_link(inline)


def _is_commentary_label(inline: Any) -> bool:
    """A paragraph opening with a bold label: ``**深度解读 & 洞察：**`` (alone or followed by
    its text), ``**影响：**``."""
    children = [c for c in _children(inline) if not (c.type == "text" and not c.content)]
    if not children or children[0].type != "strong_open":
        return False
    strong = []
    for child in children[1:]:
        if child.type == "strong_close":
            break
        if child.type == "text":
            strong.append(child.content)
    label = "".join(strong).strip()
    return label.endswith(("：", ":")) or bool(_COMMENTARY_WORDS.search(label))


def _brief(inline: Any, line: int) -> OutlineStory:
    """A one-liner: its text without the site cited after it, and its link."""
    text = _plain(inline)
    link = _first_link(inline)
    if link is None:
        return OutlineStory("brief", text, "", line=line)
    url, site = link
    for pattern in _TRAILING_SITE:
        tail = pattern.format(site)
        if site and text.endswith(tail) and len(text) > len(tail):
            return OutlineStory("brief", text[: -len(tail)].strip(), url, line=line)
    return OutlineStory("brief", text, url, line=line)
