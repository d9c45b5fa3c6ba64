"""A draft's quality score: how close it is to the issue an editor published.

``score(draft, reference)`` compares two parsed digests (``aidaily.format.parse``) and
returns a ``QualityScore``; ``aidaily eval`` prints it, ``benchmarks/quality.py`` runs it
on the fixture day. Whoever tunes prompts against a real model reads these numbers.

**Stories.** The stories of an issue are read as a reader counts them, in every layout
of the house (``aidaily.format.outline``): story headings, linked or not, bare
``[headline](url)`` lines, and the lines of a 其他动态 / 更多动态 list. A draft story
and a reference story are the same story when

1. they link the same article: ``aidaily.text.comparable_url`` of both links is equal
   (a site's front page such as ``https://ai.hubtoday.app/`` stands for no one article
   and never matches by URL; ``aidaily.text.story_url_key``), or, when the day's store
   is known (``story_of``), articles the day's grouping put in one story (the house
   linked qbitai's report where the draft links IT之家's of the same news); or
2. their headlines are near-duplicates: the Jaccard similarity of their character 3-gram
   shingles (``aidaily.checks.similarity.shingles``: NFKC, entity names canonical, lower
   case, punctuation and spaces removed) is at least ``TITLE_THRESHOLD`` (0.5, the bar at
   which ``dedup`` takes two articles for one story without further evidence).

Measured on the reference issue and the fixture day's drafts, the same news reported
under another link scores 0.41–0.73 (xAI Colossus 2: 0.50); across twenty real daily
pages of ai.hubtoday.app no two different days' pages share more than 10 % of their
stories at 0.5 (what they do share is mostly the same GitHub project featured twice).
The shared-name evidence ``dedup`` also uses is left out on purpose: it is calibrated
for one day's articles, and across days the same product names (Claude Code) recur in
different news. Matching is one to one: URL matches first, then headline matches, best
first. ``story_recall`` is the share of the reference's stories the draft has,
``story_precision`` the share of the draft's stories the reference has.

**Shape.** Each ``Measure`` holds the draft's value, the reference's and the house
target where there is one: themed sections, main stories and 其他动态 lines (the
planner's ranges, ``DigestSettings``); the median length of fact bullets and of
commentary, bullets or paragraphs (``DigestSettings.fact_chars`` / ``commentary_chars``);
the title's length (``DigestSettings.title_chars``): all of them the house figures
measured on its archive by ``benchmarks/house.py``, for the period of the layout; the
share of stories whose commentary ("深度解读 & 洞察") ends addressing a reader
(``对程序员：…``, ``对地方政府而言，…``); placeholders left for the editor
(``PLACEHOLDER_MARK``); and the grounding rate of the draft's fact bullets, from the
verdicts of ``aidaily.checks.grounding.ground_digest`` when the caller has the day's
sources, else unknown (``None``), never guessed.
"""

from __future__ import annotations

import re
import statistics
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from aidaily.checks.similarity import jaccard, shingles
from aidaily.config import DigestSettings
from aidaily.format.lint import PLACEHOLDER_MARK
from aidaily.format.outline import outline
from aidaily.text import story_url_key

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from aidaily.checks.grounding import BulletVerdict
    from aidaily.format.digest import Digest

__all__ = [
    "READER_ADDRESS",
    "TITLE_THRESHOLD",
    "Grounding",
    "Measure",
    "QualityScore",
    "StoryMatch",
    "StoryRef",
    "grounding_of",
    "match_stories",
    "score",
    "stories_of",
]

#: Headline shingle Jaccard at or above which two stories are one (see the module doc).
TITLE_THRESHOLD = 0.5
#: A bullet that addresses a reader: ``对国内 AI 创业者：``, ``对地方政府而言，``.
#: (Not ``对比``, ``对此``, ``对手``…: words that start with 对 and address no one.)
READER_ADDRESS = re.compile(
    r"^对(?!比|此|手|标|话|应|称|照|接|齐|外)[^，,。；;：:]{1,24}?(?:[：:]|(?:而言|来说)[，,：:])")

Kind = Literal["item", "brief"]
By = Literal["url", "story", "title"]  # the same article, the same stored story, the headline


@dataclass(frozen=True)
class StoryRef:
    """One story of an issue: a linked item (its link text) or a 其他动态 line (its text)."""

    title: str
    url: str
    kind: Kind = "item"
    line: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "url": self.url, "kind": self.kind, "line": self.line}


@dataclass(frozen=True)
class StoryMatch:
    """A draft story taken for a reference story, and why."""

    draft: StoryRef
    reference: StoryRef
    by: By
    similarity: float  # headline shingle Jaccard (also for a URL match)

    def to_dict(self) -> dict[str, Any]:
        return {"draft": self.draft.to_dict(), "reference": self.reference.to_dict(),
                "by": self.by, "similarity": round(self.similarity, 3)}


@dataclass(frozen=True)
class Measure:
    """One figure of the draft beside the reference's and the house target (inclusive)."""

    name: str
    label: str
    draft: float | None
    reference: float | None = None
    target: tuple[float, float] | None = None
    share: bool = False  # a share (0..1) rather than a count or a length

    @property
    def ok(self) -> bool | None:
        """Within the target; None without a target or a value."""
        if self.target is None or self.draft is None:
            return None
        return self.target[0] <= self.draft <= self.target[1]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "draft": self.draft, "reference": self.reference,
                "target": list(self.target) if self.target else None, "ok": self.ok,
                "share": self.share}


@dataclass(frozen=True)
class Grounding:
    """The share of the draft's fact bullets grounded in their sources; ``rate`` is None
    when the sources were not available (``note`` says why)."""

    rate: float | None
    checked: int = 0
    grounded: int = 0
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"rate": self.rate, "checked": self.checked, "grounded": self.grounded,
                "note": self.note}


@dataclass
class QualityScore:
    """How close a draft is to a published issue (see the module doc)."""

    story_recall: float | None
    story_precision: float | None
    draft_stories: int
    reference_stories: int
    matches: list[StoryMatch] = field(default_factory=list)
    missed: list[StoryRef] = field(default_factory=list)  # reference stories not in the draft
    extra: list[StoryRef] = field(default_factory=list)  # draft stories not in the reference
    measures: list[Measure] = field(default_factory=list)
    grounding: Grounding = field(default_factory=lambda: Grounding(None, note="not checked"))

    def measure(self, name: str) -> Measure:
        return next(m for m in self.measures if m.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "story_recall": self.story_recall,
            "story_precision": self.story_precision,
            "grounding_rate": self.grounding.rate,
            "stories": {"draft": self.draft_stories, "reference": self.reference_stories,
                        "matched": len(self.matches)},
            "measures": {m.name: m.to_dict() for m in self.measures},
            "grounding": self.grounding.to_dict(),
            "matches": [m.to_dict() for m in self.matches],
            "missed": [s.to_dict() for s in self.missed],
            "extra": [s.to_dict() for s in self.extra],
        }


# --- stories ----------------------------------------------------------------------------


def stories_of(digest: Digest) -> list[StoryRef]:
    """The stories, then the 其他动态 / 更多动态 lines, of ``digest`` in order, as a
    reader counts them in any layout (``aidaily.format.outline``); an unlinked story
    has the URL "" and is matched by its headline."""
    read = outline(digest)
    return [*(StoryRef(s.title, s.url, "item", s.line) for s in read.stories),
            *(StoryRef(s.title, s.url, "brief", s.line) for s in read.briefs)]


def match_stories(draft: Sequence[StoryRef], reference: Sequence[StoryRef],
                  threshold: float = TITLE_THRESHOLD,
                  story_of: Callable[[str], str | None] | None = None) -> list[StoryMatch]:
    """One-to-one matches of draft and reference stories: same article (or, with
    ``story_of``, the day's grouping of a link, same story) first, then near-duplicate
    headlines, the most similar first (ties in reference order)."""
    grams_d = [shingles(s.title) for s in draft]
    grams_r = [shingles(s.title) for s in reference]

    def key_of(url: str) -> str | None:
        key = story_url_key(url)
        story = story_of(url) if story_of is not None and key is not None else None
        return f"story:{story}" if story else key

    free_d: dict[str, list[int]] = {}
    for j, story in enumerate(draft):
        key = key_of(story.url)
        if key is not None:
            free_d.setdefault(key, []).append(j)
    pairs: dict[int, tuple[int, By]] = {}  # reference index -> (draft index, by)
    used: set[int] = set()
    for i, story in enumerate(reference):
        key = key_of(story.url)
        if key is not None and free_d.get(key):
            j = free_d[key].pop(0)
            pairs[i] = (j, "story" if key.startswith("story:") else "url")
            used.add(j)
    candidates = sorted(
        ((-jaccard(grams_r[i], grams_d[j]), i, j)
         for i in range(len(reference)) if i not in pairs
         for j in range(len(draft)) if j not in used),
    )
    for negative, i, j in candidates:
        if -negative < threshold:
            break
        if i in pairs or j in used:
            continue
        pairs[i] = (j, "title")
        used.add(j)
    return [StoryMatch(draft[j], reference[i], by, jaccard(grams_r[i], grams_d[j]))
            for i, (j, by) in sorted(pairs.items())]


# --- shape ------------------------------------------------------------------------------


def _median(values: Sequence[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _counts(digest: Digest, text: str) -> dict[str, float | None]:
    """The figures of one issue that ``Measure`` compares (text: for placeholders)."""
    read = outline(digest)
    blocks = [s.commentary for s in read.stories if s.commentary]
    addressed = sum(bool(READER_ADDRESS.match(block[-1].strip())) for block in blocks)
    title = digest.title or digest.front_matter.get("title")
    return {
        "sections": len(read.themes),
        "items": len(read.stories),
        "briefs": len(read.briefs),
        "fact_chars": _median([len(f.strip()) for s in read.stories for f in s.facts]),
        "commentary_chars": _median([len(c.strip()) for block in blocks for c in block]),
        "title_chars": len(title) if isinstance(title, str) else None,
        "reader_address": _ratio(addressed, len(blocks)),
        "placeholders": text.count(PLACEHOLDER_MARK),
    }


def _targets(settings: DigestSettings | None) -> dict[str, tuple[float, float] | None]:
    if settings is None:
        settings = DigestSettings()
    return {
        "sections": (settings.sections_min, settings.sections_max),
        "items": (settings.main_min, settings.main_max),
        "briefs": (settings.other_min, settings.other_max),
        "fact_chars": settings.fact_chars,
        "commentary_chars": settings.commentary_chars,
        "title_chars": settings.title_chars,
        "reader_address": (1.0, 1.0),
        "placeholders": (0, 0),
    }


SHARES = frozenset({"reader_address"})
LABELS = {
    "sections": "themed sections",
    "items": "main stories",
    "briefs": "其他动态 lines",
    "fact_chars": "fact bullet, median chars",
    "commentary_chars": "commentary bullet, median chars",
    "title_chars": "title, chars",
    "reader_address": "commentary blocks ending 对…：",
    "placeholders": "placeholders left",
}


def grounding_of(verdicts: Sequence[BulletVerdict] | None, note: str = "") -> Grounding:
    """The grounding rate of ``ground_digest``'s verdicts; None: sources unknown."""
    if verdicts is None:
        return Grounding(None, note=note or "no sources to check against")
    if not verdicts:
        return Grounding(None, note=note or "the draft has no fact bullets")
    grounded = sum(v.ok for v in verdicts)
    return Grounding(round(grounded / len(verdicts), 4), len(verdicts), grounded, note)


# --- the score --------------------------------------------------------------------------


def score(draft: Digest, reference: Digest, *, draft_text: str = "", reference_text: str = "",
          settings: DigestSettings | None = None,
          grounding: Grounding | None = None,
          story_of: Callable[[str], str | None] | None = None) -> QualityScore:
    """How close ``draft`` is to ``reference``. The texts count placeholders (when
    given); ``settings`` gives the house targets (the defaults otherwise); ``grounding``
    is the draft's (``grounding_of``), unknown when None; ``story_of`` the day's grouping
    of a link (``ItemSources.story_of``), when the day's store is known."""
    ours, theirs = stories_of(draft), stories_of(reference)
    matches = match_stories(ours, theirs, story_of=story_of)
    got_d = {id(m.draft) for m in matches}
    got_r = {id(m.reference) for m in matches}
    mine, house = _counts(draft, draft_text), _counts(reference, reference_text)
    targets = _targets(settings)
    measures = [Measure(name, LABELS[name], mine[name], house[name], targets[name],
                        share=name in SHARES) for name in LABELS]
    rate = grounding or grounding_of(None, "not checked")
    measures.append(Measure("grounding", "fact bullets grounded", rate.rate, None, (1.0, 1.0),
                            share=True))
    return QualityScore(
        story_recall=_ratio(len(matches), len(theirs)),
        story_precision=_ratio(len(matches), len(ours)),
        draft_stories=len(ours),
        reference_stories=len(theirs),
        matches=matches,
        missed=[s for s in theirs if id(s) not in got_r],
        extra=[s for s in ours if id(s) not in got_d],
        measures=measures,
        grounding=rate,
    )
