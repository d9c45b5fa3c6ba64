"""Selection: the day's window, AI relevance, ranking and the planner's story cards.

Pure functions over ``Article`` / ``Story`` values (no network, no database).

- ``window_for(D)``: the digest dated D covers the 24 h before 00:00 Asia/Shanghai of D.
- ``is_ai_relevant``: ithome covers all of tech, so its articles are kept only when they
  are about AI: a *strong* keyword in the title (大模型, OpenAI, 智能体 …), or a weak one
  (华为, 芯片, 机器人 …) in the title backed by the text, or a high density of keywords
  in the text. One "AI 拍照" in a phone review is not an AI story.
- ``rank_stories``: cross-source coverage first, then source weight, relevance and
  recency; deterministic.
- ``story_cards``: compact dicts the planner prompt is built from.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from aidaily.config import DEFAULT_AI_KEYWORDS
from aidaily.stories.dedup import DIGEST_SOURCES, canonical_url
from aidaily.checks.entities import extract_entities
from aidaily.models import Article, Story
from aidaily.stories.window import Window, window_for
from aidaily.text import split_sentences

__all__ = [
    "AI_ONLY_SOURCES",
    "DEFAULT_SOURCE_WEIGHTS",
    "WEAK_KEYWORDS",
    "in_window",
    "is_ai_relevant",
    "keyword_hits",
    "lead_text",
    "rank_stories",
    "relevance_score",
    "select_articles",
    "story_cards",
    "story_score",
    "window_for",
]


# Sources that publish nothing but AI news: relevance is not asked of them.
AI_ONLY_SOURCES = frozenset({"qbitai", "hubtoday"})
DEFAULT_SOURCE_WEIGHTS = {"qbitai": 1.0, "ithome": 0.9, "hubtoday": 0.7}
OTHER_SOURCE_WEIGHT = 0.6

# Keywords that appear in plenty of non-AI tech news (phones, games, cars, GPUs for
# gaming): alone in a title they do not make an AI story. Every other configured
# keyword is strong. Compared case-insensitively.
WEAK_KEYWORDS = frozenset(k.lower() for k in (
    "芯片", "机器人", "自动驾驶", "推理", "训练", "算力", "华为", "谷歌", "微软", "百度", "阿里",
    "腾讯", "字节", "英伟达", "马斯克", "黄仁勋", "盘古", "摩尔线程", "Nvidia", "NVIDIA", "GPU",
    "TPU", "NPU", "Cursor", "Transformer", "Agent", "Copilot", "Gemini",
))
TEXT_MIN_HITS = 3  # keyword occurrences in the text for a text-only decision …
TEXT_MIN_DENSITY = 2.0  # … and occurrences per 1000 characters
TITLE_WEAK_SUPPORT = 2  # strong text hits that confirm a weak title keyword


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


@dataclass(frozen=True)
class _Matcher:
    pattern: re.Pattern[str]
    ordered: tuple[str, ...]  # group k<i> is ordered[i]
    weak: frozenset[str]


def _keyword_pattern(keyword: str) -> str:
    """Regex for one keyword.

    Short all-caps Latin keywords (AI, GPT, RAG) are matched case-sensitively and must
    not touch another capital: "AI" counts in "OpenAI", "xAI", "AI 芯片" and "AI5", not
    in "MAIL", "RAID" or "Thailand". Other Latin keywords match case-insensitively at a
    left word boundary ("Agent" also in "Agentic"). Chinese keywords are substrings.
    """
    body = re.escape(keyword)
    if not re.search(r"[A-Za-z]", keyword):
        return body
    if keyword.isupper() and len(keyword) <= 5:
        return rf"(?<![A-Z]){body}(?![A-Z])"
    return rf"(?i:(?<![A-Za-z]){body})"


@lru_cache(maxsize=16)
def _matcher(keywords: tuple[str, ...]) -> _Matcher:
    ordered = sorted(set(keywords), key=len, reverse=True)  # "ChatGPT" before "GPT"
    alternatives = "|".join(f"(?P<k{i}>{_keyword_pattern(k)})" for i, k in enumerate(ordered))
    # Every match starts with some keyword's first character: checking that one class
    # first lets the scan skip all other positions without trying ~90 alternatives at
    # each (the same matches, several times faster on long texts).
    firsts = {c for k in ordered for c in (k[0], k[0].lower(), k[0].upper())}
    first_class = "".join(re.escape(c) for c in sorted(firsts))
    pattern = re.compile(f"(?=[{first_class}])(?:{alternatives})" if ordered else alternatives)
    weak = frozenset(k for k in ordered if k.lower() in WEAK_KEYWORDS)
    return _Matcher(pattern, tuple(ordered), weak)


def _ordered(keywords: Iterable[str] | None) -> tuple[str, ...]:
    return tuple(DEFAULT_AI_KEYWORDS if keywords is None else keywords)


def keyword_hits(text: str, keywords: Iterable[str] | None = None) -> tuple[int, int]:
    """``(strong, weak)`` keyword occurrences in ``text``."""
    keys = _ordered(keywords)
    if not keys or not text:
        return 0, 0
    matcher = _matcher(keys)
    strong = weak = 0
    for m in matcher.pattern.finditer(unicodedata.normalize("NFKC", text)):
        keyword = matcher.ordered[int((m.lastgroup or "k0")[1:])]
        if keyword in matcher.weak:
            weak += 1
        else:
            strong += 1
    return strong, weak


def _density(hits: float, text: str) -> float:
    """Occurrences per 1000 characters (short texts count as 300 characters, so two
    mentions in a two-line blurb are not an overwhelming density)."""
    return 1000 * hits / max(len(text), 300)


def is_ai_relevant(article: Article, keywords: Iterable[str] | None = None) -> bool:
    """Whether ``article`` is an AI story (see the module doc for the rule)."""
    title_strong, title_weak = keyword_hits(article.title, keywords)
    if title_strong:
        return True
    text = article.text or ""
    text_strong, text_weak = keyword_hits(text, keywords)
    if title_weak and text_strong >= TITLE_WEAK_SUPPORT:
        return True
    # Weak words count half in the text: a GPU review says "GPU" thirty times.
    hits = text_strong + 0.5 * text_weak
    return text_strong >= 1 and hits >= TEXT_MIN_HITS and _density(hits, text) >= TEXT_MIN_DENSITY


def relevance_score(article: Article, keywords: Iterable[str] | None = None) -> float:
    """0..1: how much ``article`` is about AI, for ranking (title counts most)."""
    title_strong, title_weak = keyword_hits(article.title, keywords)
    title = 1.0 if title_strong else 0.4 if title_weak else 0.0
    text = article.text or ""
    text_strong, text_weak = keyword_hits(text, keywords)
    density = _density(text_strong + 0.5 * text_weak, text)
    return round(0.6 * title + 0.4 * (1 - math.exp(-density / 4)), 6)


def select_articles(articles: Iterable[Article], window: Window,
                    keywords: Iterable[str] | None = None,
                    ai_only_sources: Iterable[str] = AI_ONLY_SOURCES,
                    undated: bool = False) -> list[Article]:
    """The articles of the window that are about AI. An article whose ``ai_relevant``
    was already decided (by its adapter or a feed's ``ai_only``) keeps that decision."""
    ai_only = set(ai_only_sources)
    keys = _ordered(keywords)
    out = []
    for article in articles:
        if not in_window(article, window, undated=undated):
            continue
        relevant = article.ai_relevant
        if relevant is None:
            relevant = article.source in ai_only or is_ai_relevant(article, keys)
        if relevant:
            out.append(article)
    return out


# --- ranking ----------------------------------------------------------------------------


def _source_weight(source: str, weights: Mapping[str, float]) -> float:
    return weights.get(source, OTHER_SOURCE_WEIGHT)


def story_score(story: Story, keywords: Iterable[str] | None = None,
                source_weights: Mapping[str, float] | None = None,
                recency: float = 0.0) -> float:
    """The ranking score of one story.

    Coverage dominates: each extra source reporting the story adds 2 (more than any
    other term can), each extra article of an already counted source 0.5. Then the best
    source weight (0..1), the best relevance (0..1) and ``recency`` (0..1, scaled to
    0.25 so it only breaks near-ties).
    """
    weights = DEFAULT_SOURCE_WEIGHTS if source_weights is None else source_weights
    n_sources = len(story.sources)
    coverage = 2.0 * (n_sources - 1) + 0.5 * (len(story.articles) - n_sources)
    weight = max(_source_weight(a.source, weights) for a in story.articles)
    keys = _ordered(keywords)
    relevance = max(relevance_score(a, keys) for a in story.articles)
    return coverage + weight + relevance + 0.25 * recency


def _latest(story: Story) -> float | None:
    times = [a.published.timestamp() for a in story.articles if a.published is not None]
    return max(times) if times else None


def rank_stories(stories: Sequence[Story], keywords: Iterable[str] | None = None,
                 source_weights: Mapping[str, float] | None = None) -> list[Story]:
    """Stories best first (see ``story_score``); recency is the story's latest article
    relative to the others; ties broken by the primary URL, so the order is stable."""
    latest = [_latest(s) for s in stories]
    known = [t for t in latest if t is not None]
    lo, hi = (min(known), max(known)) if known else (0.0, 0.0)
    keys = _ordered(keywords)

    def recency(t: float | None) -> float:
        if t is None or hi == lo:
            return 0.0
        return (t - lo) / (hi - lo)

    scored = [(-round(story_score(s, keys, source_weights, recency(t)), 9),
               canonical_url(s.url), s) for s, t in zip(stories, latest)]
    scored.sort(key=lambda item: item[:2])
    return [s for _, _, s in scored]


# --- cards for the planner --------------------------------------------------------------

_BOILERPLATE_LEAD = re.compile(
    r"^\s*(?:IT之家\s*\d+\s*月\s*\d+\s*日消息[，,]?"  # ithome's dateline
    r"|.{0,12}发自\s*凹非寺\s*"  # qbitai's byline, if the extractor left it
    r"|量子位\s*\|\s*公众号\s*QbitAI\s*)+")


def lead_text(text: str, limit: int = 120) -> str:
    """The first sentence(s) of ``text`` within ``limit`` characters: whole sentences
    when at least one fits, otherwise the first sentence cut with ``…``."""
    body = _BOILERPLATE_LEAD.sub("", " ".join((text or "").split()))
    if len(body) <= limit:
        return body
    out = ""
    for sentence in split_sentences(body, english=False, strip=False):  # joins back to body
        if len(out) + len(sentence) > limit:
            break
        out += sentence
    return out.strip() if out else body[: limit - 1].rstrip() + "…"


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
            "lead": lead_text(primary.text, lead_chars),
            "duplicates": story.duplicate_count,
            "entities": extract_entities(f"{primary.title}\n{primary.text[:400]}")[:8],
            "digest_only": all(a.source in DIGEST_SOURCES for a in story.articles),
        })
    return cards


def candidate_stories(articles: Sequence[Article], keywords: Sequence[str] | None = None) -> list[Story]:
    """The day's stories, best first: AI-relevant articles (a source's own verdict, else
    the keywords), near-duplicates merged (``aidaily.stories.dedup``), ranked. The one
    grouping of a day: the pipeline records it in the store for the review."""
    from aidaily.stories.dedup import group_duplicates

    relevant = [a for a in articles
                if a.ai_relevant or (a.ai_relevant is None and is_ai_relevant(a, keywords))]
    return list(rank_stories(group_duplicates(relevant), keywords))
