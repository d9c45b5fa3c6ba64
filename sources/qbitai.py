"""量子位 (www.qbitai.com, WordPress): site and 资讯 feeds, date archives, article pages.

qbitai answers 403 to some default User-Agents, hence ``browser_user_agent``.

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
    Element,
    block_lines,
    canonical_url,
    css_below,
    css_class,
    css_select,
    css_select_one,
    css_tag,
    drop_label,
    first_text,
    image_urls,
    looks_like_xml_feed,
    meta_content,
    parse_feed,
    parse_iso_datetime,
    parse_local_datetime,
    parse_page,
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
SIDEBAR_TAGS = frozenset(["aside", "footer", "nav"])
SIDEBAR_CLASSES = frozenset(["sidebar", "right", "hot", "hot_posts"])
LISTING_BOX = re.compile(r"(picture_text|text_box|post|item)")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
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
    browser_user_agent = True

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
        body = css_select_one(page, css_class("article")) or \
            css_select_one(page, lambda el: el.name == "div" and "article_content" in el.classes)
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
    for el in css_select(page, lambda el: el.name in SIDEBAR_TAGS or el.get("id") == "sidebar"
                          or not SIDEBAR_CLASSES.isdisjoint(el.classes)):
        el.decompose()
    entries: dict[str, FeedEntry] = {}
    for a in page.find_all("a"):
        if a.get("href") is None:
            continue
        link = urljoin(url, a["href"])
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
    if not entries and not page.find("body"):
        raise ExtractError(f"{url}: not an HTML listing page")
    return list(entries.values())


def _listing_time(anchor: Element):
    """The date/time printed next to an entry on a listing page, when there is one."""
    box = anchor.find_parent(lambda el: any(LISTING_BOX.search(c) for c in el.classes))
    if box is None:
        return None
    return parse_local_datetime(first_text(box, [css_class("time"), css_tag("time"),
                                                 css_class("date")]))


# ------------------------------------------------------------------------ articles
def _title(page: Element, entry: FeedEntry | None) -> str:
    title = first_text(page, [css_tag("h1", below=("article",)), css_tag("h1")])
    head_title = page.find("title")
    if not title and head_title:
        title = re.sub(r"\s*[-–|]\s*量子位\s*$", "", text_of(head_title))
    return title or (entry.title if entry else "")


def _stamp_texts(page: Element) -> tuple[str, str, str]:
    """Date and time printed beside the author, and the meta published_time."""
    date_text = first_text(page, [css_class("date", below=("article_info",)), css_class("date")])
    time_text = first_text(page, [css_class("time", below=("article_info",)), css_class("time")])
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


def _rel_author(el: Element) -> bool:
    """``a[rel=author]``: rel is a list attribute, compared ASCII-case-insensitively."""
    rel = el.get("rel")
    return el.name == "a" and rel is not None and \
        " ".join(re.findall(r"\S+", rel)).translate(_ASCII_LOWER) == "author"


def _author(page: Element) -> str:
    return drop_label(first_text(page, [
        css_tag("a", below=("article_info", "author")),
        css_class("author", below=("article_info",)),
        css_tag("a", below=("author",)),
        _rel_author,
    ]), "作者")


def _origin(page: Element) -> str:
    origin = first_text(page, [css_tag("a", below=("article_info", "source")),
                               css_class("source", below=("article_info",))])
    return drop_label(origin, "来源") or "量子位"


def _tags(page: Element) -> list[str]:
    tags: list[str] = []
    for a in css_select(page, lambda el: el.name == "a" and (
            css_below(el, ("tags",)) or css_below(el, ("article_tags",))
            or "/tag/" in el.get("href", ""))):
        value = text_of(a)
        if value and value not in tags:
            tags.append(value)
    return tags


def _strip_references(body: Element, url: str) -> list[str]:
    """Remove the 参考链接 block (marker + the URL lines after it); return its URLs."""
    links: list[str] = []
    for block in list(body.find_all(["p", "div", "h2", "h3", "h4"])):
        if block.decomposed or not REFERENCES_MARKER.match(text_of(block)):
            continue
        parts = [block, *block.find_next_siblings()]
        for part in parts:
            text = text_of(part)
            if part is not block and not re.match(r"^(\[\d+\]\s*)?https?://", text) and \
                    not part.name in ("ul", "ol"):
                break
            links.extend(re.findall(r"https?://[^\s<>\"'\]]+", text))
            links.extend(urljoin(url, a["href"]) for a in part.find_all("a")
                         if a.get("href") is not None)
            part.decompose()
    return list(dict.fromkeys(links))


def _remove_furniture(body: Element) -> None:
    """Byline, copyright line, pop-up, tags, author box and the 相关阅读/热门文章 tail."""
    for el in css_select(body, lambda el: el.get("id") in FURNITURE_IDS
                          or not FURNITURE_CLASSES.isdisjoint(el.classes)):
        el.decompose()
    for heading in list(body.find_all(["h2", "h3", "h4", "div", "p"])):
        if heading.decomposed or not TAIL_HEADINGS.match(text_of(heading)):
            continue
        for sibling in list(heading.find_next_siblings()):
            sibling.decompose()
        heading.decompose()
    for block in list(body.find_all(["p", "blockquote", "div", "span", "section"])):
        if block.decomposed or block.find(["p", "div", "blockquote", "section"]):
            continue  # judge leaf blocks only; a wrapper would take the article with it
        if BOILERPLATE_TEXT.search(text_of(block)):
            container = block.parent
            block.decompose()
            # A byline blockquote left empty goes too.
            if container is not None and container.name == "blockquote" and not text_of(container):
                container.decompose()
    for a in body.find_all("a"):
        if "/tag/" in a.get("href", ""):
            a.decompose()
