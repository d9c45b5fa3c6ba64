"""AI资讯日报 (ai.hubtoday.app): one daily digest page → one ``Article`` per item.

hubtoday is itself a digest. Each numbered item of its daily page is a story of its
own: a bold title, a paragraph with inline links to the originals written
``[anchor(AI资讯)](url)``, optional images (``![AI资讯：…](…avif)``) and videos. So
``parse_listing`` returns finished articles, nothing to fetch.

The page for date D appears at about 06:10 Beijing time on D; a digest written on the
night of D-1 (dated D) therefore reads hubtoday's page for D-1. The markdown source in
the site's GitHub repository is read first (the most robust form); the rendered Hextra
page is the fallback.

Layouts handled (see shared/corpus/hubtoday/):

- 2026 "as published": ``## AI资讯日报 2026/1/18``, ``### **今日摘要**`` + fenced block,
  sections ``### 产品与功能更新`` …, items ``N. **标题。**`` + paragraph on the next line;
- 2026 "final" (edited 2026-03): a UTF-8 BOM, no ``## AI资讯日报`` line,
  ``## **今日摘要**``;
- 2025: ``### **AI产品与功能更新**`` sections, items ``N.  prose with **bold** words``
  (no title line: the first sentence becomes the title), links ``['项目地址'](url)``,
  images as ``[![alt](img)](img)`` and ``<video>`` tags on indented lines.

Item URLs: hubtoday items have no pages of their own, so each item is keyed by the daily
page URL plus a fragment with its 1-based position on the page:
``https://ai.hubtoday.app/2026-01/2026-01-18/#item-3``. The position is stable between
the "as published" and "final" versions of a page (their bodies are identical).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from aidaily.errors import ExtractError
from aidaily.models import Article
from sources.base import Listing, Source
from aidaily.format.links import markdown_parser
from aidaily.text import split_sentences, visible_text
from sources.html_utils import (
    HtmlElement,
    at_local_time,
    drop,
    elements_below,
    looks_like_html,
    normalize_space,
    parse_local_datetime,
    parse_page,
    remove_non_text,
    select,
    select_one,
    strip_markup,
    text_of,
)

SITE = "https://ai.hubtoday.app"
RAW_BASE = (
    "https://raw.githubusercontent.com/justlovemaki/Hextra-AI-Insight-Daily/main/content/cn"
)
ORIGIN = "AI资讯日报"
PUBLISH_HOUR = 8  # items are dated the page's day at 08:00 Beijing time
# A real item paragraph is under 2,000 characters; longer input is cut before markdown-it
# reads it, so a hostile page cannot make one item cost much.
MAX_ITEM_CHARS = 20_000

# Headings whose content is not news items (summary, audio version, the page title).
NON_ITEM_HEADING = re.compile(r"(摘要|语音版|AI资讯日报\s*\d|AI洞察日报\s*\d|AI日报\s*\d)")
# What the rendered page holds besides items: code blocks, the audio table, anchors.
NON_ITEMS = "pre, table, script, style, .hextra-code-block, .subheading-anchor"
# The anchor suffix hubtoday appends to every inline link.
ANCHOR_SUFFIX = re.compile(r"\s*[（(]AI资讯[)）]\s*$")

_PAGE_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(?:\n|\Z)", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM_START = re.compile(r"^(\d{1,3})\.\s+(.*)$")
_BOLD_TITLE = re.compile(r"^\*\*(.+?)\*\*\s*(.*)$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_RULE = re.compile(r"^\s*(-{3,}|\*{3,}|_{3,})\s*$")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)


@dataclass
class _RawItem:
    """One numbered item as found on the page, before cleaning."""

    section: str
    head: str  # the text after "N. " (a bold title in 2026, prose in 2025)
    body: list[str] = field(default_factory=list)  # the lines after it


def page_url(day: date) -> str:
    return f"{SITE}/{day:%Y-%m}/{day:%Y-%m-%d}/"


def raw_markdown_url(day: date) -> str:
    return f"{RAW_BASE}/{day:%Y-%m}/{day:%Y-%m-%d}.md"


class HubtodaySource(Source):
    """AI资讯日报: the daily page of the day before the digest date."""

    name = "hubtoday"

    def listing_urls(self, day: date) -> list[str]:
        page_day = day - timedelta(days=1)
        return [raw_markdown_url(page_day), page_url(page_day)]

    def backfill_urls(self, day: date) -> list[str]:
        return []  # every dated page stays online: listing_urls already reaches back

    def parse_listing(self, url: str, text: str) -> Listing:
        text = (text or "").lstrip("\ufeff")
        if not text.strip():
            raise ExtractError(f"{url}: empty hubtoday page")
        if looks_like_html(text):
            page_day = _page_day(url, "")
            raw_items = _html_items(url, text)
        else:
            front, body = _split_front_matter(text)
            page_day = _page_day(url, front + "\n" + body[:2000])
            raw_items = _markdown_items(body)
        if page_day is None:
            raise ExtractError(
                f"{url}: cannot tell the page's date (no YYYY-MM-DD in the URL, no dated "
                "title in the page)"
            )
        if not raw_items:
            raise ExtractError(
                f"{url}: layout changed: no numbered items (N. **标题。**) under a news section"
            )
        published = at_local_time(page_day, PUBLISH_HOUR)
        return Listing(articles=[
            _to_article(raw, position, page_day, published, self.name)
            for position, raw in enumerate(raw_items, start=1)
        ])

    def parse_article(self, url, html, entry=None) -> Article:
        raise ExtractError(f"{url}: hubtoday has no article pages; parse the daily page instead")


# ---------------------------------------------------------------------- page date
def _split_front_matter(text: str) -> tuple[str, str]:
    m = _FRONT_MATTER.match(text)
    return (m.group(1), text[m.end():]) if m else ("", text)


def _page_day(url: str, head: str) -> date | None:
    """The page's date: from its URL (…/2026-01-18/ or …/2026-01-18.md), else from a
    dated title such as ``AI资讯日报 2026/1/18`` in the front matter or first heading."""
    m = _PAGE_DATE.search(url)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            pass
    for line in head.splitlines():
        if re.match(r"^\s*(date|title)\s*:", line) or line.startswith("#"):
            stamp = parse_local_datetime(line)
            if stamp is not None:
                return stamp.date()
    return None


# ----------------------------------------------------------------- markdown pages
def _markdown_items(body: str) -> list[_RawItem]:
    """Walk the markdown line by line: sections from headings, items from ``N. ``."""
    items: list[_RawItem] = []
    section: str | None = None
    current: _RawItem | None = None
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        heading = _HEADING.match(line)
        if heading:
            current = None
            name = _section_name(heading.group(2))
            section = None if NON_ITEM_HEADING.search(name) else name
            continue
        if _RULE.match(line) or line.lstrip().startswith("|"):
            current = None  # a rule ends the section's list; tables are the audio block
            continue
        start = _ITEM_START.match(line)
        if start and section is not None:
            current = _RawItem(section=section, head=start.group(2).strip())
            items.append(current)
        elif current is not None and line.strip():
            current.body.append(line.strip())
    return items


def _section_name(heading: str) -> str:
    return normalize_space(heading.replace("**", "").replace("__", ""))


# --------------------------------------------------------------------- HTML pages
def _html_items(url: str, html: str) -> list[_RawItem]:
    """Items of the rendered Hextra page: headings give sections, ``ol > li`` items.

    The list item's HTML is turned back into the markdown-ish form the markdown path
    understands (bold → ``**``, links → ``[text](href)``), so both paths share one
    cleaning step.
    """
    page = parse_page(html, url)
    root = select_one(page, "article .content")
    for fallback in ("main article", "main", "body"):
        if root is None:
            root = select_one(page, fallback)
    root = page if root is None else root
    for el in select(root, NON_ITEMS):
        drop(el)
    items: list[_RawItem] = []
    section: str | None = None
    for el in list(elements_below(root, "h1", "h2", "h3", "h4", "ol", "hr")):
        if el.tag == "hr":
            continue
        if el.tag != "ol":
            name = _section_name(text_of(el).rstrip("#").strip())
            section = None if NON_ITEM_HEADING.search(name) else name
            continue
        if section is None or next(el.iterancestors("li"), None) is not None:
            continue
        for li in el.iterchildren("li"):
            head, body = _li_to_markdown(li)
            if head:
                items.append(_RawItem(section=section, head=head, body=body))
    return items


def _replace_with_text(el: HtmlElement, text: str) -> None:
    """Put ``text`` where ``el`` was (its tail stays after it), removing ``el``."""
    parent = el.getparent()
    if parent is None:
        return
    text += el.tail or ""
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    else:
        parent.text = (parent.text or "") + text
    parent.remove(el)


def _li_to_markdown(li: HtmlElement) -> tuple[str, list[str]]:
    """One rendered list item → (head, body lines) in the markdown item form.

    In this order, as each step reads the text the steps before it wrote: images
    become ``![alt](src)``, links ``[text](href)``, bold ``**text**``."""
    for video in list(li.iter("video")):
        drop(video)
    for el in li.iter():  # the page's own brackets are text, not markdown
        el.text = _md_text(el.text) if el.text else el.text
        if el is not li:
            el.tail = _md_text(el.tail) if el.tail else el.tail
    for img in list(li.iter("img")):
        _replace_with_text(img, f"![{_md_text(img.get('alt', ''))}]({_md_url(img.get('src', ''))})")
    for a in list(li.iter("a")):
        if a.get("href") is not None:
            _replace_with_text(a, f"[{text_of(a)}]({_md_url(a.get('href', ''))})")
    for strong in list(li.iter("strong", "b")):
        _replace_with_text(strong, f"**{text_of(strong)}**")
    for br in list(li.iter("br")):
        _replace_with_text(br, "<br/>")
    remove_non_text(li)
    for p in list(li.iter("p")):
        _insert_before(p, "\n")
        if len(p):
            p[-1].tail = (p[-1].tail or "") + "\n"
        else:
            p.text = (p.text or "") + "\n"
    lines = [line.strip() for line in visible_text(li).split("\n") if line.strip()]
    if not lines:
        return "", []
    return lines[0], lines[1:]


def _md_text(text: str) -> str:
    """Text as markdown reads it back: brackets and backslashes escaped."""
    return re.sub(r"([\[\]\\])", r"\\\1", text)


def _md_url(url: str) -> str:
    """A destination markdown reads back whole: ``<url>`` (spaces and unbalanced
    parentheses allowed), or percent-encoded angle brackets when it has some."""
    url = url.strip().replace("\n", "")
    return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"


def _insert_before(el: HtmlElement, text: str) -> None:
    previous, parent = el.getprevious(), el.getparent()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    elif parent is not None:
        parent.text = (parent.text or "") + text


# ------------------------------------------------------------------------- items
def _to_article(raw: _RawItem, position: int, day: date, published: datetime,
                source: str) -> Article:
    title_match = _BOLD_TITLE.match(raw.head)
    # 2026 layout: the head is a bold title (ending in 。). A 2025 item may also open
    # with a bold word ("**Meta**正在…"): that is prose, not a title.
    if title_match and (not title_match.group(2).strip()
                        or title_match.group(1).rstrip().endswith(("。", "！", "？"))):
        title = _clean_title(title_match.group(1))
        paragraph = " ".join([title_match.group(2), *raw.body])
    else:
        paragraph = " ".join([raw.head, *raw.body])  # 2025 layout: prose from the start
        title = ""
    text, links, images = _clean_paragraph(paragraph)
    if not title:
        title = _title_from_text(text)
    return Article(
        url=f"{page_url(day)}#item-{position}",
        source=source,
        title=title,
        text=text,
        published=published,
        origin=ORIGIN,
        images=images,
        links=links,
        section=raw.section,
        ai_relevant=True,  # an AI digest: everything on it is about AI
    )


def _clean_title(value: str) -> str:
    value = normalize_space(strip_markup(value.replace("**", "")))
    return value.rstrip("。.").strip()


def _title_from_text(text: str) -> str:
    """A 2025-layout item has no title: use its first sentence, shortened."""
    sentences = split_sentences(text, semicolons=False, english=False)
    first = sentences[0].rstrip("。！？!?").strip() if sentences else ""
    return first if len(first) <= 60 else first[:59].rstrip() + "…"


def _clean_paragraph(markdown: str) -> tuple[str, list[str], list[str]]:
    """Markdown paragraph → (plain text, outbound links, image URLs), read from
    markdown-it's inline tokens (CommonMark), so a URL with parentheses
    (``…/Transformer_(deep_learning)``), brackets inside an anchor and ``<url>``
    autolinks come out whole.

    Links keep their anchor text (minus "(AI资讯)"); an autolink's text is its URL; a
    link whose only content is an image (``[![alt](img)](img)``) is that image, not a
    link; images, videos and ``<br/>`` go; bold and italic keep their words; any other
    tag is dropped.
    """
    tokens = markdown_parser(html=True).parseInline(markdown[:MAX_ITEM_CHARS])
    children = tokens[0].children if tokens and tokens[0].children else []
    images: list[str] = []
    links: list[str] = []
    parts: list[str] = []
    anchor: list[str] | None = None  # the text of the link being read
    href = ""
    has_image = False
    for token in children:
        out = parts if anchor is None else anchor
        if token.type == "link_open":
            anchor, href, has_image = [], str(token.attrGet("href") or ""), False
        elif token.type == "link_close" and anchor is not None:
            text = "".join(anchor)
            if not (has_image and not text.strip()):
                if _is_web(href):
                    links.append(href)
                parts.append(ANCHOR_SUFFIX.sub("", text).strip("'\"‘’“”"))
            anchor = None
        elif token.type == "image":
            src = str(token.attrGet("src") or "")
            if _is_web(src):
                images.append(src)
            has_image = True
            out.append(" ")
        elif token.type in ("text", "code_inline"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append(" ")
        elif token.type == "html_inline":
            out.append(" " if _BR.fullmatch(token.content.strip()) else "")
    # CommonMark's flanking rules leave CJK bold next to punctuation unread ("到**$60**，"):
    # those delimiters come out as text. And a guard: a tag markdown-it read as text.
    text = strip_markup("".join(parts).replace("**", ""))
    return normalize_space(text), list(dict.fromkeys(links)), list(dict.fromkeys(images))


def _is_web(url: str) -> bool:
    return url.startswith(("http://", "https://"))
