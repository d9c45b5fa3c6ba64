"""Parse markdown in the house format into a ``Digest``, losslessly.

The body is cut into *tokens*: runs of non-blank lines, with headings, link lines and
bold labels always standing alone, each remembering the blank lines before it. Tokens
are then assembled into the model (title, headline, sections, items, commentary,
one-liners, footer). Every node is checked on the spot: if rendering it does not give
back exactly the lines it came from, those lines become a ``Raw`` node instead. So
whatever the model does not understand keeps its place verbatim, and
``render(parse(text)) == text`` holds for every text with front matter.

Only a text without front matter (or with front matter that is not YAML) is refused,
with ``DigestParseError`` and the line number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import dropwhile

from aidaily.format.digest import (
    Brief,
    BriefList,
    Bullet,
    Digest,
    Entry,
    Footer,
    Headline,
    Insight,
    Item,
    Node,
    Paragraph,
    Raw,
    Section,
    Title,
    is_numbered_heading,
    is_other_news_heading,
)
from aidaily.errors import DigestParseError
from aidaily.format.front_matter import format_front_matter, parse_front_matter
from aidaily.format.render import entry_lines, node_lines, render
from aidaily.text import is_http_url

_HEADING_RE = re.compile(r"^(?P<hashes>#{1,6}) (?P<text>.*\S.*)$")
# One link filling the whole line: the link text may not itself contain "](".
_LINK_RE = re.compile(
    r"^(?:(?P<hashes>#{1,6}) )?\[(?P<title>(?:(?!\]\().)*)\]\((?P<url>[^\s]*)\)$"
)
_LABEL_RE = re.compile(r"^\*\*(?P<label>[^*]+?)(?P<colon>[：:])\*\*(?P<trail>[ \t]*)$")
_BULLET_RE = re.compile(r"^(?P<marker>[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+)(?P<text>.*)$")
_BRIEF_RE = re.compile(
    r"^(?P<text>.*?)（\[(?P<site>[^\[\]]+)\]\((?P<url>[^\s()]+)\)(?P<close>[）)])$"
)
# The house's one-liner since spring: ``- [headline](url)，what it means``.
_LINKED_BRIEF_RE = re.compile(r"^\[(?P<text>(?:(?!\]\().)+)\]\((?P<url>[^\s()]*)\)(?P<tail>.*)$")


@dataclass
class _Token:
    kind: str  # heading | link | label | bullets | rule | text
    lines: list[str]
    gap: int
    line: int  # 1-based line number of lines[0]
    attached: list[_Token] = field(default_factory=list)


def parse(text: str) -> Digest:
    """Parse ``text`` (a whole digest file) into a ``Digest``.

    Raises:
        DigestParseError: the text has no front matter, or it is not valid YAML.
    """
    if not isinstance(text, str):
        raise DigestParseError(f"expected text, got {type(text).__name__}")
    newline = "\r\n" if "\r\n" in text and text.count("\r\n") == text.count("\n") else "\n"
    lines = text.split(newline)
    bom = lines[0].startswith("\ufeff")
    if (lines[0][1:] if bom else lines[0]) != "---":
        raise DigestParseError("front matter missing: the file must start with a '---' line", 1)
    close = next((i for i in range(1, len(lines)) if lines[i] == "---"), None)
    if close is None:
        raise DigestParseError("front matter is not closed by a '---' line", 1)
    front_matter = parse_front_matter(lines[1:close], first_line=2)
    front_matter.bom = bom
    body_lines = lines[close + 1 :]
    tokens, trailing_gap = _tokenize(body_lines, first_line=close + 2)
    digest = Digest(front_matter, _assemble(tokens), trailing_gap, newline)
    if format_front_matter(front_matter) != lines[: close + 1] or render(digest) != text:
        # A safety net: should a rule above ever misread something, keep the body whole.
        digest = _verbatim(front_matter, body_lines, close + 2)
        digest.newline = newline
    return digest


def _verbatim(front_matter, body_lines: list[str], first_line: int) -> Digest:  # type: ignore[no-untyped-def]
    content = [i for i, ln in enumerate(body_lines) if ln != ""]
    if not content:
        return Digest(front_matter, [], len(body_lines))
    start, end = content[0], content[-1]
    raw = Raw(body_lines[start : end + 1], gap=start, line=first_line + start)
    return Digest(front_matter, [raw], len(body_lines) - end - 1)


def _classify(line: str) -> str:
    if line == "---":
        return "rule"
    link = _LINK_RE.match(line)
    if link:
        # "### [更多动态](#)": a heading dressed as a link names a list, not a story.
        if link["hashes"] and is_other_news_heading(link["title"]) and not is_http_url(link["url"]):
            return "heading"
        return "link"
    if _HEADING_RE.match(line):
        return "heading"
    if _LABEL_RE.match(line):
        return "label"
    if _BULLET_RE.match(line):
        return "bullets"
    return "text"


def _tokenize(lines: list[str], first_line: int) -> tuple[list[_Token], int]:
    """Cut body lines into tokens; returns them and the count of trailing blank lines."""
    tokens: list[_Token] = []
    gap = 0
    current: _Token | None = None
    for offset, line in enumerate(lines):
        if line == "":
            current = None
            gap += 1
            continue
        kind = _classify(line)
        alone = kind in ("rule", "link", "heading", "label")
        if current is not None and not alone and current.kind in ("bullets", "text"):
            current.lines.append(line)
            if kind != current.kind:
                current.kind = "text"
            continue
        current = _Token(kind, [line], gap, first_line + offset)
        tokens.append(current)
        gap = 0
        if alone:
            current = None
    return tokens, gap


def _assemble(tokens: list[_Token]) -> list[Node]:
    body: list[Node] = []
    section: Section | None = None
    footer_at = _footer_index(tokens)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if i == footer_at:
            body.append(_footer(tokens[i:]))
            break
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        takes_bullets = nxt is not None and nxt.kind == "bullets" and i + 1 != footer_at
        if tok.kind == "heading":
            node = _heading_node(tok, body, section, tokens[i + 1 :])
            body.append(node)
            section = node if isinstance(node, Section) else section
            i += 1
            continue
        if section is None and not (tok.kind == "link" and tok.lines[0].startswith("#")):
            body.append(_raw(tok))
            i += 1
            continue
        entry: Entry
        if tok.kind == "link":
            lead = _texts(tokens, i + 1, footer_at)
            after = i + 1 + len(lead)
            bullets = _bullets_at(tokens, after, footer_at)
            entry = _item(tok, lead, bullets)
            i = after + (bullets is not None) if not isinstance(entry, Raw) else i + 1
        elif tok.kind == "label":
            bullets = nxt if takes_bullets else None
            after = i + 1 + (bullets is not None)
            # Prose commentary (the house since February) stands in for bullets, not after them.
            paragraphs = _texts(tokens, after, footer_at) if bullets is None else []
            entry = _insight(tok, bullets, paragraphs)
            i = after + len(paragraphs) if not isinstance(entry, Raw) else i + 1
        elif tok.kind == "bullets" and section is not None and is_other_news_heading(section.heading):
            entry = _brief_list(tok)
            i += 1
        else:
            entry = _raw(tok)
            i += 1
        if section is None:  # "## [headline](url)" before any section: a story of its own
            body.append(entry if isinstance(entry, (Item, Raw)) else _raw(tok))
        else:
            section.entries.append(entry)
    return body


def _texts(tokens: list[_Token], start: int, footer_at: int | None) -> list[_Token]:
    """The text tokens (paragraphs) from ``start`` on, up to anything else."""
    out: list[_Token] = []
    for k in range(start, len(tokens) if footer_at is None else footer_at):
        if tokens[k].kind != "text":
            break
        out.append(tokens[k])
    return out


def _bullets_at(tokens: list[_Token], at: int, footer_at: int | None) -> _Token | None:
    if at < len(tokens) and at != footer_at and tokens[at].kind == "bullets":
        return tokens[at]
    return None


def _footer_index(tokens: list[_Token]) -> int | None:
    """The last ``---`` rule, if nothing after it is a heading or a linked item."""
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].kind == "rule":
            after = tokens[i + 1 :]
            if any(t.kind in ("heading", "link", "rule") for t in after):
                return None
            return i
    return None


def _heading_level(tok: _Token) -> int:
    m = _HEADING_RE.match(tok.lines[0]) if tok.kind == "heading" else None
    return len(m.group("hashes")) if m else 0


def _is_subtitle(text: str, after: list[_Token]) -> bool:
    """The seed's ``## subtitle``: right above a ``### theme``, the only ``##`` of the
    issue but for a 其他动态 list, or right above numbered ``## 一、…`` themes. (In the
    house's layout the first ``##`` is a theme and its ``###`` lines are stories.)"""
    if is_numbered_heading(text) or is_other_news_heading(text):
        return False
    # a "> note" right under it (an extractive draft says what it is) does not count
    after = list(dropwhile(lambda t: t.kind == "text" and all(ln.startswith(">") for ln in t.lines), after))
    nxt = _heading_level(after[0]) if after else 0
    if nxt == 2:  # "## 今日看点" right above "## 一、模型与平台"
        m = _HEADING_RE.match(after[0].lines[0])
        return m is not None and is_numbered_heading(m.group("text"))
    if nxt != 3:
        return False
    return not any(_heading_level(t) == 2 and not is_other_news_heading(t.lines[0]) for t in after)


def _heading_node(tok: _Token, body: list[Node], section: Section | None, after: list[_Token]) -> Node:
    m = _HEADING_RE.match(tok.lines[0])
    assert m is not None
    level, text = len(m.group("hashes")), m.group("text")
    if level == 1 and not any(isinstance(n, Title) for n in body):
        return _checked(Title(text, tok.gap, tok.line), tok)
    is_headline = (
        level == 2
        and section is None
        and not any(isinstance(n, Headline) for n in body)
        and _is_subtitle(text, after)
    )
    if is_headline:
        return _checked(Headline(text, tok.gap, tok.line), tok)
    if level == 1:
        return _raw(tok)
    return _checked(Section(text, [], level, tok.gap, tok.line), tok)


def _item(tok: _Token, lead: list[_Token], bullets: _Token | None) -> Entry:
    m = _LINK_RE.match(tok.lines[0])
    assert m is not None
    level = len(m.group("hashes") or "")
    item = Item(m.group("title"), m.group("url"), [], level, 0, tok.gap, tok.line,
                lead=[Paragraph(list(t.lines), t.gap) for t in lead])
    if bullets is not None:
        item.bullets = _bullets(bullets)
        item.bullets_gap = bullets.gap
    return _checked_entry(item, tok, [*lead, *([bullets] if bullets else [])])


def _insight(tok: _Token, bullets: _Token | None, paragraphs: list[_Token]) -> Entry:
    m = _LABEL_RE.match(tok.lines[0])
    assert m is not None
    insight = Insight([], m.group("label"), m.group("colon"), 0, tok.gap, tok.line,
                      paragraphs=[Paragraph(list(t.lines), t.gap) for t in paragraphs],
                      trail=m.group("trail"))
    if bullets is not None:
        insight.bullets = _bullets(bullets)
        insight.bullets_gap = bullets.gap
    return _checked_entry(insight, tok, [*([bullets] if bullets else []), *paragraphs])


def _brief_list(tok: _Token) -> Entry:
    entries: list[Brief | Bullet] = []
    for line in tok.lines:
        bm = _BULLET_RE.match(line)
        assert bm is not None
        m = _BRIEF_RE.match(bm.group("text"))
        linked = _LINKED_BRIEF_RE.match(bm.group("text"))
        if m:
            entries.append(Brief(m["text"], m["site"], m["url"], bm["marker"], m["close"]))
        elif linked:
            entries.append(Brief(linked["text"], "", linked["url"], bm["marker"], tail=linked["tail"]))
        else:
            entries.append(Bullet(bm.group("text"), bm.group("marker")))
    return _checked_entry(BriefList(entries, tok.gap, tok.line), tok, [])


def _bullets(tok: _Token) -> list[Bullet]:
    out = []
    for line in tok.lines:
        m = _BULLET_RE.match(line)
        assert m is not None
        out.append(Bullet(m.group("text"), m.group("marker")))
    return out


def _footer(tokens: list[_Token]) -> Footer:
    rule, rest = tokens[0], tokens[1:]
    html: list[str] = []
    for k, tok in enumerate(rest):
        if k:
            html.extend([""] * tok.gap)
        html.extend(tok.lines)
    return Footer(html, rest[0].gap if rest else 1, rule.gap, rule.line)


def _raw(tok: _Token) -> Raw:
    return Raw(list(tok.lines), tok.gap, tok.line)


def _checked(node: Node, tok: _Token) -> Node:
    """``node`` if it renders back to the token's lines, else the lines verbatim."""
    return node if node_lines(node) == tok.lines else _raw(tok)


def _checked_entry(entry: Entry, tok: _Token, rest: list[_Token]) -> Entry:
    expected = list(tok.lines)
    for part in rest:
        expected += [""] * part.gap + part.lines
    if entry_lines(entry) == expected:
        return entry
    return _raw(tok)
