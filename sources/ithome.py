"""IT之家 (www.ithome.com): the site-wide RSS feed and article pages.

ithome covers all of tech (phones, cars, games…), so its articles leave here with
``ai_relevant=None``: relevance is decided at selection time from the text.

Page structure (see shared/corpus/SOURCES.md): title ``<h1>``; body
``div#paragraph.post_content``; meta ``#pubtime_baidu`` (Beijing time, ``2026/1/18
7:20:46``), ``#source_baidu a``, ``#author_baidu strong``, ``#editor_baidu``; lazy
images with the real URL in ``data-original``. Boilerplate inside the body is removed:
the 投稿 thanks (``div.tougao-user``), the 广告声明 (``p.ad-tips``), trailing 相关阅读
lists and "IT之家附上参考地址" lists.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from aidaily.errors import ExtractError
from aidaily.models import Article, FeedEntry
from sources.base import Listing, Source
from sources.html_utils import (
    HtmlElement,
    attached,
    block_lines,
    canonical_url,
    drop,
    drop_label,
    elements_below,
    image_urls,
    meta_content,
    parse_feed,
    parse_local_datetime,
    parse_page,
    select,
    select_one,
    text_of,
)

FEED_URL = "https://www.ithome.com/rss/"
HOST = "www.ithome.com"

# The lazy-load placeholder every <img> carries in src.
PLACEHOLDER_IMAGES = ("/images/v2/t.png", "/images/v2/t.gif")

# Blocks of these classes are boilerplate: the 投稿 thanks and the 广告声明.
BOILERPLATE_SELECTOR = ".tougao-user, .ad-tips"
# Paragraphs that are boilerplate wherever they appear in the body.
BOILERPLATE_PARAGRAPH = re.compile(
    r"^(广告声明[:：]|感谢IT之家网友.{0,40}的线索投递|相关阅读[:：]\s*《)"
)
# Paragraphs that start a trailing list (the marker and the list after it go).
TRAILING_LIST_MARKER = re.compile(
    r"^(相关阅读[:：]?|(IT之家)?附(上)?(参考|相关|官方|官网|原文)?(地址|链接|来源)[:：]?)$"
)
# An entry of such a list: 《title》, a bare URL, or a "- " bullet.
LIST_ENTRY = re.compile(r"^(《.+》|https?://\S+|[-•·]\s*\S.*)$")

_MOBILE_URL = re.compile(r"^/html/(?:\w+/)?(\d{6,})\.htm$")


def canonical_ithome_url(url: str) -> str:
    """``http://ithome.com/0/914/192.htm?utm=…#x`` → ``https://www.ithome.com/0/914/192.htm``.

    Mobile pages (``m.ithome.com/html/914192.htm``) map to the desktop URL of the same
    news id, so both keys are the same article.
    """
    parts = urlsplit(url.strip() if "://" in url else "https:" + url)
    m = _MOBILE_URL.match(parts.path)
    if m and (parts.hostname or "").startswith("m."):
        news_id = m.group(1)
        path = f"/{news_id[:-6] or '0'}/{news_id[-6:-3]}/{news_id[-3:]}.htm"
        return f"https://{HOST}{path}"
    host = parts.hostname or HOST
    if host in ("ithome.com", "www.ithome.com"):
        host = HOST
    return canonical_url(url, host=host, keep_query=False)


class IthomeSource(Source):
    """IT之家: one RSS feed for the whole site, one page per article."""

    name = "ithome"

    def listing_urls(self, day: date) -> list[str]:
        return [FEED_URL]

    def parse_listing(self, url: str, text: str) -> Listing:
        return Listing(entries=parse_feed(url, text, self.name, canonical=canonical_ithome_url))

    def parse_article(self, url: str, html: str, entry: FeedEntry | None = None) -> Article:
        page = parse_page(html, url)
        body = select_one(page, "#paragraph")
        if body is None:
            raise ExtractError(
                f"{url}: layout changed: no #paragraph (div.post_content) article body found"
            )
        # The page's metadata is read first (none of it can fail): the body is then
        # cleaned in place.
        title, published = _title(page, entry), _published(page, entry)
        author, origin, tags = _author(page), _origin(page), _tags(page)
        editor = drop_label(_meta_field(page, "editor_baidu"), "责编")
        images = image_urls(body, url, skip=PLACEHOLDER_IMAGES)
        links = _remove_boilerplate(body)
        lines = block_lines(body)
        if not lines:
            raise ExtractError(f"{url}: #paragraph is empty (no text after cleaning)")
        return Article(
            url=canonical_ithome_url(url),
            source=self.name,
            title=title,
            text="\n".join(lines),
            published=published,
            author=author,
            origin=origin,
            editor=editor,
            images=images,
            tags=tags,
            links=links,
            ai_relevant=None,
        )


# ------------------------------------------------------------------------- helpers
def _title(page: HtmlElement, entry: FeedEntry | None) -> str:
    title = text_of(select_one(page, "h1"))
    head_title = select_one(page, "title")
    if not title and head_title is not None:
        title = re.sub(r"\s*[-_|]\s*IT之家\s*$", "", text_of(head_title))
    return title or (entry.title if entry else "")


def _meta_field(page: HtmlElement, name: str, inner: str | None = None) -> str:
    """Text of the meta element ``#name`` (or ``.name``), preferring its ``inner`` child
    (``#author_baidu strong``)."""
    el = select_one(page, f"#{name}")
    if el is None:
        el = select_one(page, f".{name}")
    if el is None:
        return ""
    if inner:
        child = next(elements_below(el, inner), None)
        if child is not None and text_of(child):
            return text_of(child)
    return text_of(el)


def _published(page: HtmlElement, entry: FeedEntry | None):
    # #pubtime_baidu is Beijing wall-clock time without a zone.
    stamp = parse_local_datetime(_meta_field(page, "pubtime_baidu"))
    if stamp is None:
        stamp = parse_local_datetime(meta_content(page, "article:published_time", "pubdate"))
    if stamp is None and entry is not None:
        stamp = entry.published
    return stamp


def _author(page: HtmlElement) -> str:
    return drop_label(_meta_field(page, "author_baidu", "strong"), "作者")


def _origin(page: HtmlElement) -> str:
    return drop_label(_meta_field(page, "source_baidu", "a"), "来源")


def _tags(page: HtmlElement) -> list[str]:
    """Keywords of the page (``meta keywords``), which ithome fills with its tags."""
    raw = meta_content(page, "keywords")
    return [t.strip() for t in re.split(r"[,，]", raw) if t.strip()]


def _remove_boilerplate(body: HtmlElement) -> list[str]:
    """Drop the 投稿 thanks, 广告声明 and trailing 相关阅读 / 参考地址 lists, in place.

    Returns the URLs of the 参考地址 list (the article's sources, worth keeping).
    """
    links: list[str] = []
    for el in select(body, BOILERPLATE_SELECTOR):
        drop(el)
    for block in list(elements_below(body, "p", "div")):
        if not attached(block, body):  # went with an earlier marker
            continue
        if block.tag == "div" and next(elements_below(block, "p", "div", "ul", "ol"), None) \
                is not None:
            continue  # a wrapper: judge its paragraphs, not the whole of it
        text = text_of(block)
        if BOILERPLATE_PARAGRAPH.match(text):
            drop(block)
        elif TRAILING_LIST_MARKER.match(text):
            removed = _remove_marker_and_list(block)
            if not text.startswith("相关阅读"):  # related ithome articles are not sources
                links.extend(removed)
    return list(dict.fromkeys(links))


def _remove_marker_and_list(marker: HtmlElement) -> list[str]:
    """Remove a 相关阅读 / 参考地址 marker and the list-like blocks right after it;
    return the http(s) links they held."""
    removed: list[HtmlElement] = []
    for sibling in marker.itersiblings():
        if not isinstance(sibling.tag, str):
            continue  # a comment between the entries
        if sibling.tag in ("ul", "ol") or LIST_ENTRY.match(text_of(sibling)) or _only_links(sibling):
            removed.append(sibling)
        else:
            break
    hrefs = (a.get("href") for block in removed for a in elements_below(block, "a"))
    links = [h for h in hrefs if h is not None and h.startswith(("http://", "https://"))]
    for block in [*removed, marker]:
        drop(block)
    return links


def _only_links(block: HtmlElement) -> bool:
    """True for a block whose whole text is its links' text (a list of references)."""
    links = "".join(text_of(a) for a in elements_below(block, "a"))
    text = text_of(block).strip("《》-•· ")
    return bool(links) and text.replace("《", "").replace("》", "") == links.replace("《", "").replace("》", "")
