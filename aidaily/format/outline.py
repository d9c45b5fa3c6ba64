"""An issue as a reader counts it: themes, stories and one-liners, in every layout.

``parse`` keeps the syntax (headings, link lines, labelled blocks, paragraphs) so that
rendering gives the text back byte for byte; this module reads that syntax the way a
reader of the series does. It is the one place that says what a story is, for eval's
counts and matching, the house figures (``benchmarks/house.py``) and lint.

- **Stories** are story headings, linked (``### [headline](url)``, ``#### [..](..)``)
  or not (``### headline`` over its own text), and the seed's bare ``[headline](url)``
  lines. What follows a story until the next story or theme belongs to it: the lead
  paragraphs, its fact bullets (also those of a labelled block such as
  ``**核心成果：**``, and of a sub-heading inside an unlinked story), and its
  commentary (``**深度解读 & 洞察：**`` as bullets or paragraphs, ``### 深度解读 & 洞察``,
  an inline ``**深度解读：** …``).
- **Themes** are the headings that hold stories directly: ``## theme`` over
  ``### [headline](url)`` items (the house's), ``### theme`` over bare link lines (the
  seed's), numbered ``### 一、…`` over ``####`` items. A heading with text of its own
  and no story under it is an unlinked story, not a theme.
- **One-liners** are the lines of a 其他动态 / 更多动态 list, with a link or without.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from aidaily.format.digest import (
    Brief,
    BriefList,
    Bullet,
    Digest,
    Insight,
    Item,
    Raw,
    Section,
    is_commentary_label,
    is_other_news_heading,
)

StoryKind = Literal["item", "heading", "brief"]

# A heading that labels a part of the story above it, not a story: "### 深度解读 & 洞察",
# "### 影响", "#### 关键数据".
_PART_HEADING_RE = re.compile(r"^(深度解读|洞察|解读|影响|点评|启示|关键|核心|背景|亮点|数据|意义)")
_INLINE_LABEL_RE = re.compile(r"^\*\*(?P<label>[^*]{1,16}?)[：:]\*\*\s*(?P<text>.*)$")
_BULLET_RE = re.compile(r"^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+(?P<text>.*)$")


@dataclass
class Story:
    """One story of an issue. ``url`` is "" for a story without a link."""

    title: str
    url: str
    kind: StoryKind
    line: int
    facts: list[str] = field(default_factory=list)  # fact bullets
    commentary: list[str] = field(default_factory=list)  # commentary bullets or paragraphs
    lead: list[str] = field(default_factory=list)  # paragraph lines under the headline

    @property
    def is_empty(self) -> bool:
        return not (self.facts or self.commentary or self.lead)


@dataclass
class Theme:
    """A themed heading and the stories it holds directly."""

    heading: str
    level: int
    line: int
    stories: list[Story] = field(default_factory=list)


@dataclass
class Outline:
    """What a reader counts in an issue."""

    themes: list[Theme] = field(default_factory=list)  # only those holding a story
    stories: list[Story] = field(default_factory=list)  # main stories, in order
    briefs: list[Story] = field(default_factory=list)  # 其他动态 / 更多动态 lines

    @property
    def all_stories(self) -> list[Story]:
        return [*self.stories, *self.briefs]


def is_part_heading(text: str) -> bool:
    """A heading naming a part of a story (its commentary, its impact, its data)."""
    body = text.strip().strip("*").rstrip("：:").strip()
    return len(body) <= 12 and bool(_PART_HEADING_RE.match(body))


def outline(digest: Digest) -> Outline:
    """The themes, stories and one-liners of ``digest`` (see the module doc)."""
    return _Reader().read(digest)


class _Reader:
    """Walks the body in order, heading by heading, keeping what is open."""

    def __init__(self) -> None:
        self.out = Outline()
        self.stack: list[Theme] = []  # open themes, outermost first
        self.story: Story | None = None
        self.story_level = 0  # a story heading's level (deeper headings are its parts)
        self.list_level = 0  # the 更多动态 heading's level (deeper empty headings are lines)
        self.commentary = False  # under "### 深度解读 & 洞察"

    def read(self, digest: Digest) -> Outline:
        for k, node in enumerate(digest.body):
            if isinstance(node, Item):
                self._item(node, theme=None)
            elif isinstance(node, Section):
                self._section(node, digest.body[k + 1 :])
        self.out.themes = [t for t in self.out.themes if t.stories]
        return self.out

    def _section(self, section: Section, after: list) -> None:
        level = section.level
        if is_other_news_heading(section.heading) and not section.items:
            self.out.briefs.extend(_one_liners(section))
            self.story, self.story_level, self.list_level = None, 0, level
            return
        if self.list_level and level > self.list_level and not section.entries:
            # "## 更多动态" over one "### headline" per line (the house, February)
            self.out.briefs.append(Story(section.heading, "", "brief", section.line))
            return
        self.list_level = 0
        if self.story is not None and (is_part_heading(section.heading)
                                       or (self.story_level and level > self.story_level)):
            self.commentary = is_commentary_label(section.heading)
            self._entries(section.entries, theme=None, level=level)
            return
        self.story, self.story_level, self.commentary = None, 0, False
        self._close(level)
        if not section.items and _is_link_list(section):
            # "## 开源与开发者生态" over "- [project](url)：what it is" lines: one-liners
            self.out.briefs.extend(_one_liners(section))
            return
        linked = _linked_heading(section)
        in_heading = _LINK_IN_LINE_RE.search(section.heading)
        own = [i for i in section.items if not i.heading_level or i.heading_level > level]
        if linked is None and not in_heading and (own or not _has_text(section)
                                                   or _stories_below(section, after) >= 2):
            theme = Theme(section.heading, level, section.line)
            self.stack.append(theme)
            self.out.themes.append(theme)
            self._entries(section.entries, theme, level)
            return
        if linked is None and not in_heading and not self.out.stories and _is_intro(section):
            # "## 今日主线" over a paragraph, then "## [headline](url)" stories (2025-12-14)
            self._entries(section.entries, theme=None, level=level)
            return
        url = linked.url if linked else _link_url(in_heading.group(0)) if in_heading else ""
        title = _LINK_IN_LINE_RE.sub(lambda m: _link_text(m.group(0)), section.heading)
        story = Story(title, url, "heading", section.line)
        if linked is not None:
            story.lead = [ln for p in linked.lead for ln in p.lines]
            story.facts = [b.text for b in linked.bullets if b.text.strip()]
        self._add(story, self.stack[-1] if self.stack else None)
        self.story_level = level
        self._entries([e for e in section.entries if e is not linked], theme=None, level=level)

    def _entries(self, entries: list, theme: Theme | None, level: int) -> None:
        for entry in entries:
            if isinstance(entry, Item):
                # "### [headline](url)" after a "### heading" is its sibling, not its child
                deeper = not entry.heading_level or entry.heading_level > level
                self._item(entry, theme if deeper else None)
            elif self.story is not None:
                _take(self.story, [entry], commentary=self.commentary)

    def _item(self, item: Item, theme: Theme | None) -> None:
        if theme is None:  # a story heading outside its theme's section, or under a part
            if item.heading_level:
                self._close(item.heading_level)
            theme = self.stack[-1] if self.stack else None
        self._add(_story_of(item), theme)
        self.story_level, self.commentary = item.heading_level, False

    def _add(self, story: Story, theme: Theme | None) -> None:
        self.story = story
        self.out.stories.append(story)
        if theme is not None:
            theme.stories.append(story)

    def _close(self, level: int) -> None:
        while self.stack and self.stack[-1].level >= level:
            self.stack.pop()


# The text of a link that stands for the story's heading above it ("### 标题" then
# "[链接](url)"): the story is the heading, the link its URL.
_GENERIC_LINK_TEXTS = frozenset({"链接", "原文", "来源", "阅读原文", "原文链接", "详情", "查看原文", "link", "source"})


def _linked_heading(section: Section) -> Item | None:
    items = section.items
    if len(items) == 1 and section.entries[0] is items[0] and items[0].title.strip().lower() in _GENERIC_LINK_TEXTS:
        return items[0]
    return None


def _story_of(item: Item) -> Story:
    story = Story(item.title, item.url, "item", item.line,
                  facts=[b.text for b in item.bullets if b.text.strip()],
                  lead=[ln for p in item.lead for ln in p.lines])
    _split_lead(story)
    return story


_LINK_IN_LINE_RE = re.compile(r"\[[^\]]+\]\(https?://[^)\s]+\)")


def _is_link_list(section: Section) -> bool:
    """Nothing but bullet lines, each with a link (and perhaps a ``---`` rule)."""
    lines = [ln for e in section.entries for ln in (e.lines if isinstance(e, Raw) else [None])]
    return bool(lines) and all(
        ln is not None and (ln.strip() in ("", "---") or (_BULLET_RE.match(ln) and _LINK_IN_LINE_RE.search(ln)))
        for ln in lines)


def _stories_below(section: Section, after: list) -> int:
    """Sub-headings of ``section`` that are stories of their own: each has its own
    commentary ("## theme" with an intro, then "### headline" + 深度解读 & 洞察)."""
    count = 0
    for node in after:
        if not isinstance(node, Section) or node.level <= section.level:
            break
        if is_part_heading(node.heading):
            continue
        if any(isinstance(e, Insight) and e.is_commentary for e in node.entries) or any(
                isinstance(e, Raw) and any(_is_commentary_line(ln) for ln in e.lines) for e in node.entries):
            count += 1
    return count


def _is_commentary_line(line: str) -> bool:
    label = _INLINE_LABEL_RE.match(line.strip())
    return label is not None and is_commentary_label(label["label"])


def _is_intro(section: Section) -> bool:
    """Prose only, then story headings of its own level: the issue's introduction."""
    first = next((k for k, e in enumerate(section.entries)
                  if isinstance(e, Item) and 0 < e.heading_level <= section.level), None)
    return bool(first) and all(
        isinstance(e, Raw) and not any(_BULLET_RE.match(ln) for ln in e.lines) for e in section.entries[:first])


def _has_text(section: Section) -> bool:
    return any(not isinstance(e, Raw) or any(line.strip() for line in e.lines) for e in section.entries)


def _take(story: Story, entries: list, commentary: bool) -> None:
    """Add what ``entries`` say to ``story``: bullets as facts (or as commentary under a
    commentary label), paragraphs as lead, inline ``**深度解读：** …`` as commentary."""
    for entry in entries:
        if isinstance(entry, Insight):
            target = story.commentary if entry.is_commentary or commentary else story.facts
            target.extend(t for t in entry.texts if t.strip())
        elif isinstance(entry, BriefList):
            for e in entry.entries:
                text = e.text if isinstance(e, Bullet) else (e.text + (e.tail or ""))
                (story.commentary if commentary else story.facts).append(text)
        elif isinstance(entry, Raw):
            _take_lines(story, entry.lines, commentary)
        elif isinstance(entry, Item):  # cannot happen: items are stories
            continue


def _take_lines(story: Story, lines: list[str], commentary: bool) -> None:
    in_commentary = commentary
    for line in lines:
        text = line.strip()
        if not text or text == "---":
            continue
        label = _INLINE_LABEL_RE.match(text)
        if label:
            in_commentary = commentary or is_commentary_label(label["label"])
            if label["text"]:
                (story.commentary if in_commentary else story.lead).append(label["text"])
            continue
        bullet = _BULLET_RE.match(line)
        if in_commentary:
            story.commentary.append(bullet["text"] if bullet else text)
        elif bullet:
            story.facts.append(bullet["text"])
        else:
            story.lead.append(text)


def _split_lead(story: Story) -> None:
    """Lead lines that are bullets (``核心要点：`` then ``- …`` with no blank line) are
    facts; an inline commentary label starts the commentary."""
    lines, story.lead = story.lead, []
    _take_lines(story, lines, commentary=False)


def _one_liners(section: Section) -> list[Story]:
    out: list[Story] = []
    for entry in section.entries:
        if isinstance(entry, BriefList):
            for k, e in enumerate(entry.entries):
                if isinstance(e, Brief):
                    out.append(Story(e.text, e.url, "brief", entry.line + k))
                elif e.text.strip():
                    out.append(_line_story(e.text.strip(), entry.line + k))
        elif isinstance(entry, Raw):
            for k, line in enumerate(entry.lines):
                bullet = _BULLET_RE.match(line)
                if bullet and bullet["text"].strip():
                    out.append(_line_story(bullet["text"].strip(), entry.line + k))
    return out


def _link_text(link: str) -> str:
    return link[1 : link.index("](")]


def _link_url(link: str) -> str:
    return link[link.index("](") + 2 : -1]


def _line_story(text: str, line: int) -> Story:
    """A one-liner read from its text: ``[headline](url)：comment`` is the headline and
    its link; ``**headline**：comment`` or plain text is itself, without the bold."""
    link = _LINK_IN_LINE_RE.search(text)
    if link and link.start() == 0:
        return Story(_link_text(link.group(0)), _link_url(link.group(0)), "brief", line)
    plain = _LINK_IN_LINE_RE.sub(lambda m: _link_text(m.group(0)), text)
    url = _link_url(link.group(0)) if link else ""
    return Story(plain.replace("**", "").strip(), url, "brief", line)


__all__ = ["Outline", "Story", "StoryKind", "Theme", "is_part_heading", "outline"]
