"""The relevance classifier: its data set, its training, its held-out figures.

    .venv/bin/python -m benchmarks.relevance build [--corpus ../shared/corpus]
    .venv/bin/python -m benchmarks.relevance train [--out aidaily/stories/data/relevance_model.json]

``build`` reads the house's archive (``corpus/aidaily``: every story the house ran, as
headline + lead, all positives) and the real IT之家 feed items (``corpus/feeds/ithome``,
labelled by hand in ``benchmarks/data/ithome_labels.tsv``) into
``benchmarks/data/relevance_set.tsv`` (origin, group, split, label, title, lead). The
split is fixed by a hash: archive stories by issue (a story and its 更多动态 one-liner stay
on one side), feed items by URL; one in five groups is held out.

``train`` fits scikit-learn's TF-IDF (sublinear tf, the analyzer is
``aidaily.stories.relevance.features``) + logistic regression on the training split —
each row twice, as headline + lead and as headline alone, since a digest item may offer
little more than its headline; a feed item weighs ``FEED_WEIGHT`` archive rows — and writes the model as JSON for the pure-Python scorer.
The thresholds: ``ai_threshold`` is 0.5; ``borderline_threshold`` the highest
probability that still keeps every AI row of the training split above it (at most 0.5).
It then scores the held-out split with the shipped scorer (``judge``) and prints recall
and precision overall and by origin; ``benchmarks/results/relevance.json`` has them.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from dataclasses import replace
from pathlib import Path
from collections.abc import Sequence
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aidaily.stories.relevance import (  # noqa: E402
    RelevanceModel,
    classifier_text,
    features,
    judge,
)

DATA = ROOT / "benchmarks" / "data"
SET = DATA / "relevance_set.tsv"
LABELS = DATA / "ithome_labels.tsv"
MODEL = ROOT / "aidaily" / "stories" / "data" / "relevance_model.json"
CORPUS = ROOT.parent.parent / "shared" / "corpus"  # /work/wt/<tree> -> /work/shared
FIELDS = ("origin", "kind", "group", "split", "label", "title", "lead")
HELD_OUT = 5  # one group in five
# A feed item weighs as much as this many archive headlines. Every archive row is a
# positive in the house's own style; without the weight the model learns "house style
# vs IT之家 style" instead of the topic (5-fold CV over the feed items: recall 0.74 → 0.80
# at weight 6, precision 0.77 → 0.75; weight 12 trades more precision for recall).
FEED_WEIGHT = 6.0


def split_of(group: str) -> str:
    return "test" if int(hashlib.sha256(group.encode()).hexdigest(), 16) % HELD_OUT == 0 else "train"


def read_labels(path: Path = LABELS) -> dict[str, int]:
    rows = [ln for ln in path.read_text(encoding="utf-8").splitlines() if not ln.startswith("#")]
    return {r["url"]: int(r["ai"]) for r in csv.DictReader(rows, delimiter="\t")}


def build(corpus: Path, out: Path = SET) -> list[dict[str, Any]]:
    from benchmarks.archive import archive_stories, feed_items

    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for s in archive_stories(corpus / "aidaily"):
        key = s.title.strip()
        if not key or key in seen:
            continue
        seen.add(key)
        rows.append({"origin": "archive", "kind": "brief" if s.brief else "main", "group": s.day,
                     "split": split_of(s.day), "label": 1, "title": s.title, "lead": s.lead})
    labels = read_labels()
    items = feed_items(corpus / "feeds" / "ithome")
    missing = [i.url for i in items if i.url not in labels]
    if missing:
        raise SystemExit(f"{len(missing)} feed items have no label in {LABELS}: {missing[:3]} …")
    for i in items:
        rows.append({"origin": "ithome", "kind": "feed", "group": i.url, "split": split_of(i.url),
                     "label": labels[i.url], "title": i.title, "lead": i.lead[:200]})
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, FIELDS, delimiter="\t", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({k: " ".join(str(r[k]).split()) for k in FIELDS})
    return rows


def read_set(path: Path = SET) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_MINIMAL))
    for r in rows:
        r["label"] = int(r["label"])
    return rows


def fit(rows: list[dict[str, Any]], c: float = 8.0, min_df: int = 3,
        feed_weight: float = FEED_WEIGHT) -> RelevanceModel:
    """A model trained on ``rows`` (each as headline + lead and as headline alone)."""
    return fit_sklearn(rows, c, min_df, feed_weight)[0]


def fit_sklearn(rows: list[dict[str, Any]], c: float = 8.0, min_df: int = 3,
                feed_weight: float = FEED_WEIGHT) -> tuple[RelevanceModel, Any, Any, Any]:
    """``fit``, with scikit-learn's vectorizer and the two classifiers it was made from."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts, labels, weights = [], [], []
    for r in rows:
        for text in {classifier_text(r["title"], r["lead"]), classifier_text(r["title"])}:
            texts.append(text)
            labels.append(r["label"])
            weights.append(feed_weight if r["origin"] != "archive" else 1.0)
    vectorizer = TfidfVectorizer(analyzer=features, sublinear_tf=True, min_df=min_df,
                                 lowercase=False)
    x = vectorizer.fit_transform(texts)
    clf = LogisticRegression(C=c, class_weight="balanced", max_iter=3000)
    clf.fit(x, labels, sample_weight=weights)
    # The ranking head: of the stories the house ran, a main story (1) or a 更多动态
    # one-liner (0), over the same features.
    ran = [r for r in rows if r["origin"] == "archive"]
    rank_texts, rank_labels = [], []
    for r in ran:
        for text in {classifier_text(r["title"], r["lead"]), classifier_text(r["title"])}:
            rank_texts.append(text)
            rank_labels.append(1 if r["kind"] == "main" else 0)
    ranker = LogisticRegression(C=1.0, class_weight="balanced", max_iter=3000)
    ranker.fit(vectorizer.transform(rank_texts), rank_labels)
    vocabulary = {g: int(i) for g, i in vectorizer.vocabulary_.items()}
    model = RelevanceModel(vocabulary=vocabulary, idf=[float(v) for v in vectorizer.idf_],
                           coef=[float(v) for v in clf.coef_[0]], intercept=float(clf.intercept_[0]),
                           ai_threshold=0.5, borderline_threshold=0.5,
                           rank_coef=[float(v) for v in ranker.coef_[0]],
                           rank_intercept=float(ranker.intercept_[0]))
    positives = [model.probability(t) for t, y in zip(texts, labels) if y == 1]
    low = min([0.5, *positives])
    model = replace(model, borderline_threshold=max(0.05, round(low - 0.005, 3)))
    return model, vectorizer, clf, ranker


def to_json(model: RelevanceModel) -> str:
    """The model file: floats rounded to 6 significant digits (the scores move < 1e-5)."""
    order = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    data = {
        "format": "tfidf-char-logreg/1",
        "ai_threshold": model.ai_threshold,
        "borderline_threshold": model.borderline_threshold,
        "intercept": float(f"{model.intercept:.6g}"),
        "vocabulary": {g: i for i, g in enumerate(order)},
        "idf": [float(f"{model.idf[model.vocabulary[g]]:.6g}") for g in order],
        "coef": [float(f"{model.coef[model.vocabulary[g]]:.6g}") for g in order],
    }
    if model.rank_coef is not None:
        data["rank_intercept"] = float(f"{model.rank_intercept:.6g}")
        data["rank_coef"] = [float(f"{model.rank_coef[model.vocabulary[g]]:.6g}") for g in order]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def evaluate(model: RelevanceModel, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Recall / precision of the ``ai`` verdict on ``rows``, overall and by origin, and
    of the offered (ai or borderline) set; the rows it gets wrong."""
    def figures(subset: Sequence[tuple[dict[str, Any], str]], offered: bool) -> dict[str, Any]:
        hit = [(r, v) for r, v in subset if (v != "not_ai" if offered else v == "ai")]
        tp = sum(1 for r, _ in hit if r["label"] == 1)
        pos = sum(1 for r, _ in subset if r["label"] == 1)
        return {"n": len(subset), "positives": pos, "true_positives": tp, "predicted": len(hit),
                "recall": round(tp / pos, 4) if pos else None,
                "precision": round(tp / len(hit), 4) if hit else None}

    judged = [(r, judge(r["title"], r["lead"], model).label) for r in rows]
    headline_only = [(r, judge(r["title"], "", model).label) for r in rows]
    result: dict[str, Any] = {"all": figures(judged, False), "offered": figures(judged, True),
                              "headline_only": figures(headline_only, False)}
    for origin in sorted({r["origin"] for r in rows}):
        result[origin] = figures([(r, v) for r, v in judged if r["origin"] == origin], False)
    ran = [r for r in rows if r["origin"] == "archive"]
    if ran and model.rank_coef is not None:
        scored = [(model.rank_probability(classifier_text(r["title"], r["lead"])), r["kind"] == "main")
                  for r in ran]
        result["rank"] = {"n": len(scored), "main": sum(m for _, m in scored),
                          "accuracy": round(sum((p >= 0.5) == m for p, m in scored) / len(scored), 4),
                          "auc": _auc(scored)}
    result["errors"] = [{"label": r["label"], "verdict": v, "title": r["title"]}
                        for r, v in judged if (v == "ai") != (r["label"] == 1)]
    return result


def _auc(scored: list[tuple[float, bool]]) -> float:
    """The probability that a random main story scores above a random one-liner."""
    pos = [p for p, m in scored if m]
    neg = [p for p, m in scored if not m]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return round(wins / (len(pos) * len(neg)), 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="read the corpus into benchmarks/data/relevance_set.tsv")
    b.add_argument("--corpus", type=Path, default=CORPUS)
    t = sub.add_parser("train", help="train on the training split, score the held-out split")
    t.add_argument("--out", type=Path, default=MODEL)
    args = parser.parse_args(argv)
    if args.command == "build":
        if not (args.corpus / "aidaily").is_dir():
            print(f"no archive at {args.corpus / 'aidaily'} (--corpus DIR)", file=sys.stderr)
            return 2
        rows = build(args.corpus)
        print(f"{len(rows)} rows written to {SET.relative_to(ROOT)}: "
              f"{sum(r['label'] for r in rows)} AI, {sum(1 - r['label'] for r in rows)} not")
        return 0
    rows = read_set()
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    model = fit(train)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_json(model), encoding="utf-8")
    shipped = RelevanceModel.from_dict(json.loads(args.out.read_text(encoding="utf-8")))
    result = {"train_rows": len(train), "test_rows": len(test),
              "features": len(shipped.vocabulary), "model_bytes": args.out.stat().st_size,
              "ai_threshold": shipped.ai_threshold,
              "borderline_threshold": shipped.borderline_threshold,
              "held_out": evaluate(shipped, test)}
    results = ROOT / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "relevance.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n",
                                            encoding="utf-8")
    held = result["held_out"]
    print(f"trained on {len(train)} rows, {len(shipped.vocabulary)} features, "
          f"{result['model_bytes'] / 1e6:.2f} MB; thresholds ai {shipped.ai_threshold}, "
          f"borderline {shipped.borderline_threshold}")
    print("held-out split            n  AI  recall  precision")
    for name in ("all", "archive", "ithome", "headline_only", "offered"):
        f = held[name]
        print(f"{name:<22} {f['n']:>5} {f['positives']:>3}  {f['recall']}  {f['precision']}")
    if "rank" in held:
        rk = held["rank"]
        print(f"ranking head on the held-out archive: {rk['n']} stories ({rk['main']} main), "
              f"accuracy {rk['accuracy']}, AUC {rk['auc']}")
    for e in held["errors"]:
        print(f"  wrong: label {e['label']} verdict {e['verdict']}: {e['title']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
