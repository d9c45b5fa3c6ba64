"""Assemble: the plan and the written parts become a ``Digest`` in the house format.

Pure: no model, no I/O beyond reading the footer template. ``[digest] layout`` picks
the shape. ``"2026-01"`` (the default) is the reference's
(``shared/reference/ai-daily-2026-01-19.md``):

    front matter  title, date, category, tags, seo, coverImage, summary [, draft]
    # title
    ## headline
    ### theme：subtitle          per plan section
    [headline](url)              per story, then its "- " fact bullets
    **深度解读 & 洞察：**         after a story, or after a group sharing one block
    ### 其他动态                  "- line（[site](url)）"
    ---  + the footer HTML        no trailing newline

``"2026-02"`` is the house's since February (``tests/fixtures/aidaily/ai-daily-2026-02-10.md``):

    # title
    ## theme：subtitle           per plan section (no ## headline above)
    ### [headline](url)          per story
    lead paragraph               the story's first fact (the write prompt asks for a 导语)
    - **label**：fact            the other facts, "label：fact" written bold-labelled
    **深度解读 & 洞察：**         then one paragraph per commentary point
    ## 更多动态                   "- [headline](url)"

Model text is untrusted like the articles it read: ``clean`` removes HTML, turns
markdown links into their text and square brackets into full-width ones, so no
bullet can add a link, a heading or markup to the draft.

A follow-up (a story an earlier issue ran, back with new facts: ``Story.follow_up``)
says so: its headline, or its 其他动态 line, starts with ``（后续）``
(``memory.recall.mark_follow_up``), in every mode.
"""

from __future__ import annotations

from datetime import date

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aidaily.format.digest import (
    DRAFT_KEY,
    Brief,
    BriefList,
    Bullet,
    Digest,
    Footer,
    FrontMatter,
    Headline,
    Insight,
    Item,
    Node,
    Paragraph,
    Raw,
    Section,
    Title,
)
from aidaily.editor.prompting import footer_lines
from aidaily.memory.recall import mark_follow_up
from aidaily.text import distinct_lines

if TYPE_CHECKING:
    from aidaily.config import Settings
    from aidaily.editor.schema import Plan
    from aidaily.models import Story

OTHER_NEWS_HEADING = "其他动态"
MORE_NEWS_HEADING = "更多动态"  # the house's name for the list since February
# "标签：事实" -> "**标签**：事实": a short label (2–8 characters, no punctuation inside).
_FACT_LABEL_RE = re.compile(r"^(?P<label>[^，。：；、,.:;！？!?\s][^，。：；、,.:;！？!?]{1,7})：(?P<fact>\S.*)$")

_BLOCK_RE = re.compile(r"<(script|style|iframe|object|noscript)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"</?[A-Za-z!/][^<>]*>?")
_MD_LINK_RE = re.compile(r"!?\[([^\[\]]*)\]\([^()\s]*\)")
_URL_RE = re.compile(r"\b(?:https?|javascript|data|vbscript):\S*", re.IGNORECASE)
_LIST_PREFIX_RE = re.compile(r"^\s*(?:(?:[-*+•·]|\d{1,2}[.)、])\s+)+")
_ASCII_QUOTES_RE = re.compile(r'"([^"\n]*)"')
_CJK = r"\u4e00-\u9fff"
_CJK_LATIN_RE = re.compile(rf"([{_CJK}])([A-Za-z0-9])")
_LATIN_CJK_RE = re.compile(rf"([A-Za-z0-9%])([{_CJK}])")


@dataclass
class ItemText:
    """One story as written: its link text and fact bullets."""

    headline: str
    facts: list[str]


@dataclass
class Finalized:
    """The issue-level texts (from the finalize step or its fallback)."""

    title: str
    headline: str
    summary: list[str]
    seo: list[str]


@dataclass
class Written:
    """Everything the write steps produced, keyed by story id."""

    items: dict[str, ItemText] = field(default_factory=dict)
    # the story ids of a plan group -> the commentary bullets after the group
    commentary: dict[tuple[str, ...], list[str]] = field(default_factory=dict)
    briefs: dict[str, str] = field(default_factory=dict)
    # story id -> the prompt ids of its articles the writer set aside (not the same news)
    set_aside: dict[str, list[str]] = field(default_factory=dict)


def clean(text: str, *, strip_end: bool = True) -> str:
    """Model (or article) text made safe and house-styled for one markdown line."""
    text = html.unescape(html.unescape(text))
    text = _BLOCK_RE.sub("", text)
    text = _TAG_RE.sub("", text)
    text = text.replace("<", "＜").replace(">", "＞")
    text = _MD_LINK_RE.sub(r"\1", text)
    text = _URL_RE.sub("", text)
    text = text.replace("[", "【").replace("]", "】").replace("`", "")
    text = text.replace("**", "").replace("__", "")
    text = " ".join(text.split())
    text = _LIST_PREFIX_RE.sub("", text).lstrip("#>|").strip()
    text = _ASCII_QUOTES_RE.sub(r"“\1”", text)
    text = _CJK_LATIN_RE.sub(r"\1 \2", text)
    text = _LATIN_CJK_RE.sub(r"\1 \2", text)
    if strip_end:
        text = text.rstrip("。；;，,. ")
    return text.strip()


def clean_lines(lines: Sequence[str]) -> list[str]:
    return [c for c in (clean(x) for x in lines) if c]


def site_name(url: str) -> str:
    """The link text of a 其他动态 line: ``qbitai`` for www.qbitai.com, ``ithome`` for
    www.ithome.com, the whole host for others such as ``ai.hubtoday.app``."""
    host = (urlsplit(url).hostname or "").lower()
    host = host.removeprefix("www.")
    labels = host.split(".")
    if len(labels) == 2 or (len(labels) == 3 and labels[-2] in ("com", "net", "org")):
        return labels[0]
    return host or "source"


def cover_image(
    day: date, plan: Plan, stories: Mapping[str, Story], settings: Settings
) -> str | None:
    """``coverImage``: the fixed ``digest.cover_image``, else by ``cover.provider``: the
    issue's own cover (``render`` / ``openai``: ``cover.url_prefix`` + its file name, the
    file made when the draft is written, ``editor.cover``), the first main story's lead
    picture (``source``) or none."""
    if settings.digest.cover_image:
        return settings.digest.cover_image
    if settings.cover.made_here:
        return settings.cover.url(day)
    if settings.cover.provider != "source":
        return None
    for sid in plan.main_ids:
        story = stories.get(sid)
        for article in story.articles if story else []:
            if article.lead_image and article.lead_image.startswith(("http://", "https://")):
                return article.lead_image
    return None


def front_matter(
    day: date,
    final: Finalized,
    cover: str | None,
    settings: Settings,
    *,
    draft: bool = False,
) -> FrontMatter:
    """Front matter in the reference's key order and quoting."""
    fm = FrontMatter()
    fm.set("title", clean(final.title), "plain")
    fm.set("date", day.isoformat(), "plain")
    fm.set("category", settings.digest.category, "plain")
    fm.set("tags", list(settings.digest.tags), "flow")
    seo = list(dict.fromkeys([*settings.digest.seo_prefix, *clean_lines(final.seo)]))
    fm.set("seo", seo, "flow")
    if cover:
        fm.set("coverImage", cover, "double")
    fm.set("summary", "\n".join(f"- {line}" for line in clean_lines(final.summary)), "double")
    if draft:
        fm.set(DRAFT_KEY, True, "plain")
    return fm


def item_headline(text: str, story: Story) -> str:
    """An item's headline or a one-liner as the draft prints it (a follow-up marked)."""
    line = clean(text)
    return mark_follow_up(line) if story.follow_up is not None and line else line


def labelled_fact(text: str) -> str:
    """``标签：事实`` as the house writes it since February: ``**标签**：事实``."""
    m = _FACT_LABEL_RE.match(text)
    return f"**{m['label']}**：{m['fact']}" if m else text


def _item(headline: str, url: str, facts: list[str], layout: str) -> Item:
    if layout != "2026-02" or not facts:
        return Item(title=headline, url=url, bullets=[Bullet(b) for b in facts])
    return Item(title=headline, url=url, heading_level=3, lead=[Paragraph([facts[0]], gap=1)],
                bullets=[Bullet(labelled_fact(b)) for b in facts[1:]], bullets_gap=1)


def _insight(points: list[str], layout: str) -> Insight:
    if layout != "2026-02":
        return Insight(bullets=[Bullet(b) for b in points])
    return Insight(paragraphs=[Paragraph([p], gap=0 if k == 0 else 1) for k, p in enumerate(points)])


def sections(plan: Plan, written: Written, stories: Mapping[str, Story],
             layout: str = "2026-01") -> list[Section]:
    """The themed sections of the plan, with the stories that were written."""
    out = []
    for plan_section in plan.sections:
        entries: list[Item | Insight | BriefList | Raw] = []
        for group in plan_section.groups:
            ids = [sid for sid in group.story_ids if sid in written.items and sid in stories]
            for sid in ids:
                text = written.items[sid]
                entries.append(_item(item_headline(text.headline, stories[sid]), stories[sid].url,
                                     distinct_lines(clean_lines(text.facts)), layout))
            bullets = distinct_lines(clean_lines(written.commentary.get(tuple(group.story_ids), [])))
            if ids and group.commentary and bullets:
                entries.append(_insight(bullets, layout))
        if entries:
            level = 2 if layout == "2026-02" else 3
            out.append(Section(heading=clean(plan_section.title), entries=entries, level=level))
    return out


def other_news(plan: Plan, written: Written, stories: Mapping[str, Story],
               layout: str = "2026-01") -> Section | None:
    ids = [sid for sid in plan.other_ids
           if sid in written.briefs and sid in stories and clean(written.briefs[sid])]
    if not ids:
        return None
    if layout == "2026-02":
        lines = [Brief(text=item_headline(written.briefs[sid], stories[sid]), site="",
                       url=stories[sid].url, tail="") for sid in ids]
        return Section(heading=MORE_NEWS_HEADING, entries=[BriefList(entries=list(lines))], level=2)
    briefs = [Brief(text=item_headline(written.briefs[sid], stories[sid]), site=site_name(stories[sid].url),
                    url=stories[sid].url) for sid in ids]
    return Section(heading=OTHER_NEWS_HEADING, entries=[BriefList(entries=list(briefs))])


def assemble(
    day: date,
    plan: Plan,
    written: Written,
    final: Finalized,
    stories: Mapping[str, Story],
    settings: Settings,
    *,
    draft: bool = False,
    note: str | None = None,
) -> Digest:
    """The digest of ``day``.

    Args:
        day: the digest date.
        plan: the plan (pruned of dropped stories; ids missing from ``written`` are
            skipped anyway).
        written: headlines, facts, commentary and briefs by story id.
        final: title, H2 headline, summary lines and seo keywords.
        stories: story id -> story (for links and the cover image).
        draft: add ``draft: true`` to the front matter.
        note: a visible note under the headline (e.g. "not written by a model").
    """
    layout = settings.digest.layout
    body: list[Node] = [Title(clean(final.title), gap=0)]
    if layout != "2026-02":  # the house's layout since February has no "## headline"
        body.append(Headline(clean(final.headline), gap=1))
    if note:
        body.append(Raw([f"> {clean(note, strip_end=False)}"], gap=1))
    body.extend(sections(plan, written, stories, layout))
    other = other_news(plan, written, stories, layout)
    if other is not None:
        body.append(other)
    body.append(Footer(html=footer_lines(settings.prompts_dir), html_gap=1, gap=1))
    fm = front_matter(day, final, cover_image(day, plan, stories, settings), settings, draft=draft)
    return Digest(front_matter=fm, body=body, trailing_gap=0)
