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

Commentary ("深度解读 & 洞察") may interpret, so it is not fact-checked; numbers in it that
the sources do not contain are reported as ``info``, the first thing an editor checks.

Findings are data for the review report; the digest is never altered here.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from aidaily.stories.dedup import canonical_url
from aidaily.format.digest import Brief, BriefList, Digest, Insight, Item, Section
from aidaily.checks.entities import (
    GENERIC_LATIN,
    entity_variants,
    find_entities,
    latin_tokens,
)
from aidaily.checks.numbers import extract_numbers, number_keys, prepare
from aidaily.text import split_sentences  # re-exported: the sentences bullets are grounded in

__all__ = [
    "BulletCheck",
    "Finding",
    "check_bullet",
    "check_digest",
    "check_links",
    "missing_names",
    "missing_numbers",
    "nearest_sentence",
    "split_sentences",
]

Kind = Literal["number", "name", "link"]
Severity = Literal["error", "warning", "info"]

_NOT_WORD = re.compile(r"[\W_]+")
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


@dataclass
class Finding:
    """One problem found in a digest, for the review report.

    ``bullet_index`` is the 0-based index among the item's bullets, ``None`` for the
    item's link title; ``line`` is 1-based in the draft file (0 when not known).
    """

    url: str
    bullet_index: int | None
    kind: Kind
    detail: str
    severity: Severity = "error"
    line: int = 0
    text: str = ""
    nearest_sentence: str = ""
    section: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.severity} [{self.kind}] {self.detail} — {self.url}"


# --- sentences and similarity -----------------------------------------------------------


def _bigrams(text: str) -> set[str]:
    norm = _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).lower())
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


def missing_numbers(bullet: str, source_text: str,
                    source_keys: set[str] | None = None) -> list[str]:
    """Numbers of ``bullet`` (as written) that do not occur in the source."""
    keys = number_keys(source_text) if source_keys is None else source_keys
    return [m.raw.strip() for m in extract_numbers(bullet, strict=True) if not m.found_in(keys)]


def _name_in(name: str, source: str, squashed_source: str) -> bool:
    """Case-insensitive occurrence at Latin-word boundaries; then without spaces and
    hyphens (``FastRender`` == ``Fast Render``, ``GPT 5.2`` == ``GPT-5.2``). A name ending
    in a digit must not continue with more digits (``GPT-5`` is not ``GPT-5.2``)."""
    tail = r"(?![0-9]|\.[0-9])" if name[-1].isdigit() else r"(?![A-Za-z])"
    if re.search(rf"(?i)(?<![A-Za-z0-9]){re.escape(name)}{tail}", source):
        return True
    squashed = _SQUASH.sub("", name).lower()
    return bool(squashed) and re.search(rf"{re.escape(squashed)}{tail}", squashed_source) is not None


def _variant_in(name: str, source: str, squashed_source: str) -> bool:
    """``name`` or any variant of its entity occurs in the source."""
    for variant in entity_variants(name):
        if re.match(r"[A-Za-z]", variant):
            if _name_in(variant, source, squashed_source):
                return True
        elif variant in source:
            return True
    return False


def _bullet_names(bullet: str) -> list[str]:
    """Names a bullet asserts: known entities, then Latin tokens outside them."""
    names: list[str] = []
    spans = []
    for start, end, entity in find_entities(bullet):
        spans.append((start, end))
        names.append(entity.name)
    text = unicodedata.normalize("NFKC", bullet)
    for start, end, token in latin_tokens(text):
        if any(s <= start < e for s, e in spans) or token.lower() in GENERIC_LATIN:
            continue
        names.append(token)
    seen: set[str] = set()
    return [n for n in names if not (n.lower() in seen or seen.add(n.lower()))]


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


def _is_site_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query and not parts.fragment


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def check_links(urls: Iterable[str], fetched_urls: Iterable[str]) -> list[str]:
    """The links among ``urls`` that are not fetched articles, in order. A site root
    (``https://ai.hubtoday.app/``) counts as fetched when any article of its site was:
    that is how the digest cites hubtoday items."""
    fetched = {canonical_url(u) for u in fetched_urls}
    hosts = {_host(u) for u in fetched}
    bad = []
    for url in urls:
        if canonical_url(url) in fetched:
            continue
        if _is_site_root(url) and _host(url) in hosts:
            continue
        bad.append(url)
    return bad


# --- the whole digest -------------------------------------------------------------------


def _resolve_source(url: str, hint: str, sources: Mapping[str, str]) -> str | None:
    """The source text of a link: by canonical URL, or for a site root the article of
    that site most similar to ``hint`` (the item's title and bullets)."""
    key = canonical_url(url)
    by_key = {canonical_url(u): text for u, text in sources.items()}
    if key in by_key:
        return by_key[key]
    if not _is_site_root(url):
        return None
    host = _host(url)
    candidates = [text for u, text in sources.items() if _host(u) == host]
    if not candidates:
        return None
    target = _bigrams(hint)
    return max(candidates, key=lambda t: len(target & _bigrams(t)))


def _link_finding(url: str, index: int | None, line: int, text: str, section: str) -> Finding:
    """A link whose article was not fetched: its bullets cannot be checked either."""
    return Finding(url, index, "link", "link is not a fetched article (bullets unchecked)",
                   "error", line, text, "", section)


def _bullet_line(anchor_line: int, gap: int, index: int) -> int:
    """Line of the ``index``-th bullet under a line at ``anchor_line`` (0: unknown)."""
    return anchor_line + gap + 1 + index if anchor_line else 0


def _fact_findings(url: str, index: int | None, text: str, source: str, line: int,
                   section: str) -> list[Finding]:
    check = check_bullet(text, source)
    out = []
    for raw in check.missing_numbers:
        out.append(Finding(url, index, "number", f"number {raw!r} not in the source",
                           "error", line, text, check.nearest_sentence, section))
    for name in check.missing_names:
        out.append(Finding(url, index, "name", f"name {name!r} not in the source",
                           "warning", line, text, check.nearest_sentence, section))
    return out


def _commentary_findings(insight: Insight, items: Sequence[Item], sources_text: str,
                         section: str) -> list[Finding]:
    """Numbers in commentary that none of the commented items' sources contain."""
    url = items[-1].url if items else ""
    keys = number_keys(sources_text)
    out = []
    for i, bullet in enumerate(insight.bullets):
        for raw in missing_numbers(bullet.text, sources_text, keys):
            sentence, _ = nearest_sentence(bullet.text, sources_text)
            out.append(Finding(url, i, "number",
                               f"commentary number {raw!r} not in the source(s)", "info",
                               _bullet_line(insight.line, insight.bullets_gap, i),
                               bullet.text, sentence, section))
    return out


def _check_item(item: Item, sources: Mapping[str, str], section: str) -> tuple[list[Finding], str]:
    """Findings for one item (title and fact bullets) and the source text used."""
    hint = " ".join([item.title, *(b.text for b in item.bullets)])
    source = _resolve_source(item.url, hint, sources)
    if source is None:
        return [_link_finding(item.url, None, item.line, item.title, section)], ""
    findings = _fact_findings(item.url, None, item.title, source, item.line, section)
    for i, bullet in enumerate(item.bullets):
        line = _bullet_line(item.line, item.bullets_gap, i)
        findings += _fact_findings(item.url, i, bullet.text, source, line, section)
    return findings, source


def _check_briefs(entry: BriefList, sources: Mapping[str, str], section: str) -> list[Finding]:
    findings = []
    for i, brief in enumerate(entry.entries):
        if not isinstance(brief, Brief):
            continue
        line = entry.line + i if entry.line else 0
        source = _resolve_source(brief.url, brief.text, sources)
        if source is None:
            findings.append(_link_finding(brief.url, i, line, brief.text, section))
            continue
        findings += _fact_findings(brief.url, i, brief.text, source, line, section)
    return findings


def _check_section(section: Section, sources: Mapping[str, str]) -> list[Finding]:
    findings: list[Finding] = []
    pending: list[tuple[Item, str]] = []  # items since the last commentary block
    for entry in section.entries:
        if isinstance(entry, Item):
            item_findings, source = _check_item(entry, sources, section.heading)
            findings += item_findings
            pending.append((entry, source))
        elif isinstance(entry, Insight):
            if entry.is_commentary:
                text = "\n".join(src for _, src in pending)
                findings += _commentary_findings(entry, [i for i, _ in pending], text,
                                                 section.heading)
            pending = []
        elif isinstance(entry, BriefList):
            findings += _check_briefs(entry, sources, section.heading)
    return findings


def check_digest(digest: Digest, sources: Mapping[str, str]) -> list[Finding]:
    """Check every item, fact bullet, "其他动态" line and link of ``digest`` against
    ``sources`` (article URL -> title + text of every fetched article). Links are
    resolved as ``check_links`` does: a site root cites the article of that site most
    similar to the item.

    Severities: a number missing from the source or a link that is not a fetched
    article is an ``error``; a missing name a ``warning`` (transliterations slip through
    any table); numbers in commentary that the sources lack are ``info``.
    """
    findings: list[Finding] = []
    for section in digest.sections:
        findings += _check_section(section, sources)
    return findings
