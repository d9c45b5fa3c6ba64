"""The house's archive and the real feed items, read for the trainers in benchmarks/.

- ``archive_stories(dir)``: every story of every published issue in
  ``shared/corpus/aidaily/`` with its section, its place in the issue and a lead, read
  by ``aidaily.format.outline`` (every layout the archive has).
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

from aidaily.format.digest import split_heading

_MD = re.compile(r"\*\*|__|`|!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)")


def _plain(line: str) -> str:
    return _MD.sub(lambda m: m.group(1) or "", line).strip(" -*>#\t")

@dataclass
class ArchiveStory:
    day: str
    title: str
    lead: str
    url: str
    section: str  # the theme of its section ("" for a one-liner)
    section_index: int  # 0 = the issue's first themed section
    position: int  # the story's place in the issue, 0 = its first story
    brief: bool  # a 更多动态 one-liner


def read_issue(path: Path) -> list[ArchiveStory]:
    """The stories of one published issue as a reader counts them
    (``aidaily.format.outline``, the one place that says what a story is): each main
    story with its theme, its place and its lead (its first lead line, else its first
    fact), then the one-liners."""
    from aidaily.format.outline import outline
    from aidaily.format.parse import parse

    day = path.stem.removeprefix("ai-daily-")
    issue = outline(parse(path.read_text(encoding="utf-8-sig")))
    out: list[ArchiveStory] = []
    for index, theme in enumerate(issue.themes):
        for story in theme.stories:
            lead = _plain((story.lead or story.facts or [""])[0])[:160]
            out.append(ArchiveStory(day, _plain(story.title), lead, story.url,
                                    split_heading(theme.heading)[0], index, len(out), False))
    for brief in issue.briefs:
        out.append(ArchiveStory(day, _plain(brief.title), "", brief.url, "", len(issue.themes),
                                len(out), True))
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
