"""Near-duplicate stories across sources: one piece of news, several articles.

ithome, qbitai and hubtoday often report the same news in different words ("xAI 上线全球
首个 GW 级超算 Colossus 2" / "马斯克 xAI 的 Colossus 2 超算集群投入运行，功率达 1GW").
``group_duplicates`` merges such articles into one ``Story`` in three steps, cheapest
first:

1. **Same canonical URL** (the same article fetched twice, tracking parameters aside).
2. **A digest item that links the article**: a hubtoday item whose links include an
   article we fetched is that article's story.
3. **Near-duplicate text**: character 3-gram shingles of title + lead over normalised
   text (NFKC, lower case, entity names canonical so 英伟达 == Nvidia, punctuation and
   spaces removed). Candidates come from MinHash LSH (datasketch's ``MinHash`` and
   ``MinHashLSH``, banded signatures), or from sharing story evidence, never from
   all pairs; each candidate pair is then verified on the exact shingle sets. Story
   evidence lowers the bar, because paraphrased Chinese headlines share few shingles:
   a product with its version or qualifier (``Colossus 2``), a figure with its unit
   (``55 万张``). Companies, people and names many stories share (GPT, Claude, OpenAI,
   英伟达: ``shared_names``, measured on the house's archive) are no evidence, however
   rare they are on one day, so different news about one company stays apart. The
   thresholds come from labelled pairs (``benchmarks/merge.py``).

The best article of a story comes first: full articles (ithome, qbitai, any feed)
before one-paragraph digest items (hubtoday), then longer text, then earlier. Story
ids are the first 12 hex digits of the sha1 of the primary article's canonical URL, so
they are stable for a given input.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from aidaily.checks.entities import entity_kind, extract_entities
from aidaily.checks.similarity import SHINGLE_SIZE, jaccard, normalize_text, shingles
from aidaily.models import Article, Story
from aidaily.text import story_url_key
from aidaily.text import comparable_url as canonical_url  # the comparison key of URLs
from aidaily.checks.numbers import NumberMention, extract_numbers, prepare

if TYPE_CHECKING:
    from datasketch import MinHash

__all__ = [
    "DIGEST_SOURCES",
    "PairVerdict",
    "canonical_url",
    "compare",
    "group_duplicates",
    "group_indices",
    "jaccard",
    "minhashes",
    "normalize_text",
    "preference_key",
    "shared_names",
    "shingles",
    "significant_number",
    "stories_from_groups",
    "story_evidence",
    "story_figures",
    "story_id",
    "story_names",
    "weak_pair",
]

# Sources whose items are digests of other articles (one paragraph + links).
DIGEST_SOURCES = frozenset({"hubtoday"})
LEAD_CHARS = 160  # text after the title that enters the fingerprint
NUM_PERM = 63
LSH_ROWS = 3  # rows per band: recall-oriented, candidates are verified exactly afterwards
MAX_NEIGHBOURS = 200  # an article this many others collide with is boilerplate
_SEED = 1
EVIDENCE_MAX_DF = 6  # a name/figure in more articles of one day than this is not distinctive
# Shingle Jaccard of title + lead at or above which two articles of two sources are one
# story without further evidence (near-identical wording).
NEAR_DUPLICATE = 0.5
SHARED_NAMES_FILE = Path(__file__).with_name("shared_names.txt")
# A name in this many issues of the archive is shared by many stories (benchmarks/merge.py).
SHARED_NAME_ISSUES = 8
# Verification bars for pairs that share one / two pieces of story evidence
# (``story_evidence``). Chosen on the labelled pairs (benchmarks/merge.py sweep): with one
# shared piece, 0.08 merges 3 more pairs that are not the same news than 0.1 and finds
# 1 more that is; 0.12 loses 11 same-news pairs. No labelled pair shares two pieces
# below 0.1, so the two-piece bar is not measured there.
EVIDENCE_THRESHOLDS = {1: 0.1, 2: 0.05}
SAME_SOURCE_THRESHOLD = 0.8  # one source rarely runs one story twice

_ITHOME_LEAD = re.compile(r"^\s*IT之家\s*\d+\s*月\s*\d+\s*日消息[，,]?\s*")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


# --- normalisation (the shingles and their similarity: aidaily.checks.similarity) -------


def _fingerprint_text(article: Article, lead_chars: int = LEAD_CHARS) -> str:
    """Title and the start of the text: what distinguishes one piece of news."""
    lead = _ITHOME_LEAD.sub("", article.text or "")[:lead_chars]
    return f"{article.title}\n{lead}"


def significant_number(key: str) -> bool:
    """A figure that identifies news (250 亿, 71.5%, 1305): not a small count, a year or a
    day of the month, which any two stories may share."""
    if key.endswith("%"):
        return True
    value = Decimal(key)
    if value != value.to_integral_value():
        return value > 1
    return value >= 32 and not 1990 <= value <= 2100


# What follows a figure and says what it counts: a Latin unit (GW, B, tokens) or one
# Chinese character (张, 台, 美 of 美元, 参 of 参数). Function words and approximations
# (多, 超, 约) are no unit.
_UNIT = re.compile(r"\s?([A-Za-z]{1,12}|[\u4e00-\u9fff])")
_NOT_UNITS = frozenset("的了和与及在是为将已也都而或多余超近约")


@lru_cache(maxsize=1)
def shared_names() -> frozenset[str]:
    """Names that many different stories share (lower case): every name found in the
    titles and leads of at least ``SHARED_NAME_ISSUES`` issues of the house's archive
    (OpenAI, Claude, GPT-5.6, Kimi K3, IPO …). Built by ``benchmarks/merge.py names``
    and shipped with the package, so a name is judged by how many stories use it over
    months, not by how rare it happens to be on one day."""
    text = SHARED_NAMES_FILE.read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def story_names(text: str) -> set[str]:
    """Names specific to one story (lower case): a product with its version or its
    qualifier (Colossus 2, Walker S2, GPT-5.2 Pro, FastRender), never a company or a
    person, never a name of ``shared_names``. A name inside a longer one is the same
    mention (``Claude`` of ``Claude Code``): it counts once, as the longer name."""
    return _names(text, _labelled_figures(text))


def story_figures(text: str) -> set[str]:
    """Significant figures with what they count (``#25000000000美`` for 250 亿美元,
    ``#550000张`` for 55 万张, ``#71.5%``): a bare number says little, 2026 and 5 nothing."""
    return _figures(_labelled_figures(text))


def story_evidence(text: str) -> set[str]:
    """What two reports of one piece of news share beyond wording: ``story_names`` and
    ``story_figures`` (the text's numbers read once for both)."""
    labelled = _labelled_figures(text)
    return _names(text, labelled) | _figures(labelled)


def _names(text: str, labelled: list[tuple[NumberMention, str]]) -> set[str]:
    shared = shared_names()
    names = {n.lower() for n in extract_entities(text) if entity_kind(n) not in ("org", "person")}
    names = {n for n in names if not any(m != n and m.startswith(n + " ") for m in names)}
    # A word that counts a figure of the text (3000 ISO, 7000CVIA) is a unit, not a name:
    # two projectors' launches both give brightness in ISO and CVIA.
    units = {label for _, label in labelled}
    return {n for n in names if len(n) > 2 and n not in shared and n not in units}


def _figures(labelled: list[tuple[NumberMention, str]]) -> set[str]:
    out: set[str] = set()
    for mention, label in labelled:
        for alts in mention.required:
            for key in alts:
                if significant_number(key) and (label or key.endswith("%")):
                    out.add(f"#{key}{'' if key.endswith('%') else label}")
    return out


def _labelled_figures(text: str) -> list[tuple[NumberMention, str]]:
    """Each number of ``text`` with the unit that follows it, lower case ("" for none)."""
    prepared = prepare(text)
    out = []
    for mention in extract_numbers(text, strict=True):
        unit = _UNIT.match(prepared, mention.end)
        out.append((mention, unit.group(1).lower() if unit and unit.group(1) not in _NOT_UNITS else ""))
    return out


@dataclass(frozen=True)
class PairVerdict:
    """Whether two articles report one piece of news, and why."""

    similarity: float  # Jaccard of the title + lead shingle sets
    evidence: frozenset[str]  # story-specific names and figures both mention
    same: bool
    strong: bool  # same without lowering the bar (same URL, digest link, near-identical text)


def compare(a: Article, b: Article) -> PairVerdict:
    """The grouping's verdict on one pair, as ``group_indices`` makes it for candidate
    pairs (a digest item that links the other article is the same news, strongly)."""
    if canonical_url(a.url) == canonical_url(b.url) or _links(a, b) or _links(b, a):
        return PairVerdict(1.0, frozenset(), True, True)
    ta, tb = _fingerprint_text(a), _fingerprint_text(b)
    sim = jaccard(_gram_keys(normalize_text(ta)), _gram_keys(normalize_text(tb)))
    shared = frozenset(story_evidence(ta) & story_evidence(tb))
    same = _same_story(a, b, sim, len(shared))
    return PairVerdict(round(sim, 4), shared, same, same and sim >= NEAR_DUPLICATE)


def weak_pair(a: Article, b: Article) -> bool:
    """Two articles of one story that ``compare`` would join only on lowered evidence
    (grounding's ``ItemSources.weak_pair``: a bullet only such an article supports is
    marked)."""
    return not compare(a, b).strong


def _links(digest: Article, other: Article) -> bool:
    key = canonical_url(other.url)
    return digest.source in DIGEST_SOURCES and any(canonical_url(u) == key for u in digest.links)


# --- ordering and ids -------------------------------------------------------------------


def story_id(url: str) -> str:
    """Stable short id of the story whose primary article has ``url``."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:12]


def _timestamp(article: Article) -> float:
    """Seconds since the epoch; undated articles sort last among equals."""
    if article.published is None:
        return float("inf")
    published = article.published
    if published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    return (published - _EPOCH).total_seconds()


def preference_key(article: Article) -> tuple:
    """Sort key, best article first: full article over digest item, longer text,
    earlier, then URL for a stable tie-break."""
    return (article.source in DIGEST_SOURCES, -len(article.text or ""), _timestamp(article),
            canonical_url(article.url))


def stories_from_groups(groups: Iterable[Sequence[Article]]) -> list[Story]:
    """Stories from groups of articles: best article first, one article per canonical
    URL, stories ordered by their earliest article then id."""
    stories = []
    for group in groups:
        unique: dict[str, Article] = {}
        for article in sorted(group, key=preference_key):
            unique.setdefault(canonical_url(article.url), article)
        articles = list(unique.values())
        if articles:
            stories.append(Story(id=story_id(articles[0].url), articles=articles))
    stories.sort(key=lambda s: (min(_timestamp(a) for a in s.articles), s.id))
    return stories


# --- grouping ---------------------------------------------------------------------------


class _UnionFind:
    """Union-find over article indices with one constraint: two items of a digest source
    (two hubtoday items) never end up in one story, not even through a chain of
    otherwise good matches, since a digest page lists each piece of news once."""

    def __init__(self, articles: Sequence[Article]) -> None:
        self.parent = list(range(len(articles)))
        self.digests: list[frozenset[str]] = [
            frozenset({a.source}) if a.source in DIGEST_SOURCES else frozenset()
            for a in articles]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int, constrained: bool = True) -> None:
        """Merge the groups of ``i`` and ``j``, unless the constraint forbids it."""
        ri, rj = self.find(i), self.find(j)
        if ri == rj or (constrained and self.digests[ri] & self.digests[rj]):
            return
        root, child = min(ri, rj), max(ri, rj)
        self.parent[child] = root
        self.digests[root] = self.digests[ri] | self.digests[rj]


def _gram_keys(norm: str, k: int = SHINGLE_SIZE) -> set[bytes]:
    """The character k-grams of ``norm`` (as ``_grams``) as UTF-32 byte strings.

    Fixed width, so slicing the encoded text gives the grams without encoding each one,
    and the sets have the same Jaccard as the ``str`` ones. Bytes also let
    ``zlib.crc32`` hash them directly, in C (see ``minhashes``).
    """
    if len(norm) <= k:
        return {norm.encode("utf-32-le")} if norm else set()
    data = norm.encode("utf-32-le")
    width = 4 * k
    return {data[i:i + width] for i in range(0, len(data) - width + 4, 4)}


def minhashes(gram_sets: Sequence[set[bytes]]) -> list[MinHash]:
    """datasketch MinHashes of k-gram sets (``_gram_keys``), seeded so that they are the
    same in every run (``MinHash.bulk`` shares the permutations across all of them).

    The input hash is CRC-32 rather than datasketch's default SHA-1: deterministic in
    every process like SHA-1 (Python's ``hash`` is salted), a C call with no Python frame
    per gram, and good enough since datasketch mixes every input hash with the
    MurmurHash3 finaliser before permuting it. SHA-1 made signatures the slowest step.

    datasketch is imported here, not with the module: its package imports scipy (for
    the LSH parameter optimiser we do not use), ~1 s and ~60 MB, which modules that only
    need ``canonical_url`` or ``DIGEST_SOURCES`` from here should not pay. A run pays it
    once; ``flows/daily.py`` imports it up front with the rest of the run's imports.
    """
    # deferred: datasketch (numpy, scipy), charset-normalizer, only when this runs (`aidaily fetch`,
    # `prompt`, … load the module)
    from datasketch import MinHash

    return MinHash.bulk(gram_sets, num_perm=NUM_PERM, seed=_SEED, hashfunc=zlib.crc32)


def _candidate_pairs_lsh(gram_sets: Sequence[set[bytes]]) -> set[tuple[int, int]]:
    """Pairs whose MinHashes agree on all rows of at least one band (datasketch's
    ``MinHashLSH`` with fixed bands, not its threshold optimiser).

    ``LSH_ROWS`` rows per band: with 63 permutations (21 bands of 3) a pair with Jaccard
    0.5 becomes a candidate with probability 0.94 (0.6: 0.99), one with 0.2 with 0.16,
    unrelated texts (< 0.05) almost never; every candidate is verified exactly
    afterwards. Pairs with less similar wording are found through shared evidence.
    """
    from datasketch import MinHashLSH  # see ``minhashes``

    signatures = minhashes(gram_sets)
    lsh = MinHashLSH(num_perm=NUM_PERM, params=(NUM_PERM // LSH_ROWS, LSH_ROWS))
    indexed = [i for i, m in enumerate(signatures) if not m.is_empty()]  # no text: no shingle
    for i in indexed:
        lsh.insert(i, signatures[i], check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for i in indexed:
        neighbours = lsh.query(signatures[i])
        if len(neighbours) > MAX_NEIGHBOURS:
            continue  # a template shared by hundreds of articles, not one piece of news
        pairs.update((i, j) for j in neighbours if j > i)
    return pairs


def _candidate_pairs_evidence(names: list[set[str]]) -> set[tuple[int, int]]:
    """Pairs sharing a name or figure that few articles mention."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, ns in enumerate(names):
        for name in ns:
            postings[name].append(i)
    pairs: set[tuple[int, int]] = set()
    for ids in postings.values():
        if 1 < len(ids) <= EVIDENCE_MAX_DF:
            pairs.update((a, b) for k, a in enumerate(ids) for b in ids[k + 1:])
    return pairs


def group_indices(articles: Sequence[Article]) -> list[list[int]]:
    """Groups of indices into ``articles`` that report the same news (see module doc)."""
    n = len(articles)
    uf = _UnionFind(articles)
    by_url: dict[str, int] = {}
    for i, article in enumerate(articles):
        if story_url_key(article.url) is None:
            continue  # no link, or a site's front page: it names no one article
        key = canonical_url(article.url)
        if key in by_url:
            uf.union(by_url[key], i, constrained=False)  # the same article, fetched twice
        else:
            by_url[key] = i
    for i, article in enumerate(articles):
        if article.source in DIGEST_SOURCES:
            for link in sorted(article.links):
                j = by_url.get(canonical_url(link))
                if j is not None and j != i:
                    uf.union(i, j)

    texts = [_fingerprint_text(a) for a in articles]
    sets = [_gram_keys(normalize_text(t)) for t in texts]
    evidence = [story_evidence(t) for t in texts]
    candidates = _candidate_pairs_lsh(sets) | _candidate_pairs_evidence(evidence)

    matches = []
    for i, j in candidates:
        sim = jaccard(sets[i], sets[j])  # exact, on the shingle sets: MinHash only proposes
        if _same_story(articles[i], articles[j], sim, len(evidence[i] & evidence[j])):
            digest = articles[i].source in DIGEST_SOURCES or articles[j].source in DIGEST_SOURCES
            matches.append((digest, -sim, i, j))
    # Full articles define the stories, digest items attach to them afterwards; within
    # each kind the best matches go first, so they win under the constraint.
    for _, _, i, j in sorted(matches):
        uf.union(i, j)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[uf.find(i)].append(i)
    return sorted(groups.values())


def _same_story(a: Article, b: Article, sim: float, shared: int) -> bool:
    """The verification of one candidate pair with shingle Jaccard ``sim`` and
    ``shared`` pieces of evidence."""
    if a.source == b.source:
        # Two hubtoday items of one page are two stories by construction; two ithome
        # articles are one only when nearly identical (a re-post, an update).
        return a.source not in DIGEST_SOURCES and sim >= SAME_SOURCE_THRESHOLD
    if sim >= NEAR_DUPLICATE:
        return True
    bar = EVIDENCE_THRESHOLDS.get(min(shared, max(EVIDENCE_THRESHOLDS)))
    return bar is not None and sim >= bar


def group_duplicates(articles: Sequence[Article]) -> list[Story]:
    """Stories from articles: duplicates merged, best article first (see module doc)."""
    groups = group_indices(articles)
    return stories_from_groups([[articles[i] for i in g] for g in groups])
