"""Selection: the day's window, AI relevance, ranking and the planner's story cards.

Pure functions over ``Article`` / ``Story`` values (no network, no database).

- ``window_for(D)``: the digest dated D covers the 24 h before 00:00 Asia/Shanghai of D.
- ``relevance``: ithome covers all of tech, so its articles are kept only when they are
  AI news as the house counts it, judged from the headline and lead by the classifier
  of ``aidaily.stories.relevance`` (learned from the archive and labelled feed items):
  ai, borderline or not_ai.
- ``rank_stories``: cross-source coverage first, then source weight, the house's weight
  (what the house runs, and runs as a main story) and recency; deterministic.
- ``choose_candidates``: the day's ranked stories, borderline ones marked.
- ``story_cards``: compact dicts the planner prompt is built from.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from aidaily.checks.entities import extract_entities
from aidaily.models import Article, Story
from aidaily.stories.dedup import DIGEST_SOURCES, canonical_url, group_duplicates
from aidaily.stories.relevance import LEAD_CHARS, Verdict, house_weight, judge
from aidaily.stories.window import Window, window_for
from aidaily.text import split_sentences

__all__ = [
    "AI_ONLY_SOURCES",
    "DEFAULT_SOURCE_WEIGHTS",
    "Candidates",
    "candidate_stories",
    "card_lead",
    "choose_candidates",
    "in_window",
    "is_ai_relevant",
    "lead_text",
    "rank_stories",
    "relevance",
    "select_articles",
    "stored_relevance",
    "story_cards",
    "story_score",
    "window_for",
]


# Sources that publish nothing but AI news: relevance is not asked of them.
AI_ONLY_SOURCES = frozenset({"qbitai", "hubtoday"})
DEFAULT_SOURCE_WEIGHTS = {"qbitai": 1.0, "ithome": 0.9, "hubtoday": 0.7}
OTHER_SOURCE_WEIGHT = 0.6

# --- the window -------------------------------------------------------------------------


def in_window(article: Article, window: Window, undated: bool = False) -> bool:
    """Whether ``article`` was published inside ``window`` (start included, end not).

    An article without a time is out unless ``undated`` is True: every adapter sets a
    time (hubtoday items carry their page's time), so a missing one means an extractor
    failed, and an old article must not slip into today's digest unnoticed. A naive
    time is read in the window's time zone (the Chinese sites write Beijing time).
    """
    published = article.published
    if published is None:
        return undated
    start, end = window
    if published.tzinfo is None:
        published = published.replace(tzinfo=start.tzinfo)
    return start <= published < end


# --- relevance --------------------------------------------------------------------------


def _configured_hit(title: str, keywords: Iterable[str]) -> bool:
    """A title naming one of the editor's own ``ai_keywords`` (compared case-insensitively)."""
    folded = unicodedata.normalize("NFKC", title).casefold()
    return any(k and unicodedata.normalize("NFKC", k).casefold() in folded for k in keywords)


def relevance(article: Article, keywords: Iterable[str] = (),
              ai_sources: Collection[str] = AI_ONLY_SOURCES) -> Verdict:
    """The one decision whether ``article`` is AI news: a decision made upstream (its
    adapter, a feed's ``ai_only``, or a stored verdict) is kept; a source that publishes
    nothing but AI is AI; a title naming one of the configured ``keywords`` is AI; else
    the classifier judges the headline and lead (``aidaily.stories.relevance``)."""
    if article.ai_relevant is not None:
        return Verdict("ai" if article.ai_relevant else "not_ai", 1.0 if article.ai_relevant else 0.0)
    if article.source in ai_sources or _configured_hit(article.title, keywords):
        return Verdict("ai", 1.0)
    return judge(article.title, card_lead(article.text, LEAD_CHARS))


def is_ai_relevant(article: Article, keywords: Iterable[str] | None = None) -> bool:
    """Whether ``article`` is AI news for sure (``relevance`` says "ai")."""
    return relevance(article, keywords or ()).label == "ai"


def stored_relevance(article: Article, keywords: Iterable[str] = (),
                     ai_sources: Collection[str] = AI_ONLY_SOURCES) -> bool | None:
    """What the store keeps: True (AI), False (not), None for a borderline article, so
    that selection decides it with the model configured at that time."""
    label = relevance(article, keywords, ai_sources).label
    return None if label == "borderline" else label == "ai"


def select_articles(articles: Iterable[Article], window: Window,
                    keywords: Iterable[str] | None = None,
                    ai_only_sources: Iterable[str] = AI_ONLY_SOURCES,
                    undated: bool = False) -> list[Article]:
    """The articles of the window that are about AI. An article whose ``ai_relevant``
    was already decided (by its adapter or a feed's ``ai_only``) keeps that decision."""
    ai_only = set(ai_only_sources)
    keys = list(keywords or ())
    return [a for a in articles if in_window(a, window, undated=undated)
            and relevance(a, keys, ai_only).label == "ai"]


# --- ranking ----------------------------------------------------------------------------


def _source_weight(source: str, weights: Mapping[str, float]) -> float:
    return weights.get(source, OTHER_SOURCE_WEIGHT)


def story_score(story: Story, source_weights: Mapping[str, float] | None = None,
                recency: float = 0.0) -> float:
    """The ranking score of one story.

    Coverage dominates: each extra source reporting the story adds 2 (more than any
    other term can), each extra article of an already counted source 0.5. Then the best
    source weight (0..1), the house's weight (0..1, ``house_weight``: as AI news the house
    runs, and as a main story rather than a one-liner, learned from the archive's
    headlines and their sections) and ``recency`` (0..1, scaled to 0.25 so it only breaks
    near-ties).
    """
    weights = DEFAULT_SOURCE_WEIGHTS if source_weights is None else source_weights
    n_sources = len(story.sources)
    coverage = 2.0 * (n_sources - 1) + 0.5 * (len(story.articles) - n_sources)
    weight = max(_source_weight(a.source, weights) for a in story.articles)
    house = max(house_weight(a.title, card_lead(a.text, LEAD_CHARS)) for a in story.articles)
    return coverage + weight + house + 0.25 * recency


def _latest(story: Story) -> float | None:
    times = [a.published.timestamp() for a in story.articles if a.published is not None]
    return max(times) if times else None


def rank_stories(stories: Sequence[Story],
                 source_weights: Mapping[str, float] | None = None) -> list[Story]:
    """Stories best first (see ``story_score``); recency is the story's latest article
    relative to the others; ties broken by the primary URL, so the order is stable."""
    latest = [_latest(s) for s in stories]
    known = [t for t in latest if t is not None]
    lo, hi = (min(known), max(known)) if known else (0.0, 0.0)

    def recency(t: float | None) -> float:
        if t is None or hi == lo:
            return 0.0
        return (t - lo) / (hi - lo)

    scored = [(-round(story_score(s, source_weights, recency(t)), 9),
               canonical_url(s.url), s) for s, t in zip(stories, latest)]
    scored.sort(key=lambda item: item[:2])
    return [s for _, _, s in scored]


# --- cards for the planner --------------------------------------------------------------

_BOILERPLATE_LEAD = re.compile(
    r"^\s*(?:IT之家\s*\d+\s*月\s*\d+\s*日消息[，,]?"  # ithome's dateline
    r"|.{0,12}发自\s*凹非寺\s*"  # qbitai's byline, if the extractor left it
    r"|量子位\s*\|\s*公众号\s*QbitAI\s*)+")


# Markdown a page or digest item may carry into its text, and emoji: a card's lead is
# plain prose (the plan reads it, the review shows it).
_MD_INLINE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)\s]*\)|\*\*|__|~~|`+")
_MD_LINE = re.compile(r"(?m)^[ \t]*(?:#{1,6}[ \t]+|>[ \t]*|[-*+][ \t]+|\d{1,2}[.)][ \t]+)")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF"
                    "\uFE0E\uFE0F\u200D\u20E3\U000E0020-\U000E007F]")
_LABEL_END = re.compile(r"[：:]\s*$")  # "技术成熟度分层：" introduces what follows
_CLAUSE = re.compile(r"[，,、；;]")
_ASCII_EDGE = re.compile(r"[A-Za-z0-9]")


def plain_text(text: str) -> str:
    """``text`` without markdown (links keep their words, images go), emoji or the
    site's lead-in; one line per line, spaces collapsed."""
    text = _MD_LINE.sub("", _MD_INLINE.sub(lambda m: m.group(1) or "", text or ""))
    text = _EMOJI.sub("", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return _BOILERPLATE_LEAD.sub("", "\n".join(line for line in lines if line))


def _join(left: str, right: str) -> str:
    """Two sentences of a lead: a space only between two Latin words or numbers."""
    if left and _ASCII_EDGE.match(left[-1]) and _ASCII_EDGE.match(right[:1]):
        return f"{left} {right}"
    return left + right


def lead_text(text: str, limit: int = 120) -> str:
    """The first sentence(s) of ``text`` within ``limit`` characters, as written (the
    memory across issues compares them): whole sentences when at least one fits,
    otherwise the first sentence cut with ``…``."""
    body = _BOILERPLATE_LEAD.sub("", " ".join((text or "").split()))
    if len(body) <= limit:
        return body
    out = ""
    for sentence in split_sentences(body, english=False, strip=False):  # joins back to body
        if len(out) + len(sentence) > limit:
            break
        out += sentence
    return out.strip() if out else body[: limit - 1].rstrip() + "…"


def card_lead(text: str, limit: int = 120) -> str:
    """The lead of ``text`` for a card: plain (``plain_text``), whole sentences within
    ``limit`` characters, never ending on a label's colon. When the first sentence
    alone is longer, it is kept whole up to twice ``limit``; beyond that it is cut at
    its last clause break before ``limit`` and marked ``…``."""
    sentences = [s.strip() for s in split_sentences(plain_text(text), english=False)]
    sentences = [s for s in sentences if s]
    out, taken = "", 0
    for sentence in sentences:
        joined = _join(out, sentence)
        if len(joined) > limit:
            break
        out, taken = joined, taken + 1
    while taken and _LABEL_END.search(out):  # drop a trailing label line
        taken -= 1
        out = ""
        for sentence in sentences[:taken]:
            out = _join(out, sentence)
    if out:
        return out
    first = next((s for s in sentences if not _LABEL_END.search(s)), "")
    if len(first) <= 2 * limit:
        return first
    cut = first[:limit]
    breaks = [m.start() for m in _CLAUSE.finditer(cut) if m.start() >= limit * 0.4]
    cut = cut[:breaks[-1]] if breaks else cut[:limit - 1]
    return _LABEL_END.sub("", cut.rstrip()) + "…"


def story_cards(stories: Sequence[Story], lead_chars: int = 120) -> list[dict]:
    """Compact cards for the planner: id, source(s), title, lead, duplicate count,
    entities. Digest-site items are listed as sources but never lead a card when a full
    article exists (the story's primary article is already the best one)."""
    cards = []
    for story in stories:
        primary = story.primary
        cards.append({
            "id": story.id,
            "source": primary.source,
            "sources": story.sources,
            "title": primary.title.strip(),
            "lead": card_lead(primary.text, lead_chars),
            "duplicates": story.duplicate_count,
            "entities": extract_entities(f"{primary.title}\n{primary.text[:400]}")[:8],
            "digest_only": all(a.source in DIGEST_SOURCES for a in story.articles),
        })
    return cards


@dataclass
class Candidates:
    """The day's candidate stories, best first (borderline ones marked), and how many
    articles were judged not AI news."""

    stories: list[Story]
    not_ai: int = 0


def choose_candidates(articles: Sequence[Article], keywords: Iterable[str] = (), *,
                      ai_sources: Collection[str] = AI_ONLY_SOURCES) -> Candidates:
    """The day's stories, best first: the articles ``relevance`` finds AI news or
    borderline, near-duplicates merged (``aidaily.stories.dedup``), ranked. A story with
    no article surely AI is marked ``borderline``: which plan sees it is the editor's
    decision (``aidaily.editor.plan.offered_candidates``). The one grouping of a day: the
    pipeline records it in the store for the review."""
    keys = list(keywords)
    verdicts = {id(a): relevance(a, keys, ai_sources) for a in articles}
    offered = [a for a in articles if verdicts[id(a)].offered]
    stories = rank_stories(group_duplicates(offered))
    for story in stories:
        story.borderline = all(verdicts[id(a)].label == "borderline" for a in story.articles)
    return Candidates(stories, len(articles) - len(offered))


def candidate_stories(articles: Sequence[Article], keywords: Sequence[str] | None = None) -> list[Story]:
    """``choose_candidates(...).stories``."""
    return choose_candidates(articles, keywords or ()).stories
