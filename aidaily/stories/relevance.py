"""Is an article AI news, as this house counts it? A classifier learned from data.

What counts (the house's archive shows it): models, labs, AI companies and their
business, chips and semiconductors, robots and embodied AI, AI policy. The model is a
logistic regression over TF-IDF character n-grams of the headline and the lead, trained
by ``benchmarks/relevance.py`` on the archive's headlines (positives) and real IT之家
feed items labelled by hand (``benchmarks/data/relevance_set.tsv``); its precision and
recall on a held-out split are in ``benchmarks/README.md``.

The trained model ships as plain JSON (``data/relevance_model.json``: vocabulary, idf,
weights) and is scored here in pure Python, so neither scikit-learn nor numpy is needed
to run aidaily, and nothing is loaded until the first article is judged (the CLI's
start-up never pays for it). ``features`` is the one analyzer: the trainer hands this
very function to scikit-learn, so training and scoring cut text the same way.

A verdict has three outcomes: ``ai`` (p at least the model's ``ai_threshold``),
``borderline`` (p at least its ``borderline_threshold``) and ``not_ai``; both thresholds
are chosen by the trainer on its data and stored in the model file. Without a model the pipeline keeps only
``ai``; with one, borderline stories are offered to the plan marked as such (the
model decides, an editor sees why).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

__all__ = [
    "MODEL_PATH",
    "RelevanceModel",
    "Verdict",
    "classifier_text",
    "features",
    "house_weight",
    "judge",
    "load_model",
]

MODEL_PATH = Path(__file__).with_name("data") / "relevance_model.json"
LEAD_CHARS = 120  # the lead the classifier reads: a headline and about one sentence

Label = Literal["ai", "borderline", "not_ai"]

_WS_RE = re.compile(r"\s+")
# The site's own lead-in ("IT之家 1 月 19 日消息，") says nothing about the topic.
_DATELINE_RE = re.compile(r"^\s*(?:IT\s*之家\s*)?\d{1,2}\s*月\s*\d{1,2}\s*日(?:消息|电|讯)[，,：:]?\s*")
_ASCII_WORD_RE = re.compile(r"[a-z0-9][a-z0-9.\-+]*")
# A space next to a non-ASCII character: IT之家 writes "OpenAI 发布 2 款模型", the house
# "OpenAI发布2款模型"; the spacing is a site's style, not the topic, so it goes.
_CJK_SPACE_RE = re.compile(r" (?=[^\x00-\x7f])|(?<=[^\x00-\x7f]) ")


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits become ASCII), lower case, one space, and
    no space beside a Chinese character."""
    text = _WS_RE.sub(" ", unicodedata.normalize("NFKC", text or "")).strip().lower()
    return _CJK_SPACE_RE.sub("", text)


def features(text: str) -> list[str]:
    """The classifier's features of ``text`` (already ``classifier_text``-ed):
    character 1–3-grams of the Chinese and other text, and whole Latin words (``gpt``,
    ``nvidia``, ``h200``), prefixed so a word never collides with an n-gram."""
    text = normalise(text)
    # No n-gram starts or ends on a space (what ``str.strip`` strips). Every article of a
    # day is judged, so this is the classifier's inner loop: one pass per size.
    solid = [not ch.isspace() for ch in text]
    grams = [ch for ch, ok in zip(text, solid) if ok]
    for size in (2, 3):
        last = size - 1
        grams += [text[i:i + size] for i in range(len(text) - last) if solid[i] and solid[i + last]]
    grams += ["w:" + w for w in _ASCII_WORD_RE.findall(text)]
    return grams


def classifier_text(title: str, lead: str = "") -> str:
    """What the classifier reads: the headline, then the start of the lead without the
    site's dateline."""
    lead = _DATELINE_RE.sub("", _WS_RE.sub(" ", lead or "")).strip()[:LEAD_CHARS]
    return f"{(title or '').strip()} 。 {lead}".strip(" 。")


@dataclass(frozen=True)
class RelevanceModel:
    """A trained model in the shipped format: each feature's column and idf, and two
    linear heads over the same TF-IDF vector: ``coef`` (AI news or not) and
    ``rank_coef`` (of the stories the house ran, a main story rather than a one-liner)."""

    vocabulary: dict[str, int]
    idf: list[float]
    coef: list[float]
    intercept: float
    ai_threshold: float
    borderline_threshold: float
    rank_coef: list[float] | None = None
    rank_intercept: float = 0.0

    @classmethod
    def from_dict(cls, data: dict) -> RelevanceModel:
        rank = data.get("rank_coef")
        return cls(vocabulary=dict(data["vocabulary"]), idf=[float(x) for x in data["idf"]],
                   coef=[float(x) for x in data["coef"]], intercept=float(data["intercept"]),
                   ai_threshold=float(data["ai_threshold"]),
                   borderline_threshold=float(data["borderline_threshold"]),
                   rank_coef=[float(x) for x in rank] if rank is not None else None,
                   rank_intercept=float(data.get("rank_intercept", 0.0)))

    def vector(self, text: str) -> dict[int, float]:
        """Sublinear TF × idf, L2-normalised: scikit-learn's ``TfidfVectorizer(
        sublinear_tf=True)`` row of ``text`` (features outside the vocabulary ignored)."""
        vocabulary, idf = self.vocabulary, self.idf
        counts = Counter([vocabulary[g] for g in features(text) if g in vocabulary])
        weights = {col: (1.0 + math.log(c)) * idf[col] for col, c in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {col: w / norm for col, w in weights.items()}

    def decision(self, text: str) -> float:
        """The log-odds that ``text`` is AI news (``LogisticRegression.decision_function``)."""
        return self._decision(self.vector(text))

    def probability(self, text: str) -> float:
        return _sigmoid(self.decision(text))

    def rank_probability(self, text: str) -> float:
        """How likely the house runs ``text`` as a main story rather than a one-liner
        (0.5 when the model has no ranking head)."""
        return self._rank(self.vector(text))

    def scores(self, text: str) -> tuple[float, float]:
        """``(probability, rank_probability)`` of ``text``, vectorised once."""
        vector = self.vector(text)
        return _sigmoid(self._decision(vector)), self._rank(vector)

    def _decision(self, vector: dict[int, float]) -> float:
        coef = self.coef
        return self.intercept + sum(w * coef[c] for c, w in vector.items())

    def _rank(self, vector: dict[int, float]) -> float:
        if self.rank_coef is None:
            return 0.5
        coef = self.rank_coef
        return _sigmoid(self.rank_intercept + sum(w * coef[c] for c, w in vector.items()))


def _sigmoid(z: float) -> float:
    if z < -700:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


@lru_cache(maxsize=4)
def load_model(path: str | None = None) -> RelevanceModel:
    """The shipped model (or the one at ``path``), read once per process."""
    file = Path(path) if path else MODEL_PATH
    return RelevanceModel.from_dict(json.loads(file.read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Verdict:
    label: Label
    probability: float

    @property
    def offered(self) -> bool:
        """Shown to a model's plan (AI or borderline)."""
        return self.label != "not_ai"


@lru_cache(maxsize=8192)
def _shipped_scores(text: str) -> tuple[float, float]:
    """Both heads of the shipped model on ``text``: selection asks for each article's
    verdict and for its weight in ranking, so each text is vectorised once."""
    return load_model().scores(text)


def _scores(text: str, model: RelevanceModel | None) -> tuple[float, float]:
    if model is None:
        return _shipped_scores(text)
    return model.scores(text)


def house_weight(title: str, lead: str = "", model: RelevanceModel | None = None) -> float:
    """0..1: how much the house would give this story room, from the headline and lead:
    the mean of "AI news as the house runs it" and "a main story, not a one-liner"."""
    p_ai, p_main = _scores(classifier_text(title, lead), model)
    return round((p_ai + p_main) / 2, 6)


def judge(title: str, lead: str = "", model: RelevanceModel | None = None) -> Verdict:
    """The verdict on one article from its headline and lead alone."""
    m = model or load_model()
    p = _scores(classifier_text(title, lead), model)[0]
    label: Label = ("ai" if p >= m.ai_threshold
                    else "borderline" if p >= m.borderline_threshold else "not_ai")
    return Verdict(label, round(p, 4))

