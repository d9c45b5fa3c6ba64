"""The grounding check: is every fact bullet backed by its source article?

A fact bullet may only state what its article says. Two things are cheap to verify and
are exactly what a model gets wrong when it invents: **numbers** and **names**.

- Each number of a fact bullet must occur in the source after normalisation
  (``aidaily.checks.numbers``): ``55 万`` / ``55万`` / ``550,000``; ``1 GW`` / ``1GW``; ``2-10倍`` /
  ``2 到 10 倍``; ``250 亿美元`` / ``25,000,000,000 美元``. Digits inside names
  (``GPT-5.2``) are names, not numbers.
- Each Latin-script name (``Colossus``, ``GPT-5.2-Codex``, ``PJM``) and each known entity
  (``黄仁勋``, ``英伟达``) of the bullet must occur in the source, case-insensitively and
  through entity variants (a bullet's ``Nvidia`` is found as the source's ``英伟达``).
- Every link must be an article that was fetched (a site root such as
  ``https://ai.hubtoday.app/`` counts when any article of that site was).

Commentary ("深度解读 & 洞察") may interpret, so it is not fact-checked.

Which text a bullet is checked against is decided once, by ``ItemSources`` (every
article of the story the item stands for), and a draft's bullets are judged once, by
``ground_digest``: the editor at write time, ``aidaily review``, the review page and the
publish gate all call these two, so they cannot disagree. Verdicts are data for the
review record and report; the digest is never altered here.

A grounded bullet also says which article supports it (``support_of``): the item's own
linked article first, then each other article of its story. A bullet that only another
article supports, one that joined the story on lowered evidence (``dedup.compare`` not
strong: a weak merge), is marked ``weak_merge``: a false merge would otherwise put one
story's facts under another story's link unseen. The ``# title`` and the summary lines
are judged like bullets, in the sources of the items they restate
(``ground_restatements``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from aidaily.checks.entities import (
    GENERIC_LATIN,
    entity_named,
    entity_variants,
    find_entities,
    latin_tokens,
    namesake_at,
)
from aidaily.checks.numbers import extract_numbers, number_keys, prepare
from aidaily.format.digest import Title
from aidaily.text import (  # split_sentences re-exported: the sentences bullets are grounded in
    comparable_text,
    is_site_root,
    split_sentences,
)
from aidaily.text import comparable_url as canonical_url  # the comparison key of URLs, as dedup's

if TYPE_CHECKING:
    from aidaily.format.digest import Digest, Item
    from aidaily.models import Article, Story

__all__ = [
    "BulletCheck",
    "BulletVerdict",
    "CheckMemo",
    "ItemSources",
    "bullet_line",
    "check_bullet",
    "ground_bullet",
    "ground_digest",
    "ground_restatements",
    "is_site_root",
    "support_of",
    "unfetched_links",
    "missing_names",
    "missing_numbers",
    "nearest_sentence",
    "restated_links",
    "split_sentences",
]

_SQUASH = re.compile(r"[\s\-_]+")


@dataclass
class BulletCheck:
    """The verdict on one bullet. ``score`` is the share of the bullet's character
    bigrams found in ``nearest_sentence`` (0..1): low means the bullet says something
    the source does not say in any one place."""

    ok: bool
    missing_numbers: list[str] = field(default_factory=list)
    missing_names: list[str] = field(default_factory=list)
    nearest_sentence: str = ""
    score: float = 0.0


# --- sentences and similarity -----------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    norm = comparable_text(text)
    if len(norm) < 2:
        return {norm} if norm else set()
    return {norm[i:i + 2] for i in range(len(norm) - 1)}


def nearest_sentence(bullet: str, source_text: str) -> tuple[str, float]:
    """The source sentence sharing most character bigrams with ``bullet`` and the share
    of the bullet's bigrams it covers; the first one wins a tie."""
    target = _bigrams(bullet)
    best, best_score = "", 0.0
    if not target:
        return best, best_score
    for sentence in split_sentences(source_text):
        score = len(target & _bigrams(sentence)) / len(target)
        if score > best_score:
            best, best_score = sentence, score
    return best, round(best_score, 4)


# --- numbers and names ------------------------------------------------------------------


def missing_numbers(bullet: str, source_text: str) -> list[str]:
    """Numbers of ``bullet`` (as written) that do not occur in the source."""
    keys = number_keys(source_text)
    return [m.raw.strip() for m in extract_numbers(bullet, strict=True) if not m.found_in(keys)]


def _tail(name: str) -> str:
    """What may not follow a name: more digits after one ending in a digit (``GPT-5`` is
    not ``GPT-5.2``), else more letters."""
    return r"(?![0-9]|\.[0-9])" if name[-1].isdigit() else r"(?![A-Za-z])"


def _occurrences(name: str, source: str) -> Iterator[re.Match[str]]:
    """Case-insensitive occurrences of ``name`` at Latin-word boundaries."""
    return re.finditer(rf"(?i)(?<![A-Za-z0-9]){re.escape(name)}{_tail(name)}", source)


def _name_in(name: str, source: str, squashed_source: str) -> bool:
    """An occurrence (``_occurrences``); then without spaces and hyphens (``FastRender``
    == ``Fast Render``, ``GPT 5.2`` == ``GPT-5.2``)."""
    if next(_occurrences(name, source), None) is not None:
        return True
    tail = _tail(name)
    squashed = _SQUASH.sub("", name).lower()
    return bool(squashed) and re.search(rf"{re.escape(squashed)}{tail}", squashed_source) is not None


def _variant_in(name: str, source: str, squashed_source: str) -> bool:
    """``name`` or any variant of its entity occurs in the source; a person's surname
    alone counts only where no other given name stands before it (``Daniela Amodei``
    does not stand for Dario: ``namesake_at``) — when the bullet names that person, not
    when it writes the surname after a given name of its own."""
    entity = entity_named(name)
    person = entity if entity is not None and entity.kind == "person" and entity.name == name else None
    for variant in entity_variants(name):
        if not re.match(r"[A-Za-z]", variant):
            if variant in source:
                return True
        elif person is not None and " " not in variant:
            if any(not namesake_at(source, m.start(), m.end(), person) for m in _occurrences(variant, source)):
                return True
        elif _name_in(variant, source, squashed_source):
            return True
    return False


def _bullet_names(bullet: str) -> list[str]:
    """Names a bullet asserts: known entities, then Latin tokens outside them. A token
    that runs past a known name is a name of its own: ``Qwen-Audio-3.0`` and
    ``DeepSeek-V4-Pro`` are models, and a wrong version of one must be flagged."""
    names: list[str] = []
    spans = []
    for start, end, entity in find_entities(bullet):
        spans.append((start, end))
        names.append(entity.name)
    text = unicodedata.normalize("NFKC", bullet)
    for start, end, token in latin_tokens(text):
        if any(s <= start and end <= e for s, e in spans) or token.lower() in GENERIC_LATIN:
            continue
        names.append(token)
    unique: dict[str, str] = {}  # first spelling of each name, case-insensitively, in order
    for name in names:
        unique.setdefault(name.lower(), name)
    return list(unique.values())


def missing_names(bullet: str, source_text: str) -> list[str]:
    """Names of ``bullet`` that occur in the source under no spelling."""
    source = prepare(source_text)
    squashed = _SQUASH.sub("", source).lower()
    return [n for n in _bullet_names(bullet) if not _variant_in(n, source, squashed)]


def check_bullet(bullet_text: str, source_text: str) -> BulletCheck:
    """Check one fact bullet against its article's text (title + body)."""
    numbers = missing_numbers(bullet_text, source_text)
    names = missing_names(bullet_text, source_text)
    sentence, score = nearest_sentence(bullet_text, source_text)
    return BulletCheck(ok=not numbers and not names, missing_numbers=numbers,
                       missing_names=names, nearest_sentence=sentence, score=score)


# --- links ------------------------------------------------------------------------------


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


# --- the one grounding decision ----------------------------------------------------------


def _story_text(articles: Sequence[Article]) -> str:
    return "\n".join(f"{a.title}\n{a.text}" for a in articles)


class ItemSources:
    """What an item's fact bullets must be grounded in: the one definition, shared by
    the editor (at write), the review report, the review page and the publish gate.

    An item stands for a story; its bullets may state what **any article of that story**
    says (a merged story's bullet may come from its second article). The story of a link
    is the story of the fetched article at that URL (the run's grouping, ``story_of``);
    an article that selection left out of every story stands alone. A digest site cited
    by its front page (the series cites ``https://ai.hubtoday.app/`` so) stands for all
    of that site's articles of the day. Any other link has no source: its bullets cannot
    be grounded.

    Articles of a story are kept in URL order, so both ways of building this (from the
    editor's stories, from the store's articles and story ids) give the same texts.
    """

    def __init__(self, articles: Iterable[Article], story_of: Mapping[str, str | None],
                 weak_pair: WeakPair | None = None) -> None:
        # Whether two articles of one story were merged on lowered evidence (dedup's
        # verdict, given by the layers above: grouping sits above the checks); None:
        # no merge is called weak.
        self.weak_pair = weak_pair
        self._by_url: dict[str, Article] = {}
        self._story_of: dict[str, str] = {}
        members: dict[str, list[Article]] = {}
        for article in articles:
            key = canonical_url(article.url)
            self._by_url.setdefault(key, article)
            story = story_of.get(article.url)
            if story:
                self._story_of[key] = story
                members.setdefault(story, []).append(article)
        self._members = {s: sorted(a, key=lambda x: x.url) for s, a in members.items()}
        self._texts: dict[tuple[str, ...], str] = {}

    @classmethod
    def from_stories(cls, stories: Iterable[Story], weak_pair: WeakPair | None = None) -> ItemSources:
        """From the day's candidate stories (the editor's view of the day)."""
        stories = list(stories)
        return cls((a for s in stories for a in s.articles),
                   {a.url: s.id for s in stories for a in s.articles}, weak_pair)

    @property
    def article_count(self) -> int:
        """How many fetched articles (distinct URLs) items can be grounded in."""
        return len(self._by_url)

    def articles_for(self, url: str) -> list[Article]:
        """The articles an item linking ``url`` is grounded in ([] when none)."""
        key = canonical_url(url)
        article = self._by_url.get(key)
        if article is not None:
            story = self._story_of.get(key)
            return list(self._members[story]) if story else [article]
        if is_site_root(url):
            host = _host(url)
            return sorted((a for a in self._by_url.values() if _host(a.url) == host),
                          key=lambda a: a.url)
        return []

    def text_for(self, url: str) -> tuple[tuple[str, ...], str] | None:
        """(the source articles' URLs, their joined title + text), or None."""
        articles = self.articles_for(url)
        if not articles:
            return None
        urls = tuple(a.url for a in articles)
        if urls not in self._texts:
            self._texts[urls] = _story_text(articles)
        return urls, self._texts[urls]

    def story_of(self, url: str) -> str | None:
        """The story of the fetched article at ``url`` in the day's grouping (None: not
        fetched, or an article of no story)."""
        return self._story_of.get(canonical_url(url))

    def article_at(self, url: str) -> Article | None:
        """The fetched article at ``url`` itself (not its story), or None."""
        return self._by_url.get(canonical_url(url))

    def unfetched(self, urls: Iterable[str]) -> list[str]:
        """The links among ``urls`` that no fetched article stands behind, in order."""
        return [url for url in urls if not self.articles_for(url)]


@dataclass
class BulletVerdict:
    """The grounding verdict on one fact bullet of a draft, as the review keeps it."""

    line: int  # 1-based line of the bullet in the draft
    item: str  # the item's headline
    url: str  # the item's link
    bullet: str
    ok: bool
    missing_numbers: list[str] = field(default_factory=list)
    missing_names: list[str] = field(default_factory=list)
    nearest: str = ""
    sources: list[str] = field(default_factory=list)  # URLs of the articles checked against
    # The one article that supports the bullet: the item's own linked article when it
    # does, else another article of its story ("" when only several together do).
    supported_by: str = ""
    # Supported only by other articles of the story, merged with the item's own article
    # on lowered evidence (``dedup.compare``: not strong): maybe another story's fact.
    weak_merge: bool = False
    # "fact": an item's fact bullet; "title" / "summary": the title or a summary
    # line, grounded in the sources of the items it restates (``ground_restatements``).
    kind: str = "fact"

    @property
    def message(self) -> str:
        parts = []
        if self.missing_numbers:
            parts.append("numbers not in the source: " + ", ".join(self.missing_numbers))
        if self.missing_names:
            parts.append("names not in the source: " + ", ".join(self.missing_names))
        return "; ".join(parts) or "no source text to check against (not a fetched article)"


#: Whether two articles of a story were merged on lowered evidence (``dedup.weak_pair``).
WeakPair = Callable[["Article", "Article"], bool]

#: Bullet checks already made: (bullet text, source article URLs) -> the check. Lets the
#: editor check a story's facts as soon as they are written and reuse the verdicts.
CheckMemo = dict[tuple[str, tuple[str, ...]], BulletCheck]


def bullet_line(item: Item, index: int) -> int:
    """1-based line of the ``index``-th fact bullet of a parsed ``item``."""
    return item.bullet_line(index)


def ground_bullet(text: str, url: str, sources: ItemSources,
                  memo: CheckMemo | None = None) -> tuple[BulletCheck | None, tuple[str, ...]]:
    """The check of one fact bullet of an item linking ``url`` (None: no source)."""
    found = sources.text_for(url)
    if found is None:
        return None, ()
    urls, source = found
    key = (text, urls)
    if memo is not None and key in memo:
        return memo[key], urls
    check = check_bullet(text, source)
    if memo is not None:
        memo[key] = check
    return check, urls


def ground_digest(digest: Digest, sources: ItemSources,
                  memo: CheckMemo | None = None) -> list[BulletVerdict]:
    """The verdict on every fact bullet (and lead line) of ``digest`` (parsed from the draft's text, so
    line numbers are the file's), in order. The one decision write, review, the review
    page and the publish gate share: a bullet is grounded when its numbers and names
    occur in the text of the item's sources (``ItemSources``). The title and summary
    lines are judged the same way by ``ground_restatements``."""
    verdicts = []
    for item in digest.items:
        # The lead paragraph (layout "2026-02") states facts too; "**标签**：" is markup.
        for line, text in item.fact_lines():
            fact = text.replace("**", "")
            check, urls = ground_bullet(fact, item.url, sources, memo)
            if check is None:
                verdicts.append(BulletVerdict(line, item.title, item.url, text, False))
                continue
            supported_by, weak = support_of(fact, item.url, sources, memo) \
                if check.ok else ("", False)
            verdicts.append(BulletVerdict(
                line, item.title, item.url, text, check.ok, list(check.missing_numbers),
                list(check.missing_names), check.nearest_sentence, list(urls), supported_by, weak))
    return verdicts


#: A title or summary line restates the items whose headline and facts hold at least
#: this share of its character bigrams (or else the one item that holds most).
RESTATE_SHARE = 0.25


def restated_links(line: str, digest: Digest,
                   entries: list[tuple[str, set[str]]] | None = None) -> list[str]:
    """The links of the items and one-liners of ``digest`` that ``line`` restates
    (``entries``: ``entry_bigrams(digest)``, when several lines are judged)."""
    target = _bigrams(line)
    entries = entry_bigrams(digest) if entries is None else entries
    if not target or not entries:
        return []
    shares = [(len(target & grams) / len(target), url) for url, grams in entries]
    chosen = [url for share, url in shares if share >= RESTATE_SHARE]
    return list(dict.fromkeys(chosen)) or [max(shares)[1]]


def entry_bigrams(digest: Digest) -> list[tuple[str, set[str]]]:
    """Each item's (headline and facts) and one-liner's link and character bigrams."""
    entries = [(i.url, "\n".join([i.title, *(t for _, t in i.fact_lines())])) for i in digest.items]
    entries += [(b.url, b.text) for b in digest.briefs]
    return [(url, _bigrams(text)) for url, text in entries]


def ground_restatements(digest: Digest, sources: ItemSources,
                        memo: CheckMemo | None = None) -> list[BulletVerdict]:
    """Verdicts on the ``# title`` and each front-matter summary line, grounded like fact
    bullets in the articles of the items they restate (``restated_links``)."""
    # deferred: python-frontmatter, PyYAML, only when this runs (`aidaily fetch`, `prompt`, … load
    # the module)
    from aidaily.format.front_matter import format_front_matter, key_line

    lines: list[tuple[str, int, str]] = []
    if digest.summary_lines:
        # the front matter's lines as the draft renders them (its body is not needed)
        front = digest.newline.join(format_front_matter(digest.front_matter)).split("\n")
        at = key_line(front, "summary")
        lines += [("summary", at, line) for line in digest.summary_lines]
    title = next((n for n in digest.body if isinstance(n, Title)), None)
    if title is not None and title.text:
        lines.append(("title", title.line, title.text))
    verdicts = []
    entries = entry_bigrams(digest)  # once for all the lines
    for kind, line_no, text in lines:
        links = restated_links(text, digest, entries)
        articles = {a.url: a for url in links for a in sources.articles_for(url)}
        if not articles:
            verdicts.append(BulletVerdict(line_no, kind, links[0] if links else "", text, False,
                                          kind=kind))
            continue
        urls = tuple(sorted(articles))
        key = (text, urls)
        check = memo.get(key) if memo is not None else None
        if check is None:
            check = check_bullet(text, _story_text([articles[u] for u in urls]))
            if memo is not None:
                memo[key] = check
        verdicts.append(BulletVerdict(line_no, kind, links[0], text, check.ok,
                                      list(check.missing_numbers), list(check.missing_names),
                                      check.nearest_sentence, list(urls), kind=kind))
    return verdicts


def _check_one(text: str, article: Article, memo: CheckMemo | None) -> BulletCheck:
    key = (text, (article.url,))
    if memo is not None and key in memo:
        return memo[key]
    check = check_bullet(text, _story_text([article]))
    if memo is not None:
        memo[key] = check
    return check


def support_of(text: str, url: str, sources: ItemSources,
               memo: CheckMemo | None = None) -> tuple[str, bool]:
    """Which article supports a grounded bullet of an item linking ``url``: the item's
    own article first, then each other article of its story; and whether the support
    comes only from articles merged with the item's own on lowered evidence (a weak
    merge, ``dedup.compare``), so that the bullet may state another story's facts.
    ("", weak) when no one article supports it alone (several do together)."""
    weak_pair = sources.weak_pair or (lambda _a, _b: False)
    own = sources.article_at(url)
    articles = sources.articles_for(url)
    if own is not None and [a.url for a in articles] == [own.url]:
        return own.url, False  # a story of one article: the bullet's check was on it
    if own is not None and _check_one(text, own, memo).ok:
        return own.url, False
    others = [a for a in articles if own is None or a.url != own.url]
    weak = own is not None and any(weak_pair(own, a) for a in others)
    for other in others:
        if _check_one(text, other, memo).ok:
            return other.url, own is not None and weak_pair(own, other)
    return "", weak


def unfetched_links(digest: Digest, sources: ItemSources) -> list[str]:
    """The item and one-liner links of ``digest`` that no fetched article stands behind."""
    return sources.unfetched([i.url for i in digest.items] + [b.url for b in digest.briefs])
