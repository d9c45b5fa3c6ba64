"""Extraction benchmark: our site extractors vs trafilatura on the same pages.

    .venv/bin/python benchmarks/extract.py [--repeat N]

For each page of the hand-checked gold set (benchmarks/gold/cases.json: fixture page +
expected clean text in benchmarks/gold/<name>.txt) it runs

- ``ours``: the site adapter's ``parse_article`` (sources/ithome.py, sources/qbitai.py);
- ``trafilatura``: ``trafilatura.extract(html, include_comments=False)``, the baseline,
  measured in the same run on the same decoded text;

and prints, side by side, articles/second and the text F1 against the gold text.
F1 is over character bigrams (multiset overlap, whitespace ignored), which suits
Chinese text where word tokens would need a segmenter. It also counts boilerplate
strings (SOURCES.md) that leaked into each output. Results go to
benchmarks/results/extract.json.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aidaily.ingest.fetch import decode_body  # noqa: E402
from sources import site_source  # noqa: E402

GOLD = ROOT / "benchmarks" / "gold"
RESULTS = ROOT / "benchmarks" / "results" / "extract.json"
BOILERPLATE = ["感谢IT之家网友", "广告声明", "相关阅读", "IT之家附上参考地址", "投诉水文", "下载IT之家APP",
               "发自 凹非寺", "公众号 QbitAI", "版权所有", "扫码关注", "biaojiwei", "热门文章"]


def bigrams(text: str) -> Counter:
    chars = re.sub(r"\s+", "", text)
    return Counter(chars[i:i + 2] for i in range(len(chars) - 1))


def f1(predicted: str, gold: str) -> dict[str, float]:
    """Precision, recall and F1 of character bigrams of ``predicted`` against ``gold``."""
    p, g = bigrams(predicted), bigrams(gold)
    overlap = sum((p & g).values())
    precision = overlap / max(sum(p.values()), 1)
    recall = overlap / max(sum(g.values()), 1)
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": score}


def load_cases() -> list[dict]:
    cases = json.loads((GOLD / "cases.json").read_text(encoding="utf-8"))
    for case in cases:
        page = ROOT / case["file"]
        sidecar = page.with_name(page.name + ".headers.json")
        content_type = json.loads(sidecar.read_text())["Content-Type"] if sidecar.exists() else None
        case["html"] = decode_body(page.read_bytes(), content_type)[0]
        case["gold"] = (GOLD / f"{case['name']}.txt").read_text(encoding="utf-8").strip()
    return cases


def ours(case: dict) -> str:
    return site_source(case["source"]).parse_article(case["url"], case["html"]).text


def trafilatura_text(case: dict) -> str:
    import trafilatura

    return trafilatura.extract(case["html"], url=case["url"], include_comments=False) or ""


def measure(name: str, extractor, cases: list[dict], repeat: int) -> dict:
    extractor(cases[0])  # warm-up: imports and caches are not what we measure
    started = time.perf_counter()
    for _ in range(repeat):
        outputs = [extractor(case) for case in cases]
    elapsed = time.perf_counter() - started
    per_page = []
    for case, text in zip(cases, outputs):
        scores = f1(text, case["gold"])
        leaked = [b for b in BOILERPLATE if b in text]
        per_page.append({"page": case["name"], **{k: round(v, 4) for k, v in scores.items()},
                         "boilerplate_leaked": leaked})
    return {
        "extractor": name,
        "articles_per_second": round(len(cases) * repeat / elapsed, 1),
        "mean_f1": round(sum(p["f1"] for p in per_page) / len(per_page), 4),
        "pages": per_page,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=20, help="passes over the gold set (timing)")
    args = parser.parse_args(argv)
    cases = load_cases()
    results = [measure("ours", ours, cases, args.repeat),
               measure("trafilatura", trafilatura_text, cases, args.repeat)]
    names = [r["extractor"] for r in results]
    print(f"{len(cases)} gold pages, {args.repeat} passes each\n")
    print(f"{'page':<16}" + "".join(f"{n + ' F1':>18}" for n in names))
    for i, case in enumerate(cases):
        row = "".join(f"{r['pages'][i]['f1']:>18.3f}" for r in results)
        print(f"{case['name']:<16}{row}")
    print(f"{'mean F1':<16}" + "".join(f"{r['mean_f1']:>18.3f}" for r in results))
    print(f"{'articles/s':<16}" + "".join(f"{r['articles_per_second']:>18.1f}" for r in results))
    leaks = {r["extractor"]: sorted({b for p in r["pages"] for b in p["boilerplate_leaked"]}) for r in results}
    print(f"{'leaked':<16}" + "".join(f"{len(v):>18}" for v in leaks.values()))
    for name, found in leaks.items():
        if found:
            print(f"  {name} leaked: {', '.join(found)}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"repeat": args.repeat, "results": results}, ensure_ascii=False,
                                  indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
