"""Render a ``Digest`` to markdown in the house format.

The inverse of ``parse.parse``: ``render(parse(text)) == text`` for every text the
parser accepts. Rendering is line based: each node yields its lines, preceded by
``gap`` blank lines, and the whole is joined with ``\\n``; the file ends without a
newline unless ``trailing_gap`` says otherwise (the reference ends on ``</div>``).
"""

from __future__ import annotations

from copy import deepcopy

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
)
from aidaily.format.front_matter import format_front_matter, house_style


def render(digest: Digest) -> str:
    """The digest as markdown text."""
    lines = format_front_matter(digest.front_matter)
    for node in digest.body:
        lines.extend([""] * node.gap)
        lines.extend(node_lines(node))
    lines.extend([""] * digest.trailing_gap)
    return digest.newline.join(lines)


def node_lines(node: Node) -> list[str]:
    """The source lines of one top-level node (without its leading gap)."""
    if isinstance(node, Title):
        return [f"# {node.text}"]
    if isinstance(node, Headline):
        return [f"## {node.text}"]
    if isinstance(node, Section):
        lines = [f"{'#' * node.level} {node.heading}"]
        for entry in node.entries:
            lines.extend([""] * entry.gap)
            lines.extend(entry_lines(entry))
        return lines
    if isinstance(node, Footer):
        return ["---", *([""] * node.html_gap), *node.html] if node.html else ["---"]
    if isinstance(node, Item):
        return entry_lines(node)
    return list(node.lines)


def entry_lines(entry: Entry) -> list[str]:
    """The source lines of one section entry (without its leading gap)."""
    if isinstance(entry, Item):
        link = f"[{entry.title}]({entry.url})"
        head = f"{'#' * entry.heading_level} {link}" if entry.heading_level else link
        return _with_bullets([head, *_paragraph_lines(entry.lead)], entry.bullets, entry.bullets_gap)
    if isinstance(entry, Insight):
        head = f"**{entry.label}{entry.colon}**{entry.trail}"
        return _with_bullets([head], entry.bullets, entry.bullets_gap) + _paragraph_lines(entry.paragraphs)
    if isinstance(entry, BriefList):
        return [brief_line(e) if isinstance(e, Brief) else bullet_line(e) for e in entry.entries]
    if isinstance(entry, Raw):
        return list(entry.lines)
    raise TypeError(f"not a section entry: {entry!r}")


def bullet_line(bullet: Bullet) -> str:
    return f"{bullet.marker}{bullet.text}"


def brief_line(brief: Brief) -> str:
    if brief.tail is not None:
        return f"{brief.marker}[{brief.text}]({brief.url}){brief.tail}"
    return f"{brief.marker}{brief.text}（[{brief.site}]({brief.url}){brief.close}"


def _paragraph_lines(paragraphs: list[Paragraph]) -> list[str]:
    return [line for p in paragraphs for line in ([""] * p.gap + p.lines)]


def _with_bullets(head: list[str], bullets: list[Bullet], gap: int) -> list[str]:
    if not bullets:
        return head
    return [*head, *([""] * gap), *(bullet_line(b) for b in bullets)]


def canonical(digest: Digest) -> Digest:
    """A copy of ``digest`` in the strict house layout of the reference.

    Front-matter values are written in the house styles (flow lists, double-quoted
    ``coverImage`` / ``summary``), one blank line between blocks, bullets right under
    their link or label, one-liners closed with ``）``, LF line ends, no BOM, no
    newline at the end. Content is never changed; ``Raw`` blocks stay verbatim.
    """
    out = deepcopy(digest)
    fm = out.front_matter
    fm.bom = False
    for f in fm.fields:
        if f.key:
            f.raw, f.style = None, house_style(f.key, f.value)
    for index, node in enumerate(out.body):
        node.gap = 0 if index == 0 else 1
        if isinstance(node, Footer):
            node.html_gap = 1
        if isinstance(node, Section):
            for entry in node.entries:
                entry.gap = 1
                if isinstance(entry, (Item, Insight)):
                    entry.bullets_gap = 0
                if isinstance(entry, Item) and entry.lead:
                    # the house's lead paragraph stands apart from headline and bullets
                    for paragraph in entry.lead:
                        paragraph.gap = 1
                    entry.bullets_gap = 1
                if isinstance(entry, BriefList):
                    for e in entry.entries:
                        if isinstance(e, Brief):
                            e.close = "）"
    out.trailing_gap, out.newline = 0, "\n"
    return out
