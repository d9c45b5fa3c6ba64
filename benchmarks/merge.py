"""Merge precision and recall on labelled article pairs (issue 19).

    .venv/bin/python -m benchmarks.merge            # evaluate dedup.compare on the pair set
    .venv/bin/python -m benchmarks.merge sweep      # the evidence bars, tried on the pairs
    .venv/bin/python -m benchmarks.merge names      # rebuild aidaily/stories/shared_names.txt

The pairs (``benchmarks/data/merge_pairs.json``, copied into ``tests/fixtures/merge_pairs.json``
for the tests) are real reports, labelled by hand:

- ``archive``: two items of the house's published issues (``../shared/corpus/aidaily``) at
  most two days apart that share a name or wording, as the house wrote them (headline and
  the first lines under it) with their link's site: the same news on two days or from
  two sites, different news about one company or product, and follow-ups (a later event
  of the same thread: a separate story). Drawn from every candidate pair with shingle
  Jaccard >= 0.1 and a seeded sample of the weaker ones.
- ``fixture-day``: every pair of AI articles of the fixture day (``tests/fixtures/day``)
  that shares a name or some wording, with the day's three cross-site duplicates.

"same" is the positive class; "follow-up" and "different" must stay apart. Archive items
are the house's own rewrites, so both sides of an archive pair are given distinct sources
(the same-source rule of ``dedup`` is about one site re-posting, not about them).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aidaily.models import Article  # noqa: E402
from aidaily.stories import dedup  # noqa: E402

PAIRS = ROOT / "benchmarks" / "data" / "merge_pairs.json"
ARCHIVE = ROOT.parent / "shared" / "corpus" / "aidaily"
_ITEM = re.compile(r"^(?:#{2,4}\s+)?(?:\d+\.\s*)?\[([^\]]+)\]\((https?://[^)\s]+)\)\s*$")


def load_pairs(path: Path = PAIRS) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8")))


def articles(pair: dict[str, Any]) -> tuple[Article, Article]:
    """The two sides of a pair as the grouping sees articles."""
    out = []
    for side in ("a", "b"):
        data = pair[side]
        source = data["source"] if pair["origin"] == "fixture-day" else f"archive-{side}"
        out.append(Article(data["url"], source, data["title"], data["text"]))
    return out[0], out[1]


def evaluate(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision and recall of ``dedup.compare`` (positive: "same"), per origin and in all,
    with the pairs it gets wrong."""
    table: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
    wrong = []
    for pair in pairs:
        verdict = dedup.compare(*articles(pair))
        truth = pair["label"] == "same"
        cell = ("t" if verdict.same == truth else "f") + ("p" if verdict.same else "n")
        for key in (pair["origin"], "all"):
            table[key][cell] += 1
        if verdict.same != truth:
            wrong.append({"id": pair["id"], "label": pair["label"], "similarity": verdict.similarity,
                          "evidence": sorted(verdict.evidence),
                          "titles": [pair["a"]["title"], pair["b"]["title"]]})
    return {"counts": {k: dict(v) | _scores(v) for k, v in table.items()}, "wrong": wrong}


def _scores(c: dict[str, int]) -> dict[str, float]:
    merged, same = c["tp"] + c["fp"], c["tp"] + c["fn"]
    return {"precision": round(c["tp"] / merged, 3) if merged else 1.0,
            "recall": round(c["tp"] / same, 3) if same else 1.0}


def sweep(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Precision/recall for bars of one / two shared pieces of evidence (the base
    threshold stays): the data the shipped ``EVIDENCE_THRESHOLDS`` were chosen from."""
    rows = []
    shipped = dict(dedup.EVIDENCE_THRESHOLDS)
    try:
        for one in (0.06, 0.08, 0.1, 0.12, 0.15, 0.2):
            for two in (0.03, 0.05, 0.06, 0.08, 0.1):
                if two > one:
                    continue
                dedup.EVIDENCE_THRESHOLDS.clear()
                dedup.EVIDENCE_THRESHOLDS.update({1: one, 2: two})
                c = evaluate(pairs)["counts"]["all"]
                rows.append({"one": one, "two": two, **c})
    finally:
        dedup.EVIDENCE_THRESHOLDS.clear()
        dedup.EVIDENCE_THRESHOLDS.update(shipped)
    return rows


def two_fold(pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Held-out check of the bar choice: pick the one-evidence bar with the best F1 on
    half of the pairs (alternate ones), measure it on the other half, both ways."""
    out = []
    for fold in (0, 1):
        train = [p for i, p in enumerate(pairs) if i % 2 == fold]
        test = [p for i, p in enumerate(pairs) if i % 2 != fold]
        best = max(sweep(train), key=lambda r: (_f1(r), r["one"]))
        shipped = dict(dedup.EVIDENCE_THRESHOLDS)
        try:
            dedup.EVIDENCE_THRESHOLDS.update({1: best["one"], 2: best["two"]})
            held = evaluate(test)["counts"]["all"]
        finally:
            dedup.EVIDENCE_THRESHOLDS.clear()
            dedup.EVIDENCE_THRESHOLDS.update(shipped)
        out.append({"fold": fold, "one": best["one"], "two": best["two"], **held})
    return out


def _f1(row: dict[str, Any]) -> float:
    p, r = row["precision"], row["recall"]
    return 2 * p * r / (p + r) if p + r else 0.0


def archive_items(archive: Path = ARCHIVE) -> list[tuple[str, str]]:
    """(issue date, headline + the lines under it) of every linked item of the archive."""
    items: list[tuple[str, list[str]]] = []
    for path in sorted(archive.glob("ai-daily-*.md")):
        day = path.stem.removeprefix("ai-daily-")
        current: list[str] | None = None
        for line in path.read_text(encoding="utf-8").split("\n")[1:]:
            match = _ITEM.match(line.strip())
            if match:
                current = [match.group(1)]
                items.append((day, current))
            elif line.startswith("#") or line.strip() == "---":
                current = None
            elif current is not None and line.strip() and len(current) < 4:
                current.append(line.strip())
    return [(day, "\n".join(lines)) for day, lines in items]


def build_names(archive: Path = ARCHIVE, issues: int = dedup.SHARED_NAME_ISSUES) -> list[str]:
    """Names (lower case) found in the items of at least ``issues`` issues."""
    from aidaily.checks.entities import extract_entities

    days: dict[str, set[str]] = defaultdict(set)
    for day, text in archive_items(archive):
        for name in extract_entities(text):
            days[name.lower()].add(day)
    return sorted(n for n, d in days.items() if len(d) >= issues)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs="?", default="eval", choices=("eval", "sweep", "names"))
    parser.add_argument("--pairs", type=Path, default=PAIRS)
    parser.add_argument("--archive", type=Path, default=ARCHIVE,
                        help="the published issues (default: ../shared/corpus/aidaily)")
    args = parser.parse_args(argv)
    if args.command == "names":
        if not args.archive.is_dir():
            print(f"no archive at {args.archive} (--archive DIR)", file=sys.stderr)
            return 2
        names = build_names(args.archive)
        header = (f"# Names in the items of >= {dedup.SHARED_NAME_ISSUES} issues of the house's archive\n"
                  "# (benchmarks/merge.py names): shared by many stories, no evidence of one.\n")
        dedup.SHARED_NAMES_FILE.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
        print(f"{len(names)} names -> {dedup.SHARED_NAMES_FILE}")
        return 0
    pairs = load_pairs(args.pairs)
    if args.command == "sweep":
        for row in sweep(pairs):
            print(f"1: {row['one']:.2f}  2+: {row['two']:.2f}  precision {row['precision']:.3f}  "
                  f"recall {row['recall']:.3f}  (fp {row['fp']}, fn {row['fn']})")
        for row in two_fold(pairs):
            print(f"held out (fold {row['fold']}): bar chosen {row['one']:.2f}/{row['two']:.2f} on the "
                  f"other half -> precision {row['precision']:.3f}  recall {row['recall']:.3f}")
        return 0
    result = evaluate(pairs)
    labels: dict[str, int] = defaultdict(int)
    for pair in pairs:
        labels[pair["label"]] += 1
    print(f"{len(pairs)} pairs: " + ", ".join(f"{n} {k}" for k, n in sorted(labels.items())))
    for origin, c in sorted(result["counts"].items()):
        print(f"{origin:12} precision {c['precision']:.3f}  recall {c['recall']:.3f}  "
              f"tp {c['tp']} fp {c['fp']} fn {c['fn']} tn {c['tn']}")
    for w in result["wrong"]:
        print(f"  {w['id']} ({w['label']}, sim {w['similarity']}, {w['evidence']}): "
              f"{w['titles'][0]} || {w['titles'][1]}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "merge.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
