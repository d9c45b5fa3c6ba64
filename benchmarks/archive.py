"""The house's archive and the real feed items, read for the trainers in benchmarks/.

- ``archive_stories(dir)``: every story of every published issue in
  ``shared/corpus/aidaily/`` with its section, its place in the issue and a lead. The
  layout changed over the months (see that folder's MANIFEST.md): items are
  ``[headline](url)`` lines, ``##``/``###`` linked headings, unlinked ``###`` headings
  with prose or bullets under them, or 更多动态 one-liners ``- text（[site](url)）``.
- ``feed_items(dir)``: the IT之家 feed items of ``shared/corpus/feeds/ithome/`` (RSS
  and JSON feeds), one per URL, with the start of their text.

Only the scripts read ``shared/``; what they derive is stored in the repository.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from aidaily.format.digest import is_other_news_heading, split_heading

_LINKED_HEADING = re.compile(r"^(#{2,4})\s*\[(?P<title>[^\]]+)\]\((?P<url>[^)\s]+)\)\s*$")
_LINK_LINE = re.compile(r"^\*{0,2}\[(?P<title>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)\*{0,2}\s*$")
_HEADING = re.compile(r"^(#{2,4})\s+(?P<text>.+?)\s*$")
_BRIEF = re.compile(r"^[-*]\s+(?P<text>.+?)[（(]\s*\[[^\]]*\]\((?P<url>https?://[^)\s]+)\)\s*[）)]\s*$")
# "- **[headline](url)**：what happened" (the 更多动态 one-liners from spring on)
_LINKED_BRIEF = re.compile(
    r"^[-*]\s+\*{0,2}\[(?P<title>[^\]]+)\]\((?P<url>https?://[^)\s]+)\)\*{0,2}\s*[：:]?\s*(?P<lead>.*)$")
_LABELS = re.compile(r"^(?:\*\*)?(深度解读|影响|编者注|事件时间|今日摘要|来源)")
_MD = re.compile(r"\*\*|__|`|!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)")


@dataclass
class ArchiveStory:
    day: str
    title: str
    lead: str
    url: str
    section: str  # the theme of its section ("" before any section)
    section_index: int  # 0 = the issue's first themed section
    position: int  # the story's place in the issue, 0 = its first story
    brief: bool  # a 更多动态 one-liner


def _plain(line: str) -> str:
    return _MD.sub(lambda m: m.group(1) or "", line).strip(" -*>#\t")


def _lead(lines: list[str], start: int) -> str:
    """The first line of prose or bullet after line ``start`` (before the next heading)."""
    for line in lines[start + 1:start + 8]:
        s = line.strip()
        if not s or s.startswith("事件时间"):
            continue
        if s.startswith("#") or _LINK_LINE.match(s) or _LABELS.match(s.lstrip("-* ")):
            return ""
        return _plain(s)[:160]
    return ""


def _next_text(lines: list[str], i: int) -> str:
    for line in lines[i + 1:i + 6]:
        if line.strip():
            return line.strip()
    return ""


def read_issue(path: Path) -> list[ArchiveStory]:
    text = path.read_text(encoding="utf-8-sig")
    day = path.stem.removeprefix("ai-daily-")
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":  # skip the front matter
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), 0)
        lines = lines[end + 1:]
    out: list[ArchiveStory] = []
    section, section_index, in_other = "", -1, False
    for i, raw in enumerate(lines):
        line = raw.strip()
        if line.startswith("<") or line == "---" and i > 0 and _next_text(lines, i).startswith("<"):
            break  # the footer
        linked = _LINKED_HEADING.match(line) or _LINK_LINE.match(line)
        if linked:
            out.append(ArchiveStory(day, _plain(linked.group("title")), _lead(lines, i),
                                    linked.group("url"), section, max(section_index, 0),
                                    len(out), in_other))
            continue
        linked_brief = _LINKED_BRIEF.match(line)
        if linked_brief:
            out.append(ArchiveStory(day, _plain(linked_brief.group("title")),
                                    _plain(linked_brief.group("lead"))[:160], linked_brief.group("url"),
                                    section, max(section_index, 0), len(out), in_other))
            continue
        brief = _BRIEF.match(line)
        if brief and in_other:
            out.append(ArchiveStory(day, _plain(brief.group("text")).rstrip("，,。 "), "",
                                    brief.group("url"), section, max(section_index, 0),
                                    len(out), True))
            continue
        heading = _HEADING.match(line)
        if not heading or line.startswith("# "):
            continue
        title = _plain(heading.group("text"))
        if _LABELS.match(title):
            continue
        following = _next_text(lines, i)
        is_item = (len(heading.group(1)) >= 3 and not following.startswith("#")
                   and not _LINK_LINE.match(following) and not is_other_news_heading(title))
        if is_item and section:
            out.append(ArchiveStory(day, title, _lead(lines, i), "", section,
                                    max(section_index, 0), len(out), in_other))
        else:
            in_other = is_other_news_heading(title)
            section = "" if in_other else split_heading(title)[0]
            if not in_other:
                section_index += 1
    return out


def archive_stories(directory: Path) -> list[ArchiveStory]:
    stories = []
    for path in sorted(directory.glob("ai-daily-*.md")):
        stories += read_issue(path)
    return stories


@dataclass
class FeedItem:
    url: str
    title: str
    lead: str
    file: str


def _html_text(fragment: str) -> str:
    from aidaily.text import html_to_text

    return " ".join(html_to_text(fragment).split()) if fragment.strip() else ""


def feed_items(directory: Path, lead_chars: int = 300) -> list[FeedItem]:
    """Every IT之家 item of the saved feeds, first occurrence of each URL kept."""
    import feedparser

    items: dict[str, FeedItem] = {}
    for path in sorted(directory.glob("*")):
        if path.suffix == ".xml":
            for e in feedparser.parse(path.read_bytes()).entries:
                body = e["content"][0]["value"] if e.get("content") else e.get("summary", "")
                items.setdefault(e.link, FeedItem(e.link, html.unescape(e.title).strip(),
                                                  _html_text(body)[:lead_chars], path.name))
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            for e in data.get("items") or data.get("list") or []:
                url = e.get("url") or e.get("id")
                body = e.get("content_html") or e.get("summary") or ""
                items.setdefault(url, FeedItem(url, e["title"].strip(),
                                               _html_text(body)[:lead_chars], path.name))
    return list(items.values())
