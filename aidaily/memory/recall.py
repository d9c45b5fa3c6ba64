"""The matching of the memory across issues: a story an earlier issue ran is not run
again, unless it brings new facts; then it runs once more, as a follow-up.

Pure functions over ``Story`` and ``PastIssue`` values (``aidaily.memory.issues`` reads
the issues from their files and the store):

- ``past_items``: what an issue ran (its ``format.outline``: every story, whatever the
  layout, and every 其他动态 line), each with the articles it stood for (``ItemSources``,
  the one definition of an item's sources).
- ``recall``: the day's candidate stories against the last issues. A candidate is the
  same story as an earlier item when

  1. they share a URL (``comparable_url`` of an article, of the item's link, of the
     links a digest item cites), or
  2. dedup's same-story grouping puts them together (``dedup.group_indices``: near-
     duplicate title + lead by MinHash and shingles, or shared rare names and figures).
     The earlier item takes part as its own headline + bullets and as the articles it
     stood for, under a source name of their own (``MEMORY_SOURCE``) so that the
     grouping compares them with every site's report as it compares two sites.

  Such a candidate is left out (``Recall.covered``) unless the title and lead of its
  articles carry facts the earlier coverage (the item's headline and bullets, its
  articles' text) does not: a significant number (``checks.numbers``; not a date, a
  year, a small count or a popularity counter) or ``MIN_NEW_NAMES`` names (``checks.grounding.missing_names``).
  Then it stays, carrying ``Story.follow_up`` (what was said before, what is new), and
  its item is marked ``FOLLOW_UP_MARK`` (``mark_follow_up``).

The matching never changes the day's own grouping: it only says which of the day's
stories an earlier issue already ran.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import TYPE_CHECKING

from aidaily.checks.grounding import missing_names
from aidaily.checks.numbers import extract_numbers, number_keys, prepare
from aidaily.models import Article, Earlier, PastIssue, PastItem, Story
from aidaily.stories.dedup import DIGEST_SOURCES, group_indices, significant_number
from aidaily.stories.select import lead_text
from aidaily.text import comparable_url, story_url_key

if TYPE_CHECKING:
    from aidaily.checks.grounding import ItemSources
    from aidaily.format.outline import Outline

__all__ = [
    "ARTICLE_CHARS",
    "FOLLOW_UP_MARK",
    "Recall",
    "mark_follow_up",
    "new_facts",
    "past_items",
    "recall",
]

#: How a follow-up item says so, before its headline (or its one-liner).
FOLLOW_UP_MARK = "（后续）"
ARTICLE_CHARS = 2000  # of each article an issue remembers (facts sit in the first part)
LEAD_CHARS = 300  # of each new article searched for new facts: the news is in the lead
MIN_NEW_NAMES = 2  # new names alone make a follow-up from two on (one may be a byline)
MEMORY_SOURCE = "memory"  # the source name an earlier item's texts take in the grouping
#: Popularity counters (a repository's ⭐21.8k, "3.2k stars"): they change every day and
#: are never the news, so they are no new fact.
#: What follows a figure and says what it counts (``1.5`` + ``GW``, ``300 亿`` + ``美元``).
_UNIT = re.compile(r"\s?(?:[A-Za-z%]{1,4}(?![A-Za-z])|[美韩日欧]?元|倍|张|台|次|人|家|个)")
_COUNTER = re.compile(r"[⭐★]\s*[\d.,]+\s*[kKwW万]?|[\d.,]+\s*[kKwW万]?\s*(?:stars?|Stars?|颗?星)")


@dataclass
class Recall:
    """The day's stories after the memory: those to offer the planner (best first;
    follow-ups carry ``follow_up``), and those left out as already covered."""

    stories: list[Story]
    covered: list[tuple[Story, Earlier]] = field(default_factory=list)

    @property
    def follow_ups(self) -> list[Story]:
        return [s for s in self.stories if s.follow_up is not None]


# --- what an issue ran ------------------------------------------------------------------


def past_items(issue: Outline, sources: ItemSources) -> list[PastItem]:
    """The stories ``issue`` runs (``format.outline``: a reader's count, whatever the
    layout), items then 其他动态 lines, each with what it reported (its lead and fact
    bullets; commentary left out) and the articles it stands for in ``sources`` (a link
    to a site's front page stands for no article of its own, and a story without a link
    for none: its headline and facts are all there is of it)."""
    items = [_past_item("item", s.title, s.url, [*s.lead, *s.facts], sources) for s in issue.stories]
    return items + [_past_item("brief", b.title, b.url, [], sources) for b in issue.briefs]


def _past_item(kind: str, title: str, url: str, bullets: list[str], sources: ItemSources) -> PastItem:
    articles = sources.articles_for(url) if url.strip() else []
    if not any(comparable_url(a.url) == comparable_url(url) for a in articles):
        articles = []
    return PastItem(kind, title.strip(), url.strip(), [b.strip() for b in bullets if b.strip()],
                    sources.story_of(url) if url.strip() else None, [_trimmed(a) for a in articles])


def _trimmed(article: Article) -> Article:
    return Article(url=article.url, source=article.source, title=article.title,
                   text=article.text[:ARTICLE_CHARS], published=article.published,
                   links=list(article.links))


# --- the day's stories against the earlier issues ----------------------------------------


def recall(stories: Sequence[Story], issues: Sequence[PastIssue]) -> Recall:
    """Which of ``stories`` (ranked) the earlier ``issues`` ran (see the module doc)."""
    past = [(issue.day, item) for issue in issues for item in issue.items]
    if not past or not stories:
        return Recall(list(stories))
    matched = _matches(stories, [item for _, item in past])
    out = Recall([])
    for i, story in enumerate(stories):
        earlier = [past[j] for j in sorted(matched.get(i, ()))]
        if not earlier:
            out.stories.append(story)
            continue
        facts = new_facts(story, [item for _, item in earlier])
        day, item = _latest(earlier)
        note = Earlier(day, item.title, item.url, list(item.bullets), facts)
        if facts:
            out.stories.append(replace(story, follow_up=note))
        else:
            out.covered.append((story, note))
    return out


def _latest(earlier: list[tuple[date, PastItem]]) -> tuple[date, PastItem]:
    """The most recent earlier item (the first of its issue on a tie)."""
    newest = max(day for day, _ in earlier)
    return next((day, item) for day, item in earlier if day == newest)


def _article_urls(article: Article) -> Iterable[str]:
    """An article's URL and, for a digest item, the links it cites (the originals)."""
    yield article.url
    if article.source in DIGEST_SOURCES:
        yield from article.links


def _keys(urls: Iterable[str]) -> set[str]:
    return {key for key in map(story_url_key, urls) if key}


def _as_articles(item: PastItem) -> list[Article]:
    """An earlier item as the grouping sees it: its own headline + bullets, and the
    articles it stood for, all under ``MEMORY_SOURCE``."""
    own = Article(url=item.url, source=MEMORY_SOURCE, title=item.title, text="\n".join(item.bullets))
    return [own, *(Article(url=a.url, source=MEMORY_SOURCE, title=a.title, text=a.text) for a in item.articles)]


def _matches(stories: Sequence[Story], past: Sequence[PastItem]) -> dict[int, set[int]]:
    """Story index -> indices of the earlier items that are the same story."""
    out: dict[int, set[int]] = defaultdict(set)
    by_key: dict[str, set[int]] = defaultdict(set)
    for j, item in enumerate(past):
        for key in _keys([*item.urls, *(u for a in item.articles for u in _article_urls(a))]):
            by_key[key].add(j)
    for i, story in enumerate(stories):
        for key in _keys(u for a in story.articles for u in _article_urls(a)):
            out[i] |= by_key.get(key, set())

    today = [(i, a) for i, s in enumerate(stories) for a in s.articles]
    before = [(j, a) for j, item in enumerate(past) for a in _as_articles(item)]
    n = len(today)
    for group in group_indices([a for _, a in today] + [a for _, a in before]):
        earlier = {before[k - n][0] for k in group if k >= n}
        if earlier:
            for k in group:
                if k < n:
                    out[today[k][0]] |= earlier
    return out


# --- new facts --------------------------------------------------------------------------


def _coverage(item: PastItem) -> str:
    """Everything an earlier issue's readers could know of a story: the item's headline,
    bullets and link, and the articles it stood for (with the links they cite: a
    repository's name is in its URL)."""
    return "\n".join([item.title, *item.bullets, *item.urls,
                      *(f"{a.title}\n{a.text}\n{' '.join(a.links)}" for a in item.articles)])


def _is_name(name: str) -> bool:
    """A name worth a fact: not a stray letter or a lower-case word (``npm install -g``)."""
    return len(name) > 1 and name != name.lower()


def new_facts(story: Story, earlier: Sequence[PastItem]) -> list[str]:
    """The facts the title and lead of ``story``'s articles state that the coverage of
    ``earlier`` does not: significant numbers (as written), then names; empty when they
    are too few to make a follow-up (no number and fewer than ``MIN_NEW_NAMES`` names)."""
    coverage = "\n".join(_coverage(item) for item in earlier)
    keys = number_keys(coverage)
    lead = "\n".join(f"{a.title}\n{lead_text(a.text, LEAD_CHARS)}" for a in story.articles)
    lead = prepare(_COUNTER.sub(" ", lead))  # extract_numbers' offsets are in the prepared text
    numbers = []
    for m in extract_numbers(lead, strict=True):
        if not m.found_in(keys) and any(significant_number(k) for alts in m.required for k in alts):
            unit = _UNIT.match(lead, m.end)
            numbers.append((m.raw + (unit.group(0) if unit else "")).strip())
    names = [n for n in missing_names(lead, coverage) if _is_name(n)]
    if not numbers and len(names) < MIN_NEW_NAMES:
        return []
    return list(dict.fromkeys([*numbers, *names]))


def mark_follow_up(text: str) -> str:
    """``text`` (a follow-up's headline or one-liner) marked ``FOLLOW_UP_MARK``, once."""
    text = text.strip()
    if text.startswith(FOLLOW_UP_MARK) or text[:6].count("后续"):
        return text
    return FOLLOW_UP_MARK + text
