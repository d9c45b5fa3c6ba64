"""What the review page shows, as data and escaped HTML: no web framework in here.

- ``render_draft``: the draft as the blog shows it (markdown -> HTML through markdown-it
  with raw HTML *disabled*, so any tag that comes from a source or a model is text),
  each fact bullet wrapped with its grounding result and its line number; the footer
  block after ``---`` is the site's own template and is the only HTML passed through.
- ``source_view``: the source article of one fact bullet with the sentence nearest to
  it highlighted (``<mark>``), or "not found".
- ``draft_list``: every draft date with its state (draft, edited, published, or
  unreadable with the reason: one bad file does not hide the others).

Everything derived from a source, the model or the draft goes through ``escape`` or
markdown-it; templates autoescape what they print. Only absolute http(s) URLs become
links (``aidaily.text.is_http_url``): markdown-it's link check is that test, templates
pass every ``href`` built from data through ``http_url``, and the footer's HTML keeps no
other link, script or event handler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from aidaily.checks.grounding import bullet_line, check_bullet, ground_bullet, support_of
from aidaily.errors import AidailyError, DigestParseError
from aidaily.format.digest import Digest, Footer, Item, Section
from aidaily.format.links import URL_ATTRIBUTES, footer_attributes
from aidaily.format.parse import parse
from aidaily.format.render import entry_lines, node_lines
from aidaily.memory.blog import series_posts
from aidaily.store.drafts import Drafts
from aidaily.text import is_http_url

if TYPE_CHECKING:

    from aidaily.checks.grounding import ItemSources
    from aidaily.config import Settings
    from aidaily.review.report import Flag


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    class HttpLinksOnly(MarkdownIt):
        def validateLink(self, url: str) -> bool:  # noqa: N802 - markdown-it's name
            return is_http_url(url)

    # commonmark with html=False: "<script>" in the text is rendered as "&lt;script&gt;";
    # a link or image whose URL is not absolute http(s) stays text.
    return HttpLinksOnly("commonmark", {"html": False, "linkify": False, "typographer": False})


def http_url(url: object) -> str:
    """``url`` when it is an absolute http(s) URL, else "" (the templates' ``href`` filter:
    ``{% set href = url | http_url %}{% if href %}<a href="{{ href }}">…``)."""
    return str(url) if is_http_url(url) else ""


def safe_footer(html: str) -> Markup:
    """The footer's HTML sanitised by nh3 (ammonia) to the one footer allow-list of lint
    (``aidaily.format.links.FOOTER_TAGS``): no scripts, handlers, frames, forms, comments
    or styles, and no link or image that is not absolute http(s)."""
    def http_only(tag: str, attribute: str, value: str) -> str | None:
        return value if attribute not in URL_ATTRIBUTES or is_http_url(value) else None

    allowed = footer_attributes()
    return Markup(nh3.clean(html, tags=set(allowed), attributes={t: set(a) for t, a in allowed.items()},
                            attribute_filter=http_only, strip_comments=True, link_rel=None,
                            url_schemes={"http", "https"}))


def md_block(text: str) -> Markup:
    return Markup(_md().render(text))


def md_inline(text: str) -> Markup:
    return Markup(_md().renderInline(text))


# --- the draft ----------------------------------------------------------------------------


@dataclass
class RenderedDraft:
    html: Markup
    title: str
    summary: list[str] = field(default_factory=list)
    bullets: int = 0
    flagged: int = 0
    parse_error: str | None = None


def render_draft(text: str, flags: list[Flag]) -> RenderedDraft:
    """The draft as HTML; fact bullets carry ``data-line`` and a grounding class."""
    try:
        digest = parse(text)
    except DigestParseError as exc:
        body = Markup('<pre class="raw-draft">{}</pre>').format(text)
        return RenderedDraft(body, "", parse_error=str(exc))
    by_line = {f.line: f for f in flags}
    out = RenderedDraft(Markup(""), str(digest.title or digest.front_matter.get("title") or ""),
                        digest.summary_lines)
    parts: list[Markup] = []
    for node in digest.body:
        if isinstance(node, Item):  # "## [headline](url)" before any section
            parts.append(_item_html(node, by_line, out))
        elif isinstance(node, Section):
            parts.append(md_block("#" * node.level + " " + node.heading))
            for entry in node.entries:
                if isinstance(entry, Item):
                    parts.append(_item_html(entry, by_line, out))
                else:
                    parts.append(md_block("\n".join(entry_lines(entry))))
        elif isinstance(node, Footer):
            # The site's own footer template (telegram card): passed through, cleaned.
            parts.append(Markup('<hr>\n<div class="site-footer">{}</div>').format(
                safe_footer("\n".join(node.html))))
        else:
            parts.append(md_block("\n".join(node_lines(node))))
    out.html = Markup("\n").join(parts)
    return out


def _item_html(item: Item, by_line: dict[int, Flag], out: RenderedDraft) -> Markup:
    link = md_inline(f"[{item.title}]({item.url})")
    head = (Markup("<h{0}>{1}</h{0}>").format(item.heading_level, link) if item.heading_level
            else Markup("<p class=\"item-link\">{}</p>").format(link))
    rows = []
    for index, bullet in enumerate(item.bullets):
        line = bullet_line(item, index)
        flag = by_line.get(line)
        out.bullets += 1
        if flag is None:
            state, badge, title = "ok", "✓", "grounded in the source"
        else:
            out.flagged += 1
            state, badge, title = "flagged", "⚠", flag.message
        rows.append(Markup(
            '<li class="bullet {state}" data-line="{line}" tabindex="0" role="button" '
            'title="{title}"><span class="badge" aria-label="{state}">{badge}</span> {text}</li>'
        ).format(state=state, line=line, title=title, badge=badge, text=md_inline(bullet.text)))
    # The house's layout since February: a lead paragraph between headline and facts.
    lead_flags = [by_line[line] for line, _ in item.fact_lines()[: sum(len(p.lines) for p in item.lead)]
                  if line in by_line]
    lead = Markup("").join(md_block("\n".join(p.lines)) for p in item.lead)
    if lead and lead_flags:
        out.flagged += len(lead_flags)
        lead = Markup('<div class="lead flagged" title="{}">⚠ {}</div>').format(
            "; ".join(f.message for f in lead_flags), lead)
    return Markup('<div class="item" data-line="{}">{}{}<ul class="facts">{}</ul></div>').format(
        item.line, head, lead, Markup("").join(rows))


# --- one bullet's source ------------------------------------------------------------------


@dataclass
class SourceView:
    line: int
    bullet: str = ""
    item_title: str = ""
    url: str = ""
    article_title: str = ""
    article_url: str = ""
    body: Markup = field(default_factory=Markup)
    nearest: str = ""
    found: bool = False  # the nearest sentence was located in the article
    ok: bool = False
    missing_numbers: list[str] = field(default_factory=list)
    missing_names: list[str] = field(default_factory=list)
    error: str | None = None
    own: bool = False  # the article shown is the item's own linked article
    weak_merge: bool = False  # only another article of a weak merge supports the bullet


def find_bullet(digest: Digest, line: int) -> tuple[Item, int] | None:
    for item in digest.items:
        for index in range(len(item.bullets)):
            if bullet_line(item, index) == line:
                return item, index
    return None


def source_view(text: str, line: int, sources: ItemSources) -> SourceView:
    """The source of the fact bullet at ``line`` with its nearest sentence marked."""
    view = SourceView(line)
    try:
        digest = parse(text)
    except DigestParseError as exc:
        view.error = f"the draft does not parse: {exc}"
        return view
    found = find_bullet(digest, line)
    if found is None:
        view.error = f"no fact bullet at line {line} (the draft changed? reload the page)"
        return view
    item, index = found
    view.bullet, view.item_title, view.url = item.bullets[index].text, item.title, item.url
    candidates = sources.articles_for(item.url)
    if not candidates:
        view.error = "source article not found: the link is not a fetched article"
        return view
    whole, _ = ground_bullet(view.bullet, item.url, sources)  # the verdict the review gives
    assert whole is not None
    # The article the review says supports the bullet (its own first); else the one
    # whose nearest sentence comes closest.
    supported_by, view.weak_merge = support_of(view.bullet, item.url, sources) if whole.ok else ("", False)
    best = None
    for article in candidates:
        check = check_bullet(view.bullet, f"{article.title}\n{article.text}")
        rank = (article.url == supported_by, check.score, check.ok)
        if best is None or rank > best[0]:
            best = (rank, article, check)
    assert best is not None
    _, article, check = best
    own = sources.article_at(item.url)
    view.own = own is not None and own.url == article.url
    view.ok = whole.ok
    view.missing_numbers, view.missing_names = whole.missing_numbers, whole.missing_names
    view.article_title, view.article_url = article.title, article.url
    view.nearest = check.nearest_sentence
    view.body, view.found = highlight(article.text, check.nearest_sentence)
    return view


def highlight(text: str, sentence: str) -> tuple[Markup, bool]:
    """``text`` as escaped paragraphs with ``sentence`` wrapped in ``<mark>``."""
    at = text.find(sentence) if sentence else -1
    if at < 0:
        return _paragraphs(text), False
    marked = Markup("{}<mark id=\"nearest\">{}</mark>{}").format(
        text[:at], sentence, text[at + len(sentence):])
    return _paragraphs_markup(marked), True


def _paragraphs(text: str) -> Markup:
    return _paragraphs_markup(escape(text))


def _paragraphs_markup(html: Markup) -> Markup:
    # Sentences never span a newline (grounding splits after each), so splitting the
    # escaped text on newlines cannot cut a <mark> or an entity in two.
    return Markup("\n").join(Markup("<p>{}</p>").format(Markup(p))
                             for p in str(html).split("\n") if p.strip())


# --- the list of drafts -------------------------------------------------------------------


@dataclass
class DraftEntry:
    day: str
    state: str  # draft | edited | published | unreadable
    title: str = ""
    versions: int = 0
    published_at: str = ""
    error: str = ""  # why an unreadable draft cannot be shown


def draft_list(settings: Settings) -> list[DraftEntry]:
    """Every date with a draft (or a post), newest first; a draft that cannot be read is
    listed as ``unreadable`` with the reason."""
    drafts = Drafts(settings.drafts_dir)
    ran = set(series_posts(settings))  # the blog read once for the whole list
    out = []
    for day in reversed(drafts.days()):
        versions = len(drafts.versions(day))
        try:
            out.append(DraftEntry(day, draft_state(settings, day, drafts, ran), _title(drafts, day), versions))
        except AidailyError as exc:
            out.append(DraftEntry(day, "unreadable", versions=versions, error=str(exc)))
    return out


def draft_state(settings: Settings, day: str, drafts: Any = None, ran: set[date] | None = None) -> str:
    """published (aidaily's post exists, or the blog has a post of the series of that
    date: ``ran``, default read from the blog), edited (changed since aidaily wrote it),
    or draft."""
    drafts = drafts or Drafts(settings.drafts_dir)
    when = date.fromisoformat(day)
    if settings.post_path(when).exists() or when in (set(series_posts(settings)) if ran is None else ran):
        return "published"
    if drafts.read_current(day) is None:
        return "missing"
    return "edited" if drafts.is_hand_edited(day) else "draft"


def _title(drafts: Any, day: str) -> str:
    text = drafts.read_current(day) or ""
    for line in text.split("\n")[:40]:
        if line.startswith("title:"):
            return line[6:].strip().strip('"')
    return ""
