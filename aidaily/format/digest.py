"""The digest model: typed data for one issue of the AI 日报.

An issue is front matter plus a body. The body is an ordered list of top-level nodes
(title, headline, sections, footer, and anything not understood kept verbatim as
``Raw``); a section holds entries (items, commentary / labelled blocks, one-liner
lists, raw blocks). Every node remembers how many blank lines precede it (``gap``), so
that ``render(parse(text)) == text`` byte for byte (see ``parse.py`` / ``render.py``).

Values here are plain data: building a digest for a new issue means constructing these
dataclasses with the defaults, which are the house format of the reference issue.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

COMMENTARY_LABEL = "深度解读 & 洞察"
OTHER_NEWS_TITLE = "其他动态"
DRAFT_KEY = "draft"

FieldStyle = Literal["plain", "double", "flow", "raw"]

# Section headings that hold the one-line "其他动态" list: the archive says 其他动态,
# 更多动态, 更多具身智能动态, 其他重要模型动态, 更多资本动向, 开发者工具速览, 更多…
_OTHER_NEWS_RE = re.compile(
    r"(其他|其它|更多)[^：:，,]{0,16}?(动态|动向|发布|进展|影响|新闻|资讯)|^\[?(更多|其他|其它)\]?$|快讯|速览"
)
# "一、" or "1、" / "1. " / "1．" — not "3.5 亿…", a headline that starts with a number.
_NUMBERED_RE = re.compile(r"^(?P<num>[一二三四五六七八九十百]+、|\d+(?:、|\.\s|．)\s*)")


@dataclass
class Field:
    """One front-matter key. ``style`` says how the value is written; ``raw`` keeps
    the exact source text of a field we could not reproduce with any style."""

    key: str
    value: Any
    style: FieldStyle = "plain"
    raw: str | None = None


@dataclass
class FrontMatter:
    """Ordered front-matter fields; unknown keys keep their place and spelling."""

    fields: list[Field] = field(default_factory=list)
    # Lines between the fences that are not part of any key (comments, stray text).
    bom: bool = False

    def get(self, key: str, default: Any = None) -> Any:
        for f in self.fields:
            if f.key == key:
                return f.value
        return default

    def has(self, key: str) -> bool:
        return any(f.key == key for f in self.fields)

    def set(self, key: str, value: Any, style: FieldStyle | None = None) -> None:
        """Set ``key`` (kept in place if present, appended otherwise)."""
        for f in self.fields:
            if f.key == key:
                f.value = value
                if style is not None:
                    f.style = style
                f.raw = None
                return
        self.fields.append(Field(key, value, style or default_style(value)))

    def remove(self, key: str) -> None:
        self.fields = [f for f in self.fields if f.key != key]

    def keys(self) -> list[str]:
        return [f.key for f in self.fields]


def default_style(value: Any) -> FieldStyle:
    """The house style for a value that has no style of its own yet."""
    if isinstance(value, (list, dict)):
        return "flow"
    if isinstance(value, str) and "\n" in value:
        return "double"
    return "plain"


@dataclass
class Bullet:
    """One ``- text`` line; ``marker`` keeps the exact list marker (indent included)."""

    text: str
    marker: str = "- "


@dataclass
class Title:
    """The ``# title`` line."""

    text: str
    gap: int = 0
    line: int = field(default=0, compare=False)


@dataclass
class Headline:
    """The ``## headline`` line: the day's thesis."""

    text: str
    gap: int = 1
    line: int = field(default=0, compare=False)


@dataclass
class Paragraph:
    """A run of text lines (a lead under a headline, or commentary as prose)."""

    lines: list[str]
    gap: int = 1  # blank lines before it


@dataclass
class Item:
    """A linked story: ``[title](url)`` (or ``### [title](url)``), the lead paragraphs
    under it (the house's layout since February; none in the seed's) and its fact
    bullets."""

    title: str
    url: str
    bullets: list[Bullet] = field(default_factory=list)
    heading_level: int = 0  # 0 = a bare link line; 3 = "### [title](url)"
    bullets_gap: int = 0  # blank lines between the link line (or the lead) and the first bullet
    gap: int = 1
    line: int = field(default=0, compare=False)
    lead: list[Paragraph] = field(default_factory=list)

    @property
    def is_heading(self) -> bool:
        return self.heading_level > 0

    def bullet_line(self, index: int) -> int:
        """The 1-based line of fact bullet ``index`` (after the headline and the lead)."""
        lead = sum(p.gap + len(p.lines) for p in self.lead)
        return self.line + 1 + lead + self.bullets_gap + index

    def fact_lines(self) -> list[tuple[int, str]]:
        """The 1-based line and text of every line that states facts: the lead
        paragraph's lines, then the fact bullets (what grounding checks)."""
        out: list[tuple[int, str]] = []
        at = self.line + 1
        for paragraph in self.lead:
            at += paragraph.gap
            for text in paragraph.lines:
                out.append((at, text))
                at += 1
        return out + [(self.bullet_line(i), b.text) for i, b in enumerate(self.bullets)]


@dataclass
class Insight:
    """A bold-labelled block: ``**深度解读 & 洞察：**`` or e.g. ``**影响：**``, holding
    bullets (the seed's layout) or paragraphs (the house's since February)."""

    bullets: list[Bullet] = field(default_factory=list)
    label: str = COMMENTARY_LABEL
    colon: str = "："
    bullets_gap: int = 0
    gap: int = 1
    line: int = field(default=0, compare=False)
    paragraphs: list[Paragraph] = field(default_factory=list)  # after the bullets, if any
    trail: str = ""  # spaces after the closing ``**`` (a markdown line break the house sometimes types)

    @property
    def is_commentary(self) -> bool:
        return is_commentary_label(self.label)

    def bullet_line(self, index: int) -> int:
        return self.line + 1 + self.bullets_gap + index

    @property
    def texts(self) -> list[str]:
        """What the block says: its bullets, then its paragraphs (one line each)."""
        return [b.text for b in self.bullets] + [ln for p in self.paragraphs for ln in p.lines]

    @property
    def is_empty(self) -> bool:
        return not any(t.strip() for t in self.texts)


@dataclass
class Brief:
    """One "其他动态" line: ``- text（[site](url)）`` (the seed's), or, when ``tail`` is
    set, ``- [text](url)tail`` (the house's: the headline linked, a comment after it)."""

    text: str
    site: str
    url: str
    marker: str = "- "
    close: str = "）"  # the series sometimes closes with an ASCII ")"
    tail: str | None = None


@dataclass
class BriefList:
    """The one-liners of a "其他动态" section; lines that are not briefs stay bullets."""

    entries: list[Brief | Bullet] = field(default_factory=list)
    gap: int = 1
    line: int = field(default=0, compare=False)

    @property
    def briefs(self) -> list[Brief]:
        return [e for e in self.entries if isinstance(e, Brief)]


@dataclass
class Raw:
    """Lines the model does not understand, kept verbatim in their place."""

    lines: list[str]
    gap: int = 1
    line: int = field(default=0, compare=False)


Entry = Item | Insight | BriefList | Raw


@dataclass
class Section:
    """A themed section: ``### theme：subtitle`` and its entries."""

    heading: str
    entries: list[Entry] = field(default_factory=list)
    level: int = 3
    gap: int = 1
    line: int = field(default=0, compare=False)

    @property
    def is_other_news(self) -> bool:
        return is_other_news_heading(self.heading) and not self.items

    @property
    def theme(self) -> str:
        return split_heading(self.heading)[0]

    @property
    def subtitle(self) -> str | None:
        return split_heading(self.heading)[1]

    @property
    def items(self) -> list[Item]:
        return [e for e in self.entries if isinstance(e, Item)]

    @property
    def insights(self) -> list[Insight]:
        return [e for e in self.entries if isinstance(e, Insight)]

    @property
    def briefs(self) -> list[Brief]:
        return [b for e in self.entries if isinstance(e, BriefList) for b in e.briefs]


@dataclass
class Footer:
    """``---`` and the footer HTML after it (kept verbatim)."""

    html: list[str] = field(default_factory=list)
    html_gap: int = 1
    gap: int = 1
    line: int = field(default=0, compare=False)


# An Item is a top-level node when a story heading comes before any section (the
# house's December issues: ``## [headline](url)`` stories right under the title).
Node = Title | Headline | Section | Item | Footer | Raw


@dataclass
class Digest:
    """One issue of the digest."""

    front_matter: FrontMatter = field(default_factory=FrontMatter)
    body: list[Node] = field(default_factory=list)
    # Blank lines after the last node; 0 means the file ends without a newline,
    # as the reference does.
    trailing_gap: int = 0
    # "\r\n" when every line of the source ended so; parsing works on "\n" lines.
    newline: str = "\n"

    @property
    def title(self) -> str | None:
        return next((n.text for n in self.body if isinstance(n, Title)), None)

    @property
    def headline(self) -> str | None:
        return next((n.text for n in self.body if isinstance(n, Headline)), None)

    @property
    def sections(self) -> list[Section]:
        return [n for n in self.body if isinstance(n, Section)]

    @property
    def footer(self) -> Footer | None:
        return next((n for n in self.body if isinstance(n, Footer)), None)

    @property
    def items(self) -> list[Item]:
        out: list[Item] = []
        for node in self.body:
            if isinstance(node, Item):
                out.append(node)
            elif isinstance(node, Section):
                out.extend(node.items)
        return out

    @property
    def briefs(self) -> list[Brief]:
        return [b for s in self.sections for b in s.briefs]

    @property
    def summary_lines(self) -> list[str]:
        """The ``summary`` front-matter value as lines without their ``- `` marker."""
        value = self.front_matter.get("summary")
        if not isinstance(value, str) or not value.strip():
            return []
        return [ln.removeprefix("- ") for ln in value.split("\n") if ln.strip()]

    @property
    def is_draft(self) -> bool:
        return bool(self.front_matter.get(DRAFT_KEY, False))


# The labels of commentary: "深度解读 & 洞察" (and the house's typos of it), "深度解读".
_COMMENTARY_RE = re.compile(r"^(深度解读|洞察|解读)")


def is_commentary_label(label: str) -> bool:
    return bool(_COMMENTARY_RE.match(label.strip().strip("*").strip()))


def split_heading(text: str) -> tuple[str, str | None]:
    """``'超算与芯片：AI 军备竞赛…'`` -> ``('超算与芯片', 'AI 军备竞赛…')``; a leading
    ``一、`` numbering is dropped from the theme."""
    body = _NUMBERED_RE.sub("", text, count=1)
    for sep in ("：", ": "):
        if sep in body:
            theme, subtitle = body.split(sep, 1)
            return theme.strip(), subtitle.strip()
    return body.strip(), None


def is_numbered_heading(text: str) -> bool:
    return bool(_NUMBERED_RE.match(text))


def is_other_news_heading(text: str) -> bool:
    return bool(_OTHER_NEWS_RE.search(_NUMBERED_RE.sub("", text.strip(), count=1)))
