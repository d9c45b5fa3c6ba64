"""量子位 (www.qbitai.com, WordPress): site and 资讯 feeds, date archives, article pages.

qbitai answers 403 to some library User-Agents (``python-httpx/…``); the configured one is
a crawler's (``Mozilla/5.0 (compatible; aidaily/…; +contact)``), which names aidaily.

Page structure (see shared/corpus/SOURCES.md): ``h1`` title; author, date
``2025-11-30`` and time ``13:18:27`` beside it; body ``.article``. The body opens with
a subtitle and the byline ``XX 发自 凹非寺 / 量子位 | 公众号 QbitAI`` and ends with
参考链接, the copyright line, tag links, an author box, 相关阅读 and 热门文章; the
"扫码关注量子位" pop-up and its inline script text leak into naive extraction. All of
that is removed here; the 参考链接 URLs are kept in ``Article.links``.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from urllib.parse import quote, urljoin, urlsplit

from aidaily.errors import ExtractError
from aidaily.models import Article, FeedEntry
from sources.base import Listing, Source
from sources.html_utils import (
    HtmlElement,
    attached,
    block_lines,
    canonical_url,
    classes,
    drop,
    drop_label,
    elements_below,
    first_ancestor,
    first_text,
    image_urls,
    looks_like_xml_feed,
    meta_content,
    parse_feed,
    parse_iso_datetime,
    parse_local_datetime,
    parse_page,
    select,
    select_any,
    select_one,
    text_of,
)

HOST = "www.qbitai.com"
SITE_FEED = f"https://{HOST}/feed/"
NEWS_FEED = f"https://{HOST}/category/{quote('资讯')}/feed/"

ARTICLE_PATH = re.compile(r"^/(\d{4})/(\d{2})/(\d+)\.html$")
ARCHIVE_PATH = re.compile(r"^/(\d{4})/(\d{2})/(\d{2})/?")

# Blocks of the body that are boilerplate, by their whole text.
BOILERPLATE_TEXT = re.compile(
    r"(发自\s*凹非寺|量子位\s*[|｜]\s*公众号\s*QbitAI|版权所有，未经授权不得以任何形式转载|"
    r"扫码关注|^\s*//\s*\$\(|^\s*\$\(['\"]\.)"
)
# Headings after which everything in the same container is page furniture.
TAIL_HEADINGS = re.compile(r"^(相关阅读|热门文章|推荐阅读|最新文章)$")
REFERENCES_MARKER = re.compile(r"^参考(链接|资料|文献)[:：]?")
# Page furniture that may sit inside .article depending on the theme version: elements
# of these classes and ids.
FURNITURE_CLASSES = frozenset([
    "tags", "article_tags", "author_box", "person_box", "author-box", "related",
    "related_posts", "hot_posts", "weixin_pop", "biaojiwei", "share", "article_info", "zan",
    "copyright",
])
FURNITURE_IDS = frozenset(["pophead", "wx_img"])
# Containers of a listing page whose links are not the day's articles (sidebars …).
SIDEBAR_TAGS = "aside, footer, nav"
SIDEBAR_CLASSES = frozenset(["sidebar", "right", "hot", "hot_posts"])
LISTING_BOX = re.compile(r"(picture_text|text_box|post|item)")
TAG_LINKS = '.tags a, .article_tags a, a[href*="/tag/"]'
NON_CONTENT_IMAGES = ("/themes/", "qbitai-logo", "head.jpg", "avatar", "qrcode", "erweima")


def canonical_qbitai_url(url: str) -> str:
    """``http://qbitai.com/2026/01/370077.html?x#y`` → ``https://www.qbitai.com/2026/01/370077.html``."""
    parts = urlsplit(url)
    host = parts.hostname or HOST
    if host in ("qbitai.com", HOST):
        host = HOST
    keep_query = not ARTICLE_PATH.match(parts.path)  # ?p=123 style links need their query
    return canonical_url(url, host=host, keep_query=keep_query)


class QbitaiSource(Source):
    """量子位: WordPress feeds for the current day, the date archive for past days."""

    name = "qbitai"

    def listing_urls(self, day: date) -> list[str]:
        return [SITE_FEED, NEWS_FEED]

    def backfill_urls(self, day: date) -> list[str]:
        # The digest dated D covers the 24 h of D-1, so the archive page of D-1 is read.
        window_day = day - timedelta(days=1)
        return [f"https://{HOST}/{window_day:%Y/%m/%d}/"]

    def parse_listing(self, url: str, text: str) -> Listing:
        if looks_like_xml_feed(text):
            return Listing(entries=parse_feed(url, text, self.name, canonical=canonical_qbitai_url))
        return Listing(entries=_parse_archive(url, text, self.name))

    def parse_article(self, url: str, html: str, entry: FeedEntry | None = None) -> Article:
        page = parse_page(html, url)
        body = select_one(page, ".article")
        if body is None:
            body = select_one(page, "div.article_content")
        if body is None:
            raise ExtractError(f"{url}: layout changed: no .article body container found")
        # The page's metadata is read first, the body is then cleaned in place; the time
        # is parsed where it always was (a hostile one raises, after an empty body would).
        title = _title(page, entry)
        stamps = _stamp_texts(page)
        author, origin, tags = _author(page), _origin(page), _tags(page)
        links = _strip_references(body, url)
        _remove_furniture(body)
        images = image_urls(body, url, skip=NON_CONTENT_IMAGES)
        lines = [line for line in block_lines(body) if line != title]
        if not lines:
            raise ExtractError(f"{url}: .article is empty (no text after cleaning)")
        return Article(
            url=canonical_qbitai_url(url),
            source=self.name,
            title=title,
            text="\n".join(lines),
            published=_published(stamps, entry),
            author=author,
            origin=origin,
            images=images,
            tags=tags,
            links=links,
            ai_relevant=None,
        )


# ------------------------------------------------------------------------ listings
def _parse_archive(url: str, html: str, source: str) -> list[FeedEntry]:
    """Entries of a WordPress listing page (date archive ``/YYYY/MM/DD/``, home, category).

    Article links are ``/YYYY/MM/NNN.html``; sidebars (热门文章 …) link to other days,
    so on a date archive only links of the archive's month are kept, and links inside
    aside/sidebar/footer containers are ignored everywhere.
    """
    page = parse_page(html, url)
    archive = ARCHIVE_PATH.match(urlsplit(url).path)
    for el in [*select(page, SIDEBAR_TAGS), *select_any(page, SIDEBAR_CLASSES, ["sidebar"])]:
        drop(el)
    entries: dict[str, FeedEntry] = {}
    for a in elements_below(page, "a"):
        href = a.get("href")
        if href is None:
            continue
        link = urljoin(url, href)
        m = ARTICLE_PATH.match(urlsplit(link).path)
        if not m or (urlsplit(link).hostname or HOST).removeprefix("www.") != "qbitai.com":
            continue
        if archive and (m.group(1), m.group(2)) != (archive.group(1), archive.group(2)):
            continue
        title = text_of(a)
        key = canonical_qbitai_url(link)
        if key in entries and entries[key].title:
            continue
        entries[key] = FeedEntry(
            url=key, title=title, source=source, published=_listing_time(a),
        )
    if not entries and page.find("body") is None:
        raise ExtractError(f"{url}: not an HTML listing page")
    return list(entries.values())


def _listing_time(anchor: HtmlElement):
    """The date/time printed next to an entry on a listing page, when there is one."""
    box = first_ancestor(anchor, lambda el: any(LISTING_BOX.search(c) for c in classes(el)))
    if box is None:
        return None
    return parse_local_datetime(first_text(box, [".time", "time", ".date"]))


# ------------------------------------------------------------------------ articles
def _title(page: HtmlElement, entry: FeedEntry | None) -> str:
    title = first_text(page, [".article h1", "h1"])
    head_title = select_one(page, "title")
    if not title and head_title is not None:
        title = re.sub(r"\s*[-–|]\s*量子位\s*$", "", text_of(head_title))
    return title or (entry.title if entry else "")


def _stamp_texts(page: HtmlElement) -> tuple[str, str, str]:
    """Date and time printed beside the author, and the meta published_time."""
    date_text = first_text(page, [".article_info .date", ".date"])
    time_text = first_text(page, [".article_info .time", ".time"])
    return date_text, time_text, meta_content(page, "article:published_time")


def _published(stamps: tuple[str, str, str], entry: FeedEntry | None):
    """Date and time printed beside the author (Beijing time), else meta, else feed."""
    date_text, time_text, meta_time = stamps
    stamp = parse_local_datetime(f"{date_text} {time_text}".strip()) if date_text else None
    if stamp is None:
        stamp = parse_iso_datetime(meta_time)
    if stamp is None and entry is not None:
        stamp = entry.published
    return stamp


def _author(page: HtmlElement) -> str:
    return drop_label(first_text(page, [
        ".article_info .author a", ".article_info .author", ".author a", "a[rel~=author]",
    ]), "作者")


def _origin(page: HtmlElement) -> str:
    origin = first_text(page, [".article_info .source a", ".article_info .source"])
    return drop_label(origin, "来源") or "量子位"


def _tags(page: HtmlElement) -> list[str]:
    tags: list[str] = []
    for a in select(page, TAG_LINKS):
        value = text_of(a)
        if value and value not in tags:
            tags.append(value)
    return tags


def _strip_references(body: HtmlElement, url: str) -> list[str]:
    """Remove the 参考链接 block (marker + the URL lines after it); return its URLs."""
    links: list[str] = []
    for block in list(elements_below(body, "p", "div", "h2", "h3", "h4")):
        if not attached(block, body) or not REFERENCES_MARKER.match(text_of(block)):
            continue
        parts = [block, *(el for el in block.itersiblings() if isinstance(el.tag, str))]
        for part in parts:
            text = text_of(part)
            if part is not block and not re.match(r"^(\[\d+\]\s*)?https?://", text) and \
                    part.tag not in ("ul", "ol"):
                break
            links.extend(re.findall(r"https?://[^\s<>\"'\]]+", text))
            links.extend(urljoin(url, str(a.get("href"))) for a in elements_below(part, "a")
                         if a.get("href") is not None)
            drop(part)
    return list(dict.fromkeys(links))


def _remove_furniture(body: HtmlElement) -> None:
    """Byline, copyright line, pop-up, tags, author box and the 相关阅读/热门文章 tail."""
    for el in select_any(body, FURNITURE_CLASSES, FURNITURE_IDS):
        drop(el)
    for heading in list(elements_below(body, "h2", "h3", "h4", "div", "p")):
        if not attached(heading, body) or not TAIL_HEADINGS.match(text_of(heading)):
            continue
        for sibling in list(heading.itersiblings()):
            if isinstance(sibling.tag, str):
                drop(sibling)
        drop(heading)
    for block in list(elements_below(body, "p", "blockquote", "div", "span", "section")):
        if not attached(block, body) or \
                next(elements_below(block, "p", "div", "blockquote", "section"), None) is not None:
            continue  # judge leaf blocks only; a wrapper would take the article with it
        if BOILERPLATE_TEXT.search(text_of(block)):
            container = block.getparent()
            drop(block)
            # A byline blockquote left empty goes too.
            if container is not None and container is not body and \
                    container.tag == "blockquote" and not text_of(container):
                drop(container)
    for a in list(elements_below(body, "a")):
        if "/tag/" in a.get("href", ""):
            drop(a)
